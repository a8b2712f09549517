"""Any other SQLAlchemy engine, read in pushdown mode: MariaDB (the server at
127.0.0.1:3306, through PyMySQL) is a real engine not verified here. The
worked example is loaded into it by other means (the contract's tables made
and filled through SQLAlchemy, as a warehouse's own loading job would), and
`kpis`, `cohorts` and `drivers` there equal DuckDB's, with the SQL carried
over by sqlglot; the CLI and the sidebar say the engine is not verified;
other modes and every write are refused with one clear line. A URL whose
dialect or driver is not installed is refused the same way."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from compare import assert_same_kpis, assert_same_output, kpi_mismatches, kpis, run
from conftest import PAGES as APP_PAGES
from sqlalchemy.dialects import mysql

from purpose_metrics import db
from purpose_metrics.contract import TABLES

MARIADB_ADMIN_URL = os.environ.get("PURPOSE_METRICS_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
UNVERIFIED = "mysql is not verified here: Purpose Metrics is verified on DuckDB, SQLite and PostgreSQL"


@pytest.fixture(scope="module")
def mariadb_admin() -> str:
    try:
        engine = sa.create_engine(MARIADB_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # the reason is shown in the skip
        reason = f"no MariaDB at {MARIADB_ADMIN_URL}: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(f"MariaDB must answer in CI: {reason}")
        pytest.skip(reason)
    return MARIADB_ADMIN_URL


def _contract_tables(metadata: sa.MetaData) -> dict[str, sa.Table]:
    """The contract's tables with MariaDB's types (timestamps to the microsecond)."""

    def column_type(column: sa.Column) -> sa.types.TypeEngine:
        return mysql.DATETIME(fsp=6) if isinstance(column.type, sa.DateTime) else column.type

    return {
        name: sa.Table(
            name, metadata, *[sa.Column(c.name, column_type(c), nullable=c.nullable) for c in t.columns]
        )
        for name, t in db.SA_TABLES.items()
    }


@pytest.fixture(scope="module")
def warehouse(mariadb_admin, example_templates, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(a MariaDB database holding the worked example, loaded by other means;
    the worked example in a DuckDB file imported as usual)."""
    duck_url = example_templates.copy("duckdb", tmp_path_factory.mktemp("engines") / "example.duckdb")
    name = f"pm_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(mariadb_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = sa.make_url(mariadb_admin).set(database=name).render_as_string(hide_password=False)
    try:
        loader = sa.create_engine(url)
        tables = _contract_tables(sa.MetaData())
        tables["brands"].metadata.create_all(loader)
        source = db.make_engine(duck_url)
        with loader.begin() as conn:
            for table in TABLES:
                rows = db.read_table(source, table)
                if rows.height:
                    conn.execute(tables[table].insert(), rows.to_dicts())
        source.dispose()
        loader.dispose()
        yield url, duck_url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


PERIODS = [
    ("--week", "2026-W10"),
    ("--week", "2026-W25", "--brand", "alpine"),
    ("--from", "2025-01-01", "--to", "2026-01-01"),
    ("--week", "2026-W10", "--compare", "year"),
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: " ".join(p))
def test_kpis_on_mariadb_equal_duckdbs(warehouse, capsys, period):
    maria, duck = warehouse
    _, duck_err = kpis(capsys, duck, *period, mode="memory")
    assert "not verified" not in duck_err
    for mode in (None, "pushdown"):  # auto reads an unverified engine in pushdown mode
        err = assert_same_kpis(capsys, maria, duck, period, mode=mode)
        assert UNVERIFIED in err  # on stderr: stdout stays what scripts read


@pytest.mark.parametrize(
    "command",
    [("cohorts", "--grain", "week"), ("cohorts", "--grain", "month"), ("drivers", "--week", "2026-W10")],
    ids=" ".join,
)
def test_cohorts_and_drivers_on_mariadb_equal_duckdbs(warehouse, capsys, command):
    maria, duck = warehouse
    assert_same_output(capsys, maria, duck, command, reference_mode="pushdown")


