"""The pages of a company on the NRF 4-5-4 calendar in Europe/Berlin (SPEC section 7).

The worked example's data run to Sun 28 Jun 2026 14:26 UTC, 16:26 in Berlin.
By hand: FY2026 starts Sun 1 Feb 2026, so Sun 28 Jun starts FY2026-W22
(still open) and the latest whole week is FY2026-W21, Sun 21 – Sat 27 Jun
2026; its comparable week is FY2025-W21 (FY2025 starts Sun 2 Feb 2025),
Sun 22 – Sat 28 Jun 2025. Fiscal months of FY2026: M01 1–28 Feb (4 weeks),
M02 1 Mar – 4 Apr (5), M03 5 Apr – 2 May (4), M04 3–30 May (4), M05 31 May –
4 Jul (5).
"""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import cards, chart_svgs

from purpose_metrics import catalog, db, formatting
from purpose_metrics.cli import main

WEEK = "FY2026-W21"


@pytest.fixture(scope="module")
def nrf_db(example_templates, tmp_path_factory) -> str:
    url = example_templates.copy("duckdb", tmp_path_factory.mktemp("nrf") / "nrf.duckdb")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE company SET timezone = 'Europe/Berlin', calendar = 'nrf'")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def printed(nrf_db) -> dict:
    """`kpis --calendar nrf --week FY2026-W21 --compare year`, by (metric, scope)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--db", nrf_db, "kpis", "--calendar", "nrf", "--week", WEEK, "--compare", "year",
                     "--format", "json"])  # fmt: skip
    assert code == 0
    return {(r["metric_id"], r["scope"]): r for r in json.loads(out.getvalue())}


def test_the_home_page_shows_fiscal_weeks(app, nrf_db):
    at = app(nrf_db)
    assert not at.exception
    assert at.title[0].value == "Week FY2026-W21 · 21 – 27 Jun 2026"
    options = at.selectbox(key="week").options
    assert options[:2] == ["FY2026-W21", "FY2026-W20"]  # the whole weeks (the tests' setting)
    assert all(o.startswith("FY") for o in options)


def test_the_cards_show_what_kpis_prints_for_the_fiscal_week_and_last_years(app, nrf_db, printed):
    at = app(nrf_db)
    checked = compared = 0
    for card in cards(at):
        metric = catalog.get(card.metric_id)
        if metric.monthly:
            continue  # a calendar month's value, not the week's
        r = printed[(metric.id, "company")]
        assert card.value == formatting.kpi_text(metric, r, "EUR", with_unit=False), metric.id
        checked += 1
        if r["value"] is not None and r["change"] is not None:
            assert f"{formatting.change_text(metric, r['change'], 'EUR')} vs same week last year" in card.text
            compared += 1
    assert checked >= 25 and compared >= 10
    assert (r["comparable_start"], r["comparable_end"]) == ("2025-06-22", "2025-06-29")


def test_an_iso_link_on_an_nrf_company_gets_a_notice_not_an_error(app, nrf_db):
    at = app(nrf_db, week="2026-W25")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert (
        "is an ISO week; this company reads its weeks on the NRF 4-5-4 calendar (fiscal weeks like FY2026-W21); "
        "showing FY2026-W21 instead." in warnings
    )
    assert at.selectbox(key="week").value == WEEK
    # A fiscal week's link opens it.
    at = app(nrf_db, week="FY2026-W08")
    assert not at.warning and at.title[0].value == "Week FY2026-W08 · 22 – 28 Mar 2026"


def test_the_caption_names_the_comparable_week(app, nrf_db):
    at = app(nrf_db)
    caption = " ".join(c.value for c in at.caption)
    assert "vs previous week and the same week last year (FY2025-W21 · 22 – 28 Jun 2025)" in caption


def test_months_quarters_and_years_are_fiscal(app, nrf_db):
    at = app(nrf_db, period="month")
    assert not at.exception
    assert at.title[0].value == "FY2026-M05 · 31 May – 4 Jul 2026"
    assert at.selectbox(key="month").options[:2] == ["FY2026-M05 · 31 May – 4 Jul 2026",
                                                     "FY2026-M04 · 3 – 30 May 2026"]  # fmt: skip
    assert "vs same month last year" in " ".join(c.text for c in cards(at))
    at = app(nrf_db, period="ytd")
    assert at.title[0].value.startswith("FY2026 to date · 1 Feb – 28 Jun 2026")


def test_the_sidebar_names_the_calendar_and_the_zone(app, nrf_db):
    at = app(nrf_db)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "NRF 4-5-4 retail calendar (fiscal weeks Sunday to Saturday); time zone Europe/Berlin" in captions
    assert "16:26 Europe/Berlin (the latest order)" in captions  # 14:26 UTC in summer time


def test_loyalty_cohorts_and_last_years_line_follow_the_calendar(app, nrf_db):
    at = app(nrf_db, "pages/loyalty.py", cohort="Week")
    assert not at.exception
    svgs = [html.unescape(s) for s in chart_svgs(at)]
    heatmap = next(s for s in svgs if f"weekly cohorts complete by {WEEK}" in s)
    # The cells' tooltips name their cohort: the 12 fiscal weeks W10 to W21, of which W21 has no week
    # after its first yet (so no cell is drawn for it).
    rows = set(re.findall(r"cohort (FY20\d\d-W\d\d)", heatmap))
    assert rows == {f"FY2026-W{w:02d}" for w in range(10, 21)}
    assert "last year" not in svgs[0]
    at.toggle(key="loyalty_kpi_last_year").set_value(True).run()
    assert not at.exception
    after = [html.unescape(s) for s in chart_svgs(at)]
    assert len(after) == len(svgs) and "last year" in after[0] and "stroke-dasharray" in after[0]


def test_the_data_page_gives_the_as_of_time_in_the_companys_zone(app, nrf_db):
    at = app(nrf_db, "pages/data.py")
    captions = " ".join(c.value for c in at.caption)
    # 28 Jun 2026 14:26 UTC is 16:26 in Berlin (summer time, UTC+2).
    assert "16:26 Europe/Berlin — the latest order" in captions and "14:26 UTC" not in captions
