"""Cohort retention (SPEC section 4, Cohorts; section 5, `cohorts`).

Weeks used below (ISO, Monday to Monday):
W10 = [03-02, 03-09), W11 = [03-09, 03-16), W12 = [03-16, 03-23), W13 = [03-23, 03-30).
"""

from __future__ import annotations

import polars as pl
from builders import dataset, order

from purpose_metrics.metrics import cohorts

COLUMNS = ["scope", "cohort", "period_index", "cohort_size", "customers", "retention"]


def _weekly_data():
    return dataset(
        brands=("b", "a"),
        orders=[  # brands given out of order on purpose
            order(1, 1, "a", "2026-03-03 10:00"),  # c1: W10 at a
            order(2, 1, "a", "2026-03-10 10:00"),  # c1: W11 at a
            order(3, 1, "b", "2026-03-17 10:00"),  # c1: W12 at b (first b order)
            order(4, 2, "a", "2026-03-04 10:00"),  # c2: W10 at a
            order(5, 2, "a", "2026-03-18 10:00"),  # c2: W12 at a
            order(6, 3, "b", "2026-03-05 10:00", status="cancelled"),  # c3: cancelled, ignored
            order(7, 3, "b", "2026-03-11 10:00"),  # c3: first completed order, W11 at b
            order(8, 4, "a", "2026-03-12 10:00"),  # c4: W11 at a
            order(9, None, "a", "2026-03-03 11:00"),  # guests: never in a cohort
            order(10, None, "a", "2026-03-10 11:00"),
            order(11, 5, "b", "2026-03-25 10:00"),  # c5: W13 at b; the as-of instant
        ],
    )


def test_weekly_cohorts_worked_by_hand():
    got = cohorts(_weekly_data(), "week")
    assert got.columns == COLUMNS
    # as-of 2026-03-25 10:00: W12 (ends 03-23) has ended, W13 (ends 03-30) has not.
    expected = [
        # company: W10 = {c1, c2}; W11 = {c3, c4}; W13 = {c5}
        ("company", "2026-W10", 0, 2, 2, 100.0),
        ("company", "2026-W10", 1, 2, 1, 100 * 1 / 2),  # c1 in W11
        ("company", "2026-W10", 2, 2, 2, 100.0),  # c1 (at b) and c2 in W12
        ("company", "2026-W11", 0, 2, 2, 100.0),
        ("company", "2026-W11", 1, 2, 0, 0.0),  # nobody in W12: a zero, still emitted
        ("company", "2026-W13", 0, 1, 1, 100.0),  # k = 0 always, even before W13 ends
        # brand a: W10 = {c1, c2}; W11 = {c4}
        ("a", "2026-W10", 0, 2, 2, 100.0),
        ("a", "2026-W10", 1, 2, 1, 100 * 1 / 2),
        ("a", "2026-W10", 2, 2, 1, 100 * 1 / 2),  # c2 only: c1's W12 order is at b
        ("a", "2026-W11", 0, 1, 1, 100.0),
        ("a", "2026-W11", 1, 1, 0, 0.0),
        # brand b: W11 = {c3}; W12 = {c1} (c1's first b order); W13 = {c5}
        ("b", "2026-W11", 0, 1, 1, 100.0),
        ("b", "2026-W11", 1, 1, 0, 0.0),
        ("b", "2026-W12", 0, 1, 1, 100.0),
        ("b", "2026-W13", 0, 1, 1, 100.0),
    ]
    assert got.rows() == expected


