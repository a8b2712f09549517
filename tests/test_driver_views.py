"""The Drivers page's words and choices (views/drivers.py), on hand-made rows."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import polars as pl
from builders import dataset, order

from purpose_metrics import views
from purpose_metrics.metrics.drivers import DRIVER_COLUMNS


def _row(driver: str, **kw) -> dict:
    base = {c: None for c in DRIVER_COLUMNS}
    base.update(
        driver=driver, scope="company", period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 6, 1),
        n_good=100, repurchased_good=40, n_bad=50, repurchased_bad=10, suppressed=False, immature=False,
    )  # fmt: skip
    base.update(kw)
    return base


def _rows(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema_overrides={"period_start": pl.Date, "period_end": pl.Date})


CLEAR = _row("on_time_delivery", rate_good=40.0, rate_bad=20.0, difference_pp=20.0, ci_low=5.0, ci_high=33.0,
             revenue_at_stake=500.0)  # fmt: skip
NOISY = _row("cause_participation", rate_good=40.0, rate_bad=30.0, difference_pp=10.0, ci_low=-2.0, ci_high=22.0,
             revenue_at_stake=900.0)  # fmt: skip
SMALL = _row("purpose_achieved", n_good=4, n_bad=30, suppressed=True)
LATE = _row("first_contact_resolution", immature=True, repurchased_good=None, repurchased_bad=None)


def test_verdicts():
    assert views.verdict(CLEAR) == "differs"
    assert views.verdict(NOISY) == "overlap"
    assert views.verdict(SMALL) == "cannot compare"
    assert (
        views.verdict(_row("on_time_delivery", difference_pp=-8.0, ci_low=-15.0, ci_high=-1.0)) == "differs"
    )


def test_the_table_says_why_a_driver_cannot_be_compared():
    table = views.driver_table(_rows(CLEAR, SMALL, LATE, NOISY), "EUR").to_dicts()
    z = NormalDist().inv_cdf(0.975)  # Wilson, by hand: 40 of 100
    centre, half = (
        (40 + z * z / 2) / (100 + z * z),
        z * math.sqrt(100 * 0.4 * 0.6 + z * z / 4) / (100 + z * z),
    )
    assert (
        table[0]["Came back: good [95 %]"]
        == f"40.0 % of 100 [{100 * (centre - half):.1f}–{100 * (centre + half):.1f}]"
    )
    assert table[0]["Gap [95 % interval]"] == "+20.0 pp  [+5.0 to +33.0]"
    assert table[0]["Verdict"] == "✔ differs"
    assert table[0]["Revenue at stake"] == "€500.00"  # money under €1,000 shows its cents
    assert table[1]["Verdict"] == "— cannot compare: a group of 4 (< 10)"
    assert table[1]["Came back: good [95 %]"] == "— of 4"
    assert table[2]["Verdict"] == "— cannot compare: its 90 days are not over"
    assert table[3]["Verdict"] == "≈ no clear difference"


def test_the_headline_prefers_a_gap_beyond_noise_over_a_larger_noisy_one():
    sentence = views.headline(_rows(CLEAR, NOISY), "EUR")
    assert sentence.startswith("Customers whose order arrived on time came back within 90 days 40.0 %")
    assert "€500" in sentence and "noise" not in sentence
    # Only noisy gaps: the largest, said to be within noise.
    noisy_only = views.headline(_rows(NOISY, SMALL), "EUR")
    assert "€900" in noisy_only and "within noise" in noisy_only
    assert views.headline(_rows(SMALL, LATE), "EUR") is None


def test_only_weeks_whose_90_days_are_over_are_mature():
    # First order Monday 5 Jan 2026 (2026-W02); the data end 20 Apr 2026 12:00.
    # W02 ends 12 Jan; + 90 days = 12 Apr <= 20 Apr: mature. W03 ends 19 Jan; + 90 = 19 Apr: mature.
    # W04 ends 26 Jan; + 90 = 26 Apr > 20 Apr: not yet.
    data = dataset(orders=[order(1, 1, "a", "2026-01-05 10:00"), order(2, 1, "a", "2026-04-20 12:00")])
    assert views.mature_weeks(data) == ["2026-W03", "2026-W02"]
