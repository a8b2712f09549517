"""Database access: engine from a URL, schema creation, typed reads, bulk writes.

One SQLAlchemy code path for DuckDB (the embedded default), SQLite and
PostgreSQL. Reads return Polars frames typed as the contract says, whatever
the backend hands back (SQLite: strings for timestamps and integers for
booleans; DuckDB and PostgreSQL: decimals for NUMERIC).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import sqltext
from .contract import TABLES, Table
from .dburl import database_url, redact, safe_url
from .spark.dialect import register as _register_spark

# spark+local:///ABS/PATH/warehouse?database=NAME: Spark as a SQLAlchemy
# dialect (spark/); pyspark is imported only when such a URL connects.
_register_spark()

# How long to wait for another process to hand back the DuckDB file (an
# import while the dashboard reads, or the other way round) before giving up.
ENV_LOCK_WAIT = "PURPOSE_METRICS_LOCK_WAIT"
LOCK_WAIT_SECONDS = 30.0
# The engines every path is verified on here (the suite runs on each). Any
# other SQLAlchemy dialect that is installed is read in pushdown mode only,
# with the PostgreSQL rendering of the SQL carried to it by sqlglot
# (transpile.py), and said to be unverified wherever the database is named.
VERIFIED_BACKENDS = ("duckdb", "sqlite", "postgresql")
VERIFIED_NAMES = "DuckDB, SQLite and PostgreSQL"
# What the suite checks on Spark (tests/test_spark*.py), said wherever Spark is named.
SPARK_CHECKED = (
    "kpis and cohorts are checked here on the worked example on a local cluster, a standalone cluster and "
    "through Spark Connect, and on generated data on a local cluster; drivers, every page and the board pack on a "
    "local cluster"
)
# What DuckDB may hold in memory during an import before it spills to disk.
# The keys' unique indexes cannot spill: about 1 GB holds ten million orders.
ENV_IMPORT_MEMORY = "PURPOSE_METRICS_IMPORT_MEMORY"
IMPORT_MEMORY = "1GB"


def import_memory() -> str:
    value = os.environ.get(ENV_IMPORT_MEMORY, "").strip().upper().replace(" ", "")
    return value if re.fullmatch(r"\d+(\.\d+)?(MB|GB|TB)", value) else IMPORT_MEMORY


class DatabaseError(Exception):
    """The database could not be reached or read; the message is safe to show."""


def make_engine(url: str | None = None, create: bool = False) -> Engine:
    """An engine for a URL (see `database_url`). Raises DatabaseError for a
    URL that cannot be used; connecting happens on first use.

    Reading never creates a database: for a DuckDB or SQLite file that does
    not exist, connecting raises DatabaseError naming the path (checked on
    every connection, so a file moved away and back is read again). Only
    `create=True` (`purpose-metrics init`) makes the file and its folder.
    """
    url = database_url(url)
    try:
        parsed = sa.make_url(url)
    except Exception as exc:
        raise DatabaseError(f"cannot read the database URL: {redact(_first(exc), url)}") from None
    _refuse_missing_dialect(parsed)
    file_backed = parsed.database not in (None, "", ":memory:")
    embedded_file = parsed.drivername.startswith(("duckdb", "sqlite")) and file_backed
    if embedded_file and create:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        if parsed.drivername.startswith("duckdb") and file_backed:
            # A DuckDB file admits one writing process at a time. Holding no
            # connection between uses lets the CLI import while the dashboard
            # is open (each side opens the file only for the moment it needs
            # it), and each side waits for the other's moment to pass.
            engine = sa.create_engine(parsed, poolclass=sa.pool.NullPool)
            if not create:  # before the lock wait: its listener makes the connection
                _refuse_missing_file(engine, Path(parsed.database))
            _wait_for_file_lock(engine, lock_wait_seconds())
            return engine
        if embedded_file:
            # SQLite too opens each file anew for every connection here, so
            # that a missing file is found on every read (not only the first).
            engine = sa.create_engine(parsed, poolclass=sa.pool.NullPool)
            if not create:
                _refuse_missing_file(engine, Path(parsed.database))
            return engine
        if parsed.get_dialect().name == "spark":  # spark+local://, spark://, sc://
            # Each connection is a new session of the process's one
            # SparkSession (cheap), so it sees tables written since; on
            # Spark Connect, the process's session of the server.
            return sa.create_engine(parsed, poolclass=sa.pool.NullPool, connect_args={"create": create})
        if parsed.get_backend_name() == "postgresql":
            # A pooled connection may have died (server restarted, database
            # dropped): test it before use, so the error says what is wrong now.
            return sa.create_engine(parsed, pool_pre_ping=True)
        return sa.create_engine(parsed)
    except (ImportError, ValueError, TypeError, sa.exc.ArgumentError) as exc:  # bad port, options, driver
        reason = redact(_first(exc), url)
        raise DatabaseError(f"cannot use the database URL {safe_url(url)}: {reason}") from None


def is_verified(backend: str) -> bool:
    """Whether a backend (an engine's dialect name) is one the project is verified on."""
    return backend in VERIFIED_BACKENDS


def unverified_note(backend: str) -> str | None:
    """What to tell a person about an engine that is not verified here (None: it is)."""
    if is_verified(backend):
        return None
    if backend == "spark":
        return (
            f"spark is read in pushdown mode only, with its SQL carried over by sqlglot: its {SPARK_CHECKED}; "
            f"every other path only on {VERIFIED_NAMES}"
        )
    return (
        f"{backend} is not verified here: Purpose Metrics is verified on {VERIFIED_NAMES}; on {backend} it "
        "reads in pushdown mode only, with its SQL carried over by sqlglot, and its numbers are not checked"
    )


def refuse_unverified_writes(engine: Engine, what: str) -> None:
    """Writing (the schema, imports, the fact store) is verified on DuckDB,
    SQLite and PostgreSQL only: on another engine `what` is a DatabaseError
    before anything is written (another engine's DDL is not transactional,
    so a failure half-way would leave half a schema)."""
    name = engine.dialect.name
    if name == "spark":
        raise DatabaseError(
            f"{what} writes, and on Spark only `purpose-metrics init`, `purpose-metrics import FOLDER` (the "
            "folder's files, validated, replace the tables it holds) and `purpose-metrics refresh` (the customers' "
            "order history) write; the fact store is not kept there"
        )
    if not is_verified(name):
        raise DatabaseError(
            f"{what} writes, and writing is verified on {VERIFIED_NAMES} only: load the {name} database "
            "by its own means (the tables of the data contract, see the README); Purpose Metrics reads it in "
            "pushdown mode"
        )


def _refuse_missing_dialect(parsed: sa.URL) -> None:
    """A URL whose SQLAlchemy dialect or driver is not installed here is a
    DatabaseError saying which, before any engine is made."""
    backend = parsed.get_backend_name()
    try:
        dialect = parsed.get_dialect()
    except sa.exc.NoSuchModuleError:
        if "+" in parsed.drivername and _loads(backend):
            raise DatabaseError(
                f"SQLAlchemy's {backend} dialect has no driver {parsed.get_driver_name()!r} here: install it, "
                f"or name an installed one ({backend}+DRIVER://...)"
            ) from None
        raise DatabaseError(
            f"no SQLAlchemy dialect for {backend!r} is installed here: install the package that provides "
            f"it, or use an engine verified here ({VERIFIED_NAMES}): duckdb:///FILE, sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST:PORT/DB"
        ) from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise DatabaseError(
            f"the driver of {parsed.drivername} is not installed here ({_first(exc)}): install it, or "
            f"name an installed one ({backend}+DRIVER://...)"
        ) from None


def _loads(backend: str) -> bool:
    try:
        sa.make_url(f"{backend}://").get_dialect()
    except sa.exc.NoSuchModuleError:
        return False
    return True


class MissingDatabase(DatabaseError):
    """The database file is not there (moved, deleted, or never created)."""


def _refuse_missing_file(engine: Engine, path: Path) -> None:
    @sa.event.listens_for(engine, "do_connect")
    def connect(dialect, connection_record, cargs, cparams):
        if not path.exists():
            raise MissingDatabase(
                f"there is no database file at {path.resolve()}: "
                "restore it, or create one with `purpose-metrics init`"
            )


def lock_wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(ENV_LOCK_WAIT, LOCK_WAIT_SECONDS)))
    except ValueError:
        return LOCK_WAIT_SECONDS


