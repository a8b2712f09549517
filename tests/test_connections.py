"""A dashboard run's connection, parked for the next run of a burst (connections.py),
on a real DuckDB file and a real command-line import in another process."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from purpose_metrics import connections, db


@pytest.fixture
def counted(tmp_path):
    """A DuckDB file with the schema, its engine, and a list that grows by one per new connection."""
    made = db.make_engine(f"duckdb:///{tmp_path / 'pm.duckdb'}", create=True)
    db.create_schema(made)
    made.dispose()
    eng = db.make_engine(f"duckdb:///{tmp_path / 'pm.duckdb'}")  # as the dashboard reads it
    opened = []
    sa.event.listen(eng, "connect", lambda *_: opened.append(1))
    yield eng, opened
    connections.close_parked()
    eng.dispose()


def _brands(eng) -> int:
    with connections.connect(eng) as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM brands")).scalar_one()


def test_a_burst_of_runs_shares_one_connection_and_a_pause_closes_it(counted):
    eng, opened = counted
    for _ in range(3):  # three runs in quick succession
        with connections.one_connection_per_engine(linger=5.0):
            _brands(eng)
            _brands(eng)
    assert len(opened) == 1
    connections.close_parked()  # as if the linger had passed
    with connections.one_connection_per_engine(linger=0.2):
        _brands(eng)
    assert len(opened) == 2
    time.sleep(0.6)  # the timer closed it: the next run opens a new one
    with connections.one_connection_per_engine(linger=0.2):
        _brands(eng)
    assert len(opened) == 3


def test_without_linger_every_run_opens_its_own(counted):
    eng, opened = counted
    for _ in range(2):
        with connections.one_connection_per_engine():
            _brands(eng)
    assert len(opened) == 2


def test_a_parked_connection_sees_what_was_written_since(counted):
    eng, _ = counted
    with connections.one_connection_per_engine(linger=5.0):
        assert _brands(eng) == 0
    with eng.begin() as conn:  # another connection writes meanwhile
        conn.execute(sa.text("INSERT INTO brands (brand_id, name) VALUES ('a', 'A')"))
    with connections.one_connection_per_engine(linger=5.0):
        assert _brands(eng) == 1


def test_a_file_moved_away_is_not_read_through_a_parked_connection(counted, tmp_path):
    eng, _ = counted
    with connections.one_connection_per_engine(linger=5.0):
        _brands(eng)
    (tmp_path / "pm.duckdb").rename(tmp_path / "elsewhere.duckdb")
    with connections.one_connection_per_engine(linger=5.0), pytest.raises(db.MissingDatabase):
        _brands(eng)
    assert not (tmp_path / "pm.duckdb").exists()  # named, not replaced by an empty one


def test_an_import_from_another_process_gets_the_file_after_the_linger(counted, tmp_path):
    eng, _ = counted
    with connections.one_connection_per_engine(linger=1.0):
        _brands(eng)  # the file is now held by this process for a second
    csv = tmp_path / "brands.csv"
    csv.write_text("brand_id,name,purpose_statement\nb,B,\n")
    url = eng.url.render_as_string(hide_password=False)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "purpose_metrics.cli", "--db", url, "import", "brands", str(csv)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PURPOSE_METRICS_LOCK_WAIT": "30"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30  # it waited for the linger, not for its own timeout
    with connections.one_connection_per_engine():
        assert _brands(eng) == 1
