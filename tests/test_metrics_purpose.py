"""Customer purpose, engagement and cause metrics (SPEC section 4), small-sample
suppression, intervals (section 2) and segment filters.

P is ISO week 2026-W10 = [2026-03-02, 2026-03-09). Expected numbers are
worked out by hand in each test.
"""

from __future__ import annotations

import pytest
from builders import assert_hidden, dataset, kpis, nps_interval, order, wilson

from purpose_metrics.metrics import Filters

START, END = "2026-03-02", "2026-03-09"


def week10(data, **kw):
    return kpis(data, START, END, **kw)


def responses(first_id: int, values: list, column: str, **common) -> list[dict]:
    """One customer-survey response per value, submitted inside P."""
    rows = []
    for i, v in enumerate(values):
        rows.append(
            {
                "response_id": first_id + i,
                "submitted_at": "2026-03-04 12:00",
                "brand_id": "a",
                column: v,
                **common,
            }
        )
    return rows


def approx_ci(row, low, high):
    return row["ci_low"] == pytest.approx(low, rel=1e-9) and row["ci_high"] == pytest.approx(high, rel=1e-9)


# --- survey minimums -----------------------------------------------------------------------


def test_nine_customer_responses_are_suppressed():
    data = dataset(customer_surveys=responses(1, [10] * 9, "nps_score"))
    row = week10(data)[("nps", "company")]
    assert row["suppressed"] is True
    assert_hidden(row)
    assert row["n"] == 9


def test_ten_customer_responses_are_shown():
    data = dataset(customer_surveys=responses(1, [10] * 10, "nps_score"))
    row = week10(data)[("nps", "company")]
    assert row["suppressed"] is False
    assert row["value"] == 100.0  # 10 promoters of 10
    assert row["n"] == 10


def test_no_responses_is_suppressed_with_n_zero():
    row = week10(dataset())[("csat", "company")]
    assert row["suppressed"] is True and row["n"] == 0
    assert_hidden(row)


def test_n_counts_responses_with_a_value_for_the_item():
    # 10 responses carry a csat_score; one of them has no nps_score -> nps has 9
    rows = responses(1, [5] * 10, "csat_score")
    for r in rows[:9]:
        r["nps_score"] = 9
    data = dataset(customer_surveys=rows)
    out = week10(data)
    assert out[("csat", "company")]["suppressed"] is False
    assert out[("csat", "company")]["n"] == 10
    assert out[("nps", "company")]["suppressed"] is True
    assert out[("nps", "company")]["n"] == 9
    # no effort or purpose answers at all
    assert out[("customer_effort", "company")]["n"] == 0
    assert out[("purpose_achieved_rate", "company")]["n"] == 0


def test_suppression_is_per_scope():
    # brand a: 10 responses (shown); brand b: 5 (suppressed); company: 15 (shown)
    rows = responses(1, [5] * 10, "csat_score") + responses(
        100,
        [1] * 5,
        "csat_score",
    )
    for r in rows[10:]:
        r["brand_id"] = "b"
    out = week10(dataset(customer_surveys=rows))
    assert out[("csat", "a")]["value"] == 100.0
    assert out[("csat", "b")]["suppressed"] is True and out[("csat", "b")]["n"] == 5
    assert out[("csat", "company")]["value"] == pytest.approx(100 * 10 / 15)


def test_suppressed_is_false_for_non_survey_metrics():
    data = dataset(
        orders=[order(1, 1, "a", "2026-03-03 10:00")],
        support_tickets=[
            {"ticket_id": 1, "opened_at": "2026-03-03 10:00", "resolved_at": "2026-03-03 11:00"}
        ],
    )
    out = week10(data)
    assert out[("first_contact_resolution", "company")]["suppressed"] is False
    assert out[("first_contact_resolution", "company")]["value"] == 100.0  # 1 ticket is enough
    assert out[("orders", "company")]["suppressed"] is False
    assert out[("repeat_customer_rate", "company")]["suppressed"] is False


# --- nps --------------------------------------------------------------------------------------


def test_nps_value_numerator_denominator():
    # promoters 10,10,10,9,9 = 5; passives 8,7; detractors 6,2,0 = 3; n = 10
    data = dataset(customer_surveys=responses(1, [10, 10, 10, 9, 9, 8, 7, 6, 2, 0], "nps_score"))
    row = week10(data)[("nps", "company")]
    assert row["value"] == pytest.approx(100 * (5 - 3) / 10)  # 20
    assert (row["numerator"], row["denominator"], row["n"]) == (5 - 3, 10, 10)


