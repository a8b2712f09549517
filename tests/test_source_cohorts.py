"""Cohort retention from every source: the database counting the cells
(pushdown) and the fact store's customer sets (store) give the in-memory
path's frame, on DuckDB, SQLite and PostgreSQL.

Weeks used below (ISO, Monday to Monday):
W10 = [03-02, 03-09), W11 = [03-09, 03-16), W12 = [03-16, 03-23), W13 = [03-23, 03-30).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import frame, order
from polars.testing import assert_frame_equal

from purpose_metrics import db, reading, store
from purpose_metrics.metrics import cohorts
from purpose_metrics.sources.pushdown import cohort_facts

COLUMNS = ["scope", "cohort", "period_index", "cohort_size", "customers", "retention"]


SOURCES = ["pushdown", "store"]


@pytest.fixture(params=SOURCES)
def source(request) -> str:
    return request.param


def _insert(engine, brands, orders) -> None:
    """Rows written straight into the tables, then the store built from them."""
    customers = sorted({o["customer_id"] for o in orders if o.get("customer_id") is not None})
    with engine.begin() as conn:
        db.insert_frame(conn, "brands", frame("brands", [{"brand_id": b} for b in brands]))
        db.insert_frame(conn, "customers", frame("customers", [{"customer_id": c} for c in customers]))
        db.insert_frame(conn, "orders", frame("orders", orders))
    store.refresh(engine)


def _cohorts(engine, mode: str, grain: str, scopes=None, as_of: dt.datetime | None = None) -> pl.DataFrame:
    ds = reading.load_dataset(engine, mode=mode)
    if as_of is not None:
        ds.as_of = as_of
    return cohorts(ds, grain, scopes)


def _assert_same_as_in_memory(engine) -> None:
    in_memory = reading.load_dataset(engine, mode="memory")
    brand = in_memory.brand_ids[0]
    for grain in ("week", "month"):
        for scopes in (None, [brand], [in_memory.brand_ids[-1], "company"]):
            expected = cohorts(in_memory, grain, scopes)
            assert expected.height > 0
            for mode in SOURCES:
                assert_frame_equal(_cohorts(engine, mode, grain, scopes), expected)


def test_worked_example_equals_in_memory(example_engine):
    _assert_same_as_in_memory(example_engine)


def test_bundled_sample_equals_in_memory(sample_engine):
    _assert_same_as_in_memory(sample_engine)  # 30k orders


WEEKLY_ORDERS = [
    order(1, 1, "a", "2026-03-03 10:00"),  # c1: W10 at a
    order(2, 1, "a", "2026-03-10 10:00"),  # c1: W11 at a
    order(3, 1, "b", "2026-03-17 10:00"),  # c1: W12 at b (first b order: multi-brand customer)
    order(4, 2, "a", "2026-03-04 10:00"),  # c2: W10 at a
    order(5, 2, "a", "2026-03-18 10:00"),  # c2: W12 at a
    order(6, 3, "b", "2026-03-05 10:00", status="cancelled"),  # c3: cancelled, ignored
    order(7, 3, "b", "2026-03-11 10:00"),  # c3: first completed order, W11 at b
    order(8, 4, "a", "2026-03-12 10:00"),  # c4: W11 at a
    order(12, 4, "b", "2026-03-12 11:00"),  # c4: W11 at b too: once in the company's W11
    order(9, None, "a", "2026-03-03 11:00"),  # guests: never in a cohort
    order(10, None, "a", "2026-03-10 11:00"),
    order(11, 5, "b", "2026-03-25 10:00"),  # c5: W13 at b; the as-of instant
]


def test_weekly_cohorts_worked_by_hand(engine, source):
    _insert(engine, ("b", "a"), WEEKLY_ORDERS)  # brands out of order on purpose
    got = _cohorts(engine, source, "week")
    assert got.columns == COLUMNS
    # as-of 2026-03-25 10:00: W12 (ends 03-23) has ended, W13 (ends 03-30) has not.
    assert got.rows() == [
        # company: W10 = {c1, c2}; W11 = {c3, c4}; W13 = {c5}
        ("company", "2026-W10", 0, 2, 2, 100.0),
        ("company", "2026-W10", 1, 2, 1, 50.0),  # c1 in W11
        ("company", "2026-W10", 2, 2, 2, 100.0),  # c1 (at b) and c2 in W12
        ("company", "2026-W11", 0, 2, 2, 100.0),  # c4 counted once despite two brands
        ("company", "2026-W11", 1, 2, 0, 0.0),  # nobody in W12: a zero, still emitted
        ("company", "2026-W13", 0, 1, 1, 100.0),  # k = 0 always, even before W13 ends
        # brand a: W10 = {c1, c2}; W11 = {c4}
        ("a", "2026-W10", 0, 2, 2, 100.0),
        ("a", "2026-W10", 1, 2, 1, 50.0),
        ("a", "2026-W10", 2, 2, 1, 50.0),  # c2 only: c1's W12 order is at b
        ("a", "2026-W11", 0, 1, 1, 100.0),
        ("a", "2026-W11", 1, 1, 0, 0.0),
        # brand b: W11 = {c3, c4}; W12 = {c1} (c1's first b order); W13 = {c5}
        ("b", "2026-W11", 0, 2, 2, 100.0),
        ("b", "2026-W11", 1, 2, 0, 0.0),
        ("b", "2026-W12", 0, 1, 1, 100.0),
        ("b", "2026-W13", 0, 1, 1, 100.0),
    ]
    only_b = _cohorts(engine, source, "week", scopes=["b"])
    assert only_b.rows() == got.filter(pl.col("scope") == "b").rows()


def test_monthly_cohorts_worked_by_hand(engine, source):
    _insert(
        engine,
        ("a", "b"),
        [
            order(1, 1, "a", "2025-12-31 23:59:59"),  # c1: Dec, across the year end
            order(2, 1, "b", "2026-01-01 00:00"),  # c1: Jan at b (first b order)
            order(3, 1, "a", "2026-02-27 10:00"),  # c1: Feb at a
            order(4, 2, "b", "2026-01-15 10:00", status="cancelled"),  # ignored
            order(5, 2, "b", "2026-02-02 10:00"),  # c2: Feb at b
            order(6, None, "a", "2025-12-01 10:00"),  # guest
            order(7, 3, "a", "2026-03-31 23:00", status="cancelled"),  # as-of: Feb has ended, Mar not
        ],
    )
    got = _cohorts(engine, source, "month")
    assert got.rows() == [
        ("company", "2025-12", 0, 1, 1, 100.0),
        ("company", "2025-12", 1, 1, 1, 100.0),  # c1 in Jan (at b)
        ("company", "2025-12", 2, 1, 1, 100.0),  # c1 in Feb
        ("company", "2026-02", 0, 1, 1, 100.0),  # c2; c3 has no completed order
        ("a", "2025-12", 0, 1, 1, 100.0),
        ("a", "2025-12", 1, 1, 0, 0.0),  # c1's January order is at b
        ("a", "2025-12", 2, 1, 1, 100.0),
        ("b", "2026-01", 0, 1, 1, 100.0),
        ("b", "2026-01", 1, 1, 0, 0.0),
        ("b", "2026-02", 0, 1, 1, 100.0),
    ]


def test_as_of_given_cuts_the_grid_there(engine, source):
    _insert(engine, ("b", "a"), WEEKLY_ORDERS)
    # W11 ends 2026-03-16 00:00: with that as-of, W10 reaches k = 1 and W11 only k = 0.
    got = _cohorts(engine, source, "week", ["company"], as_of=dt.datetime(2026, 3, 16))
    assert got.select("cohort", "period_index").rows() == [
        ("2026-W10", 0),
        ("2026-W10", 1),
        ("2026-W11", 0),
        ("2026-W13", 0),
    ]


def test_empty_database_gives_the_empty_frame(engine, source):
    store.refresh(engine)
    got = _cohorts(engine, source, "week")
    assert_frame_equal(got, _cohorts(engine, "memory", "week"))
    assert got.height == 0 and got.columns == COLUMNS


def _repeat_orders(times: int) -> list[dict]:
    """Twenty customers over eight weeks at two brands; every order `times`
    times (minutes apart), so the cells stay the same as orders grow."""
    rows, next_id = [], 1
    for customer in range(1, 21):
        for week in range(customer % 8, 8, 2):
            day = dt.date(2026, 1, 5) + dt.timedelta(weeks=week, days=customer % 5)
            for copy in range(times):
                at = f"{day.isoformat()} 10:{copy % 60:02d}:{copy // 60:02d}"
                rows.append(order(next_id, customer, "ab"[(customer + week) % 2], at))
                next_id += 1
    return rows


@pytest.mark.parametrize("grain", ["week", "month"])
def test_pushdown_cohorts_transfer_cells_not_orders(duck, tmp_path, grain):
    """What comes back is one row per cell: the same cohorts with 50 times
    the orders give the same bytes."""
    few, many = _repeat_orders(1), _repeat_orders(50)
    _insert(duck, ("a", "b"), few)
    other = db.make_engine(f"duckdb:///{tmp_path / 'many.duckdb'}", create=True)
    db.create_schema(other)
    _insert(other, ("a", "b"), many)
    sent = []
    for eng in (duck, other):
        with eng.connect() as conn:
            cells, _, transferred = cohort_facts(conn, grain, ["company", "a", "b"])
        sent.append((cells.height, transferred))
    other.dispose()
    assert len(many) == 50 * len(few)
    assert sent[0] == sent[1]
