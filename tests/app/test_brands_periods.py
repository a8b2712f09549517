"""The Brands and segments page over the home page's period kinds: a month,
a quarter, the year to date and a custom range beside the weeks (AppTest
over the router, on the worked example, whose data run to Sunday 28 Jun
2026, 14:26 UTC).

Each brand's value must be what `purpose-metrics kpis --from X --to Y
--brand B` prints for the same days; orders are also counted by hand from
orders.csv.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys

import polars as pl
import pytest
from conftest import ROOT, TIMEOUT, chart_specs
from streamlit.testing.v1 import AppTest

from purpose_metrics import cli, dburl
from purpose_metrics.ui import page, state

PAGE = "pages/brands.py"
BRANDS = {"alpine": "Alpine", "hearth": "Hearth", "stride": "Stride", "tiny": "Tiny"}


@pytest.fixture
def opened(monkeypatch):
    """opened(url, **query): the brands page opened by a link holding `query`.

    AppTest must otherwise run the router's home page first, and its period
    pickers share their keys with this page's: the home page's choice would
    win over the link. So the page runs on its own here, as the first run of
    a link does (page.ensure_router finds no router to hand over to)."""

    def open_brands(url: str, **query: str) -> AppTest:
        monkeypatch.setenv(dburl.ENV_URL, url)
        monkeypatch.setenv(state.ENV_DEFAULT_WEEK, "complete")  # the worked example's 2026-W25
        monkeypatch.setattr(page, "_router_script", None)
        monkeypatch.setattr(sys, "argv", [str(ROOT / PAGE)])  # pages/ holds no pages/: not a router
        at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
        at.query_params.update(query)
        return at.run()

    return open_brands


def cli_value(url: str, metric_id: str, start: str, end: str, brand: str | None) -> float | None:
    """`purpose-metrics kpis --from start --to end [--brand brand]`: the scope's value of the metric."""
    args = ["--db", url, "kpis", "--from", start, "--to", end, "--format", "json"]
    args += ["--brand", brand] if brand else []
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(args) == 0
    rows = json.loads(out.getvalue())
    rows = rows if isinstance(rows, list) else rows.get("rows", rows)
    scope = brand or "company"
    return next(r["value"] for r in rows if r["metric_id"] == metric_id and r["scope"] == scope)


