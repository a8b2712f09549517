"""Apache Spark through Spark Connect: `sc://HOST:PORT?database=NAME`.

A real Spark Connect server, started once for the module with pyspark's own
launcher (master local[2], a bearer token required, its JVM in another time
zone than UTC); this process is only its client. The worked example goes in
through the CLI (`init`, `import FOLDER`: validated here, sent to the
server as Arrow, kept as the server's tables), and `kpis` and `cohorts`
there equal the in-memory path on DuckDB. A table set that plain pyspark
wrote into the server's catalog (saveAsTable), not our importer, is read as
an existing catalog, named with its catalog (`spark_catalog.NAME`), and is
read again after another client replaced a table under the session."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest
from compare import assert_same_kpis, assert_same_output, kpi_mismatches, kpis, run
from sparkcheck import PERIODS, ConnectServer, free_port, kpis_in_another_process, load_example

from purpose_metrics import db
from purpose_metrics.contract import TABLES

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
TOKEN = "pm-test-token-5b1f"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ConnectServer]:
    from purpose_metrics.spark import session

    reason = session.missing_reason() or session.missing_reason(connect=True)
    if reason is not None:  # (the conftest hook has already failed or skipped the test)
        pytest.skip(reason)
    spark = ConnectServer(tmp_path_factory.mktemp("connect"), TOKEN)
    try:
        spark.up()
        yield spark
    finally:
        session.stop()  # this process's sessions of the server
        spark.stop()


@pytest.fixture(scope="module")
def imported(server, tmp_path_factory, example_dir, example_templates) -> tuple[str, str]:
    """(the worked example imported through the server by the CLI; the same in DuckDB)."""
    duck = example_templates.copy("duckdb", tmp_path_factory.mktemp("connect-duck") / "example.duckdb")
    url = server.url("example")
    load_example(url, example_dir)
    return url, duck


def plain_pyspark(server: ConnectServer):
    """A Spark Connect session of pyspark's own, as another tool holds one."""
    from pyspark.sql.connect.session import SparkSession

    return SparkSession.builder.remote(f"sc://localhost:{server.port}/;token={server.token}").create()


@pytest.fixture(scope="module")
def existing(server, imported) -> str:
    """The worked example written into the server's catalog by plain
    pyspark (saveAsTable of the contract's frames): the URL of that
    database, named with its catalog. The instants go as UTC ones: pyspark
    reads a naive datetime in the writing session's zone (the server's New
    York here), which would move every order by five hours."""
    _, duck = imported
    spark = plain_pyspark(server)
    source = db.make_engine(duck)
    spark.sql("CREATE DATABASE existing").collect()
    for table in TABLES:
        frame = db.read_table(source, table).with_columns(pl.col(pl.Datetime).dt.replace_time_zone("UTC"))
        rows = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
        spark.createDataFrame(rows).write.saveAsTable(f"existing.{table}")
    spark.stop()
    source.dispose()
    return server.url("spark_catalog.existing")


def test_the_import_made_the_servers_tables(imported, server):
    url, duck = imported
    assert db.table_counts(db.make_engine(url)) == db.table_counts(db.make_engine(duck))
    # The server's own managed tables, in its warehouse; no staging table left.
    assert sorted(p.name for p in (server.warehouse / "example.db").iterdir()) == sorted(TABLES)
    assert list((server.warehouse / "example.db" / "orders").glob("part-*.parquet"))


def test_a_brands_week_of_kpis_through_spark_connect_equals_the_in_memory_path(imported, capsys):
    """(The company's week: the next test, in a process of its own.)"""
    url, duck = imported
    err = assert_same_kpis(capsys, url, duck, PERIODS[1])
    assert TOKEN not in err


def test_a_command_through_spark_connect_writes_only_its_own_lines_on_stderr(imported, capsys):
    url, duck = imported
    expected, _ = kpis(capsys, duck, "--week", "2026-W10", mode="memory")
    got, err = kpis_in_another_process(url, "--week", "2026-W10")
    assert err.splitlines() == [f"purpose-metrics: warning: {db.unverified_note('spark')}"]
    assert got.height == expected.height > 0
    assert kpi_mismatches(got, expected) == []


