"""SQLAlchemy's `spark` dialect, over the DB-API module of dbapi.py.

Registered (db.py) for

- `spark+local:///ABS/PATH/warehouse?database=NAME` and the optional
  `&master=local[N]` or `&master=local-cluster[W,C,MB]` (executors in W
  processes of this machine): SparkDialect;
- `spark://HOST:7077?warehouse=/ABS/PATH&database=NAME`: a standalone
  cluster's master, as the master names itself, with the warehouse folder
  as a parameter (a path that this process and every worker see; it is no
  place on the master's host, which the URL's path would suggest):
  SparkClusterDialect;
- `sc://HOST:15002?database=NAME`: a Spark Connect server (Databricks
  Connect too): SparkConnectDialect. The URL's password is the server's
  bearer token (`sc://:TOKEN@HOST:443?...`: masked wherever a URL is shown,
  as every password is), its user the Connect user_id; every other
  parameter goes into the Connect string as it is (`use_ssl=true`,
  `x-databricks-cluster-id=ID`, `session_id=...`). The database may name
  its catalog: `database=CATALOG.SCHEMA`.

On the first two, any `spark.NAME=VALUE` parameter is a setting of the
session (`spark.executor.memory=2g`, `spark.cores.max=4`,
`spark.driver.host=...`).

What it compiles is what the app writes with SQLAlchemy: small selects,
counts, DISTINCT, unions, IN subqueries, outer joins. Its SQL is ANSI as
SQLAlchemy writes it, with identifiers in backticks and LIMIT as a literal;
the fact SQL comes as text, carried to Spark SQL by sqlglot (transpile.py,
dialect "spark").
"""

from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import default
from sqlalchemy.sql import compiler

from . import DIALECT


class SparkCompiler(compiler.SQLCompiler):
    def limit_clause(self, select, **kw):
        # Spark wants LIMIT and OFFSET as constants.
        text = ""
        if select._limit is not None:
            text += f"\n LIMIT {int(select._limit)}"
        if select._offset is not None:
            text += f"\n OFFSET {int(select._offset)}"
        return text


class SparkTypeCompiler(compiler.GenericTypeCompiler):
    def visit_TEXT(self, type_, **kw):
        return "STRING"

    def visit_VARCHAR(self, type_, **kw):
        return "STRING"

    def visit_DOUBLE(self, type_, **kw):
        return "DOUBLE"

    def visit_FLOAT(self, type_, **kw):
        return "DOUBLE"

    def visit_DATETIME(self, type_, **kw):
        return "TIMESTAMP"


class SparkIdentifierPreparer(compiler.IdentifierPreparer):
    def __init__(self, dialect):
        super().__init__(dialect, initial_quote="`")


class SparkDialect(default.DefaultDialect):
    name = DIALECT
    driver = "local"
    supports_statement_cache = True
    default_paramstyle = "named"
    supports_native_boolean = True
    supports_native_decimal = True
    supports_sane_rowcount = False
    supports_sane_multi_rowcount = False
    supports_sequences = False
    supports_default_values = False
    supports_empty_insert = False
    supports_multivalues_insert = True
    postfetch_lastrowid = False
    insert_returning = update_returning = delete_returning = False
    statement_compiler = SparkCompiler
    type_compiler_cls = SparkTypeCompiler
    preparer = SparkIdentifierPreparer

    @classmethod
    def import_dbapi(cls):
        from . import dbapi

        return dbapi

    def create_connect_args(self, url: sa.URL):
        query, conf = _parameters(url, "a spark+local URL", {"database", "master"})
        if url.host or url.username:
            raise sa.exc.ArgumentError(
                "a spark+local URL names a folder on this machine: spark+local:///ABS/PATH/warehouse"
            )
        return [], {"warehouse": url.database or "", "database": query.get("database"),
                    "master": query.get("master"), "conf": conf}  # fmt: skip

    def _get_server_version_info(self, connection):
        from pyspark import __version__

        return tuple(int(p) for p in __version__.split(".")[:3] if p.isdigit())

    def _get_default_schema_name(self, connection):
        return connection.connection.dbapi_connection.where.database

    def get_isolation_level(self, dbapi_connection):
        raise NotImplementedError("Spark has no transactions")

    def do_ping(self, dbapi_connection) -> bool:
        return True

    def has_table(self, connection, table_name, schema=None, **kw) -> bool:
        return table_name.lower() in self.get_table_names(connection, schema)

    def get_table_names(self, connection, schema=None, **kw) -> list[str]:
        where = f" IN {schema}" if schema else ""
        rows = connection.exec_driver_sql(f"SHOW TABLES{where}").all()
        return [row[1] for row in rows if not row[2]]  # (namespace, name, is temporary)


