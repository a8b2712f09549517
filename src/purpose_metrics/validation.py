"""Validation and import: files -> typed frames -> every rule -> one transaction.

The general mechanism: a file is first read as text (every column a string),
then each column is parsed to its contract type, and every value that does
not parse is a failure of rule "type" on that row. (A Parquet column whose
type already is the contract's, or an integer or float of another width,
is converted directly, with the same range checks: the same outcome
without formatting ten million timestamps as text.) The typed frame then
goes through the table's Pandera model (lazy: all failures at once), then
through the rules that need the database (keys already stored,
references). Only when nothing failed is anything written, in one
transaction that also brings the fact store up to date (store/).

Large files are read and checked in chunks of CHUNK_ROWS rows, so memory
follows the chunk, not the file; the failures of every chunk are reported
together, with their rows numbered in the file.

Imports into one database are serialised (a lock in this process; on
PostgreSQL a table lock, on SQLite its write lock, on DuckDB its file
lock), and the database checks run inside the import's transaction: two
imports of the same rows racing each other cannot both pass. The keys are
also unique indexes, so the database itself refuses a row stored twice.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandera.polars as pa
import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db, store
from .contract import REFERENCES, TABLES, Table
from .errors import MAX_ROWS_SHOWN, Failure, ValidationFailed
from .schemas import CHECK_COLUMNS, MODELS, overlapping_windows

__all__ = ["Failure", "ValidationFailed", "import_file", "import_folder", "load_file"]


def _file_failure(table: str, rule: str, column: str = "(file)") -> ValidationFailed:
    return ValidationFailed(table, [Failure(table, column, rule, (), 0)])


# --- reading files ----------------------------------------------------------------


def read_text_frame(table: str, path: Path) -> tuple[pl.DataFrame, str, int]:
    """The file as strings: (frame, row unit, number of the first data row)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            raw = pl.read_parquet(path)
        except Exception as exc:  # corrupt or truncated parquet
            raise _file_failure(table, f"not a readable Parquet file ({_first_line(exc)})") from None
        return _stringify(raw), "row", 1
    if suffix not in (".csv", ".txt"):
        raise _file_failure(table, f"unsupported file type {suffix or '(none)'}: use .csv or .parquet")
    data = path.read_bytes()
    if not data.strip():
        raise _file_failure(table, "the file is empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed(
            table, [Failure(table, "(file)", "not UTF-8 text (save the file as UTF-8)", (line,), 1)]
        ) from None
    text = data.decode("utf-8").lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    if "," not in header:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header:
                raise _file_failure(table, f"the file is delimited by {name}; the contract asks for commas")
    ragged = _ragged_lines(text) if len(data) <= RAGGED_CHECK_BYTES else []
    if ragged:
        lines = tuple(line for line, _, _ in ragged[:MAX_ROWS_SHOWN])
        expected = ragged[0][2]
        raise ValidationFailed(
            table,
            [Failure(table, "(file)", f"wrong number of fields (the header has {expected}): truncated or misquoted rows", lines, len(ragged))],
        )
    try:
        df = pl.read_csv(
            text.encode("utf-8"),
            infer_schema=False,
            raise_if_empty=True,
        )
    except Exception as exc:  # bad quoting, ...
        raise _file_failure(table, f"not a readable CSV file ({_first_line(exc)})") from None
    return df, "line", 2


# Files up to this size get a row-by-row field count (truncated files, rows
# with too few or too many fields); Polars alone would pad short rows with NULLs.
RAGGED_CHECK_BYTES = 200 * 2**20


