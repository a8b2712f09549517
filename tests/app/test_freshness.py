"""Numbers stay true: an import is never counted twice, the data page says
when each table last changed, and no cached number outlives the cache's
stated time to live (the sidebar says when the data was read and how often).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cards

from purpose_metrics import db
from purpose_metrics.constants import CACHE_TTL_SECONDS
from purpose_metrics.contract import TABLES
from purpose_metrics.validation import ValidationFailed, import_file

CONSOLE = str(Path(sys.executable).with_name("purpose-metrics"))
ORDERS_HEADER = (
    "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
    "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,"
    "packaging_recycled_kg,donation_amount,cause\n"
)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@pytest.fixture
def duck_copy(small_db, tmp_path) -> str:
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(small_db.removeprefix("duckdb:///"), path)
    return f"duckdb:///{path}"


def orders_card(at) -> str:
    return next(c.value for c in cards(at) if c.metric_id == "orders")


# --- imports are never counted twice -------------------------------------------------------------


@pytest.mark.parametrize("table", list(TABLES))
def test_importing_the_same_file_again_is_refused_and_nothing_is_counted_twice(duck_copy, example_dir, table):
    engine = db.make_engine(duck_copy)
    before = db.table_counts(engine)
    with pytest.raises(ValidationFailed) as info:
        import_file(engine, table, example_dir / "data" / f"{table}.csv")
    assert info.value.failures
    assert db.table_counts(engine) == before
    engine.dispose()


# --- when each table last changed ---------------------------------------------------------------------


def test_the_data_page_shows_when_a_table_last_changed(app, duck_copy, tmp_path):
    at = app(duck_copy, "pages/data.py")
    inventory = at.dataframe[0].value.set_index("table")
    imported_before = inventory.loc["initiatives", "last_import"]
    started = utc_now()
    path = tmp_path / "initiatives.csv"
    path.write_text(
        "initiative_id,brand_id,name,launched_at,metric_id,expected_change\n901,,Swap,2026-06-01,,\n"
    )
    at.selectbox(key="import_table").set_value("initiatives").run()
    at.file_uploader(key="import_file").upload("initiatives.csv", path.read_bytes(), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    inventory = at.dataframe[0].value.set_index("table")
    changed = inventory.loc["initiatives", "last_import"].to_pydatetime()
    assert started - dt.timedelta(seconds=1) <= changed <= utc_now()
    assert changed > imported_before.to_pydatetime()
    # Tables nobody imported into keep their time.
    assert inventory.loc["orders", "last_import"] < changed
    column = at.dataframe[0].proto.columns
    assert "Last changed (UTC)" in column


# --- the cache's time to live --------------------------------------------------------------------------


def test_the_sidebar_says_when_the_data_was_read_and_how_often(app, duck_copy, read):
    before = utc_now().replace(second=0, microsecond=0)
    at = app(duck_copy)
    after = utc_now()
    captions = [c.value for c in at.sidebar.caption]
    line = next(c for c in captions if c.startswith("Data read"))
    match = re.fullmatch(r"Data read (\d\d):(\d\d) UTC, refreshed every (.+)", line)
    assert match, line
    assert match[3] == f"{CACHE_TTL_SECONDS // 60} min" == "10 min"
    shown = before.replace(hour=int(match[1]), minute=int(match[2]))
    assert before <= shown <= after


def test_an_import_shows_at_once_and_nothing_cached_outlives_its_read(app, duck_copy, tmp_path):
    """An import changes the fact store, and the next run sees the new rows
    (within STORE_CHECK_SECONDS, here at once: the check is cleared as its
    time to live running out would); what was computed from the earlier
    read is never shown again."""
    from purpose_metrics.ui import state

    at = app(duck_copy)  # reads the database (week 2026-W25 on screen)
    at.selectbox(key="week").set_value("2026-W24").run()
    assert orders_card(at) == "12"
    # Another process adds two orders to ISO week 2026-W24 (12 orders so far).
    path = tmp_path / "orders.csv"
    path.write_text(
        ORDERS_HEADER
        + "990001,,alpine,2026-06-10 10:00:00,web,completed,1,10.0,0,0.0,,,,,,0.0,\n"
        + "990002,,hearth,2026-06-11 11:00:00,app,completed,1,12.0,0,0.0,,,,,,0.0,\n"
    )
    done = subprocess.run(
        [CONSOLE, "--db", duck_copy, "import", "orders", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    state._store_version.clear()  # its few seconds have passed
    at.run()
    assert not at.exception
    assert orders_card(at) == "14"
    # And when the read's time to live runs out, nothing older comes back.
    state._generation.clear()
    at.run()
    assert orders_card(at) == "14"


def test_reading_the_database_again_is_one_read(app, duck_copy, database_reads):
    """The generation key costs no extra reads: one page, one read."""
    at = app(duck_copy)
    at.selectbox(key="week").set_value("2026-W24").run()
    assert len(database_reads) == 1
