"""Drivers (SPEC section 6), rule by rule, on hand-built data sets.

Every expectation is worked out here by hand; the interval formulas are
written from the textbook (Wilson; Newcombe's method 10), not taken from the
code under test.
"""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import pytest
from builders import dataset, day, order
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from purpose_metrics.metrics import driver_frame
from purpose_metrics.periods import Periods

Z = NormalDist().inv_cdf(0.975)  # the worked example's drivers use the full-precision quantile
P = Periods(day("2026-03-02"), day("2026-03-09"))  # ISO week 2026-W10
# A cancelled guest order long after: the as-of instant, so the period is mature.
LATE = order(999_999, None, "a", "2027-01-01 00:00", status="cancelled")


def rows(data, period=P, scopes=None) -> dict[tuple[str, str], dict]:
    return {(r["scope"], r["driver"]): r for r in driver_frame(data, period, scopes).iter_rows(named=True)}


def wilson(x: int, n: int) -> tuple[float, float]:
    p = x / n
    centre = (2 * n * p + Z * Z) / (2 * (n + Z * Z))
    half = Z * math.sqrt(Z * Z + 4 * n * p * (1 - p)) / (2 * (n + Z * Z))
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Newcombe (1998) method 10, in percentage points."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p1 - p2
    return 100 * (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)), 100 * (
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    )


def counts(row: dict) -> tuple:
    return row["n_good"], row["repurchased_good"], row["n_bad"], row["repurchased_bad"]


# --- anchors, ties, scope ---------------------------------------------------------------


def test_the_anchor_is_the_first_order_in_the_period_and_an_equal_timestamp_breaks_by_order_id():
    data = dataset(
        orders=[
            # Customer 1: an order before P does not anchor; in P two orders at the
            # same instant: the lower order_id (11, no donation) is the anchor, and
            # order 12 is later than it (Earlier rule): a repurchase.
            order(10, 1, "a", "2026-02-20 09:00", donation_amount=5.0),
            order(12, 1, "a", "2026-03-03 10:00", donation_amount=5.0),
            order(11, 1, "a", "2026-03-03 10:00"),
            # Customer 2: anchored by a donating order; only a cancelled order after it.
            order(20, 2, "a", "2026-03-04 10:00", donation_amount=1.0),
            order(21, 2, "a", "2026-03-05 10:00", status="cancelled"),
            # A guest is never an anchor.
            order(30, None, "a", "2026-03-04 10:00", donation_amount=1.0),
            LATE,
        ]
    )
    got = rows(data)[("company", "cause_participation")]
    # good: customer 2 (not back); bad: customer 1 (anchor 11, back with 12).
    assert counts(got) == (1, 0, 1, 1)
    assert got["suppressed"] is True and got["immature"] is False


def test_brand_scope_anchors_and_repurchases_within_the_brand():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-02 10:00"),
            order(2, 1, "b", "2026-03-03 10:00"),
            order(3, 1, "b", "2026-04-01 10:00"),
            LATE,
        ]
    )
    got = rows(data)
    # Company: anchor 1, back with order 2. Brand a: anchor 1, never back in a.
    # Brand b: anchor 2, back with order 3 (after P, within 90 days).
    assert counts(got[("company", "cause_participation")]) == (0, 0, 1, 1)
    assert counts(got[("a", "cause_participation")]) == (0, 0, 1, 0)
    assert counts(got[("b", "cause_participation")]) == (0, 0, 1, 1)
    assert [k for k in got] == [
        (s, d)
        for s in ("company", "a", "b")
        for d in ("on_time_delivery", "purpose_achieved", "first_contact_resolution", "cause_participation")
    ]


