"""The customers' order history Spark keeps (spark/history.py): the import
of the worked example builds order_history in the warehouse, equal row for
row to the fact store's on DuckDB; pushdown reads it (no window over the
order book) and its kpis and drivers equal the in-memory path; an import replacing the
orders rebuilds it under a new marker; without the marker reads fall back
to the window query with the same numbers; `refresh` builds it.

One Spark session per process: a test process that already runs Spark
lends its master and warehouse, and this module's tables go to a database
of their own there; the Spark modules run one after the other on one test
worker (xdist_group "spark"), and each stops the session it leaves."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from compare import kpi_mismatches, kpis, run

from purpose_metrics import db, output, reading
from purpose_metrics.metrics import driver_frame, kpi_frame
from purpose_metrics.metrics.dataset import UNKNOWN, Filters
from purpose_metrics.periods import Periods
from purpose_metrics.sources import pushdown
from purpose_metrics.spark import history

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

QUARTER = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
WEEK = Periods.week("2026-W10")
FILTERS = [
    Filters(region=("north", UNKNOWN), customer_purpose=("replace", UNKNOWN)),
    Filters(channel=("web",), segment=("new", "loyal")),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, example_dir, example_templates) -> Iterator[tuple[str, str, Path]]:
    """(a Spark URL holding the worked example, imported by the CLI; the
    worked example on DuckDB with its fact store; the folder of the Spark
    database's tables)."""
    from purpose_metrics.spark import session

    reason = session.missing_reason()
    if reason is not None:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("spark_history")
    master, where = (session._STARTED or ("local[2]", folder / "warehouse"))[:2]
    duck = example_templates.copy("duckdb", folder / "example.duckdb")
    url = f"spark+local://{where}?database=history&master={master}"
    try:
        assert run_ok(url, "init") and run_ok(url, "import", str(example_dir / "data"))
        yield url, duck, Path(where) / "history.db"
    finally:
        session.stop()  # the next module starts its own


def run_ok(url: str, *args: str) -> bool:
    from purpose_metrics import cli

    return cli.main(["--db", url, *args]) == 0


def rows(url: str, sql: str) -> pl.DataFrame:
    with db.make_engine(url).connect() as conn:
        return db.fetch_sql(conn, sql, {})


def stored_history(url: str) -> pl.DataFrame:
    """order_history by order, columns by name, sums to the cent's millionth."""
    frame = rows(url, "SELECT * FROM order_history")
    frame = frame.select(sorted(frame.columns)).sort("order_id")
    return frame.with_columns(pl.col(pl.Float64).round(6), pl.col(pl.Int32, pl.Int16, pl.Int8).cast(pl.Int64))


def marker(location: Path) -> dict:
    return json.loads((location / "order_history" / history.MARKER).read_text())


def current(url: str) -> bool:
    with db.make_engine(url).connect() as conn:
        return pushdown.history_is_current(conn)


def watched(url: str) -> tuple[sa.Engine, list[str]]:
    """An engine on `url`, and the list of the statements it runs."""
    engine = db.make_engine(url)
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return engine, seen


def kpis_and_statements(url: str, filters: Filters) -> tuple[pl.DataFrame, list[str]]:
    """kpi_frame of the quarter in pushdown mode, and the statements Spark ran for it."""
    engine, seen = watched(url)
    return kpi_frame(reading.load_dataset(engine, mode="pushdown"), QUARTER, filters=filters), seen


def drivers_and_statements(url: str) -> tuple[str, list[str]]:
    """The drivers of a week as the CLI prints them (pushdown), and the statements Spark ran."""
    engine, seen = watched(url)
    frame = driver_frame(reading.load_dataset(engine, mode="pushdown", read_large=False), WEEK)
    return output.render(frame, "drivers", "csv"), seen


def memory_drivers(duck: str) -> str:
    return output.render(
        driver_frame(reading.load_dataset(db.make_engine(duck), mode="memory"), WEEK), "drivers", "csv"
    )


def reads_the_history(statements: list[str]) -> bool:
    """The customer facts joined the table (and sorted no order book by LEAD)."""
    facts = [s for s in statements if "repurchased_c" in s]
    assert facts, "no customer facts were read"
    return all("order_history" in s and "LEAD(" not in s.upper() for s in facts)


def test_the_import_built_order_history_equal_to_the_fact_stores(warehouse):
    url, duck, location = warehouse
    got, expected = stored_history(url), stored_history(duck)
    assert got.columns == expected.columns
    assert got.height == expected.height > 500
    assert got.equals(expected)
    assert set(marker(location)["built_from"]) == set(history.SOURCES)


@pytest.mark.parametrize("filters", FILTERS, ids=["region+purpose with unknown", "channel+segment"])
def test_kpis_read_the_kept_history_and_equal_the_in_memory_path(warehouse, filters):
    url, duck, _ = warehouse
    assert current(url)
    got, statements = kpis_and_statements(url, filters)
    assert reads_the_history(statements)
    expected = kpi_frame(reading.load_dataset(db.make_engine(duck), mode="memory"), QUARTER, filters=filters)
    assert got.height == expected.height > 0
    assert got.filter(pl.col("value").is_not_null()).height > 0
    assert kpi_mismatches(got, expected) == []


def test_drivers_count_from_the_kept_history_and_equal_the_in_memory_path(warehouse):
    url, duck, _ = warehouse
    got, statements = drivers_and_statements(url)
    assert any("revenue_90d_c" in s for s in statements)  # sql/drivers/stored_counts.sql
    assert got == memory_drivers(duck)
    assert len(got.splitlines()) > 10


def test_without_the_marker_reads_fall_back_to_the_window_query(warehouse, capsys):
    url, duck, location = warehouse
    kept = location / "order_history" / history.MARKER
    aside = kept.with_name("_aside.json")
    kept.rename(aside)
    try:
        assert not current(url)
        got, statements = kpis_and_statements(url, Filters())
        assert not reads_the_history(statements)
        expected = kpi_frame(reading.load_dataset(db.make_engine(duck), mode="memory"), QUARTER)
        assert kpi_mismatches(got, expected) == []
        drivers, statements = drivers_and_statements(url)
        assert not any("revenue_90d_c" in s for s in statements)  # from the tables: drivers/counts.sql
        assert drivers == memory_drivers(duck)
        # `refresh` builds it for tables loaded by other means, and says so.
        code, out, err = run(capsys, "--db", url, "refresh")
        assert code == 0, err
        assert f"built order_history on Spark ({stored_history(duck).height:,} completed orders" in out
        assert current(url)
    finally:
        aside.unlink(missing_ok=True)


def test_an_import_replacing_the_orders_rebuilds_the_history(warehouse, example_dir, tmp_path, capsys):
    url, _, location = warehouse
    before = marker(location)
    folder = tmp_path / "data"
    folder.mkdir()
    for table in ("brands", "customers", "orders"):  # the orders and what they reference
        shutil.copy(example_dir / "data" / f"{table}.csv", folder)
    orders = pl.read_csv(folder / "orders.csv", infer_schema_length=0)
    # The first completed order of the customer with the most of them is cancelled.
    completed = orders.filter((pl.col("status") == "completed") & pl.col("customer_id").is_not_null())
    busiest = completed.group_by("customer_id").len().sort(["len", "customer_id"], descending=True)[0, 0]
    first = completed.filter(pl.col("customer_id") == busiest).sort("ordered_at", "order_id")[0, "order_id"]
    orders = orders.with_columns(
        status=pl.when(pl.col("order_id") == first).then(pl.lit("cancelled")).otherwise("status")
    )
    orders.write_csv(folder / "orders.csv")
    old = stored_history(url)
    code, out, err = run(capsys, "--db", url, "import", str(folder))
    assert code == 0, err
    after = marker(location)
    assert after["built_from"]["orders"] != before["built_from"]["orders"]
    assert after["history"] != before["history"]
    assert current(url)
    new = stored_history(url)
    assert new.height == old.height - 1
    assert int(first) not in new["order_id"].to_list()
    # The customer's next order is now their first, in the company.
    theirs = new.filter(pl.col("customer_id") == int(busiest)).sort("seq_c")
    assert theirs["seq_c"].to_list() == list(range(1, theirs.height + 1))
    assert theirs["prev_at_c"][0] is None
    assert kpis(capsys, url, "--week", "2025-W40", mode="pushdown")[0].height > 0