def test_nps_interval():
    data = dataset(customer_surveys=responses(1, [10, 10, 10, 9, 9, 8, 7, 6, 2, 0], "nps_score"))
    row = week10(data)[("nps", "company")]
    # p = 0.5, d = 0.3: half = z * 100 * sqrt((0.8 - 0.04) / 10) ≈ 54.03
    low, high = nps_interval(5, 3, 10)
    assert low == pytest.approx(20 - 54.03, abs=0.01)
    assert approx_ci(row, low, high)


def test_nps_interval_is_clipped_to_100():
    # 9 promoters + 1 passive: value 90, half ≈ 18.6 -> the upper bound 108.6 is clipped
    data = dataset(customer_surveys=responses(1, [10] * 9 + [8], "nps_score"))
    row = week10(data)[("nps", "company")]
    assert row["value"] == pytest.approx(90.0)
    assert row["ci_high"] == 100.0
    assert row["ci_low"] == pytest.approx(nps_interval(9, 0, 10)[0], rel=1e-9)


def test_nps_interval_is_clipped_to_minus_100():
    data = dataset(customer_surveys=responses(1, [0] * 9 + [7], "nps_score"))
    row = week10(data)[("nps", "company")]
    assert row["value"] == pytest.approx(-90.0)
    assert row["ci_low"] == -100.0
    assert row["ci_high"] == pytest.approx(nps_interval(0, 9, 10)[1], rel=1e-9)


# --- csat, effort, purpose achieved --------------------------------------------------------


def test_csat_counts_4_and_5_as_satisfied():
    # 5,5,4,4,5,4,4 satisfied = 7; 3,2,1 not; n = 10
    data = dataset(customer_surveys=responses(1, [5, 5, 4, 4, 3, 2, 1, 5, 4, 4], "csat_score"))
    row = week10(data)[("csat", "company")]
    assert row["value"] == pytest.approx(100 * 7 / 10)
    assert (row["numerator"], row["denominator"], row["n"]) == (7, 10, 10)
    assert approx_ci(row, *wilson(7, 10))


def test_customer_effort_is_a_mean_without_interval():
    scores = [7, 6, 5, 4, 3, 2, 1, 7, 7, 7]  # sum 49, 10 answers
    data = dataset(customer_surveys=responses(1, scores, "effort_score"))
    row = week10(data)[("customer_effort", "company")]
    assert row["value"] == pytest.approx(49 / 10)
    assert (row["numerator"], row["denominator"], row["n"]) == (49, 10, 10)
    assert row["ci_low"] is None and row["ci_high"] is None


def test_purpose_achieved_rate_ignores_null_answers():
    # 8 true, 3 false, 1 NULL -> n = 11, rate 8/11
    data = dataset(customer_surveys=responses(1, [True] * 8 + [False] * 3 + [None], "purpose_achieved"))
    row = week10(data)[("purpose_achieved_rate", "company")]
    assert row["value"] == pytest.approx(100 * 8 / 11)
    assert (row["numerator"], row["denominator"], row["n"]) == (8, 11, 11)
    assert approx_ci(row, *wilson(8, 11))


def test_survey_responses_count_by_their_own_brand_and_timestamp_guests_included():
    rows = responses(1, [5] * 10, "csat_score", brand_id="b")  # guests (customer_id NULL)
    rows[0]["order_id"] = 1  # linked to an order that was cancelled: still counts
    rows[1]["submitted_at"] = "2026-03-09 00:00"  # after P
    rows[2]["submitted_at"] = "2026-03-02 00:00"  # first instant of P
    rows.append(
        {"response_id": 50, "brand_id": "b", "submitted_at": "2026-03-01 23:59:59", "csat_score": 5}
    )  # before P
    data = dataset(
        orders=[order(1, None, "a", "2026-03-01 10:00", status="cancelled")], customer_surveys=rows
    )
    out = week10(data)
    assert out[("csat", "b")]["n"] == 9  # 10 - 1 after P
    assert out[("csat", "a")]["n"] == 0  # the linked order's brand does not matter
    assert out[("csat", "company")]["n"] == 9


# --- delivery --------------------------------------------------------------------------------


