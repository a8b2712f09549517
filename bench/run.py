"""`make bench`: the project's own path against the alternatives, at scale.

    python -m bench.run                      # 1M and 10M orders (cached in bench/cache/)
    BENCH_SIZES=200000 python -m bench.run   # a quick run

For each size: generate (Parquet, cached), load into DuckDB through the
project's validated import (cached), copy to SQLite (for the pandas
alternative) and PostgreSQL (pushdown figures); then time, median of
BENCH_REPEATS runs:

  (a) Monday view, cold: a fresh process loads and computes the home page
  (b) Monday view, warm: the same after a filter change, data cached
  (c) `purpose-metrics kpis` for a whole year (fresh process)
  (d) `purpose-metrics cohorts --grain month` (fresh process)
  alternatives: pandas over SQLite, and the same facts as DuckDB SQL
  (pushdown); PostgreSQL in both modes, with the bytes transferred.

Numbers are checked to agree before any time is reported, and the table
is written with the machine's description to bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from bench import pandas_alternative
from bench.workloads import monday_dataset, monday_periods, monday_view, monday_view_pushdown
from purpose_metrics import data, db, pushdown
from purpose_metrics.contract import TABLES
from purpose_metrics.generate import generate
from purpose_metrics.metrics import Filters
from purpose_metrics.progress import ProgressBar
from purpose_metrics.validation import import_folder

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "cache"
RESULTS = ROOT / "RESULTS.md"
PYTHON = sys.executable
CLI = str(Path(sys.executable).parent / "purpose-metrics")
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
# "all", or "postgresql" to re-measure only the dashboard on PostgreSQL (merged
# into the figures already in RESULTS.md).
PARTS = os.environ.get("BENCH_PARTS", "all")
# The dashboard in memory mode reads every row; above this many orders on
# PostgreSQL it runs out of this machine's 24 GiB (BENCH_PG_MEMORY_MAX to change).
PG_MEMORY_MAX_ORDERS = int(os.environ.get("BENCH_PG_MEMORY_MAX", "5000000"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000000,10000000").split(",")]
PG_ADMIN = os.environ.get("PURPOSE_METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- data sets -----------------------------------------------------------------------


def prepare(n: int) -> dict[str, str]:
    CACHE.mkdir(exist_ok=True)
    gen_dir = CACHE / f"gen_{n}"
    if not (gen_dir / ".done").exists():
        log(f"generating {n:,} orders")
        generate(gen_dir, orders=n, seed=7, fmt="parquet", progress=True)
        (gen_dir / ".done").touch()
    duck = CACHE / f"pm_{n}.duckdb"
    if not duck.exists():
        log(f"loading {n:,} orders into DuckDB through the validated import")
        tmp = duck.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        engine = db.make_engine(f"duckdb:///{tmp}", create=True)
        db.create_schema(engine)
        import_folder(engine, gen_dir)
        engine.dispose()
        tmp.rename(duck)
    lite = CACHE / f"pm_{n}.sqlite"
    if not lite.exists():
        log(f"copying {n:,} orders to SQLite")
        copy_to_sqlite(f"duckdb:///{duck}", lite)
    urls = {"duckdb": f"duckdb:///{duck}", "sqlite": f"sqlite:///{lite}"}
    pg = pg_database(n, f"duckdb:///{duck}")
    if pg:
        urls["postgresql"] = pg
    return urls


def copy_to_sqlite(src_url: str, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    engine = db.make_engine(f"sqlite:///{tmp}", create=True)
    db.create_schema(engine)
    engine.dispose()
    src = db.make_engine(src_url)
    con = sqlite3.connect(tmp)
    for name, table in TABLES.items():
        df = db.read_table(src, name)
        # The text forms SQLAlchemy's SQLite dialect writes and reads.
        df = df.with_columns(
            [pl.col(c.name).dt.strftime("%Y-%m-%d %H:%M:%S.%6f") for c in table.columns if c.type == "ts"]
            + [pl.col(c.name).dt.strftime("%Y-%m-%d") for c in table.columns if c.type == "date"]
            + [pl.col(c.name).cast(pl.Int8) for c in table.columns if c.type == "bool"]
        )
        cols = ", ".join(df.columns)
        marks = ", ".join("?" * len(df.columns))
        bar = ProgressBar(df.height, f"sqlite {name}")
        for chunk in df.iter_slices(200_000):
            con.executemany(f"INSERT INTO {name} ({cols}) VALUES ({marks})", chunk.iter_rows())
            bar.update(chunk.height)
        bar.close()
        con.commit()
    con.close()
    tmp.rename(path)


def pg_database(n: int, src_url: str) -> str | None:
    try:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"pm_bench_{n}"
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if exists:
                ready = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name + "_ok"}).first()
                if ready:
                    return str(sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False))
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
        log(f"copying {n:,} orders to PostgreSQL")
        engine = db.make_engine(url, create=True)
        db.create_schema(engine)
        src = db.make_engine(src_url)
        for table in TABLES:
            df = db.read_table(src, table)
            with engine.begin() as conn:
                db.insert_frame(conn, table, df)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS orders_customer ON orders (customer_id)")
            conn.exec_driver_sql("ANALYZE")
        engine.dispose()
        with admin.connect() as conn:  # a marker that the copy finished
            conn.execute(sa.text(f'CREATE DATABASE "{name}_ok"'))
        return url
    except Exception as exc:  # no server: the PostgreSQL rows say why
        log(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        return None


# --- timing ------------------------------------------------------------------------------


def median_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def fresh_process(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB) of a child process, and its stdout.

    Started through bench/measure.py: a child of this (large) process would
    inherit its high-water RSS; the launcher's is a few MB."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.measure", *args], check=True, capture_output=True, text=True, cwd=ROOT.parent
    )
    fields = dict(item.split("=") for item in out.stderr.strip().splitlines()[-1].split())
    return float(fields["wall_s"]), float(fields["peak_rss_mb"]), out.stdout


def cold(url: str, mode: str) -> tuple[float, float, float]:
    walls, inner, rss = [], [], []
    for _ in range(REPEATS):
        wall, _, out = fresh_process([PYTHON, "-m", "bench.cold", url, mode])
        info = json.loads(out.strip().splitlines()[-1])
        walls.append(wall)
        inner.append(info["seconds"])
        rss.append(info["peak_rss_mb"])
    return statistics.median(walls), statistics.median(inner), max(rss)


def agree(a: pl.DataFrame, b: pl.DataFrame, metrics: list[str] | None = None) -> int:
    """Rows whose values differ beyond a relative 1e-9 (0 means they agree)."""
    keys = ["metric_id", "scope", "period_start"]
    a = a.select(*keys, "value")
    b = b.select(*keys, pl.col("value").cast(pl.Float64))
    if metrics:
        a = a.filter(pl.col("metric_id").is_in(metrics))
    j = a.join(b, on=keys, how="inner", suffix="_b")
    assert j.height == a.height, f"{a.height - j.height} rows missing in the alternative"
    x, y = pl.col("value"), pl.col("value_b")
    same = (x.is_null() & y.is_null()) | ((x - y).abs() <= 1e-9 * x.abs() + 1e-9)
    return j.filter(~same.fill_null(False)).height


def bench_size(n: int) -> dict:
    urls = prepare(n)
    duck = urls["duckdb"]
    engine = db.make_engine(duck)
    result: dict = {"orders": n}

    log(f"[{n:,}] (a) Monday view, cold")
    result["cold_wall"], result["cold_inner"], result["cold_rss"] = cold(duck, "memory")

    log(f"[{n:,}] (b) Monday view, warm (filter change)")
    ds = monday_dataset(engine)
    ds.order_history()  # as the dashboard's cached dataset holds it
    project = monday_view(ds)
    filters = iter([Filters(channel=("web",)), Filters(channel=("app",)), Filters(region=None)] * 10)
    result["warm"], _ = median_of(lambda: monday_view(ds, next(filters)), max(REPEATS, 5))
    ds = None  # free the frames before the next workloads

    log(f"[{n:,}] (c) kpis for a year")
    as_of = data.as_of(engine)
    year_end = dt.date(as_of.year, 1, 1)
    year = [CLI, "--db", duck, "kpis", "--from", f"{year_end.year - 1}-01-01", "--to", year_end.isoformat()]
    walls = [fresh_process(year) for _ in range(REPEATS)]
    result["kpis_year"] = statistics.median(w for w, _, _ in walls)
    result["kpis_year_rss"] = max(r for _, r, _ in walls)

    log(f"[{n:,}] (d) monthly cohorts")
    walls = [fresh_process([CLI, "--db", duck, "cohorts", "--grain", "month"]) for _ in range(REPEATS)]
    result["cohorts"] = statistics.median(w for w, _, _ in walls)
    result["cohorts_rss"] = max(r for _, r, _ in walls)

    log(f"[{n:,}] alternative: DuckDB SQL (pushdown) for the Monday view")
    result["duckdb_sql"], pushed = median_of(lambda: monday_view_pushdown(engine))
    result["duckdb_sql_disagree"] = agree(project, pushed)
    result["duckdb_sql_cold_wall"], _, _ = cold(duck, "pushdown")

    log(f"[{n:,}] alternative: pandas over SQLite")
    weeks, _ = monday_periods(as_of)
    periods = [(s, weeks.end_of(s)) for s in weeks.starts()]
    result["pandas"], frame = median_of(lambda: pandas_alternative.compute(urls["sqlite"].removeprefix("sqlite:///"), periods), max(1, REPEATS - 1))
    alt = pl.from_pandas(frame).with_columns(pl.col("period_start").cast(pl.Date))
    result["pandas_disagree"] = agree(project.filter(pl.col("metric_id").is_in(pandas_alternative.METRICS)), alt)

    if "postgresql" in urls:
        result.update(bench_pg_monday(n, urls["postgresql"]))
        result.update(bench_pg_dashboard(n, urls["postgresql"]))
    return result


def bench_pg_monday(n: int, url: str) -> dict:
    """The bench's Monday view on PostgreSQL in both modes, with the bytes moved."""
    log(f"[{n:,}] PostgreSQL: Monday view in both modes")
    result: dict = {}
    pg = db.make_engine(url)
    as_of = data.as_of(pg)
    t = time.perf_counter()
    pg_ds = monday_dataset(pg)  # the 13 weeks the view shows, as on DuckDB
    pg_rows = monday_view(pg_ds)
    result["pg_memory"] = time.perf_counter() - t
    result["pg_memory_bytes"] = sum(int(f.collect().estimated_size()) for f in pg_ds.frames.values())
    del pg_ds
    result["pg_pushdown"], pg_pushed = median_of(lambda: monday_view_pushdown(pg))
    weeks, month = monday_periods(as_of)
    with pg.connect() as conn:
        result["pg_pushdown_bytes"] = pushdown.fact_frames(conn, weeks)[1] + pushdown.fact_frames(conn, month)[1]
    result["pg_disagree"] = agree(pg_rows, pg_pushed)
    pg.dispose()
    return result