def test_the_90_day_edge_is_inclusive_to_the_second():
    anchor = dt.datetime(2026, 3, 2, 12, 0)
    edge = anchor + dt.timedelta(days=90)
    data = dataset(
        orders=[
            order(1, 1, "a", anchor.isoformat(" ")),
            order(2, 1, "a", edge.isoformat(" ")),  # exactly 90 × 24 h later: back
            order(3, 2, "a", anchor.isoformat(" ")),
            order(4, 2, "a", (edge + dt.timedelta(seconds=1)).isoformat(" ")),  # one second too late
            LATE,
        ]
    )
    assert counts(rows(data)[("company", "cause_participation")]) == (0, 0, 2, 1)


# --- the four drivers -------------------------------------------------------------------


def test_on_time_delivery_compares_the_date_of_delivery_and_leaves_out_the_undelivered():
    data = dataset(
        orders=[
            # Delivered late in the day of the promise: on time (the date counts).
            order(
                1,
                1,
                "a",
                "2026-03-02 10:00",
                promised_delivery_date="2026-03-05",
                delivered_at="2026-03-05 23:59",
            ),
            order(
                2,
                2,
                "a",
                "2026-03-02 10:00",
                promised_delivery_date="2026-03-05",
                delivered_at="2026-03-06 00:00",
            ),
            order(3, 3, "a", "2026-03-02 10:00", promised_delivery_date="2026-03-05"),  # not delivered
            order(4, 4, "a", "2026-03-02 10:00", delivered_at="2026-03-04 10:00"),  # no promise
            LATE,
        ]
    )
    assert counts(rows(data)[("company", "on_time_delivery")]) == (1, 0, 1, 0)


def test_purpose_achieved_takes_the_latest_answered_survey_of_the_anchor_order():
    surveys = [
        # Order 1: true, then false later: bad. A later survey without an answer is ignored.
        {"response_id": 1, "order_id": 1, "submitted_at": "2026-03-03 10:00", "purpose_achieved": True},
        {"response_id": 2, "order_id": 1, "submitted_at": "2026-03-04 10:00", "purpose_achieved": False},
        {"response_id": 3, "order_id": 1, "submitted_at": "2026-03-05 10:00", "purpose_achieved": None},
        # Order 2: two at the same instant: the higher response_id (true) decides.
        {"response_id": 5, "order_id": 2, "submitted_at": "2026-03-03 10:00", "purpose_achieved": True},
        {"response_id": 4, "order_id": 2, "submitted_at": "2026-03-03 10:00", "purpose_achieved": False},
        # Order 9 is customer 3's second order, not the anchor: customer 3 is left out.
        {"response_id": 6, "order_id": 9, "submitted_at": "2026-03-06 10:00", "purpose_achieved": True},
    ]
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-02 10:00"),
            order(2, 2, "a", "2026-03-02 10:00"),
            order(8, 3, "a", "2026-03-02 10:00"),
            order(9, 3, "a", "2026-03-03 10:00"),
            LATE,
        ],
        customer_surveys=surveys,
    )
    assert counts(rows(data)[("company", "purpose_achieved")]) == (1, 0, 1, 0)


def test_first_contact_resolution_needs_every_ticket_of_the_anchor_resolved_at_first_contact():
    t0 = "2026-03-03 10:00"
    tickets = [
        {"ticket_id": 1, "order_id": 1, "opened_at": t0, "resolved_at": "2026-03-03 11:00", "contacts": 1},
        # Order 2: one good ticket, one still open: bad.
        {"ticket_id": 2, "order_id": 2, "opened_at": t0, "resolved_at": "2026-03-03 11:00", "contacts": 1},
        {"ticket_id": 3, "order_id": 2, "opened_at": t0, "resolved_at": None, "contacts": 1},
        # Order 3: resolved, but it took two contacts: bad.
        {"ticket_id": 4, "order_id": 3, "opened_at": t0, "resolved_at": "2026-03-04 11:00", "contacts": 2},
    ]
    data = dataset(
        orders=[order(i, i, "a", "2026-03-02 10:00") for i in (1, 2, 3, 4)] + [LATE],  # order 4: no ticket
        support_tickets=tickets,
    )
    assert counts(rows(data)[("company", "first_contact_resolution")]) == (1, 0, 2, 0)


