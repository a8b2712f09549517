"""The Spark sessions of this process, and where a database's tables live.

Three kinds of URL, three places (Place):

- `spark+local:///ABS/PATH/warehouse?database=NAME&master=local[2]`: the
  work runs on this machine (threads of this process, or `local-cluster`
  executor processes);
- `spark://HOST:7077?warehouse=/ABS/PATH&database=NAME`: the work runs on
  a standalone cluster's workers; the driver stays in this process. The
  URL before `?` is the master's own URL (as its log and `spark-submit
  --master` name it), and the warehouse is a parameter: it is not a place on
  the master's host but a folder that this process and every worker see
  under the same path (a shared mount; the same machine in the tests);
- `sc://HOST:15002?database=NAME`: a Spark Connect server (Databricks
  Connect speaks the same protocol) does the work and keeps the catalog;
  this process holds no JVM, only a client. The URL's password is the
  bearer token (`sc://:TOKEN@HOST:443`), its user the Connect user_id, and
  any other parameter goes into the Connect string (`use_ssl=true`,
  `x-databricks-cluster-id=...`).

For the first two, the catalog is Spark's in-memory one, rebuilt from the
folder: each table is a folder of Parquet files at
`<warehouse>/<database>.db/<table>` (Spark's own layout; the `default`
database keeps its tables at the warehouse's top), registered on each
connection when this process has not yet seen it (load.py). No Hive
metastore: its embedded Derby database admits one process at a time, and
the dashboard and the CLI read one warehouse at once. One SparkSession per
process (a JVM and its executors are started once and reused); each DB-API
connection is a `newSession()` of it, with its own current database and
its own cache of file listings, so it sees what another process wrote
since. The JVM's own output (its start-up lines and warnings, Spark's log)
goes to a file (`jvm_log()`), not to the command's stdout and stderr.

For sc://, one Spark Connect session per place and process serves every
connection (a new one costs round trips to the server); dbapi.py replaces it
when the server has dropped it, or when it holds the file listing of a
table that another client has since replaced.
"""

from __future__ import annotations

import atexit
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