def test_cohorts_through_spark_connect_equal_the_in_memory_path(imported, capsys):
    url, duck = imported
    assert_same_output(capsys, url, duck, ("cohorts", "--grain", "month"))


def test_a_catalog_written_by_other_tools_is_read(existing, imported, capsys, server):
    _, duck = imported
    assert_same_kpis(capsys, existing, duck, PERIODS[2])
    # Another client replaces the orders under this process's session (its
    # file listing goes stale): the next read runs on a new session.
    spark = plain_pyspark(server)
    spark.table("existing.orders").write.saveAsTable("existing.orders_copy")
    spark.sql("DROP TABLE existing.orders").collect()
    spark.sql("ALTER TABLE existing.orders_copy RENAME TO existing.orders").collect()
    spark.stop()
    assert_same_kpis(capsys, existing, duck, PERIODS[2])


def test_a_catalog_lacking_a_contract_column_is_one_line(existing, server, capsys):
    spark = plain_pyspark(server)
    spark.sql("CREATE DATABASE lacking").collect()
    spark.sql("CREATE TABLE lacking.orders AS SELECT * EXCEPT (channel) FROM existing.orders").collect()
    spark.stop()
    code, out, err = run(capsys, "--db", server.url("lacking"), "kpis", "--week", "2026-W10")
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if "warning:" not in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(
        f"purpose-metrics: the Spark database lacking (the Spark Connect server at localhost:{server.port}) "
        "does not hold the data contract: no table company; no table brands; no table customers; orders has no "
        "column channel; no table customer_surveys"
    )


def test_a_session_the_server_dropped_is_replaced(imported, capsys):
    """The server forgets sessions (a restart, its idle timeout): the next
    statement runs on a new one."""
    url, duck = imported
    engine = db.make_engine(url)
    raw = engine.raw_connection()
    dropped = raw.dbapi_connection.spark
    dropped.client.release_session()  # as the server does to a session it times out
    raw.close()
    assert_same_output(capsys, url, duck, ("cohorts", "--grain", "month"))
    raw = engine.raw_connection()
    assert raw.dbapi_connection.spark is not dropped
    raw.close()


def test_the_order_history_is_not_kept_through_spark_connect(imported, capsys):
    url, _ = imported
    code, out, err = run(capsys, "--db", url, "refresh")
    assert code == 1 and out == ""
    assert "order_history is not kept through Spark Connect" in err and "Traceback" not in err


def test_a_missing_database_is_one_clear_line_and_reading_creates_nothing(server, imported, capsys):
    code, out, err = run(capsys, "--db", server.url("nowhere"), "kpis", "--week", "2026-W10")
    assert code == 1 and out == ""
    assert (
        f"there is no database nowhere on the Spark Connect server at localhost:{server.port}: "
        "create it with `purpose-metrics init`"
    ) in err
    assert "Traceback" not in err
    spark = plain_pyspark(server)
    assert "nowhere" not in {r[0] for r in spark.sql("SHOW DATABASES").collect()}
    spark.stop()


def test_a_wrong_token_is_refused_in_one_line_that_does_not_show_it(server, capsys):
    code, _, err = run(
        capsys, "--db", server.url("example", token="wrong-token"), "kpis", "--week", "2026-W10"
    )
    assert code == 1
    lines = [line for line in err.splitlines() if "warning:" not in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"the Spark Connect server at localhost:{server.port}" in lines[0]
    assert "wrong-token" not in err


def test_no_server_is_one_clear_line(capsys):
    url = f"sc://127.0.0.1:{free_port()}?database=example"
    code, _, err = run(capsys, "--db", url, "kpis", "--week", "2026-W10")
    assert code == 1
    assert "cannot reach the Spark Connect server at 127.0.0.1:" in err and "Traceback" not in err
