"""One SQL source for every dialect: every pushdown query the dashboard runs,
rendered for PostgreSQL by the real render functions, transpiles with
sqlglot to Spark, Databricks, Snowflake, BigQuery and Trino and parses back
in each without an error or an unsupported construct; and transpiled to
DuckDB it runs on the worked example and returns what the query rendered
natively for DuckDB returns, row for row."""

from __future__ import annotations

import datetime as dt
import logging
import math

import pytest
import sqlglot
from sqlalchemy.dialects import postgresql
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from purpose_metrics import db, transpile
from purpose_metrics.metrics.dataset import UNKNOWN, Filters
from purpose_metrics.periods import Periods
from purpose_metrics.sources import pushdown
from purpose_metrics.sources.pushdown import LocalPeriods

# The worked example runs from January 2025 to June 2026.
WEEKS = Periods.trend(dt.date(2026, 6, 22), 13, "week")
MONTHS_BERLIN = Periods.trend(dt.date(2026, 6, 1), 12, "month").in_zone("Europe/Berlin")
FILTERED = Filters(
    channel=("web", "app"),
    region=("north", UNKNOWN),
    segment=("loyal", "value"),
    customer_purpose=("replace", UNKNOWN),
)
WEEK = Periods.week("2026-W10")
NRF_STARTS = tuple(dt.date(2025, 2, 2) + dt.timedelta(weeks=i) for i in range(74))
BERLIN = LocalPeriods("Europe/Berlin", dt.datetime(2025, 1, 6), dt.datetime(2026, 6, 28))
NRF = LocalPeriods("America/New_York", dt.datetime(2025, 1, 6), dt.datetime(2026, 6, 28), NRF_STARTS)
DISTINCT = [
    ("orders", "channel"),
    ("customers", "region"),
    ("customers", "segment"),
    ("customer_surveys", "customer_purpose"),
]


def rendered(dialect: str) -> dict[str, tuple[str, dict]]:
    """Every pushdown query, by name: the fact queries of each group (all
    five, unfiltered over 13 weeks and filtered over a year of Berlin
    months), the cohorts (ISO weeks and months in UTC, Berlin weeks, NRF
    weeks), the drivers' counts from the tables and from the store, and
    the filters' distinct values."""
    out: dict[str, tuple[str, dict]] = {}
    for label, periods, filters in (("weeks", WEEKS, Filters()), ("filtered", MONTHS_BERLIN, FILTERED)):
        for name, query in pushdown.render_queries(dialect, periods, filters).items():
            out[f"facts/{name}/{label}"] = query
    for grain in ("week", "month"):
        out[f"cohorts/{grain}"] = pushdown.render_cohorts(dialect, grain, ["company", "alpine", "hearth"])
    out["cohorts/berlin"] = pushdown.render_cohorts(dialect, "week", ["company", "stride"], BERLIN)
    out["cohorts/nrf"] = pushdown.render_cohorts(dialect, "week", ["company", "alpine"], NRF)
    for zone in (None, "America/New_York"):
        period = WEEK.in_zone(zone)
        for scopes in (["company", "alpine", "hearth"], ["stride"]):
            key = f"{zone}/{'+'.join(scopes)}"
            out[f"drivers/{key}"] = pushdown.render_driver_counts(dialect, period, scopes)
            out[f"stored_drivers/{key}"] = pushdown.render_stored_driver_counts(dialect, period, scopes)
    sa_dialect = postgresql.dialect() if dialect == "postgresql" else None
    for table, column in DISTINCT:
        query = pushdown.distinct_query(table, column)
        out[f"distinct/{table}.{column}"] = (str(query.compile(dialect=sa_dialect)), {})
    return out


POSTGRES = rendered("postgresql")


@pytest.fixture
def sqlglot_warnings(caplog) -> list[str]:
    caplog.set_level(logging.WARNING, logger="sqlglot")
    return caplog.messages


@pytest.mark.parametrize("target", transpile.TARGETS)
@pytest.mark.parametrize("name", sorted(POSTGRES))
def test_every_pushdown_query_transpiles_and_parses_back(name, target, sqlglot_warnings):
    sql, params = POSTGRES[name]
    out = transpile.transpile(sql, target)
    tree = sqlglot.parse_one(out, read=target, error_level=ErrorLevel.RAISE)
    # Written again in its own dialect with nothing unsupported: sqlglot understood all of it.
    tree.sql(dialect=target, unsupported_level=ErrorLevel.RAISE)
    assert sqlglot_warnings == []
    # Every bound parameter is still there, as SQLAlchemy's text() binds it.
    names = {p.name for p in tree.find_all(exp.Placeholder)}
    assert names == {k for k in params if f":{k}" in sql}
    # No PostgreSQL planner hint is left for an engine that does not take it.
    assert "MATERIALIZED" not in out.upper()


