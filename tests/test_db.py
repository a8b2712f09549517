"""Database layer: typed round trips on every backend, ranged reads, schema
creation and the database URL.

Expected values are written out by hand in each test; the code under test
is only ever on the "got" side of an assertion.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from purpose_metrics import db, dburl
from purpose_metrics.contract import TABLES

D = dt.date
T = dt.datetime

BIG_ID = 2**53 + 1  # not representable as a float64: catches a lossy path
MAX_ID = 2**63 - 1

CUSTOMERS = pl.DataFrame(
    {
        "customer_id": [BIG_ID, 7, MAX_ID],
        "created_at": [T(2024, 2, 29, 23, 59, 59), T(2025, 1, 1, 0, 0, 0), T(1999, 12, 31, 12, 0, 1)],
        "segment": ["Café ☕ 東京", None, 'a, "quoted"\nsecond line'],
        "region": ["north", "", None],
        "marketing_opt_in": [True, False, True],
    },
    schema=TABLES["customers"].polars_schema,
)

ORDERS = pl.DataFrame(
    {
        "order_id": [1, BIG_ID],
        "customer_id": [BIG_ID, None],
        "brand_id": ["alpine", "héarth"],
        "ordered_at": [T(2026, 3, 2, 0, 0, 0), T(2026, 3, 8, 23, 59, 59)],
        "channel": ["web", "store"],
        "status": ["completed", "cancelled"],
        "units": [3, 1],
        "net_revenue": [0.1 + 0.2, 1234.5678],
        "returned_units": [1, 0],
        "refunded_amount": [0.1, 0.0],
        "promised_delivery_date": [D(2026, 3, 5), None],
        "delivered_at": [T(2026, 3, 4, 10, 11, 12), None],
        "shipping_co2e_kg": [1e-7, None],
        "packaging_kg": [2.5, None],
        "packaging_recycled_kg": [2.5, None],
        "donation_amount": [0.0, 99999999.99],
        "cause": ["ocean", None],
    },
    schema=TABLES["orders"].polars_schema,
)

SURVEYS = pl.DataFrame(
    {
        "response_id": [10, 11],
        "customer_id": [None, 7],
        "brand_id": ["alpine", "alpine"],
        "order_id": [1, None],
        "submitted_at": [T(2026, 3, 3, 8, 0, 0), T(2026, 3, 4, 9, 30, 15)],
        "nps_score": [10, None],
        "csat_score": [None, 1],
        "effort_score": [7, None],
        "customer_purpose": ["gift", None],
        "purpose_achieved": [False, None],
        "comment": ["ça va — très bien", None],
    },
    schema=TABLES["customer_surveys"].polars_schema,
)

WORKFORCE = pl.DataFrame(
    {
        "period_start": [D(2025, 1, 1), D(2025, 2, 1)],
        "brand_id": [None, "alpine"],
        "team": ["ops", "cx"],
        "headcount_start": [0, 12],
        "headcount_end": [1, 11],
        "hires": [1, 0],
        "voluntary_leavers": [0, 1],
        "involuntary_leavers": [0, 0],
        "training_hours": [0.0, 7.25],
    },
    schema=TABLES["workforce"].polars_schema,
)

ROUND_TRIP = {
    "customers": (CUSTOMERS, "customer_id"),
    "orders": (ORDERS, "order_id"),
    "customer_surveys": (SURVEYS, "response_id"),
    "workforce": (WORKFORCE, "period_start"),
}


def _write(engine: sa.Engine, table: str, df: pl.DataFrame) -> None:
    with engine.begin() as conn:
        db.insert_frame(conn, table, df)


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_every_logical_type_round_trips(engine):
    for table, (frame, _) in ROUND_TRIP.items():
        _write(engine, table, frame)
    for table, (frame, key) in ROUND_TRIP.items():
        got = db.read_table(engine, table)
        assert dict(got.schema) == dict(TABLES[table].polars_schema), table
        got = got.sort(key)
        expected = frame.sort(key)
        for column in frame.columns:
            assert got.get_column(column).to_list() == expected.get_column(column).to_list(), (table, column)


@pytest.fixture(params=["duckdb", "sqlite"])
def light_engine(request, tmp_path):
    """The embedded backends only (no PostgreSQL database to create)."""
    eng = db.make_engine(f"{request.param}:///{tmp_path / ('pm.' + request.param)}", create=True)
    db.create_schema(eng)
    yield eng
    eng.dispose()


def test_timestamps_keep_microseconds(light_engine):
    engine = light_engine
    stamp = T(2026, 3, 2, 12, 34, 56, 789012)
    _write(engine, "customers", CUSTOMERS.head(1).with_columns(created_at=pl.lit(stamp)))
    got = db.read_table(engine, "customers", ["created_at"])
    assert got.get_column("created_at").to_list() == [stamp]


def test_a_column_that_is_null_in_every_row_keeps_its_contract_dtype(light_engine):
    engine = light_engine
    nulls = SURVEYS.with_columns(
        pl.lit(None, pl.Int64).alias("nps_score"),
        pl.lit(None, pl.Boolean).alias("purpose_achieved"),
    )
    _write(engine, "customer_surveys", nulls)
    _write(
        engine,
        "orders",
        ORDERS.with_columns(
            pl.lit(None, pl.Datetime("us")).alias("delivered_at"),
            pl.lit(None, pl.Date).alias("promised_delivery_date"),
        ),
    )
    got = db.read_table(engine, "customer_surveys", ["nps_score", "purpose_achieved"])
    assert dict(got.schema) == {"nps_score": pl.Int64(), "purpose_achieved": pl.Boolean()}
    assert got.get_column("nps_score").to_list() == [None, None]
    got = db.read_table(engine, "orders", ["delivered_at", "promised_delivery_date"])
    assert dict(got.schema) == {"delivered_at": pl.Datetime("us"), "promised_delivery_date": pl.Date()}


def test_a_failed_bulk_insert_reports_its_cause_and_writes_nothing(engine):
    brands = pl.DataFrame(
        {"brand_id": ["alpine"], "name": ["Alpine"], "purpose_statement": [None]},
        schema=TABLES["brands"].polars_schema,
    )
    _write(engine, "brands", brands)
    clash = pl.DataFrame(
        {"brand_id": ["hearth", "alpine"], "name": ["Hearth", "Again"], "purpose_statement": [None, None]},
        schema=TABLES["brands"].polars_schema,
    )
    with pytest.raises(Exception) as info:  # noqa: B017 - the backends raise different classes
        _write(engine, "brands", clash)
    # The message must say why (the primary key), not only that the
    # transaction was aborted.
    assert any(
        word in str(info.value).lower() for word in ("primary key", "unique", "duplicate", "constraint")
    )
    assert db.read_table(engine, "brands").get_column("brand_id").to_list() == ["alpine"]


# --- ranged and partial reads -------------------------------------------------------

START = T(2026, 3, 2)
END = T(2026, 3, 9)
RANGE_ORDERS = (
    ORDERS.head(1)
    .select(pl.exclude("order_id", "ordered_at"))
    .join(
        pl.DataFrame(
            {
                "order_id": [1, 2, 3, 4, 5],
                "ordered_at": [
                    START - dt.timedelta(seconds=1),  # before: out
                    START,  # exactly at start: in
                    T(2026, 3, 5, 12, 0, 0),  # inside: in
                    END - dt.timedelta(seconds=1),  # last second: in
                    END,  # exactly at end: out
                ],
            },
            schema={"order_id": pl.Int64, "ordered_at": pl.Datetime("us")},
        ),
        how="cross",
    )
    .select(TABLES["orders"].column_names)
)


def test_read_some_columns_of_a_datetime_range(engine):
    _write(engine, "orders", RANGE_ORDERS)
    got = db.read_table(engine, "orders", ["order_id", "units"], start=START, end=END)
    assert got.columns == ["order_id", "units"]
    assert dict(got.schema) == {"order_id": pl.Int64(), "units": pl.Int64()}
    assert sorted(got.get_column("order_id").to_list()) == [2, 3, 4]


def test_read_a_range_given_as_dates(light_engine):
    _write(light_engine, "orders", RANGE_ORDERS)
    got = db.read_table(light_engine, "orders", ["order_id"], start=START.date(), end=END.date())
    assert sorted(got.get_column("order_id").to_list()) == [2, 3, 4]


def test_read_a_date_column_range(duck):
    _write(duck, "workforce", WORKFORCE)
    got = db.read_table(duck, "workforce", ["team"], start=D(2025, 2, 1), end=D(2025, 3, 1))
    assert got.get_column("team").to_list() == ["cx"]
    got = db.read_table(duck, "workforce", ["team"], start=D(2025, 1, 1), end=D(2025, 2, 1))
    assert got.get_column("team").to_list() == ["ops"]


def test_a_range_with_only_a_start_or_only_an_end(duck):
    _write(duck, "orders", RANGE_ORDERS)
    assert sorted(db.read_table(duck, "orders", ["order_id"], start=START)["order_id"].to_list()) == [
        2,
        3,
        4,
        5,
    ]
    assert sorted(db.read_table(duck, "orders", ["order_id"], end=END)["order_id"].to_list()) == [1, 2, 3, 4]


# --- schema -------------------------------------------------------------------------


def test_create_schema_twice_keeps_the_data(engine):
    _write(engine, "customers", CUSTOMERS)
    db.create_schema(engine)
    db.create_schema(engine)
    assert _count(engine, "customers") == 3
    got = db.read_table(engine, "customers", ["customer_id"])
    assert sorted(got.get_column("customer_id").to_list()) == sorted([BIG_ID, 7, MAX_ID])


def test_create_schema_makes_every_contract_table(duck):
    with duck.connect() as conn:
        for name, table in TABLES.items():
            cols = list(conn.exec_driver_sql(f"SELECT * FROM {name} LIMIT 0").keys())
            assert set(cols) == set(table.column_names), name


def test_an_empty_table_reads_as_an_empty_typed_frame(engine):
    for name, table in TABLES.items():
        got = db.read_table(engine, name)
        assert got.height == 0, name
        assert got.columns == table.column_names, name
        assert dict(got.schema) == dict(table.polars_schema), name


def test_an_empty_range_reads_as_an_empty_typed_frame(duck):
    _write(duck, "orders", RANGE_ORDERS)
    got = db.read_table(duck, "orders", ["order_id", "ordered_at"], start=T(2030, 1, 1), end=T(2030, 2, 1))
    assert got.height == 0
    assert dict(got.schema) == {"order_id": pl.Int64(), "ordered_at": pl.Datetime("us")}


def test_table_counts_and_is_empty(duck):
    assert db.is_empty(duck)
    _write(duck, "customers", CUSTOMERS)
    counts = db.table_counts(duck)
    assert counts["customers"] == 3
    assert counts["orders"] == 0
    assert not db.is_empty(duck)


# --- database URL -------------------------------------------------------------------


def test_explicit_url_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("PURPOSE_METRICS_DATABASE_URL", "sqlite:///from_env.sqlite")
    assert dburl.database_url("duckdb:///explicit.duckdb") == "duckdb:///explicit.duckdb"


def test_environment_wins_over_the_default(monkeypatch):
    monkeypatch.setenv("PURPOSE_METRICS_DATABASE_URL", "sqlite:///from_env.sqlite")
    assert dburl.database_url(None) == "sqlite:///from_env.sqlite"


def test_default_is_an_embedded_duckdb_file(monkeypatch):
    monkeypatch.delenv("PURPOSE_METRICS_DATABASE_URL", raising=False)
    url = dburl.database_url(None)
    assert url.startswith("duckdb:///")
    assert url.endswith(".duckdb")
    assert url != "duckdb:///"  # a file, not an in-memory database


def test_make_engine_uses_the_environment(monkeypatch, tmp_path):
    path = tmp_path / "env.sqlite"
    monkeypatch.setenv("PURPOSE_METRICS_DATABASE_URL", f"sqlite:///{path}")
    engine = db.make_engine()
    assert engine.dialect.name == "sqlite"
    assert engine.url.database == str(path)
    engine.dispose()


def test_safe_url_hides_the_password():
    shown = dburl.safe_url("postgresql+psycopg://analyst:s3cr%40t-pw@db.example.com:5433/metrics")
    assert "s3cr" not in shown
    assert "analyst" in shown
    assert "db.example.com" in shown
    assert "metrics" in shown


def test_safe_url_of_garbage_does_not_echo_it():
    shown = dburl.safe_url("::not a url with password hunter2::")
    assert "hunter2" not in shown
