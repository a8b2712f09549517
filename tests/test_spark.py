"""Apache Spark as the database: a session of this process (master
local[2]), started once for the module; the real clusters (a standalone
master and two workers, Spark Connect) have modules of their own,
test_spark_cluster.py and test_spark_connect.py, which repeat the central
checks there, and the order history this import keeps is checked in
test_spark_history.py (kpis under filters, drivers).
The worked example goes in through the CLI (`init`, `import FOLDER`:
validated by the importer, written as the warehouse's Parquet tables), and
Spark is read in pushdown mode, with the fact SQL carried to Spark SQL by
sqlglot. `kpis` and `cohorts` there equal the in-memory path on DuckDB (the
worked example imported as usual); so do `kpis` (with and without filters)
and `cohorts` on the generator's data (two years, every table of the
contract, every metric with a value); a bad file writes nothing; a missing
warehouse is refused with one clear line."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from compare import assert_same_kpis, assert_same_output, kpi_mismatches, kpis, run
from sparkcheck import (
    PERIODS,
    assert_same_filtered_kpis,
    kpis_in_another_process,
    load_example,
    load_folder,
)

from purpose_metrics import db, dburl, reading
from purpose_metrics.catalog import METRIC_IDS
from purpose_metrics.contract import TABLES
from purpose_metrics.generate import generate
from purpose_metrics.metrics.dataset import UNKNOWN, Filters

MASTER = "local[2]"


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory, example_dir, example_templates) -> Iterator[tuple[str, str]]:
    """(the worked example in a Spark warehouse, loaded by the CLI; the
    worked example in a DuckDB file imported as usual)."""
    from purpose_metrics.spark import session

    reason = session.missing_reason()
    if reason is not None:  # (the conftest hook has already failed or skipped the test)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("spark")
    duck = example_templates.copy("duckdb", folder / "example.duckdb")
    url = f"spark+local://{folder / 'warehouse'}?database=example&master={MASTER}"
    try:
        load_example(url, example_dir)
        yield url, duck
    finally:
        session.stop()  # the local cluster too: the next module starts its own


pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


def test_the_import_wrote_each_table_as_parquet_with_the_rows_of_the_files(spark_warehouse, example_dir):
    url, duck = spark_warehouse
    spark_counts = db.table_counts(db.make_engine(url))
    assert spark_counts == db.table_counts(db.make_engine(duck))
    assert spark_counts["orders"] == pl.read_csv(example_dir / "data" / "orders.csv").height > 0
    warehouse = _warehouse(url)
    for table in TABLES:  # Spark's layout: <warehouse>/<database>.db/<table>/part-*.parquet
        assert list((warehouse / "example.db" / table).glob("part-*.parquet")), table


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: " ".join(p))
def test_kpis_on_spark_equal_the_in_memory_path(spark_warehouse, capsys, period):
    url, duck = spark_warehouse
    err = assert_same_kpis(capsys, url, duck, period)
    assert "spark is read in pushdown mode only" in err  # on stderr: stdout stays what scripts read


def test_another_process_reads_the_tables_from_the_warehouse_folder(spark_warehouse, capsys):
    """Spark's catalog lives in each process: a new one (a command, the
    dashboard) finds the database and its tables in the folder. Its stderr
    holds only its own lines: the JVM's banner and warnings go to a file."""
    url, _ = spark_warehouse
    expected, _ = kpis(capsys, url, "--week", "2026-W10", mode="pushdown")
    other = url.replace(f"&master={MASTER}", "")  # local[2]: threads of that process
    got, err = kpis_in_another_process(other, "--week", "2026-W10")
    assert err.splitlines() == [f"purpose-metrics: warning: {db.unverified_note('spark')}"]
    assert got.height == expected.height > 0
    assert kpi_mismatches(got, expected) == []


def test_auto_mode_reads_spark_in_pushdown(spark_warehouse):
    url, _ = spark_warehouse
    assert reading.load_dataset(db.make_engine(url)).source.name == "pushdown"


# (kpis under filters and drivers on this example: test_spark_history.py,
# with the history this import kept and without it.)
@pytest.mark.parametrize("grain", ["week", "month"])
def test_cohorts_on_spark_equal_the_in_memory_path(spark_warehouse, capsys, grain):
    url, duck = spark_warehouse
    assert_same_output(capsys, url, duck, ("cohorts", "--grain", grain))


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


def write_like_spark(frame: pl.DataFrame, folder: Path) -> None:
    """A table's folder as Spark lays it out (part files and _SUCCESS), written by Polars."""
    folder.mkdir(parents=True)
    frame.write_parquet(folder / "part-00000-polars.snappy.parquet")
    (folder / "_SUCCESS").touch()


