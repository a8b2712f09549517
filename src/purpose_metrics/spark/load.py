"""Loading a Spark warehouse: `purpose-metrics init` and `import FOLDER`.

The files are validated exactly as on every engine, by the importer itself
(validation.py: every rule, keys, references, one company row, target
windows), into a scratch DuckDB file; what passed goes to Parquet in a
hidden folder of the warehouse (`.purpose-metrics-load-*`: a standalone
cluster's workers see the warehouse, not this machine's temporary folder)
and Spark writes each table from it (its executors read the file, nothing
crosses py4j row by row). On Spark an import of a folder *replaces* each
table the folder holds a file for, and the folder is checked on its own (a
warehouse's load job brings a whole set): a folder of orders without their
customers fails the reference rule, as in an empty database.

Each table is replaced as atomically as a folder of files allows: Spark
writes the new files to a hidden folder beside the table's (`.<table>.new`;
Spark skips names starting with a dot), then two renames swap it in. A read
in between fails (no table) rather than seeing half a table.

On Spark Connect (sc://) the tables are the server's: this process cannot
write into the server's warehouse, and the server cannot read this
machine's files. The validated rows go to the server as Arrow batches
(`createDataFrame`, some 250,000 rows at a time, so the client holds one
batch), appended to a staging table `_purpose_metrics_new_<table>` in the
URL's database, in the server's own table format (Parquet on Apache Spark,
Delta on Databricks); then the old table is dropped and the staging one
renamed to it. A read in between fails (no table), as above; a failed write
drops the staging table and leaves the old one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine

from .. import db
from ..contract import TABLES
from .catalog import SPARK_TYPES, columns_sql, register
from .session import first_line


def write_table(conn, name: str, parquet: Path) -> None:
    """Replace table `name` by the rows of a Parquet file (typed by the contract)."""
    if conn.where.is_connect:
        _send_table(conn, name, parquet)
        return
    frame = conn.spark.read.parquet(str(parquet))
    swap_in(conn, name, frame.selectExpr(*_typed(name)))
    register(conn, name)
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
        raise db.DatabaseError(f"could not write {name} to Spark: {first_line(exc)}") from None
    if final.exists():
        final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


# Rows sent to a Spark Connect server at a time.
UPLOAD_ROWS = 250_000


def _send_table(conn, name: str, parquet: Path) -> None:
    """Replace table `name` on a Spark Connect server by a Parquet file's rows (sent as Arrow)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    staging = f"_purpose_metrics_new_{name}"
    conn._run(f"DROP TABLE IF EXISTS {staging}")
    conn._run(f"CREATE TABLE {staging} ({columns_sql(name)})")
    try:
        for batch in pq.ParquetFile(parquet).iter_batches(batch_size=UPLOAD_ROWS):
            rows = conn.spark.createDataFrame(pa.Table.from_batches([batch]))
            rows.selectExpr(*_typed(name)).write.insertInto(staging)
    except Exception as exc:
        conn._run(f"DROP TABLE IF EXISTS {staging}")
        raise db.DatabaseError(f"could not write {name} to Spark: {first_line(exc)}") from None
    conn._run(f"DROP TABLE IF EXISTS {name}")
    conn._run(f"ALTER TABLE {staging} RENAME TO {name}")


def _typed(name: str) -> list[str]:
    """The contract's columns of `name`, each cast to its Spark type (SQL
    expressions: the same for a classic and a Spark Connect DataFrame)."""
    return [f"CAST(`{c.name}` AS {SPARK_TYPES[c.type]}) AS `{c.name}`" for c in TABLES[name].columns]


def create_tables(engine: Engine) -> None:
    """The contract's tables the database lacks, empty (an empty folder:
    the table's columns are declared when it is registered; on Spark
    Connect, a table of the server's)."""
    raw = engine.raw_connection()
    try:
        conn = raw.dbapi_connection
        for name in TABLES:
            if conn.where.is_connect:
                conn._run(f"CREATE TABLE IF NOT EXISTS {name} ({columns_sql(name)})")
                continue
            if not (conn.where.location / name).is_dir():
                (conn.where.location / name).mkdir(parents=True)
                register(conn, name)
    finally:
        raw.close()


def load(engine: Engine, folder: Path) -> list:
    """Validate the folder's files with the importer into a scratch DuckDB,
    then replace in Spark each table the folder holds a file for. Returns
    the importer's results (table, rows)."""
    from ..validation import import_folder

    raw = engine.raw_connection()  # the DB-API connection: the loader drives Spark itself
    conn = raw.dbapi_connection
    try:
        with tempfile.TemporaryDirectory(prefix="pm-spark-load-") as tmp:
            scratch = db.make_engine(f"duckdb:///{tmp}/check.duckdb", create=True)
            # Where Spark reads the validated rows from: a folder its executors
            # see (on Spark Connect, this process reads them and sends them).
            if conn.where.is_connect:
                out = Path(tempfile.mkdtemp(prefix="rows-", dir=tmp))
            else:
                out = Path(tempfile.mkdtemp(prefix=".purpose-metrics-load-", dir=conn.where.warehouse))
                out.chmod(0o755)  # (mkdtemp's is 0700: workers run as their own user)
            try:
                db.create_schema(scratch)
                results = import_folder(scratch, folder)
                with scratch.connect() as duck:
                    for result in results:
                        columns = ", ".join(TABLES[result.table].column_names)
                        target = str(out / f"{result.table}.parquet").replace("'", "''")
                        duck.exec_driver_sql(
                            f"COPY (SELECT {columns} FROM {result.table}) TO '{target}' (FORMAT parquet)"
                        )
                for result in results:
                    write_table(conn, result.table, out / f"{result.table}.parquet")
            finally:
                scratch.dispose()
                shutil.rmtree(out, ignore_errors=True)
    finally:
        raw.close()
    from . import history

    history.after_load(engine, [r.table for r in results])
    return results
