"""The drivers counted by the database (sql/drivers/counts.sql, what the
store and pushdown sources run) equal the drivers counted in Polars (the
memory source), count by count, driver by driver and scope by scope, on
DuckDB, SQLite and PostgreSQL: on the worked example, on the bundled sample,
and on seeded random order books built to hit every rule's edge (equal
timestamps broken by order_id, the 90 × 24 h edge to the microsecond,
deliveries around local midnight across daylight-saving changes, several
surveys at the same instant, unresolved and repeated tickets, guests and
cancelled orders), in UTC and in two other zones, for mature and immature
periods.

The Polars counts are the reference: tests/test_drivers.py pins them to
hand-worked expectations rule by rule.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import polars as pl
import pytest
from builders import dataset, frame, order

from purpose_metrics import db, reading, store
from purpose_metrics.metrics import driver_frame
from purpose_metrics.metrics.drivers import COUNT_COLUMNS, count_drivers
from purpose_metrics.periods import Periods
from purpose_metrics.sources import database_driver_inputs
from purpose_metrics.sources.pushdown import driver_counts

KEY = ["scope", "driver"]
ZONES = [None, "Europe/Berlin", "America/New_York"]


def assert_same_counts(got: pl.DataFrame, expected: pl.DataFrame, what: str) -> None:
    """The same (scope, driver) rows, the same four counts, and the same mean
    revenue (to 1e-9: the database adds the same amounts in another order)."""
    got, expected = got.sort(KEY), expected.sort(KEY)
    assert got.select(*KEY, *COUNT_COLUMNS).rows() == expected.select(*KEY, *COUNT_COLUMNS).rows(), what
    for g, e, key in zip(
        got["_revenue_per_customer"], expected["_revenue_per_customer"], got.select(KEY).rows(), strict=True
    ):
        assert (g is None) == (e is None), (what, key)
        if g is not None:
            assert math.isclose(g, e, rel_tol=1e-9), (what, key, g, e)


def sql_counts(engine, period: Periods, scopes: list[str]) -> pl.DataFrame:
    with engine.connect() as conn:
        return driver_counts(conn, period, scopes)


def polars_counts(engine, period: Periods, scopes: list[str]) -> pl.DataFrame:
    """Polars counting the rows the database hands over (reading.driver_inputs)."""
    return count_drivers(database_driver_inputs(engine, period), period, scopes)


def scope_sets(brands: list[str]) -> list[list[str]]:
    return [["company", *brands], [brands[-1]], ["company"], [brands[0], "company"]]


# --- the worked example and the bundled sample --------------------------------------------

EXAMPLE_PERIODS = [
    Periods(dt.date(2026, 3, 2), dt.date(2026, 3, 9)),  # a week with orders, surveys and tickets
    Periods(dt.date(2025, 10, 6), dt.date(2026, 1, 5)),  # 13 weeks
    Periods(dt.date(2025, 1, 1), dt.date(2026, 1, 1)),  # a year
]


def _immature(engine) -> Periods:
    """The last four weeks before the latest order: their 90 days are not over."""
    with engine.connect() as conn:
        latest = reading.as_of(conn)
    end = latest.date() - dt.timedelta(days=latest.weekday())
    return Periods(end - dt.timedelta(days=28), end)


def _assert_database_equals_polars(engine, zones=ZONES) -> int:
    ds = reading.load_dataset(engine, mode="memory", read_large=False)
    compared = 0
    for zone in zones:
        for base in [*EXAMPLE_PERIODS, _immature(engine)]:
            period = base.in_zone(zone)
            for scopes in scope_sets(ds.brand_ids):
                expected = polars_counts(engine, period, scopes)
                assert_same_counts(sql_counts(engine, period, scopes), expected, f"{zone} {period} {scopes}")
                compared += expected.height
    return compared


def test_worked_example_counts_equal_polars(example_engine):
    assert _assert_database_equals_polars(example_engine) > 100


def test_bundled_sample_counts_equal_polars(sample_engine):
    """The bundled sample (30k generated orders), imported once per backend."""
    assert _assert_database_equals_polars(sample_engine, zones=["America/New_York"]) > 100


@pytest.mark.parametrize("mode", ["store", "pushdown"])
def test_every_source_gives_the_memory_drivers(example_engine, mode):
    """driver_frame end to end: the rows the CLI, the Drivers page and the
    board pack show, from the database's counts and from Polars'."""
    memory = reading.load_dataset(example_engine, mode="memory")
    other = reading.load_dataset(example_engine, mode=mode)
    assert other.source.name == mode
    for period in [*EXAMPLE_PERIODS, _immature(example_engine)]:
        expected, got = driver_frame(memory, period), driver_frame(other, period)
        assert got.drop("revenue_at_stake").equals(expected.drop("revenue_at_stake")), period
        for g, e in zip(got["revenue_at_stake"], expected["revenue_at_stake"], strict=True):
            assert (g is None and e is None) or math.isclose(g, e, rel_tol=1e-9, abs_tol=1e-9)
    assert driver_frame(other, _immature(example_engine))["immature"].all()


# --- seeded random order books ------------------------------------------------------------

BRANDS = ["a", "b", "c"]
# Weeks around the daylight-saving changes of 2026: 8 March (New York), 29 March (Berlin).
BOOK_PERIODS = [
    Periods(dt.date(2026, 3, 9), dt.date(2026, 3, 16)),
    Periods(dt.date(2026, 3, 23), dt.date(2026, 3, 30)),
    Periods(dt.date(2026, 2, 2), dt.date(2026, 5, 4)),  # 13 weeks
    Periods(dt.date(2026, 6, 1), dt.date(2026, 7, 6)),  # its 90 days outrun the book: immature
]


def _book(seed: int) -> dict[str, list[dict]]:
    """Orders, surveys and tickets drawn from a few instants, so that ties,
    the 90-day edge and local midnights occur often."""
    rng = random.Random(seed)
    base = dt.datetime(2026, 2, 1)
    moments = [
        base
        + dt.timedelta(
            days=rng.randrange(0, 150), hours=rng.choice([0, 3, 22, 23]), minutes=rng.choice([0, 30])
        )
        + dt.timedelta(microseconds=rng.choice([0, 0, 0, 250_000]))
        for _ in range(70)
    ]
    ninety = dt.timedelta(days=90)
    moments += [m + ninety for m in moments[:15]]  # exactly on the edge: a repurchase
    moments += [m + ninety + dt.timedelta(microseconds=1) for m in moments[15:25]]  # just past it: none
    ids = rng.sample(range(1, 100_000), 700)  # order_id out of step with time
    orders = []
    for i, order_id in enumerate(ids):
        at = rng.choice(moments)
        delivered = at + dt.timedelta(
            days=rng.randrange(0, 6), hours=rng.choice([0, 1, 21, 22, 23]), minutes=30
        )
        promised = (delivered + dt.timedelta(days=rng.choice([-1, 0, 0, 1]))).date()
        orders.append({
            "order_id": order_id,
            "customer_id": None if i % 23 == 0 else rng.randrange(1, 90),
            "brand_id": rng.choice(BRANDS),
            "ordered_at": at,
            "status": "cancelled" if i % 17 == 0 else "completed",
            "net_revenue": round(rng.uniform(5, 200), 2),
            "refunded_amount": rng.choice([0.0, 0.0, round(rng.uniform(0, 5), 2)]),
            "promised_delivery_date": None if i % 11 == 0 else promised,
            "delivered_at": None if i % 13 == 0 else delivered,
            "donation_amount": rng.choice([0.0, 0.0, 1.5]),
        })  # fmt: skip
    answered = [base + dt.timedelta(days=d) for d in (10, 40, 40, 80)]
    surveys = [
        {
            "response_id": 1_000 + i,
            "order_id": rng.choice(ids) if i % 9 else None,
            "submitted_at": rng.choice(answered),
            "purpose_achieved": rng.choice([True, False, None]),
        }
        for i in range(rng.sample([400, 500], 1)[0])
    ]
    tickets = [
        {
            "ticket_id": 5_000 + i,
            "order_id": rng.choice(ids) if i % 7 else None,
            "opened_at": base,
            "resolved_at": None if i % 5 == 0 else base + dt.timedelta(days=1),
            "contacts": rng.choice([1, 1, 1, 2, 3]),
        }
        for i in range(300)
    ]
    return {"orders": orders, "customer_surveys": surveys, "support_tickets": tickets}


def _insert(engine, book: dict[str, list[dict]]) -> None:
    with engine.begin() as conn:
        db.insert_frame(conn, "brands", frame("brands", [{"brand_id": b} for b in BRANDS]))
        db.insert_frame(conn, "customers", frame("customers", [{"customer_id": c} for c in range(1, 90)]))
        for name, rows in book.items():
            db.insert_frame(conn, name, frame(name, rows))


@pytest.mark.parametrize("seed", [1, 2])
def test_random_books_count_the_same_in_the_database_and_in_polars(engine, seed):
    book = _book(seed)
    _insert(engine, book)
    in_memory = dataset(BRANDS, book["orders"], **{k: v for k, v in book.items() if k != "orders"})
    compared = 0
    for zone in ZONES:
        for base in BOOK_PERIODS:
            period = base.in_zone(zone)
            for scopes in scope_sets(BRANDS):
                what = f"seed {seed} {zone} {period} {scopes}"
                got = sql_counts(engine, period, scopes)
                # Polars over the database's rows, and over the frames themselves.
                assert_same_counts(got, polars_counts(engine, period, scopes), what)
                expected = count_drivers(in_memory.source.driver_inputs(period), period, scopes)
                assert_same_counts(got, expected, what)
                compared += expected.height
    assert compared > 300


@pytest.mark.parametrize("seed", [4, 5])
def test_random_books_count_the_same_from_the_fact_store(engine, seed):
    """sql/drivers/stored_counts.sql: each order's drivers kept in
    order_history at import, an anchor found by the order before it (no
    numbering of the period): the counts Polars makes from the frames, in
    the company's zone (a store is cut in one zone: it is rebuilt in each)."""
    book = _book(seed)
    _insert(engine, book)
    in_memory = dataset(BRANDS, book["orders"], **{k: v for k, v in book.items() if k != "orders"})
    compared = 0
    for zone in ZONES:
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM company")
            company = {
                "name": "Co",
                "purpose_statement": "P",
                "vision": None,
                "mission": None,
                "currency": "EUR",
                "timezone": zone,
            }
            db.insert_frame(conn, "company", frame("company", [company]))
        store.refresh(engine)
        for base in BOOK_PERIODS:
            period = base.in_zone(zone)
            for scopes in scope_sets(BRANDS):
                with engine.connect() as conn:
                    got = driver_counts(conn, period, scopes, stored=True)
                expected = count_drivers(in_memory.source.driver_inputs(period), period, scopes)
                assert_same_counts(got, expected, f"seed {seed} {zone} {period} {scopes}")
                compared += expected.height
    assert compared > 300