@pytest.fixture(scope="module")
def other_tools(spark_warehouse, tmp_path_factory) -> str:
    """The worked example in a database of the warehouse that our importer
    did not write: each table a folder of Parquet files that Polars wrote in
    Spark's layout (timestamps without a zone, read by Spark as
    TIMESTAMP_NTZ), but the orders, which a Spark job wrote with its own
    Parquet writer. Returns its URL."""
    url, duck = spark_warehouse
    location = _warehouse(url) / "others.db"
    source = db.make_engine(duck)
    for table in TABLES:
        if table != "orders":
            write_like_spark(db.read_table(source, table), location / table)
    staged = tmp_path_factory.mktemp("orders") / "orders.parquet"
    db.read_table(source, "orders").write_parquet(staged)
    raw = db.make_engine(url).raw_connection()
    raw.dbapi_connection.spark.read.parquet(str(staged)).write.parquet(str(location / "orders"))
    raw.close()
    return url.replace("database=example", "database=others")


def _warehouse(url: str) -> Path:
    return Path(url.removeprefix("spark+local://").split("?")[0])


def test_tables_written_by_other_tools_are_read(other_tools, spark_warehouse, capsys):
    _, duck = spark_warehouse
    assert_same_kpis(capsys, other_tools, duck, PERIODS[0])
    assert_same_output(capsys, other_tools, duck, ("cohorts", "--grain", "week"))


def test_a_missing_contract_table_or_column_is_one_line(other_tools, spark_warehouse, capsys):
    """A database that lacks a table of the contract (support_tickets) and a
    column (orders.channel): what it lacks, in one line, exit 2."""
    _, duck = spark_warehouse
    others = _warehouse(other_tools) / "others.db"
    lacking = others.parent / "lacking.db"
    shutil.copytree(others, lacking, ignore=shutil.ignore_patterns("support_tickets", "orders"))
    write_like_spark(db.read_table(db.make_engine(duck), "orders").drop("channel"), lacking / "orders")
    url = other_tools.replace("database=others", "database=lacking")
    code, out, err = run(capsys, "--db", url, "kpis", "--week", "2026-W10")
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if "warning:" not in line]
    assert lines == [
        f"purpose-metrics: the Spark database lacking (the Spark warehouse at {_warehouse(url)}) does not hold "
        "the data contract: orders has no column channel; no table support_tickets (`purpose-metrics init` and "
        "`import FOLDER` write its tables)"
    ]


def test_a_missing_warehouse_is_one_clear_line(spark_warehouse, capsys, tmp_path):
    url = f"spark+local://{tmp_path / 'nowhere'}?database=example&master={MASTER}"
    code, _, err = run(capsys, "--db", url, "kpis", "--week", "2026-W10")
    assert code == 1
    assert f"there is no Spark warehouse at {tmp_path / 'nowhere'}: create it with" in err
    assert "`purpose-metrics init`" in err and "Traceback" not in err
    assert not (tmp_path / "nowhere").exists()  # reading created nothing


def test_other_writes_say_what_writes_on_spark(spark_warehouse, capsys, example_dir):
    url, _ = spark_warehouse
    before = db.table_counts(db.make_engine(url))
    # (refresh builds the customers' history on Spark: tests/test_spark_history.py)
    for args in (["import", "brands", str(example_dir / "data" / "brands.csv")],):
        code, _, err = run(capsys, "--db", url, *args)
        assert code in (1, 2), err
        assert "on Spark" in err and "import FOLDER" in err and "Traceback" not in err
    assert db.table_counts(db.make_engine(url)) == before


# The generator's second data set: two years of orders before its end (a
# Monday, 2026-11-23) by every brand, with every table of the contract.
GENERATED_ORDERS = 3_000
GENERATED_PERIODS = [
    ("--from", "2025-06-01", "--to", "2026-06-01"),  # (mature: repurchase_90d has its 90 days)
    ("--week", "2026-W47", "--brand", "gala"),
]


@pytest.fixture(scope="module")
def generated(spark_warehouse, tmp_path_factory) -> tuple[str, str]:
    """(the generator's data in a second database of the warehouse, the same
    files imported into a DuckDB file), both through the CLI."""
    url, _ = spark_warehouse
    folder = tmp_path_factory.mktemp("generated")
    generate(folder / "files", orders=GENERATED_ORDERS, seed=5)
    on_spark = url.replace("database=example", "database=generated")
    duck = f"duckdb:///{folder / 'generated.duckdb'}"
    for target in (on_spark, duck):
        load_folder(target, folder / "files")
    return on_spark, duck


