"""Where the facts of the large tables come from: one seam, three sources.

The engine (metrics/engine.py, metrics/cohorts.py), the views and the
exports ask a Dataset's FactSource three things, and never which source
they hold:

- `facts(periods, filters, groups)`: per (scope, period) facts of the
  groups asked for (orders, customers, surveys, tickets, messages; see
  metrics/facts.py), one frame per part, keyed by scope and period_start;
- `cohort_cells(grain, scopes, since)`: the cells and sizes of the cohorts
  from `since` on (all when None);
- `distinct(table, column)`: the values a filter offers;
- `driver_counts(period, scopes)`: the drivers' anchors of a period
  counted per (scope, driver) (metrics/drivers.py COUNTS_SCHEMA): by the
  database for the store and pushdown sources (sql/drivers/counts.sql),
  in Polars for the memory source;
- `driver_inputs(period)`: the rows the drivers of a period read in Polars
  (orders of [from, to + 90 days), the anchors' surveys and tickets);
- `ticket_rows(period, brand)`: a brand's tickets of a period with their
  order's channel (the front-line brief).

Sources:
- **store** (sources/store.py): the fact store, maintained at import
  (store/). The default whenever it is current: pages read facts and
  customer sets, never raw orders.
- **pushdown** (sources/pushdown.py): the database aggregates the raw tables
  with the SQL of sql/facts/. For a database whose store is not current and
  that is too large to read.
- **memory** (sources/memory.py): the raw rows in Polars. Tests, tiny data,
  and small databases whose store is not current.

`open_source(engine, mode)` chooses, from `PURPOSE_METRICS_MODE` (or the
CLI's `--mode`): store, pushdown, memory, or auto (the default: the store
when it is current; else pushdown for a server database holding at least
AUTO_PUSHDOWN_ORDERS orders; else memory). Choosing reads; it never writes.
An engine not verified here (any SQLAlchemy dialect but DuckDB's, SQLite's
and PostgreSQL's) is read in pushdown mode only (auto chooses it).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Protocol

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .. import connections, db
from ..errors import UsageError
from ..metrics.dataset import Filters
from ..periods import Grain, Periods

if TYPE_CHECKING:
    from ..metrics.drivers import DriverInputs

Mode = Literal["store", "pushdown", "memory"]
MODES = ("auto", "store", "pushdown", "memory")
MODE_ENV = "PURPOSE_METRICS_MODE"
# In auto mode, a server database with a stale store and at least this many
# orders is aggregated where it is (pushdown) rather than read.
AUTO_PUSHDOWN_ORDERS = 2_000_000
_EMBEDDED = ("duckdb", "sqlite")


class FactSource(Protocol):
    name: str

    def facts(self, periods: Periods, filters: Filters, groups: Sequence[str]) -> list[pl.LazyFrame]: ...

    def cohort_cells(
        self, grain: Grain, scopes: Sequence[str], since: dt.date | None = None
    ) -> tuple[pl.LazyFrame | pl.DataFrame, ...]: ...

    def distinct(self, table: str, column: str) -> list[str]: ...

    def driver_inputs(self, period: Periods) -> DriverInputs: ...

    def driver_counts(self, period: Periods, scopes: Sequence[str]) -> pl.DataFrame: ...

    def ticket_rows(self, period: Periods, brand: str) -> pl.LazyFrame: ...


def database_ticket_rows(engine: Engine, period: Periods, brand: str) -> pl.LazyFrame:
    """A brand's tickets of a period with their order's channel, read from the database."""
    from .. import reading

    try:
        with connections.connect(engine) as conn:
            return reading.ticket_rows(conn, period, brand)
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc


def database_driver_inputs(engine: Engine, period: Periods) -> DriverInputs:
    """The drivers' rows read from the database (every source that has one)."""
    from .. import reading

    try:
        with connections.connect(engine) as conn:
            return reading.driver_inputs(conn, period)
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc


