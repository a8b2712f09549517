"""The home page's periods: week, month, quarter, year to date and a custom
range (AppTest over the router, on the worked example).

The worked example's data run to Sunday 28 Jun 2026, 14:26 UTC, so June 2026,
Q2 2026 and 2026 to date are still open. Each period's cards must show what
`purpose-metrics kpis --from X --to Y` prints for the same days; the orders
count is also counted by hand from orders.csv.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json

import polars as pl
import pytest
from conftest import cards

from purpose_metrics import catalog, cli, formatting

PARTIAL = "partial: data to Sun 28 Jun, 14:26 UTC"
# Metrics whose cards the tests compare with the CLI: counts, money, ratios, a survey score.
COMPARED = (
    "orders",
    "net_revenue",
    "active_customers",
    "returning_order_share",
    "aov",
    "on_time_delivery_rate",
)


def cli_kpis(url: str, start: str, end: str) -> dict[str, dict]:
    """The company's rows of `purpose-metrics kpis --from start --to end --format json`, by metric."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["--db", url, "kpis", "--from", start, "--to", end, "--format", "json"]) == 0
    rows = json.loads(out.getvalue())
    rows = rows if isinstance(rows, list) else rows.get("rows", rows)
    return {r["metric_id"]: r for r in rows if r["scope"] == "company"}


def completed_orders(example_dir, start: dt.date, end: dt.date) -> int:
    orders = pl.read_csv(example_dir / "data" / "orders.csv", try_parse_dates=True)
    return orders.filter(
        (pl.col("status") == "completed")
        & (pl.col("ordered_at") >= dt.datetime.combine(start, dt.time()))
        & (pl.col("ordered_at") < dt.datetime.combine(end, dt.time()))
    ).height


def shown(at) -> dict[str, object]:
    return {c.metric_id: c for c in cards(at)}


def assert_cards_match_the_cli(at, url: str, start: str, end: str) -> None:
    expected = cli_kpis(url, start, end)
    on_screen = shown(at)
    for metric_id in COMPARED:
        metric, row = catalog.get(metric_id), expected[metric_id]
        text = formatting.kpi_text(metric, row, "EUR", with_unit=False)  # the example's currency
        assert on_screen[metric_id].value == text, (metric_id, on_screen[metric_id].value, row["value"])


def caption(at, start: str) -> str:
    return next(c.value for c in at.caption if c.value.startswith(start))


def test_month_is_selectable_and_its_cards_equal_the_cli_for_that_month(app, small_db, example_dir):
    at = app(small_db)
    at.button_group(key="period").set_value("month").run()
    assert not at.exception
    # The latest month with data is June 2026, still open on 28 Jun.
    assert at.title[0].value == "June 2026"
    assert at.selectbox(key="month").options[:2] == ["June 2026", "May 2026"]
    at.selectbox(key="month").set_value("2026-05").run()
    assert at.title[0].value == "May 2026"
    assert (
        shown(at)["orders"].value
        == f"{completed_orders(example_dir, dt.date(2026, 5, 1), dt.date(2026, 6, 1))}"
    )
    assert_cards_match_the_cli(at, small_db, "2026-05-01", "2026-06-01")
    assert "vs previous month" in shown(at)["orders"].delta
    text = caption(at, "1 – 31 May 2026")
    assert "Compared with April 2026" in text and "partial" not in text


def test_the_change_is_against_the_previous_month_as_the_cli_computes_it(app, small_db):
    at = app(small_db, period="month", month="2026-05")
    may = cli_kpis(small_db, "2026-05-01", "2026-06-01")["orders"]["value"]
    april = cli_kpis(small_db, "2026-04-01", "2026-05-01")["orders"]["value"]
    change = int(may - april)
    assert shown(at)["orders"].delta.startswith(f"{'▲' if change > 0 else '▼'} {change:+,} vs previous month")


def test_an_open_month_is_marked_partial(app, small_db):
    at = app(small_db, period="month")
    assert at.title[0].value == "June 2026"
    text = caption(at, "1 – 30 Jun 2026")
    assert f"**{PARTIAL}**" in text and "compared with the whole May 2026" in text
    assert "`purpose-metrics kpis --from 2026-06-01 --to 2026-07-01`" in text


def test_quarter_is_selectable_and_matches_the_cli(app, small_db, example_dir):
    at = app(small_db)
    at.button_group(key="period").set_value("quarter").run()
    assert not at.exception
    assert at.title[0].value == "Q2 2026 · Apr – Jun"
    assert PARTIAL in caption(at, "1 Apr – 30 Jun 2026")
    at.selectbox(key="quarter").set_value("2026-Q1").run()
    assert at.title[0].value == "Q1 2026 · Jan – Mar"
    assert (
        shown(at)["orders"].value
        == f"{completed_orders(example_dir, dt.date(2026, 1, 1), dt.date(2026, 4, 1))}"
    )
    assert_cards_match_the_cli(at, small_db, "2026-01-01", "2026-04-01")
    assert "vs previous quarter" in shown(at)["orders"].delta
    assert "Compared with Q4 2025 · Oct – Dec" in caption(at, "1 Jan – 31 Mar 2026")


