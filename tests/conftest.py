from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit  # noqa: F401 - its loggers exist from here on

from purpose_metrics import db, dburl

# The dashboard's cached functions are declared at import, outside a running
# app; Streamlit warns once per function that it caches in memory then.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

ROOT = Path(__file__).resolve().parents[1]
# The worked example of the spec, shipped with the tests.
EXAMPLES = ROOT / "tests" / "data" / "small"

PG_ADMIN_URL = os.environ.get("PURPOSE_METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Every JVM the tests start (Spark's driver, executors, standalone daemons and
# Connect server) compiles with C1 only and collects with one thread: the
# tests' Spark jobs are short, and C2's compiler threads and a parallel
# collector on 2 cores took about a third more CPU from the rest of the suite
# than the jobs themselves (measured: tests/test_spark.py alone, 144 s of
# machine CPU against 94 s). The product's JVMs keep Java's defaults.
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The Spark tests first (in their own order): they hold one test worker
    for minutes (xdist_group "spark"), and started first they run beside the
    rest of the suite instead of being its tail."""
    items.sort(key=lambda item: item.get_closest_marker("spark") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """`make test` keeps each `xdist_group` on one worker (`--dist loadgroup`):
    one Spark session per process. pytest-xdist marks a grouped test by
    adding "@group" to its node id, which pytest 9.2 no longer lets it do
    (requirements.txt pins 9.1.1); the Spark modules then ran on both
    workers at once, each worker starting its own JVMs. Stop at once if
    that happens again, rather than run the suite at half its speed."""
    if not getattr(session.config.option, "loadgroup", False):  # (set on xdist's workers only)
        return
    untagged = [
        i.nodeid for i in session.items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid
    ]
    if untagged:
        raise pytest.UsageError(
            f"--dist loadgroup: pytest-xdist could not tag {len(untagged)} grouped tests (e.g. {untagged[0]}); "
            "this pytest and pytest-xdist do not work together (see requirements.txt)"
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """One rule for every test marked `browser` (it needs Chromium): with no
    Chromium, as the code finds it (`images.chromium_path`), it skips with
    what to install; in CI it fails. Run before any fixture is set up, so a
    module's browser fixture never starts without one. The same for `spark`
    (it needs pyspark, its Spark Connect client and Java)."""
    if item.get_closest_marker("spark") is not None:
        from purpose_metrics.spark.session import missing_reason

        reason = missing_reason() or missing_reason(connect=True)
        if reason is not None:
            if IN_CI:
                pytest.fail(f"Spark must run in CI: {reason}", pytrace=False)
            pytest.skip(reason)
    if item.get_closest_marker("browser") is None:
        return
    from purpose_metrics.export.images import chromium_missing_reason

    reason = chromium_missing_reason()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"Chromium must be installed in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _installed_components_scanned_once() -> Iterator[None]:
    """Streamlit's scan of every installed distribution's metadata for
    components, made once per process as a server makes it at start-up.
    AppTest makes it again for each app it creates (about 0.4 s each, some
    300 times in the suite); nothing is installed during a run, so the
    first scan's answer, real, stands for the rest."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # a Streamlit without v2 components: nothing to scan
        yield
        return
    real = manifest_scanner.scan_component_manifests
    found: list[list] = []

    def scanned_once(max_workers: int | None = None) -> list:
        if not found:
            found.append(real(max_workers))
        return list(found[0])

    manifest_scanner.scan_component_manifests = scanned_once
    yield
    manifest_scanner.scan_component_manifests = real


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return EXAMPLES


def _pg_available() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # the reason is shown in the skip
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_server() -> str:
    reason = _pg_available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL must answer in CI at {dburl.safe_url(PG_ADMIN_URL)}: {reason}")
        pytest.skip(f"no PostgreSQL at {dburl.safe_url(PG_ADMIN_URL)}: {reason}")
    return PG_ADMIN_URL


def _fresh_pg_database(admin_url: str) -> tuple[str, sa.Engine, sa.URL]:
    name = f"pm_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name)
    return name, admin, url


@pytest.fixture
def fresh_pg(pg_server) -> Iterator[sa.URL]:
    """The URL of a new, empty PostgreSQL database (dropped afterwards)."""
    name, admin, url = _fresh_pg_database(pg_server)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


BACKENDS = ["duckdb", "sqlite", "postgresql"]


@contextmanager
def _empty_database(request, kind: str, folder: Path) -> Iterator[sa.Engine]:
    """An empty database with the schema on `kind` (a file in `folder`, or
    a new PostgreSQL database dropped afterwards): a copy of one that
    db.create_schema made (schema_templates), as make_engine(create=True)
    and create_schema would leave it."""
    templates = request.getfixturevalue("schema_templates")
    admin_url = request.getfixturevalue("pg_server") if kind == "postgresql" else None
    url = templates.copy(kind, folder / f"pm.{kind}", admin_url)
    eng = db.make_engine(url, create=True)
    yield eng
    eng.dispose()
    if kind == "postgresql":
        _drop_pg_database(admin_url, url)


def _drop_pg_database(admin_url: str, url: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path) -> Iterator[sa.Engine]:
    """An empty database with the schema, on each of the three backends."""
    with _empty_database(request, request.param, tmp_path) as eng:
        yield eng


@pytest.fixture(scope="module", params=BACKENDS)
def unwritten_engine(request, tmp_path_factory) -> Iterator[sa.Engine]:
    """`engine` made once per module and backend, for tests that only run
    queries of their own and write nothing (one database each would cost a
    CREATE DATABASE and the schema per test)."""
    with _empty_database(request, request.param, tmp_path_factory.mktemp("unwritten")) as eng:
        yield eng


class DatabaseTemplates:
    """A database with the schema and a folder of table files (the worked
    example's, the bundled sample's; none: the schema alone) imported once
    per backend (through the importer, as a user's files go in), copied for
    each test that wants it: a file copy for DuckDB and SQLite, CREATE
    DATABASE … TEMPLATE for PostgreSQL."""

    def __init__(self, folder: Path, data_dir: Path | None, name: str = "example"):
        self.folder, self.data_dir, self.name = folder, data_dir, name
        self.made: dict[str, str] = {}

    def _template(self, kind: str, admin_url: str | None) -> str:
        if kind not in self.made:
            from purpose_metrics.validation import import_folder

            if kind == "postgresql":
                name = f"pm_{self.name}_{uuid.uuid4().hex[:10]}"
                admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                admin.dispose()
                url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
            else:
                url = f"{kind}:///{self.folder / f'{self.name}.{kind}'}"
            engine = db.make_engine(url, create=True)
            db.create_schema(engine)
            if self.data_dir is not None:
                import_folder(engine, self.data_dir)
            engine.dispose()
            self.made[kind] = url
        return self.made[kind]

    def copy(self, kind: str, path: Path | None = None, admin_url: str | None = None) -> str:
        """The URL of a new copy (a file at `path` for DuckDB and SQLite)."""
        template = self._template(kind, admin_url)
        if kind != "postgresql":
            assert path is not None
            shutil.copyfile(template.split(":///", 1)[1], path)
            return f"{kind}:///{path}"
        name = f"pm_test_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{sa.make_url(template).database}"'))
        admin.dispose()
        return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self, admin_url: str | None) -> None:
        if "postgresql" in self.made and admin_url:
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(
                    sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(self.made["postgresql"]).database}"')
                )
            admin.dispose()


