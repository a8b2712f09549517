"""People (employee surveys, workforce) and impact (ledger, order-based) metrics.

Monthly tables count a row in P only when its whole month lies in P; a week
never holds one. Rows with brand_id NULL count for the company only.
Expected numbers are worked out by hand in each test.
"""

from __future__ import annotations

import polars as pl
import pytest
from builders import assert_hidden, dataset, day, kpis, order, wilson

from purpose_metrics.metrics import kpi_frame
from purpose_metrics.periods import Periods

Q1 = ("2026-01-01", "2026-04-01")
WEEK10 = ("2026-03-02", "2026-03-09")


def employee_responses(first_id, values, column, **common):
    return [
        {"response_id": first_id + i, "submitted_at": "2026-03-04 12:00", column: v, **common}
        for i, v in enumerate(values)
    ]


# --- employee surveys ----------------------------------------------------------------------


def test_four_employee_responses_are_suppressed():
    data = dataset(employee_surveys=employee_responses(1, [9, 9, 9, 9], "enps_score"))
    row = kpis(data, *WEEK10)[("enps", "company")]
    assert row["suppressed"] is True and row["n"] == 4
    assert_hidden(row)


def test_five_employee_responses_are_shown():
    data = dataset(employee_surveys=employee_responses(1, [10, 9, 8, 6, 0], "enps_score"))
    row = kpis(data, *WEEK10)[("enps", "company")]
    assert row["suppressed"] is False
    # promoters 10, 9 = 2; detractors 6, 0 = 2; n = 5
    assert row["value"] == pytest.approx(100 * (2 - 2) / 5)
    assert (row["numerator"], row["denominator"], row["n"]) == (0, 5, 5)
    # p = d = 0.4: half = z * 100 * sqrt((0.8 - 0) / 5)
    half = 1.959964 * 100 * (0.8 / 5) ** 0.5
    assert row["ci_low"] == pytest.approx(-half, rel=1e-9)
    assert row["ci_high"] == pytest.approx(half, rel=1e-9)


def test_employee_responses_without_brand_count_for_the_company_only():
    rows = (
        employee_responses(1, [10] * 5, "enps_score")  # brand NULL
        + employee_responses(10, [0] * 5, "enps_score", brand_id="a")
    )
    out = kpis(dataset(employee_surveys=rows), *WEEK10)
    assert out[("enps", "company")]["value"] == pytest.approx(100 * (5 - 5) / 10)
    assert out[("enps", "company")]["n"] == 10
    assert out[("enps", "a")]["value"] == -100.0
    assert out[("enps", "b")]["n"] == 0 and out[("enps", "b")]["suppressed"] is True


def test_engagement_index_rescales_the_mean_score():
    data = dataset(employee_surveys=employee_responses(1, [1.0, 2.0, 3.0, 4.0, 5.0], "engagement_score"))
    row = kpis(data, *WEEK10)[("engagement_index", "company")]
    # mean 15 / 5 = 3 -> 100 * (3 - 1) / 4 = 50
    assert row["value"] == pytest.approx(100 * (15 / 5 - 1) / 4)
    assert row["numerator"] == pytest.approx(15.0)
    assert (row["denominator"], row["n"]) == (5, 5)
    assert row["ci_low"] is None and row["ci_high"] is None


def test_engagement_index_counts_only_responses_with_a_score():
    rows = employee_responses(1, [4.5, 4.5, 4.5, 4.5, None, None], "engagement_score")
    row = kpis(dataset(employee_surveys=rows), *WEEK10)[("engagement_index", "company")]
    assert row["n"] == 4 and row["suppressed"] is True


def test_purpose_alignment_counts_4_and_5():
    data = dataset(employee_surveys=employee_responses(1, [5, 4, 4, 3, 1], "purpose_alignment"))
    row = kpis(data, *WEEK10)[("purpose_alignment", "company")]
    assert row["value"] == pytest.approx(100 * 3 / 5)
    assert (row["numerator"], row["denominator"], row["n"]) == (3, 5, 5)
    low, high = wilson(3, 5)
    assert row["ci_low"] == pytest.approx(low, rel=1e-9)
    assert row["ci_high"] == pytest.approx(high, rel=1e-9)