# --- numbers, suppression, immaturity, revenue ------------------------------------------


def _story() -> list[dict]:
    """12 donating anchors (7 back) and 10 others (3 back), brand a, in W10.

    Repurchases (net − refunded): good customers 1..7 spend 30, 40, 50, 60,
    70, 80, 90 in their 90 days, customer 1 in two orders (10 + 20) and
    customer 7 with a refund of 10 on 100; an order of customer 2 after
    day 90 does not count.
    """
    out, oid = [], 100
    for c in range(1, 13):
        out.append(order(c, c, "a", "2026-03-03 10:00", donation_amount=2.0))
    for c in range(13, 23):
        out.append(order(c, c, "a", "2026-03-04 10:00"))
    spend = {1: [10.0, 20.0], 2: [40.0], 3: [50.0], 4: [60.0], 5: [70.0], 6: [80.0]}
    for c, amounts in spend.items():
        for amount in amounts:
            oid += 1
            out.append(order(oid, c, "a", "2026-04-01 10:00", net_revenue=amount))
    out.append(order(200, 7, "a", "2026-04-02 10:00", net_revenue=100.0, refunded_amount=10.0))
    out.append(order(201, 2, "a", "2026-07-01 11:00", net_revenue=1000.0))  # past day 90
    for c in (13, 14, 15):
        out.append(order(300 + c, c, "a", "2026-03-20 10:00", net_revenue=999.0))
    out.append(LATE)
    return out


def test_rates_difference_interval_and_revenue_at_stake_by_hand():
    got = rows(dataset(orders=_story()))[("company", "cause_participation")]
    assert counts(got) == (12, 7, 10, 3)
    assert got["rate_good"] == pytest.approx(100 * 7 / 12, rel=1e-12)
    assert got["rate_bad"] == pytest.approx(30.0, rel=1e-12)
    diff = 100 * 7 / 12 - 30.0
    assert got["difference_pp"] == pytest.approx(diff, rel=1e-12)
    low, high = newcombe(7, 12, 3, 10)
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(low, rel=1e-12), pytest.approx(high, rel=1e-12))
    # R: the mean 90-day spend of the 7 good repurchasers.
    r = (30 + 40 + 50 + 60 + 70 + 80 + 90) / 7
    assert got["revenue_at_stake"] == pytest.approx(10 * diff / 100 * r, rel=1e-12)
    assert got["suppressed"] is False and got["immature"] is False


def test_no_revenue_at_stake_when_the_bad_group_comes_back_more():
    # Swap the groups: donors become the 10 non-donating customers.
    story = [
        {**o, "donation_amount": 0.0 if o.get("donation_amount") else 3.0} if o["order_id"] <= 22 else o
        for o in _story()
    ]
    got = rows(dataset(orders=story))[("company", "cause_participation")]
    assert counts(got) == (10, 3, 12, 7)
    assert got["difference_pp"] == pytest.approx(30.0 - 100 * 7 / 12, rel=1e-12)
    assert got["revenue_at_stake"] == 0.0


def test_a_group_under_ten_anchors_is_suppressed_with_its_counts():
    story = [o for o in _story() if o["customer_id"] != 22]  # 9 non-donating anchors
    got = rows(dataset(orders=story))[("company", "cause_participation")]
    assert counts(got) == (12, 7, 9, 3)
    assert got["suppressed"] is True
    assert [
        got[k] for k in ("rate_good", "rate_bad", "difference_pp", "ci_low", "ci_high", "revenue_at_stake")
    ] == [None] * 6


def test_a_period_whose_window_outruns_the_data_is_immature_never_suppressed():
    # The data end on 2026-04-02 10:00 (order 200): W10 ends 2026-03-09, and
    # 2026-03-09 + 90 days is after that: every row of W10 is immature.
    story = [o for o in _story() if o["order_id"] not in (201, 999_999)]
    got = rows(dataset(orders=story))
    for row in got.values():
        assert row["immature"] is True and row["suppressed"] is False
        assert row["repurchased_good"] is None and row["repurchased_bad"] is None
        assert row["revenue_at_stake"] is None and row["difference_pp"] is None
    assert (
        got[("company", "cause_participation")]["n_good"],
        got[("company", "cause_participation")]["n_bad"],
    ) == (
        12,
        10,
    )
    assert (got[("b", "on_time_delivery")]["n_good"], got[("b", "on_time_delivery")]["n_bad"]) == (0, 0)


