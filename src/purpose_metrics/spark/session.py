"""The Spark session of this process, and where a database's tables live.

Two kinds of URL (Place):

- `spark+local:///ABS/PATH/warehouse?database=NAME&master=local[2]`: the
  work runs on this machine (threads of this process, or `local-cluster`
  executor processes);
- `spark://HOST:7077?warehouse=/ABS/PATH&database=NAME`: the work runs on
  a standalone cluster's workers; the driver stays in this process. The
  URL before `?` is the master's own URL (as its log and `spark-submit
  --master` name it), and the warehouse is a parameter: it is not a place on
  the master's host but a folder that this process and every worker see
  under the same path (a shared mount; the same machine in the tests);

The catalog is Spark's in-memory one, rebuilt from the
folder: each table is a folder of Parquet files at
`<warehouse>/<database>.db/<table>` (Spark's own layout; the `default`
database keeps its tables at the warehouse's top), registered on each
connection when this process has not yet seen it (catalog.py). No Hive
metastore: its embedded Derby database admits one process at a time, and
the dashboard and the CLI read one warehouse at once. One SparkSession per
process (a JVM and its executors are started once and reused); each DB-API
connection is a `newSession()` of it, with its own current database and
its own cache of file listings, so it sees what another process wrote
since.
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
# Shuffles of the fact queries are small (one row per scope and period):
# Spark's default of 200 partitions would schedule 200 tasks for each.
SHUFFLE_PARTITIONS = "4"
# The SQL settings of every session: instants are stored and compared in UTC, as on every engine here.
SESSION_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.shuffle.partitions": SHUFFLE_PARTITIONS}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class SparkUnavailable(Exception):
    """pyspark or Java is missing, or the session could not start; the message says which."""


@dataclass(frozen=True)
class Place:
    """A Spark URL's database, its warehouse folder and the master that runs the work."""

    warehouse: Path
    database: str
    master: str
    conf: tuple[tuple[str, str], ...] = ()  # spark.* settings the URL names

    @property
    def location(self) -> Path:
        """The folder of the database's tables."""
        return self.warehouse if self.database == "default" else self.warehouse / f"{self.database}.db"


def place(
    warehouse: str | None = None,
    database: str | None = None,
    master: str | None = None,
    conf: dict[str, str] | None = None,
) -> Place:
    """The Place of a URL's parts (dialect.py reads them from the URL);
    ValueError saying what is wrong."""
    database = database or "default"
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
    return Place(path, database, master, tuple(sorted((conf or {}).items())))


_LOCK = threading.Lock()
_SESSION = None
_STARTED: tuple | None = None  # (master, warehouse, conf) of the session
_AT_EXIT = False


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
    """End this process's Spark session; the next connection starts anew
    (with the master its URL names)."""
    global _SESSION, _STARTED
    with _LOCK:
        if _SESSION is not None:
            _stop(_SESSION)
        _SESSION, _STARTED = None, None


def missing_reason() -> str | None:
    """What this machine lacks to run Spark (pyspark, Java), None when nothing."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        return (
            "pyspark is not installed here: `pip install pyspark` (the project pins it in requirements.txt)"
        )
    if not _java_found():
        return (
            "Spark needs Java 17 and there is no `java` here: install it (Debian: openjdk-17-jre-headless) "
            "or set JAVA_HOME"
        )
    return None


def _quiet_pyspark() -> None:
    import warnings

    # pyspark warns on importing its Arrow code that pandas 3 is
    # new to it; nothing here goes through pandas.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)


def _start(where: Place):
    reason = missing_reason()
    if reason:
        raise SparkUnavailable(reason)
    _quiet_pyspark()
    from pyspark import SparkConf, SparkContext
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
        spark = SparkSession(SparkContext(conf=conf))
    except Exception as exc:  # the JVM or the context did not start: say why, in one line
        raise SparkUnavailable(f"Spark did not start: {first_line(exc)}") from None
    global _AT_EXIT
    if not _AT_EXIT:
        # Stopped before the interpreter exits (registered after pyspark's
        # own hooks, so it runs before them): a cluster's workers left to the
        # JVM's shutdown would start new executors while it goes down.
        atexit.register(stop)
        _AT_EXIT = True
    spark.sparkContext.setLogLevel("ERROR")
    for key, value in SESSION_CONF.items():
        spark.conf.set(key, value)
    return spark


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


def first_line(exc: BaseException) -> str:
    """An exception's first line (Spark's error class and what it names), without the JVM's stack."""
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