# --- workforce -----------------------------------------------------------------------------


def _workforce_rows():
    w = [
        # company-wide function (brand NULL), team ops
        ("2026-01-01", None, "ops", 10, 12, 1, 0, 20.0),
        ("2026-02-01", None, "ops", 12, 12, 0, 1, 10.0),
        ("2026-03-01", None, "ops", 12, 11, 1, 0, 5.0),
        # brand a, team store (no February row)
        ("2026-01-01", "a", "store", 20, 20, 2, 0, 40.0),
        ("2026-03-01", "a", "store", 20, 18, 1, 1, 8.0),
        # outside Q1
        ("2025-12-01", "a", "store", 100, 100, 50, 50, 1000.0),
        ("2026-04-01", "a", "store", 100, 100, 50, 50, 1000.0),
    ]
    return [
        {
            "period_start": p,
            "brand_id": b,
            "team": t,
            "headcount_start": hs,
            "headcount_end": he,
            "voluntary_leavers": vol,
            "involuntary_leavers": inv,
            "training_hours": th,
        }
        for p, b, t, hs, he, vol, inv, th in w
    ]


def test_voluntary_turnover_divides_by_average_monthly_headcount():
    out = kpis(dataset(workforce=_workforce_rows()), *Q1)
    row = out[("voluntary_turnover_rate", "company")]
    # Σ voluntary = 1 + 0 + 1 + 2 + 1 = 5
    # Σ (start + end) / 2 = 11 + 12 + 11.5 + 20 + 19 = 73.5 over 3 distinct months -> 24.5
    assert row["value"] == pytest.approx(100 * 5 / (73.5 / 3))
    assert row["numerator"] == 5
    assert row["denominator"] == pytest.approx(24.5)
    assert row["n"] == 5
    assert row["ci_low"] is None
    brand = out[("voluntary_turnover_rate", "a")]
    # brand a: Σ voluntary 3, Σ averages 20 + 19 = 39 over its 2 months -> 19.5
    assert brand["value"] == pytest.approx(100 * 3 / (39 / 2))
    assert brand["n"] == 2


def test_turnover_rate_divides_by_headcount_end_of_the_last_month():
    out = kpis(dataset(workforce=_workforce_rows()), *Q1)
    row = out[("turnover_rate", "company")]
    # leavers = 5 voluntary + (0 + 1 + 0 + 0 + 1) involuntary = 7; March headcount_end 11 + 18 = 29
    assert row["value"] == pytest.approx(100 * 7 / 29)
    assert (row["numerator"], row["denominator"], row["n"]) == (7, 29, 5)
    assert out[("turnover_rate", "a")]["value"] == pytest.approx(100 * (3 + 1) / 18)


def test_training_hours_per_employee_uses_last_month_headcount():
    out = kpis(dataset(workforce=_workforce_rows()), *Q1)
    row = out[("training_hours_per_employee", "company")]
    assert row["value"] == pytest.approx((20 + 10 + 5 + 40 + 8) / 29)
    assert row["numerator"] == pytest.approx(83.0)
    assert row["denominator"] == 29
    assert out[("training_hours_per_employee", "a")]["value"] == pytest.approx((40 + 8) / 18)


def test_workforce_metrics_null_with_n_zero_without_rows_in_scope():
    out = kpis(dataset(workforce=_workforce_rows()), *Q1)
    for metric in ("voluntary_turnover_rate", "turnover_rate", "training_hours_per_employee"):
        row = out[(metric, "b")]
        assert_hidden(row)
        assert row["n"] == 0