def test_on_time_delivery_compares_the_delivery_date_with_the_promise():
    promise = "2026-03-06"
    data = dataset(
        orders=[
            order(
                1,
                1,
                "a",
                "2026-03-02 10:00",
                promised_delivery_date=promise,
                delivered_at="2026-03-06 23:59:59",
            ),  # promised day, late evening: on time
            order(
                2,
                1,
                "a",
                "2026-03-02 11:00",
                promised_delivery_date=promise,
                delivered_at="2026-03-07 00:00:00",
            ),  # next day: late
            order(
                3,
                None,
                "a",
                "2026-03-02 12:00",
                promised_delivery_date=promise,
                delivered_at="2026-03-04 08:00",
            ),  # guest, early: on time
            order(4, 2, "a", "2026-03-02 13:00", promised_delivery_date=promise),  # undelivered: out
            order(5, 2, "a", "2026-03-02 14:00", delivered_at="2026-03-03 08:00"),  # no promise: out
            order(
                6,
                2,
                "a",
                "2026-03-02 15:00",
                status="cancelled",
                promised_delivery_date=promise,
                delivered_at="2026-03-09 08:00",
            ),  # cancelled: out
        ]
    )
    row = week10(data)[("on_time_delivery_rate", "company")]
    assert row["value"] == pytest.approx(100 * 2 / 3)
    assert (row["numerator"], row["denominator"], row["n"]) == (2, 3, 3)
    assert approx_ci(row, *wilson(2, 3))


def test_on_time_delivery_counts_orders_placed_in_p_even_if_delivered_after():
    data = dataset(
        orders=[
            order(
                1,
                1,
                "a",
                "2026-03-08 10:00",
                promised_delivery_date="2026-03-12",
                delivered_at="2026-03-11 10:00",
            ),
            order(
                2,
                1,
                "a",
                "2026-03-01 10:00",
                promised_delivery_date="2026-03-03",
                delivered_at="2026-03-05 10:00",
            ),  # placed before P: not counted
        ]
    )
    row = week10(data)[("on_time_delivery_rate", "company")]
    assert (row["value"], row["n"]) == (100.0, 1)


# --- tickets ----------------------------------------------------------------------------------


def test_first_contact_resolution():
    tickets = [
        {
            "ticket_id": 1,
            "opened_at": "2026-03-02 09:00",
            "resolved_at": "2026-03-02 10:00",
            "contacts": 1,
            "customer_id": 1,
        },  # resolved, one contact
        {
            "ticket_id": 2,
            "opened_at": "2026-03-08 22:00",
            "resolved_at": "2026-03-20 10:00",
            "contacts": 1,
            "customer_id": 1,
        },  # resolved after P: still counts
        {
            "ticket_id": 3,
            "opened_at": "2026-03-03 09:00",
            "resolved_at": "2026-03-04 10:00",
            "contacts": 3,
            "customer_id": 1,
        },  # resolved, three contacts
        {
            "ticket_id": 4,
            "opened_at": "2026-03-03 09:00",
            "contacts": 1,
            "customer_id": 1,
        },  # unresolved: left out
        {
            "ticket_id": 5,
            "opened_at": "2026-03-01 09:00",
            "resolved_at": "2026-03-03 10:00",
            "contacts": 1,
            "customer_id": 1,
        },  # opened before P: left out
        {
            "ticket_id": 6,
            "opened_at": "2026-03-05 09:00",
            "resolved_at": "2026-03-05 10:00",
            "contacts": 1,
            "brand_id": "b",
        },  # guest, brand b
    ]
    out = week10(dataset(support_tickets=tickets))
    row = out[("first_contact_resolution", "company")]
    assert row["value"] == pytest.approx(100 * 3 / 4)  # tickets 1, 2, 6 of 1, 2, 3, 6
    assert (row["numerator"], row["denominator"], row["n"]) == (3, 4, 4)
    assert approx_ci(row, *wilson(3, 4))
    assert out[("first_contact_resolution", "a")]["value"] == pytest.approx(100 * 2 / 3)
    assert out[("first_contact_resolution", "b")]["value"] == 100.0


def test_first_contact_resolution_without_resolved_tickets_is_null():
    tickets = [{"ticket_id": 1, "opened_at": "2026-03-03 09:00", "contacts": 1}]
    row = week10(dataset(support_tickets=tickets))[("first_contact_resolution", "company")]
    assert row["value"] is None and (row["numerator"], row["denominator"], row["n"]) == (0, 0, 0)
    assert row["ci_low"] is None


# --- messages ---------------------------------------------------------------------------------


