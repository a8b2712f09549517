"""Validation and import: typed chunks -> every rule -> one transaction.

parsing.py reads a file into typed chunks (a value that does not parse is a
"type" failure on its row). Each chunk then goes through the rules of
rules.py: the table's Pandera model (lazy: all failures at once), then the
rules that need the database (keys already stored, references). Only when nothing
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

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db, store
from .contract import TABLES, Table
from .errors import MAX_ROWS_SHOWN, Failure, ValidationFailed
from .parsing import file_failure, typed_chunks
from .rules import _rows_failure, check_against_database, check_rules

__all__ = ["Failure", "ValidationFailed", "import_file", "import_folder", "load_file"]


# --- import -------------------------------------------------------------------------------


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
    db.refuse_unverified_writes(engine, "an import")
    meta = TABLES[table]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if table in store.TRACKED:
        with engine.connect() as conn:
            has_store = sa.inspect(conn).has_table("store_state")
        if not has_store:  # a database made by an older version
            store.ensure_schema(engine)
    optional = {c.name for c in meta.columns if c.optional}
    if optional:
        with engine.connect() as conn:
            lacking = optional - set(db.stored_columns(conn, table))
        if lacking:  # a database made before these columns joined the contract
            db.create_schema(engine)
    rows, unit = 0, "row"
    try:
        with _import_lock(engine), engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Conflicts with itself only: imports queue, reads go on.
                conn.exec_driver_sql("LOCK TABLE import_log IN SHARE ROW EXCLUSIVE MODE")
            if conn.dialect.name == "duckdb":
                # Sorts and joins of the store spill to disk beyond this, so an
                # import of ten million orders stays within a few GB.
                conn.exec_driver_sql(f"SET memory_limit = '{db.import_memory()}'")
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