def test_every_kind_of_query_is_covered():
    kinds = {name.split("/")[0] for name in POSTGRES}
    assert kinds == {"facts", "cohorts", "drivers", "stored_drivers", "distinct"}
    groups = {name.split("/")[1] for name in POSTGRES if name.startswith("facts/")}
    assert groups == set(pushdown.QUERY_OF_GROUP.values()) | {"orders"}


def test_bigquery_weeks_start_on_monday_as_postgresql_weeks_do():
    sql, _ = POSTGRES["cohorts/week"]
    out = transpile.transpile(sql, "bigquery")
    assert "WEEK(MONDAY)" in out
    assert "WEEK)" not in out.replace(" ", "")


def test_ascending_orders_keep_postgresqls_nulls_last_where_the_target_sorts_nulls_first():
    sql, _ = POSTGRES["drivers/None/company+alpine+hearth"]
    assert "NULLS" not in sql
    assert "ORDER BY w.ordered_at NULLS LAST, w.order_id NULLS LAST" in transpile.transpile(sql, "spark")


def test_a_construct_sqlglot_cannot_carry_is_a_clear_error():
    # BigQuery cannot sort NULLs last in a window with a frame: PostgreSQL's
    # ascending order would mean something else there.
    sql = (
        "SELECT MIN(x) OVER (PARTITION BY a ORDER BY b "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t"
    )
    with pytest.raises(transpile.TranspileError, match="cannot carry the SQL to bigquery: .*NULLS LAST"):
        transpile.transpile(sql, "bigquery")
    assert "NULLS LAST" in transpile.transpile(sql, "spark")
    with pytest.raises(transpile.TranspileError, match="cannot read the postgres SQL"):
        transpile.transpile("SELECT FROM WHERE (", "spark")
    with pytest.raises(transpile.TranspileError, match="no dialect 'cobol'"):
        transpile.transpile("SELECT 1", "cobol")


def test_sqlglot_dialects_of_sqlalchemy_engines():
    assert transpile.sqlglot_dialect("postgresql") == "postgres"
    assert transpile.sqlglot_dialect("mysql") == "mysql"
    assert transpile.sqlglot_dialect("mariadb") == "mysql"
    assert transpile.sqlglot_dialect("mssql") == "tsql"
    assert transpile.sqlglot_dialect("snowflake") == "snowflake"
    assert transpile.sqlglot_dialect("no-such-engine") is None


# --- executed: transpiled to DuckDB, on the worked example ------------------------------


def _rows(conn, sql: str, params: dict) -> list[tuple]:
    frame = db.fetch_sql(conn, sql, params)
    return sorted(frame.rows(), key=lambda r: tuple((v is None, str(v)) for v in r))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


DUCKDB = rendered("duckdb")


def test_transpiled_queries_run_on_duckdb_and_agree_with_the_native_ones(example_duck):
    assert set(DUCKDB) == set(POSTGRES)
    compared = 0
    with example_duck.connect() as conn:
        for name in sorted(POSTGRES):
            pg_sql, pg_params = POSTGRES[name]
            native_sql, native_params = DUCKDB[name]
            expected = _rows(conn, native_sql, native_params)
            assert expected, f"{name}: no rows on the worked example, nothing compared"
            got = _rows(conn, transpile.transpile(pg_sql, "duckdb"), pg_params)
            assert len(got) == len(expected), name
            for g, e in zip(got, expected, strict=True):
                assert len(g) == len(e) and all(_same(x, y) for x, y in zip(g, e, strict=True)), (name, g, e)
            compared += len(expected)
    assert compared > 500


def test_lag_and_lead_lose_their_window_frame_where_spark_refuses_one():
    """Spark and Databricks refuse a frame on LAG and LEAD ("Cannot specify
    window frame for lag function"); PostgreSQL ignores it. The cohorts'
    LAG over the named window w is spelled out there with w's partition and
    order and no frame; FIRST_VALUE keeps w, frame and all."""
    sql, _ = POSTGRES["cohorts/week"]
    for target in ("spark", "databricks"):
        tree = sqlglot.parse_one(transpile.transpile(sql, target), read=target)
        windows = list(tree.find_all(exp.Window))
        lags = [w for w in windows if isinstance(w.this, exp.Lag)]
        assert len(lags) == 1, target
        assert lags[0].args.get("spec") is None and lags[0].args.get("alias") is None
        assert [p.sql() for p in lags[0].args["partition_by"]] == ["customer_id"]
        assert lags[0].args["order"].sql(target) == "ORDER BY period_start"
        firsts = [w for w in windows if isinstance(w.this, exp.FirstValue)]
        assert firsts and all(w.args["alias"].name == "w" for w in firsts)
        assert any(
            w.args.get("spec") is not None
            for s in tree.find_all(exp.Select)
            for w in s.args.get("windows") or []
        )
