"""The customers' order history, kept in a Spark warehouse.

Pushdown reads compute each customer's history (facts/orders.sql joins it
as `h`) with window functions over the whole order book, on every query,
unless a table holds it already. On Spark that sort is most of a view's
time, so Spark keeps the table itself: after an import that replaced one
of the tables it is made from (load.py), and on `purpose-metrics refresh`
(data loaded by other means), Spark SQL builds `order_history`: the fact
store's table, with its columns and numbering (sql/store/schema.sql), from
the fact store's own SQL (sql/store/history_insert.part.sql, rendered for
PostgreSQL and carried to Spark SQL by sqlglot, transpile.py). It is
written as Parquet and swapped in whole as an import's tables are
(load.swap_in): a reader never sees half of it.

Which data it was built from is a marker in its folder (`MARKER`, written
after the swap; Spark skips files whose names start with `_`): the
generation of each source table's folder (its data files' names, sizes and
times: Spark names each file it writes anew) and of the history's own.
`is_current` is True only while every one still matches (the customer
facts ask of orders and customers; the drivers, reading its on_time,
answers and 90-day spend, of every source and the zone it was cut in:
`drivers_current`). A table rewritten by another tool, a history without
the marker or with an older one, and a warehouse not in a folder here are
not current: reads fall back to the window query (drivers: to
sql/drivers/counts.sql) until the next import or refresh. Through Spark
Connect it is not kept at all: an import builds nothing, `refresh` says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from .. import db, sqltext, transpile

HISTORY = "order_history"
MARKER = "_pm_built_from.json"
# Bump when what is built, or how, changes: an older history is then not current.
VERSION = 1
# The tables the history is made from: the orders, the known customers,
# the drivers' answers (surveys, tickets) and the company's zone (on_time).
SOURCES = ("orders", "customers", "customer_surveys", "support_tickets", "company")
# What the customer facts read from it (facts/orders.sql): numbering only.
FACT_SOURCES = ("orders", "customers")


def generation(folder: Path) -> str | None:
    """A fingerprint of a table folder's data files (None when there is no
    folder): any rewrite by Spark names new files."""
    if not folder.is_dir():
        return None
    files = sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    )
    return hashlib.sha256(repr(files).encode()).hexdigest()[:32]


def _generations(location: Path, tables: Iterable[str]) -> dict[str, str | None]:
    return {t: generation(location / t) for t in tables}


def read_marker(location: Path) -> dict | None:
    try:
        marker = json.loads((location / HISTORY / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and marker.get("version") == VERSION else None


def _spark_connection(conn: Connection):
    """The DB-API SparkConnection under a SQLAlchemy connection (None when
    its tables are not in a warehouse folder here)."""
    dbapi = conn.connection.dbapi_connection
    where = getattr(dbapi, "where", None)
    return dbapi if where is not None and not where.is_connect else None


def is_current(conn: Connection, tables: Sequence[str] = FACT_SOURCES) -> bool:
    """Whether the warehouse's order_history was built from `tables` as they
    are now (and is itself as it was built); then it is registered in this
    process's catalog for the reads."""
    spark = _spark_connection(conn)
    if spark is None:
        return False
    location = spark.where.location
    marker = read_marker(location)
    if marker is None:
        return False
    now = _generations(location, [*tables, HISTORY])
    if any(now[t] is None or marker["built_from"].get(t) != now[t] for t in tables):
        return False
    if marker.get("history") != now[HISTORY]:
        return False
    _register(spark)
    return True


def drivers_current(conn: Connection, zone: str | None) -> bool:
    """Whether the drivers may count from the history (pushdown.py
    `driver_counts`, stored): built from every source as it is now, its
    on_time cut in `zone`."""
    spark = _spark_connection(conn)
    marker = None if spark is None else read_marker(spark.where.location)
    return marker is not None and marker.get("zone") == zone and is_current(conn, SOURCES)


def _register(spark) -> None:
    from .catalog import quoted

    spark._run(
        f"CREATE TABLE IF NOT EXISTS {HISTORY} USING parquet LOCATION {quoted(spark.where.location / HISTORY)}"
    )


