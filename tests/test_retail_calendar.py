"""The company's calendar (company.calendar, SPEC section 7) in the views,
the board pack and the data contract, on hand-worked cases.

By hand, from the NRF rule (the fiscal year ends on the Saturday nearest
31 January): FY2025 runs Sun 2 Feb 2025 – Sat 31 Jan 2026, FY2026 from
Sun 1 Feb 2026. So FY2026-W08 is Sun 22 – Sat 28 Mar 2026 and FY2025-W08
(its comparable week) Sun 23 – Sat 29 Mar 2025; FY2026-M02 (5 weeks) is
1 Mar – 4 Apr 2026 and FY2025-M02 2 Mar – 5 Apr 2025. FY2023 has 53 weeks:
its W53 is Sun 28 Jan – Sat 3 Feb 2024.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from builders import dataset, day, order
from pptx import Presentation

from purpose_metrics import catalog, db, formatting, reading, views
from purpose_metrics.charts import trend_chart
from purpose_metrics.cli import main
from purpose_metrics.export.deck import build_pack
from purpose_metrics.export.deck.content import year_label
from purpose_metrics.periods import Period, PeriodError
from purpose_metrics.ui.scorecards import card_html
from purpose_metrics.validation import import_file

COMPANY = {"name": "Co", "purpose_statement": "P", "vision": None, "mission": None, "currency": "EUR"}

ORDERS = [
    order(1, 1, "a", "2026-03-21 23:30"),  # Saturday: FY2026-W07
    order(2, 2, "a", "2026-03-22 00:30"),  # Sunday: FY2026-W08 (ISO: still 2026-W12)
    order(3, 3, "a", "2026-03-28 23:59"),  # Saturday: FY2026-W08
    order(4, 4, "a", "2026-03-29 10:00"),  # Sunday: FY2026-W09; the as-of instant
    order(5, 5, "a", "2025-03-23 08:00"),  # FY2025-W08 (Sunday)
    order(6, 6, "a", "2025-03-26 12:00"),  # FY2025-W08
    order(7, 7, "a", "2025-03-29 20:00"),  # FY2025-W08 (Saturday)
    order(8, 8, "a", "2025-03-22 12:00"),  # FY2025-W07 (Saturday)
]


def nrf(orders=ORDERS, calendar: str | None = "nrf"):
    return dataset(brands=["a"], orders=orders, company=[{**COMPANY, "calendar": calendar}])


def company_row(kpis, metric_id: str = "orders") -> dict:
    return next(
        r for r in kpis.iter_rows(named=True) if r["scope"] == "company" and r["metric_id"] == metric_id
    )


def test_the_dataset_reads_the_companys_calendar_and_iso_when_unset():
    assert nrf().calendar.name == "nrf"
    assert nrf(calendar=None).calendar.name == "iso"


def test_weeks_on_offer_are_fiscal_weeks_sunday_to_saturday():
    data = nrf()
    # As of Sun 29 Mar 2026 10:00: FY2026-W09 is open, FY2026-W08 the latest whole week.
    assert views.latest_week(data) == "FY2026-W09"
    assert views.default_week(data) == "FY2026-W08"
    weeks = views.available_weeks(data)
    # From the first order's week (FY2025-W07, 16 Mar 2025) to FY2026-W08: 46 + 8 weeks.
    assert weeks[0] == "FY2026-W08" and weeks[-1] == "FY2025-W07"
    assert len(weeks) == (day("2026-03-22") - day("2025-03-16")).days // 7 + 1


def test_a_fiscal_weeks_cards_count_sunday_to_saturday_with_last_years_same_week():
    row = company_row(views.week_kpis(nrf(), views.week_window("FY2026-W08")))
    assert (row["period_start"], row["period_end"]) == (day("2026-03-22"), day("2026-03-29"))
    assert row["value"] == 2  # orders 2 and 3
    assert row["previous"] == 1  # FY2026-W07: order 1
    assert row["last_year_start"] == day("2025-03-23")
    assert (row["last_year"], row["change_year"]) == (3, -1)  # orders 5, 6, 7
    assert row["compared_year"] == "same week last year" and row["when"] == "week FY2026-W08"
    assert row["trend_starts"][-2:] == [day("2026-03-15"), day("2026-03-22")]  # Sunday weeks
    card = card_html(row, "EUR")
    assert "vs previous week" in card and "▼ -1 vs same week last year" in card


def test_the_iso_calendar_keeps_iso_weeks_and_the_same_iso_week_of_last_year():
    data = nrf(calendar=None)
    assert views.default_week(data) == "2026-W12"  # 16-22 Mar; W13 (23-29 Mar) holds the as-of instant
    row = company_row(views.week_kpis(data, views.week_window("2026-W12")))
    assert row["value"] == 2  # orders 1 (Sat 21) and 2 (Sun 22 Mar 00:30)
    # 2025-W12 is Mon 17 – Sun 23 Mar 2025: orders 8 (Sat 22) and 5 (Sun 23).
    assert (row["last_year_start"], row["last_year"]) == (day("2025-03-17"), 2)


@pytest.mark.parametrize("week", ["FY2023-W53", "2026-W53"])
def test_a_week_53_says_plainly_it_has_no_comparable_week(week):
    data = nrf([order(1, 1, "a", "2024-01-30 10:00"), order(2, 2, "a", "2027-01-01 10:00")])
    window = views.week_window(week)
    assert window.last_year is None
    row = company_row(views.week_kpis(data, window))
    assert row["value"] == 1
    assert (row["last_year_start"], row["last_year"], row["change_year"]) == (None, None, None)
    assert "No comparable week last year (a week 53 has none)" in card_html(row, "EUR")
    assert year_label(catalog.get("orders"), row, "EUR") == "no comparable week (week 53)"
    assert Period.week(week).comparable() is None


def test_fiscal_months_quarters_and_year_to_date():
    data = nrf()
    month = Period.month("FY2026-M02")
    assert (month.start, month.end) == (day("2026-03-01"), day("2026-04-05"))
    assert month.previous().key == "FY2026-M01" and month.comparable().key == "FY2025-M02"
    row = company_row(views.period_kpis(data, month))
    # Orders 1-4 in 1 Mar – 4 Apr 2026; none in FY2026-M01; orders 5-8 in 2 Mar – 5 Apr 2025.
    assert (row["value"], row["previous"], row["last_year"], row["change_year"]) == (4, 0, 4, 0)
    assert row["compared_year"] == "same month last year"
    quarter = Period.quarter("FY2025-Q4")  # months 10-12: 2 Nov 2025 – 31 Jan 2026 (4 + 5 + 4 weeks)
    assert (quarter.start, quarter.end) == (day("2025-11-02"), day("2026-02-01"))
    ytd = views.year_to_date(data, "FY2026")
    assert (ytd.start, ytd.end, ytd.key) == (day("2026-02-01"), day("2026-03-30"), "FY2026")
    assert (
        company_row(views.period_kpis(data, ytd))["compared_year"] is None
    )  # compared with last year already
    # The orders run from Sat 22 Mar 2025 (FY2025) to Sun 29 Mar 2026 (FY2026).
    assert views.available_years(data) == ["FY2026", "FY2025"]
    assert views.available_quarters(data)[:2] == ["FY2026-Q1", "FY2025-Q4"]
    assert views.available_months(data)[:2] == ["FY2026-M02", "FY2026-M01"]


def test_last_years_line_sits_at_this_years_weeks():
    data = nrf()
    rows = views.metric_trend_last_year(data, "orders", views.week_window("FY2026-W08"), ["company"])
    by_start = {r["period_start"]: r for r in rows.iter_rows(named=True)}
    # FY2026-W08 (22 Mar 2026) shows FY2025-W08 (23 Mar 2025): 3 orders; W07 shows FY2025-W07: order 8.
    assert (by_start[day("2026-03-22")]["last_year_start"], by_start[day("2026-03-22")]["value"]) == (
        day("2025-03-23"),
        3,
    )
    assert (by_start[day("2026-03-15")]["last_year_start"], by_start[day("2026-03-15")]["value"]) == (
        day("2025-03-16"),
        1,
    )
    this_year = views.metric_trend(data, "orders", views.week_window("FY2026-W08"), ["company"])
    assert set(by_start) == set(this_year["period_start"].to_list())  # the same x positions
    fig = trend_chart(
        this_year, catalog.get("orders"), {"company": "#262730"}, "Orders", "EUR", last_year=rows
    )
    before, now = fig.data[0], fig.data[-1]
    assert before.name == "Company, last year" and before.line.dash == "longdash"  # lighter, dashed
    assert list(before.x) == list(now.x) and list(before.y)[-2:] == [1, 3]
    assert "week FY2026-W08, from 22 Mar 2026" in now.hovertext[-1]
    assert "Company, last year" in before.hovertext[-1] and "23 Mar 2025" in before.hovertext[-1]


def test_cohorts_on_the_loyalty_page_follow_the_calendar():
    grid = views.cohort_grid(nrf(), "week", "company", day("2026-03-29"))
    # Customer 8's first order (Sat 22 Mar 2025) is in FY2025-W07; labels are fiscal weeks.
    assert grid["cohort"].str.starts_with("FY").all()
    assert "FY2026-W08" in grid["cohort"].to_list() and "FY2026-W09" not in grid["cohort"].to_list()


# --- the data contract ------------------------------------------------------------------------


def test_an_unknown_calendar_is_refused_naming_table_column_rule_and_line(duck, tmp_path, capsys):
    path = tmp_path / "company.csv"
    path.write_text("name,purpose_statement,vision,mission,currency,timezone,calendar\nCo,P,,,EUR,,4-4-5\n")
    url = duck.url.render_as_string(hide_password=False)
    assert main(["--db", url, "import", "company", str(path)]) == 2
    err = capsys.readouterr().err
    assert "company.calendar" in err and "iso or nrf" in err and "line 2" in err
    assert db.table_counts(duck)["company"] == 0
    path.write_text("name,purpose_statement,vision,mission,currency,timezone,calendar\nCo,P,,,EUR,,nrf\n")
    assert main(["--db", url, "import", "company", str(path)]) == 0
    assert reading.load_dataset(duck).calendar.name == "nrf"


def test_a_database_made_before_the_calendar_column_reads_as_iso_and_init_adds_it(tmp_path, capsys):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}", create=True)
    with engine.begin() as conn:  # company as the version before the calendar made it
        conn.exec_driver_sql(
            "CREATE TABLE company (name TEXT NOT NULL, purpose_statement TEXT NOT NULL, vision TEXT, "
            "mission TEXT, currency TEXT NOT NULL, timezone TEXT)"
        )
        for statement in db.schema_statements("sqlite"):
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql("INSERT INTO company VALUES ('Co', 'P', NULL, NULL, 'EUR', NULL)")
    orders = tmp_path / "orders.csv"
    import_file(engine, "brands", _write(tmp_path / "brands.csv", "brand_id,name,purpose_statement\na,A,\n"))
    orders.write_text(
        "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
        "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,packaging_recycled_kg,"
        "donation_amount,cause\n1,,a,2026-03-22 00:30:00,web,completed,1,10,0,0,,,,,,0,\n"
    )
    import_file(engine, "orders", orders)
    with engine.connect() as conn:
        assert "calendar" not in db.stored_columns(conn, "company")
    data = reading.load_dataset(engine)
    assert data.calendar.name == "iso" and views.latest_week(data) == "2026-W12"
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "init"]) == 0
    with engine.begin() as conn:
        assert "calendar" in db.stored_columns(conn, "company")
        conn.exec_driver_sql("UPDATE company SET calendar = 'nrf'")
    assert views.latest_week(reading.load_dataset(engine)) == "FY2026-W08"
    engine.dispose()


def _write(path, text: str):
    path.write_text(text)
    return path


# --- the board pack --------------------------------------------------------------------------


@pytest.fixture
def nrf_db(example_templates, tmp_path) -> str:
    """The worked example (data to Sun 28 Jun 2026 14:26 UTC) on the NRF calendar, in UTC."""
    url = example_templates.copy("duckdb", tmp_path / "nrf.duckdb")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE company SET calendar = 'nrf'")
    engine.dispose()
    return url


def test_the_deck_follows_the_companys_calendar_unless_told(nrf_db, tmp_path, capsys):
    # Sun 28 Jun 2026 starts FY2026-W22 (1 Feb + 21 weeks), still open: the latest whole week is W21.
    out = tmp_path / "pack.pptx"
    assert main(["--db", nrf_db, "deck", "--out", str(out)]) == 0
    assert "week FY2026-W21" in capsys.readouterr().out
    prs = Presentation(str(out))
    titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    assert "Summary — Company, FY2026-W21" in titles
    text = "\n".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert "FY2026-W21 (21 – 27 Jun 2026)" in text and "2026-W25" not in text
    header = [c.text for c in next(s.table for s in prs.slides[2].shapes if s.has_table).rows[0].cells]
    assert header[2:4] == ["Change", "Year over year"]
    # --calendar iso: ISO weeks (Mon 15 – Sun 21 Jun 2026 is 2026-W25).
    assert main(["--db", nrf_db, "deck", "--calendar", "iso", "--out", str(out)]) == 0
    assert "week 2026-W25" in capsys.readouterr().out
    # A week of the other calendar is refused before anything is read (exit 2, nothing written).
    other = tmp_path / "other.pptx"
    assert main(["--db", nrf_db, "deck", "--calendar", "nrf", "--week", "2026-W25", "--out", str(other)]) == 2
    assert "FY2025-W07" in capsys.readouterr().err and not other.exists()
    assert main(["--db", nrf_db, "deck", "--week", "2026-W25", "--out", str(other)]) == 2
    assert not other.exists()


def test_the_packs_trends_run_on_fiscal_weeks_and_its_year_column_is_kpis_compare_year(nrf_db, capsys):
    pack = build_pack(reading.load_dataset(db.make_engine(nrf_db)), "FY2026-W21")
    weekly = [t for p in pack.pillars for t in p.trends if t.grain == "week"]
    assert weekly and all(d.weekday() == 6 for t in weekly for d in t.periods)  # Sundays
    assert all(t.periods[-1] == day("2026-06-21") for t in weekly)
    assert main(["--db", nrf_db, "kpis", "--calendar", "nrf", "--week", "FY2026-W21", "--compare", "year",
                 "--format", "json"]) == 0  # fmt: skip
    printed = {(r["metric_id"], r["scope"]): r for r in json.loads(capsys.readouterr().out)}
    checked = 0
    for line in (ln for p in pack.pillars for ln in p.lines if ln.period == "week"):
        r = printed[(line.metric_id, "company")]
        if r["change"] is None or r["value"] is None:
            continue
        metric = catalog.get(line.metric_id)
        assert formatting.change_text(metric, r["change"], "EUR") in line.change_year, line.metric_id
        assert line.change_year.endswith("vs same week last year")
        checked += 1
    assert checked >= 10


def test_a_fiscal_week_label_is_refused_on_a_malformed_input():
    with pytest.raises(PeriodError):
        Period.week("FY2025-W54")
    assert Period.week("FY2025-W01").start == dt.date(2025, 2, 2)
