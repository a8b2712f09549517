"""The memory source: the large tables as Polars frames, aggregated here.

What a Dataset built from frames uses (the tests, the worked example, the
board pack of a tiny database), and what `reading.load_dataset` reads for a
small database whose fact store is not current: only the rows of the range
asked for, the customer history from the store when it is current and
computed in Polars when not (a read never writes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl
from sqlalchemy.engine import Engine

from ..calendars import Calendar
from ..metrics import drivers, facts
from ..metrics.cohorts import cohort_cells
from ..metrics.dataset import Filters, empty
from ..metrics.drivers import DriverInputs
from ..metrics.history import order_history
from ..periods import Grain, Periods


class MemorySource:
    name = "memory"

    def __init__(self, frames: Mapping[str, pl.LazyFrame], engine: Engine | None = None):
        self.frames = frames
        # The database the frames were read from (they may hold one range
        # only); None for frames given whole (the tests, the worked example).
        self.engine = engine
        self._history: pl.DataFrame | None = None

    def table(self, name: str) -> pl.LazyFrame:
        return self.frames.get(name, empty(name))

    def order_history(self) -> pl.DataFrame:
        """Completed orders, each with its place in its customer's history
        (seq_c, next_at_c, seq_b, next_at_b); computed once. Orders read
        with their stored history (reading.read_orders) keep it."""
        if self._history is None:
            orders = self.table("orders")
            names = orders.collect_schema().names()
            if "seq_c" in names:
                if "status" in names:
                    orders = orders.filter(pl.col("status") == "completed").drop("status")
                self._history = orders.collect()
            else:
                self._history = order_history(orders).collect()
        return self._history

    def facts(self, periods: Periods, filters: Filters, groups: Sequence[str]) -> list[pl.LazyFrame]:
        return facts.large_facts(self, periods, filters, groups)

    def cohort_cells(
        self, grain: Grain, scopes: Sequence[str], since: dt.date | None = None
    ) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        cells, sizes = cohort_cells(self.order_history().lazy(), grain, scopes)
        if since is None:
            return cells, sizes
        keep = pl.col("first_start") >= since
        return cells.filter(keep), sizes.filter(keep)

    def driver_inputs(self, period: Periods) -> DriverInputs:
        if self.engine is not None:  # a range read for other metrics: read the drivers' own
            from . import database_driver_inputs

            return database_driver_inputs(self.engine, period)
        return drivers.inputs_from_frames(
            {name: self.table(name) for name in ("orders", "customer_surveys", "support_tickets")}, period
        )

    def driver_counts(self, period: Periods, scopes: Sequence[str]) -> pl.DataFrame:
        """The drivers' counts in Polars, from the window's rows (driver_inputs)."""
        return drivers.count_drivers(self.driver_inputs(period), period, scopes)

    def ticket_rows(self, period: Periods, brand: str) -> pl.LazyFrame:
        if self.engine is not None:  # the frames may hold another range: ask the database
            from . import database_ticket_rows

            return database_ticket_rows(self.engine, period, brand)
        start, end = period.instant(period.start), period.instant(period.end)
        tickets = self.table("support_tickets").filter(
            (pl.col("brand_id") == brand) & (pl.col("opened_at") >= start) & (pl.col("opened_at") < end)
        )
        orders = self.table("orders").select("order_id", "channel")
        return tickets.join(orders, on="order_id", how="left").select(
            "customer_id", pl.col("resolved_at").is_not_null().alias("resolved"), "contacts", "channel"
        )

    def local_cohort_cells(
        self, grain: Grain, scopes: Sequence[str], since: dt.date | None, zone: str | None, cal: Calendar
    ) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        """cohort_cells on weeks (months) local to `zone`, cut by calendar `cal`."""
        cells, sizes = cohort_cells(self.order_history().lazy(), grain, scopes, zone, cal)
        if since is None:
            return cells, sizes
        keep = pl.col("first_start") >= since
        return cells.filter(keep), sizes.filter(keep)

    def distinct(self, table: str, column: str) -> list[str]:
        values = self.table(table).select(pl.col(column).drop_nulls().unique()).collect().get_column(column)
        return sorted(str(v) for v in values.to_list())
