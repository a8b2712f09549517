"""Every source gives the in-memory path's numbers on every backend, and
what the pushdown source moves does not grow with orders."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from compare import kpi_mismatches

from purpose_metrics import reading
from purpose_metrics.metrics import Filters, kpi_frame
from purpose_metrics.periods import Periods
from purpose_metrics.sources.pushdown import fact_frames

CASES = [
    (Periods(dt.date(2026, 3, 2), dt.date(2026, 3, 9)), Filters()),
    (Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1)), Filters()),
    (Periods(dt.date(2025, 1, 6), dt.date(2026, 3, 2), "week"), Filters()),
    (Periods(dt.date(2025, 1, 1), dt.date(2026, 7, 1), "month"), Filters()),
    (
        Periods(dt.date(2025, 1, 6), dt.date(2025, 7, 7), "week"),
        Filters(channel=("web", "app"), region=("north",), customer_purpose=("gift",)),
    ),
]


@pytest.fixture
def loaded(example_engine):
    return example_engine


@pytest.mark.parametrize("mode", ["pushdown", "store"])
def test_every_source_equals_in_memory_metric_by_metric(loaded, mode):
    ds = reading.load_dataset(loaded, mode="memory")
    other = reading.load_dataset(loaded, mode=mode)
    assert other.source.name == mode
    for periods, filters in CASES:
        in_memory = kpi_frame(ds, periods, filters=filters)
        got = kpi_frame(other, periods, filters=filters)
        assert got.height == in_memory.height == len(periods.starts()) * 5 * 38
        assert kpi_mismatches(in_memory, got) == []


def test_pushdown_transfers_facts_not_orders(example_duck):
    """What comes back grows with scopes x periods: the same period on the
    same data gives the same bytes whatever the number of orders in it."""
    duck = example_duck
    week = Periods(dt.date(2026, 3, 2), dt.date(2026, 3, 9))
    quarter = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    queries = ["orders", "customer_surveys", "support_tickets", "marketing_messages"]
    with duck.connect() as conn:
        _, week_bytes = fact_frames(conn, week, Filters(), queries)
        _, quarter_bytes = fact_frames(conn, quarter, Filters(), queries)
    orders = reading.load_dataset(duck, mode="memory")["orders"].collect()
    in_quarter = orders.filter(
        pl.col("ordered_at").is_between(dt.datetime(2025, 10, 1), dt.datetime(2026, 1, 1), closed="left")
    ).height
    in_week = orders.filter(
        pl.col("ordered_at").is_between(dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 9), closed="left")
    ).height
    assert in_quarter > 5 * in_week  # many more orders in the quarter ...
    assert quarter_bytes <= 1.5 * week_bytes  # ... but about the same facts
