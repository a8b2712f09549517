"""Which of the contract's tables a Spark database holds.

On spark+local:// and spark:// the catalog lives in this process and is
rebuilt from the warehouse folder (`register_tables`, on each connection):
each folder at `<warehouse>/<database>.db/<table>` named for a table of the
contract is registered as a Parquet table. A folder of Parquet files is
registered with the schema Spark reads from its files, whoever wrote them
(our importer, or another tool: a Spark job's `write.parquet`, a
`saveAsTable` of a Spark with no metastore, Polars or DuckDB writing Spark's
layout); an empty folder (`purpose-metrics init`) with the contract's
columns. On sc:// the server's catalog holds whatever tables it holds.

A database loaded by other means (an existing catalog) may lack a table or
a column of the contract. Spark's own error names only the first thing it
could not resolve, in its terms; when a statement fails that way,
`contract_problems` names every table and column the contract wants and the
database lacks, for one line the CLI prints with exit 2 (dbapi.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..contract import TABLES

# The contract's column types in Spark SQL.
SPARK_TYPES = {"id": "BIGINT", "int": "INT", "text": "STRING", "num": "DOUBLE", "bool": "BOOLEAN",
               "date": "DATE", "ts": "TIMESTAMP"}  # fmt: skip
# Spark's errors for a table or a column it cannot find.
_UNRESOLVED = re.compile(
    r"\[(TABLE_OR_VIEW_NOT_FOUND|UNRESOLVED_COLUMN[.\w]*|UNRESOLVED_USING_COLUMN_FOR_JOIN|FIELD_NOT_FOUND)\]"
)
_MISSING_TABLE = re.compile(r"The table or view `?([\w.`]+?)`? cannot be found")


def columns_sql(table: str) -> str:
    """The contract's columns of `table` as Spark SQL declares them."""
    return ", ".join(f"`{c.name}` {SPARK_TYPES[c.type]}" for c in TABLES[table].columns)


def quoted(path: Path) -> str:
    """A path as a Spark SQL string literal."""
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def register_tables(conn) -> None:
    """Make the contract's tables found in the database's folder known to
    this process's catalog (dbapi.connect calls it on connecting)."""
    location = conn.where.location
    if not location.is_dir():
        return
    here = [p.name for p in location.iterdir() if p.is_dir() and p.name in TABLES]
    if not here:
        return
    known = {str(n).lower() for n in conn._run("SHOW TABLES").column("tableName").to_pylist()}
    for name in here:
        if name not in known:
            register(conn, name)


def register(conn, name: str) -> None:
    """Register the folder of table `name` (see the module's docstring)."""
    path = conn.where.location / name
    # (Spark's listing passes over names starting with _ or ., as _SUCCESS.)
    files = any(f.is_file() and not f.name.startswith(("_", ".")) for f in path.rglob("*"))
    declared = "" if files else f" ({columns_sql(name)})"
    conn._run(f"CREATE TABLE IF NOT EXISTS {name}{declared} USING parquet LOCATION {quoted(path)}")


def is_unresolved(message: str) -> bool:
    """Whether Spark's error says it could not find a table of the contract
    or a column (another table missing, such as the audit log, is not the
    contract's concern)."""
    if not _UNRESOLVED.search(message):
        return False
    table = _MISSING_TABLE.search(message)
    return table is None or table[1].replace("`", "").split(".")[-1].lower() in TABLES


def contract_problems(spark) -> list[str]:
    """What the current database of a Spark session lacks of the contract:
    'no table T', 'T has no column C, D' (optional columns may be absent)."""
    have = {str(row["tableName"]).lower() for row in spark.sql("SHOW TABLES").toArrow().to_pylist()}
    problems = []
    for table in TABLES.values():
        if table.name not in have:
            problems.append(f"no table {table.name}")
            continue
        columns = {c.lower() for c in spark.table(table.name).columns}
        missing = [c.name for c in table.columns if not c.optional and c.name not in columns]
        if missing:
            problems.append(f"{table.name} has no column {', '.join(missing)}")
    return problems