def test_workforce_row_counts_only_when_its_whole_month_lies_in_p():
    # [2026-01-15, 2026-03-01): only February is whole -> the ops February row
    out = kpis(dataset(workforce=_workforce_rows()), "2026-01-15", "2026-03-01")
    row = out[("turnover_rate", "company")]
    assert row["n"] == 1
    assert row["value"] == pytest.approx(100 * 1 / 12)
    # [2026-01-01, 2026-03-31): March's last day is not before `to`: Jan and Feb only
    out = kpis(dataset(workforce=_workforce_rows()), "2026-01-01", "2026-03-31")
    row = out[("turnover_rate", "company")]
    assert row["n"] == 3  # ops Jan, ops Feb, a Jan
    # leavers 1 + 1 + 2 = 4; last month February: headcount_end 12
    assert row["value"] == pytest.approx(100 * 4 / 12)


def test_workforce_metrics_are_null_for_a_week():
    out = kpis(dataset(workforce=_workforce_rows()), *WEEK10)
    for metric in ("voluntary_turnover_rate", "turnover_rate", "training_hours_per_employee"):
        row = out[(metric, "company")]
        assert_hidden(row)
        assert row["n"] == 0


# --- impact ledger ---------------------------------------------------------------------------


def _ledger_rows():
    shared = {
        "period_start": "2026-01-01",
        "brand_id": None,
        "scope1_tco2e": 1.0,
        "scope2_tco2e": 0.5,
        "scope3_tco2e": 0.5,
        "energy_kwh": 1000.0,
        "renewable_energy_kwh": 400.0,
        "waste_kg": 100.0,
        "waste_diverted_kg": 60.0,
        "community_investment": 50.0,
        "procurement_spend": 1000.0,
        "local_procurement_spend": 200.0,
        "privacy_complaints": 1,
    }
    brand_a = {
        "period_start": "2026-02-01",
        "brand_id": "a",
        "scope1_tco2e": 0.25,
        "scope2_tco2e": 0.25,
        "scope3_tco2e": 0.5,
        "energy_kwh": 500.0,
        "renewable_energy_kwh": 500.0,
        "waste_kg": 50.0,
        "waste_diverted_kg": 10.0,
        "community_investment": 25.0,
        "procurement_spend": 500.0,
        "local_procurement_spend": 300.0,
        "privacy_complaints": 0,
    }
    later = {**brand_a, "period_start": "2026-04-01", "privacy_complaints": 7}  # outside Q1
    return [shared, brand_a, later]


def _ledger_data():
    orders = [
        order(1, 1, "a", "2026-01-10 10:00", net_revenue=100.0, refunded_amount=20.0),
        order(2, 1, "a", "2026-02-10 10:00", net_revenue=100.0),
        order(3, None, "a", "2026-03-10 10:00", net_revenue=100.0),
        order(4, 2, "a", "2026-03-11 10:00", net_revenue=100.0),
        order(5, 2, "b", "2026-03-12 10:00", net_revenue=100.0),
        order(6, 2, "b", "2026-03-12 11:00", net_revenue=100.0, status="cancelled"),
    ]
    return dataset(orders=orders, impact_ledger=_ledger_rows())


def test_ghg_intensity_is_kg_per_order():
    out = kpis(_ledger_data(), *Q1)
    row = out[("ghg_intensity", "company")]
    # 1000 * ((1 + 0.5 + 0.5) + (0.25 + 0.25 + 0.5)) / 5 orders = 3000 / 5
    assert row["value"] == pytest.approx(1000 * (2.0 + 1.0) / 5)
    assert row["numerator"] == pytest.approx(3000.0)  # after the x1000
    assert (row["denominator"], row["n"]) == (5, 5)
    assert out[("ghg_intensity", "a")]["value"] == pytest.approx(1000 * 1.0 / 4)


def test_energy_intensity_is_kwh_per_order():
    out = kpis(_ledger_data(), *Q1)
    assert out[("energy_intensity", "company")]["value"] == pytest.approx((1000 + 500) / 5)
    assert out[("energy_intensity", "a")]["value"] == pytest.approx(500 / 4)


