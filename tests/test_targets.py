"""Targets and status (SPEC section 4, "Targets, status and scenarios").

A target applies when P's start lies in [valid_from, valid_to); company
(brand_id NULL) and brand targets are apart; status is green / amber (within
10 % of |target|, boundary included) / red, mirrored for a "down" metric.
"""

from __future__ import annotations

import polars as pl
import pytest
from builders import dataset, day, kpis, order

from purpose_metrics.metrics import kpi_frame, sales_lift
from purpose_metrics.periods import Periods

START, END = "2026-03-02", "2026-03-09"


def target(metric_id, value, brand_id=None, valid_from="2026-01-01", valid_to=None):
    return {
        "metric_id": metric_id,
        "brand_id": brand_id,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "target_value": value,
    }


def orders_per_brand(counts: dict[str, int], **kw) -> list[dict]:
    rows, next_id = [], 1
    for brand, n in counts.items():
        for _ in range(n):
            rows.append(order(next_id, None, brand, "2026-03-03 10:00", **kw))
            next_id += 1
    return rows


# --- which target applies ----------------------------------------------------------------


@pytest.mark.parametrize(
    "valid_from,valid_to,applies",
    [
        ("2026-03-02", None, True),  # valid_from = P's start: included
        ("2026-01-01", "2026-03-03", True),  # P's start inside the window
        ("2026-01-01", "2026-03-02", False),  # valid_to = P's start: excluded
        ("2026-03-03", None, False),  # starts inside P, after P's start: does not apply
        ("2025-01-01", "2025-12-31", False),  # long over
    ],
)
def test_target_applies_when_period_start_lies_in_window(valid_from, valid_to, applies):
    data = dataset(
        brands=("a",),
        orders=orders_per_brand({"a": 3}),
        targets=[target("orders", 5.0, valid_from=valid_from, valid_to=valid_to)],
    )
    row = kpis(data, START, END)[("orders", "company")]
    assert row["target"] == (5.0 if applies else None)


def test_consecutive_windows_pick_the_one_holding_the_start():
    data = dataset(
        brands=("a",),
        orders=orders_per_brand({"a": 3}),
        targets=[
            target("orders", 1.0, valid_from="2026-01-01", valid_to="2026-03-02"),
            target("orders", 2.0, valid_from="2026-03-02", valid_to="2026-04-01"),
            target("orders", 4.0, valid_from="2026-04-01"),
        ],
    )
    assert kpis(data, START, END)[("orders", "company")]["target"] == 2.0


def test_company_and_brand_targets_are_apart():
    data = dataset(
        brands=("a", "b"),
        orders=orders_per_brand({"a": 3, "b": 2}),
        targets=[
            target("orders", 10.0),  # company
            target("orders", 3.0, brand_id="a"),
        ],
    )
    rows = kpis(data, START, END)
    assert rows[("orders", "company")]["target"] == 10.0
    assert rows[("orders", "a")]["target"] == 3.0
    assert rows[("orders", "b")]["target"] is None  # nothing inherited from the company
    assert rows[("orders", "b")]["status"] is None


def test_brand_target_does_not_reach_the_company():
    data = dataset(
        brands=("a",), orders=orders_per_brand({"a": 3}), targets=[target("orders", 3.0, brand_id="a")]
    )
    rows = kpis(data, START, END)
    assert rows[("orders", "company")]["target"] is None
    assert rows[("orders", "a")]["status"] == "green"


def test_target_applies_to_its_metric_only():
    data = dataset(brands=("a",), orders=orders_per_brand({"a": 3}), targets=[target("aov", 5.0)])
    rows = kpis(data, START, END)
    assert rows[("aov", "company")]["target"] == 5.0
    assert rows[("orders", "company")]["target"] is None


def test_weekly_trend_looks_up_the_target_per_week():
    data = dataset(
        brands=("a",),
        orders=orders_per_brand({"a": 3}),
        targets=[target("orders", 7.0, valid_from="2026-03-09")],
    )
    frame = kpi_frame(data, Periods(day("2026-03-02"), day("2026-03-23"), "week"), metric_ids=["orders"])
    company = frame.filter(pl.col("scope") == "company").sort("period_start")
    assert company.get_column("target").to_list() == [None, 7.0, 7.0]


# --- status ---------------------------------------------------------------------------------


def test_status_for_an_up_metric():
    # orders, target 10 for every brand: green at >= 10, amber at >= 10 - 0.1 * 10 = 9, red below
    counts = {"a": 11, "b": 10, "c": 9, "d": 8}
    data = dataset(
        brands=tuple(counts),
        orders=orders_per_brand(counts),
        targets=[target("orders", 10.0, brand_id=b) for b in counts],
    )
    rows = kpis(data, START, END)
    assert {b: rows[("orders", b)]["status"] for b in counts} == {
        "a": "green",
        "b": "green",
        "c": "amber",
        "d": "red",
    }


