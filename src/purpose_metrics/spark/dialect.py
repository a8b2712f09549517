"""SQLAlchemy's `spark` dialect, over the DB-API module of dbapi.py.

Registered (db.py) for `spark+local:///ABS/PATH/warehouse?database=NAME`
and the optional `&master=local[N]` or `&master=local-cluster[W,C,MB]`
(executors in W processes of this machine). What it compiles is what the
app writes with SQLAlchemy: small selects, counts, DISTINCT, unions, IN
subqueries, outer joins. Its SQL is ANSI as SQLAlchemy writes it, with
identifiers in backticks and LIMIT as a literal; the fact SQL comes as
text, carried to Spark SQL by sqlglot (transpile.py, dialect "spark").

`spark://HOST:7077` (a standalone cluster) and `sc://HOST:15002` (Spark
Connect, Databricks Connect) are known URLs that this version refuses with
a clear line (SparkServerDialect).
"""

from __future__ import annotations

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
        query = dict(url.query)
        unknown = sorted(set(query) - {"database", "master"})
        if unknown:
            raise sa.exc.ArgumentError(
                f"a spark+local URL takes database= and master=, not {', '.join(unknown)}"
            )
        if url.host or url.username:
            raise sa.exc.ArgumentError(
                "a spark+local URL names a folder on this machine: spark+local:///ABS/PATH/warehouse"
            )
        return [], {"warehouse": url.database or "", "database": query.get("database"),
                    "master": query.get("master")}  # fmt: skip

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


class SparkServerDialect(SparkDialect):
    """`spark://` and `sc://`: not in this version (a later one runs them)."""

    supports_statement_cache = True

    def create_connect_args(self, url: sa.URL):
        raise sa.exc.ArgumentError(
            "spark:// (a standalone cluster) and sc:// (Spark Connect) URLs are not supported yet: use "
            "spark+local:///ABS/PATH/warehouse?database=NAME (a Spark session on this machine)"
        )


def register() -> None:
    """Make the URLs known to SQLAlchemy (pyspark is imported only on connecting)."""
    from sqlalchemy.dialects import registry

    registry.register("spark.local", __name__, "SparkDialect")
    registry.register("spark", __name__, "SparkServerDialect")
    registry.register("sc", __name__, "SparkServerDialect")
