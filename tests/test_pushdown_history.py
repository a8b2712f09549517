"""Pushdown without a current order_history: each order's place in its
customer's history computed by window functions in the fact query
(sql/facts/order_history.part.sql) gives what the store's order_history
gives, on DuckDB, SQLite and PostgreSQL; and a database whose history is
stale (orders written behind the importer's back) reads in pushdown mode
with the numbers the in-memory path computes from the rows, writing
nothing."""

from __future__ import annotations

import datetime as dt

import polars as pl
from compare import kpi_mismatches

from purpose_metrics import reading
from purpose_metrics.metrics import Filters, kpi_frame
from purpose_metrics.metrics.dataset import UNKNOWN
from purpose_metrics.periods import Periods
from purpose_metrics.sources.pushdown import fact_frames, history_is_current

CASES = [
    (Periods(dt.date(2026, 3, 2), dt.date(2026, 3, 9)), Filters()),
    (Periods(dt.date(2025, 1, 6), dt.date(2026, 6, 22), "week"), Filters()),
    (
        Periods(dt.date(2025, 1, 1), dt.date(2026, 7, 1), "month"),
        Filters(channel=("web", "app"), region=("north", UNKNOWN)),
    ),
]
KEY = ["scope", "period_start"]


def _facts(conn, periods: Periods, filters: Filters, history: bool) -> pl.DataFrame:
    (part,), _ = fact_frames(conn, periods, filters, ["orders"], history)
    return part.collect().sort(KEY)


def test_the_history_from_the_query_equals_the_stored_one(example_engine):
    with example_engine.connect() as conn:
        assert history_is_current(conn)
        for periods, filters in CASES:
            stored, queried = (_facts(conn, periods, filters, h) for h in (True, False))
            assert stored.height > 0
            assert queried.select(KEY).rows() == stored.select(KEY).rows()
            for column in stored.columns:
                if column in KEY:
                    continue
                assert (queried[column] - stored[column]).abs().max() <= 1e-9 * max(  # sums in another order
                    1.0, stored[column].abs().max() or 0.0
                ), (periods, filters, column)


def test_a_stale_history_is_computed_by_the_query_not_refused(example_engine):
    with example_engine.begin() as conn:  # an order written behind the importer's back
        conn.exec_driver_sql(
            "INSERT INTO orders (order_id, customer_id, brand_id, ordered_at, channel, status, units, "
            "net_revenue, returned_units, refunded_amount, donation_amount) "
            "SELECT MAX(order_id) + 1, 1000, 'alpine', '2026-03-03 10:00:00', 'web', 'completed', 1, "
            "10.0, 0, 0.0, 0.0 FROM orders"
        )
    with example_engine.connect() as conn:
        assert not history_is_current(conn)
        history_rows = conn.exec_driver_sql("SELECT COUNT(*) FROM order_history").scalar_one()
    memory = reading.load_dataset(example_engine, mode="memory")
    pushed = reading.load_dataset(example_engine, mode="pushdown")
    for periods, filters in CASES:
        expected = kpi_frame(memory, periods, filters=filters)
        got = kpi_frame(pushed, periods, filters=filters)
        assert got.height == expected.height > 0
        assert kpi_mismatches(expected, got) == []
    with example_engine.connect() as conn:  # the read wrote nothing
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM order_history").scalar_one() == history_rows
        assert not history_is_current(conn)