def test_year_to_date_runs_to_the_latest_day_and_compares_the_same_days_a_year_before(
    app, small_db, example_dir
):
    at = app(small_db)
    at.button_group(key="period").set_value("ytd").run()
    assert not at.exception
    # 1 January to Sunday 28 June 2026, the latest day with data: --to is the day after.
    assert at.title[0].value == "2026 to date · 1 Jan – 28 Jun 2026"
    assert (
        shown(at)["orders"].value
        == f"{completed_orders(example_dir, dt.date(2026, 1, 1), dt.date(2026, 6, 29))}"
    )
    assert_cards_match_the_cli(at, small_db, "2026-01-01", "2026-06-29")
    before = cli_kpis(small_db, "2025-01-01", "2025-06-29")["orders"]["value"]
    now = cli_kpis(small_db, "2026-01-01", "2026-06-29")["orders"]["value"]
    assert f"{int(now - before):+,} vs same days of the previous year" in shown(at)["orders"].delta
    assert PARTIAL in caption(at, "1 Jan – 28 Jun 2026")
    # An earlier year is the whole year, compared with the whole year before.
    at.selectbox(key="year").set_value("2025").run()
    assert at.title[0].value == "2025 (whole year)"
    assert_cards_match_the_cli(at, small_db, "2025-01-01", "2026-01-01")
    assert "vs previous year" in shown(at)["orders"].delta


def test_a_custom_range_includes_both_days_and_compares_the_range_just_before(app, small_db, example_dir):
    at = app(small_db, period="custom", **{"from": "2026-06-01", "to": "2026-06-14"})
    assert not at.exception
    assert at.title[0].value == "1 – 14 Jun 2026 (14 days)"
    assert (
        shown(at)["orders"].value
        == f"{completed_orders(example_dir, dt.date(2026, 6, 1), dt.date(2026, 6, 15))}"
    )
    assert_cards_match_the_cli(at, small_db, "2026-06-01", "2026-06-15")
    now = cli_kpis(small_db, "2026-06-01", "2026-06-15")["orders"]["value"]
    before = cli_kpis(small_db, "2026-05-18", "2026-06-01")["orders"]["value"]  # the 14 days before
    assert f"{int(now - before):+,} vs previous 14 days" in shown(at)["orders"].delta
    assert "Compared with 18 – 31 May 2026 (14 days)" in caption(at, "1 – 14 Jun 2026")
    at.date_input(key="to").set_value(dt.date(2026, 6, 7)).run()
    assert at.title[0].value == "1 – 7 Jun 2026 (7 days)"


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ({"period": "month", "month": "2026-03"}, "March 2026"),
        ({"period": "Quarter", "quarter": "2025-Q3"}, "Q3 2025 · Jul – Sep"),
        ({"period": "ytd", "year": "2025"}, "2025 (whole year)"),
        ({"period": "custom", "from": "2026-02-02", "to": "2026-02-15"}, "2 – 15 Feb 2026 (14 days)"),
        ({"week": "2026-W24"}, "Week 2026-W24 · 8 – 14 Jun 2026"),
    ],
)
def test_a_link_restores_the_period_and_the_tab_names_it(app, small_db, query, title):
    at = app(small_db, **query)
    assert not at.exception and not at.warning
    assert at.title[0].value == title
    # The link after the run (its words as the pickers show them) opens the same period again.
    again = app(small_db, **{k: v for k, v in at.query_params.items()})
    assert again.title[0].value == title


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"period": "decade"}, "The link's period “decade” is not one of week, month, quarter, ytd, custom"),
        ({"period": "month", "month": "2031-01"}, "There is no data for the month “2031\\-01”"),
        ({"period": "quarter", "quarter": "2026-Q7"}, "There is no data for the quarter “2026\\-Q7”"),
        (
            {"period": "custom", "from": "someday"},
            "The link's from date “someday” is not a date like 2026-06-01",
        ),
        ({"period": "custom", "to": "2040-01-01"}, "is outside the data (6 Jan 2025 – 28 Jun 2026)"),
    ],
)
def test_a_bad_period_in_the_link_gives_a_notice_not_an_error(app, small_db, query, says):
    at = app(small_db, **query)
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert says in warnings, warnings
    assert at.title  # the page is still drawn, on the default of that kind
