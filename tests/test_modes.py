"""Choosing where the facts come from, and the views giving the same
numbers from every source (memory, pushdown, the fact store) on every
backend."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from compare import kpi_mismatches

from purpose_metrics import catalog, cli, reading, reports, sources, views
from purpose_metrics.errors import UsageError
from purpose_metrics.metrics import Filters, kpi_frame
from purpose_metrics.periods import Periods

WEEK = "2026-W10"  # a week of the worked example with orders, surveys and tickets


@pytest.fixture
def loaded(example_engine):
    return example_engine


# The sources compared with memory, the plainest one (rows in Polars).
@pytest.fixture(params=["pushdown", "store"])
def other(request) -> str:
    return request.param


# --- choosing the mode ------------------------------------------------------------------


def test_requested_mode_reads_the_environment(monkeypatch):
    monkeypatch.delenv(sources.MODE_ENV, raising=False)
    assert sources.requested_mode() == "auto"
    monkeypatch.setenv(sources.MODE_ENV, " Pushdown ")
    assert sources.requested_mode() == "pushdown"
    assert sources.requested_mode("memory") == "memory"  # an explicit choice wins


def test_an_unknown_mode_is_a_usage_error(monkeypatch):
    monkeypatch.setenv(sources.MODE_ENV, "warehouse")
    with pytest.raises(UsageError, match="unknown mode 'warehouse'.*auto, store, pushdown, memory"):
        sources.requested_mode()


def test_auto_reads_the_store_when_it_is_current(loaded, monkeypatch):
    monkeypatch.delenv(sources.MODE_ENV, raising=False)
    with loaded.connect() as conn:
        assert sources.choose(conn) == ("store", True)  # every import kept it current
        assert sources.choose(conn, "pushdown") == ("pushdown", True)


def test_auto_without_a_current_store_keeps_small_databases_in_memory_and_large_ones_in_pushdown(
    loaded, monkeypatch
):
    monkeypatch.delenv(sources.MODE_ENV, raising=False)
    with loaded.begin() as conn:  # rows written behind the importer's back: the store is stale
        conn.exec_driver_sql("DELETE FROM initiatives")
        conn.exec_driver_sql(
            "DELETE FROM marketing_messages WHERE message_id IN (SELECT MIN(message_id) FROM marketing_messages)"
        )
    with loaded.connect() as conn:
        assert sources.choose(conn) == ("memory", False)
        orders = sources.order_count(conn)
        assert orders == conn.exec_driver_sql("SELECT COUNT(*) FROM orders").scalar_one()
        # With a threshold the data reach, pushdown: the orders' history is still current.
        monkeypatch.setattr(sources, "AUTO_PUSHDOWN_ORDERS", orders)
        assert sources.choose(conn)[0] == "pushdown"
        monkeypatch.setattr(sources, "AUTO_PUSHDOWN_ORDERS", orders + 1)
        assert sources.choose(conn)[0] == "memory"
        with pytest.raises(Exception, match="run `purpose-metrics refresh`"):
            sources.choose(conn, "store")  # asked for explicitly, a stale store is an error
    with loaded.begin() as conn:  # an order written behind the importer's back: the history is stale too
        conn.exec_driver_sql("DELETE FROM orders WHERE order_id IN (SELECT MAX(order_id) FROM orders)")
    with loaded.connect() as conn:
        monkeypatch.setattr(sources, "AUTO_PUSHDOWN_ORDERS", 1)
        # A server database still goes to pushdown (the customers' history then comes from its query);
        # an embedded one reads its rows into memory, which computes the history itself.
        expected = "pushdown" if loaded.dialect.name == "postgresql" else "memory"
        assert sources.choose(conn)[0] == expected


def test_a_store_or_pushdown_dataset_reads_no_large_table(loaded, other):
    ds = reading.load_dataset(loaded, mode=other)
    assert ds.source.name == other
    assert not set(ds.frames) & set(reading.LARGE_TABLES)
    assert {"brands", "targets", "employee_surveys", "impact_ledger"} <= set(ds.frames)
    with pytest.raises(LookupError, match=f"orders is not read here: its facts come from the {other} source"):
        ds["orders"]
    memory = reading.load_dataset(loaded, mode="memory")
    assert memory.source.name == "memory"
    assert (ds.as_of, ds.first_order_at) == (memory.as_of, memory.first_order_at)


# --- the same numbers in both modes ---------------------------------------------------


def _close(x: float | None, y: float | None) -> bool:
    return (x is None and y is None) or (
        x is not None and y is not None and abs(x - y) <= 1e-9 * abs(x) + 1e-12
    )


def _both(engine, other: str) -> tuple:
    return reading.load_dataset(engine, mode="memory"), reading.load_dataset(engine, mode=other)


def test_kpi_frame_dispatches_to_the_database(loaded, other):
    memory, pushed = _both(loaded, other)
    periods = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    filters = Filters(channel=("web",), segment=("new", "loyal"))
    a = kpi_frame(memory, periods, filters=filters)
    b = kpi_frame(pushed, periods, filters=filters)
    assert a.height == b.height == 5 * 38
    assert kpi_mismatches(a, b) == []


def test_monday_view_is_the_same_in_both_modes(loaded, other):
    memory, pushed = _both(loaded, other)
    window = views.week_window(WEEK)
    a, b = views.week_kpis(memory, window), views.week_kpis(pushed, window)
    assert a.select("scope", "metric_id").rows() == b.select("scope", "metric_id").rows()
    assert kpi_mismatches(a, b) == []
    # The sparklines and the change from last week agree too.
    trends = a.select("scope", "metric_id", "trend", "change").join(
        b.select("scope", "metric_id", "trend", "change"), on=["scope", "metric_id"], suffix="_p"
    )
    for row in trends.iter_rows(named=True):
        pairs = [*zip(row["trend"], row["trend_p"], strict=True), (row["change"], row["change_p"])]
        assert all(_close(x, y) for x, y in pairs), row["metric_id"]
    assert views.available_weeks(memory) == views.available_weeks(pushed)
    assert views.default_week(memory) == views.default_week(pushed)


def test_other_pages_are_the_same_in_both_modes(loaded, other):
    memory, pushed = _both(loaded, other)
    assert views.filter_options(memory) == views.filter_options(pushed)
    window = views.comparison_window(WEEK, 13, catalog.get("repeat_customer_rate"))
    filters = Filters(region=("north", "south"))
    for period in (window.period, window.trend):
        a = views.by_scope(memory, "repeat_customer_rate", period, filters)
        b = views.by_scope(pushed, "repeat_customer_rate", period, filters)
        assert kpi_mismatches(a, b) == []
    quarter = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    a = views.purpose_by_category(memory, quarter, "company")
    b = views.purpose_by_category(pushed, quarter, "company")
    assert a.get_column("name").to_list() == b.get_column("name").to_list()
    assert a.height > 1
    for name in a.get_column("name"):  # one row per category, all with the same key
        assert kpi_mismatches(a.filter(pl.col("name") == name), b.filter(pl.col("name") == name)) == []
    a = views.team_kpis(memory, Periods.week(WEEK), "company")
    b = views.team_kpis(pushed, Periods.week(WEEK), "company")
    assert kpi_mismatches(a, b) == []
    a, b = reports.service_scores(memory, quarter), reports.service_scores(pushed, quarter)
    assert kpi_mismatches(a, b) == []


def test_cli_kpis_prints_the_same_bytes_in_every_mode(loaded, capsys, other):
    url = loaded.url.render_as_string(hide_password=False)
    out = {}
    for mode in ("memory", other):
        assert (
            cli.main(["--db", url, "--mode", mode, "kpis", "--from", "2025-10-01", "--to", "2026-01-01"]) == 0
        )
        out[mode] = capsys.readouterr().out
    assert out["memory"].count("\n") == 1 + 5 * 38
    memory = pl.read_csv(out["memory"].encode())
    pushed = pl.read_csv(out[other].encode())
    assert memory.columns == pushed.columns
    both = [c for c in memory.columns if memory.schema[c] != pl.Float64]
    assert memory.select(both).equals(pushed.select(both))
    for c in (c for c in memory.columns if memory.schema[c] == pl.Float64):
        diff = (memory.get_column(c) - pushed.get_column(c)).abs()
        assert (diff.fill_null(0) <= 1e-9 * memory.get_column(c).abs().fill_null(0) + 1e-12).all(), c


def test_cli_refuses_an_unknown_mode(example_db, monkeypatch, capsys):
    monkeypatch.setenv(sources.MODE_ENV, "fast")
    assert cli.main(["--db", example_db, "kpis", "--week", WEEK]) == 2
    err = capsys.readouterr().err
    assert "unknown mode 'fast'" in err and "Traceback" not in err


def test_each_metric_alone_gets_the_facts_it_needs(loaded, other):
    """A trend of one metric asks its source only for the fact groups it
    needs (metrics.facts.groups_for) and still gets the in-memory numbers:
    no fact it needs is left out."""
    from purpose_metrics import catalog
    from purpose_metrics.metrics.facts import groups_for
    from purpose_metrics.sources.pushdown import queries_for

    memory, pushed = _both(loaded, other)
    months = Periods(dt.date(2025, 9, 1), dt.date(2026, 3, 1), "month")
    one_month = Periods(dt.date(2025, 12, 1), dt.date(2026, 1, 1))  # a grid of one period
    for metric in catalog.METRICS:
        filtered = Filters(channel=("web", "app"), region=("north", "east"))
        for periods, count, filters in (
            (months, 6, Filters()),
            (one_month, 1, Filters()),
            (months, 6, filtered),
        ):
            a = kpi_frame(memory, periods, metric_ids=[metric.id], filters=filters)
            b = kpi_frame(pushed, periods, metric_ids=[metric.id], filters=filters)
            assert a.height == b.height == 5 * count
            assert kpi_mismatches(a, b) == [], (metric.id, count, filters)
    assert groups_for([catalog.get("nps")]) == {"surveys"}
    assert groups_for([catalog.get("ghg_intensity")]) == {"orders", "ledger"}
    assert groups_for([catalog.get("returning_order_share")]) == {"orders", "customers"}
    assert queries_for(["orders"]) == ["order_totals"]
    assert queries_for(["orders", "customers"]) == ["orders"]  # orders.sql has every order total


def test_board_pack_content_is_the_same_in_both_modes(loaded, other):
    """The deck's tables (KPI lines per pillar, brands compared) from a
    pushdown Dataset are the memory mode's, text for text."""
    from purpose_metrics.export.deck import build_pack

    memory, pushed = _both(loaded, other)
    a, b = build_pack(memory, WEEK), build_pack(pushed, WEEK)
    assert [p.lines for p in a.pillars] == [p.lines for p in b.pillars]
    assert sum(len(p.lines) for p in b.pillars) == 38
    assert (a.brand_columns, a.brand_rows) == (b.brand_columns, b.brand_rows)
    assert [t for p in a.pillars for t, _ in p.charts] == [t for p in b.pillars for t, _ in p.charts]


def test_cli_cohorts_prints_the_same_in_every_mode(loaded, capsys, other):
    url = loaded.url.render_as_string(hide_password=False)
    out = {}
    for mode in ("memory", other):
        assert (
            cli.main(["--db", url, "--mode", mode, "cohorts", "--grain", "month", "--brand", "alpine"]) == 0
        )
        out[mode] = capsys.readouterr().out
    assert out["memory"] == out[other]
    assert out["memory"].count("\n") > 10  # a header and many cells