def test_periods_local_to_a_zone_on_mariadb_equal_duckdbs(warehouse, capsys):
    """Local days need the zone's UTC offsets added to the stored instants:
    arithmetic on intervals, which sqlglot rewrites for MySQL."""
    maria, duck = warehouse
    engines = [sa.create_engine(maria), db.make_engine(duck)]
    try:
        for engine in engines:
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE company SET timezone = 'America/New_York'"))
        for period in (("--week", "2026-W10"), ("--from", "2025-10-01", "--to", "2026-04-01")):
            expected, _ = kpis(capsys, duck, *period, mode="memory")
            got, _ = kpis(capsys, maria, *period)
            assert got.height == expected.height > 0
            assert kpi_mismatches(got, expected) == []
        for grain in ("week", "month"):
            _, expected, _ = run(capsys, "--db", duck, "--mode", "pushdown", "cohorts", "--grain", grain)
            code, got, err = run(capsys, "--db", maria, "cohorts", "--grain", grain)
            assert code == 0, err
            assert got == expected
    finally:
        for engine in engines:
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE company SET timezone = NULL"))
            engine.dispose()


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("purpose-metrics: warning:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_other_modes_and_every_write_are_refused_on_an_unverified_engine(warehouse, capsys, example_dir):
    maria, _ = warehouse
    for mode in ("memory", "store"):
        code, out, err = run(capsys, "--db", maria, "--mode", mode, "kpis", "--week", "2026-W10")
        assert code == 1 and out == ""
        assert _one_line(err) == (
            "purpose-metrics: mysql is not verified here (DuckDB, SQLite and PostgreSQL are): it is read in "
            f"pushdown mode only, not in {mode} mode (set PURPOSE_METRICS_MODE=pushdown or pass --mode pushdown)"
        )
    engine = sa.create_engine(maria)
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT COUNT(*) FROM brands")).scalar_one()
        tables_before = set(sa.inspect(conn).get_table_names())
    writes = {
        "init": ["init"],
        "refresh": ["refresh"],
        "an import": ["import", "brands", str(example_dir / "data" / "brands.csv")],
    }
    for what, args in writes.items():
        code, _, err = run(capsys, "--db", maria, *args)
        assert code == 1
        line = _one_line(err)
        assert "writes, and writing is verified on DuckDB, SQLite and PostgreSQL only" in line, what
        assert "load the mysql database by its own means" in line
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM brands")).scalar_one() == before
        assert set(sa.inspect(conn).get_table_names()) == tables_before  # no schema, no store
    engine.dispose()


def test_a_url_whose_dialect_is_not_installed_is_one_clear_line(capsys):
    url = "nosuchdb://analyst:hunter22@db.example.com/metrics"
    message = "no SQLAlchemy dialect for 'nosuchdb' is installed here"
    with pytest.raises(db.DatabaseError, match=message):
        db.make_engine(url)
    code, out, err = run(capsys, "--db", url, "kpis", "--week", "2026-W10")
    assert code == 1 and out == ""
    assert _one_line(err) == (
        f"purpose-metrics: {message}: install the package that provides it, or use an engine verified here "
        "(DuckDB, SQLite and PostgreSQL): duckdb:///FILE, sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB"
    )
    assert "hunter22" not in err


def test_a_url_whose_driver_is_not_installed_is_one_clear_line(capsys):
    with pytest.raises(
        db.DatabaseError, match="SQLAlchemy's mysql dialect has no driver 'nosuchdriver' here"
    ):
        db.make_engine("mysql+nosuchdriver://analyst@db.example.com/metrics")
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("mysqlclient is installed here: mysql:// has its driver")
    code, out, err = run(
        capsys, "--db", "mysql://analyst@db.example.com/metrics", "kpis", "--week", "2026-W10"
    )
    assert code == 1 and out == ""
    assert _one_line(err).startswith(
        "purpose-metrics: the driver of mysql is not installed here (No module named 'MySQLdb'): install it"
    )


def test_verified_engines_carry_no_note():
    assert [db.unverified_note(b) for b in ("duckdb", "sqlite", "postgresql")] == [None, None, None]
    assert db.unverified_note("mysql").startswith(UNVERIFIED)


def sidebar(at) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


PAGES = [None, *APP_PAGES]  # None: This week


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_mariadb_and_the_sidebar_says_it_is_not_verified(warehouse, app, page):
    import streamlit as st

    maria, _ = warehouse
    st.cache_data.clear()
    st.cache_resource.clear()
    at = app(maria, page)
    assert not at.exception, page
    assert not at.error, [e.value for e in at.error]
    words = sidebar(at)
    assert "Computed in the database (pushdown" in words
    # Pushdown is such an engine's only mode, not a fallback from a stale store.
    assert "no fact store is kept on this engine" in words and "fact store is not current" not in words
    assert "Engine mysql is not verified here (verified: DuckDB, SQLite and PostgreSQL)" in words


def test_the_sidebar_of_a_verified_engine_has_no_such_note(app, small_db):
    at = app(small_db)
    assert not at.exception
    assert "not verified" not in sidebar(at)
