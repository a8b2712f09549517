"""The customer history materialised in the database equals the one the
engine would compute, stays fresh, and ranged loads give the same KPIs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa
from compare import kpi_mismatches

from purpose_metrics import data, db
from purpose_metrics.metrics import kpi_frame
from purpose_metrics.metrics.dataset import order_history
from purpose_metrics.periods import Periods
from purpose_metrics.validation import import_folder

KEYS = ["order_id", "seq_c", "next_at_c", "seq_b", "next_at_b"]


def _in_memory(engine) -> pl.DataFrame:
    orders = db.read_table(engine, "orders")
    return order_history(orders.lazy()).collect().filter(pl.col("customer_id").is_not_null()).select(KEYS).sort("order_id")


def _stored(engine) -> pl.DataFrame:
    return data.load_dataset(engine, ["orders"]).order_history().filter(
        pl.col("customer_id").is_not_null()
    ).select(KEYS).sort("order_id")


def test_materialised_history_equals_the_engines_on_every_backend(engine, example_dir):
    import_folder(engine, example_dir / "data")
    assert _stored(engine).equals(_in_memory(engine))


def test_orders_written_behind_the_importers_back_are_picked_up(duck, example_dir):
    import_folder(duck, example_dir / "data")
    # A customer's new first order, written straight into the table (as a
    # warehouse load would): every later order of theirs moves one place.
    with duck.begin() as conn:
        first = conn.execute(sa.text(
            "SELECT customer_id, MIN(ordered_at) FROM orders WHERE status = 'completed' "
            "AND customer_id IS NOT NULL GROUP BY customer_id ORDER BY customer_id LIMIT 1"
        )).first()
        conn.execute(sa.text(
            "INSERT INTO orders (order_id, customer_id, brand_id, ordered_at, channel, status, units, "
            "net_revenue, returned_units, refunded_amount, donation_amount) VALUES "
            "(999999, :c, 'alpine', :t, 'web', 'completed', 1, 10, 0, 0, 0)"
        ), {"c": first[0], "t": first[1] - dt.timedelta(days=1)})
    stored = _stored(duck)
    assert stored.equals(_in_memory(duck))
    assert stored.filter(pl.col("order_id") == 999999).get_column("seq_c").item() == 1


def test_a_ranged_load_gives_the_full_loads_numbers(duck, example_dir):
    import_folder(duck, example_dir / "data")
    weeks = Periods(dt.date(2026, 1, 5), dt.date(2026, 3, 2), "week")
    full = kpi_frame(data.load_dataset(duck), weeks)
    ranged_ds = data.load_dataset(duck, start=weeks.start, end=weeks.range_end)
    ranged = kpi_frame(ranged_ds, weeks)
    assert ranged_ds["orders"].select(pl.len()).collect().item() < data.load_dataset(duck)["orders"].select(pl.len()).collect().item()
    assert ranged.height == full.height
    assert kpi_mismatches(ranged, full) == []


def test_cohorts_from_a_ranged_load_are_exact_for_cohorts_inside_it(duck, example_dir):
    from purpose_metrics.metrics import cohorts

    import_folder(duck, example_dir / "data")
    full = cohorts(data.load_dataset(duck), "month")
    recent = cohorts(data.load_dataset(duck, start=dt.date(2026, 1, 1)), "month")
    # Customers who first bought before 2026 are in no 2026 cohort, whatever
    # part of their history was read.
    assert recent.equals(full.filter(pl.col("cohort") >= "2026-01"))
    assert recent.height > 0
