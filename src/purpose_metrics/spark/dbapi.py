"""A DB-API 2.0 module over a SparkSession (PEP 249): the process's own
(session.py: a `newSession()` of it per connection) or a Spark Connect
server's (one session per place, shared by the connections); both kinds
take the same calls here (`spark.sql(...).toArrow()`, `spark.conf`).

SQLAlchemy's `spark` dialect (dialect.py) drives it. Named parameters
(`:name`, paramstyle "named") go to `spark.sql(sql, args=...)` as they are,
which is how Spark SQL binds them; a naive datetime is an instant in UTC.
Every statement runs when executed; its rows come back through Arrow, a
timestamp as a naive UTC datetime. On Spark Connect a statement the server
cannot run because the connection's session is gone from it, or because
the session still lists the files of a table another client has replaced
since, runs again once on a new session. Transactions do not exist in Spark:
commit and rollback do nothing (the loader makes each table's replacement
atomic by itself: load.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UsageError
from . import session as sessions
from .catalog import contract_problems, is_unresolved, register_tables
from .session import SESSION_CONF, Place, SparkUnavailable, place

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "named"


class Warning(Exception):  # noqa: A001 - the name PEP 249 gives it
    pass


class Error(Exception):
    pass


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


STRING, NUMBER, DATETIME, BINARY, ROWID = "STRING", "NUMBER", "DATETIME", "BINARY", "ROWID"


def connect(create: bool = False, **parts: Any) -> SparkConnection:
    """A connection to the database that a URL's parts name (dialect.py
    reads them, session.place checks them): `database` of the warehouse
    folder `warehouse`, the work run by `master` (local, local-cluster or a
    standalone cluster's spark://HOST:PORT) with the `spark.*` settings
    `conf`; or, with `remote` (a Spark Connect string, sc://HOST:PORT/;...),
    `database` of that server. Reading never creates anything: a missing
    warehouse or database is an OperationalError naming it; `create`
    (purpose-metrics init) makes both."""
    try:
        where = place(**parts)
    except (TypeError, ValueError) as exc:
        raise InterfaceError(str(exc)) from None
    if where.is_connect:
        try:
            return SparkConnection(sessions.connect_session(where, create), where)
        except SparkUnavailable as exc:
            raise OperationalError(str(exc)) from None
    if not create and not where.location.is_dir():
        missing = f"database {where.database} in the " if where.warehouse.is_dir() else ""
        raise OperationalError(
            f"there is no {missing}Spark warehouse at {where.warehouse}: create it with `purpose-metrics init`"
        )
    try:
        spark = sessions.session(where)
    except SparkUnavailable as exc:
        raise OperationalError(str(exc)) from None
    conn = SparkConnection(spark.newSession(), where)
    for key, value in SESSION_CONF.items():  # a new session starts from the context's settings
        conn.spark.conf.set(key, value)
    if create:
        where.warehouse.mkdir(parents=True, exist_ok=True)
    # This process's catalog learns of the database (its folder is there, or
    # `create`): Spark's in-memory catalog starts empty in every process.
    conn._run(f"CREATE DATABASE IF NOT EXISTS {where.database}")
    conn._run(f"USE {where.database}")
    register_tables(conn)
    return conn


# Spark Connect errors after which a statement runs again on a new session:
# the server no longer knows the session (restarted, or timed out), or the
# session read a table whose files another client has since replaced.
_RENEW = (
    "SESSION_NOT_FOUND",
    "SESSION_CLOSED",
    "SESSION_CHANGED",
    "NO_ACTIVE_SESSION",
    "FAILED_READ_FILE.FILE_NOT_EXIST",
)


class SparkConnection:
    def __init__(self, spark, where: Place):
        self.spark, self.where = spark, where

    def _run(self, sql: str, args: Mapping[str, Any] | None = None):
        """The Arrow table of one statement (DatabaseError with Spark's
        first line; UsageError naming what the database lacks of the data
        contract, when Spark could not find a table or a column of it)."""
        try:
            return self._arrow(sql, args)
        except Exception as exc:
            failed = exc
        if self.where.is_connect and any(name in str(failed) for name in _RENEW):
            try:
                self.spark = sessions.renew(self.where, self.spark)
                return self._arrow(sql, args)
            except SparkUnavailable as exc:
                raise OperationalError(str(exc)) from None
            except Exception as exc:
                failed = exc
        problems = self._contract_problems() if is_unresolved(str(failed)) else None
        if problems:
            raise UsageError(
                f"the Spark database {self.where.database} ({self.where.shown()}) does not hold the data "
                f"contract: {'; '.join(problems)} (`purpose-metrics init` and `import FOLDER` write its tables)"
            ) from None
        raise _error(failed) from None

    def _contract_problems(self) -> list[str] | None:
        try:
            return contract_problems(self.spark)
        except Exception:  # the database cannot say: Spark's own error stands
            return None

    def _arrow(self, sql: str, args: Mapping[str, Any] | None):
        return self.spark.sql(sql, args=dict(args) if args else None).toArrow()

    def cursor(self) -> Cursor:
        return Cursor(self)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass  # the session stays for the next connection


class Cursor:
    arraysize = 1000

    def __init__(self, connection: SparkConnection):
        self.connection = connection
        self.description: list[tuple] | None = None
        self.rowcount = -1
        self._rows: list[tuple] = []
        self._at = 0

    def execute(self, operation: str, parameters: Mapping[str, Any] | None = None) -> Cursor:
        args = {k: _arg(v) for k, v in (parameters or {}).items()}
        table = self.connection._run(operation, args)
        if table.num_columns == 0:
            self.description, self._rows = None, []
        else:
            self.description = [
                (f.name, _type_code(f.type), None, None, None, None, True) for f in table.schema
            ]
            columns = [_values(table.column(i)) for i in range(table.num_columns)]
            self._rows = list(zip(*columns, strict=True))
        self._at = 0
        self.rowcount = len(self._rows) if self.description else -1
        return self

    def executemany(self, operation: str, seq_of_parameters: Sequence[Mapping[str, Any]]) -> Cursor:
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
        return self

    def fetchone(self) -> tuple | None:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        size = self.arraysize if size is None else size
        out = self._rows[self._at : self._at + size]
        self._at += len(out)
        return out

    def fetchall(self) -> list[tuple]:
        out = self._rows[self._at :]
        self._at = len(self._rows)
        return out

    def close(self) -> None:
        self._rows = []

    def setinputsizes(self, sizes) -> None:
        pass

    def setoutputsize(self, size, column=None) -> None:
        pass


def _arg(value: Any) -> Any:
    """A bound value as Spark takes it: a naive datetime is a UTC instant
    (pyspark would read it in this machine's zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _values(column) -> list:
    import pyarrow as pa

    values = column.to_pylist()
    if pa.types.is_timestamp(column.type) and column.type.tz is not None:
        return [None if v is None else v.astimezone(dt.UTC).replace(tzinfo=None) for v in values]
    return values


def _type_code(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return DATETIME
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return NUMBER
    if pa.types.is_binary(arrow_type):
        return BINARY
    return STRING


def _error(exc: Exception) -> DatabaseError:
    """Spark's error as a DB-API one: its first line (the error class and
    what it names), without the JVM's stack."""
    first = sessions.first_line(exc)
    name = type(exc).__name__
    if name in ("AnalysisException", "ParseException"):
        return ProgrammingError(first)
    return OperationalError(first)
