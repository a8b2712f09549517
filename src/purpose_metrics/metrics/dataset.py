"""The inputs of the engine: the small tables as frames, a FactSource for
the large ones, and the as-of instant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from ..contract import TABLES

if TYPE_CHECKING:
    from ..calendars import Calendar
    from ..sources import FactSource

# Tables whose size grows with orders and customers: a FactSource answers
# for them (sources/). The others are small and every Dataset holds them.
LARGE_TABLES = ("orders", "customers", "customer_surveys", "support_tickets", "marketing_messages")


def empty(table: str) -> pl.LazyFrame:
    return pl.LazyFrame(schema=TABLES[table].polars_schema)


# A filter value for "the attribute is unknown": guests, customers not on
# file and customers whose region or segment is NULL; for customer purpose, a
# response that states none. Shown (and written in links) as UNKNOWN_LABEL.
UNKNOWN = None
UNKNOWN_LABEL = "Unknown / guest"


def value_label(value: str | None) -> str:
    """How a filter value reads on the page and in a link."""
    return UNKNOWN_LABEL if value is UNKNOWN else value


@dataclass(frozen=True)
class Filters:
    """Segment filters. None means no filter; a tuple keeps those values,
    UNKNOWN (None) among them keeping the rows whose value is NULL.

    channel applies to orders; region and segment to everything linked to a
    customer (orders, customer surveys, tickets, messages), UNKNOWN keeping
    guests and customers without the attribute; customer_purpose to
    customer survey metrics, UNKNOWN keeping responses that state none. So
    every value selected, UNKNOWN included, keeps every row: the same
    numbers as no filter.
    """

    channel: tuple[str, ...] | None = None
    region: tuple[str | None, ...] | None = None
    segment: tuple[str | None, ...] | None = None
    customer_purpose: tuple[str | None, ...] | None = None

    @property
    def by_customer(self) -> bool:
        return self.region is not None or self.segment is not None

    def is_empty(self) -> bool:
        return not (self.channel is not None or self.by_customer or self.customer_purpose is not None)

    def leaving_out_unknown(self) -> list[str]:
        """The filters (region, segment, customer_purpose) whose choice
        leaves out the rows with no value."""
        return [
            name
            for name in ("region", "segment", "customer_purpose")
            if (values := getattr(self, name)) is not None and UNKNOWN not in values
        ]

    def describe(self) -> str:
        parts = [
            f"{name}: {', '.join(value_label(v) for v in values) or 'none'}"
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
    """What the engine reads: frames of the tables it holds, typed by the
    contract, and a FactSource for the large tables.

    `as_of` is the latest ordered_at of any order (cancelled included): the
    same for every scope (docs/metrics.md, As-of). Built from frames alone
    (`from_frames`, the tests' way), the Dataset's source is those frames
    in memory; read from a database (`reading.load_dataset`), it holds the
    small tables and the source chosen for that database. Asking a Dataset
    whose source is not in memory for a large table is an error, never an
    empty frame.
    """

    frames: dict[str, pl.LazyFrame] = field(default_factory=dict)
    as_of: dt.datetime | None = None
    # The first order ever placed.
    first_order_at: dt.datetime | None = None
    source: FactSource = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.source is None:
            from ..sources.memory import MemorySource

            self.source = MemorySource(self.frames)

    def __getitem__(self, table: str) -> pl.LazyFrame:
        if table in self.frames:
            return self.frames[table]
        if table in LARGE_TABLES and self.source.name != "memory":
            raise LookupError(f"{table} is not read here: its facts come from the {self.source.name} source")
        return empty(table)

    def distinct(self, table: str, column: str) -> list[str]:
        """The non-NULL values a column takes, sorted."""
        if table in LARGE_TABLES:
            return self.source.distinct(table, column)
        values = self[table].select(pl.col(column).drop_nulls().unique()).collect().get_column(column)
        return sorted(str(v) for v in values.to_list())

    @property
    def timezone(self) -> str | None:
        """The company's IANA time zone (None: UTC; docs/metrics.md#local-time)."""
        company = self["company"]
        if "timezone" not in company.collect_schema().names():
            return None
        zones = company.select(pl.col("timezone").drop_nulls()).collect().get_column("timezone")
        return zones[0] if len(zones) else None

    @property
    def calendar(self) -> Calendar:
        """The company's calendar of weeks and months (iso when NULL or
        absent; docs/metrics.md#local-time-and-calendars)."""
        from ..calendars import calendar

        company = self["company"]
        if "calendar" not in company.collect_schema().names():
            return calendar(None)
        names = company.select(pl.col("calendar").drop_nulls()).collect().get_column("calendar")
        return calendar(names[0] if len(names) else None)

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
