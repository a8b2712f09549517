"""Database access: engine from a URL, schema creation, typed reads, bulk writes.

One SQLAlchemy code path for DuckDB (the embedded default), SQLite and
PostgreSQL. Reads return Polars frames typed as the contract says, whatever
the backend hands back (SQLite: strings for timestamps and integers for
booleans; DuckDB and PostgreSQL: decimals for NUMERIC).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .contract import TABLES, Table

ENV_URL = "PURPOSE_METRICS_DATABASE_URL"
DEFAULT_DB_PATH = Path("data") / "purpose_metrics.duckdb"
SQL_DIR = Path(__file__).resolve().parent / "sql"
if not SQL_DIR.exists():  # running from a source checkout: sql/ sits at the root
    SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


class DatabaseError(Exception):
    """The database could not be reached or read; the message is safe to show."""


def database_url(explicit: str | None = None) -> str:
    """`--db` first, then the environment, then the embedded DuckDB file."""
    if explicit:
        return explicit
    env = os.environ.get(ENV_URL)
    if env:
        return env
    return f"duckdb:///{DEFAULT_DB_PATH}"


def safe_url(url: str | sa.URL) -> str:
    """The URL with any password masked, for messages and the UI."""
    try:
        return sa.make_url(str(url)).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show nothing of it
        return "<invalid database URL>"


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    parsed = sa.make_url(url)
    file_backed = parsed.database not in (None, "", ":memory:")
    if parsed.drivername.startswith(("duckdb", "sqlite")) and file_backed:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.drivername.startswith("duckdb") and file_backed:
        # A DuckDB file admits one writing process at a time. Holding no
        # connection between uses lets the CLI import while the dashboard is
        # open (each side opens the file only for the moment it needs it).
        return sa.create_engine(parsed, poolclass=sa.pool.NullPool)
    return sa.create_engine(parsed)


# --- schema -------------------------------------------------------------------

metadata = sa.MetaData()

_SA_TYPES = {
    "id": sa.BigInteger,
    "int": sa.Integer,
    "text": sa.Text,
    "num": sa.Double,
    "bool": sa.Boolean,
    "date": sa.Date,
    "ts": sa.DateTime,
}

SA_TABLES: dict[str, sa.Table] = {
    t.name: sa.Table(
        t.name,
        metadata,
        *[sa.Column(c.name, _SA_TYPES[c.type](), nullable=c.nullable) for c in t.columns],
    )
    for t in TABLES.values()
}
ORDER_HISTORY = sa.Table(
    "order_history",
    metadata,
    sa.Column("order_id", sa.BigInteger, primary_key=True),
    sa.Column("ordered_at", sa.DateTime),
    sa.Column("seq_c", sa.Integer),
    sa.Column("next_at_c", sa.DateTime),
    sa.Column("seq_b", sa.Integer),
    sa.Column("next_at_b", sa.DateTime),
)
IMPORT_LOG = sa.Table(
    "import_log",
    metadata,
    sa.Column("table_name", sa.Text),
    sa.Column("imported_at", sa.DateTime),
    sa.Column("row_count", sa.BigInteger),
    sa.Column("source", sa.Text),
)


def schema_statements() -> list[str]:
    text = (SQL_DIR / "schema.sql").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().strip(";")]


def create_schema(engine: Engine) -> None:
    """Create every table of the contract; running it again changes nothing."""
    with engine.begin() as conn:
        for statement in schema_statements():
            conn.exec_driver_sql(statement.rstrip(";"))


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for name, t in SA_TABLES.items()
        }


def is_empty(engine: Engine) -> bool:
    return all(n == 0 for n in table_counts(engine).values())


# --- typed reads ----------------------------------------------------------------


def to_datetime(s: pl.Series) -> pl.Series:
    if s.dtype == pl.String:
        return s.str.strip_chars().str.replace("T", " ").str.to_datetime(
            time_unit="us", strict=False
        )
    return s.cast(pl.Datetime("us"))


def _to_date(s: pl.Series) -> pl.Series:
    if s.dtype == pl.String:
        return s.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    if isinstance(s.dtype, pl.Datetime):
        return s.dt.date()
    return s.cast(pl.Date)


def type_frame(df: pl.DataFrame, table: Table) -> pl.DataFrame:
    """Cast a frame read from any backend to the contract's dtypes."""
    out = []
    for name in df.columns:
        col = table.column(name)
        s = df.get_column(name)
        if col.type == "ts":
            s = to_datetime(s)
        elif col.type == "date":
            s = _to_date(s)
        else:
            s = s.cast(col.dtype)
        out.append(s.alias(name))
    return pl.DataFrame(out) if out else df