def cli_row(url: str, metric_id: str, start: str, end: str) -> dict:
    """The company's row of `purpose-metrics kpis --from start --to end` for the metric."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["--db", url, "kpis", "--from", start, "--to", end, "--format", "json"]) == 0
    rows = json.loads(out.getvalue())
    rows = rows if isinstance(rows, list) else rows.get("rows", rows)
    return next(r for r in rows if r["metric_id"] == metric_id and r["scope"] == "company")


def dots(at) -> dict[str, float]:
    """{scope name: value} from the side-by-side chart."""
    spec = next(s for s in chart_specs(at) if " by brand — " in s["layout"]["title"]["text"])
    return {t["y"][0]: t["x"][0] for t in spec["data"] if t.get("mode") == "markers+text"}


def by_cli(url: str, metric_id: str, start: str, end: str) -> dict[str, float | None]:
    return {"Company": cli_value(url, metric_id, start, end, None)} | {
        name: cli_value(url, metric_id, start, end, brand) for brand, name in BRANDS.items()
    }


def completed(example_dir, start: dt.date, end: dt.date) -> pl.DataFrame:
    orders = pl.read_csv(example_dir / "data" / "orders.csv", try_parse_dates=True)
    return orders.filter(
        (pl.col("status") == "completed")
        & (pl.col("ordered_at") >= dt.datetime.combine(start, dt.time()))
        & (pl.col("ordered_at") < dt.datetime.combine(end, dt.time()))
    )


def counted(orders: pl.DataFrame) -> dict[str, float]:
    per_brand = dict(orders.group_by("brand_id").len().iter_rows())
    # A brand without an order in the period counts 0.
    return {"Company": float(orders.height)} | {
        name: float(per_brand.get(b, 0)) for b, name in BRANDS.items()
    }


def caption(at) -> str:
    return next(c.value for c in at.caption if "purpose-metrics kpis --from" in c.value)


def test_a_month_compares_brands_over_the_month_as_the_cli_and_a_count_by_hand(app, small_db, example_dir):
    at = app(small_db, PAGE, metric="Orders")
    at.button_group(key="period").set_value("month").run()
    assert not at.exception
    assert at.selectbox(key="month").options[:2] == ["June 2026", "May 2026"]
    at.selectbox(key="month").set_value("2026-05").run()
    assert not at.exception
    assert dots(at) == counted(completed(example_dir, dt.date(2026, 5, 1), dt.date(2026, 6, 1)))
    assert dots(at) == by_cli(small_db, "orders", "2026-05-01", "2026-06-01")
    text = caption(at)
    assert text.startswith("May 2026 ·") and "partial" not in text
    assert "`purpose-metrics kpis --from 2026-05-01 --to 2026-06-01`" in text


def test_a_quarter_s_nps_by_brand_equals_the_cli_with_brand(opened, small_db):
    at = opened(small_db, period="quarter", quarter="2026-Q1")  # NPS: a survey score with intervals
    assert not at.exception and not at.warning
    expected = by_cli(small_db, "nps", "2026-01-01", "2026-04-01")
    got = dots(at)
    assert set(got) == {name for name, value in expected.items() if value is not None}
    assert got == pytest.approx({name: value for name, value in expected.items() if value is not None})


def test_each_brand_is_compared_with_the_previous_period_of_the_same_kind(opened, small_db, example_dir):
    at = opened(small_db, metric="Orders", period="month", month="2026-05")
    assert not at.exception
    assert at.subheader[1].value == "Against the previous month"
    table = at.dataframe[1].value
    now = counted(completed(example_dir, dt.date(2026, 5, 1), dt.date(2026, 6, 1)))
    april = counted(completed(example_dir, dt.date(2026, 4, 1), dt.date(2026, 5, 1)))
    rows = {r["Company or brand"]: r for r in table.to_dict("records")}
    for name in ("Company", "Hearth"):
        # A count is its own sample size: no "n =" beside it.
        assert rows[name]["This period [95 % interval]"] == f"{int(now[name]):,} orders"
        assert rows[name]["Previous month [95 % interval]"] == f"{int(april[name]):,} orders"
        diff = int(now[name] - april[name])
        assert rows[name]["Change"] == (f"{diff:+,}" if diff else "±0")
        # Orders are counted, not estimated: no interval says whether the change is noise.
        assert rows[name]["Verdict"].startswith("? this metric has no interval")


def test_an_estimate_against_the_previous_quarter_shows_its_sample_sizes(opened, small_db):
    at = opened(small_db, period="quarter", quarter="2026-Q1")
    row = next(r for r in at.dataframe[1].value.to_dict("records") if r["Company or brand"] == "Company")
    now = cli_row(small_db, "nps", "2026-01-01", "2026-04-01")
    before = cli_row(small_db, "nps", "2025-10-01", "2026-01-01")  # Q4 2025
    assert row["This period [95 % interval]"].endswith(f" · n = {now['n']:,}")
    assert row["Previous quarter [95 % interval]"].endswith(f" · n = {before['n']:,}")
    beyond = now["ci_low"] > before["ci_high"] or before["ci_low"] > now["ci_high"]
    assert row["Verdict"].startswith("✔ moved" if beyond else "≈ within noise")


def test_year_to_date_runs_to_the_latest_day_and_is_marked_partial(opened, small_db, example_dir):
    at = opened(small_db, metric="Orders", period="ytd")
    assert not at.exception
    assert dots(at) == counted(completed(example_dir, dt.date(2026, 1, 1), dt.date(2026, 6, 29)))
    text = caption(at)
    assert text.startswith("2026 to date · 1 Jan – 28 Jun 2026 (**partial: data to Sun 28 Jun, 14:26 UTC**")
    assert "`purpose-metrics kpis --from 2026-01-01 --to 2026-06-29`" in text
    assert at.subheader[1].value == "Against the same days of the previous year"


def test_a_custom_range_includes_both_days_and_its_files_are_named_by_them(
    opened, small_db, example_dir, media
):
    at = opened(small_db, metric="Orders", period="custom", **{"from": "2026-06-01", "to": "2026-06-14"})
    assert not at.exception and not at.warning
    assert dots(at) == counted(completed(example_dir, dt.date(2026, 6, 1), dt.date(2026, 6, 15)))
    assert dots(at) == by_cli(small_db, "orders", "2026-06-01", "2026-06-15")
    names = [
        media[-1].get_file(b.proto.url.rsplit("/", 1)[-1]).filename
        for b in at.get("download_button")
        if b.proto.url
    ]
    assert names and all("_2026-06-01_2026-06-14" in n for n in names), names
    # Within a short range the trend runs in weeks, to the week holding its last day.
    assert any(
        s["layout"]["title"]["text"] == "Orders, weekly — 12 weeks to 2026-W24" for s in chart_specs(at)
    )


def test_a_monthly_metric_over_a_range_without_a_whole_month_says_why_it_has_no_value(opened, small_db):
    at = opened(
        small_db,
        metric="Voluntary turnover",
        period="custom",
        **{"from": "2026-06-01", "to": "2026-06-14"},
    )
    assert not at.exception
    assert any(
        i.value.startswith("No brand has a Voluntary turnover value for 1 – 14 Jun 2026 (14 days)")
        and "Voluntary turnover is monthly: it counts the whole months inside the period." in i.value
        for i in at.info
    ), [i.value for i in at.info]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ({"period": "month", "month": "2026-03"}, "March 2026"),
        ({"period": "Quarter", "quarter": "2025-Q3"}, "Q3 2025 · Jul – Sep"),
        ({"period": "ytd", "year": "2025"}, "2025 (whole year)"),
        ({"period": "custom", "from": "2026-02-02", "to": "2026-02-15"}, "2 – 15 Feb 2026 (14 days)"),
        ({"week": "2026-W24", "span": "4 weeks"}, "4 weeks 2026-W21 – 2026-W24 (18 May – 14 Jun 2026)"),
    ],
)
def test_a_link_restores_the_period(opened, small_db, query, label):
    at = opened(small_db, metric="Orders", **query)
    assert not at.exception and not at.warning
    assert caption(at).startswith(f"{label} ·")
    again = opened(small_db, **dict(at.query_params.items()))
    assert caption(again).startswith(f"{label} ·")
