"""The customer history the fact store keeps in the database equals the one
the engine computes in Polars, a read never writes it, and ranged loads
give the same KPIs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa
from compare import kpi_mismatches

from purpose_metrics import db, reading, store
from purpose_metrics.metrics import kpi_frame
from purpose_metrics.metrics.history import order_history
from purpose_metrics.periods import Periods

KEYS = ["order_id", "seq_c", "next_at_c", "seq_b", "next_at_b"]


def _in_memory(engine) -> pl.DataFrame:
    orders = db.read_table(engine, "orders")
    return (
        order_history(orders.lazy())
        .collect()
        .filter(pl.col("customer_id").is_not_null())
        .select(KEYS)
        .sort("order_id")
    )


def _stored(engine) -> pl.DataFrame:
    return (
        reading.load_dataset(engine, mode="memory")
        .source.order_history()
        .filter(pl.col("customer_id").is_not_null())
        .select(KEYS)
        .sort("order_id")
    )


def test_materialised_history_equals_the_engines_on_every_backend(example_engine):
    assert _stored(example_engine).equals(_in_memory(example_engine))


def test_orders_written_behind_the_importers_back_are_read_right_and_refresh_stores_them(example_duck):
    duck = example_duck
    # A customer's new first order, written straight into the table (as a
    # warehouse load would): every later order of theirs moves one place.
    with duck.begin() as conn:
        first = conn.execute(
            sa.text(
                "SELECT customer_id, MIN(ordered_at) FROM orders WHERE status = 'completed' "
                "AND customer_id IS NOT NULL GROUP BY customer_id ORDER BY customer_id LIMIT 1"
            )
        ).first()
        conn.execute(
            sa.text(
                "INSERT INTO orders (order_id, customer_id, brand_id, ordered_at, channel, status, units, "
                "net_revenue, returned_units, refunded_amount, donation_amount) VALUES "
                "(999999, :c, 'alpine', :t, 'web', 'completed', 1, 10, 0, 0, 0)"
            ),
            {"c": first[0], "t": first[1] - dt.timedelta(days=1)},
        )
    # The store no longer matches: a read computes the history itself, and
    # writes nothing.
    with duck.connect() as conn:
        assert not store.is_current(conn)
    before = db.read_table(duck, "orders").height
    read = _stored(duck)
    assert read.equals(_in_memory(duck))
    assert read.filter(pl.col("order_id") == 999999).get_column("seq_c").item() == 1
    with duck.connect() as conn:
        assert not store.is_current(conn)
        assert (
            conn.exec_driver_sql("SELECT COUNT(*) FROM order_history WHERE order_id = 999999").scalar_one()
            == 0
        )
    assert db.read_table(duck, "orders").height == before
    # `purpose-metrics refresh` brings the stored history up to date.
    store.refresh(duck)
    with duck.connect() as conn:
        assert store.is_current(conn)
    assert _stored(duck).equals(_in_memory(duck))


def test_a_ranged_load_gives_the_full_loads_numbers(example_duck):
    duck = example_duck
    weeks = Periods(dt.date(2026, 1, 5), dt.date(2026, 3, 2), "week")
    full = kpi_frame(reading.load_dataset(duck, mode="memory"), weeks)
    ranged_ds = reading.load_dataset(duck, start=weeks.start, end=weeks.range_end, mode="memory")
    ranged = kpi_frame(ranged_ds, weeks)
    everything = reading.load_dataset(duck, mode="memory")["orders"].select(pl.len()).collect().item()
    assert ranged_ds["orders"].select(pl.len()).collect().item() < everything
    assert ranged.height == full.height
    assert kpi_mismatches(ranged, full) == []


def test_cohorts_from_a_ranged_load_are_exact_for_cohorts_inside_it(example_duck):
    from purpose_metrics.metrics import cohorts

    duck = example_duck
    full = cohorts(reading.load_dataset(duck, mode="memory"), "month")
    recent = cohorts(reading.load_dataset(duck, start=dt.date(2026, 1, 1), mode="memory"), "month")
    # Customers who first bought before 2026 are in no 2026 cohort, whatever
    # part of their history was read.
    assert recent.equals(full.filter(pl.col("cohort") >= "2026-01"))
    assert recent.height > 0
