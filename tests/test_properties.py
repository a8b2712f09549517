"""Properties of the engine on random small data sets (hypothesis).

A few customers, three brands, random completed / cancelled orders (guests and
equal timestamps included), random survey responses. Every order has a brand,
so the company's additive metrics are the sum over brands.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
from builders import SECTION4_ORDER, dataset, day
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from purpose_metrics.metrics import kpi_frame
from purpose_metrics.periods import Periods

BRANDS = ("a", "b", "c")
BASE = dt.datetime(2026, 3, 2)
# Grid: weeks 2026-W10 .. W13. Single period: the whole March-ish span.
GRID = Periods(day("2026-03-02"), day("2026-03-30"), "week")

# Percent metrics the contract bounds to [0, 100] (turnover and community
# investment can exceed 100 % by their definition and are not generated here).
BOUNDED_PERCENT = [
    "repeat_customer_rate",
    "returning_order_share",
    "repurchase_90d",
    "return_rate",
    "refund_rate",
    "purpose_achieved_rate",
    "on_time_delivery_rate",
    "first_contact_resolution",
    "csat",
    "message_click_rate",
    "unsubscribe_rate",
    "marketing_opt_in_rate",
    "cause_participation_rate",
    "purpose_alignment",
    "recycled_packaging_share",
    "waste_diversion_rate",
    "renewable_energy_share",
    "local_procurement_share",
]
POINTS = ["nps", "enps"]
# Section 2: the proportion metrics that carry a Wilson interval, and the survey metrics.
WILSON = {
    "repeat_customer_rate",
    "returning_order_share",
    "repurchase_90d",
    "purpose_achieved_rate",
    "on_time_delivery_rate",
    "first_contact_resolution",
    "csat",
    "message_click_rate",
    "unsubscribe_rate",
    "marketing_opt_in_rate",
    "cause_participation_rate",
    "purpose_alignment",
}
SURVEY = {
    "nps",
    "csat",
    "customer_effort",
    "purpose_achieved_rate",
    "enps",
    "engagement_index",
    "purpose_alignment",
}

# (metric, field) pairs that add up over brands when every record has a brand.
ADDITIVE = [
    ("orders", "value"),
    ("net_revenue", "value"),
    ("customer_donations", "value"),
    ("return_rate", "numerator"),
    ("return_rate", "denominator"),
    ("refund_rate", "numerator"),
    ("refund_rate", "denominator"),
    ("aov", "numerator"),
    ("aov", "denominator"),
    ("aur", "denominator"),
    ("cause_participation_rate", "numerator"),
    ("cause_participation_rate", "denominator"),
    ("on_time_delivery_rate", "numerator"),
    ("on_time_delivery_rate", "denominator"),
    ("delivery_co2e_per_order", "numerator"),
    ("delivery_co2e_per_order", "denominator"),
    ("returning_order_share", "denominator"),  # known orders
    ("orders", "n"),
    ("csat", "n"),
    ("nps", "n"),
    ("first_contact_resolution", "n"),
]

timestamps = st.builds(
    lambda d, h: BASE + dt.timedelta(days=d, hours=h),
    # some before the grid, some after it, a few late enough for repurchase_90d to mature
    st.one_of(st.integers(min_value=-10, max_value=34), st.just(125)),
    st.sampled_from([0, 10, 10, 23]),  # repeated hours make equal timestamps likely
)


@st.composite
def order_rows(draw):
    n = draw(st.integers(min_value=0, max_value=14))
    ids = draw(st.permutations(list(range(1, n + 1))))
    rows = []
    for oid in ids:
        units = draw(st.integers(1, 4))
        revenue = draw(st.sampled_from([0.0, 5.0, 10.5, 20.0]))
        at = draw(timestamps)
        delivered = draw(st.sampled_from([None, 0, 2, 6]))
        promised = draw(st.sampled_from([None, 1, 3]))
        packaging = draw(st.sampled_from([None, 1.0, 2.5]))
        rows.append(
            {
                "order_id": oid,
                "customer_id": draw(st.sampled_from([None, 1, 2, 3, 4])),
                "brand_id": draw(st.sampled_from(BRANDS)),
                "ordered_at": at,
                "status": draw(st.sampled_from(["completed", "completed", "completed", "cancelled"])),
                "units": units,
                "returned_units": draw(st.integers(0, units)),
                "net_revenue": revenue,
                "refunded_amount": revenue * draw(st.sampled_from([0.0, 0.5, 1.0])),
                "donation_amount": draw(st.sampled_from([0.0, 0.0, 1.0])),
                "delivered_at": None if delivered is None else at + dt.timedelta(days=delivered),
                "promised_delivery_date": None
                if promised is None
                else (at + dt.timedelta(days=promised)).date(),
                "shipping_co2e_kg": draw(st.sampled_from([None, 0.5, 1.25])),
                "packaging_kg": packaging,
                "packaging_recycled_kg": None
                if packaging is None
                else packaging * draw(st.sampled_from([0.0, 0.4, 1.0])),
            }
        )
    return rows


@st.composite
def survey_rows(draw):
    n = draw(st.integers(min_value=0, max_value=24))
    rows = []
    for i in range(n):
        rows.append(
            {
                "response_id": i + 1,
                "brand_id": draw(st.sampled_from(BRANDS)),
                "customer_id": draw(st.sampled_from([None, 1, 2])),
                "submitted_at": draw(timestamps),
                "nps_score": draw(st.one_of(st.none(), st.integers(0, 10))),
                "csat_score": draw(st.one_of(st.none(), st.integers(1, 5))),
                "effort_score": draw(st.one_of(st.none(), st.integers(1, 7))),
                "purpose_achieved": draw(st.one_of(st.none(), st.booleans())),
            }
        )
    return rows


@st.composite
def employee_rows(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    return [
        {
            "response_id": i + 1,
            "brand_id": draw(st.sampled_from(BRANDS)),  # every response has a brand here
            "submitted_at": draw(timestamps),
            "enps_score": draw(st.one_of(st.none(), st.integers(0, 10))),
            "engagement_score": draw(st.one_of(st.none(), st.sampled_from([1.0, 2.5, 4.0, 5.0]))),
            "purpose_alignment": draw(st.one_of(st.none(), st.integers(1, 5))),
        }
        for i in range(n)
    ]


@st.composite
def ticket_rows(draw):
    n = draw(st.integers(min_value=0, max_value=6))
    rows = []
    for i in range(n):
        opened = draw(timestamps)
        resolved = draw(st.sampled_from([None, 1, 30]))
        rows.append(
            {
                "ticket_id": i + 1,
                "brand_id": draw(st.sampled_from(BRANDS)),
                "opened_at": opened,
                "contacts": draw(st.integers(1, 3)),
                "resolved_at": None if resolved is None else opened + dt.timedelta(hours=resolved),
            }
        )
    return rows


@st.composite
def ledger_rows(draw):
    rows = []
    for month in ("2026-02-01", "2026-03-01"):
        for brand in draw(st.lists(st.sampled_from([None, *BRANDS]), unique=True, max_size=3)):
            energy, waste, spend = (draw(st.sampled_from([0.0, 100.0, 250.0])) for _ in range(3))
            rows.append(
                {
                    "period_start": month,
                    "brand_id": brand,
                    "scope1_tco2e": 1.5,
                    "energy_kwh": energy,
                    "renewable_energy_kwh": energy * draw(st.sampled_from([0, 0.3, 1])),
                    "waste_kg": waste,
                    "waste_diverted_kg": waste * draw(st.sampled_from([0, 0.5, 1])),
                    "procurement_spend": spend,
                    "local_procurement_spend": spend * draw(st.sampled_from([0, 0.2, 1])),
                    "privacy_complaints": draw(st.integers(0, 2)),
                }
            )
    return rows


@st.composite
def datasets(draw):
    orders = draw(order_rows())
    customers = [{"customer_id": i, "marketing_opt_in": draw(st.booleans())} for i in (1, 2, 3, 4)]
    return dataset(
        brands=BRANDS,
        orders=orders,
        customers=customers,
        customer_surveys=draw(survey_rows()),
        employee_surveys=draw(employee_rows()),
        support_tickets=draw(ticket_rows()),
        impact_ledger=draw(ledger_rows()),
    )


periods = st.sampled_from(
    [
        GRID,
        Periods(day("2026-03-02"), day("2026-03-09")),
        Periods(day("2026-02-25"), day("2026-04-03")),
    ]
)

# Modest example counts keep the whole suite fast (one kpi_frame call is ~0.1 s).
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rows(data, p):
    return kpi_frame(data, p).to_dicts()


def _close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@SETTINGS
@given(datasets(), periods)
def test_company_additive_metrics_are_the_sum_over_brands(data, p):
    rows = _rows(data, p)
    by = {(r["metric_id"], r["scope"], r["period_start"]): r for r in rows}
    for start in p.starts():
        for metric, field in ADDITIVE:
            company = by[(metric, "company", start)][field]
            brands = [by[(metric, b, start)][field] for b in BRANDS]
            assert company is not None, (metric, field)
            assert all(v is not None for v in brands), (metric, field)
            assert _close(company, sum(brands)), (metric, field, start, company, brands)


@SETTINGS
@given(datasets(), periods)
def test_every_percentage_lies_between_0_and_100(data, p):
    for r in _rows(data, p):
        if r["value"] is None:
            continue
        if r["metric_id"] in BOUNDED_PERCENT or r["metric_id"] == "engagement_index":
            assert 0 <= r["value"] <= 100, r
        if r["metric_id"] in POINTS:
            assert -100 <= r["value"] <= 100, r


@SETTINGS
@given(datasets(), periods)
def test_suppressed_rows_carry_no_numbers(data, p):
    for r in _rows(data, p):
        if r["suppressed"]:
            assert (r["value"], r["numerator"], r["denominator"], r["ci_low"], r["ci_high"]) == (
                None,
                None,
                None,
                None,
                None,
            ), r
            assert r["n"] is not None
        if r["immature"]:
            assert (r["value"], r["numerator"], r["denominator"], r["ci_low"], r["ci_high"]) == (
                None,
                None,
                None,
                None,
                None,
            ), r


@SETTINGS
@given(datasets(), periods)
def test_only_survey_metrics_are_suppressed_and_only_repurchase_is_immature(data, p):
    for r in _rows(data, p):
        if r["metric_id"] not in SURVEY:
            assert r["suppressed"] is False, r
        if r["metric_id"] != "repurchase_90d":
            assert r["immature"] is False, r


@SETTINGS
@given(datasets(), periods)
def test_intervals_only_on_proportions_and_nps(data, p):
    for r in _rows(data, p):
        has_ci = r["ci_low"] is not None
        if r["metric_id"] in WILSON or r["metric_id"] in POINTS:
            # an interval exactly when there is a value (nps/enps need n > 0, so do proportions)
            assert has_ci == (r["value"] is not None), r
        else:
            assert r["ci_low"] is None and r["ci_high"] is None, r


@SETTINGS
@given(datasets(), periods)
def test_interval_brackets_the_value(data, p):
    for r in _rows(data, p):
        if r["ci_low"] is None and r["ci_high"] is None:
            continue
        assert r["ci_low"] is not None and r["ci_high"] is not None and r["value"] is not None, r
        assert r["ci_low"] <= r["value"] + 1e-9, r
        assert r["value"] <= r["ci_high"] + 1e-9, r
        lo, hi = (-100, 100) if r["metric_id"] in POINTS else (0, 100)
        assert lo - 1e-9 <= r["ci_low"] and r["ci_high"] <= hi + 1e-9, r


@SETTINGS
@given(datasets(), periods)
def test_rows_of_every_scope_and_metric_in_order(data, p):
    frame = kpi_frame(data, p)
    starts = p.starts()
    assert frame.height == (1 + len(BRANDS)) * len(starts) * len(SECTION4_ORDER)
    expected = [(s, ps, m) for s in ("company", *BRANDS) for ps in starts for m in SECTION4_ORDER]
    assert list(zip(frame["scope"], frame["period_start"], frame["metric_id"], strict=True)) == expected
    assert (frame["suppressed"].is_not_null()).all()
    assert (frame["n"] >= 0).all()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_weekly_grid_equals_one_computation_per_week(data):
    grid = kpi_frame(data, GRID)
    for start in GRID.starts():
        single = kpi_frame(data, Periods(start, start + dt.timedelta(days=7)))
        week = grid.filter(pl.col("period_start") == start)
        assert_frame_equal(week, single, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)
