"""The audit log (audit.py): rows on every backend, and a write that fails
costs a log line, never an exception."""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa

from purpose_metrics import audit, db


def test_entries_are_stored_and_read_back_newest_first(engine):
    first = dt.datetime(2026, 11, 30, 8, 0, 0)
    assert audit.record(engine, audit.Entry("ana@example.com", "executive", "sign-in", "ok"), at=first)
    assert audit.record(
        engine,
        audit.Entry(
            "lee@example.com", "brand", "view", "denied", scope="alpine", detail="a link named this scope"
        ),
        at=first + dt.timedelta(minutes=5),
    )
    rows = audit.recent(engine)
    assert rows.columns == ["logged_at", "who", "role", "action", "scope", "outcome", "detail"]
    assert rows.rows() == [
        (first + dt.timedelta(minutes=5), "lee@example.com", "brand", "view", "alpine", "denied",
         "a link named this scope"),
        (first, "ana@example.com", "executive", "sign-in", None, "ok", None),
    ]  # fmt: skip


def test_a_database_made_before_the_audit_log_gets_the_table_at_the_first_write(tmp_path):
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'older.sqlite'}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE orders (order_id INTEGER)")
    assert audit.record(eng, audit.Entry("ana@example.com", "admin", "sign-in", "ok"))
    assert audit.recent(eng).select("who", "action").rows() == [("ana@example.com", "sign-in")]


def test_a_refused_write_is_a_warning_and_returns_false(tmp_path, caplog):
    # A database where the name is taken by something that cannot hold rows refuses the insert.
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE VIEW audit_log AS SELECT 1 AS one")
    with caplog.at_level(logging.WARNING, logger="purpose_metrics.audit"):
        assert (
            audit.record(eng, audit.Entry("ana@example.com", "admin", "import", "ok", detail="orders"))
            is False
        )
    assert "audit log not written (import ok by ana@example.com)" in caplog.text
    assert audit.recent(eng).height == 0


def test_create_schema_adds_the_audit_log_to_an_existing_database(tmp_path):
    eng = db.make_engine(f"duckdb:///{tmp_path / 'pm.duckdb'}", create=True)
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE orders (order_id BIGINT)")
    db.create_schema(eng)
    assert audit.record(eng, audit.Entry("local", "local", "export", "ok", detail="chart.png"))
    assert audit.recent(eng)["detail"].to_list() == ["chart.png"]
    eng.dispose()