# Spark's master when a spark+local URL names none: this machine, two threads.
DEFAULT_MASTER = "local[2]"
# Masters a spark+local URL may name: threads in this process, or a cluster
# of executor processes on this machine (local-cluster[workers,cores,MB]).
_MASTER = re.compile(r"local(\[(\d+|\*)\])?|local-cluster\[\d+,\s*\d+,\s*\d+\]")
_CLUSTER = re.compile(r"spark://[A-Za-z0-9.\-\[\]:]+:\d+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A Spark Connect database may name its catalog too (Unity Catalog: catalog.schema).
_QUALIFIED = re.compile(rf"{_NAME.pattern}(\.{_NAME.pattern})?")
# Shuffles of the fact queries are small (one row per scope and period):
# Spark's default of 200 partitions would schedule 200 tasks for each.
SHUFFLE_PARTITIONS = "4"
# The SQL settings of every session: instants are stored and compared in UTC, as on every engine here.
SESSION_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.shuffle.partitions": SHUFFLE_PARTITIONS}
# How often a Spark Connect client retries a server that does not answer
# (pyspark's default policy waits some ten minutes; this, about 4 s).
CONNECT_RETRIES = 4
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class SparkUnavailable(Exception):
    """pyspark, its Connect client or Java is missing, or the session could
    not start or reach its server; the message says which."""


class MissingDatabase(SparkUnavailable):
    """A Spark Connect server holds no such database (reading creates nothing)."""


@dataclass(frozen=True)
class Place:
    """A Spark URL's database and what holds it: a warehouse folder and the
    master that runs the work (spark+local, spark://), or a Spark Connect
    server (`remote`, its connection string)."""

    database: str
    warehouse: Path | None = None  # (None on Spark Connect: the server keeps the tables)
    master: str = ""
    conf: tuple[tuple[str, str], ...] = ()  # spark.* settings the URL names
    remote: str | None = None

    @property
    def is_connect(self) -> bool:
        return self.remote is not None

    @property
    def location(self) -> Path:
        """The folder of the database's tables (spark+local, spark://)."""
        assert self.warehouse is not None, "a Spark Connect database has no folder here"
        return self.warehouse if self.database == "default" else self.warehouse / f"{self.database}.db"

    @property
    def server(self) -> str:
        """HOST:PORT of a Spark Connect server, without its parameters (a token among them)."""
        return (self.remote or "").removeprefix("sc://").split("/", 1)[0]

    def shown(self) -> str:
        """Where the database is, for messages."""
        if self.is_connect:
            return f"the Spark Connect server at {self.server}"
        return f"the Spark warehouse at {self.warehouse}"


def place(
    warehouse: str | None = None,
    database: str | None = None,
    master: str | None = None,
    conf: dict[str, str] | None = None,
    remote: str | None = None,
) -> Place:
    """The Place of a URL's parts (dialect.py reads them from the URL);
    ValueError saying what is wrong."""
    database = database or "default"
    if remote is not None:
        if not _QUALIFIED.fullmatch(database):
            raise ValueError(
                f"database={database[:40]!r} is not a name (letters, digits and _; or CATALOG.NAME)"
            )
        return Place(database, remote=remote)
    if not _NAME.fullmatch(database):
        raise ValueError(f"database={database[:40]!r} is not a name (letters, digits and _)")
    cluster = master is not None and master.startswith("spark://")
    if not warehouse:
        raise ValueError(
            "a spark:// URL names the warehouse folder that its workers see too: "
            "spark://HOST:7077?warehouse=/ABS/PATH&database=NAME"
            if cluster
            else "a spark+local URL names its warehouse folder: spark+local:///ABS/PATH/warehouse"
        )
    if cluster and not warehouse.startswith("/"):
        raise ValueError(f"warehouse={warehouse[:60]!r} is not an absolute path (the workers resolve it too)")
    path = Path(warehouse if warehouse.startswith("/") else "/" + warehouse)
    master = master or DEFAULT_MASTER
    if cluster and not _CLUSTER.fullmatch(master):
        raise ValueError(f"{master[:60]!r} is not a standalone master's URL (spark://HOST:PORT)")
    if not cluster and not _MASTER.fullmatch(master):
        raise ValueError(
            f"master={master[:40]!r} is not one a spark+local URL takes: local, local[N] or "
            "local-cluster[WORKERS,CORES,MEGABYTES] (a standalone cluster: spark://HOST:7077?warehouse=...)"
        )
    return Place(database, path, master, tuple(sorted((conf or {}).items())))


_LOCK = threading.Lock()
_SESSION = None
_STARTED: tuple | None = None  # (master, warehouse, conf) of the session
_AT_EXIT = False
_REMOTE: dict[Place, object] = {}  # Spark Connect sessions, one per place
_RETIRED: list = []  # Spark Connect sessions replaced (renew), stopped with the others


def session(where: Place):
    """The process's SparkSession, started on first use for `where`'s master,
    warehouse and settings. Another master or warehouse while it runs is
    refused (Spark keeps one per JVM); `stop()` ends it."""
    global _SESSION, _STARTED
    wanted = (where.master, where.warehouse, where.conf)
    with _LOCK:
        if _SESSION is not None:
            if _STARTED != wanted:
                master, warehouse, _ = _STARTED  # type: ignore[misc]
                raise SparkUnavailable(
                    f"this process already runs Spark with master {master} and warehouse {warehouse}: "
                    "one Spark session per process"
                )
            return _SESSION
        _SESSION = _start(where)
        _STARTED = wanted
        return _SESSION


def stop() -> None:
    """End this process's Spark session and its Spark Connect sessions; the
    next connection starts anew (with the master its URL names)."""
    global _SESSION, _STARTED
    with _LOCK:
        if _SESSION is not None:
            _stop(_SESSION)
        _SESSION, _STARTED = None, None
        for remote in [*_REMOTE.values(), *_RETIRED]:
            remote.stop()  # type: ignore[attr-defined]
        _REMOTE.clear()
        _RETIRED.clear()


def missing_reason(connect: bool = False) -> str | None:
    """What this machine lacks to run Spark (pyspark, Java), or with
    `connect` to reach a Spark Connect server (pyspark and its Connect
    client's packages); None when nothing."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        return (
            "pyspark is not installed here: `pip install pyspark` (the project pins it in requirements.txt)"
        )
    if connect:
        lacking = [
            package for module, package in _CONNECT_PACKAGES if importlib.util.find_spec(module) is None
        ]
        if lacking:
            return (
                f"the Spark Connect client needs {', '.join(lacking)}: `pip install {' '.join(lacking)}` "
                "(pinned in requirements.txt)"
            )
        return None
    if not _java_found():
        return (
            "Spark needs Java 17 and there is no `java` here: install it (Debian: openjdk-17-jre-headless) "
            "or set JAVA_HOME"
        )
    return None


# pyspark's `connect` extra, as (module, package).
_CONNECT_PACKAGES = (("grpc", "grpcio"), ("grpc_status", "grpcio-status"),
                     ("google.rpc", "googleapis-common-protos"), ("zstandard", "zstandard"))  # fmt: skip


def _quiet_pyspark() -> None:
    import warnings

    # pyspark warns on importing its Arrow and Connect code that pandas 3 is
    # new to it; nothing here goes through pandas.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    # The Spark Connect client warns when it gives up on a server, which the
    # error raised then says too.
    warnings.filterwarnings("ignore", r"\[RETRIES_EXCEEDED\]", UserWarning)
    # pyspark logs each error of a statement, as JSON with its stack, on
    # stderr before raising it; the error raised says it (dbapi.py: in one line).
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True


def _start(where: Place):
    reason = missing_reason()
    if reason:
        raise SparkUnavailable(reason)
    _quiet_pyspark()
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    utc = "-Duser.timezone=UTC"
    conf = SparkConf().setMaster(where.master).setAppName("purpose-metrics")
    conf.setAll([
        ("spark.sql.warehouse.dir", str(where.warehouse)),
        ("spark.sql.catalogImplementation", "in-memory"),
        ("spark.driver.extraJavaOptions", f"{utc} -Dlog4j2.configurationFile={_quiet_logging()}"),
        ("spark.executor.extraJavaOptions", utc),
        ("spark.ui.enabled", "false"),
        ("spark.ui.showConsoleProgress", "false"),
        ("spark.sql.execution.arrow.pyspark.enabled", "true"),
        *SESSION_CONF.items(),
    ])  # fmt: skip
    host = where.master.removeprefix("spark://").rsplit(":", 1)[0]
    if where.master.startswith("spark://") and host in LOOPBACK:
        # Executors on this machine call the driver back; the machine's name may not resolve to it.
        conf.set("spark.driver.host", "127.0.0.1")
    conf.setAll(list(where.conf))  # the URL's own spark.* settings come last
    try:
        # The JVM's stdout and stderr go to a file: its start-up lines and
        # warnings are not the command's (whose stdout scripts read).
        gateway = None
        if SparkContext._gateway is None:  # (one JVM per process; a stopped session's is reused)
            with open(jvm_log(), "ab") as log:
                gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        spark = SparkSession(SparkContext(conf=conf, gateway=gateway))
    except Exception as exc:  # the JVM or the context did not start: say why, in one line
        raise SparkUnavailable(
            f"Spark did not start: {first_line(exc)} (the JVM's output: {jvm_log()})"
        ) from None
    _stop_at_exit()
    spark.sparkContext.setLogLevel("ERROR")
    for key, value in SESSION_CONF.items():
        spark.conf.set(key, value)
    return spark


def jvm_log() -> Path:
    """Where this user's Spark driver JVMs write their own output (appended)."""
    import getpass

    return Path(tempfile.gettempdir()) / f"purpose-metrics-spark-jvm-{getpass.getuser()}.log"


def _stop_at_exit() -> None:
    """Stop the sessions before the interpreter exits (registered after
    pyspark's own hooks, so it runs before them): a cluster's workers left
    to the JVM's shutdown would start new executors while it goes down, and
    a Spark Connect server would keep each command's session until its idle
    timeout."""
    global _AT_EXIT
    if not _AT_EXIT:
        atexit.register(stop)
        _AT_EXIT = True


def _stop(spark) -> None:
    """Stop the session; a local cluster's workers kept each executor's log
    in pyspark's own folder (`<pyspark>/work/<application>`): removed."""
    import shutil

    import pyspark

    app = spark.sparkContext.applicationId
    local_cluster = spark.sparkContext.master.startswith("local-cluster")
    spark.stop()
    if app and local_cluster:
        shutil.rmtree(Path(pyspark.__file__).parent / "work" / app, ignore_errors=True)


def connect_session(where: Place, create: bool):
    """The Spark Connect session of `where` in this process, its database the
    current one (made first with `create`; else MissingDatabase)."""
    with _LOCK:
        spark = _REMOTE.get(where)
        if spark is None:
            spark = _REMOTE[where] = _start_remote(where, create)
        return spark


def renew(where: Place, old) -> object:
    """A new Spark Connect session in place of `old` (gone from the server,
    or holding the file listing of a table since replaced). `old` is
    stopped with the others (`stop()`), not now: another connection may be
    running a statement on it."""
    with _LOCK:
        if _REMOTE.get(where) is old:
            _RETIRED.append(_REMOTE.pop(where))
    return connect_session(where, create=False)


def _start_remote(where: Place, create: bool):
    reason = missing_reason(connect=True)
    if reason:
        raise SparkUnavailable(reason)
    _quiet_pyspark()
    from pyspark.sql.connect.client.retries import DefaultPolicy
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    try:
        # create(), not getOrCreate(): a session of its own, whatever else this process holds.
        spark = ConnectSession.builder.remote(where.remote).create()
    except Exception as exc:  # a Connect string pyspark refuses
        raise SparkUnavailable(f"cannot connect to {where.shown()}: {first_line(exc)}") from None
    spark.client.set_retry_policies([DefaultPolicy(max_retries=CONNECT_RETRIES, max_backoff=4000)])
    try:
        spark.conf.set("spark.sql.session.timeZone", SESSION_CONF["spark.sql.session.timeZone"])
    except Exception as exc:
        spark.client.close()  # (else its clean-up at exit would try the server again)
        raise SparkUnavailable(f"cannot reach {where.shown()}: {first_line(exc)}") from None
    try:
        spark.conf.set("spark.sql.shuffle.partitions", SHUFFLE_PARTITIONS)
        if create:
            spark.sql(f"CREATE DATABASE IF NOT EXISTS {where.database}").toArrow()
        spark.sql(f"USE {where.database}").toArrow()
    except Exception as exc:
        spark.stop()
        if "SCHEMA_NOT_FOUND" in str(exc) or "NAMESPACE_NOT_FOUND" in str(exc):
            raise MissingDatabase(
                f"there is no database {where.database} on {where.shown()}: create it with "
                "`purpose-metrics init`, or name one it holds (database=NAME)"
            ) from None
        raise SparkUnavailable(f"{where.shown()} refused the session: {first_line(exc)}") from None
    _stop_at_exit()
    return spark


def first_line(exc: BaseException) -> str:
    """An exception's first line (Spark's error class and what it names),
    without the JVM's stack; of a gRPC error (Spark Connect), its details."""
    grpc = re.search(r'details = "([^"\n]+)', str(exc))
    if grpc:
        return grpc[1]
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_LOGGING = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _quiet_logging() -> Path:
    """A log4j2 configuration for the driver: errors only (Spark's default
    logs its start-up and every warning)."""
    path = Path(tempfile.gettempdir()) / "purpose-metrics-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOGGING:
        path.write_text(_LOGGING)
    return path


def _java_found() -> bool:
    import shutil

    home = os.environ.get("JAVA_HOME")
    return bool((home and Path(home, "bin", "java").exists()) or shutil.which("java"))
