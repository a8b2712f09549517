"""Validation and import: typed chunks -> every rule -> one transaction.

parsing.py reads a file into typed chunks (a value that does not parse is a
"type" failure on its row). Each chunk then goes through the table's
Pandera model (lazy: all failures at once), then through the rules that
need the database (keys already stored, references). Only when nothing
failed is anything written, in one transaction that also brings the fact
store up to date (store/). The failures of every chunk are reported
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
from .parsing import file_failure, typed_chunks
from .schemas import CHECK_COLUMNS, MODELS, overlapping_windows

__all__ = ["Failure", "ValidationFailed", "import_file", "import_folder", "load_file"]


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
            Failure(
                table, column, rule, tuple(i + first_row for i in idx[:MAX_ROWS_SHOWN]), len(idx), examples
            )
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
        out += _rows_failure(
            table, ", ".join(meta.key), "key already in the database (import each row once)", clash, first_row
        )
    if table == "company":
        n = conn.execute(sa.select(sa.func.count()).select_from(db.SA_TABLES["company"])).scalar_one()
        if n + df.height > 1:
            out.append(
                Failure(
                    table,
                    "(table)",
                    "at most one company row (one is already stored)",
                    tuple(range(first_row, first_row + min(df.height, MAX_ROWS_SHOWN))),
                    df.height,
                )
            )
    if table == "targets":
        stored = db.read_table(conn, "targets").with_columns(_new=pl.lit(False))
        both = pl.concat([stored, df.with_columns(_new=pl.lit(True))])
        flags = both.select(overlapping_windows(both)).to_series()
        mask = flags.filter(both.get_column("_new"))
        new_only = overlapping_windows_in(df)
        out += _rows_failure(
            table,
            "valid_from, valid_to",
            "window overlaps a stored target of the same metric and scope",
            mask & ~new_only,
            first_row,
        )
    for column, ref_table, ref_column in REFERENCES.get(table, ()):
        missing = _missing_references(conn, df.get_column(column), ref_table, ref_column)
        if missing is not None:
            out += _rows_failure(
                table,
                column,
                f"reference: must exist in {ref_table}.{ref_column}",
                missing,
                first_row,
                df.get_column(column),
            )
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
    rows = db.fetch_sql(
        conn, f"SELECT k._row FROM _pm_keys k WHERE EXISTS (SELECT 1 FROM {table} t WHERE {same})"
    )
    conn.exec_driver_sql("DROP TABLE _pm_keys")
    clashing = rows.get_column("_row").cast(pl.Int64) if rows.height else pl.Series("_row", [], pl.Int64)
    return keys.get_column("_row").cast(pl.Int64).is_in(clashing.implode())


def _missing_references(
    conn: sa.Connection, values: pl.Series, ref_table: str, ref_column: str
) -> pl.Series | None:
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


def _rows_failure(
    table, column, rule, mask: pl.Series, first_row: int, values: pl.Series | None = None
) -> list[Failure]:
    if not mask.any():
        return []
    idx = mask.arg_true()
    examples = tuple(str(v)[:40] for v in values.gather(idx[:3]).to_list()) if values is not None else ()
    return [
        Failure(
            table, column, rule, tuple(int(i) + first_row for i in idx[:MAX_ROWS_SHOWN]), len(idx), examples
        )
    ]


# --- import -------------------------------------------------------------------------------


# What DuckDB may hold in memory during an import before it spills to disk.
DUCKDB_IMPORT_MEMORY = "1GB"


@dataclass
class ImportResult:
    table: str
    rows: int
    source: str
    warnings: list[str] = field(default_factory=list)


def _checked_path(table: str, path: str | Path) -> Path:
    if table not in TABLES:
        raise file_failure(table, f"unknown table (known: {', '.join(TABLES)})", "(table)")
    path = Path(path)
    if not path.exists():
        raise file_failure(table, f"no such file: {path}")
    if path.is_dir():
        raise file_failure(table, f"{path} is a folder, not a file")
    return path


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
        raise file_failure(table, "the file has a header but no rows")
    if len(keys) > 1 and TABLES[table].key:
        failures[:] = _whole_file_keys(TABLES[table], keys, first_row, failures)
    if failures:
        raise ValidationFailed(table, _merged(failures), unit)


def load_file(table: str, path: str | Path) -> tuple[pl.DataFrame, str, int]:
    """Read and type a file, raising ValidationFailed with every problem."""
    frames, unit, first_row = load_chunks(table, path)
    return (frames[0] if len(frames) == 1 else pl.concat(frames)), unit, first_row


def _whole_file_keys(
    meta: Table, key_chunks: list[pl.DataFrame], first_row: int, failures: list[Failure]
) -> list[Failure]:
    """A key repeated across chunks: checked over the whole file (each
    chunk's own check only sees the chunk), replacing the chunks' reports."""
    keys = pl.concat(key_chunks)
    repeated = keys.select(pl.struct(list(meta.key)).is_duplicated()).to_series()
    column = ", ".join(meta.key)
    kept = [f for f in failures if not (f.column == column and f.rule.startswith("unique"))]
    return kept + _rows_failure(
        meta.name,
        column,
        "unique: the key appears more than once",
        repeated,
        first_row,
        keys.get_column(meta.key[0]),
    )


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
            yield (
                df,
                unit,
                first_row,
                (failures + check_rules(table, df, first_row, unparsed)) if check else [],
            )

    return _import(engine, table, chunks, source=path.name)


def import_frame(
    engine: Engine, table: str, df: pl.DataFrame, source: str, unit: str = "row", first_row: int = 1
) -> ImportResult:
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
            conn.execute(
                db.IMPORT_LOG.insert().values(
                    table_name=table, imported_at=now, row_count=0, source=source[:200]
                )
            )
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
                db.IMPORT_LOG.update()
                .where(db.IMPORT_LOG.c.imported_at == now)
                .where(db.IMPORT_LOG.c.table_name == table)
                .values(row_count=rows)
            )
            store.after_import(conn, table, [t for t in touched if t is not None], was_current)
    except db.DatabaseError as exc:
        if any(words in str(exc).lower() for words in _UNIQUE_VIOLATION):
            column = ", ".join(meta.key) if meta.key else "(table)"
            raise ValidationFailed(
                table,
                [
                    Failure(
                        table,
                        column,
                        "key already in the database (stored by another import meanwhile)",
                        (),
                        rows,
                    )
                ],
                unit,
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
