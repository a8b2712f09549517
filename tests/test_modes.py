"""Choosing where metrics are computed, and the views giving the same
numbers in both modes (memory and pushdown) on every backend."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from compare import kpi_mismatches

from purpose_metrics import cli, data, modes, reports, views
from purpose_metrics.errors import UsageError
from purpose_metrics.metrics import Filters, kpi_frame
from purpose_metrics.periods import Periods
from purpose_metrics.validation import import_folder

WEEK = "2026-W10"  # a week of the worked example with orders, surveys and tickets


@pytest.fixture
def loaded(engine, example_dir):
    import_folder(engine, example_dir / "data")
    return engine


# --- choosing the mode ------------------------------------------------------------------


def test_requested_mode_reads_the_environment(monkeypatch):
    monkeypatch.delenv(modes.MODE_ENV, raising=False)
    assert modes.requested_mode() == "auto"
    monkeypatch.setenv(modes.MODE_ENV, " Pushdown ")
    assert modes.requested_mode() == "pushdown"
    assert modes.requested_mode("memory") == "memory"  # an explicit choice wins


def test_an_unknown_mode_is_a_usage_error(monkeypatch):
    monkeypatch.setenv(modes.MODE_ENV, "warehouse")
    with pytest.raises(UsageError, match="unknown mode 'warehouse'.*auto, memory, pushdown"):
        modes.requested_mode()


def test_auto_keeps_small_databases_and_duckdb_in_memory(loaded, monkeypatch):
    monkeypatch.delenv(modes.MODE_ENV, raising=False)
    assert modes.resolve_mode(loaded) == "memory"  # a few hundred orders
    assert modes.resolve_mode(loaded, "pushdown") == "pushdown"
    orders = modes.order_count(loaded)
    with loaded.connect() as conn:
        assert orders == conn.exec_driver_sql("SELECT COUNT(*) FROM orders").scalar_one()
    # With a threshold the data reaches, a server database (and SQLite) goes to pushdown.
    monkeypatch.setattr(modes, "AUTO_PUSHDOWN_ORDERS", orders)
    expected = "memory" if loaded.dialect.name == "duckdb" else "pushdown"
    assert modes.resolve_mode(loaded) == expected
    monkeypatch.setattr(modes, "AUTO_PUSHDOWN_ORDERS", orders + 1)
    assert modes.resolve_mode(loaded) == "memory"


def test_pushdown_dataset_reads_no_large_table(loaded):
    ds = data.load_dataset(loaded, mode="pushdown")
    assert ds.source is not None
    assert not set(ds.frames) & set(modes.LARGE_TABLES)
    assert {"brands", "targets", "employee_surveys", "impact_ledger"} <= set(ds.frames)
    with pytest.raises(LookupError, match="orders is not read in pushdown mode"):
        ds["orders"]
    memory = data.load_dataset(loaded, mode="memory")
    assert memory.source is None
    assert (ds.as_of, ds.first_order_at) == (memory.as_of, memory.first_order_at)


# --- the same numbers in both modes ---------------------------------------------------


def _close(x: float | None, y: float | None) -> bool:
    return (x is None and y is None) or (x is not None and y is not None and abs(x - y) <= 1e-9 * abs(x) + 1e-12)


def _both(engine) -> tuple:
    return data.load_dataset(engine, mode="memory"), data.load_dataset(engine, mode="pushdown")


def test_kpi_frame_dispatches_to_the_database(loaded):
    memory, pushed = _both(loaded)
    periods = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    filters = Filters(channel=("web",), segment=("new", "loyal"))
    a = kpi_frame(memory, periods, filters=filters)
    b = kpi_frame(pushed, periods, filters=filters)
    assert a.height == b.height == 5 * 38
    assert kpi_mismatches(a, b) == []


def test_monday_view_is_the_same_in_both_modes(loaded):
    memory, pushed = _both(loaded)
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


def test_other_pages_are_the_same_in_both_modes(loaded):
    memory, pushed = _both(loaded)
    assert views.filter_options(memory) == views.filter_options(pushed)
    window = views.comparison_window(WEEK, 13, views.catalog.get("repeat_customer_rate"))
    filters = Filters(region=("north", "south"))
    for fn in (views.compare_scopes, views.scope_trends):
        period = window.period if fn is views.compare_scopes else window.trend
        a = fn(memory, "repeat_customer_rate", period, filters)
        b = fn(pushed, "repeat_customer_rate", period, filters)
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


def test_cli_kpis_prints_the_same_bytes_in_both_modes(loaded, capsys):
    url = loaded.url.render_as_string(hide_password=False)
    out = {}
    for mode in ("memory", "pushdown"):
        assert cli.main(["--db", url, "--mode", mode, "kpis", "--from", "2025-10-01", "--to", "2026-01-01"]) == 0
        out[mode] = capsys.readouterr().out
    assert out["memory"].count("\n") == 1 + 5 * 38
    memory = pl.read_csv(out["memory"].encode())
    pushed = pl.read_csv(out["pushdown"].encode())
    assert memory.columns == pushed.columns
    both = [c for c in memory.columns if memory.schema[c] != pl.Float64]
    assert memory.select(both).equals(pushed.select(both))
    for c in (c for c in memory.columns if memory.schema[c] == pl.Float64):
        diff = (memory.get_column(c) - pushed.get_column(c)).abs()
        assert (diff.fill_null(0) <= 1e-9 * memory.get_column(c).abs().fill_null(0) + 1e-12).all(), c


def test_cli_refuses_an_unknown_mode(example_db, monkeypatch, capsys):
    monkeypatch.setenv(modes.MODE_ENV, "fast")
    assert cli.main(["--db", example_db, "kpis", "--week", WEEK]) == 2
    err = capsys.readouterr().err
    assert "unknown mode 'fast'" in err and "Traceback" not in err


def test_each_metric_alone_runs_only_the_queries_it_needs(loaded):
    """A trend of one metric runs only its fact queries (pushdown.queries_for)
    and still gets the in-memory numbers: no fact it needs is left out."""
    from purpose_metrics import catalog, pushdown

    memory, pushed = _both(loaded)
    months = Periods(dt.date(2025, 9, 1), dt.date(2026, 3, 1), "month")
    one_month = Periods(dt.date(2025, 12, 1), dt.date(2026, 1, 1))  # a grid of one period
    for metric in catalog.METRICS:
        filtered = Filters(channel=("web", "app"), region=("north", "east"))
        for periods, count, filters in ((months, 6, Filters()), (one_month, 1, Filters()), (months, 6, filtered)):
            a = kpi_frame(memory, periods, metric_ids=[metric.id], filters=filters)
            b = kpi_frame(pushed, periods, metric_ids=[metric.id], filters=filters)
            assert a.height == b.height == 5 * count
            assert kpi_mismatches(a, b) == [], (metric.id, count, filters)
    assert pushdown.queries_for([catalog.get("nps")]) == ("customer_surveys",)
    assert pushdown.queries_for([catalog.get("ghg_intensity")]) == ("order_totals", "impact_ledger")
    assert "order_totals" not in pushdown.queries_for(catalog.METRICS)  # orders has its columns
    assert pushdown.queries_for([catalog.get("delivery_co2e_per_order")]) == ("order_totals",)
    assert pushdown.queries_for([catalog.get("returning_order_share")]) == ("orders",)  # needs the history


def test_board_pack_content_is_the_same_in_both_modes(loaded):
    """The deck's tables (KPI lines per pillar, brands compared) from a
    pushdown Dataset are the memory mode's, text for text."""
    from purpose_metrics.export.deck import build_pack

    memory, pushed = _both(loaded)
    a, b = build_pack(memory, WEEK), build_pack(pushed, WEEK)
    assert [p.lines for p in a.pillars] == [p.lines for p in b.pillars]
    assert sum(len(p.lines) for p in b.pillars) == 38
    assert (a.brand_columns, a.brand_rows) == (b.brand_columns, b.brand_rows)
    assert [t for p in a.pillars for t, _ in p.charts] == [t for p in b.pillars for t, _ in p.charts]


def test_cli_cohorts_prints_the_same_in_both_modes(loaded, capsys):
    url = loaded.url.render_as_string(hide_password=False)
    out = {}
    for mode in ("memory", "pushdown"):
        assert cli.main(["--db", url, "--mode", mode, "cohorts", "--grain", "month", "--brand", "alpine"]) == 0
        out[mode] = capsys.readouterr().out
    assert out["memory"] == out["pushdown"]
    assert out["memory"].count("\n") > 10  # a header and many cells