def read_table(
    engine: Engine | Connection,
    name: str,
    columns: Sequence[str] | None = None,
    start: dt.datetime | dt.date | None = None,
    end: dt.datetime | dt.date | None = None,
    where: Iterable[sa.ColumnElement[bool]] = (),
) -> pl.DataFrame:
    """Read `columns` of table `name`, optionally only rows whose time column
    lies in [start, end). Returns a frame typed by the contract, one row per
    table row."""
    table = TABLES[name]
    sa_table = SA_TABLES[name]
    cols = list(columns) if columns else table.column_names
    query = sa.select(*[sa_table.c[c] for c in cols])
    if table.time_column and (start is not None or end is not None):
        tcol = sa_table.c[table.time_column]
        if start is not None:
            query = query.where(tcol >= start)
        if end is not None:
            query = query.where(tcol < end)
    for clause in where:
        query = query.where(clause)
    schema = {c: table.column(c).dtype for c in cols}
    try:
        if isinstance(engine, Engine):
            with engine.connect() as conn:
                df = _fetch(conn, query)
        else:
            df = _fetch(engine, query)
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseError(describe_db_error(exc)) from exc
    if df.height == 0:
        return pl.DataFrame(schema=schema)
    return type_frame(df, table).select(cols)


def fetch(conn: Connection, query: sa.Select) -> pl.DataFrame:
    """Run a query, frame as the backend hands it back (untyped)."""
    return _fetch(conn, query)


def _fetch(conn: Connection, query: sa.Select) -> pl.DataFrame:
    if conn.dialect.name == "duckdb":
        # Arrow straight from DuckDB: no row-by-row Python objects.
        compiled = query.compile(dialect=conn.dialect)
        params = [compiled.params[k] for k in compiled.positiontup] if compiled.positiontup else []
        raw = conn.connection.dbapi_connection
        return pl.from_arrow(raw.sql(str(compiled), params=params).to_arrow_table())
    result = conn.execute(query)
    rows = result.fetchall()
    names = list(result.keys())
    if not rows:
        return pl.DataFrame(schema={n: pl.Null for n in names})
    return pl.DataFrame([list(r) for r in rows], schema=names, orient="row", infer_schema_length=None)


def describe_db_error(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return f"database error: {first}"


# --- writes --------------------------------------------------------------------


def insert_frame(conn: Connection, name: str, df: pl.DataFrame) -> None:
    """Append a typed frame inside the caller's transaction.

    Any failure surfaces as DatabaseError carrying the database's own reason
    (a primary-key clash, a value out of range ...), never a driver error."""
    if df.height == 0:
        return
    try:
        _insert(conn, name, df)
    except DatabaseError:
        raise
    except Exception as exc:  # driver errors differ per backend; one message for all
        raise DatabaseError(f"could not write {name}: {describe_db_error(exc).removeprefix('database error: ')}") from exc


def _insert(conn: Connection, name: str, df: pl.DataFrame) -> None:
    cols = df.columns
    col_list = ", ".join(cols)
    dialect = conn.dialect.name
    if dialect == "duckdb":
        raw = conn.connection.dbapi_connection
        view = f"_pm_import_{name}"
        raw.register(view, df.to_arrow())
        try:
            conn.exec_driver_sql(f"INSERT INTO {name} ({col_list}) SELECT {col_list} FROM {view}")
        finally:
            try:
                raw.unregister(view)
            except Exception:  # the transaction failed: keep the real error, not this one
                pass
    elif dialect == "postgresql":
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {name} ({col_list}) FROM STDIN") as copy:
            for row in df.iter_rows():
                copy.write_row(row)
    else:
        conn.execute(SA_TABLES[name].insert(), df.to_dicts())