@pytest.mark.parametrize("period", GENERATED_PERIODS, ids=lambda p: " ".join(p))
def test_kpis_on_generated_data_equal_the_in_memory_path_metric_by_metric(generated, capsys, period):
    on_spark, duck = generated
    assert_same_kpis(capsys, on_spark, duck, period)
    if period[0] == "--from":  # a year of generated data gives every metric a value
        got, _ = kpis(capsys, on_spark, *period, mode="pushdown")
        valued = set(got.filter(pl.col("value").is_not_null())["metric_id"])
        assert valued == set(METRIC_IDS)


def test_filtered_kpis_and_cohorts_on_generated_data_equal_the_in_memory_path(generated, capsys):
    on_spark, duck = generated
    filters = Filters(
        channel=("web", "app"), region=("north", UNKNOWN), customer_purpose=("replace", UNKNOWN)
    )
    assert_same_filtered_kpis(on_spark, duck, filters)
    assert_same_output(capsys, on_spark, duck, ("cohorts", "--grain", "month"))


# Every page: This week (the router's default) and the others.
PAGES = [None, "brands", "loyalty", "customer_purpose", "drivers", "people", "impact", "data"]
DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard.py"


def page_text(url: str, page: str | None, monkeypatch) -> tuple[list[str], str]:
    """(what the page's main area says, in order; what its sidebar says),
    the page opened by AppTest on the latest whole week of the data at `url`."""
    from streamlit.testing.v1 import AppTest

    from purpose_metrics.ui import state

    monkeypatch.setenv(dburl.ENV_URL, url)
    monkeypatch.setenv(state.ENV_DEFAULT_WEEK, "complete")
    at = AppTest.from_file(str(DASHBOARD), default_timeout=300).run()
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    main = at.main
    said = [str(m.value) for m in main.markdown] + [str(c.value) for c in main.caption]
    said += [f"{m.label}={m.value}" for m in main.metric]
    for kind in ("title", "header", "subheader", "info", "warning", "error", "success"):
        said += [str(e.value) for e in main.get(kind)]
    return said, "\n".join(str(c.value) for c in at.sidebar.caption)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "this_week")
def test_every_page_on_spark_says_what_it_says_on_duckdb(spark_warehouse, page, monkeypatch):
    """Every card, chart, table and sentence of the page's main area (the
    charts as their server-drawn SVG) equals the same page on the worked
    example in DuckDB; but the Data page's line naming the database."""
    url, duck = spark_warehouse
    on_spark, sidebar = page_text(url, page, monkeypatch)
    on_duckdb, _ = page_text(duck, page, monkeypatch)
    if page == "data":
        differ = [(a, b) for a, b in zip(on_spark, on_duckdb, strict=True) if a != b]
        assert differ == [(f"Database: `{dburl.safe_url(url)}` (from {dburl.ENV_URL})",
                           f"Database: `{duck}` (from {dburl.ENV_URL})")]  # fmt: skip
    else:
        assert on_spark == on_duckdb
    assert len(on_spark) > 8
    assert "Computed in the database (pushdown: no fact store is kept on this engine)" in sidebar
    assert (
        "Spark: its numbers, pages and board pack are checked here against DuckDB; chart exports and "
        "subscriptions are not"
    ) in sidebar


def slides(path: Path) -> list[list[str]]:
    """Each slide of a pack: its text, its tables' cells and its charts'
    categories and numbers (to nine significant digits), in order."""
    from pptx import Presentation

    out = []
    for slide in Presentation(str(path)).slides:
        said: list[str] = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                said.append(shape.text_frame.text)
            if shape.has_table:
                said += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                for plot in shape.chart.plots:
                    said += [str(c) for c in plot.categories]
                    said += [
                        f"{s.name}: {[v if v is None else f'{v:.9g}' for v in s.values]}" for s in plot.series
                    ]
        out.append(said)
    return out


def test_the_board_pack_on_spark_is_the_one_duckdb_makes(spark_warehouse, tmp_path, capsys):
    url, duck = spark_warehouse
    packs = {}
    for name, at in (("spark", url), ("duckdb", duck)):
        packs[name] = tmp_path / f"{name}.pptx"
        code, _, err = run(capsys, "--db", at, "deck", "--week", "2026-W25", "--out", str(packs[name]))
        assert code == 0, err
    on_spark, on_duckdb = slides(packs["spark"]), slides(packs["duckdb"])
    assert len(on_spark) == len(on_duckdb) > 5
    assert sum(": [" in said for slide in on_spark for said in slide) > 5  # the charts' numbers are compared
    assert on_spark == on_duckdb
