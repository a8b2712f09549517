"""The one SparkSession of this process, and where a database's tables live.

A Spark URL names a warehouse folder and a database in it. The catalog is
Spark's in-memory one, rebuilt from the folder: each table is a folder of
Parquet files at `<warehouse>/<database>.db/<table>` (Spark's own layout;
the `default` database keeps its tables at the warehouse's top), registered
on each connection when this process has not yet seen it. No Hive metastore:
its embedded Derby database admits one process at a time, and the dashboard
and the CLI read one warehouse at once.

One SparkSession per process (a JVM and its executors are started once and
reused); each DB-API connection is a `newSession()` of it, with its own
current database and its own cache of file listings, so it sees what
another process wrote since.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

# Spark's master when the URL names none: this machine, two threads.
DEFAULT_MASTER = "local[2]"
# Masters a spark+local URL may name: threads in this process, or a cluster
# of executor processes on this machine (local-cluster[workers,cores,MB]).
_MASTER = re.compile(r"local(\[(\d+|\*)\])?|local-cluster\[\d+,\s*\d+,\s*\d+\]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Shuffles of the fact queries are small (one row per scope and period):
# Spark's default of 200 partitions would schedule 200 tasks for each.
SHUFFLE_PARTITIONS = "4"
# The SQL settings of every session: instants are stored and compared in UTC, as on every engine here.
SESSION_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.shuffle.partitions": SHUFFLE_PARTITIONS}


class SparkUnavailable(Exception):
    """pyspark or Java is missing, or the session could not start; the message says which."""


@dataclass(frozen=True)
class Place:
    """A Spark URL's warehouse folder, database and master."""

    warehouse: Path
    database: str
    master: str

    @property
    def location(self) -> Path:
        """The folder of the database's tables."""
        return self.warehouse if self.database == "default" else self.warehouse / f"{self.database}.db"


def place(warehouse: str, database: str | None, master: str | None) -> Place:
    """The Place of a URL's parts; ValueError saying what is wrong."""
    if not warehouse:
        raise ValueError("a spark+local URL names its warehouse folder: spark+local:///ABS/PATH/warehouse")
    path = Path(warehouse if warehouse.startswith("/") else "/" + warehouse)
    database = database or "default"
    if not _NAME.fullmatch(database):
        raise ValueError(f"database={database[:40]!r} is not a name (letters, digits and _)")
    master = master or DEFAULT_MASTER
    if not _MASTER.fullmatch(master):
        raise ValueError(
            f"master={master[:40]!r} is not one a spark+local URL takes: local, local[N] or "
            "local-cluster[WORKERS,CORES,MEGABYTES]"
        )
    return Place(path, database, master)


_LOCK = threading.Lock()
_SESSION = None
_STARTED: tuple[str, Path] | None = None  # (master, warehouse) of the session


def session(where: Place):
    """The process's SparkSession, started on first use for `where`'s master
    and warehouse. A second master or warehouse in one process is refused
    (Spark keeps one per JVM)."""
    global _SESSION, _STARTED
    with _LOCK:
        if _SESSION is not None:
            if _STARTED != (where.master, where.warehouse):
                master, warehouse = _STARTED  # type: ignore[misc]
                raise SparkUnavailable(
                    f"this process already runs Spark with master {master} and warehouse {warehouse}: "
                    "one Spark session per process"
                )
            return _SESSION
        _SESSION = _start(where)
        _STARTED = (where.master, where.warehouse)
        return _SESSION


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


def _start(where: Place):
    reason = missing_reason()
    if reason:
        raise SparkUnavailable(reason)
    import warnings

    from pyspark.sql import SparkSession

    # pyspark warns on each process's first Arrow transfer that pandas 3 is
    # new to it; nothing here goes through pandas.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    utc = "-Duser.timezone=UTC"
    driver = f"{utc} -Dlog4j2.configurationFile={_quiet_logging()}"
    builder = (
        SparkSession.builder.master(where.master)
        .appName("purpose-metrics")
        .config("spark.sql.warehouse.dir", str(where.warehouse))
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.driver.extraJavaOptions", driver)
        .config("spark.executor.extraJavaOptions", utc)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    for key, value in SESSION_CONF.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: say why, in one line
        text = str(exc).strip().splitlines()
        raise SparkUnavailable(f"Spark did not start: {text[0] if text else type(exc).__name__}") from None
    spark.sparkContext.setLogLevel("ERROR")
    # Stopped before the interpreter exits: a cluster's workers left to the
    # JVM's shutdown would start new executors while it goes down.
    atexit.register(_stop, spark)
    return spark


def _stop(spark) -> None:
    """Stop the session; a local cluster's workers kept each executor's log
    in pyspark's own folder (`<pyspark>/work/<application>`): removed."""
    import shutil

    import pyspark

    app = spark.sparkContext.applicationId
    spark.stop()
    if app:
        shutil.rmtree(Path(pyspark.__file__).parent / "work" / app, ignore_errors=True)


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
    prints its start-up and every warning on the command's stderr)."""
    import tempfile

    path = Path(tempfile.gettempdir()) / "purpose-metrics-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOGGING:
        path.write_text(_LOGGING)
    return path


def _java_found() -> bool:
    import shutil

    home = os.environ.get("JAVA_HOME")
    return bool((home and Path(home, "bin", "java").exists()) or shutil.which("java"))
