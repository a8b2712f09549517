from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from purpose_metrics import db

ROOT = Path(__file__).resolve().parents[1]
# The worked example of the spec, shipped with the tests.
EXAMPLES = ROOT / "tests" / "data" / "small"

PG_ADMIN_URL = os.environ.get(
    "PURPOSE_METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


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
            pytest.fail(f"PostgreSQL must answer in CI at {db.safe_url(PG_ADMIN_URL)}: {reason}")
        pytest.skip(f"no PostgreSQL at {db.safe_url(PG_ADMIN_URL)}: {reason}")
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


@pytest.fixture(params=["duckdb", "sqlite", "postgresql"])
def engine(request, tmp_path) -> Iterator[sa.Engine]:
    """An empty database with the schema, on each of the three backends."""
    kind = request.param
    if kind == "postgresql":
        admin_url = request.getfixturevalue("pg_server")
        name, admin, url = _fresh_pg_database(admin_url)
        eng = db.make_engine(url.render_as_string(hide_password=False), create=True)
        db.create_schema(eng)
        yield eng
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    path = tmp_path / f"pm.{kind}"
    eng = db.make_engine(f"{kind}:///{path}", create=True)
    db.create_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def duck(tmp_path) -> Iterator[sa.Engine]:
    eng = db.make_engine(f"duckdb:///{tmp_path / 'pm.duckdb'}", create=True)
    db.create_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def example_db(tmp_path_factory) -> str:
    """A DuckDB file holding the worked example, loaded through the importer."""
    from purpose_metrics.validation import import_folder

    path = tmp_path_factory.mktemp("example") / "example.duckdb"
    url = f"duckdb:///{path}"
    eng = db.make_engine(url, create=True)
    db.create_schema(eng)
    import_folder(eng, EXAMPLES / "data")
    eng.dispose()
    return url