def test_ledger_share_metrics():
    out = kpis(_ledger_data(), *Q1)
    expected = {
        "waste_diversion_rate": (60 + 10, 100 + 50),
        "renewable_energy_share": (400 + 500, 1000 + 500),
        "local_procurement_share": (200 + 300, 1000 + 500),
    }
    for metric, (num, den) in expected.items():
        row = out[(metric, "company")]
        assert row["value"] == pytest.approx(100 * num / den), metric
        assert row["numerator"] == pytest.approx(num) and row["denominator"] == pytest.approx(den)
        assert row["n"] == 2, metric  # ledger rows in P
        assert row["ci_low"] is None, metric
    assert out[("waste_diversion_rate", "a")]["value"] == pytest.approx(100 * 10 / 50)


def test_community_investment_share_divides_by_net_revenue_metric():
    out = kpis(_ledger_data(), *Q1)
    # net_revenue = 5 * 100 - 20 refunded = 480
    assert out[("net_revenue", "company")]["value"] == pytest.approx(480.0)
    row = out[("community_investment_share", "company")]
    assert row["value"] == pytest.approx(100 * (50 + 25) / 480)
    assert row["denominator"] == pytest.approx(480.0)
    assert out[("community_investment_share", "a")]["value"] == pytest.approx(100 * 25 / (400 - 20))


def test_privacy_complaints_is_a_sum_of_rows_in_p():
    out = kpis(_ledger_data(), *Q1)
    row = out[("privacy_complaints", "company")]
    assert (row["value"], row["numerator"], row["denominator"], row["n"]) == (1, 1, None, 2)
    row = out[("privacy_complaints", "a")]
    assert (row["value"], row["n"]) == (0, 1)  # a row with 0 complaints is 0, not NULL


def test_ledger_metrics_null_with_n_zero_without_rows_in_scope():
    out = kpis(_ledger_data(), *Q1)  # brand b has orders but no ledger rows
    for metric in (
        "waste_diversion_rate",
        "renewable_energy_share",
        "community_investment_share",
        "local_procurement_share",
        "privacy_complaints",
    ):
        row = out[(metric, "b")]
        assert_hidden(row)
        assert row["n"] == 0, metric
    for metric in ("ghg_intensity", "energy_intensity"):
        row = out[(metric, "b")]
        assert row["value"] is None, metric
        assert row["n"] == 1, metric  # n counts orders for these two


def test_ledger_metrics_are_null_for_a_week():
    data = _ledger_data()
    out = kpis(data, "2026-03-09", "2026-03-16")
    assert out[("orders", "company")]["value"] == 3
    for metric in (
        "ghg_intensity",
        "energy_intensity",
        "waste_diversion_rate",
        "renewable_energy_share",
        "community_investment_share",
        "local_procurement_share",
        "privacy_complaints",
    ):
        assert out[(metric, "company")]["value"] is None, metric


def test_ledger_row_needs_its_whole_month_in_p():
    out = kpis(_ledger_data(), "2026-01-02", "2026-03-01")  # January not whole; February is
    row = out[("privacy_complaints", "company")]
    assert (row["value"], row["n"]) == (0, 1)  # only brand a's February row
    assert out[("renewable_energy_share", "company")]["value"] == 100.0


def test_monthly_trend_gives_each_month_its_own_rows():
    data = dataset(workforce=_workforce_rows(), impact_ledger=_ledger_rows())
    frame = kpi_frame(
        data,
        Periods(day("2026-01-01"), day("2026-04-01"), "month"),
        metric_ids=["turnover_rate", "privacy_complaints"],
    )
    company = frame.filter(pl.col("scope") == "company")
    got = {
        (r["metric_id"], r["period_start"].isoformat()): (r["value"], r["n"])
        for r in company.iter_rows(named=True)
    }
    # January: ops (1 + 0) + a (2 + 0) leavers over 12 + 20 headcount_end
    assert got[("turnover_rate", "2026-01-01")] == (pytest.approx(100 * 3 / 32), 2)
    # February: ops only: 1 leaver over 12
    assert got[("turnover_rate", "2026-02-01")] == (pytest.approx(100 * 1 / 12), 1)
    # March: ops 1 + a 2 = 3 leavers over 11 + 18
    assert got[("turnover_rate", "2026-03-01")] == (pytest.approx(100 * 3 / 29), 2)
    assert got[("privacy_complaints", "2026-01-01")] == (1, 1)
    assert got[("privacy_complaints", "2026-02-01")] == (0, 1)
    assert got[("privacy_complaints", "2026-03-01")] == (None, 0)
    ends = company.select("period_start", "period_end").unique().sort("period_start").rows()
    assert [(s.isoformat(), e.isoformat()) for s, e in ends] == [
        ("2026-01-01", "2026-02-01"),
        ("2026-02-01", "2026-03-01"),
        ("2026-03-01", "2026-04-01"),
    ]