def bench_pg_dashboard(n: int, url: str) -> dict:
    """The dashboard against PostgreSQL: its home page from a fresh process
    in both modes (memory reads every row, as the dashboard does), and the
    monthly cohorts pushed down."""
    out: dict = {}
    homes = {}
    for mode in ("pushdown", "memory"):
        if mode == "memory" and n > PG_MEMORY_MAX_ORDERS:
            # Measured once (2026-11-26, 10M orders): reading every row through
            # psycopg grew the process to 23.7 GB and the kernel killed it.
            log(f"[{n:,}] PostgreSQL: memory mode not run above {PG_MEMORY_MAX_ORDERS:,} orders (out of memory)")
            out["pg_home_memory"] = None
            continue
        log(f"[{n:,}] PostgreSQL: the dashboard's home page, {mode} mode")
        path = CACHE / f"home_{mode}_{n}.parquet"
        repeats = REPEATS
        runs = []
        for _ in range(repeats):
            wall, _, stdout = fresh_process([PYTHON, "-m", "bench.cold", url, f"home-{mode}", str(path)])
            runs.append((wall, json.loads(stdout.strip().splitlines()[-1])["peak_rss_mb"]))
        out[f"pg_home_{mode}"] = statistics.median(w for w, _ in runs)
        out[f"pg_home_{mode}_rss"] = max(r for _, r in runs)
        homes[mode] = pl.read_parquet(path)
    out["pg_home_disagree"] = agree(homes["memory"], homes["pushdown"]) if "memory" in homes else None
    log(f"[{n:,}] PostgreSQL: monthly cohorts, pushdown")
    walls = [fresh_process([CLI, "--db", url, "--mode", "pushdown", "cohorts", "--grain", "month"]) for _ in range(REPEATS)]
    out["pg_cohorts_pushdown"] = statistics.median(w for w, _, _ in walls)
    out["pg_cohorts_pushdown_rss"] = max(r for _, r, _ in walls)
    out["pg_measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return out


def bench_pg_only(n: int) -> dict:
    """BENCH_PARTS=postgresql: only the PostgreSQL figures (the data sets
    must have been prepared by a full run)."""
    urls = prepare(n)
    if "postgresql" not in urls:
        return {"orders": n}
    return {"orders": n, **bench_pg_monday(n, urls["postgresql"]), **bench_pg_dashboard(n, urls["postgresql"])}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}, polars {pl.__version__}"


