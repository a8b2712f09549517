"""The Period value object: what a page shows and what it is compared with."""

from __future__ import annotations

import datetime as dt

import pytest

from purpose_metrics.periods import Period, PeriodError

D = dt.date


def test_a_week_is_monday_to_sunday_and_its_previous_is_the_week_before():
    week = Period.week("2026-W47")
    assert (week.start, week.end, week.label) == (
        D(2026, 11, 16),
        D(2026, 11, 23),
        "Week 2026-W47 · 16 – 22 Nov 2026",
    )
    assert week.previous().key == "2026-W46" and week.compared == "previous week"
    assert Period.week("2027-W01").previous().key == "2026-W53"  # 2026 has 53 ISO weeks


def test_january_s_previous_month_is_december_of_the_year_before():
    month = Period.month("2026-01")
    assert (month.start, month.end, month.label) == (D(2026, 1, 1), D(2026, 2, 1), "January 2026")
    assert (month.previous().start, month.previous().end) == (D(2025, 12, 1), D(2026, 1, 1))
    assert month.trend_grain == "month"


def test_a_quarter_is_three_calendar_months_and_q1_follows_q4():
    q1 = Period.quarter("2026-q1")
    assert (q1.start, q1.end, q1.key, q1.label) == (
        D(2026, 1, 1),
        D(2026, 4, 1),
        "2026-Q1",
        "Q1 2026 · Jan – Mar",
    )
    assert (q1.previous().key, q1.previous().start) == ("2025-Q4", D(2025, 10, 1))


def test_year_to_date_compares_the_same_days_of_the_year_before():
    ytd = Period.year_to_date(2026, D(2026, 11, 23))  # data to Sunday 22 November
    assert (ytd.start, ytd.end, ytd.label) == (
        D(2026, 1, 1),
        D(2026, 11, 23),
        "2026 to date · 1 Jan – 22 Nov 2026",
    )
    assert (ytd.previous().start, ytd.previous().end) == (D(2025, 1, 1), D(2025, 11, 23))
    # A year that ended is the whole year; an end past it is cut at 31 December.
    whole = Period.year_to_date("2025", D(2026, 11, 23))
    assert (whole.end, whole.label, whole.compared) == (D(2026, 1, 1), "2025 (whole year)", "previous year")
    # Data to 29 Feb 2028: the year before has no 29 Feb, so it runs to 28 Feb (included).
    assert Period.year_to_date(2028, D(2028, 3, 1)).previous().end == D(2027, 3, 1)
    assert Period.year_to_date(2028, D(2028, 2, 29)).previous().end == D(2027, 3, 1)


def test_a_custom_range_includes_both_days_and_its_previous_has_the_same_length():
    days = Period.custom(D(2026, 11, 1), D(2026, 11, 14))
    assert (days.end, days.days, days.label) == (D(2026, 11, 15), 14, "1 – 14 Nov 2026 (14 days)")
    before = days.previous()
    assert (before.start, before.end) == (D(2026, 10, 18), D(2026, 11, 1))
    assert days.trend_grain == "week" and days.compared == "previous 14 days"


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: Period.month("2026-13"), "month must look like 2026-11"),
        (lambda: Period.quarter("2026-Q5"), "quarter must look like 2026-Q4"),
        (lambda: Period.year_to_date("26", D(2026, 1, 2)), "year must look like 2026"),
        (lambda: Period.custom(D(2026, 11, 2), D(2026, 11, 1)), "must end on or after its first day"),
        (lambda: Period.week("2026-W54"), "2026 has no ISO week 54"),
    ],
)
def test_a_malformed_period_is_a_period_error_that_says_what_is_wrong(make, text):
    with pytest.raises(PeriodError, match=text):
        make()