def _messages():
    return [
        {
            "message_id": 1,
            "customer_id": 1,
            "sent_at": "2026-03-02 08:00",
            "clicked_at": "2026-03-15 08:00",
        },  # clicked after P: counts
        {"message_id": 2, "customer_id": 1, "sent_at": "2026-03-03 08:00", "clicked_at": "2026-03-03 09:00"},
        {"message_id": 3, "customer_id": 2, "sent_at": "2026-03-04 08:00"},
        {
            "message_id": 4,
            "customer_id": 2,
            "sent_at": "2026-03-08 23:00",
            "unsubscribed_at": "2026-03-10 08:00",
        },  # unsubscribed after P: counts
        {
            "message_id": 5,
            "customer_id": 2,
            "sent_at": "2026-03-01 08:00",
            "clicked_at": "2026-03-03 08:00",
            "unsubscribed_at": "2026-03-03 08:00",
        },  # sent before P
    ]


def test_message_click_rate_counts_clicks_whenever_they_fall():
    row = week10(dataset(marketing_messages=_messages()))[("message_click_rate", "company")]
    assert row["value"] == pytest.approx(100 * 2 / 4)
    assert (row["numerator"], row["denominator"], row["n"]) == (2, 4, 4)
    assert approx_ci(row, *wilson(2, 4))


def test_unsubscribe_rate_counts_unsubscribes_whenever_they_fall():
    row = week10(dataset(marketing_messages=_messages()))[("unsubscribe_rate", "company")]
    assert row["value"] == pytest.approx(100 * 1 / 4)
    assert (row["numerator"], row["denominator"], row["n"]) == (1, 4, 4)
    assert approx_ci(row, *wilson(1, 4))


# --- opt-in, cause ----------------------------------------------------------------------------


def test_marketing_opt_in_rate_over_active_customers():
    customers = [
        {"customer_id": 1, "marketing_opt_in": True},
        {"customer_id": 2, "marketing_opt_in": False},
        {"customer_id": 3, "marketing_opt_in": True},  # not active in P
    ]
    data = dataset(
        customers=customers,
        orders=[
            order(1, 1, "a", "2026-03-03 10:00"),
            order(2, 1, "a", "2026-03-04 10:00"),
            order(3, 2, "b", "2026-03-04 10:00"),
            order(4, 3, "a", "2026-02-01 10:00"),
            order(5, None, "a", "2026-03-05 10:00"),  # guest: not a customer
        ],
    )
    out = week10(data)
    row = out[("marketing_opt_in_rate", "company")]
    assert row["value"] == pytest.approx(100 * 1 / 2)
    assert (row["numerator"], row["denominator"], row["n"]) == (1, 2, 2)
    assert approx_ci(row, *wilson(1, 2))
    assert out[("marketing_opt_in_rate", "a")]["value"] == 100.0
    assert out[("marketing_opt_in_rate", "b")]["value"] == 0.0


def test_cause_participation_and_donations_include_guests():
    data = dataset(
        orders=[
            order(1, 1, "a", "2026-03-03 10:00", donation_amount=2.5),
            order(2, None, "a", "2026-03-03 11:00", donation_amount=1.0),
            order(3, 2, "a", "2026-03-03 12:00"),
            order(4, 2, "b", "2026-03-03 13:00"),
            order(5, 2, "b", "2026-03-03 14:00", status="cancelled", donation_amount=9.0),
        ]
    )
    out = week10(data)
    row = out[("cause_participation_rate", "company")]
    assert row["value"] == pytest.approx(100 * 2 / 4)
    assert (row["numerator"], row["denominator"], row["n"]) == (2, 4, 4)
    assert approx_ci(row, *wilson(2, 4))
    donations = out[("customer_donations", "company")]
    assert (donations["value"], donations["numerator"], donations["denominator"], donations["n"]) == (
        2.5 + 1.0,
        2.5 + 1.0,
        None,
        4,
    )
    assert out[("customer_donations", "b")]["value"] == 0.0
    assert out[("cause_participation_rate", "b")]["value"] == 0.0


# --- filters ----------------------------------------------------------------------------------