def is_lock_conflict(exc: BaseException) -> bool:
    """Another process holds the DuckDB file (or SQLite's write lock)."""
    text = str(getattr(exc, "orig", None) or exc)
    return "Could not set lock on file" in text or "database is locked" in text


def _wait_for_file_lock(engine: Engine, seconds: float) -> None:
    @sa.event.listens_for(engine, "do_connect")
    def connect(dialect, connection_record, cargs, cparams):
        deadline = time.monotonic() + seconds
        pause = 0.05
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except Exception as exc:
                if not is_lock_conflict(exc) or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
    sa.Column("order_id", sa.BigInteger),
    sa.Column("customer_id", sa.BigInteger),
    sa.Column("brand_id", sa.Text),
    sa.Column("channel", sa.Text),
    sa.Column("ordered_at", sa.DateTime),
    sa.Column("seq_c", sa.Integer),
    sa.Column("prev_at_c", sa.DateTime),
    sa.Column("next_at_c", sa.DateTime),
    sa.Column("seq_b", sa.Integer),
    sa.Column("prev_at_b", sa.DateTime),
    sa.Column("next_at_b", sa.DateTime),
    sa.Column("revenue_90d_c", sa.Double),
    sa.Column("revenue_90d_b", sa.Double),
    sa.Column("on_time", sa.Integer),
    sa.Column("cause", sa.Integer),
    sa.Column("purpose_achieved", sa.Integer),
    sa.Column("first_contact", sa.Integer),
)
AUDIT_LOG = sa.Table(
    "audit_log",
    metadata,
    sa.Column("logged_at", sa.DateTime),
    sa.Column("who", sa.Text),
    sa.Column("role", sa.Text),
    sa.Column("action", sa.Text),
    sa.Column("scope", sa.Text),
    sa.Column("outcome", sa.Text),
    sa.Column("detail", sa.Text),
)
IMPORT_LOG = sa.Table(
    "import_log",
    metadata,
    sa.Column("table_name", sa.Text),
    sa.Column("imported_at", sa.DateTime),
    sa.Column("row_count", sa.BigInteger),
    sa.Column("source", sa.Text),
)