def test_status_for_a_down_metric_is_mirrored():
    # return_rate (good = down), target 10 %: green at <= 10, amber at <= 11, red above
    returned = {"a": 5, "b": 10, "c": 11, "d": 12}
    orders, next_id = [], 1
    for brand, r in returned.items():  # 100 units per brand
        orders.append(order(next_id, None, brand, "2026-03-03 10:00", units=100, returned_units=r))
        next_id += 1
    data = dataset(
        brands=tuple(returned),
        orders=orders,
        targets=[target("return_rate", 10.0, brand_id=b) for b in returned],
    )
    rows = kpis(data, START, END)
    assert {b: rows[("return_rate", b)]["value"] for b in returned} == {
        "a": 5.0,
        "b": 10.0,
        "c": 11.0,
        "d": 12.0,
    }
    assert {b: rows[("return_rate", b)]["status"] for b in returned} == {
        "a": "green",
        "b": "green",
        "c": "amber",
        "d": "red",
    }


def test_status_with_a_negative_target():
    # nps target -10: green at >= -10, amber at >= -10 - 0.1 * |-10| = -11, red below
    detractors = {"a": 0, "b": 10, "c": 11, "d": 12}
    surveys, next_id = [], 1
    for brand, det in detractors.items():  # 100 responses: `det` detractors, the rest passives
        for i in range(100):
            surveys.append(
                {
                    "response_id": next_id,
                    "brand_id": brand,
                    "submitted_at": "2026-03-04 10:00",
                    "nps_score": 3 if i < det else 7,
                }
            )
            next_id += 1
    data = dataset(
        brands=tuple(detractors),
        customer_surveys=surveys,
        targets=[target("nps", -10.0, brand_id=b) for b in detractors],
    )
    rows = kpis(data, START, END)
    assert {b: rows[("nps", b)]["value"] for b in detractors} == {
        "a": 0.0,
        "b": -10.0,
        "c": -11.0,
        "d": -12.0,
    }
    assert {b: rows[("nps", b)]["status"] for b in detractors} == {
        "a": "green",
        "b": "green",
        "c": "amber",
        "d": "red",
    }


def test_status_is_null_without_a_value_but_target_is_printed():
    # brand b has no orders: aov is NULL; its target still shows
    data = dataset(
        brands=("a", "b"),
        orders=orders_per_brand({"a": 2}),
        targets=[target("aov", 5.0, brand_id="b"), target("nps", 20.0)],
    )
    rows = kpis(data, START, END)
    assert rows[("aov", "b")]["value"] is None
    assert rows[("aov", "b")]["target"] == 5.0
    assert rows[("aov", "b")]["status"] is None
    # a suppressed nps has no value either
    assert rows[("nps", "company")]["suppressed"] is True
    assert (rows[("nps", "company")]["target"], rows[("nps", "company")]["status"]) == (20.0, None)


def test_status_is_null_without_a_target():
    data = dataset(brands=("a",), orders=orders_per_brand({"a": 2}))
    rows = kpis(data, START, END)
    assert all(r["target"] is None and r["status"] is None for r in rows.values())


def test_target_in_percent_units():
    # 75 means 75 %: a cause participation of 3 of 4 orders = 75 % meets it
    orders = orders_per_brand({"a": 3}, donation_amount=1.0) + [order(99, None, "a", "2026-03-04 10:00")]
    data = dataset(brands=("a",), orders=orders, targets=[target("cause_participation_rate", 75.0)])
    row = kpis(data, START, END)[("cause_participation_rate", "company")]
    assert row["value"] == pytest.approx(100 * 3 / 4)
    assert row["status"] == "green"


# --- sales lift -----------------------------------------------------------------------------


def test_sales_lift_of_one_more_five_dollar_item_a_week():
    assert sales_lift(10_000, 1, 5.0, 52) == pytest.approx(10_000 * 1 * 5 * 52)
    assert sales_lift(10_000, 1, 5.0, 52) == pytest.approx(2_600_000)


def test_sales_lift_scales_with_each_factor():
    assert sales_lift(200, 0.5, 12.0, 4) == pytest.approx(200 * 0.5 * 12 * 4)  # 4800
    assert sales_lift(0, 1, 5.0, 52) == 0


def test_zero_target_has_no_amber_band():
    # nps target 0: the band is 0.1 * |0| = 0, so -10 is red, 0 is green
    surveys = [
        {"response_id": i, "brand_id": brand, "submitted_at": "2026-03-04 10:00", "nps_score": score}
        for i, (brand, score) in enumerate([("a", 7)] * 10 + [("b", 7)] * 9 + [("b", 0)], start=1)
    ]
    data = dataset(
        brands=("a", "b"),
        customer_surveys=surveys,
        targets=[target("nps", 0.0, brand_id="a"), target("nps", 0.0, brand_id="b")],
    )
    rows = kpis(data, START, END)
    assert (rows[("nps", "a")]["value"], rows[("nps", "a")]["status"]) == (0.0, "green")
    assert (rows[("nps", "b")]["value"], rows[("nps", "b")]["status"]) == (-10.0, "red")
