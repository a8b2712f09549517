"""Reading a file into typed frames: the first half of an import.

A file is read as text (every column a string), chunk by chunk, and each
column is parsed to its contract type; a value that does not parse is a
failure of rule "type" on its row (with the row's number in the file). A
Parquet column whose type already is the contract's, or an integer or float
of another width, is converted directly, with the same range checks: the
same outcome without formatting ten million timestamps as text. Large
files go CHUNK_ROWS rows at a time, so memory follows the chunk, not the
file. validation.py checks the rules on what comes out, and imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from .contract import TABLES, Table
from .errors import MAX_ROWS_SHOWN, Failure, ValidationFailed


def file_failure(table: str, rule: str, column: str = "(file)") -> ValidationFailed:
    return ValidationFailed(table, [Failure(table, column, rule, (), 0)])


def read_text_frame(table: str, path: Path) -> tuple[pl.DataFrame, str, int]:
    """The file as strings: (frame, row unit, number of the first data row)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            raw = pl.read_parquet(path)
        except Exception as exc:  # corrupt or truncated parquet
            raise file_failure(table, f"not a readable Parquet file ({_first_line(exc)})") from None
        return _stringify(raw), "row", 1
    if suffix not in (".csv", ".txt"):
        raise file_failure(table, f"unsupported file type {suffix or '(none)'}: use .csv or .parquet")
    data = path.read_bytes()
    if not data.strip():
        raise file_failure(table, "the file is empty")
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
                raise file_failure(table, f"the file is delimited by {name}; the contract asks for commas")
    ragged = _ragged_lines(text) if len(data) <= RAGGED_CHECK_BYTES else []
    if ragged:
        lines = tuple(line for line, _, _ in ragged[:MAX_ROWS_SHOWN])
        expected = ragged[0][2]
        raise ValidationFailed(
            table,
            [
                Failure(
                    table,
                    "(file)",
                    f"wrong number of fields (the header has {expected}): truncated or misquoted rows",
                    lines,
                    len(ragged),
                )
            ],
        )
    try:
        df = pl.read_csv(
            text.encode("utf-8"),
            infer_schema=False,
            raise_if_empty=True,
        )
    except Exception as exc:  # bad quoting, ...
        raise file_failure(table, f"not a readable CSV file ({_first_line(exc)})") from None
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
        failures.append(
            Failure(
                table.name, c, "missing column (the header must list every column of the contract)", (), 0
            )
        )
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


# Rows read, typed and checked at a time: memory follows the chunk, not the file.
CHUNK_ROWS = 1_000_000


def _chunks(table: str, path: Path) -> Iterator[tuple[pl.DataFrame, str, int, bool]]:
    """(raw chunk, row unit, number of its first row, whether it is typed
    already) for the file: Parquet in record batches, CSV read whole then cut."""
    if path.suffix.lower() == ".parquet":
        try:
            scan = pl.scan_parquet(path)
            rows = scan.select(pl.len()).collect().item()
            chunks = (
                [scan.slice(offset, CHUNK_ROWS).collect() for offset in range(0, rows, CHUNK_ROWS)]
                if rows <= CHUNK_ROWS
                else None
            )
        except Exception as exc:  # corrupt or truncated parquet
            raise file_failure(table, f"not a readable Parquet file ({_first_line(exc)})") from None
        if chunks is not None:  # one chunk (or none): read, and any error reported, above
            yield (chunks[0] if chunks else pl.read_parquet(path)), "row", 1, True
            return
        for offset in range(0, rows, CHUNK_ROWS):
            try:
                raw = scan.slice(offset, CHUNK_ROWS).collect()
            except Exception as exc:
                raise file_failure(table, f"not a readable Parquet file ({_first_line(exc)})") from None
            yield raw, "row", offset + 1, True
        return
    raw, unit, first_row = read_text_frame(table, path)
    for offset in range(0, max(raw.height, 1), CHUNK_ROWS):
        yield raw.slice(offset, CHUNK_ROWS), unit, first_row + offset, False


def _with_optional_columns(meta: Table, raw: pl.DataFrame) -> pl.DataFrame:
    """A file made before an optional column joined the contract may lack
    it: the column is added, empty (NULL)."""
    header = {c.strip() for c in raw.columns}
    absent = [c.name for c in meta.columns if c.optional and c.name not in header]
    return raw.with_columns(pl.lit(None, pl.String).alias(c) for c in absent) if absent else raw


def typed_chunks(
    table: str, path: Path
) -> Iterator[tuple[pl.DataFrame, str, int, list[Failure], dict[str, set[int]]]]:
    """(typed chunk, row unit, its first row's number, failures of typing,
    the rows that did not parse) for each chunk of a file; a wrong header
    raises ValidationFailed at once (no rule can be checked)."""
    meta = TABLES[table]
    for raw, unit, first_row, typed in _chunks(table, path):
        raw = _with_optional_columns(meta, raw)
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
    # Text goes through the text parser, as in a CSV: blank is NULL, the rest
    # is stripped (a warehouse's '' is no value, whatever the file format).
    return None