def schema_statements(dialect: str) -> list[str]:
    """The contract's tables and keys, then the fact store's tables (and, but
    on DuckDB, their indexes), for a dialect."""
    files = ["schema.sql", "store/schema.sql", "audit.sql", "subscriptions.sql"]
    if dialect != "duckdb":
        files += ["indexes.sql", "store/indexes.sql"]
    binary = sqltext.Dialect(dialect).binary
    return [s for f in files for s in sqltext.statements(sqltext.render(f, {"binary": binary}))]


def create_schema(engine: Engine) -> None:
    """Create every table of the contract and of the fact store; running it
    again changes nothing. A database made before an optional column joined
    the contract gets it (NULL in every row)."""
    with engine.begin() as conn:
        for statement in schema_statements(conn.dialect.name):
            conn.exec_driver_sql(statement)
        for name, table in TABLES.items():
            have = set(stored_columns(conn, name))
            for col in table.columns:
                if col.optional and col.name not in have:
                    conn.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN {col.name} {_SQL_TYPES[col.type]}")
        # A store made before it kept the zone of its days kept UTC days (zone NULL).
        if "zone" not in stored_columns(conn, "store_state"):
            conn.exec_driver_sql("ALTER TABLE store_state ADD COLUMN zone TEXT")


_SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "id": "BIGINT", "num": "DOUBLE PRECISION", "bool": "BOOLEAN",
              "date": "DATE", "ts": "TIMESTAMP"}  # fmt: skip


def company_zone(conn: Connection) -> str | None:
    """company.timezone (None: UTC, no company yet, or a database made
    before the column)."""
    from .calendars import is_utc

    if "timezone" not in stored_columns(conn, "company"):
        return None
    zone = conn.execute(sa.text("SELECT MAX(timezone) FROM company")).one()[0]  # (.one(): see store_zone)
    return None if zone is None or is_utc(zone) else str(zone)


def stored_columns(conn: Connection, name: str) -> list[str]:
    """The columns table `name` has in this database (an older one may lack
    an optional column of the contract)."""
    # (No inspector: duckdb-engine's reads PostgreSQL's catalogue.)
    result = conn.exec_driver_sql(f"SELECT * FROM {name} WHERE 1 = 0")
    try:
        return list(result.keys())
    finally:
        result.close()  # DuckDB refuses the next statement while a result is open


def readable_columns(conn: Connection, name: str, columns: Sequence[str]) -> list[str]:
    """`columns` without the optional ones this database lacks."""
    optional = {c.name for c in TABLES[name].columns if c.optional}
    if not optional & set(columns):
        return list(columns)
    have = set(stored_columns(conn, name))
    return [c for c in columns if c in have or c not in optional]


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for name, t in SA_TABLES.items()
        }


def is_empty(engine: Engine) -> bool:
    return all(n == 0 for n in table_counts(engine).values())


# --- typed reads ----------------------------------------------------------------