def _ragged_lines(text: str) -> list[tuple[int, int, int]]:
    """(line number, fields, expected) of every row whose field count differs from the header's."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    expected = None
    for row in reader:
        if expected is None:
            expected = len(row)
            continue
        if row and len(row) != expected:
            out.append((reader.line_num, len(row), expected))
    return out


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def _stringify(df: pl.DataFrame) -> pl.DataFrame:
    """Parquet columns to text, so one parser handles both formats."""
    cols = []
    for name, dtype in df.schema.items():
        s = df.get_column(name)
        if isinstance(dtype, pl.Datetime):
            if dtype.time_zone:
                s = s.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            # Microseconds, as stored (pandas writes nanoseconds).
            s = s.dt.cast_time_unit("us").dt.strftime("%Y-%m-%d %H:%M:%S%.f")
        elif dtype == pl.Date:
            s = s.dt.strftime("%Y-%m-%d")
        elif dtype == pl.Boolean:
            s = s.cast(pl.String)
        elif dtype != pl.String:
            s = s.cast(pl.String, strict=False)
        cols.append(s.alias(name))
    return pl.DataFrame(cols, schema={n: pl.String for n in df.columns}) if cols else df


_OFFSET = r"(Z|[+-]\d{2}:?\d{2})$"
# The CSV forms the contract accepts (README, Command line; Polars' parser alone also takes
# "+2026-1-2" and nanoseconds).
_DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"
_TS_SHAPE = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?\s*(Z|[+-]\d{2}:?\d{2})?$"


def _parse_column(s: pl.Series, type_: str) -> pl.Series:
    text = s.str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    frame = pl.DataFrame({"t": s}).with_columns(t=text)
    t = pl.col("t")
    if type_ == "id":
        out = t.cast(pl.Int64, strict=False)
    elif type_ == "int":  # SQL INTEGER: 32 bits on every backend
        out = t.cast(pl.Int64, strict=False)
        out = pl.when(out.is_between(INT32_MIN, INT32_MAX)).then(out)
    elif type_ == "num":
        out = t.cast(pl.Float64, strict=False)
        out = pl.when(out.is_finite()).then(out)
    elif type_ == "bool":
        low = t.str.to_lowercase()
        out = pl.when(low.is_in(["true", "1"])).then(True).when(low.is_in(["false", "0"])).then(False)
    elif type_ == "date":
        out = pl.when(t.str.contains(_DATE_SHAPE)).then(t.str.to_date("%Y-%m-%d", strict=False))
        out = pl.when(out.is_between(TS_MIN.date(), TS_MAX.date())).then(out)
    elif type_ == "ts":
        t = pl.when(t.str.contains(_TS_SHAPE)).then(t)
        norm = t.str.replace("T", " ", literal=True)
        base = norm.str.replace(_OFFSET, "").str.strip_chars_end()
        parsed = base.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False)
        offset = norm.str.extract(_OFFSET).str.replace("Z", "+00:00").str.replace(":", "")
        sign = pl.when(offset.str.slice(0, 1) == "-").then(-1).otherwise(1)
        minutes = sign * (
            offset.str.slice(1, 2).cast(pl.Int64, strict=False) * 60
            + offset.str.slice(3, 2).cast(pl.Int64, strict=False)
        )
        out = parsed - pl.duration(minutes=minutes.fill_null(0))
        # Every backend and Python itself hold years 1-9999 (an offset can
        # push 0001-01-01 00:00 into year 0).
        out = pl.when(out.is_between(TS_MIN, TS_MAX)).then(out)
    else:
        # PostgreSQL text cannot hold a NUL byte: refuse it on every backend.
        out = pl.when(t.str.contains("\x00", literal=True)).then(None).otherwise(t)
    return frame.select(out.alias(s.name)).to_series()


INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
TS_MIN, TS_MAX = dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)

_TYPE_WORDS = {
    "id": "a whole number (64-bit)",
    "int": f"a whole number from {INT32_MIN:,} to {INT32_MAX:,}",
    "num": "a finite number",
    "bool": "true or false",
    "date": "a date YYYY-MM-DD",
    "ts": "a timestamp YYYY-MM-DD HH:MM:SS (years 1-9999)",
    "text": "text without NUL characters",
}


def parse_frame(
    table: Table, raw: pl.DataFrame, first_row: int
) -> tuple[pl.DataFrame, list[Failure], dict[str, set[int]] | None]:
    """Strings -> contract types; values that do not parse are failures.

    Returns the typed frame (unparsable values NULL), the failures, and per
    column the row indexes that did not parse (None when the header itself
    is wrong and no frame could be typed)."""
    failures: list[Failure] = []
    unparsed: dict[str, set[int]] = {}
    header = [c.strip() for c in raw.columns]
    raw = raw.rename(dict(zip(raw.columns, header, strict=True)))
    missing = [c for c in table.column_names if c not in header]
    unknown = [c for c in header if c not in table.column_names]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for c in missing:
        failures.append(Failure(table.name, c, "missing column (the header must list every column of the contract)", (), 0))
    for c in unknown:
        failures.append(Failure(table.name, c or "(blank)", "unknown column", (), 0))
    for c in dupes:
        failures.append(Failure(table.name, c, "column appears more than once", (), 0))
    if failures:
        return raw, failures, None
    cols = []
    for col in table.columns:
        s = raw.get_column(col.name)
        parsed = _parse_column(s, col.type)
        bad = (s.str.strip_chars().fill_null("") != "") & parsed.is_null()
        if bad.any():
            idx = bad.arg_true()
            unparsed[col.name] = set(idx.to_list())
            failures.append(
                Failure(
                    table.name,
                    col.name,
                    f"type: must be {_TYPE_WORDS[col.type]}",
                    tuple(int(i) + first_row for i in idx[:MAX_ROWS_SHOWN]),
                    len(idx),
                    tuple(repr(v)[:40] for v in s.gather(idx[:3]).to_list()),
                )
            )
        cols.append(parsed.alias(col.name))
    return pl.DataFrame(cols), failures, unparsed


# --- rules ---------------------------------------------------------------------------


def check_rules(
    table: str, df: pl.DataFrame, first_row: int = 2, unparsed: dict[str, set[int]] | None = None
) -> list[Failure]:
    """Every rule of the table's Pandera model, all failures at once.

    `unparsed` holds, per column, the row indexes whose value did not parse
    (already reported as a type failure): they are not reported again as
    missing values."""
    unparsed = unparsed or {}
    model = MODELS[table]
    try:
        model.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    except pa.errors.SchemaError as err:  # pragma: no cover - lazy=True raises SchemaErrors
        return [Failure(table, "(table)", str(err).splitlines()[0], (), 0)]
    out: list[Failure] = []
    grouped = (
        cases.with_columns(pl.col("index").cast(pl.Int64))
        .group_by("column", "check", maintain_order=True)
        .agg(pl.col("index").drop_nulls().unique().sort(), pl.col("failure_case").head(3))
    )
    for row in grouped.iter_rows(named=True):
        column, check = row["column"], row["check"]
        frame_level = column == model.__name__
        if frame_level:
            column = CHECK_COLUMNS.get(check, "(table)")
        rule = _rule_words(check)
        idx = [i for i in row["index"] if not (check == "not_nullable" and i in unparsed.get(column, ()))]
        if not idx and row["index"]:
            continue
        examples = () if frame_level else tuple(str(v)[:40] for v in row["failure_case"])
        out.append(
            Failure(table, column, rule, tuple(i + first_row for i in idx[:MAX_ROWS_SHOWN]), len(idx), examples)
        )
    return out


def _rule_words(check: str) -> str:
    words = {
        "field_uniqueness": "unique: the key appears more than once",
        "not_nullable": "not null: a value is required",
    }
    if check in words:
        return words[check]
    return (
        check.replace("greater_than_or_equal_to", ">=")
        .replace("less_than_or_equal_to", "<=")
        .replace("in_range", "in range")
        .replace("str_matches", "format")
    )


def check_against_database(
    conn: sa.Connection, table: str, df: pl.DataFrame, first_row: int, keys_stored: bool = True
) -> list[Failure]:
    """Rules that need what is already stored: keys (unless `keys_stored` is
    False: the table was empty), references, one company row, target
    windows. Inside the import's transaction (see _import), so nothing can
    slip in between this check and the insert."""
    meta = TABLES[table]
    out: list[Failure] = []
    if meta.key and keys_stored:
        clash = _stored_keys(conn, table, df)
        out += _rows_failure(table, ", ".join(meta.key), "key already in the database (import each row once)", clash, first_row)
    if table == "company":
        n = conn.execute(sa.select(sa.func.count()).select_from(db.SA_TABLES["company"])).scalar_one()
        if n + df.height > 1:
            out.append(Failure(table, "(table)", "at most one company row (one is already stored)", tuple(range(first_row, first_row + min(df.height, MAX_ROWS_SHOWN))), df.height))
    if table == "targets":
        stored = db.read_table(conn, "targets").with_columns(_new=pl.lit(False))
        both = pl.concat([stored, df.with_columns(_new=pl.lit(True))])
        flags = both.select(overlapping_windows(both)).to_series()
        mask = flags.filter(both.get_column("_new"))
        new_only = overlapping_windows_in(df)
        out += _rows_failure(table, "valid_from, valid_to", "window overlaps a stored target of the same metric and scope", mask & ~new_only, first_row)
    for column, ref_table, ref_column in REFERENCES.get(table, ()):
        missing = _missing_references(conn, df.get_column(column), ref_table, ref_column)
        if missing is not None:
            out += _rows_failure(table, column, f"reference: must exist in {ref_table}.{ref_column}", missing, first_row, df.get_column(column))
    return out


def _stored_keys(conn: sa.Connection, table: str, df: pl.DataFrame) -> pl.Series:
    """Which rows of `df` have a key that is already stored (NULL equal to
    NULL, as the contract says). The keys go to a temporary table and the
    database joins them, so a week of orders is checked against ten million
    without reading them out."""
    meta = TABLES[table]
    keys = df.select(list(meta.key)).with_row_index("_row")
    columns = ", ".join(
        f"{c} {'TEXT' if meta.column(c).type == 'text' else 'DATE' if meta.column(c).type == 'date' else 'BIGINT'}"
        for c in meta.key
    )
    conn.exec_driver_sql("DROP TABLE IF EXISTS _pm_keys")
    conn.exec_driver_sql(f"CREATE TEMP TABLE _pm_keys (_row BIGINT NOT NULL, {columns})")
    db.insert_rows(conn, "_pm_keys", keys.with_columns(pl.col("_row").cast(pl.Int64)))
    same = " AND ".join(
        f"COALESCE(t.{c}, '') = COALESCE(k.{c}, '')" if meta.column(c).nullable else f"t.{c} = k.{c}"
        for c in meta.key
    )
    rows = db.fetch_sql(conn, f"SELECT k._row FROM _pm_keys k WHERE EXISTS (SELECT 1 FROM {table} t WHERE {same})")
    conn.exec_driver_sql("DROP TABLE _pm_keys")
    clashing = rows.get_column("_row").cast(pl.Int64) if rows.height else pl.Series("_row", [], pl.Int64)
    return keys.get_column("_row").cast(pl.Int64).is_in(clashing.implode())


def _missing_references(conn: sa.Connection, values: pl.Series, ref_table: str, ref_column: str) -> pl.Series | None:
    """Rows whose value is not in ref_table.ref_column (None: no value to check)."""
    distinct = values.drop_nulls().unique()
    if distinct.len() == 0:
        return None
    dtype = "TEXT" if distinct.dtype == pl.String else "BIGINT"
    conn.exec_driver_sql("DROP TABLE IF EXISTS _pm_refs")
    conn.exec_driver_sql(f"CREATE TEMP TABLE _pm_refs (value {dtype} NOT NULL)")
    db.insert_rows(conn, "_pm_refs", distinct.to_frame("value"))
    unknown = db.fetch_sql(
        conn,
        f"SELECT r.value FROM _pm_refs r WHERE NOT EXISTS (SELECT 1 FROM {ref_table} t WHERE t.{ref_column} = r.value)",
    )
    conn.exec_driver_sql("DROP TABLE _pm_refs")
    unknown_values = unknown.get_column("value").cast(distinct.dtype) if unknown.height else distinct.head(0)
    return values.is_not_null() & values.is_in(unknown_values.implode())


def overlapping_windows_in(df: pl.DataFrame) -> pl.Series:
    return df.select(overlapping_windows(df)).to_series()


def _rows_failure(table, column, rule, mask: pl.Series, first_row: int, values: pl.Series | None = None) -> list[Failure]:
    if not mask.any():
        return []
    idx = mask.arg_true()
    examples = tuple(str(v)[:40] for v in values.gather(idx[:3]).to_list()) if values is not None else ()
    return [Failure(table, column, rule, tuple(int(i) + first_row for i in idx[:MAX_ROWS_SHOWN]), len(idx), examples)]


# --- import -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    table: str
    rows: int
    source: str
    warnings: list[str] = field(default_factory=list)


# Rows read, typed and checked at a time: memory follows the chunk, not the file.
CHUNK_ROWS = 1_000_000
# What DuckDB may hold in memory during an import before it spills to disk.
DUCKDB_IMPORT_MEMORY = "1GB"


def _chunks(table: str, path: Path) -> Iterator[tuple[pl.DataFrame, str, int, bool]]:
    """(raw chunk, row unit, number of its first row, whether it is typed
    already) for the file: Parquet in record batches, CSV read whole then cut."""
    if path.suffix.lower() == ".parquet":
        try:
            scan = pl.scan_parquet(path)
            rows = scan.select(pl.len()).collect().item()
            chunks = [scan.slice(offset, CHUNK_ROWS).collect() for offset in range(0, rows, CHUNK_ROWS)] if rows <= CHUNK_ROWS else None
        except Exception as exc:  # corrupt or truncated parquet
            raise _file_failure(table, f"not a readable Parquet file ({_first_line(exc)})") from None
        if chunks is not None:  # one chunk (or none): read, and any error reported, above
            yield (chunks[0] if chunks else pl.read_parquet(path)), "row", 1, True
            return
        for offset in range(0, rows, CHUNK_ROWS):
            try:
                raw = scan.slice(offset, CHUNK_ROWS).collect()
            except Exception as exc:
                raise _file_failure(table, f"not a readable Parquet file ({_first_line(exc)})") from None
            yield raw, "row", offset + 1, True
        return
    raw, unit, first_row = read_text_frame(table, path)
    for offset in range(0, max(raw.height, 1), CHUNK_ROWS):
        yield raw.slice(offset, CHUNK_ROWS), unit, first_row + offset, False


def _checked_path(table: str, path: str | Path) -> Path:
    if table not in TABLES:
        raise _file_failure(table, f"unknown table (known: {', '.join(TABLES)})", "(table)")
    path = Path(path)
    if not path.exists():
        raise _file_failure(table, f"no such file: {path}")
    if path.is_dir():
        raise _file_failure(table, f"{path} is a folder, not a file")
    return path


def typed_chunks(table: str, path: Path) -> Iterator[tuple[pl.DataFrame, str, int, list[Failure], dict[str, set[int]]]]:
    """(typed chunk, row unit, its first row's number, failures of typing,
    the rows that did not parse) for each chunk of a file; a wrong header
    raises ValidationFailed at once (no rule can be checked)."""
    meta = TABLES[table]
    for raw, unit, first_row, typed in _chunks(table, path):
        if typed:
            df, parsed = _typed_columns(meta, raw, first_row)
            if df is None:  # a header problem: the same report as for text
                _, header_failures, _ = parse_frame(meta, _stringify(parsed), first_row)
                raise ValidationFailed(table, header_failures, unit)
            failures, unparsed = parsed
        else:
            df, failures, unparsed = parse_frame(meta, raw, first_row)
            if unparsed is None:  # the header is wrong: no rule can be checked
                raise ValidationFailed(table, failures, unit)
        yield df, unit, first_row, failures, unparsed


def load_chunks(table: str, path: str | Path) -> tuple[list[pl.DataFrame], str, int]:
    """Read, type and check a file chunk by chunk; (typed chunks, row unit,
    number of the first row). Raises ValidationFailed with every problem of
    every chunk. (An import does not keep the chunks: see import_file.)"""
    path = _checked_path(table, path)
    frames: list[pl.DataFrame] = []
    failures: list[Failure] = []
    unit, start = "line", None
    for df, chunk_unit, first_row, chunk_failures, unparsed in typed_chunks(table, path):
        unit, start = chunk_unit, first_row if start is None else start
        failures += chunk_failures + check_rules(table, df, first_row, unparsed)
        frames.append(df)
    keys = [f.select(list(TABLES[table].key)) for f in frames]
    _finish_file_checks(table, sum(f.height for f in frames), keys, start or 1, failures, unit)
    return frames, unit, start or 1


def _finish_file_checks(
    table: str, rows: int, keys: list[pl.DataFrame], first_row: int, failures: list[Failure], unit: str
) -> None:
    """What needs the whole file: that it has rows, keys repeated across
    chunks; then raise ValidationFailed if anything failed."""
    if rows == 0:
        raise _file_failure(table, "the file has a header but no rows")
    if len(keys) > 1 and TABLES[table].key:
        failures[:] = _whole_file_keys(TABLES[table], keys, first_row, failures)
    if failures:
        raise ValidationFailed(table, _merged(failures), unit)


def load_file(table: str, path: str | Path) -> tuple[pl.DataFrame, str, int]:
    """Read and type a file, raising ValidationFailed with every problem."""
    frames, unit, first_row = load_chunks(table, path)
    return (frames[0] if len(frames) == 1 else pl.concat(frames)), unit, first_row


def _typed_columns(meta: Table, raw: pl.DataFrame, first_row: int) -> tuple[pl.DataFrame | None, tuple]:
    """A Parquet chunk to the contract's types. A column whose type already
    fits is converted directly (with the range checks of the text path); any
    other goes through the text parser. Returns (typed frame, (failures,
    unparsed)), or (None, raw) when the header is wrong."""
    header = list(raw.columns)
    if sorted(header) != sorted(meta.column_names) or len(set(header)) != len(header):
        return None, raw  # type: ignore[return-value]
    failures: list[Failure] = []
    unparsed: dict[str, set[int]] = {}
    cols = []
    for col in meta.columns:
        s = raw.get_column(col.name)
        direct = _direct(s, col.type)
        if direct is None:
            text = _stringify(s.to_frame()).get_column(col.name)
            parsed = _parse_column(text, col.type)
            bad = (text.str.strip_chars().fill_null("") != "") & parsed.is_null()
        else:
            parsed = direct
            bad = s.is_not_null() & parsed.is_null()
        if bad.any():
            idx = bad.arg_true()
            shown = s.gather(idx[:3]).cast(pl.String, strict=False)
            unparsed[col.name] = set(idx.to_list())
            failures.append(
                Failure(meta.name, col.name, f"type: must be {_TYPE_WORDS[col.type]}",
                        tuple(int(i) + first_row for i in idx[:MAX_ROWS_SHOWN]), len(idx),
                        tuple(repr(v)[:40] for v in shown.to_list()))
            )  # fmt: skip
        cols.append(parsed.alias(col.name))
    return pl.DataFrame(cols), (failures, unparsed)


def _direct(s: pl.Series, type_: str) -> pl.Series | None:
    """The column converted straight to the contract type, values that do not
    fit NULL (reported as type failures); None when its Parquet type needs
    the text parser."""
    dtype = s.dtype
    if type_ in ("id", "int") and dtype.is_integer():
        out = s.cast(pl.Int64, strict=False)
        return out if type_ == "id" else out.set(~out.is_between(INT32_MIN, INT32_MAX).fill_null(True), None)  # type: ignore[arg-type]
    if type_ == "num" and (dtype.is_float() or dtype.is_integer() or dtype.is_decimal()):
        out = s.cast(pl.Float64, strict=False)
        return out.set(~out.is_finite().fill_null(True), None)  # type: ignore[arg-type]
    if type_ == "bool" and dtype == pl.Boolean:
        return s
    if type_ == "date" and dtype == pl.Date:
        return s.set(~s.is_between(TS_MIN.date(), TS_MAX.date()).fill_null(True), None)  # type: ignore[arg-type]
    if type_ == "ts" and isinstance(dtype, pl.Datetime):
        if dtype.time_zone:
            s = s.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        s = s.dt.cast_time_unit("us")
        return s.set(~s.is_between(TS_MIN, TS_MAX).fill_null(True), None)  # type: ignore[arg-type]
    if type_ == "text" and dtype == pl.String:
        return s.set(s.str.contains("\x00", literal=True).fill_null(False), None)  # type: ignore[arg-type]
    return None


def _whole_file_keys(meta: Table, key_chunks: list[pl.DataFrame], first_row: int, failures: list[Failure]) -> list[Failure]:
    """A key repeated across chunks: checked over the whole file (each
    chunk's own check only sees the chunk), replacing the chunks' reports."""
    keys = pl.concat(key_chunks)
    repeated = keys.select(pl.struct(list(meta.key)).is_duplicated()).to_series()
    column = ", ".join(meta.key)
    kept = [f for f in failures if not (f.column == column and f.rule.startswith("unique"))]
    return kept + _rows_failure(meta.name, column, "unique: the key appears more than once", repeated, first_row, keys.get_column(meta.key[0]))


def _merged(failures: list[Failure]) -> list[Failure]:
    """One failure per (column, rule) across chunks: the first rows, the
    total count, the first examples."""
    out: dict[tuple[str, str], Failure] = {}
    for f in failures:
        seen = out.get((f.column, f.rule))
        if seen is None:
            out[(f.column, f.rule)] = f
            continue
        out[(f.column, f.rule)] = Failure(
            f.table, f.column, f.rule, (seen.rows + f.rows)[:MAX_ROWS_SHOWN], seen.count + f.count,
            (seen.examples + f.examples)[:3],
        )  # fmt: skip
    return list(out.values())


def import_file(engine: Engine, table: str, path: str | Path) -> ImportResult:
    """Validate everything, then append in one transaction (or write nothing).

    Two passes over the file, one chunk in memory at a time: the first
    checks every rule (the database's too, against what was stored before
    this import) and keeps only the keys and the columns the fact store
    needs; the second, when nothing failed, reads the chunks again and
    inserts them. Memory follows the chunk, not the file."""
    path = _checked_path(table, path)

    def chunks(check: bool) -> Iterator[tuple[pl.DataFrame, str, int, list[Failure]]]:
        for df, unit, first_row, failures, unparsed in typed_chunks(table, path):
            yield df, unit, first_row, (failures + check_rules(table, df, first_row, unparsed)) if check else []

    return _import(engine, table, chunks, source=path.name)


def import_frame(engine: Engine, table: str, df: pl.DataFrame, source: str, unit: str = "row", first_row: int = 1) -> ImportResult:
    """Append a frame already typed and checked by its rules (load_file)."""
    return _import(engine, table, lambda check: iter([(df, unit, first_row, [])]), source)


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _import_lock(engine: Engine) -> threading.Lock:
    """One import at a time per database in this process (the dashboard's
    sessions are threads of one process)."""
    key = engine.url.render_as_string(hide_password=False)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


_UNIQUE_VIOLATION = ("duplicate key", "unique constraint", "primary key", "violates unique")


def _import(engine: Engine, table: str, chunks, source: str) -> ImportResult:
    """Check against the database and append, in one serialised transaction
    that also brings the fact store up to date; nothing is written when
    anything fails. `chunks(check)` yields (typed chunk, unit, first row,
    failures of its rules when `check`), and can be read twice."""
    meta = TABLES[table]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if table in store.TRACKED:
        with engine.connect() as conn:
            has_store = sa.inspect(conn).has_table("store_state")
        if not has_store:  # a database made by an older version
            store.ensure_schema(engine)
    rows, unit = 0, "row"
    try:
        with _import_lock(engine), engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Conflicts with itself only: imports queue, reads go on.
                conn.exec_driver_sql("LOCK TABLE import_log IN SHARE ROW EXCLUSIVE MODE")
            if conn.dialect.name == "duckdb":
                # Sorts and joins of the store spill to disk beyond this, so an
                # import of ten million orders stays within a few GB.
                conn.exec_driver_sql(f"SET memory_limit = '{DUCKDB_IMPORT_MEMORY}'")
            # The log row first: on SQLite this takes the write lock now, so a
            # second import waits here instead of between its check and insert.
            conn.execute(db.IMPORT_LOG.insert().values(table_name=table, imported_at=now, row_count=0, source=source[:200]))
            stored_before = bool(conn.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).all())
            # The first orders build the store's order part whole: no need
            # to keep which cells they touch (ten million rows' worth).
            keep_touched = stored_before or table != "orders"
            failures: list[Failure] = []
            keys, touched, start = [], [], None
            for df, chunk_unit, first_row, chunk_failures in chunks(True):
                unit, start = chunk_unit, first_row if start is None else start
                failures += chunk_failures
                if meta.key:
                    keys.append(df.select(list(meta.key)))
                failures += check_against_database(conn, table, df, first_row, keys_stored=stored_before)
                if keep_touched:
                    touched.append(store.touched(table, df))
                rows += df.height
            _finish_file_checks(table, rows, keys, start or 1, failures, unit)
            del keys
            was_current = store.is_current(conn) if table in store.TRACKED else True
            for df, _, _, _ in chunks(False):
                db.insert_frame(conn, table, df)
            conn.execute(
                db.IMPORT_LOG.update().where(db.IMPORT_LOG.c.imported_at == now).where(db.IMPORT_LOG.c.table_name == table).values(row_count=rows)
            )
            store.after_import(conn, table, [t for t in touched if t is not None], was_current)
    except db.DatabaseError as exc:
        if any(words in str(exc).lower() for words in _UNIQUE_VIOLATION):
            column = ", ".join(meta.key) if meta.key else "(table)"
            raise ValidationFailed(
                table, [Failure(table, column, "key already in the database (stored by another import meanwhile)", (), rows)], unit
            ) from None
        raise
    return ImportResult(table, rows, source)


def import_folder(engine: Engine, folder: str | Path) -> list[ImportResult]:
    """Import one file per table found in `folder`, in load order.

    Each table is one transaction; the first bad file stops the load.
    """
    folder = Path(folder)
    results = []
    for table in TABLES:
        for suffix in (".csv", ".parquet"):
            path = folder / f"{table}{suffix}"
            if path.exists():
                results.append(import_file(engine, table, path))
                break
    return results
