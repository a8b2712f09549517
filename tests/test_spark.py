"""Apache Spark as the database: a real cluster of two executor processes on
this machine (master local-cluster[2,1,1024]), started once for the module.
The worked example goes in through the CLI (`init`, `import FOLDER`:
validated by the importer, written as the warehouse's Parquet tables), and
Spark is read in pushdown mode, with the fact SQL carried to Spark SQL by
sqlglot. `kpis` (with and without filters), `cohorts` and `drivers` there
equal the in-memory path on DuckDB (the worked example imported as usual);
a bad file writes nothing; a missing warehouse and the URLs of this slice's
later parts are refused with one clear line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from compare import kpi_mismatches

from purpose_metrics import cli, db, reading
from purpose_metrics.contract import TABLES
from purpose_metrics.metrics import kpi_frame
from purpose_metrics.metrics.dataset import UNKNOWN, Filters
from purpose_metrics.periods import Periods

MASTER = "local-cluster[2,1,1024]"
KPI_KEY = ["metric_id", "scope", "period_start"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory, example_dir, example_templates) -> tuple[str, str]:
    """(the worked example in a Spark warehouse, loaded by the CLI; the
    worked example in a DuckDB file imported as usual)."""
    from purpose_metrics.spark.session import missing_reason

    reason = missing_reason()
    if reason is not None:  # (the conftest hook has already failed or skipped the test)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("spark")
    duck = example_templates.copy("duckdb", folder / "example.duckdb")
    url = f"spark+local://{folder / 'warehouse'}?database=example&master={MASTER}"
    assert cli.main(["--db", url, "init"]) == 0
    assert cli.main(["--db", url, "import", str(example_dir / "data")]) == 0
    return url, duck


pytestmark = pytest.mark.spark


def test_the_import_wrote_each_table_as_parquet_with_the_rows_of_the_files(spark_warehouse, example_dir):
    url, duck = spark_warehouse
    spark_counts = db.table_counts(db.make_engine(url))
    assert spark_counts == db.table_counts(db.make_engine(duck))
    assert spark_counts["orders"] == pl.read_csv(example_dir / "data" / "orders.csv").height > 0
    warehouse = Path(url.removeprefix("spark+local://").split("?")[0])
    for table in TABLES:  # Spark's layout: <warehouse>/<database>.db/<table>/part-*.parquet
        assert list((warehouse / "example.db" / table).glob("part-*.parquet")), table


def test_the_executors_are_separate_processes(spark_warehouse):
    from purpose_metrics.spark import session

    spark = session._SESSION
    assert spark.sparkContext.master == MASTER
    # Two executors besides the driver, each its own JVM on this machine.
    executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors == 3


PERIODS = [
    ("--week", "2026-W10"),
    ("--week", "2026-W25", "--brand", "alpine"),
    ("--from", "2025-01-01", "--to", "2026-01-01"),
]


def kpis(capsys, url: str, *args: str, mode: str | None = None) -> tuple[pl.DataFrame, str]:
    options = ["--mode", mode] if mode else []
    code, out, err = run(capsys, "--db", url, *options, "kpis", *args, "--format", "json")
    assert code == 0, err
    return pl.DataFrame(json.loads(out), infer_schema_length=None), err


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: " ".join(p))
def test_kpis_on_spark_equal_the_in_memory_path(spark_warehouse, capsys, period):
    url, duck = spark_warehouse
    expected, _ = kpis(capsys, duck, *period, mode="memory")
    got, err = kpis(capsys, url, *period, mode="pushdown")
    assert "spark is read in pushdown mode only" in err  # on stderr: stdout stays what scripts read
    assert got.height == expected.height > 0
    assert sorted(got.select(KPI_KEY).rows()) == sorted(expected.select(KPI_KEY).rows())
    assert kpi_mismatches(got, expected) == []


def test_another_process_reads_the_tables_from_the_warehouse_folder(spark_warehouse, capsys):
    """Spark's catalog lives in each process: a new one (a command, the
    dashboard) finds the database and its tables in the folder."""
    url, _ = spark_warehouse
    expected, _ = kpis(capsys, url, "--week", "2026-W10", mode="pushdown")
    other = url.replace(f"&master={MASTER}", "")  # local[2]: threads of that process
    done = subprocess.run(
        [sys.executable, "-m", "purpose_metrics.cli", "--db", other, "kpis", "--week", "2026-W10", "--format",
         "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = pl.DataFrame(json.loads(done.stdout), infer_schema_length=None)
    assert got.height == expected.height > 0
    assert kpi_mismatches(got, expected) == []


def test_auto_mode_reads_spark_in_pushdown(spark_warehouse):
    url, _ = spark_warehouse
    assert reading.load_dataset(db.make_engine(url)).source.name == "pushdown"


@pytest.mark.parametrize(
    "filters",
    [
        Filters(channel=("web",), segment=("new", "loyal")),
        Filters(region=("north", UNKNOWN), customer_purpose=("replace", UNKNOWN)),
    ],
    ids=["channel+segment", "region+purpose with unknown"],
)
def test_filtered_kpis_on_spark_equal_the_in_memory_path(spark_warehouse, filters):
    url, duck = spark_warehouse
    quarter = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    memory = reading.load_dataset(db.make_engine(duck), mode="memory")
    pushed = reading.load_dataset(db.make_engine(url), mode="pushdown")
    a, b = kpi_frame(memory, quarter, filters=filters), kpi_frame(pushed, quarter, filters=filters)
    assert a.height == b.height > 0
    assert a.filter(pl.col("value").is_not_null()).height > 0
    assert kpi_mismatches(a, b) == []


@pytest.mark.parametrize(
    "command",
    [("cohorts", "--grain", "week"), ("cohorts", "--grain", "month"), ("drivers", "--week", "2026-W10")],
    ids=" ".join,
)
def test_cohorts_and_drivers_on_spark_equal_the_in_memory_path(spark_warehouse, capsys, command):
    url, duck = spark_warehouse
    code, expected, _ = run(capsys, "--db", duck, "--mode", "memory", *command)
    assert code == 0
    code, got, err = run(capsys, "--db", url, *command)
    assert code == 0, err
    assert got == expected
    assert len(got.splitlines()) > 10


def test_a_bad_file_is_refused_with_its_rule_and_nothing_is_written(
    spark_warehouse, example_dir, capsys, tmp_path
):
    url, _ = spark_warehouse
    before = db.table_counts(db.make_engine(url))
    folder = tmp_path / "bad"
    shutil.copytree(example_dir / "data", folder)
    customers = pl.read_csv(folder / "customers.csv", infer_schema_length=0)
    customers = customers.with_columns(pl.lit("not-a-number").alias("customer_id"))
    customers.write_csv(folder / "customers.csv")
    code, out, err = run(capsys, "--db", url, "import", str(folder))
    assert code == 2
    assert "customers" in err and "customer_id" in err
    assert "Traceback" not in err
    assert db.table_counts(db.make_engine(url)) == before


def test_a_missing_warehouse_is_one_clear_line(spark_warehouse, capsys, tmp_path):
    url = f"spark+local://{tmp_path / 'nowhere'}?database=example&master={MASTER}"
    code, _, err = run(capsys, "--db", url, "kpis", "--week", "2026-W10")
    assert code == 1
    assert f"there is no Spark warehouse at {tmp_path / 'nowhere'}: create it with" in err
    assert "`purpose-metrics init`" in err and "Traceback" not in err
    assert not (tmp_path / "nowhere").exists()  # reading created nothing


@pytest.mark.parametrize("url", ["spark://127.0.0.1:7077", "sc://127.0.0.1:15002"])
def test_cluster_and_connect_urls_are_refused_until_they_are_supported(url, capsys):
    code, _, err = run(capsys, "--db", url, "kpis", "--week", "2026-W10")
    assert code == 1
    assert "are not supported yet: use spark+local:///ABS/PATH/warehouse?database=NAME" in err
    assert "Traceback" not in err


def test_other_writes_say_what_writes_on_spark(spark_warehouse, capsys, example_dir):
    url, _ = spark_warehouse
    before = db.table_counts(db.make_engine(url))
    # (refresh builds the customers' history on Spark: tests/test_spark_history.py)
    for args in (["import", "brands", str(example_dir / "data" / "brands.csv")],):
        code, _, err = run(capsys, "--db", url, *args)
        assert code in (1, 2), err
        assert "on Spark" in err and "import FOLDER" in err and "Traceback" not in err
    assert db.table_counts(db.make_engine(url)) == before