def test_a_scope_without_orders_prints_zero_counts_suppressed():
    got = rows(dataset(orders=_story()))[("b", "purpose_achieved")]
    assert counts(got) == (0, 0, 0, 0)
    assert got["suppressed"] is True and got["rate_good"] is None


# --- properties -------------------------------------------------------------------------

BASE = dt.datetime(2026, 3, 2)


@st.composite
def one_brand_customers(draw):
    """Customers who each buy from one brand only, with random deliveries,
    donations, surveys and tickets on their orders."""
    orders, surveys, tickets = [], [], []
    n_customers = draw(st.integers(1, 25))
    oid = 0
    for c in range(1, n_customers + 1):
        brand = draw(st.sampled_from(("a", "b")))
        for _ in range(draw(st.integers(1, 4))):
            oid += 1
            at = BASE + dt.timedelta(hours=draw(st.integers(0, 24 * 120)))
            kw = {"donation_amount": draw(st.sampled_from((0.0, 1.0)))}
            if draw(st.booleans()):
                kw["promised_delivery_date"] = (at + dt.timedelta(days=3)).date()
                kw["delivered_at"] = at + dt.timedelta(days=draw(st.integers(1, 6)))
            orders.append(order(oid, c, brand, at, **kw))
            if draw(st.booleans()):
                surveys.append(
                    {
                        "response_id": oid,
                        "order_id": oid,
                        "submitted_at": at,
                        "purpose_achieved": draw(st.booleans()),
                    }
                )
            if draw(st.booleans()):
                tickets.append(
                    {
                        "ticket_id": oid,
                        "order_id": oid,
                        "opened_at": at,
                        "resolved_at": at,
                        "contacts": draw(st.integers(1, 3)),
                    }
                )
    return orders + [LATE], surveys, tickets


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_brand_customers())
def test_counts_add_up_across_brands_when_each_customer_keeps_to_one_brand(data_set):
    orders, surveys, tickets = data_set
    got = rows(
        dataset(orders=orders, customer_surveys=surveys, support_tickets=tickets),
        Periods(day("2026-03-02"), day("2026-04-01")),
    )
    for driver in ("on_time_delivery", "purpose_achieved", "first_contact_resolution", "cause_participation"):
        company = counts(got[("company", driver)])
        by_brand = [counts(got[(b, driver)]) for b in ("a", "b")]
        assert company == tuple(sum(x) for x in zip(*by_brand, strict=True))


@settings(max_examples=60, deadline=None)
@given(st.integers(10, 400), st.integers(10, 400), st.data())
def test_the_interval_contains_the_difference(n_good, n_bad, draw):
    x_good, x_bad = draw.draw(st.integers(0, n_good)), draw.draw(st.integers(0, n_bad))
    orders = []
    for c in range(n_good + n_bad):
        good = c < n_good
        orders.append(order(c + 1, c + 1, "a", BASE, donation_amount=1.0 if good else 0.0))
        if (good and c < x_good) or (not good and c - n_good < x_bad):
            orders.append(order(10_000 + c, c + 1, "a", BASE + dt.timedelta(days=1)))
    got = rows(dataset(orders=orders + [LATE]), scopes=["company"])[("company", "cause_participation")]
    assert counts(got) == (n_good, x_good, n_bad, x_bad)
    assert got["ci_low"] <= got["difference_pp"] <= got["ci_high"]
    # Within ±100 points, up to float rounding (the formula is not clipped).
    assert -100 - 1e-9 <= got["ci_low"] and got["ci_high"] <= 100 + 1e-9