# --- order-based impact ------------------------------------------------------------------------


def test_delivery_co2e_per_order_counts_orders_with_a_value_guests_included():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-03 10:00", shipping_co2e_kg=1.5),
            order(2, None, "a", "2026-03-03 11:00", shipping_co2e_kg=2.5),
            order(3, 1, "a", "2026-03-03 12:00"),  # no value: left out
            order(4, 1, "a", "2026-03-03 13:00", shipping_co2e_kg=0.0),
        ]
    )
    row = kpis(data, *WEEK10)[("delivery_co2e_per_order", "company")]
    assert row["value"] == pytest.approx((1.5 + 2.5 + 0.0) / 3)
    assert row["numerator"] == pytest.approx(4.0)
    assert (row["denominator"], row["n"]) == (3, 3)


def test_recycled_packaging_share_uses_orders_with_both_weights():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-03 10:00", packaging_kg=2.0, packaging_recycled_kg=1.0),
            order(2, 1, "a", "2026-03-03 11:00", packaging_kg=1.0),  # no recycled weight: out
            order(3, None, "a", "2026-03-03 12:00", packaging_kg=2.0, packaging_recycled_kg=0.5),
        ]
    )
    row = kpis(data, *WEEK10)[("recycled_packaging_share", "company")]
    assert row["value"] == pytest.approx(100 * (1.0 + 0.5) / (2.0 + 2.0))
    assert row["numerator"] == pytest.approx(1.5) and row["denominator"] == pytest.approx(4.0)
    assert row["n"] == 2


def test_order_based_impact_null_without_qualifying_orders():
    data = dataset(orders=[order(1, 1, "a", "2026-03-03 10:00")])
    out = kpis(data, *WEEK10)
    for metric in ("delivery_co2e_per_order", "recycled_packaging_share"):
        row = out[(metric, "company")]
        assert row["value"] is None and row["n"] == 0, metric


def test_last_month_is_the_latest_month_of_the_scopes_rows():
    rows = [
        {
            "period_start": "2026-01-01",
            "brand_id": "a",
            "team": "store",
            "headcount_start": 10,
            "headcount_end": 8,
            "voluntary_leavers": 2,
        },
        {
            "period_start": "2026-02-01",
            "brand_id": None,
            "team": "ops",
            "headcount_start": 5,
            "headcount_end": 5,
            "involuntary_leavers": 1,
            "training_hours": 10.0,
        },
    ]
    out = kpis(dataset(workforce=rows), "2026-01-01", "2026-03-01")
    # company: last month is February, whose only row is ops: headcount_end 5 (brand a's 8 is January)
    assert out[("turnover_rate", "company")]["value"] == pytest.approx(100 * (2 + 1) / 5)
    assert out[("training_hours_per_employee", "company")]["value"] == pytest.approx(10.0 / 5)
    # Σ (start + end) / 2 = 9 + 5 = 14 over 2 distinct months -> 7
    assert out[("voluntary_turnover_rate", "company")]["value"] == pytest.approx(100 * 2 / (14 / 2))
    # brand a: its last month is January
    assert out[("turnover_rate", "a")]["value"] == pytest.approx(100 * 2 / 8)
    assert out[("voluntary_turnover_rate", "a")]["value"] == pytest.approx(100 * 2 / 9)
