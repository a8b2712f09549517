"""Local time and the retail calendar (SPEC section 7), on hand-worked cases.

Every expected boundary below is worked out by hand from the zones' rules
(EU: summer time from the last Sunday of March 01:00 UTC to the last Sunday
of October 01:00 UTC; US: from the second Sunday of March 02:00 local to the
first Sunday of November 02:00 local) and from the NRF rule (the fiscal year
ends on the Saturday nearest 31 January).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from builders import dataset, day, order, ts

from purpose_metrics import db
from purpose_metrics.calendars import ISO, NRF, fiscal_weeks, fiscal_year_end, fiscal_year_start, instant
from purpose_metrics.cli import main
from purpose_metrics.metrics import cohorts, driver_frame, kpi_frame
from purpose_metrics.periods import Periods
from purpose_metrics.validation import import_file

COMPANY = {"name": "Co", "purpose_statement": "P", "vision": None, "mission": None, "currency": "EUR"}


def zoned(zone: str | None, orders, **tables):
    return dataset(orders=orders, company=[{**COMPANY, "timezone": zone}], **tables)


def company_value(data, start: str, end: str, metric: str = "orders"):
    rows = kpi_frame(data, Periods(day(start), day(end)), ["company"], [metric])
    return rows.row(0, named=True)["value"]


# --- boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone,start,end,monday,next_monday,hours",
    [
        # 2026-W13 holds the EU spring change (Sun 29 Mar): 167 hours.
        ("Europe/Berlin", "2026-03-23", "2026-03-30", "2026-03-22 23:00", "2026-03-29 22:00", 167),
        # 2026-W43 holds the autumn change (Sun 25 Oct): 169 hours.
        ("Europe/Berlin", "2026-10-19", "2026-10-26", "2026-10-18 22:00", "2026-10-25 23:00", 169),
        # 2026-W10 holds the US spring change (Sun 8 Mar): 167 hours.
        ("America/New_York", "2026-03-02", "2026-03-09", "2026-03-02 05:00", "2026-03-09 04:00", 167),
        # 2026-W44 holds the US autumn change (Sun 1 Nov): 169 hours.
        ("America/New_York", "2026-10-26", "2026-11-02", "2026-10-26 04:00", "2026-11-02 05:00", 169),
    ],
)
def test_a_week_around_a_daylight_saving_change_starts_at_local_midnight(
    zone, start, end, monday, next_monday, hours
):
    start, end = day(start), day(end)
    assert instant(start, zone) == ts(monday)
    assert instant(end, zone) == ts(next_monday)
    assert (instant(end, zone) - instant(start, zone)) == dt.timedelta(hours=hours)


def _boundary_orders(times: list[str]) -> list[dict]:
    return [order(i + 1, i + 1, "a", t) for i, t in enumerate(times)]


@pytest.mark.parametrize(
    "zone,week,times,inside",
    [
        # Berlin, W13 (23-29 Mar 2026): 00:30 local on each boundary, 23:30 local before the first.
        ("Europe/Berlin", ("2026-03-23", "2026-03-30"), ["2026-03-22 22:30", "2026-03-22 23:30", "2026-03-29 21:30", "2026-03-29 22:30"], 2),
        # Berlin, W43 (19-25 Oct 2026).
        ("Europe/Berlin", ("2026-10-19", "2026-10-26"), ["2026-10-18 21:30", "2026-10-18 22:30", "2026-10-25 22:30", "2026-10-25 23:30"], 2),
        # New York, W10 (2-8 Mar 2026).
        ("America/New_York", ("2026-03-02", "2026-03-09"), ["2026-03-02 04:30", "2026-03-02 05:30", "2026-03-09 03:30", "2026-03-09 04:30"], 2),
        # East of UTC: Tokyo (UTC+9, no summer time), W10. 01:00 JST Monday is Sunday 16:00 UTC.
        ("Asia/Tokyo", ("2026-03-02", "2026-03-09"), ["2026-03-01 14:30", "2026-03-01 16:00", "2026-03-08 14:30", "2026-03-08 15:30"], 2),
        # No zone: UTC, as before.
        (None, ("2026-03-02", "2026-03-09"), ["2026-03-01 23:30", "2026-03-02 00:30", "2026-03-08 23:30", "2026-03-09 00:30"], 2),
    ],
)  # fmt: skip
def test_orders_count_in_the_local_week(zone, week, times, inside):
    # In each case the 2nd and 3rd orders are inside the local week, the 1st and 4th outside.
    assert company_value(zoned(zone, _boundary_orders(times)), *week) == inside
    expected_ids = {2, 3}
    rows = kpi_frame(
        zoned(zone, [o for o in _boundary_orders(times) if o["order_id"] in expected_ids]),
        Periods(day(week[0]), day(week[1])), ["company"], ["orders"],
    )  # fmt: skip
    assert rows.row(0, named=True)["value"] == 2


def test_a_weekly_grid_buckets_by_local_week():
    # Berlin: 00:30 local on Monday 23 Mar is Sunday 22 Mar 23:30 UTC, the UTC week before.
    data = zoned("Europe/Berlin", _boundary_orders(["2026-03-22 23:30", "2026-03-22 22:30"]))
    grid = kpi_frame(data, Periods(day("2026-03-16"), day("2026-03-30"), "week"), ["company"], ["orders"])
    assert dict(zip(grid["period_start"].to_list(), grid["value"].to_list(), strict=True)) == {
        day("2026-03-16"): 1,
        day("2026-03-23"): 1,
    }


def test_on_time_compares_the_local_date_of_delivery():
    promised = {"promised_delivery_date": "2026-03-05"}
    late_in_berlin = order(
        1, 1, "a", "2026-03-03 10:00", delivered_at="2026-03-05 23:30", **promised
    )  # 00:30 on the 6th
    on_time_in_la = order(
        2, 2, "a", "2026-03-03 10:00", delivered_at="2026-03-06 05:00", **promised
    )  # 21:00 on the 5th
    both = [late_in_berlin, on_time_in_la]
    assert company_value(zoned(None, both), "2026-03-02", "2026-03-09", "on_time_delivery_rate") == 50.0
    assert (
        company_value(zoned("Europe/Berlin", both), "2026-03-02", "2026-03-09", "on_time_delivery_rate")
        == 0.0
    )
    assert (
        company_value(zoned("America/Los_Angeles", both), "2026-03-02", "2026-03-09", "on_time_delivery_rate")
        == 100.0
    )


def test_drivers_anchor_in_the_local_period_and_judge_the_local_delivery_date():
    # Customer 1's only order in local W13 is at 00:30 Monday (Sunday in UTC);
    # delivered 00:30 local on the promised date's next day: late in Berlin.
    orders = [
        order(
            1,
            1,
            "a",
            "2026-03-22 23:30",
            promised_delivery_date="2026-03-25",
            delivered_at="2026-03-25 23:30",
        ),
        order(9, None, "a", "2027-01-01 00:00", status="cancelled"),  # the as-of instant
    ]
    period = Periods(day("2026-03-23"), day("2026-03-30"))
    utc = {
        r["driver"]: r for r in driver_frame(zoned(None, orders), period, ["company"]).iter_rows(named=True)
    }
    berlin = {
        r["driver"]: r
        for r in driver_frame(zoned("Europe/Berlin", orders), period, ["company"]).iter_rows(named=True)
    }
    assert (utc["on_time_delivery"]["n_good"], utc["on_time_delivery"]["n_bad"]) == (
        0,
        0,
    )  # not in the UTC week
    assert (berlin["on_time_delivery"]["n_good"], berlin["on_time_delivery"]["n_bad"]) == (0, 1)


def test_cohorts_are_local_weeks():
    late = order(9, None, "a", "2026-06-01 00:00", status="cancelled")  # the as-of instant
    data = zoned(
        "Europe/Berlin", [order(1, 1, "a", "2026-03-22 23:30"), order(2, 1, "a", "2026-03-30 10:00"), late]
    )
    grid = cohorts(data, "week", ["company"])
    assert grid.filter(grid["period_index"] == 0)["cohort"].to_list() == ["2026-W13"]
    assert grid.filter(grid["period_index"] == 1)["customers"].to_list() == [1]


# --- the NRF 4-5-4 calendar --------------------------------------------------------------


@pytest.mark.parametrize(
    "year,start,end,weeks",
    [
        (2023, "2023-01-29", "2024-02-03", 53),  # 31 Jan 2024 is a Wednesday: Saturday 3 Feb is nearest
        (2024, "2024-02-04", "2025-02-01", 52),
        (2025, "2025-02-02", "2026-01-31", 52),
    ],
)
def test_fiscal_years(year, start, end, weeks):
    assert fiscal_year_start(year) == day(start)
    assert fiscal_year_end(year) == day(end)
    assert fiscal_weeks(year) == weeks
    assert day(start).weekday() == 6 and day(end).weekday() == 5  # Sunday to Saturday


def test_fiscal_months_and_quarters_are_4_5_4_weeks():
    # FY2025 from Sunday 2 Feb 2025: M01 4 weeks, M02 5, M03 4, then Q2.
    assert NRF.month_start(day("2025-03-01")) == day("2025-02-02")
    assert NRF.month_start(day("2025-03-02")) == day("2025-03-02")
    assert NRF.next_month(day("2025-03-02")) == day("2025-04-06")
    assert NRF.next_month(day("2025-04-06")) == day("2025-05-04")
    assert NRF.month_label(day("2025-05-04")) == "FY2025-M04"
    assert NRF.quarter_label(day("2025-05-04")) == "FY2025-Q2"
    assert NRF.quarter_label(day("2025-05-03")) == "FY2025-Q1"
    # FY2023 has 53 weeks: its last month (from 31 Dec 2023) has 5 weeks and ends on 3 Feb 2024.
    assert NRF.month_start(day("2024-02-03")) == day("2023-12-31")
    assert NRF.next_month(day("2023-12-31")) == day("2024-02-04")
    assert NRF.month_label(day("2023-12-31")) == "FY2023-M12"
    # FY2024's last month is 4 weeks: 5 Jan – 1 Feb 2025.
    assert NRF.month_start(day("2025-02-01")) == day("2025-01-05")


def test_fiscal_week_labels_and_year_over_year():
    assert NRF.parse_week("FY2025-W07") == (day("2025-03-16"), day("2025-03-23"))
    assert NRF.week_label(day("2025-03-16")) == "FY2025-W07"
    assert NRF.week_label(day("2024-01-28")) == "FY2023-W53"
    assert NRF.comparable_week(day("2025-03-16")) == (day("2024-03-17"), day("2024-03-24"))  # FY2024-W07
    assert NRF.comparable_week(day("2024-01-28")) is None  # a week 53 has none
    assert ISO.comparable_week(day("2026-12-28")) is None  # 2026-W53
    assert ISO.comparable_week(day("2026-03-02")) == (day("2025-03-03"), day("2025-03-10"))


def test_cohorts_labelled_by_fiscal_week_and_month():
    # Sunday 16 Mar 2025 starts FY2025-W07; Saturday 22 Mar is still in it.
    late = order(9, None, "a", "2025-03-30 00:00", status="cancelled")  # the as-of instant: W08 is over
    data = zoned(None, [order(1, 1, "a", "2025-03-22 10:00"), order(2, 1, "a", "2025-03-23 10:00"), late])
    weeks = cohorts(data, "week", ["company"], cal=NRF)
    assert weeks.select("cohort", "period_index", "customers").rows() == [
        ("FY2025-W07", 0, 1),
        ("FY2025-W07", 1, 1),
    ]
    months = cohorts(data, "month", ["company"], cal=NRF)
    assert months["cohort"].unique().to_list() == ["FY2025-M02"]  # 2 Mar – 5 Apr 2025
    # ISO for comparison: Saturday 22 Mar 2025 is in 2025-W12.
    assert cohorts(data, "week", ["company"])["cohort"].unique().to_list() == ["2025-W12"]


# --- the command line, on every backend -----------------------------------------------------


def _load(engine: sa.Engine, tmp_path, zone: str, company: bool = True) -> str:
    rows = {
        "company": f"name,purpose_statement,vision,mission,currency,timezone\nCo,P,,,EUR,{zone}\n",
        "brands": "brand_id,name,purpose_statement\na,A,\n",
        "customers": "customer_id,created_at,segment,region,marketing_opt_in\n1,2025-01-01 00:00:00,,,false\n2,2025-01-01 00:00:00,,,false\n",
        "orders": "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
        "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,packaging_recycled_kg,"
        "donation_amount,cause\n"
        "1,1,a,2026-03-22 22:30:00,web,completed,1,10,0,0,,,,,,0,\n"  # Sunday 23:30 Berlin: W12
        "2,2,a,2026-03-22 23:30:00,web,completed,1,20,0,0,,,,,,0,\n"  # Monday 00:30 Berlin: W13
        "3,1,a,2026-03-29 22:30:00,web,completed,1,40,0,0,,,,,,0,\n",  # Monday 00:30 CEST: W14
    }
    for table, text in rows.items():
        if table == "company" and not company:
            continue
        path = tmp_path / f"{table}.csv"
        path.write_text(text)
        import_file(engine, table, path)
    return engine.url.render_as_string(hide_password=False)


def test_kpis_on_local_weeks_on_every_backend(engine, tmp_path, capsys):
    url = _load(engine, tmp_path, "Europe/Berlin")
    got = {}
    for week in ("2026-W12", "2026-W13", "2026-W14"):
        assert main(["--db", url, "kpis", "--week", week, "--format", "json"]) == 0
        rows = {(r["metric_id"], r["scope"]): r for r in json.loads(capsys.readouterr().out)}
        got[week] = rows[("net_revenue", "company")]["value"]
    assert got == {"2026-W12": 10.0, "2026-W13": 20.0, "2026-W14": 40.0}
    # The store was cut on Berlin's days (the company came first), pushdown cuts them in the query.
    for mode in ("store", "pushdown", "memory"):
        rows = {
            (r["metric_id"], r["scope"]): r
            for r in _cli_json(capsys, url, "--mode", mode, "kpis", "--week", "2026-W13")
        }
        assert rows[("net_revenue", "company")]["value"] == 20.0, mode


def test_an_unknown_zone_is_refused_and_nothing_is_written(duck, tmp_path, capsys):
    path = tmp_path / "company.csv"
    path.write_text("name,purpose_statement,vision,mission,currency,timezone\nCo,P,,,EUR,Europe/Atlantis\n")
    url = duck.url.render_as_string(hide_password=False)
    assert main(["--db", url, "import", "company", str(path)]) == 2
    err = capsys.readouterr().err
    assert "company.timezone" in err and "IANA time zone" in err and "line 2" in err
    assert db.table_counts(duck)["company"] == 0


def test_a_database_made_before_the_timezone_column_reads_as_utc_and_init_adds_it(tmp_path, capsys):
    # A database as an older version made it: company without timezone.
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}", create=True)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE company (name TEXT NOT NULL, purpose_statement TEXT NOT NULL, vision TEXT, "
            "mission TEXT, currency TEXT NOT NULL)"
        )
        for statement in db.schema_statements("sqlite"):
            conn.exec_driver_sql(statement)
    url = _load(engine, tmp_path, "Europe/Berlin", company=False)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO company VALUES ('Co', 'P', NULL, NULL, 'EUR')")
        assert "timezone" not in db.stored_columns(conn, "company")
    assert main(["--db", url, "kpis", "--week", "2026-W13", "--format", "json"]) == 0
    rows = {(r["metric_id"], r["scope"]): r for r in json.loads(capsys.readouterr().out)}
    # UTC: W13 is 23-29 Mar in UTC, holding order 3 (Sun 29 Mar 22:30) only; order 2 (Sun 22 Mar
    # 23:30 UTC) is in W12.
    assert rows[("net_revenue", "company")]["value"] == 40.0
    assert main(["--db", url, "init"]) == 0
    with engine.connect() as conn:
        assert "timezone" in db.stored_columns(conn, "company")
    engine.dispose()


def test_kpis_compare_year_adds_the_comparable_week(duck, tmp_path, capsys):
    url = _load(duck, tmp_path, "UTC")
    assert main(["--db", url, "kpis", "--week", "2027-W13", "--compare", "year", "--format", "json"]) == 0
    rows = {(r["metric_id"], r["scope"]): r for r in json.loads(capsys.readouterr().out)}
    r = rows[("net_revenue", "company")]
    # 2027-W13 compares with 2026-W13 (23-29 Mar 2026, UTC): order 3 (Sun 29 Mar 22:30), 40.
    assert (r["comparable_start"], r["comparable_end"]) == ("2026-03-23", "2026-03-30")
    assert (r["value"], r["comparable_value"], r["change"]) == (0.0, 40.0, -40.0)
    assert (
        main(["--db", url, "kpis", "--week", "FY2025-W53", "--calendar", "nrf"]) == 2
    )  # FY2025 has 52 weeks


# --- the same local periods cut in the database (pushdown; cohorts in the store mode too) ----


def _cli_json(capsys, url: str, *args: str) -> list[dict]:
    assert main(["--db", url, *args, "--format", "json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_pushdown_cuts_local_weeks_and_delivery_dates_on_every_backend(engine, tmp_path, capsys):
    url = _load(engine, tmp_path, "Europe/Berlin")
    # Order 4 (customer 2, local W13: Tue 24 Mar 11:00 CET) was promised for Wed 25 Mar and
    # delivered Wed 25 Mar 23:30 UTC, which is 00:30 on Thu 26 Mar in Berlin: late there.
    extra = tmp_path / "late.csv"
    extra.write_text(
        "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
        "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,"
        "packaging_recycled_kg,donation_amount,cause\n"
        "4,2,a,2026-03-24 10:00:00,web,completed,1,5,0,0,2026-03-25,2026-03-25 23:30:00,,,,0,\n"
    )
    import_file(engine, "orders", extra)
    revenue, on_time = {}, {}
    for week in ("2026-W12", "2026-W13", "2026-W14"):
        rows = {
            (r["metric_id"], r["scope"]): r
            for r in _cli_json(capsys, url, "--mode", "pushdown", "kpis", "--week", week)
        }
        revenue[week] = rows[("net_revenue", "company")]["value"]
        on_time[week] = rows[("on_time_delivery_rate", "company")]["value"]
    # By hand (see _load): W12 order 1 (10), W13 orders 2 and 4 (20 + 5), W14 order 3 (40).
    assert revenue == {"2026-W12": 10.0, "2026-W13": 25.0, "2026-W14": 40.0}
    assert on_time["2026-W13"] == 0.0  # delivered on the 26th, local: late
    # The memory mode, the reference, gives every number of those weeks the same.
    for week in ("2026-W12", "2026-W13", "2026-W14"):
        pushed = _cli_json(capsys, url, "--mode", "pushdown", "kpis", "--week", week)
        memory = _cli_json(capsys, url, "--mode", "memory", "kpis", "--week", week)
        assert [(r["metric_id"], r["scope"]) for r in pushed] == [
            (r["metric_id"], r["scope"]) for r in memory
        ]
        for p, m in zip(pushed, memory, strict=True):
            assert (p["value"] is None) == (m["value"] is None), p["metric_id"]
            if m["value"] is not None:
                assert p["value"] == pytest.approx(m["value"], rel=1e-9), p["metric_id"]


def _company(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["scope"] == "company"]


@pytest.mark.parametrize("mode", ["pushdown", "memory"])
def test_cohorts_on_local_and_fiscal_weeks_in_pushdown_and_memory(engine, tmp_path, capsys, mode):
    url = _load(engine, tmp_path, "Europe/Berlin")
    iso = _company(_cli_json(capsys, url, "--mode", mode, "cohorts", "--grain", "week"))
    sizes = {r["cohort"]: r["cohort_size"] for r in iso if r["period_index"] == 0}
    # Berlin: customer 1's first order is Sun 22 Mar 23:30 local (W12), customer 2's
    # Mon 23 Mar 00:30 local (W13). In UTC both would be W12 (a cohort of 2).
    assert sizes == {"2026-W12": 1, "2026-W13": 1}
    nrf = _company(_cli_json(capsys, url, "--mode", mode, "cohorts", "--grain", "week", "--calendar", "nrf"))
    # NRF weeks run Sunday to Saturday: both first orders fall in the week of Sun 22 Mar,
    # FY2026's 8th (FY2026 starts Sun 1 Feb 2026); customer 1 is back on Mon 30 Mar, in the 9th.
    cells = {(r["cohort"], r["period_index"]): r["customers"] for r in nrf}
    assert cells[("FY2026-W08", 0)] == 2
    # W09 is still under way at the as-of instant (order 3 is the latest), so the grid stops at W08.
    assert cells == {("FY2026-W08", 0): 2}


def test_auto_reads_the_store_cut_on_local_days_and_pushdown_when_it_is_stale(duck, tmp_path, monkeypatch):
    from purpose_metrics import sources

    _load(duck, tmp_path, "Europe/Berlin")
    with duck.connect() as conn:
        assert sources.choose(conn) == ("store", True)  # cut on Berlin's days by the imports
    with duck.begin() as conn:  # another zone, written behind the importer's back: the store is stale
        conn.exec_driver_sql("UPDATE company SET timezone = 'Asia/Tokyo'")
    with duck.connect() as conn:
        assert sources.choose(conn) == ("memory", False)  # 3 orders: small
        monkeypatch.setattr(sources, "AUTO_PUSHDOWN_ORDERS", 3)
        assert sources.choose(conn) == ("pushdown", False)  # the history holds instants: still current
    with duck.begin() as conn:  # an order written behind its back: the history is stale too
        conn.exec_driver_sql(
            "INSERT INTO orders (order_id, customer_id, brand_id, ordered_at, channel, status, units, "
            "net_revenue, returned_units, refunded_amount, donation_amount) "
            "VALUES (5, 1, 'a', TIMESTAMP '2026-03-24 10:00:00', 'web', 'completed', 1, 1, 0, 0, 0)"
        )
    with duck.connect() as conn:
        assert sources.choose(conn) == ("memory", False)


def test_the_store_mode_gives_fiscal_cohorts_cut_in_the_database(engine, tmp_path, capsys):
    url = _load(engine, tmp_path, "UTC")
    nrf = _company(
        _cli_json(capsys, url, "--mode", "store", "cohorts", "--grain", "week", "--calendar", "nrf")
    )
    # UTC: orders 1 and 2 (Sun 22 Mar 22:30 and 23:30) open FY2026-W08 (from Sun 22 Mar);
    # order 3 (Sun 29 Mar 22:30) is customer 1 back in W09.
    assert {(r["cohort"], r["period_index"]): r["customers"] for r in nrf}[("FY2026-W08", 0)] == 2
    # The company's zone changed behind the importer's back: the store's days are UTC, so it
    # is not current until `refresh` cuts them anew.
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE company SET timezone = 'Europe/Berlin'")
    assert main(["--db", url, "--mode", "store", "cohorts", "--grain", "week"]) == 1  # a database error
    assert "another time zone" in capsys.readouterr().err
    assert main(["--db", url, "refresh"]) == 0
    capsys.readouterr()
    berlin = _company(_cli_json(capsys, url, "--mode", "store", "cohorts", "--grain", "week"))
    # Cut on Berlin's days: customer 2's first order (Mon 23 Mar 00:30 local) opens W13.
    assert {r["cohort"]: r["cohort_size"] for r in berlin if r["period_index"] == 0} == {
        "2026-W12": 1,
        "2026-W13": 1,
    }


@pytest.mark.parametrize(
    "zone,moment,local_day",
    [
        # Berlin, spring: 00:59:59 UTC on Sun 29 Mar is 01:59:59 CET; 22:00 UTC is 00:00 CEST Monday.
        ("Europe/Berlin", "2026-03-29 21:59:59", "2026-03-29"),
        ("Europe/Berlin", "2026-03-29 22:00:00", "2026-03-30"),
        # Berlin, autumn: 22:59:59 UTC on Sun 25 Oct is 23:59:59 CET; 23:00 UTC is Monday.
        ("Europe/Berlin", "2026-10-25 22:59:59", "2026-10-25"),
        ("Europe/Berlin", "2026-10-25 23:00:00", "2026-10-26"),
        # New York, spring: Mon 9 Mar starts 04:00 UTC (EDT); before the change, 05:00 UTC.
        ("America/New_York", "2026-03-09 03:59:59", "2026-03-08"),
        ("America/New_York", "2026-03-09 04:00:00", "2026-03-09"),
        ("America/New_York", "2026-03-02 04:59:59", "2026-03-01"),
        # Lord Howe moves by half an hour: UTC+11 until Sun 5 Apr 2026 02:00 local (Sat 4 Apr
        # 15:00 UTC), then +10:30. Midnight before: 13:00 UTC; midnight after: 13:30 UTC.
        ("Australia/Lord_Howe", "2026-04-04 12:59:59", "2026-04-04"),
        ("Australia/Lord_Howe", "2026-04-04 13:00:00", "2026-04-05"),
        ("Australia/Lord_Howe", "2026-04-05 13:29:59", "2026-04-05"),
        ("Australia/Lord_Howe", "2026-04-05 13:30:00", "2026-04-06"),
        # Tokyo: UTC+9 all year.
        ("Asia/Tokyo", "2026-03-01 15:00:00", "2026-03-02"),
    ],
)
def test_the_database_cuts_local_days_by_the_zones_offsets(unwritten_engine, zone, moment, local_day):
    from purpose_metrics import sqltext

    d = sqltext.Dialect(unwritten_engine.dialect.name)
    expr = d.local_day("t", zone, ts("2026-01-01 00:00"), ts("2027-01-01 00:00"))
    source = f"SELECT '{moment}' AS t" if d.sqlite else f"SELECT CAST('{moment}' AS TIMESTAMP) AS t"
    with unwritten_engine.connect() as conn:
        got = conn.exec_driver_sql(f"SELECT {expr} FROM ({source}) x").scalar_one()
    assert str(got)[:10] == local_day
