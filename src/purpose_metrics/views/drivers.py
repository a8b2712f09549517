"""The Drivers page's periods and rows: which experiences bring customers
back (metrics/drivers.py computes; this module picks periods and words).

A driver needs 90 days after its period to judge a repurchase, so the page
offers only periods whose window has closed: weeks that end at least 90
days before the as-of instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from .. import formatting
from ..calendars import instant, to_local
from ..metrics.dataset import Dataset
from ..metrics.drivers import DRIVER_LABELS, WINDOW, wilson
from ..periods import Periods


@dataclass(frozen=True)
class DriverWindow:
    period: Periods
    label: str  # "13 weeks, 2 Jun – 31 Aug 2026"


def mature_weeks(data: Dataset) -> list[str]:
    """Every week of the company's calendar whose 90-day window has closed
    by the as-of instant, from the first order's week, latest first (empty
    without data)."""
    if data.as_of is None or data.first_order_at is None:
        return []
    cal = data.calendar
    out, day = [], cal.week_start(to_local(data.first_order_at, data.timezone).date())
    while instant(day + dt.timedelta(days=7), data.timezone) + WINDOW <= data.as_of:
        out.append(cal.week_label(day))
        day += dt.timedelta(days=7)
    return out[::-1]


def driver_window(week: str, span: int) -> DriverWindow:
    """`span` whole weeks ending with `week` (ISO or fiscal: its label says which)."""
    end = Periods.week(week).end
    period = Periods(end - dt.timedelta(days=7 * span), end)
    weeks = "1 week" if span == 1 else f"{span} weeks"
    return DriverWindow(period, f"{weeks}, {formatting.week_range(period.start, period.end)}")


# The two groups in a few words, for a table column.
DRIVER_SHORT: dict[str, str] = {
    "on_time_delivery": "on time vs late",
    "purpose_achieved": "achieved vs not",
    "first_contact_resolution": "one contact vs more",
    "cause_participation": "gave vs did not",
}

VERDICT_WORDS = {
    "differs": "✔ differs",
    "overlap": "≈ no clear difference",
    "cannot compare": "— cannot compare",
}


def verdict(row: dict) -> str:
    """ "differs" when the difference's 95 % interval leaves out 0, "overlap"
    when it holds 0, "cannot compare" when the row has no difference
    (suppressed, immature, or an empty group)."""
    if row["difference_pp"] is None or row["ci_low"] is None:
        return "cannot compare"
    return "differs" if row["ci_low"] > 0 or row["ci_high"] < 0 else "overlap"


def why_not(row: dict) -> str:
    if row["immature"]:
        return "its 90 days are not over"
    return f"a group of {min(row['n_good'], row['n_bad']):,} (< 10)"


def short_why_not(row: dict) -> str:
    """why_not in a few words, for a chart row."""
    if row["immature"]:
        return "90 days not over"
    return f"too few to compare ({min(row['n_good'], row['n_bad']):,})"


def _rate(rate: float | None, back: int | None, n: int) -> str:
    """'32.1 % of 2,001 [30.1–34.2]': the group's 90-day repurchase rate, its
    size and its 95 % Wilson interval (the one Newcombe's is built from)."""
    if rate is None or back is None:
        return f"— of {n:,}"
    low, high = wilson(back, n)
    return f"{rate:.1f} % of {n:,} [{100 * low:.1f}–{100 * high:.1f}]"


def driver_table(rows: pl.DataFrame, currency: str) -> pl.DataFrame:
    """One scope's drivers as a person reads them: one row per driver, each
    group's 90-day repurchase rate with its size, the gap with its 95 %
    interval, the verdict, and the revenue at stake."""
    out = []
    for r in rows.iter_rows(named=True):
        v = verdict(r)
        if r["difference_pp"] is None:
            gap = "—"
            said = f"{VERDICT_WORDS[v]}: {why_not(r)}"
        else:
            gap = f"{r['difference_pp']:+.1f} pp  [{r['ci_low']:+.1f} to {r['ci_high']:+.1f}]"
            said = VERDICT_WORDS[v]
        stake = r["revenue_at_stake"]
        out.append(
            {
                "Driver": DRIVER_LABELS[r["driver"]],
                "Good vs bad": DRIVER_SHORT[r["driver"]],
                "Came back: good [95 %]": _rate(r["rate_good"], r["repurchased_good"], r["n_good"]),
                "Came back: bad [95 %]": _rate(r["rate_bad"], r["repurchased_bad"], r["n_bad"]),
                "Gap [95 % interval]": gap,
                "Verdict": said,
                "Revenue at stake": "—" if stake is None else formatting.money(stake, currency),
            }
        )
    return pl.DataFrame(out)


def largest_at_stake(rows: pl.DataFrame) -> dict | None:
    """The driver row with the largest revenue at stake (> 0), or None."""
    shown = rows.filter(pl.col("revenue_at_stake").is_not_null() & (pl.col("revenue_at_stake") > 0))
    if shown.height == 0:
        return None
    return shown.sort("revenue_at_stake", descending=True).row(0, named=True)


# Each driver's groups in a sentence: (good customers, bad customers).
DRIVER_WHO: dict[str, tuple[str, str]] = {
    "on_time_delivery": ("whose order arrived on time", "whose order arrived late"),
    "purpose_achieved": ("who told us we helped them do what they came for", "who told us we did not"),
    "first_contact_resolution": (
        "whose every ticket was resolved at the first contact",
        "who needed more than one contact",
    ),
    "cause_participation": ("who gave to a cause at checkout", "who gave nothing"),
}


def headline(rows: pl.DataFrame, currency: str) -> str | None:
    """One plain sentence on the driver worth most among those whose gap is
    beyond noise (else among all, saying so), or None."""
    clear = rows.filter(pl.col("ci_low").is_not_null() & ((pl.col("ci_low") > 0) | (pl.col("ci_high") < 0)))
    top = largest_at_stake(clear) or largest_at_stake(rows)
    if top is None:
        return None
    good, bad = DRIVER_WHO[top["driver"]]
    noise = (
        ""
        if verdict(top) == "differs"
        else " The gap is within noise, though: its 95 % interval includes zero."
    )
    return (
        f"Customers {good} came back within 90 days {top['rate_good']:.1f} % of the time, against "
        f"{top['rate_bad']:.1f} % of those {bad}. Had the {top['n_bad']:,} customers {bad} come back as "
        f"often, they would have spent about {formatting.money(top['revenue_at_stake'], currency)} more."
        + noise
    )


def brand_gaps(rows: pl.DataFrame, scope_ids: list[str], names: dict[str, str]) -> pl.DataFrame:
    """Every scope's gap per driver: one row per driver, one column per
    scope ("+12.3 pp ✔", "+2.0 pp ≈", "—")."""
    out = []
    for driver in DRIVER_LABELS:
        row = {"Driver": DRIVER_LABELS[driver]}
        for scope in scope_ids:
            part = rows.filter((pl.col("scope") == scope) & (pl.col("driver") == driver))
            r = part.row(0, named=True) if part.height else None
            if r is None or r["difference_pp"] is None:
                row[names.get(scope, scope)] = "—"
            else:
                mark = "✔" if verdict(r) == "differs" else "≈"
                row[names.get(scope, scope)] = f"{r['difference_pp']:+.1f} pp {mark}"
        out.append(row)
    return pl.DataFrame(out)


LIFT_WEEKS = 13  # a driver's 90 days, in whole weeks


@dataclass(frozen=True)
class LiftStart:
    """Where the sales-lift what-if starts: the bad group of the driver with
    the largest revenue at stake, buying what closes the gap."""

    customers: int
    extra_units: float  # per customer per week
    weeks: int
    note: str


def lift_start(rows: pl.DataFrame, aur: float | None, currency: str, period_label: str) -> LiftStart | None:
    """The what-if's inputs so that customers × extra units × aur × weeks is
    the largest revenue at stake of `rows` (one scope's drivers), or None
    when no driver has any (or there is no unit price)."""
    top = largest_at_stake(rows)
    if top is None or not aur:
        return None
    customers = int(top["n_bad"])
    units = top["revenue_at_stake"] / (customers * aur * LIFT_WEEKS)
    _, bad = DRIVER_WHO[top["driver"]]
    note = (
        f"Starts from the drivers' largest revenue at stake: the {customers:,} customers {bad} "
        f"({period_label}) coming back as often as the others, worth "
        f"{formatting.money(top['revenue_at_stake'], currency)} over {LIFT_WEEKS} weeks."
    )
    return LiftStart(customers, units, LIFT_WEEKS, note)
