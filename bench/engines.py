"""`python -m bench.engines`: the same numbers on DuckDB, PostgreSQL and Spark.

    ENGINES_SIZES=1000000,10000000 python -m bench.engines

For each size, on the data sets of `make bench` (bench/run.py: generated
once, the DuckDB file with the weekly routine applied, the PostgreSQL copy
with its store built by `refresh`), plus a Spark warehouse that
`purpose-metrics import FOLDER` fills from the generated files (timed):

- **the Monday view** (bench/monday.py, a fresh process per engine and
  mode): what the This week page computes, every scope's cards for the
  latest week, from a new Dataset; the session's start (on Spark: the JVM
  and its executors) is timed apart;
- **a year of `kpis`**: the command, a fresh process (Spark's start inside);

each with the bytes received on the loopback interface meanwhile: what
crossed the wire between the client and PostgreSQL, or between the driver
and Spark's executors (a quiet machine is assumed: `lo` is the machine's).
An embedded DuckDB file is read in process: nothing crosses a wire.

The year of `kpis` from every engine is compared with DuckDB's (relative
1e-9) before any figure is kept. Figures go to bench/engines.json and
bench/RESULTS.md between the engines markers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys

import polars as pl

from bench.monday import loopback_bytes
from bench.run import (
    CACHE,
    CLI,
    PYTHON,
    RESULTS,
    ROOT,
    between_markers,
    disagree,
    fresh_process,
    generated,
    log,
    pg_database,
)
from purpose_metrics import db, reading

SIZES = [int(s) for s in os.environ.get("ENGINES_SIZES", "1000000").split(",")]
# Two executor processes of one core each, as in the tests; the memory each may use.
SPARK_MASTER = os.environ.get("ENGINES_SPARK_MASTER", "local-cluster[2,1,4096]")
KPI_KEY = ["metric_id", "scope", "period_start"]
START, END = "<!-- engines:start -->", "<!-- engines:end -->"


def spark_url(n: int) -> str:
    return f"spark+local://{CACHE / f'spark_{n}'}?database=pm&master={SPARK_MASTER}"


def spark_warehouse(n: int) -> tuple[str, dict | None]:
    """The Spark warehouse of size n, loaded by `import FOLDER` once (timed then)."""
    url = spark_url(n)
    done = CACHE / f"spark_{n}.json"
    if done.exists():
        return url, json.loads(done.read_text())
    folder = generated(n)
    log(f"[{n:,}] loading Spark: purpose-metrics init, then import FOLDER")
    fresh_process([CLI, "--db", url, "init"])
    wall, rss, _ = fresh_process([CLI, "--db", url, "import", str(folder)])
    log(f"    import FOLDER into Spark: {wall:.1f} s, client peak {rss:.0f} MB")
    figures = {"seconds": wall, "peak_mb": rss}
    done.write_text(json.dumps(figures))
    return url, figures


def monday(url: str, mode: str) -> dict:
    wall, rss, out = fresh_process([PYTHON, "-m", "bench.monday", url, mode])
    return json.loads(out.strip().splitlines()[-1]) | {"process_s": wall, "peak_mb": rss}


def kpis_year(url: str, year: tuple[str, str]) -> tuple[dict, pl.DataFrame]:
    wire = loopback_bytes()
    wall, rss, out = fresh_process([CLI, "--db", url, "kpis", "--from", year[0], "--to", year[1]])
    figures = {"process_s": wall, "peak_mb": rss, "wire_bytes": loopback_bytes() - wire}
    return figures, pl.read_csv(io.StringIO(out), infer_schema_length=None)


def year_of(url: str) -> tuple[str, str]:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        as_of = reading.as_of(conn)
    engine.dispose()
    end = dt.date(as_of.year, as_of.month, 1)
    return dt.date(end.year - 1, end.month, 1).isoformat(), end.isoformat()


def bench_size(n: int) -> dict:
    duck = CACHE / f"pm_{n}.duckdb"
    if not duck.exists():
        raise SystemExit(
            f"{duck} is missing: run `BENCH_SIZES={n} BENCH_PARTS=cli python -m bench.run` first"
        )
    duck_url = f"duckdb:///{duck}"
    engines: list[tuple[str, str, list[str]]] = [("DuckDB (embedded file)", duck_url, ["store", "pushdown"])]
    pg = pg_database(n, duck_url)
    if pg:
        engines.append(("PostgreSQL", pg, ["store", "pushdown"]))
    spark, loaded = spark_warehouse(n)
    engines.append((f"Spark ({SPARK_MASTER})", spark, ["pushdown"]))
    year = year_of(duck_url)
    rows: list[dict] = []
    reference: pl.DataFrame | None = None
    for name, url, modes in engines:
        for mode in modes:
            log(f"[{n:,}] {name}, {mode}: the Monday view")
            view = monday(url, mode)
            log(f"    connect {view['connect_s']:.1f} s, compute {view['compute_s']:.2f} s, "
                f"{view['wire_bytes'] / 1e6:.1f} MB on the wire")  # fmt: skip
            rows.append({"orders": n, "engine": name, "mode": mode, "monday": view})
        log(f"[{n:,}] {name}: a year of kpis ({year[0]} to {year[1]})")
        figures, frame = kpis_year(url, year)
        if reference is None:
            reference = frame
        else:
            off = disagree(reference.select(*KPI_KEY, "value"), frame.select(*KPI_KEY, "value"))
            if off:
                raise SystemExit(f"{name}: {off} kpis rows disagree with DuckDB's")
        log(f"    {figures['process_s']:.1f} s, {figures['wire_bytes'] / 1e6:.1f} MB on the wire")
        for row in rows:
            if row["engine"] == name:
                row["kpis_year"] = figures
    return {"orders": n, "rows": rows, "spark_import": loaded}


def _mb(b: float) -> str:
    return "in process" if b == 0 else f"{b / 1e6:.1f} MB"


def table(results: list[dict]) -> str:
    out = [
        "| orders | engine | mode | Monday view: start | compute | on the wire | `kpis` year (fresh process) | on the wire |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for size in results:
        for r in size["rows"]:
            m, k = r["monday"], r.get("kpis_year", {})
            out.append(
                f"| {r['orders']:,} | {r['engine']} | {m['mode']} | {m['connect_s']:.1f} s | {m['compute_s']:.2f} s "
                f"| {_mb(m['wire_bytes'])} | {k.get('process_s', float('nan')):.1f} s | {_mb(k.get('wire_bytes', 0))} |"
            )
    out.append("")
    out.append(
        "`kpis` runs once per engine, in its auto mode (the fact store where one is kept, else pushdown)."
    )
    loads = [
        f"{s['orders']:,}: {s['spark_import']['seconds']:.0f} s" for s in results if s.get("spark_import")
    ]
    if loads:
        out.append("")
        out.append(
            f"Spark's `import FOLDER` (validated, then written as Parquet tables): {', '.join(loads)}."
        )
    return "\n".join(out)


def main() -> int:
    CACHE.mkdir(exist_ok=True)
    kept = ROOT / "engines.json"
    earlier = {r["orders"]: r for r in json.loads(kept.read_text())} if kept.exists() else {}
    # Sizes not in this run keep their figures from an earlier one.
    merged = earlier | {n: bench_size(n) for n in SIZES}
    results = [merged[n] for n in sorted(merged)]
    kept.write_text(json.dumps(results, indent=1))
    block = f"{START}\n{table(results)}\n{END}"
    RESULTS.write_text(between_markers(RESULTS.read_text(), START, END, block))
    log(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
