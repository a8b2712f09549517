"""The "Loyalty and retention" page (AppTest over the router), on the
worked example in its latest complete week, 2026-W25 (15–21 Jun 2026)."""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest
from conftest import cards, chart_specs

from purpose_metrics import formatting
from purpose_metrics.cli import main

PAGE = "pages/loyalty.py"


def test_renders_the_loyalty_cards_the_cohorts_and_the_scenario(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Loyalty"]
    assert len(cards(at)) == 12  # the pillar's cards
    assert [m.label for m in at.metric] == ["Sales lift"]
    spec = chart_specs(at)[1]
    assert spec["data"][0]["type"] == "heatmap"


def test_the_sales_lift_is_customers_times_units_times_aur_times_weeks(app, small_db, example_dir):
    orders = pl.read_csv(example_dir / "data" / "orders.csv", try_parse_dates=True).filter(
        (pl.col("status") == "completed")
        & (pl.col("ordered_at") >= dt.datetime(2026, 6, 15))
        & (pl.col("ordered_at") < dt.datetime(2026, 6, 22))
    )
    aur = orders["net_revenue"].sum() / orders["units"].sum()  # revenue before refunds per unit
    at = app(small_db, PAGE)
    at.number_input(key="lift_customers").set_value(10_000).run()
    at.number_input(key="lift_units").set_value(1.0).run()
    at.number_input(key="lift_weeks").set_value(52).run()
    lift = next(m.value for m in at.metric if m.label == "Sales lift")
    assert lift == f"€{10_000 * 1.0 * aur * 52:,.0f}"


def test_the_what_if_starts_from_the_largest_revenue_at_stake(app, small_db, example_db, capsys):
    # The example's data end 28 Jun 2026: the latest week whose 90 days are over is 2026-W13
    # (23-29 Mar; + 90 days = 28 Jun 00:00). Its 13 weeks: 29 Dec 2025 - 30 Mar 2026.
    assert (
        main(
            ["--db", example_db, "drivers", "--from", "2025-12-29", "--to", "2026-03-30", "--format", "json"]
        )
        == 0
    )
    rows = [
        r for r in json.loads(capsys.readouterr().out) if r["scope"] == "company" and r["revenue_at_stake"]
    ]
    top = max(rows, key=lambda r: r["revenue_at_stake"])
    at = app(small_db, PAGE)
    assert not at.exception
    assert at.number_input(key="lift_customers").value == top["n_bad"]
    assert at.number_input(key="lift_weeks").value == 13
    lift = next(m.value for m in at.metric if m.label == "Sales lift")
    assert lift == formatting.money(top["revenue_at_stake"], "EUR")
    assert any("largest revenue at stake" in c.value for c in at.caption)


def test_cohorts_by_week_change_the_grid(app, small_db):
    at = app(small_db, PAGE)
    monthly = chart_specs(at)[1]["data"][0]["y"]
    at.button_group(key="cohort").set_value("week").run()
    weekly = chart_specs(at)[1]["data"][0]["y"]
    # Whole cohorts by the end of 2026-W25 (21 Jun): May 2026, and the week itself.
    assert monthly[-1].startswith("2026-05") and weekly[-1].startswith("2026-W25")


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value


def test_retention_curves_pool_the_latest_monthly_cohorts(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    spec = chart_specs(at)[2]
    assert spec["layout"]["title"]["text"].startswith("Retention curves — Company, the latest")
    average = next(t for t in spec["data"] if t["name"].endswith("cohorts together"))
    cohorts = [t for t in spec["data"] if t is not average]
    assert 1 <= len(cohorts) <= 6 and average["x"][0] == 1  # the first month itself (100 %) is left out

    # +1 month, pooled by hand from each cohort's size and customers back (read off its line).
    def count(pattern: str, text: str) -> int:
        return int(re.search(pattern, text).group(1).replace(",", ""))

    sizes = [count(r"\(n = ([\d,]+)\)", t["name"]) for t in cohorts]
    back = [count(r"\+1: ([\d,]+) back", t["hovertext"][0]) for t in cohorts]
    assert average["y"][0] == pytest.approx(100 * sum(back) / sum(sizes))
    assert "in dark blue, all" in "\n".join(c.value for c in at.caption)


def test_every_scenario_input_has_a_ceiling_and_the_lift_is_never_infinite(app, small_db, read):
    at = app(small_db, PAGE)
    assert all(n.max is not None for n in at.number_input)
    for key in ("lift_customers", "lift_units", "lift_weeks"):
        at.number_input(key=key).set_value(1e308).run()  # what the issue typed; the widget refuses it
    lift = next(m.value for m in at.metric if m.label == "Sales lift")
    assert re.fullmatch(r"€[\d,]+(\.\d\d)?", lift), lift
    for n in at.number_input:
        at.number_input(key=n.key).set_value(n.max).run()  # every input at its ceiling
    lift = next(m.value for m in at.metric if m.label == "Sales lift")
    assert re.fullmatch(r"€[\d,]+", lift), lift
    assert not re.search(r"\b(inf|nan)\b", read(at), re.IGNORECASE)
