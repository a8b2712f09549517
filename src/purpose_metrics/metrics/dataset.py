"""The inputs of the engine: one LazyFrame per table, plus the as-of instant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from ..contract import TABLES

if TYPE_CHECKING:
    from ..modes import PushdownSource


def empty(table: str) -> pl.LazyFrame:
    return pl.LazyFrame(schema=TABLES[table].polars_schema)


@dataclass(frozen=True)
class Filters:
    """Segment filters. None means no filter; a tuple keeps those values.

    channel applies to orders; region and segment to everything linked to a
    customer (orders, customer surveys, tickets, messages: guests drop out);
    customer_purpose to customer survey metrics.
    """

    channel: tuple[str, ...] | None = None
    region: tuple[str, ...] | None = None
    segment: tuple[str, ...] | None = None
    customer_purpose: tuple[str, ...] | None = None

    @property
    def by_customer(self) -> bool:
        return self.region is not None or self.segment is not None

    def is_empty(self) -> bool:
        return not (self.channel is not None or self.by_customer or self.customer_purpose is not None)

    def describe(self) -> str:
        parts = [
            f"{name}: {', '.join(values) or 'none'}"
            for name, values in (
                ("channel", self.channel),
                ("region", self.region),
                ("segment", self.segment),
                ("customer purpose", self.customer_purpose),
            )
            if values is not None
        ]
        return "; ".join(parts) or "no filters"


@dataclass
class Dataset:
    """Every table as a LazyFrame typed by the contract.

    `as_of` is the latest ordered_at of any order (cancelled included): the
    same for every scope (SPEC section 2).

    In pushdown mode (`source` set) the large tables are not in `frames`:
    `kpi_frame` and `cohorts` ask the source's database for facts, and
    asking for such a table here is an error rather than an empty frame.
    """

    frames: dict[str, pl.LazyFrame] = field(default_factory=dict)
    as_of: dt.datetime | None = None
    # The first order ever placed (the frames may hold only a range of them).
    first_order_at: dt.datetime | None = None
    # [start, end) of the ranged tables when only part was read; None: all.
    loaded_range: tuple[dt.datetime | None, dt.datetime | None] | None = None
    _history: pl.DataFrame | None = field(default=None, repr=False)
    # Set in pushdown mode: the database that computes the facts.
    source: PushdownSource | None = field(default=None, repr=False)

    def __getitem__(self, table: str) -> pl.LazyFrame:
        if table not in self.frames and self.source is not None:
            raise LookupError(f"{table} is not read in pushdown mode: its facts come from the database")
        return self.frames.get(table, empty(table))

    def distinct(self, table: str, column: str) -> list[str]:
        """The non-NULL values a column takes, sorted (from the database in
        pushdown mode when the table is not read)."""
        if table not in self.frames and self.source is not None:
            return self.source.distinct(table, column)
        values = self[table].select(pl.col(column).drop_nulls().unique()).collect().get_column(column)
        return sorted(str(v) for v in values.to_list())

    @property
    def brand_ids(self) -> list[str]:
        return sorted(self["brands"].select("brand_id").collect().get_column("brand_id").to_list())

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame | pl.LazyFrame]) -> Dataset:
        lazy = {k: (v.lazy() if isinstance(v, pl.DataFrame) else v) for k, v in frames.items()}
        ds = cls(lazy)
        ds.as_of = ds["orders"].select(pl.col("ordered_at").max()).collect().item()
        ds.first_order_at = ds["orders"].select(pl.col("ordered_at").min()).collect().item()
        return ds

    def order_history(self) -> pl.DataFrame:
        """Completed orders with each customer's order sequence, computed once.

        Grain: one row per completed order. Adds, for company scope (`_c`)
        and brand scope (`_b`): `seq` (1 for the customer's first completed
        order in scope, by (ordered_at, order_id)) and `next_at` (when their
        next one in scope was placed). Guests have NULLs.
        """
        if self._history is None:
            orders = self["orders"]  # raises in pushdown mode: cohorts go to the source
            if "seq_c" in orders.collect_schema().names():  # read with its materialised history
                if "status" in orders.collect_schema().names():
                    orders = orders.filter(pl.col("status") == "completed").drop("status")
                self._history = orders.collect()
            else:
                self._history = order_history(orders).collect()
        return self._history


def _sequence(lf: pl.LazyFrame, keys: list[str], suffix: str) -> pl.LazyFrame:
    """Add seq{suffix} and next_at{suffix} within `keys`, by (ordered_at, order_id).

    Sorted once, a group's rows are contiguous: the sequence is the row's
    distance from its group's first row, the next order is the next row when
    it belongs to the same group. (Plain arithmetic on sorted data; window
    expressions `.over(...)` hash every row and cost several times more.)
    """
    same_as_previous = pl.all_horizontal([pl.col(k) == pl.col(k).shift(1) for k in keys]).fill_null(False)
    same_as_next = pl.all_horizontal([pl.col(k) == pl.col(k).shift(-1) for k in keys]).fill_null(False)
    row = pl.int_range(pl.len(), dtype=pl.UInt32)
    group_start = pl.when(~same_as_previous).then(row).forward_fill()
    return lf.sort(*keys, "ordered_at", "order_id").with_columns(
        (row - group_start + 1).alias(f"seq{suffix}"),
        pl.when(same_as_next).then(pl.col("ordered_at").shift(-1)).alias(f"next_at{suffix}"),
    )


def order_history(orders: pl.LazyFrame) -> pl.LazyFrame:
    completed = orders.filter(pl.col("status") == "completed").drop("status")
    known = completed.filter(pl.col("customer_id").is_not_null())
    known = _sequence(known, ["customer_id"], "_c")
    known = _sequence(known, ["customer_id", "brand_id"], "_b")
    guests = completed.filter(pl.col("customer_id").is_null())
    return pl.concat([known, guests], how="diagonal")