def test_an_order_at_the_periods_first_instant_is_in_it_and_the_next_is_not_an_anchor(engine):
    """The store finds an anchor by the order before it: one placed at the
    period's very start lies in the period, so the order after it is no
    anchor; one a microsecond before lies outside, so the order after it is."""
    start = "2026-03-09 00:00:00"
    orders = [
        order(1, 1, "a", start, donation_amount=1.5),  # customer 1's anchor, good for cause
        order(2, 1, "a", "2026-03-10 12:00:00"),  # customer 1 again: not an anchor
        order(3, 2, "a", "2026-03-08 23:59:59.999999"),  # before the period
        order(4, 2, "a", start, donation_amount=0.0),  # customer 2's anchor, bad for cause
    ]
    _insert(engine, {"orders": [{**o, "status": "completed"} for o in orders]})
    store.refresh(engine)
    period = Periods(dt.date(2026, 3, 9), dt.date(2026, 3, 16))
    # By hand: anchors 1 (repurchased by order 2, 36 h later) and 4 (no later order).
    expected = [("cause_participation", 1, 1, 1, 0)]
    for stored in (True, False):
        with engine.connect() as conn:
            got = driver_counts(conn, period, ["company", "a"], stored=stored)
        for scope in ("company", "a"):
            rows = got.filter(pl.col("scope") == scope, pl.col("driver") == "cause_participation")
            assert rows.select("driver", *COUNT_COLUMNS).rows() == expected, (stored, scope)


def test_postgresql_plans_of_other_reads_are_left_as_they_were(pg_server, fresh_pg):
    """The drivers' queries change PostgreSQL's settings for themselves only
    (sources/pushdown.py `_rows_with`): the connection the run shares has
    them as they were after, from the tables and from the store."""
    engine = db.make_engine(fresh_pg.render_as_string(hide_password=False), create=True)
    db.create_schema(engine)
    _insert(engine, _book(3))
    store.refresh(engine)
    names = ("work_mem", "enable_nestloop", "enable_sort")
    with engine.connect() as conn:
        before = {n: conn.exec_driver_sql(f"SHOW {n}").scalar_one() for n in names}
        assert before["enable_nestloop"] == before["enable_sort"] == "on"
        for stored in (False, True):
            assert driver_counts(conn, BOOK_PERIODS[2], ["company", *BRANDS], stored=stored).height > 0
            assert {n: conn.exec_driver_sql(f"SHOW {n}").scalar_one() for n in names} == before, stored
    engine.dispose()
