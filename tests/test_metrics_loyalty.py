"""Loyalty metrics (SPEC section 4) and the conventions of section 2 they rest on.

Every fixture is a handful of orders; every expected number is worked out by
hand in the test. P is ISO week 2026-W10 = [2026-03-02, 2026-03-09) unless
a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import (
    SECTION4_ORDER,
    assert_hidden,
    dataset,
    kpis,
    order,
    ts,
    wilson,
)

from purpose_metrics.metrics import Filters, compute_kpis, kpi_frame
from purpose_metrics.periods import Periods

START, END = "2026-03-02", "2026-03-09"


def week10(data, **kw):
    return kpis(data, START, END, **kw)


# --- time and completed orders -------------------------------------------------------


def test_period_is_half_open_from_midnight_to_midnight():
    data = dataset(
        orders=[
            order(1, None, "a", "2026-03-01 23:59:59"),  # before P
            order(2, None, "a", "2026-03-02 00:00:00"),  # first instant of P
            order(3, None, "a", "2026-03-08 23:59:59"),  # last second of P
            order(4, None, "a", "2026-03-09 00:00:00"),  # `to` itself is outside
        ]
    )
    assert week10(data)[("orders", "company")]["value"] == 2  # orders 2 and 3


def test_cancelled_order_is_not_counted_in_orders():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-03 10:00"),
            order(2, 1, "a", "2026-03-04 10:00", status="cancelled"),
            order(3, None, "a", "2026-03-05 10:00", status="cancelled", net_revenue=99.0),
            order(4, None, "a", "2026-03-06 10:00"),
        ]
    )
    rows = week10(data)
    assert rows[("orders", "company")]["value"] == 2  # orders 1 and 4
    assert rows[("net_revenue", "company")]["value"] == 10.0 + 10.0


def test_cancelled_order_changes_no_metric():
    completed = [
        order(1, 1, "a", "2026-02-01 10:00"),
        order(2, 1, "a", "2026-03-05 10:00"),
        order(3, 2, "b", "2026-03-05 11:00", net_revenue=40.0, units=2),
        order(9, 3, "a", "2026-03-08 12:00"),  # the latest order: as-of stays put
    ]
    cancelled = [
        # a customer whose only order is cancelled is neither active nor new
        order(
            4,
            4,
            "a",
            "2026-03-03 10:00",
            status="cancelled",
            donation_amount=5.0,
            promised_delivery_date="2026-03-05",
            delivered_at="2026-03-04 10:00",
        ),
        # a cancelled order before customer 2's first completed one: 2 stays new
        order(5, 2, "b", "2026-03-04 10:00", status="cancelled"),
        # a cancelled order between customer 1's two orders
        order(6, 1, "a", "2026-02-10 10:00", status="cancelled", returned_units=1),
    ]
    base = dataset(orders=completed)
    with_cancelled = dataset(orders=completed + cancelled)
    assert base.as_of == with_cancelled.as_of == ts("2026-03-08 12:00")
    frame_base = compute_kpis(base, ts(START).date(), ts(END).date())
    frame_cancelled = compute_kpis(with_cancelled, ts(START).date(), ts(END).date())
    assert frame_cancelled.equals(frame_base)
    # and the values are the ones without the cancelled orders:
    rows = week10(with_cancelled)
    assert rows[("active_customers", "company")]["value"] == 3  # customers 1, 2, 3
    assert rows[("new_customers", "company")]["value"] == 2  # customers 2 and 3


def test_cancelled_order_moves_the_as_of_instant():
    # P = [2026-01-05, 2026-01-12): mature once as-of >= 2026-01-12 + 90 days = 2026-04-12 00:00
    orders = [order(1, 1, "a", "2026-01-06 10:00"), order(2, 2, "b", "2026-03-01 10:00")]
    late_cancel = order(3, 2, "b", "2026-04-12 00:00", status="cancelled")
    without = dataset(orders=orders)
    with_cancel = dataset(orders=orders + [late_cancel])
    assert without.as_of == ts("2026-03-01 10:00")
    assert with_cancel.as_of == ts("2026-04-12 00:00")
    assert kpis(without, "2026-01-05", "2026-01-12")[("repurchase_90d", "company")]["immature"] is True
    row = kpis(with_cancel, "2026-01-05", "2026-01-12")[("repurchase_90d", "company")]
    assert row["immature"] is False
    assert row["value"] == 0.0  # customer 1 never bought again


def test_as_of_is_the_same_for_every_scope():
    # brand b's own last order is long before the as-of, yet b is judged by the global as-of
    data = dataset(
        orders=[
            order(1, 1, "b", "2026-01-06 10:00"),
            order(2, 2, "a", "2026-05-01 00:00"),
        ]
    )
    rows = kpis(data, "2026-01-05", "2026-01-12")
    for scope in ("company", "a", "b"):
        assert rows[("repurchase_90d", scope)]["immature"] is False
    assert rows[("repurchase_90d", "b")]["value"] == 0.0  # 0 of 1


# --- guests ----------------------------------------------------------------------------


def test_guest_order_counts_in_order_metrics_not_customer_metrics():
    data = dataset(
        orders=[
            order(
                1,
                None,
                "a",
                "2026-03-03 10:00",
                units=2,
                net_revenue=30.0,
                returned_units=1,
                refunded_amount=6.0,
                promised_delivery_date="2026-03-05",
                delivered_at="2026-03-05 09:00",
                shipping_co2e_kg=2.0,
                donation_amount=1.0,
            ),
            order(
                2,
                1,
                "a",
                "2026-03-04 10:00",
                units=3,
                net_revenue=50.0,
                promised_delivery_date="2026-03-05",
                delivered_at="2026-03-07 09:00",
                shipping_co2e_kg=4.0,
            ),
        ]
    )
    rows = week10(data)

    def value(metric):
        return rows[(metric, "company")]["value"]

    # order-based: the guest is in
    assert value("orders") == 2
    assert value("net_revenue") == (30.0 + 50.0) - 6.0
    assert value("aov") == pytest.approx((30.0 + 50.0) / 2)
    assert value("aur") == pytest.approx((30.0 + 50.0) / (2 + 3))
    assert value("return_rate") == pytest.approx(100 * 1 / 5)
    assert value("refund_rate") == pytest.approx(100 * 6.0 / 80.0)
    assert value("on_time_delivery_rate") == pytest.approx(100 * 1 / 2)  # the guest's was on time
    assert value("delivery_co2e_per_order") == pytest.approx((2.0 + 4.0) / 2)
    assert value("cause_participation_rate") == pytest.approx(100 * 1 / 2)
    assert value("customer_donations") == 1.0
    # customer-based: only customer 1
    assert value("active_customers") == 1
    assert value("new_customers") == 1
    assert value("purchase_frequency") == 1.0  # 1 known order / 1 customer
    assert value("returning_order_share") == 0.0
    assert rows[("returning_order_share", "company")]["n"] == 1  # known orders only
    assert rows[("repeat_customer_rate", "company")]["n"] == 1


def test_only_guest_orders_leave_customer_ratios_null():
    data = dataset(orders=[order(1, None, "a", "2026-03-03 10:00"), order(2, None, "a", "2026-03-04 10:00")])
    rows = week10(data)
    assert rows[("orders", "company")]["value"] == 2
    assert rows[("active_customers", "company")]["value"] == 0
    for metric in ("purchase_frequency", "repeat_customer_rate", "returning_order_share"):
        row = rows[(metric, "company")]
        assert row["value"] is None and row["n"] == 0


# --- order metrics ---------------------------------------------------------------------


def _revenue_fixture():
    # brand a: 100 (refund 20, 2 units), 50 (1 unit), guest 30 (refund 5, 3 units)
    # brand b: 10 (1 unit)
    return dataset(
        orders=[
            order(
                1,
                1,
                "a",
                "2026-03-02 09:00",
                net_revenue=100.0,
                refunded_amount=20.0,
                units=2,
                returned_units=1,
            ),
            order(2, 2, "a", "2026-03-03 09:00", net_revenue=50.0, units=1),
            order(
                3,
                None,
                "a",
                "2026-03-04 09:00",
                net_revenue=30.0,
                refunded_amount=5.0,
                units=3,
                returned_units=2,
            ),
            order(4, 3, "b", "2026-03-05 09:00", net_revenue=10.0, units=1),
        ]
    )


def test_net_revenue_subtracts_refunds_and_is_a_sum():
    rows = week10(_revenue_fixture())
    company = rows[("net_revenue", "company")]
    assert company["value"] == pytest.approx((100 + 50 + 30 + 10) - (20 + 5))  # 165
    assert company["numerator"] == pytest.approx(165.0)
    assert company["denominator"] is None
    assert company["n"] == 4
    assert company["ci_low"] is None and company["ci_high"] is None
    assert rows[("net_revenue", "a")]["value"] == pytest.approx(180 - 25)
    assert rows[("net_revenue", "b")]["value"] == pytest.approx(10.0)


def test_aov_uses_revenue_before_refunds_and_company_is_not_mean_of_brands():
    rows = week10(_revenue_fixture())
    a, b, company = (rows[("aov", s)] for s in ("a", "b", "company"))
    assert a["value"] == pytest.approx((100 + 50 + 30) / 3)  # 60
    assert b["value"] == pytest.approx(10 / 1)
    assert company["value"] == pytest.approx((100 + 50 + 30 + 10) / 4)  # 47.5
    assert company["value"] != pytest.approx((60 + 10) / 2)  # not the mean of brand AOVs (35)
    assert (company["numerator"], company["denominator"], company["n"]) == (190.0, 4, 4)


def test_aur_is_revenue_per_unit():
    rows = week10(_revenue_fixture())
    row = rows[("aur", "company")]
    assert row["value"] == pytest.approx(190 / (2 + 1 + 3 + 1))
    assert (row["numerator"], row["denominator"], row["n"]) == (190.0, 7, 4)


def test_return_rate_is_returned_units_over_units():
    rows = week10(_revenue_fixture())
    row = rows[("return_rate", "company")]
    assert row["value"] == pytest.approx(100 * (1 + 2) / 7)
    assert (row["numerator"], row["denominator"], row["n"]) == (3, 7, 4)
    assert row["ci_low"] is None  # not a proportion of records: no interval
    assert rows[("return_rate", "b")]["value"] == 0.0


def test_refund_rate_is_refunds_over_revenue_before_refunds():
    rows = week10(_revenue_fixture())
    row = rows[("refund_rate", "company")]
    assert row["value"] == pytest.approx(100 * (20 + 5) / 190)
    assert row["numerator"] == pytest.approx(25.0)
    assert row["denominator"] == pytest.approx(190.0)


def test_orders_is_a_count_with_null_denominator():
    row = week10(_revenue_fixture())[("orders", "a")]
    assert (row["value"], row["numerator"], row["denominator"], row["n"]) == (3, 3, None, 3)
    assert row["suppressed"] is False and row["immature"] is False


# --- customers -------------------------------------------------------------------------


def test_active_customers_counts_distinct_known_customers():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-02 09:00"),
            order(2, 1, "a", "2026-03-03 09:00"),
            order(3, 1, "b", "2026-03-03 10:00"),
            order(4, 2, "b", "2026-03-04 09:00"),
            order(5, None, "b", "2026-03-04 10:00"),
        ]
    )
    rows = week10(data)
    assert rows[("active_customers", "company")]["value"] == 2  # 1 and 2
    assert rows[("active_customers", "a")]["value"] == 1
    assert rows[("active_customers", "b")]["value"] == 2
    pf = rows[("purchase_frequency", "company")]
    assert pf["value"] == pytest.approx(4 / 2)  # 4 known orders / 2 customers, guest left out
    assert (pf["numerator"], pf["denominator"], pf["n"]) == (4, 2, 2)
    assert rows[("purchase_frequency", "b")]["value"] == pytest.approx(2 / 2)


def test_brand_scope_first_order_is_new_for_that_brand():
    # customer 1 bought at brand a in January, then at brand b for the first time in P
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-01-10 10:00"),
            order(2, 1, "b", "2026-03-03 10:00"),
        ]
    )
    rows = week10(data)
    assert rows[("new_customers", "b")]["value"] == 1
    assert rows[("new_customers", "company")]["value"] == 0  # company history has January
    assert rows[("new_customers", "a")]["value"] == 0  # no order of a in P
    # the same order is returning for the company, not for brand b
    assert rows[("returning_order_share", "company")]["value"] == 100.0
    assert rows[("returning_order_share", "b")]["value"] == 0.0
    assert rows[("repeat_customer_rate", "company")]["value"] == 100.0  # 2 orders in company scope
    assert rows[("repeat_customer_rate", "b")]["value"] == 0.0  # 1 order at b


def test_new_customers_counts_first_order_in_period():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-02 10:00"),  # first ever: new
            order(2, 1, "a", "2026-03-04 10:00"),
            order(3, 2, "a", "2026-02-20 10:00"),  # customer 2 started before P
            order(4, 2, "a", "2026-03-05 10:00"),
            order(5, 3, "a", "2026-03-08 23:00"),  # new
            order(6, 4, "a", "2026-03-09 00:00"),  # first order after P
            order(7, None, "a", "2026-03-03 10:00"),  # guest: never a customer
        ]
    )
    row = week10(data)[("new_customers", "company")]
    assert (row["value"], row["numerator"], row["denominator"], row["n"]) == (2, 2, None, 2)


def test_repeat_customer_rate_counts_orders_before_the_period_up_to_its_end():
    data = dataset(
        orders=[
            order(1, 1, "a", "2025-11-01 10:00"),  # customer 1: one before P + one in P -> repeat
            order(2, 1, "a", "2026-03-03 10:00"),
            order(3, 2, "a", "2026-03-03 11:00"),  # customer 2: one in P only
            order(4, 3, "a", "2026-03-04 10:00"),  # customer 3: two in P -> repeat
            order(5, 3, "a", "2026-03-05 10:00"),
            order(6, 4, "a", "2026-03-06 10:00"),  # customer 4: one in P, one after P -> not yet
            order(7, 4, "a", "2026-03-10 10:00"),
            order(8, 5, "a", "2025-12-01 10:00"),  # customer 5: not active in P
            order(9, 5, "a", "2025-12-02 10:00"),
        ]
    )
    row = week10(data)[("repeat_customer_rate", "company")]
    assert row["value"] == pytest.approx(100 * 2 / 4)
    assert (row["numerator"], row["denominator"], row["n"]) == (2, 4, 4)
    low, high = wilson(2, 4)
    assert row["ci_low"] == pytest.approx(low, rel=1e-9)
    assert row["ci_high"] == pytest.approx(high, rel=1e-9)


def test_returning_order_share_counts_orders_with_an_earlier_order():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-01-01 10:00"),
            order(2, 1, "a", "2026-03-02 10:00"),  # returning
            order(3, 2, "a", "2026-03-03 10:00"),  # first
            order(4, 2, "a", "2026-03-04 10:00"),  # returning
            order(5, None, "a", "2026-03-04 10:00"),  # guest: not a known order
        ]
    )
    row = week10(data)[("returning_order_share", "company")]
    assert row["value"] == pytest.approx(100 * 2 / 3)
    assert (row["numerator"], row["denominator"], row["n"]) == (2, 3, 3)
    low, high = wilson(2, 3)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))


def test_orders_at_the_same_instant_the_second_is_returning():
    data = dataset(
        orders=[
            order(7, 1, "a", "2026-03-03 10:00"),
            order(3, 1, "a", "2026-03-03 10:00"),
        ]
    )
    rows = week10(data)
    assert rows[("new_customers", "company")]["value"] == 1
    assert rows[("returning_order_share", "company")]["value"] == pytest.approx(100 * 1 / 2)
    assert rows[("repeat_customer_rate", "company")]["value"] == 100.0


def test_equal_timestamps_lower_order_id_is_the_earlier_one():
    # Orders 3 (app) and 7 (web) share a timestamp: by (ordered_at, order_id) order 3 is
    # the first, so order 7 is the returning one. The channel filter shows which is which.
    data = dataset(
        orders=[
            order(7, 1, "a", "2026-03-03 10:00", channel="web"),
            order(3, 1, "a", "2026-03-03 10:00", channel="app"),
        ]
    )
    web = week10(data, filters=Filters(channel=("web",)))
    app = week10(data, filters=Filters(channel=("app",)))
    assert web[("returning_order_share", "company")]["value"] == 100.0
    assert app[("returning_order_share", "company")]["value"] == 0.0
    assert web[("new_customers", "company")]["value"] == 0
    assert app[("new_customers", "company")]["value"] == 1


# --- repurchase_90d ----------------------------------------------------------------------

# P = [2026-01-05, 2026-01-12); to + 90 days = 2026-04-12 00:00.
JAN_START, JAN_END = "2026-01-05", "2026-01-12"


def test_repurchase_90d_exactly_90_days_counts_and_one_second_more_does_not():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-01-05 10:00:00"),
            order(2, 1, "a", "2026-04-05 10:00:00"),  # first + 90 days exactly: counts
            order(3, 2, "a", "2026-01-06 10:00:00"),
            order(4, 2, "a", "2026-04-06 10:00:01"),  # first + 90 days + 1 s: too late
            order(5, 3, "a", "2026-01-07 10:00:00"),  # never again
            order(6, 4, "a", "2025-12-01 10:00:00"),  # customer 4 is not new in P
            order(7, 4, "a", "2026-01-08 10:00:00"),
            order(8, None, "a", "2026-01-08 11:00:00"),  # guest
            order(9, 5, "a", "2026-04-12 00:00:00"),  # as-of = to + 90 days: mature
        ]
    )
    row = kpis(data, JAN_START, JAN_END)[("repurchase_90d", "company")]
    assert row["immature"] is False
    assert row["value"] == pytest.approx(100 * 1 / 3)
    assert (row["numerator"], row["denominator"], row["n"]) == (1, 3, 3)
    low, high = wilson(1, 3)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))


def test_repurchase_90d_second_order_may_be_in_the_period():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-01-05 10:00"),
            order(2, 1, "a", "2026-01-05 10:00"),  # tie: order 2 is the second order, 0 days later
            order(3, 9, "a", "2026-05-01 00:00"),
        ]
    )
    row = kpis(data, JAN_START, JAN_END)[("repurchase_90d", "company")]
    assert row["value"] == 100.0 and row["n"] == 1


def test_repurchase_90d_ignores_a_cancelled_second_order():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-01-05 10:00"),
            order(2, 1, "a", "2026-01-20 10:00", status="cancelled"),
            order(3, 1, "a", "2026-06-01 10:00"),  # the real second order, too late
            order(4, 9, "a", "2026-07-01 00:00"),
        ]
    )
    row = kpis(data, JAN_START, JAN_END)[("repurchase_90d", "company")]
    assert row["value"] == 0.0 and row["numerator"] == 0 and row["denominator"] == 1


def test_repurchase_90d_brand_scope_needs_a_second_order_of_that_brand():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-01-05 10:00"),
            order(2, 1, "b", "2026-02-01 10:00"),  # within 90 days, but at brand b
            order(3, 9, "b", "2026-05-01 00:00"),
        ]
    )
    rows = kpis(data, JAN_START, JAN_END)
    assert rows[("repurchase_90d", "company")]["value"] == 100.0
    assert rows[("repurchase_90d", "a")]["value"] == 0.0
    assert rows[("repurchase_90d", "b")]["value"] is None  # no first-order customer of b in P
    assert rows[("repurchase_90d", "b")]["n"] == 0


def test_repurchase_90d_is_immature_until_to_plus_90_days():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-01-05 10:00"),
            order(2, 1, "a", "2026-01-06 10:00"),
            order(3, 2, "a", "2026-01-07 10:00"),
            order(4, 3, "b", "2026-04-11 23:59:59"),  # as-of: one second before to + 90 days
        ]
    )
    rows = kpis(data, JAN_START, JAN_END)
    for scope, first_order_customers in (("company", 2), ("a", 2), ("b", 0)):
        row = rows[("repurchase_90d", scope)]
        assert row["immature"] is True
        assert_hidden(row)
        assert row["n"] == first_order_customers
        assert row["suppressed"] is False
    # nothing else is immature
    assert rows[("new_customers", "company")]["immature"] is False
    assert rows[("new_customers", "company")]["value"] == 2


# --- empty sets and zero denominators ------------------------------------------------------


def test_brand_without_data_gets_every_metric_row_in_section_4_order():
    data = dataset(brands=("a", "b"), orders=[order(1, 1, "a", "2026-03-03 10:00")])
    frame = compute_kpis(data, ts(START).date(), ts(END).date())
    assert frame.get_column("scope").to_list() == ["company"] * 38 + ["a"] * 38 + ["b"] * 38
    assert frame.filter(pl.col("scope") == "b").get_column("metric_id").to_list() == SECTION4_ORDER


def test_empty_counts_and_sums_are_zero():
    data = dataset(brands=("a", "b"), orders=[order(1, 1, "a", "2026-03-03 10:00")])
    rows = week10(data)
    for metric in ("orders", "net_revenue", "active_customers", "new_customers", "customer_donations"):
        row = rows[(metric, "b")]
        assert row["value"] == 0, metric
        assert row["numerator"] == 0, metric
        assert row["n"] == 0, metric


def test_zero_denominator_gives_null_value_with_numerator_and_denominator_shown():
    data = dataset(brands=("a", "b"), orders=[order(1, 1, "a", "2026-03-03 10:00")])
    rows = week10(data)
    for metric in (
        "aov",
        "aur",
        "purchase_frequency",
        "repeat_customer_rate",
        "returning_order_share",
        "return_rate",
        "refund_rate",
        "cause_participation_rate",
    ):
        row = rows[(metric, "b")]
        assert row["value"] is None, metric
        assert (row["numerator"], row["denominator"]) == (0, 0), metric
        assert row["ci_low"] is None and row["ci_high"] is None, metric
        assert row["n"] == 0, metric


def test_periods_week_is_monday_to_monday():
    p = Periods.week("2026-W10")
    assert (p.start.isoformat(), p.end.isoformat()) == ("2026-03-02", "2026-03-09")
    p = Periods.week("2026-W01")  # ISO week 1 of 2026 starts on 2025-12-29
    assert (p.start.isoformat(), p.end.isoformat()) == ("2025-12-29", "2026-01-05")


# --- weekly trends in one call -------------------------------------------------------------------


def test_weekly_trend_matches_one_computation_per_week():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-02 10:00", net_revenue=20.0),
            order(2, 1, "a", "2026-03-10 10:00", net_revenue=30.0),  # W11: returning
            order(3, 2, "b", "2026-03-11 10:00", net_revenue=50.0),  # W11: new
            order(4, None, "b", "2026-03-12 10:00", net_revenue=10.0),  # W11: guest
            order(5, 2, "b", "2026-03-24 10:00"),  # W13
        ]
    )
    grid = Periods(ts("2026-03-02").date(), ts("2026-03-30").date(), "week")
    frame = kpi_frame(data, grid)
    assert frame.height == 3 * 4 * 38  # scopes x weeks x metrics
    for start in grid.starts():
        single = compute_kpis(data, start, start + dt.timedelta(days=7))
        assert frame.filter(pl.col("period_start") == start).equals(single), start
    # W11 pinned by hand
    w11 = {
        (r["metric_id"], r["scope"]): r
        for r in frame.filter(pl.col("period_start") == ts("2026-03-09").date()).iter_rows(named=True)
    }
    assert w11[("orders", "company")]["value"] == 3
    assert w11[("net_revenue", "company")]["value"] == 30.0 + 50.0 + 10.0
    assert w11[("active_customers", "company")]["value"] == 2
    assert w11[("new_customers", "company")]["value"] == 1  # customer 2
    assert w11[("returning_order_share", "company")]["value"] == pytest.approx(100 * 1 / 2)
    assert w11[("aov", "b")]["value"] == pytest.approx((50.0 + 10.0) / 2)
    assert w11[("orders", "company")]["period_end"] == ts("2026-03-16").date()
    # W12 is empty: counts 0, ratios NULL
    w12 = frame.filter((pl.col("period_start") == ts("2026-03-16").date()) & (pl.col("scope") == "company"))
    w12 = {r["metric_id"]: r for r in w12.iter_rows(named=True)}
    assert w12["orders"]["value"] == 0 and w12["aov"]["value"] is None
