"""Read-only: a PostgreSQL role that can only SELECT reads everything.

A writer role owns the database and loads the worked example through the
importer (which keeps the fact store current); a reader role gets USAGE on
the schema and SELECT on every table, nothing else. As the reader, `kpis`
(in every mode) prints what the writer's `kpis` prints, and every page of
the dashboard renders with no exception and no error; and no statement the
reader's connections send writes, or fails (each one is watched through
SQLAlchemy's events)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import polars as pl
import pytest
import sqlalchemy as sa
import streamlit as st
from conftest import PAGES as APP_PAGES

from purpose_metrics import cli, db, sources, store
from purpose_metrics.store.maintain import DERIVED_TABLES
from purpose_metrics.validation import import_folder

PAGES = [None, *APP_PAGES]  # None: This week
WRITES = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|COPY|GRANT|REVOKE|LOCK|VACUUM|ANALYZE|REFRESH|COMMENT)\b",
    re.IGNORECASE,
)


# An order placed in 2026-W10, for a customer with earlier orders, loaded by other means.
STALE_ORDER = (
    "INSERT INTO orders (order_id, customer_id, brand_id, ordered_at, channel, status, units, net_revenue, "
    "returned_units, refunded_amount, donation_amount) SELECT MAX(order_id) + 1, 1116, 'alpine', "
    "'2026-03-04 09:30:00', 'web', 'completed', 2, 55.5, 0, 0.0, 0.0 FROM orders"
)


# What a warehouse loaded by other means has beside the contract's tables: nothing.
NOT_THE_CONTRACTS = [
    *(f"DROP TRIGGER purpose_metrics_changes ON {t}" for t in store.TRACKED),
    "DROP FUNCTION purpose_metrics_count_change",
    *(
        f"DROP TABLE IF EXISTS {t}"
        for t in ("store_table_changes", *DERIVED_TABLES, "import_log", "audit_log")
    ),
]


@pytest.fixture(scope="module", params=["current", "stale", "bare"])
def roles(request, pg_server, example_dir) -> Iterator[tuple[str, str]]:
    """(the writer's URL, the reader's URL) of a new database holding the
    worked example, its fact store current, or stale: an order written
    after the import by other means (the reader then reads the tables, and
    pushdown computes each customer's history in its query), or bare: the
    contract's tables alone. The database and both roles are dropped
    afterwards."""
    suffix = uuid.uuid4().hex[:10]
    name, writer, reader = f"pm_test_{suffix}", f"pm_writer_{suffix}", f"pm_reader_{suffix}"
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {writer} LOGIN")
        conn.exec_driver_sql(f"CREATE ROLE {reader} LOGIN")
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" OWNER {writer}')
    base = sa.make_url(pg_server).set(database=name)
    writer_url = base.set(username=writer).render_as_string(hide_password=False)
    reader_url = base.set(username=reader).render_as_string(hide_password=False)
    try:
        engine = db.make_engine(writer_url)
        db.create_schema(engine)
        import_folder(engine, example_dir / "data")
        with engine.begin() as conn:  # what the README's "Read-only warehouse roles" grants
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {reader}")
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}")
            if request.param == "stale":
                conn.exec_driver_sql(STALE_ORDER)
            if request.param == "bare":
                for statement in NOT_THE_CONTRACTS:
                    conn.exec_driver_sql(statement)
        engine.dispose()
        yield writer_url, reader_url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {reader}")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {writer}")
        admin.dispose()


@pytest.fixture
def reader_statements(roles) -> Iterator[tuple[list[str], list[str]]]:
    """(every statement the reader's connections send, every error they
    get), from any engine in this process (the CLI's, the dashboard's)."""
    reader = sa.make_url(roles[1]).username
    sent: list[str] = []
    failed: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if conn.engine.url.username == reader:
            sent.append(statement)

    def error(context):
        if context.engine is not None and context.engine.url.username == reader:
            failed.append(f"{context.original_exception}: {context.statement}")

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.engine.Engine, "handle_error", error)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield sent, failed
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.remove(sa.engine.Engine, "handle_error", error)
    st.cache_data.clear()
    st.cache_resource.clear()


def output(capsys, url: str, *args: str) -> str:
    code = cli.main(["--db", url, *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.err == ""  # PostgreSQL is verified: no warning
    return out.out


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if WRITES.match(s)]


def frame(text: str) -> pl.DataFrame:
    return pl.DataFrame(json.loads(text), infer_schema_length=None)


@pytest.mark.postgres
def test_the_readers_kpis_equal_the_writers(roles, reader_statements, capsys):
    from compare import kpi_mismatches

    writer, reader = roles
    sent, failed = reader_statements
    current = _store_is_current(writer)
    for period in (
        ["--week", "2026-W10"],
        ["--from", "2025-01-01", "--to", "2026-01-01", "--brand", "alpine"],
    ):
        expected = output(capsys, writer, "kpis", *period, "--format", "json")
        assert frame(expected).height > 30
        # The writer's auto mode reads the fact store, or the rows when it is stale.
        exact = ("auto", "store") if current else ("auto", "memory")
        for mode in exact:  # the same source the writer read: the same text
            assert output(capsys, reader, "--mode", mode, "kpis", *period, "--format", "json") == expected, (
                mode
            )
        for mode in ("pushdown", "memory"):  # the same sums added in another order: to the last bits
            got = frame(output(capsys, reader, "--mode", mode, "kpis", *period, "--format", "json"))
            assert got.height == frame(expected).height
            assert kpi_mismatches(got, frame(expected)) == [], mode
    for report in (["cohorts", "--grain", "week"], ["drivers", "--week", "2026-W10"]):
        assert output(capsys, reader, *report) == output(capsys, writer, *report)
    orders = frame(
        output(capsys, reader, "--mode", "pushdown", "kpis", "--week", "2026-W10", "--format", "json")
    )
    company = orders.filter(metric_id="orders", scope="company")["value"].to_list()
    engine = db.make_engine(writer)
    with engine.connect() as conn:  # the order loaded by other means counts
        completed = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM orders WHERE status = 'completed' "
            "AND ordered_at >= '2026-03-02' AND ordered_at < '2026-03-09'"
        ).scalar_one()
    engine.dispose()
    assert company == [completed]
    assert completed in (16, 17)  # orders.csv has 16 that week
    assert sent, "the reader sent nothing: the events watched no engine"
    assert writes(sent) == []
    assert failed == []


def _store_is_current(url: str) -> bool:
    from purpose_metrics import store

    engine = db.make_engine(url)
    with engine.connect() as conn:
        current = store.is_current(conn)
    engine.dispose()
    return current


@pytest.mark.postgres
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_the_reader_and_writes_nothing(
    roles, reader_statements, app, page, monkeypatch
):
    writer, reader = roles
    sent, failed = reader_statements
    if _store_is_current(writer):
        words = "From the fact store"
    else:  # the tables aggregated where they are, each customer's history computed by the query
        monkeypatch.setenv(sources.MODE_ENV, "pushdown")
        words = "Computed in the database (pushdown"
    at = app(reader, page)
    assert not at.exception, page
    assert not at.error, [e.value for e in at.error]
    assert words in "\n".join(c.value for c in at.sidebar.caption)
    assert sent
    assert writes(sent) == []
    assert failed == []


@pytest.mark.postgres
def test_the_reader_really_cannot_write(roles):
    engine = db.make_engine(roles[1])
    with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        conn.exec_driver_sql("DELETE FROM initiatives")
    engine.dispose()


@pytest.mark.postgres
def test_the_reader_cannot_refresh_and_the_owner_can(roles, capsys):
    """(Last: the owner's refresh makes a stale store current.)"""
    writer, reader = roles
    code = cli.main(["--db", reader, "refresh"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == "purpose-metrics: database error: permission denied for schema public\n"
    assert cli.main(["--db", writer, "refresh"]) == 0
    assert _store_is_current(writer)
