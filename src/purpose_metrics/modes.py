"""Where the metrics are computed: in memory, or pushed down to the database.

- **memory**: the tables are read into Polars frames (only the rows a view
  needs) and the engine aggregates them. Fast on an embedded database and
  for many filter changes over data already read.
- **pushdown**: the database aggregates the large tables (orders, customers,
  customer surveys, tickets, messages) into compact facts with the SQL of
  `sql/facts/`; only those facts and the small tables cross the wire, and
  Polars finishes the metrics with the same code. For a warehouse, or any
  database too large to read.
- **auto** (the default): pushdown for a server database whose orders table
  holds at least `AUTO_PUSHDOWN_ORDERS` rows; memory otherwise. An embedded
  DuckDB file stays in memory mode: DuckDB hands Arrow to Polars in-process,
  so reading costs little and filter changes stay fast.

Chosen by `PURPOSE_METRICS_MODE` (or the CLI's `--mode`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db
from .errors import UsageError

Mode = Literal["memory", "pushdown"]
MODES = ("auto", "memory", "pushdown")
MODE_ENV = "PURPOSE_METRICS_MODE"
# Orders at or above this many rows switch `auto` to pushdown on a server database.
AUTO_PUSHDOWN_ORDERS = 2_000_000
# Tables whose size grows with orders or customers: never read whole in pushdown mode.
LARGE_TABLES = ("orders", "customers", "customer_surveys", "support_tickets", "marketing_messages")
_EMBEDDED = ("duckdb",)


def requested_mode(value: str | None = None) -> str:
    """The mode asked for: `value`, else $PURPOSE_METRICS_MODE, else auto."""
    mode = (value or os.environ.get(MODE_ENV) or "auto").strip().lower()
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode[:40]!r} (choose {', '.join(MODES)}; from --mode or ${MODE_ENV})")
    return mode


def order_count(engine: Engine) -> int:
    """The number of orders; PostgreSQL's planner estimate when it has one
    (a COUNT(*) over a warehouse table would read it)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            estimate = conn.execute(
                sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('orders')")
            ).scalar()
            if estimate is not None and estimate >= 0:
                return int(estimate)
        return int(conn.execute(sa.select(sa.func.count()).select_from(db.SA_TABLES["orders"])).scalar_one())


def resolve_mode(engine: Engine, requested: str | None = None) -> Mode:
    """memory or pushdown for this database (see the module's docstring)."""
    mode = requested_mode(requested)
    if mode != "auto":
        return mode  # type: ignore[return-value]
    if engine.dialect.name in _EMBEDDED:
        return "memory"
    return "pushdown" if order_count(engine) >= AUTO_PUSHDOWN_ORDERS else "memory"


@dataclass(frozen=True)
class PushdownSource:
    """A Dataset's link to the database that computes its facts.

    The engine's entry points (`kpi_frame`, `cohorts`) hand their work to it
    when a Dataset carries one; `distinct` answers "which values does this
    column take" for tables that are not read.
    """

    engine: Engine
    brand_ids: tuple[str, ...]
    targets: pl.LazyFrame
    as_of: dt.datetime | None

    def kpi_frame(self, periods, scopes, metric_ids, filters) -> pl.DataFrame:
        from . import pushdown

        context = pushdown.Context(list(self.brand_ids), self.targets, self.as_of)
        return pushdown.kpi_frame_pushdown(self.engine, periods, scopes, metric_ids, filters, context=context)

    def cohorts(self, grain: str, scopes: Sequence[str] | None) -> pl.DataFrame:
        from . import pushdown

        return pushdown.cohorts_pushdown(self.engine, grain, scopes, as_of=self.as_of)  # type: ignore[arg-type]

    def distinct(self, table: str, column: str) -> list[str]:
        """The column's non-NULL values, sorted (one small query)."""
        t = db.SA_TABLES[table]
        query = sa.select(t.c[column]).where(t.c[column].is_not(None)).distinct().order_by(t.c[column])
        try:
            with self.engine.connect() as conn:
                return [str(v) for v in conn.execute(query).scalars()]
        except sa.exc.SQLAlchemyError as exc:
            raise db.DatabaseError(db.describe_db_error(exc)) from exc