@pytest.fixture(scope="session")
def example_templates(tmp_path_factory, example_dir) -> Iterator[DatabaseTemplates]:
    templates = DatabaseTemplates(tmp_path_factory.mktemp("templates"), example_dir / "data")
    yield templates
    templates.drop_all(PG_ADMIN_URL if "postgresql" in templates.made else None)


@pytest.fixture(scope="session")
def schema_templates(tmp_path_factory) -> Iterator[DatabaseTemplates]:
    """An empty database with the schema per backend, copied by `engine`
    and `duck` (a copy costs a file copy or CREATE DATABASE … TEMPLATE;
    the DDL took 0.25-0.7 s per test)."""
    templates = DatabaseTemplates(tmp_path_factory.mktemp("schema-templates"), None, "schema")
    yield templates
    templates.drop_all(PG_ADMIN_URL if "postgresql" in templates.made else None)


@pytest.fixture(scope="session")
def sample_templates(tmp_path_factory) -> Iterator[DatabaseTemplates]:
    """The bundled sample (sample_data/, 30k orders: 5-8 s to import on each
    backend), imported once per backend for the tests that compare on it."""
    templates = DatabaseTemplates(tmp_path_factory.mktemp("sample-templates"), ROOT / "sample_data", "sample")
    yield templates
    templates.drop_all(PG_ADMIN_URL if "postgresql" in templates.made else None)


@contextmanager
def _copied_engine(request, templates: DatabaseTemplates, folder: Path) -> Iterator[sa.Engine]:
    """A copy of `templates`' database on request.param's backend (dropped afterwards on PostgreSQL)."""
    kind = request.param
    admin_url = request.getfixturevalue("pg_server") if kind == "postgresql" else None
    url = templates.copy(kind, folder / f"pm.{kind}", admin_url)
    eng = db.make_engine(url)
    yield eng
    eng.dispose()
    if kind == "postgresql":
        _drop_pg_database(admin_url, url)


@pytest.fixture(params=BACKENDS)
def example_engine(request, tmp_path, example_templates) -> Iterator[sa.Engine]:
    """The worked example in a database of its own, on each of the three backends."""
    with _copied_engine(request, example_templates, tmp_path) as eng:
        yield eng


@pytest.fixture(params=BACKENDS)
def sample_engine(request, tmp_path, sample_templates) -> Iterator[sa.Engine]:
    """The bundled sample in a database of its own, on each of the three
    backends: what `engine` holds after import_folder(engine, ROOT / "sample_data")."""
    with _copied_engine(request, sample_templates, tmp_path) as eng:
        yield eng


@pytest.fixture
def example_duck(tmp_path, example_templates) -> Iterator[sa.Engine]:
    """The worked example in a DuckDB file of its own."""
    eng = db.make_engine(example_templates.copy("duckdb", tmp_path / "example.duckdb"))
    yield eng
    eng.dispose()


@pytest.fixture
def duck(request, tmp_path) -> Iterator[sa.Engine]:
    """An empty DuckDB file with the schema."""
    with _empty_database(request, "duckdb", tmp_path) as eng:
        yield eng


@pytest.fixture(scope="session")
def example_db(tmp_path_factory, example_templates) -> str:
    """A DuckDB file holding the worked example (shared by a session's tests: read only)."""
    return example_templates.copy("duckdb", tmp_path_factory.mktemp("example") / "example.duckdb")