class SparkClusterDialect(SparkDialect):
    """`spark://HOST:PORT?warehouse=/ABS/PATH&database=NAME`: the driver in
    this process, the work on a standalone cluster's workers."""

    driver = "cluster"
    supports_statement_cache = True

    def create_connect_args(self, url: sa.URL):
        query, conf = _parameters(url, "a spark:// URL", {"warehouse", "database"})
        if not url.host or url.username or url.password:
            raise sa.exc.ArgumentError(
                "a spark:// URL names its master: spark://HOST:7077?warehouse=/ABS/PATH"
            )
        if url.database:
            raise sa.exc.ArgumentError(
                "a spark:// URL names its warehouse as a parameter, not a path: "
                "spark://HOST:7077?warehouse=/ABS/PATH&database=NAME"
            )
        host = f"[{url.host}]" if ":" in url.host else url.host
        return [], {"warehouse": query.get("warehouse"), "database": query.get("database"),
                    "master": f"spark://{host}:{url.port or 7077}", "conf": conf}  # fmt: skip


class SparkConnectDialect(SparkDialect):
    """`sc://HOST:PORT?database=NAME`: a Spark Connect server runs the SQL
    and keeps the tables."""

    driver = "connect"
    supports_statement_cache = True

    def create_connect_args(self, url: sa.URL):
        if not url.host:
            raise sa.exc.ArgumentError("an sc:// URL names its server: sc://HOST:15002?database=NAME")
        if url.database:
            raise sa.exc.ArgumentError(
                "an sc:// URL names its database as a parameter, not a path: sc://HOST:15002?database=NAME"
            )
        query = {k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()}
        database = query.pop("database", None)
        params = {"user_id": url.username, "token": url.password, **query}
        host = f"[{url.host}]" if ":" in url.host else url.host
        remote = f"sc://{host}:{url.port or 15002}/" + "".join(
            f";{k}={quote(str(v), safe='')}" for k, v in params.items() if v
        )
        return [], {"remote": remote, "database": database}


# Settings the URL's own parts make (the warehouse is a folder of tables
# found by each process, not a Hive metastore).
_SET_BY_THE_URL = {
    "spark.master",
    "spark.remote",
    "spark.sql.warehouse.dir",
    "spark.sql.catalogImplementation",
}


def _parameters(url: sa.URL, what: str, known: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the URL's parameters of `known`, its spark.* settings); ArgumentError for any other."""
    query = {k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()}
    conf = {k: v for k, v in query.items() if k.startswith("spark.")}
    fixed = sorted(set(conf) & _SET_BY_THE_URL)
    if fixed:
        raise sa.exc.ArgumentError(f"{what} sets {', '.join(fixed)} itself")
    unknown = sorted(set(query) - known - set(conf))
    if unknown:
        raise sa.exc.ArgumentError(
            f"{what} takes {', '.join(f'{k}=' for k in sorted(known))} and spark.* settings, "
            f"not {', '.join(unknown)}"
        )
    return query, conf


def register() -> None:
    """Make the URLs known to SQLAlchemy (pyspark is imported only on connecting)."""
    from sqlalchemy.dialects import registry

    registry.register("spark.local", __name__, "SparkDialect")
    registry.register("spark", __name__, "SparkClusterDialect")
    registry.register("sc", __name__, "SparkConnectDialect")
