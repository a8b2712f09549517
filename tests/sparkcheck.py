"""What the Spark test modules share (besides compare.py's comparisons with
the in-memory path on DuckDB): the worked example loaded through the CLI,
the periods compared, and the Spark processes a module starts with pyspark's own launcher (a standalone master
and its workers), stopped with everything they started.

Each Spark module starts its cluster once and stops the process's Spark
session when it ends (`session.stop()`): one session per process, and
`make test` runs the modules marked `xdist_group("spark")` one after the
other on one worker (`--dist loadgroup`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from compare import kpi_mismatches

from purpose_metrics import cli, db, reading
from purpose_metrics.metrics import kpi_frame
from purpose_metrics.metrics.dataset import UNKNOWN, Filters
from purpose_metrics.periods import Periods

PERIODS = [
    ("--week", "2026-W10"),
    ("--week", "2026-W25", "--brand", "alpine"),
    ("--from", "2025-01-01", "--to", "2026-01-01"),
]


# Filters of every kind (the UNKNOWN choices keep customers without the attribute).
FILTERS = {
    "channel+segment": Filters(channel=("web",), segment=("new", "loyal")),
    "region+purpose with unknown": Filters(region=("north", UNKNOWN), customer_purpose=("replace", UNKNOWN)),
}


def assert_same_filtered_kpis(url: str, duck: str, filters: Filters) -> None:
    """A quarter's kpis under `filters` on Spark (pushdown) equal the in-memory path on DuckDB."""
    quarter = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    memory = reading.load_dataset(db.make_engine(duck), mode="memory")
    pushed = reading.load_dataset(db.make_engine(url), mode="pushdown")
    a, b = kpi_frame(memory, quarter, filters=filters), kpi_frame(pushed, quarter, filters=filters)
    assert a.height == b.height > 0
    assert a.filter(pl.col("value").is_not_null()).height > 0
    assert kpi_mismatches(a, b) == []


def load_example(url: str, example_dir: Path) -> None:
    """`init`, then `import FOLDER` of the worked example, through the CLI."""
    load_folder(url, example_dir / "data")


def load_folder(url: str, folder: Path) -> None:
    """`init`, then `import FOLDER`, through the CLI."""
    assert cli.main(["--db", url, "init"]) == 0
    assert cli.main(["--db", url, "import", str(folder)]) == 0


def kpis_in_another_process(url: str, *args: str) -> tuple[pl.DataFrame, str]:
    """`kpis --format json` run as a command of its own: (its rows, its
    stderr, which holds nothing but the command's own lines: no JVM
    banner, no Spark log, no pyspark warning)."""
    done = subprocess.run(
        [sys.executable, "-m", "purpose_metrics.cli", "--db", url, "kpis", *args, "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr and all(line.startswith("purpose-metrics: ") for line in done.stderr.splitlines()), (
        done.stderr
    )
    return pl.DataFrame(json.loads(done.stdout), infer_schema_length=None), done.stderr


def pyspark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemons:
    """Spark processes started here, each in a process group of its own (a
    worker's executors are its children), their output in `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.procs: list[subprocess.Popen] = []
        # The daemons bind where they are told; no REST submission port (6066) left open.
        self.env = {**os.environ, "SPARK_HOME": str(pyspark_home()), "SPARK_LOCAL_IP": "127.0.0.1",
                    "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false"}  # fmt: skip

    def start(self, name: str, *args: str) -> Path:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as out:
            self.procs.append(
                subprocess.Popen(
                    [str(pyspark_home() / "bin" / args[0]), *args[1:]],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=self.env,
                    cwd=self.folder,
                    start_new_session=True,
                )  # fmt: skip
            )
        return log

    def wait_for(self, log: Path, text: str, count: int = 1, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while log.read_text(errors="replace").count(text) < count:
            dead = [p.args[1:3] for p in self.procs if p.poll() is not None]
            assert not dead, f"a Spark process ended: {dead}; see {log}"
            assert time.monotonic() < deadline, f"no {text!r} x{count} in {log} after {seconds} s"
            time.sleep(0.25)

    def stop(self) -> None:
        """SIGTERM to each group (last started first), SIGKILL to what is left after 30 s."""
        for proc in reversed(self.procs):
            _signal(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in reversed(self.procs):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal(proc.pid, signal.SIGKILL)
        for proc in self.procs:
            proc.wait(10)
            gone = time.monotonic() + 10  # a worker's executors, killed with it, are reaped by init
            while _group_alive(proc.pid) and time.monotonic() < gone:
                time.sleep(0.1)
            assert not _group_alive(proc.pid), f"processes of {proc.args[1]} are left"


def _signal(group: int, sig: int) -> None:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


class StandaloneCluster(Daemons):
    """A standalone master and its workers (one core and 1 GB each) on this
    machine, started with pyspark's `bin/spark-class` as `sbin/start-
    master.sh` and `start-worker.sh` would (pyspark's wheel ships neither).
    The caller stops it (`stop()`), whether or not `up` got through."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.url = f"spark://127.0.0.1:{free_port()}"

    def up(self, workers: int = 2) -> None:
        port = self.url.rsplit(":", 1)[1]
        master = self.start("master", "spark-class", "org.apache.spark.deploy.master.Master",
                            "--host", "127.0.0.1", "--port", port, "--webui-port", "0")  # fmt: skip
        for n in range(workers):  # (a worker tries the master until it answers)
            work = self.folder / f"worker{n}"
            work.mkdir()
            self.start(f"worker{n}", "spark-class", "org.apache.spark.deploy.worker.Worker", self.url,
                       "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", "0",
                       "--work-dir", str(work))  # fmt: skip
        self.wait_for(master, "I have been elected leader")
        self.wait_for(master, "Registering worker", count=workers)


class ConnectServer(Daemons):
    """A Spark Connect server on this machine, run by pyspark's
    `bin/spark-submit` as `sbin/start-connect-server.sh --wait` runs it (in
    the foreground, so that the test holds its process): master local[2],
    its warehouse a folder here, answering on 127.0.0.1:`port` to clients
    that bring its bearer `token`. Its JVM's time zone is not UTC (TZ), so
    a client that left the session's zone alone would cut days elsewhere."""

    def __init__(self, folder: Path, token: str):
        super().__init__(folder)
        self.port, self.token = free_port(), token
        self.warehouse = folder / "warehouse"
        self.env["TZ"] = "America/New_York"

    def up(self) -> None:
        conf = {
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.connect.authenticate.token": self.token,
            "spark.sql.warehouse.dir": str(self.warehouse),
            "spark.ui.enabled": "false",
        }
        args = [a for k, v in conf.items() for a in ("--conf", f"{k}={v}")]
        log = self.start("connect", "spark-submit", "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
                         "--name", "purpose-metrics-tests", "--master", "local[2]", *args)  # fmt: skip
        self.wait_for(log, "Spark Connect server started at")

    def url(self, database: str, token: str | None = None) -> str:
        """The sc:// URL of a database (the token as the URL's password; the
        host "localhost": pyspark sends a token without TLS only there)."""
        return f"sc://:{token or self.token}@localhost:{self.port}?database={database}"
