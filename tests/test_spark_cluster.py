"""Apache Spark on a standalone cluster: `spark://HOST:PORT?warehouse=...`.

A real cluster, started once for the module with pyspark's own launcher: a
master and two workers (one core, 1 GB each), separate JVMs on this
machine; the driver is this process. The worked example goes in through
the CLI (`init`, `import FOLDER`), written by the executors on the workers
into the warehouse folder, and `kpis` (with and without filters) and
`cohorts` read there equal the in-memory path on DuckDB. The cluster's processes are all gone at the end
(the fixture checks each process group)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from compare import assert_same_kpis, assert_same_output, run
from sparkcheck import FILTERS, PERIODS, StandaloneCluster, assert_same_filtered_kpis, load_example

from purpose_metrics import db

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[StandaloneCluster]:
    from purpose_metrics.spark import session

    if session.missing_reason() is not None:  # (the conftest hook has already failed or skipped the test)
        pytest.skip(session.missing_reason())
    spark = StandaloneCluster(tmp_path_factory.mktemp("cluster"))
    try:
        spark.up(workers=2)
        yield spark
    finally:
        session.stop()  # the driver leaves the cluster first
        spark.stop()


@pytest.fixture(scope="module")
def cluster_warehouse(cluster, tmp_path_factory, example_dir, example_templates) -> tuple[str, str, Path]:
    """(the worked example in a warehouse written by the cluster; the same in
    DuckDB, imported as usual; the warehouse folder)."""
    folder = tmp_path_factory.mktemp("cluster-warehouse")
    warehouse = folder / "warehouse"
    duck = example_templates.copy("duckdb", folder / "example.duckdb")
    url = f"{cluster.url}?warehouse={warehouse}&database=example&spark.executor.memory=512m"
    load_example(url, example_dir)
    return url, duck, warehouse


def test_the_work_runs_on_two_workers_of_the_cluster(cluster_warehouse, cluster):
    from purpose_metrics.spark import session

    context = session._SESSION.sparkContext
    assert context.master == cluster.url
    # The driver and one executor on each worker (each its own JVM).
    assert context._jsc.sc().getExecutorMemoryStatus().size() == 3
    assert context.getConf().get("spark.executor.memory") == "512m"  # the URL's spark.* setting


def test_the_import_wrote_the_tables_into_the_warehouse_and_left_no_scratch(cluster_warehouse):
    url, duck, warehouse = cluster_warehouse
    assert db.table_counts(db.make_engine(url)) == db.table_counts(db.make_engine(duck))
    assert list((warehouse / "example.db" / "orders").glob("part-*.parquet"))
    assert [p.name for p in warehouse.iterdir()] == ["example.db"]  # the load's scratch folder is gone


def test_a_year_of_kpis_on_the_cluster_equals_the_in_memory_path(cluster_warehouse, capsys):
    """(Weeks and a brand's scope are compared on a local master: test_spark.py.)"""
    url, duck, _ = cluster_warehouse
    assert_same_kpis(capsys, url, duck, PERIODS[2])


def test_filtered_kpis_on_the_cluster_equal_the_in_memory_path(cluster_warehouse):
    url, duck, _ = cluster_warehouse
    assert_same_filtered_kpis(url, duck, FILTERS["channel+segment"])


def test_cohorts_on_the_cluster_equal_the_in_memory_path(cluster_warehouse, capsys):
    url, duck, _ = cluster_warehouse
    assert_same_output(capsys, url, duck, ("cohorts", "--grain", "month"))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("spark://127.0.0.1:7077/srv/warehouse", "names its warehouse as a parameter, not a path"),
        ("spark://127.0.0.1:7077?database=example", "names the warehouse folder that its workers see too"),
        ("spark://127.0.0.1:7077?warehouse=srv/warehouse", "is not an absolute path"),
        ("spark://127.0.0.1:7077?warehouse=/srv&master=local", "takes database=, warehouse= and spark.*"),
        ("spark://127.0.0.1:7077?warehouse=/srv&spark.master=local", "sets spark.master itself"),
    ],
)
def test_a_wrong_cluster_url_is_one_clear_line(capsys, url, says):
    code, _, err = run(capsys, "--db", url, "kpis", "--week", "2026-W10")
    assert code == 1
    assert says in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2  # (the engine's note, then the error)
