"""When the database fails: unreachable, locked by another process, dropped
mid-session. Pages show one clear line and a Retry button, the CLI exits 1
with one line, no traceback and no password reaches anyone. And importing a
file while the dashboard is open on the embedded DuckDB file works.

Everything here is real: a PostgreSQL server, DuckDB files held by other
processes, the console script run as a process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from conftest import cards

from purpose_metrics import cli, db, dburl

PASSWORD = "Sup3r-S3cret!pw"
PAGES = [
    "pages/this_week.py", "pages/brands.py", "pages/loyalty.py", "pages/customer_purpose.py", "pages/drivers.py",
    "pages/people.py", "pages/impact.py", "pages/data.py",
]  # fmt: skip
CONSOLE = str(Path(sys.executable).with_name("purpose-metrics"))


def run_cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CONSOLE, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def error_text(at) -> str:
    assert not at.exception
    assert at.error, "no error message on the page"
    assert at.button(key="retry_database").label == "Retry"
    return at.error[0].value


@pytest.fixture
def duck_copy(small_db, tmp_path) -> str:
    """A private copy of the worked example's DuckDB file."""
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(small_db.removeprefix("duckdb:///"), path)
    return f"duckdb:///{path}"


class FileHolder:
    """Another process holding a DuckDB file open (as an import does)."""

    def __init__(self, url: str, seconds: float):
        code = (
            "import duckdb, sys, time\n"
            f"c = duckdb.connect({url.removeprefix('duckdb:///')!r})\n"
            "print('holding', flush=True)\n"
            f"time.sleep({seconds})\n"
        )
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "holding"

    def release(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def hold() -> Iterator:
    holders: list[FileHolder] = []

    def start(url: str, seconds: float) -> FileHolder:
        holders.append(FileHolder(url, seconds))
        return holders[-1]

    yield start
    for h in holders:
        h.release()


# --- unreachable, and passwords ------------------------------------------------------------------


def test_cli_with_an_unreachable_server_exits_1_with_one_line_and_no_password():
    url = f"postgresql+psycopg://analyst:{PASSWORD}@127.0.0.1:1/metrics"
    done = run_cli("--db", url, "kpis", "--week", "2026-W10")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith("purpose-metrics: database error: connection failed")
    assert "Connection refused" in line
    assert PASSWORD not in done.stderr + done.stdout


def test_cli_with_a_wrong_login_exits_1_without_the_password(pg_server, capsys):
    # (The test server trusts every login; an unknown role is refused.)
    url = sa.make_url(pg_server).set(username="nobody_pm", password=PASSWORD)
    code = cli.main(["--db", url.render_as_string(hide_password=False), "kpis", "--week", "2026-W10"])
    out = capsys.readouterr()
    assert code == 1
    assert 'role "nobody_pm" does not exist' in one_line(out.err)
    assert PASSWORD not in out.err + out.out


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://analyst:{PASSWORD}@127.0.0.1:notaport/metrics",
        f"mysql://analyst:{PASSWORD}@db.example.com/metrics",
        f"garbage:{PASSWORD}",
    ],
    ids=["bad-port", "unsupported", "unparsable"],
)
def test_a_url_that_cannot_be_used_exits_1_without_the_password(url, capsys):
    code = cli.main(["--db", url, "kpis", "--week", "2026-W10"])
    out = capsys.readouterr()
    assert code == 1
    assert one_line(out.err).startswith("purpose-metrics: ")
    assert PASSWORD not in out.err + out.out


def test_the_page_of_an_unreachable_server_says_so_once_with_retry_and_no_password(app):
    at = app(f"postgresql+psycopg://analyst:{PASSWORD}@127.0.0.1:1/metrics")
    message = error_text(at)
    assert message.startswith(
        "Could not read the database at postgresql+psycopg://analyst:***@127.0.0.1:1/metrics"
    )
    assert "Connection refused" in message
    every_word = " ".join(
        str(e.value) for kind in ("error", "caption", "markdown", "info") for e in at.get(kind)
    )
    assert PASSWORD not in every_word


def test_the_page_of_a_wrong_login_shows_no_password(app, pg_server):
    url = sa.make_url(pg_server).set(username="nobody_pm", password=PASSWORD)
    at = app(url.render_as_string(hide_password=False), "pages/data.py")
    assert 'role "nobody_pm" does not exist' in error_text(at)
    assert PASSWORD not in " ".join(
        str(e.value) for kind in ("error", "caption", "markdown") for e in at.get(kind)
    )


def test_redact_masks_passwords_in_any_message():
    url = f"postgresql+psycopg://analyst:{PASSWORD}@db:5432/m"
    assert PASSWORD not in dburl.redact(f"failed for {url} with {PASSWORD}", url)
    assert dburl.redact("dsn 'host=db password=hunter22 user=x'") == "dsn 'host=db password=*** user=x'"
    assert dburl.redact("see mysql://u:pw123@h/x") == "see mysql://u:***@h/x"


# --- locked -----------------------------------------------------------------------------------------------


def test_cli_waits_for_a_short_lock_and_then_imports(duck_copy, hold, tmp_path):
    orders = tmp_path / "initiatives.csv"
    orders.write_text(
        "initiative_id,brand_id,name,launched_at,metric_id,expected_change\n900,alpine,Repair,2026-06-01,,\n"
    )
    hold(duck_copy, seconds=2)  # killed by the test's end at the latest; sleeps 2 s first
    started = time.monotonic()
    done = run_cli("--db", duck_copy, "import", "initiatives", str(orders))
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 1.0  # it waited for the other process
    assert "imported 1 rows into initiatives" in done.stdout