def test_monthly_cohorts_worked_by_hand():
    data = dataset(
        brands=("a", "b"),
        orders=[
            order(1, 1, "a", "2026-01-15 10:00"),  # c1: Jan
            order(2, 1, "a", "2026-02-03 10:00"),  # c1: Feb
            order(3, 1, "a", "2026-04-01 10:00"),  # c1: Apr (not ended by the as-of)
            order(4, 2, "a", "2026-01-31 23:59:59"),  # c2: Jan
            order(5, 2, "b", "2026-03-02 10:00"),  # c2: Mar, first b order
            order(6, 3, "b", "2026-02-28 10:00"),  # c3: Feb
            order(7, None, "a", "2026-02-01 10:00"),  # guest
            order(8, 4, "a", "2026-04-20 10:00"),  # c4: Apr; the as-of instant
        ],
    )
    got = cohorts(data, "month")
    # as-of 2026-04-20: March has ended (05-01 > as-of, so April has not)
    expected = [
        ("company", "2026-01", 0, 2, 2, 100.0),
        ("company", "2026-01", 1, 2, 1, 100 * 1 / 2),  # c1 in Feb
        ("company", "2026-01", 2, 2, 1, 100 * 1 / 2),  # c2 in Mar (at b)
        ("company", "2026-02", 0, 1, 1, 100.0),
        ("company", "2026-02", 1, 1, 0, 0.0),
        ("company", "2026-04", 0, 1, 1, 100.0),
        ("a", "2026-01", 0, 2, 2, 100.0),
        ("a", "2026-01", 1, 2, 1, 100 * 1 / 2),
        ("a", "2026-01", 2, 2, 0, 0.0),  # c2's March order is at b
        ("a", "2026-04", 0, 1, 1, 100.0),
        ("b", "2026-02", 0, 1, 1, 100.0),
        ("b", "2026-02", 1, 1, 0, 0.0),
        ("b", "2026-03", 0, 1, 1, 100.0),
    ]
    assert got.rows() == expected


def test_cohort_cell_is_emitted_once_its_period_ends_at_the_as_of_instant():
    # c1 in W10; W12 ends 2026-03-23 00:00. The latest order (a guest's) sets the as-of.
    def cells(as_of: str) -> list[int]:
        data = dataset(
            brands=("a",),
            orders=[
                order(1, 1, "a", "2026-03-03 10:00"),
                order(2, None, "a", as_of),
            ],
        )
        return cohorts(data, "week", scopes=["company"]).get_column("period_index").to_list()

    assert cells("2026-03-23 00:00:00") == [0, 1, 2]
    assert cells("2026-03-22 23:59:59") == [0, 1]


def test_cancelled_order_sets_the_as_of_for_cohorts():
    data = dataset(
        brands=("a",),
        orders=[
            order(1, 1, "a", "2026-03-03 10:00"),
            order(2, 2, "a", "2026-03-16 00:00", status="cancelled"),  # the as-of: W11 has ended
        ],
    )
    got = cohorts(data, "week")
    assert got.filter(pl.col("scope") == "company").rows() == [
        ("company", "2026-W10", 0, 1, 1, 100.0),
        ("company", "2026-W10", 1, 1, 0, 0.0),
    ]


def test_week_label_uses_the_iso_year():
    data = dataset(brands=("a",), orders=[order(1, 1, "a", "2025-12-30 10:00")])
    assert cohorts(data, "week").get_column("cohort").to_list() == ["2026-W01", "2026-W01"]
    assert cohorts(data, "month").get_column("cohort").to_list() == ["2025-12", "2025-12"]


def test_guest_only_data_has_no_cohorts():
    data = dataset(brands=("a",), orders=[order(1, None, "a", "2026-03-03 10:00")])
    got = cohorts(data, "week")
    assert got.height == 0
    assert got.columns == COLUMNS


def test_cohorts_for_one_brand_scope():
    got = cohorts(_weekly_data(), "week", scopes=["b"])
    assert got.get_column("scope").unique().to_list() == ["b"]
    assert got.get_column("cohort").to_list() == ["2026-W11", "2026-W11", "2026-W12", "2026-W13"]


def test_cohort_column_types():
    got = cohorts(_weekly_data(), "month")
    assert got.schema["period_index"].is_integer()
    assert got.schema["cohort_size"].is_integer()
    assert got.schema["customers"].is_integer()
    assert got.schema["retention"] == pl.Float64


def test_month_index_counts_across_the_year_end():
    data = dataset(
        brands=("a",),
        orders=[
            order(1, 1, "a", "2025-11-20 10:00"),
            order(2, 1, "a", "2026-01-05 10:00"),  # k = 2 after November
            order(3, None, "a", "2026-02-01 00:00"),  # as-of: January has ended
        ],
    )
    got = cohorts(data, "month", scopes=["company"])
    assert got.rows() == [
        ("company", "2025-11", 0, 1, 1, 100.0),
        ("company", "2025-11", 1, 1, 0, 0.0),
        ("company", "2025-11", 2, 1, 1, 100.0),
    ]
