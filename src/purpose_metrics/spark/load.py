"""Loading a Spark warehouse: `purpose-metrics init` and `import FOLDER`.

The files are validated exactly as on every engine, by the importer itself
(validation.py: every rule, keys, references, one company row, target
windows), into a scratch DuckDB file; what passed goes to Parquet there and
Spark writes each table from it (its executors read the file, nothing
crosses py4j row by row). On Spark an import of a folder *replaces* each
table the folder holds a file for, and the folder is checked on its own (a
warehouse's load job brings a whole set): a folder of orders without their
customers fails the reference rule, as in an empty database.

Each table is replaced as atomically as a folder of files allows: Spark
writes the new files to a hidden folder beside the table's (`.<table>.new`;
Spark skips names starting with a dot), then two renames swap it in. A read
in between fails (no table) rather than seeing half a table.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine

from .. import db
from ..contract import TABLES

# The contract's column types in Spark SQL.
SPARK_TYPES = {"id": "BIGINT", "int": "INT", "text": "STRING", "num": "DOUBLE", "bool": "BOOLEAN",
               "date": "DATE", "ts": "TIMESTAMP"}  # fmt: skip


def _columns(table: str) -> str:
    return ", ".join(f"`{c.name}` {SPARK_TYPES[c.type]}" for c in TABLES[table].columns)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def register_tables(conn) -> None:
    """Make the contract's tables found in the database's folder known to
    this process's catalog (dbapi.SparkConnection calls it on connecting)."""
    location = conn.where.location
    if not location.is_dir():
        return
    here = [p.name for p in location.iterdir() if p.is_dir() and p.name in TABLES]
    if not here:
        return
    known = {str(n).lower() for n in conn._run("SHOW TABLES").column("tableName").to_pylist()}
    for name in here:
        if name not in known:
            _register(conn, name)


def _register(conn, name: str) -> None:
    path = conn.where.location / name
    conn._run(f"CREATE TABLE IF NOT EXISTS {name} ({_columns(name)}) USING parquet LOCATION {_quoted(path)}")


def write_table(conn, name: str, parquet: Path) -> None:
    """Replace table `name` by the rows of a Parquet file (typed by the contract)."""
    from pyspark.sql import functions as F

    frame = conn.spark.read.parquet(str(parquet))
    typed = frame.select(
        *[F.col(c.name).cast(SPARK_TYPES[c.type].lower()).alias(c.name) for c in TABLES[name].columns]
    )
    swap_in(conn, name, typed)
    _register(conn, name)
    conn._run(f"REFRESH TABLE {name}")


def swap_in(conn, name: str, frame) -> None:
    """Write a Spark DataFrame as the folder of table `name`, swapped in
    whole (`.<name>.new`, then two renames: the module's docstring)."""
    location = conn.where.location
    final, new, old = location / name, location / f".{name}.new", location / f".{name}.old"
    for stale in (new, old):
        shutil.rmtree(stale, ignore_errors=True)
    try:
        frame.write.parquet(str(new))
    except Exception as exc:
        raise db.DatabaseError(f"could not write {name} to Spark: {dbapi_first(exc)}") from None
    if final.exists():
        final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def dbapi_first(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def create_tables(engine: Engine) -> None:
    """The contract's tables the database lacks, empty (an empty folder:
    the table's columns are declared when it is registered)."""
    raw = engine.raw_connection()
    try:
        conn = raw.dbapi_connection
        for name in TABLES:
            if not (conn.where.location / name).is_dir():
                (conn.where.location / name).mkdir(parents=True)
                _register(conn, name)
    finally:
        raw.close()


def load(engine: Engine, folder: Path) -> list:
    """Validate the folder's files with the importer into a scratch DuckDB,
    then replace in Spark each table the folder holds a file for. Returns
    the importer's results (table, rows)."""
    from ..validation import import_folder

    raw = engine.raw_connection()  # the DB-API connection: the loader drives Spark itself
    try:
        with tempfile.TemporaryDirectory(prefix="pm-spark-load-") as tmp:
            scratch = db.make_engine(f"duckdb:///{tmp}/check.duckdb", create=True)
            try:
                db.create_schema(scratch)
                results = import_folder(scratch, folder)
                with scratch.connect() as duck:
                    for result in results:
                        columns = ", ".join(TABLES[result.table].column_names)
                        duck.exec_driver_sql(
                            f"COPY (SELECT {columns} FROM {result.table}) TO '{tmp}/{result.table}.parquet' "
                            "(FORMAT parquet)"
                        )
            finally:
                scratch.dispose()
            for result in results:
                write_table(raw.dbapi_connection, result.table, Path(tmp) / f"{result.table}.parquet")
    finally:
        raw.close()
    from . import history

    history.after_load(engine, [r.table for r in results])
    return results