def database_driver_counts(
    engine: Engine, period: Periods, scopes: Sequence[str], *, stored: bool = False
) -> pl.DataFrame:
    """The drivers' counts, counted by the database (sources/pushdown.py
    `driver_counts`): from the tables (pushdown), or from the fact store
    when it holds them on the period's days (`stored`: the store source),
    or on Spark from the order_history Spark keeps when it is current and
    cut in the period's zone (spark/history.py)."""
    from ..spark import history, is_spark
    from ..store.state import store_zone
    from .pushdown import driver_counts

    try:
        with connections.connect(engine) as conn:
            if is_spark(conn):
                stored = history.drivers_current(conn, period.zone)
            else:
                stored = stored and store_zone(conn) == period.zone
            return driver_counts(conn, period, scopes, stored=stored)
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc


def requested_mode(value: str | None = None) -> str:
    """The mode asked for: `value`, else $PURPOSE_METRICS_MODE, else auto."""
    mode = (value or os.environ.get(MODE_ENV) or "auto").strip().lower()
    if mode not in MODES:
        raise UsageError(
            f"unknown mode {mode[:40]!r} (choose {', '.join(MODES)}; from --mode or ${MODE_ENV})"
        )
    return mode


def order_count(conn: sa.Connection) -> int:
    """The number of orders; PostgreSQL's planner estimate when it has one
    (a COUNT(*) over a warehouse table would read it)."""
    if conn.dialect.name == "postgresql":
        estimate = conn.execute(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('orders')")
        ).scalar()
        if estimate is not None and estimate >= 0:
            return int(estimate)
    return int(conn.execute(sa.select(sa.func.count()).select_from(db.SA_TABLES["orders"])).scalar_one())


def choose(conn: sa.Connection, requested: str | None = None) -> tuple[Mode, bool]:
    """(the mode to use, whether the fact store is current) for this database.

    The fact store's days are local to the zone the company had when it was
    made: it is current only while the company's zone (`zone`) is still
    that one (an import of the company rebuilds it). Pushdown cuts any
    local periods in the database: without a current store, auto picks it
    for a large order book (on an embedded file, when its customer history
    is current; else memory computes the history from the rows)."""
    from ..store import is_current

    mode = requested_mode(requested)
    if not db.is_verified(conn.dialect.name):
        # Another SQLAlchemy dialect: the database aggregates, with the SQL
        # carried to it by sqlglot; no store is read or kept there.
        if mode in ("auto", "pushdown"):
            return "pushdown", False
        raise db.DatabaseError(
            f"{conn.dialect.name} is not verified here ({db.VERIFIED_NAMES} are): it is read in pushdown "
            f"mode only, not in {mode} mode (set {MODE_ENV}=pushdown or pass --mode pushdown)"
        )
    current = is_current(conn)
    if mode == "store" and not current:
        raise db.DatabaseError(
            "the fact store is not current for these tables (data loaded by other means, an older "
            "version, or another time zone): run `purpose-metrics refresh` to build it, or choose another mode"
        )
    if mode != "auto":
        return mode, current  # type: ignore[return-value]
    if current:
        return "store", True
    if order_count(conn) >= AUTO_PUSHDOWN_ORDERS and (
        conn.dialect.name not in _EMBEDDED or is_current(conn, ["orders"], days_too=False)
    ):
        return "pushdown", False
    return "memory", False


def open_source(
    engine: Engine,
    mode: Mode,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    conn: sa.Connection | None = None,
) -> FactSource:
    """The source of a chosen mode. Memory reads the large tables' rows now
    (only [start, end) when given), through `conn` when one is open."""
    if mode == "store":
        from .store import StoreSource

        return StoreSource(engine)
    if mode == "pushdown":
        from .pushdown import PushdownSource

        return PushdownSource(engine)
    from .. import reading
    from .memory import MemorySource

    if conn is None:
        with connections.connect(engine) as own:
            return MemorySource(reading.read_large_tables(own, start, end), engine)
    return MemorySource(reading.read_large_tables(conn, start, end), engine)