def columns() -> list[tuple[str, str]]:
    """(name, Spark SQL type) of the store's order_history (sql/store/schema.sql)."""
    from sqlglot import exp, parse_one

    for statement in sqltext.statements(sqltext.render("store/schema.sql", {"binary": "BYTEA"})):
        if re.match(rf"CREATE TABLE IF NOT EXISTS {HISTORY}\b", statement):
            create = parse_one(statement, read=transpile.SOURCE)
            return [(c.name, c.args["kind"].sql("spark")) for c in create.find_all(exp.ColumnDef)]
    raise LookupError(f"sql/store/schema.sql defines no {HISTORY}")  # pragma: no cover


def build_sql(days) -> tuple[str, list[str], str]:
    """(the numbered orders' query, order_history's columns, its rows'
    query) in Spark SQL: store/history_insert.part.sql over every known
    customer, its temporary table and INSERT taken apart."""
    from ..store import maintain

    text = sqltext.render(
        "store/history_insert.part.sql",
        maintain.history_snippets(days) | {"customers": maintain.EVERY_CUSTOMER},
    )
    create, insert, _drop = sqltext.statements(text)
    placed = re.fullmatch(r"CREATE TEMP TABLE _pm_placed AS\s+(.*)", create, re.S)
    rows = re.fullmatch(rf"INSERT INTO {HISTORY} \(([^)]*)\)\s+(.*)", insert, re.S)
    if placed is None or rows is None:  # pragma: no cover - the SQL file's shape
        raise ValueError("store/history_insert.part.sql is not CREATE TEMP TABLE ...; INSERT INTO ...")
    names = [c.strip() for c in rows.group(1).split(",")]
    return transpile.transpile(placed.group(1), "spark"), names, transpile.transpile(rows.group(2), "spark")


def build(engine: Engine) -> int:
    """Build order_history in the warehouse from its tables now, swap it in,
    then write the marker. Returns its rows. A failure is a DatabaseError
    (the history left as it was, or without its marker: reads fall back)."""
    from .dbapi import Error

    if engine.url.get_backend_name() == "sc":
        raise db.DatabaseError(
            f"{HISTORY} is not kept through Spark Connect (its marker and its swap need the warehouse as a "
            "folder here): the customer facts are computed by each query, and there is nothing to refresh"
        )
    try:
        return _build(engine)
    except Error as exc:
        raise db.DatabaseError(f"could not build {HISTORY} on Spark: {exc}") from None


def _build(engine: Engine) -> int:
    from pyspark.sql import functions as F

    from ..store.maintain import store_days
    from .load import swap_in

    with engine.connect() as conn:
        days = store_days(conn, sqltext.Dialect("postgresql"))  # the company's zone, over the data's span
    raw = engine.raw_connection()
    try:
        spark = raw.dbapi_connection
        location = spark.where.location
        # Taken before reading: a source replaced meanwhile leaves the marker stale, never wrong.
        built_from = _generations(location, SOURCES)
        placed, names, rows = build_sql(days)
        spark._run(f"CACHE TABLE _pm_placed AS {placed}")
        try:
            frame = spark.spark.sql(rows).toDF(*names)
            types = dict(columns())
            typed = frame.select(*[F.col(n).cast(types[n]).alias(n) for n in names])
            swap_in(spark, HISTORY, typed)
        finally:
            spark._run("UNCACHE TABLE IF EXISTS _pm_placed")
            spark._run("DROP VIEW IF EXISTS _pm_placed")
        _register(spark)
        spark._run(f"REFRESH TABLE {HISTORY}")
        count = int(spark._run(f"SELECT COUNT(*) FROM {HISTORY}").column(0)[0].as_py())
        marker = {"version": VERSION, "built_from": built_from, "zone": days.zone,
                  "history": generation(location / HISTORY)}  # fmt: skip
        scratch = location / HISTORY / f"_{MARKER}.tmp"
        scratch.write_text(json.dumps(marker, indent=1, sort_keys=True))
        scratch.rename(location / HISTORY / MARKER)
    finally:
        raw.close()
    return count


def after_load(engine: Engine, tables: Sequence[str]) -> int | None:
    """After an import replaced `tables`: rebuild the history when one of
    them is a source of it (its rows; None when nothing was built)."""
    if not set(tables) & set(SOURCES) or engine.url.get_backend_name() == "sc":
        return None  # (through Spark Connect it is not kept: build)
    return build(engine)