def _filter_fixture():
    customers = [
        {"customer_id": 1, "region": "north", "segment": "family", "marketing_opt_in": True},
        {"customer_id": 2, "region": "south", "segment": "student", "marketing_opt_in": False},
    ]
    orders = [
        order(1, 1, "a", "2026-03-03 10:00", channel="web", net_revenue=10.0),
        order(2, 1, "a", "2026-03-03 11:00", channel="app", net_revenue=20.0),
        order(3, 2, "a", "2026-03-03 12:00", channel="web", net_revenue=40.0),
        order(4, None, "a", "2026-03-03 13:00", channel="web", net_revenue=80.0),
    ]
    surveys = (
        responses(1, [10] * 3, "nps_score", customer_id=1, customer_purpose="gift")
        + responses(10, [0] * 4, "nps_score", customer_id=2, customer_purpose="explore")
        + responses(20, [9] * 5, "nps_score", customer_purpose="gift")  # guests
        + responses(30, [7] * 2, "nps_score", customer_id=1)  # no purpose given
    )
    tickets = [
        {
            "ticket_id": 1,
            "customer_id": 1,
            "opened_at": "2026-03-03 10:00",
            "resolved_at": "2026-03-03 11:00",
        },
        {
            "ticket_id": 2,
            "customer_id": 2,
            "opened_at": "2026-03-03 10:00",
            "resolved_at": "2026-03-03 11:00",
            "contacts": 2,
        },
        {"ticket_id": 3, "opened_at": "2026-03-03 10:00", "resolved_at": "2026-03-03 11:00"},
    ]
    messages = [
        {"message_id": 1, "customer_id": 1, "sent_at": "2026-03-03 08:00"},
        {"message_id": 2, "customer_id": 2, "sent_at": "2026-03-03 08:00"},
        {"message_id": 3, "customer_id": 2, "sent_at": "2026-03-03 08:00"},
    ]
    employees = [{"response_id": i, "submitted_at": "2026-03-03 08:00", "enps_score": 9} for i in range(5)]
    return dataset(
        customers=customers,
        orders=orders,
        customer_surveys=surveys,
        support_tickets=tickets,
        marketing_messages=messages,
        employee_surveys=employees,
    )


def test_no_filter_counts_everything():
    out = week10(_filter_fixture())
    assert out[("orders", "company")]["value"] == 4
    assert out[("nps", "company")]["n"] == 3 + 4 + 5 + 2
    assert out[("first_contact_resolution", "company")]["n"] == 3
    assert out[("message_click_rate", "company")]["n"] == 3


def test_channel_filter_applies_to_orders_only():
    out = week10(_filter_fixture(), filters=Filters(channel=("web",)))
    assert out[("orders", "company")]["value"] == 3  # orders 1, 3 and the guest's 4
    assert out[("net_revenue", "company")]["value"] == 10.0 + 40.0 + 80.0
    assert out[("active_customers", "company")]["value"] == 2
    assert out[("nps", "company")]["n"] == 14  # surveys untouched
    assert out[("first_contact_resolution", "company")]["n"] == 3
    assert out[("message_click_rate", "company")]["n"] == 3


def test_region_filter_keeps_that_regions_customers_and_drops_guests():
    out = week10(_filter_fixture(), filters=Filters(region=("north",)))
    assert out[("orders", "company")]["value"] == 2  # customer 1's orders; guest dropped
    assert out[("net_revenue", "company")]["value"] == 10.0 + 20.0
    assert out[("active_customers", "company")]["value"] == 1
    assert out[("nps", "company")]["n"] == 3 + 2  # customer 1's responses only
    assert out[("first_contact_resolution", "company")]["n"] == 1
    assert out[("message_click_rate", "company")]["n"] == 1
    assert out[("enps", "company")]["n"] == 5  # employee surveys are not linked to customers


def test_segment_filter_keeps_that_segments_customers():
    out = week10(_filter_fixture(), filters=Filters(segment=("student",)))
    assert out[("orders", "company")]["value"] == 1  # order 3
    assert out[("nps", "company")]["n"] == 4
    assert out[("first_contact_resolution", "company")]["value"] == 0.0  # ticket 2 took 2 contacts
    assert out[("message_click_rate", "company")]["n"] == 2


def test_customer_purpose_filter_applies_to_customer_surveys_only():
    out = week10(_filter_fixture(), filters=Filters(customer_purpose=("gift",)))
    nps = out[("nps", "company")]
    # gift: 3 of customer 1 (score 10) + 5 guests (score 9) = 8 responses: suppressed (< 10)
    assert nps["n"] == 8 and nps["suppressed"] is True
    assert out[("orders", "company")]["value"] == 4
    assert out[("first_contact_resolution", "company")]["n"] == 3


def test_region_and_segment_filters_combine():
    out = week10(_filter_fixture(), filters=Filters(region=("north",), segment=("student",)))
    assert out[("orders", "company")]["value"] == 0
    assert out[("nps", "company")]["n"] == 0