def test_a_page_waits_for_a_short_import_and_shows_the_data(app, duck_copy, hold):
    hold(duck_copy, seconds=2)  # an import holding the file for two seconds
    at = app(duck_copy)
    assert not at.exception and not at.error
    assert at.title[0].proto.anchor == "this-week"  # the home page (its h1 names the week shown)


def test_cli_on_a_file_another_process_keeps_exits_1_with_one_line(duck_copy, hold):
    hold(duck_copy, seconds=60)
    done = run_cli("--db", duck_copy, "kpis", "--week", "2026-W10", env={db.ENV_LOCK_WAIT: "1"})
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "is in use by another process" in line and "try again" in line


def test_a_page_on_a_locked_file_says_so_and_retry_works_once_it_is_free(app, duck_copy, hold, monkeypatch):
    monkeypatch.setenv(db.ENV_LOCK_WAIT, "1")
    holder = hold(duck_copy, seconds=60)
    at = app(duck_copy)
    assert "is in use by another process" in error_text(at)
    holder.release()
    at.button(key="retry_database").click().run()
    assert not at.exception
    assert not at.error
    assert at.title[0].proto.anchor == "this-week"  # the home page (its h1 names the week shown)


# --- dropped mid-session ------------------------------------------------------------------------------------


@pytest.fixture
def pg_example(pg_server, example_templates) -> Iterator[tuple[str, sa.Engine]]:
    """A fresh PostgreSQL database holding the worked example, and an admin
    engine to drop it with."""
    url = example_templates.copy("postgresql", admin_url=pg_server)
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    yield url, admin
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def test_a_database_dropped_mid_session_gives_a_message_and_retry_then_cli_exit_1(app, pg_example):
    url, admin = pg_example
    at = app(url)
    assert not at.exception and not at.error
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{sa.make_url(url).database}" WITH (FORCE)'))
    at.button(key="refresh_data").click().run()  # or the cache's time to live running out
    assert "does not exist" in error_text(at)
    done = run_cli("--db", url, "kpis", "--week", "2026-W10")
    assert done.returncode == 1
    assert "does not exist" in one_line(done.stderr)


def test_a_table_dropped_mid_session_gives_a_message_on_every_page(app, duck_copy):
    at = app(duck_copy)
    assert not at.error
    engine = db.make_engine(duck_copy)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE support_tickets"))
    engine.dispose()
    st.cache_data.clear()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.error, page
        assert "support_tickets" in at.error[0].value and "\n" not in at.error[0].value, page


# --- importing while the dashboard is open -------------------------------------------------------------------


def test_importing_while_the_dashboard_is_open_on_the_embedded_file_works(app, duck_copy, tmp_path):
    """The dashboard has been round every page (reading the DuckDB file);
    the CLI, another process, imports; the dashboard then shows the rows."""
    at = app(duck_copy)
    orders_before = next(c.value for c in cards(at) if c.metric_id == "orders")
    # (AppTest keeps the shared sidebar only in the first run's tree.)
    refresh = at.button(key="refresh_data")
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception and not at.error, page
    # Two completed orders on Thursday of ISO week 2026-W25, the home page's week.
    new = tmp_path / "orders.csv"
    new.write_text(
        "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
        "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,"
        "packaging_recycled_kg,donation_amount,cause\n"
        "990001,,alpine,2026-06-18 10:00:00,web,completed,1,10.0,0,0.0,,,,,,0.0,\n"
        "990002,,hearth,2026-06-18 11:00:00,app,completed,1,12.0,0,0.0,,,,,,0.0,\n"
    )
    done = run_cli("--db", duck_copy, "import", "orders", str(new), env={db.ENV_LOCK_WAIT: "5"})
    assert done.returncode == 0, done.stderr
    at.switch_page("pages/this_week.py").run()
    refresh.click().run()
    assert not at.exception and not at.error
    assert next(c.value for c in cards(at) if c.metric_id == "orders") == str(int(orders_before) + 2)


# --- a database file that is not there ----------------------------------------------------------------------


def test_a_database_file_moved_away_is_named_not_replaced_and_retry_reads_it_back(app, duck_copy, tmp_path):
    """Reading never creates a database: with the file gone the page says
    where it should be (and how to make one), and no empty file appears;
    put back, Retry reads it again."""
    at = app(duck_copy)
    assert not at.error
    orders = next(c.value for c in cards(at) if c.metric_id == "orders")
    path = Path(duck_copy.removeprefix("duckdb:///"))
    aside = tmp_path / "aside.duckdb"
    path.rename(aside)
    at.button(key="refresh_data").click().run()
    assert not at.exception
    text = error_text(at)
    assert f"there is no database file at {path.resolve()}" in text and "purpose-metrics init" in text
    assert not path.exists()
    aside.rename(path)
    at.button(key="retry_database").click().run()
    assert not at.exception and not at.error
    assert next(c.value for c in cards(at) if c.metric_id == "orders") == orders


def test_the_command_line_does_not_create_a_database_when_reading(tmp_path):
    missing = tmp_path / "nowhere" / "pm.duckdb"
    done = run_cli("--db", f"duckdb:///{missing}", "kpis", "--week", "2026-W10")
    assert done.returncode == 1
    assert f"there is no database file at {missing}" in one_line(done.stderr)
    assert not missing.exists() and not missing.parent.exists()
    made = run_cli("--db", f"duckdb:///{missing}", "init")  # only init creates one
    assert made.returncode == 0 and missing.exists()