def write_results(rows: list[dict]) -> str:
    def f(x: float | None, unit: str = "s") -> str:
        return "—" if x is None else (f"{x * 1000:.0f} ms" if unit == "ms" else f"{x:.2f} s")

    lines = [
        "| orders | Monday cold (process wall / in process) | Monday warm | kpis, a year | monthly cohorts | peak RSS | DuckDB SQL (warm / cold process) | pandas + SQLite | × pandas | ÷ DuckDB SQL | agree |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if "cold_rss" not in r:
            continue
        rss = max(r["cold_rss"], r["kpis_year_rss"], r["cohorts_rss"])
        agreement = "yes"
        if r["pandas_disagree"] or r["duckdb_sql_disagree"]:
            agreement = f"NO: {r['pandas_disagree']} / {r['duckdb_sql_disagree']} rows differ"
        lines.append(
            f"| {r['orders']:,} | {f(r['cold_wall'])} / {f(r['cold_inner'])} | {f(r['warm'], 'ms')} | {f(r['kpis_year'])} | "
            f"{f(r['cohorts'])} | {rss / 1024:.2f} GB | {f(r['duckdb_sql'])} / {f(r['duckdb_sql_cold_wall'])} | {f(r['pandas'])} | "
            f"{r['pandas'] / r['cold_wall']:.1f}× | {r['cold_wall'] / r['duckdb_sql_cold_wall']:.2f}× | "
            f"{agreement} |"
        )
    home = [r for r in rows if "pg_home_pushdown" in r]
    if home:
        lines += [
            "",
            "PostgreSQL, the dashboard (`PURPOSE_METRICS_DATABASE_URL` at the database), from a fresh process:",
            "",
            "| orders | home page, pushdown | peak RSS | home page, memory (reads every row) | peak RSS | same numbers | monthly cohorts, pushdown |",
            "|---:|---:|---:|---:|---:|---|---:|",
        ]
        for r in home:
            if r.get("pg_home_memory") is None:
                memory = "out of memory (killed at 23.7 GB of 24 GiB; not re-run) | —"
                same = "—"
            else:
                memory = f"{f(r['pg_home_memory'])} | {r['pg_home_memory_rss'] / 1024:.2f} GB"
                same = "yes" if r["pg_home_disagree"] == 0 else "NO"
            lines.append(
                f"| {r['orders']:,} | {f(r['pg_home_pushdown'])} | {r['pg_home_pushdown_rss'] / 1024:.2f} GB | "
                f"{memory} | {same} | {f(r['pg_cohorts_pushdown'])} |"
            )
    pg = [r for r in rows if "pg_pushdown" in r]
    if pg:
        lines += [
            "",
            "PostgreSQL, Monday view:",
            "",
            "| orders | in memory (load + compute) | bytes moved | pushdown | bytes moved | agree |",
            "|---:|---:|---:|---:|---:|---|",
        ]
        for r in pg:
            lines.append(
                f"| {r['orders']:,} | {f(r['pg_memory'])} | {r['pg_memory_bytes'] / 2**20:.0f} MB | {f(r['pg_pushdown'])} | "
                f"{r['pg_pushdown_bytes'] / 2**10:.0f} KB | {'yes' if r['pg_disagree'] == 0 else 'NO'} |"
            )
    return "\n".join(lines)


def main() -> int:
    marker_start, marker_end = "<!-- bench:start -->", "<!-- bench:end -->"
    rows = []
    for n in SIZES:
        rows.append(bench_size(n) if PARTS == "all" else bench_pg_only(n))
        # Keep what was measured even if a later size fails.
        (CACHE / "last_results.json").write_text(json.dumps(rows, indent=1, default=str))
    # Read now, not at the start: the prose may have been edited during the run.
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if PARTS != "all":  # merge into the figures of the last full run
        rows = merge(previous_figures(text), rows)
    table = write_results(rows)
    print(table)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if PARTS != "all":
        stamp += f" (BENCH_PARTS={PARTS}; other figures from the previous run)"
    block = (
        f"{marker_start}\nLast run: {stamp}, `make bench` (BENCH_SIZES={','.join(map(str, SIZES))}, "
        f"median of {REPEATS}).\nMachine: {machine()}.\n\n{table}\n\nRaw figures:\n\n```json\n"
        f"{json.dumps(rows, indent=1, default=str)}\n```\n{marker_end}"
    )
    if marker_start in text:
        head, rest = text.split(marker_start, 1)
        text = head + block + rest.split(marker_end, 1)[1]
    else:
        text += "\n" + block + "\n"
    RESULTS.write_text(text)
    return 0


def previous_figures(text: str) -> list[dict]:
    """The raw figures of the last run, from RESULTS.md."""
    try:
        block = text.split("<!-- bench:start -->", 1)[1].split("```json", 1)[1].split("```", 1)[0]
        return json.loads(block)
    except (IndexError, ValueError):
        return []


def merge(old: list[dict], new: list[dict]) -> list[dict]:
    by_size = {r["orders"]: dict(r) for r in old}
    for r in new:
        by_size.setdefault(r["orders"], {}).update(r)
    return [by_size[n] for n in sorted(by_size)]


if __name__ == "__main__":
    sys.exit(main())