def as_date(value: object) -> dt.date:
    """A DATE (or the date of a TIMESTAMP) as a driver returns it: SQLite's are ISO text."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def as_timestamp(value: object) -> dt.datetime:
    """A TIMESTAMP as a driver returns it: SQLite's are ISO text."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def to_datetime(s: pl.Series) -> pl.Series:
    if s.dtype == pl.String:
        return s.str.strip_chars().str.replace("T", " ").str.to_datetime(time_unit="us", strict=False)
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
    absent: list[str] = []
    if any(table.column(c).optional for c in cols):  # an older database may lack it: NULL then
        if isinstance(engine, Engine):
            with engine.connect() as conn:
                present = readable_columns(conn, name, cols)
        else:
            present = readable_columns(engine, name, cols)
        absent = [c for c in cols if c not in present]
    query = sa.select(*[sa_table.c[c] for c in cols if c not in absent])
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
    except DRIVER_ERRORS as exc:
        raise DatabaseError(describe_db_error(exc)) from exc
    if df.height == 0:
        return pl.DataFrame(schema=schema)
    typed = type_frame(df, table)
    if absent:
        typed = typed.with_columns(pl.lit(None, schema[c]).alias(c) for c in absent)
    return typed.select(cols)


def fetch(conn: Connection, query: sa.Select) -> pl.DataFrame:
    """Run a query, frame as the backend hands it back (untyped). Raises
    DatabaseError (one line, no password) when the database fails."""
    try:
        return _fetch(conn, query)
    except DRIVER_ERRORS as exc:
        raise DatabaseError(describe_db_error(exc)) from exc


def fetch_sql(conn: Connection, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Run SQL text with bound parameters (those of `params` it names); the
    frame as the backend hands it back (untyped)."""
    stmt = sa.text(sql)
    used = {k: v for k, v in (params or {}).items() if f":{k}" in sql}
    return _fetch(conn, stmt.bindparams(**used) if used else stmt)


def _fetch(conn: Connection, query: sa.Executable) -> pl.DataFrame:
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


# Errors a database driver raises outside SQLAlchemy (DuckDB's Arrow reads go
# straight to its connection), besides SQLAlchemy's own.
DRIVER_ERRORS: tuple[type[BaseException], ...] = (sa.exc.SQLAlchemyError, duckdb.Error)


_MISSING_TABLE = re.compile(
    r"Table with name \w+ does not exist|no such table|relation \"\w+\" does not exist|TABLE_OR_VIEW_NOT_FOUND"
)


def describe_db_error(exc: BaseException) -> str:
    """One line a person can act on, with no password in it."""
    orig = getattr(exc, "orig", None) or exc
    first = _first(orig)
    lock = re.search(r"Could not set lock on file \"(?P<file>[^\"]+)\".*?\(PID (?P<pid>\d+)\)", first)
    if lock:
        first = (
            f"{lock['file']} is in use by another process (PID {lock['pid']}), "
            f"still after waiting {lock_wait_seconds():g} s; try again when it has finished"
        )
    elif "database is locked" in first:
        first = (
            "the database is locked by another writer, still after waiting; try again when it has finished"
        )
    elif _MISSING_TABLE.search(first):
        first += " (is this a Purpose Metrics database? `purpose-metrics init` creates the tables)"
    elif first.startswith("Out of Memory Error"):
        first += (
            f" (an import lets DuckDB use {import_memory()}, and its unique indexes must fit in it: "
            f"set {ENV_IMPORT_MEMORY} higher, for example 4GB for thirty million orders, and import again)"
        )
    return redact(f"database error: {first}")


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
        raise DatabaseError(
            f"could not write {name}: {describe_db_error(exc).removeprefix('database error: ')}"
        ) from exc


def insert_rows(conn: Connection, name: str, df: pl.DataFrame) -> None:
    """Append a frame to any table (the fact store's, a temporary one)
    inside the caller's transaction, in the backend's bulk path."""
    if df.height == 0:
        return
    if conn.dialect.name != "sqlite":
        _insert(conn, name, df)
        return
    # SQLite keeps dates and timestamps as ISO text.
    df = df.with_columns(
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"), pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S.%6f")
    )
    marks = ", ".join("?" * df.width)
    conn.exec_driver_sql(
        f"INSERT INTO {name} ({', '.join(df.columns)}) VALUES ({marks})", list(df.iter_rows())
    )


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
    elif name in SA_TABLES:
        conn.execute(SA_TABLES[name].insert(), df.to_dicts())
    else:
        insert_rows(conn, name, df)
