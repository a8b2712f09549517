"""`make bench`: the product a person opens, at the sizes it claims.

    python -m bench.run                          # BENCH_SIZES=1000000,3000000,10000000
    BENCH_SIZES=30000000 python -m bench.run     # one more size (figures merged)
    BENCH_PARTS=pages python -m bench.run        # only the dashboard's pages

For each size, in one run (data sets are generated once and cached in
bench/cache/):

1. **Import.** The generated data minus its last week go into a new
   embedded DuckDB file through `purpose-metrics import`, one fresh process
   per table (wall time and peak RSS: what the fact store costs at import
   is in these). Cached: the base database is made once per size.
2. **The weekly routine.** The last week (~2 % of the rows: new customers,
   orders, surveys, tickets, messages, employee answers) imported into a
   copy of the base, table by table: its facts are maintained
   incrementally.
3. **The pages.** Every page opened in headless Chromium from a freshly
   started server (bench/pages.py): first view until drawn, a filter or
   scope change (its script run and until drawn), the server's peak RSS;
   then one person opening every page and changing a filter on each, on one
   server (its peak RSS).
4. **The command line.** `kpis` for a year, `cohorts --grain month` and the
   board pack (`deck --out pack.pptx`), fresh processes.
5. **The Monday numbers three ways** (the same numbers, checked to agree
   before any time is kept): the fact store, DuckDB SQL over the raw tables
   (pushdown) and pandas over SQLite as an analyst would write it
   (bench/pandas_alternative.py, up to PANDAS_MAX_ORDERS).
6. **PostgreSQL** (at the sizes in BENCH_PG_SIZES): the database copied
   there, `purpose-metrics refresh` builds the store in it, and the pages
   are opened as above.

Everything is written to bench/RESULTS.md between the bench markers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from bench import pages, pandas_alternative, weekly
from purpose_metrics import db, reading
from purpose_metrics.contract import TABLES
from purpose_metrics.generate import generate
from purpose_metrics.metrics import kpi_frame
from purpose_metrics.periods import Periods, latest_complete_week
from purpose_metrics.progress import ProgressBar
from purpose_metrics.store.state import STORE_VERSION

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "cache"
RESULTS = ROOT / "RESULTS.md"
PYTHON = sys.executable
CLI = str(Path(sys.executable).parent / "purpose-metrics")
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000000,3000000,10000000").split(",")]
PG_SIZES = [int(s) for s in os.environ.get("BENCH_PG_SIZES", "10000000").split(",") if s]
PARTS = set(os.environ.get("BENCH_PARTS", "all").split(","))
PANDAS_MAX_ORDERS = int(os.environ.get("BENCH_PANDAS_MAX", "10000000"))
PG_ADMIN = os.environ.get("PURPOSE_METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def wants(part: str) -> bool:
    return "all" in PARTS or part in PARTS


def fresh_process(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB) of a child process, and its stdout.

    Started through bench/measure.py: a child of this process would inherit
    its high-water RSS; the launcher's is a few MB."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.measure", *args],
        capture_output=True, text=True, cwd=ROOT.parent, env={**os.environ, **(env or {})},
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed: {out.stderr[-1500:]}")
    fields = dict(item.split("=") for item in out.stderr.strip().splitlines()[-1].split())
    return float(fields["wall_s"]), float(fields["peak_rss_mb"]), out.stdout


# --- data ----------------------------------------------------------------------------------


def generated(n: int) -> Path:
    gen_dir = CACHE / f"gen_{n}"
    if not (gen_dir / ".done").exists():
        log(f"[{n:,}] generating")
        generate(gen_dir, orders=n, seed=7, fmt="parquet", progress=True)
        (gen_dir / ".done").touch()
    return gen_dir


def import_tables(url: str, folder: Path, tables: list[str]) -> dict:
    """Each table of `folder` through `purpose-metrics import`, a fresh
    process each: {table: (rows, seconds, peak MB)}."""
    out = {}
    for table in tables:
        path = folder / f"{table}.parquet"
        if not path.exists():
            continue
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()
        if rows == 0:
            continue
        wall, rss, _ = fresh_process([CLI, "--db", url, "import", table, str(path)])
        out[table] = (rows, wall, rss)
        log(f"    import {table:20s} {rows:>11,} rows {wall:6.1f} s {rss / 1024:5.2f} GB")
    return out


def base_database(n: int) -> tuple[Path, dict]:
    """The DuckDB file of everything but the last week, and its import figures."""
    gen_dir = generated(n)
    base, _, _ = weekly.split(gen_dir)
    # Named by the store's version: a base made by older code is not reused.
    path = CACHE / f"base_v{STORE_VERSION}_{n}.duckdb"
    figures = CACHE / f"base_v{STORE_VERSION}_{n}.json"
    if not (path.exists() and figures.exists()):
        log(f"[{n:,}] importing the base (all but the last week) into DuckDB")
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        subprocess.run([CLI, "--db", f"duckdb:///{tmp}", "init"], check=True, capture_output=True)
        result = import_tables(f"duckdb:///{tmp}", base, list(TABLES))
        tmp.rename(path)
        figures.write_text(json.dumps(result))
    return path, json.loads(figures.read_text())


def weekly_routine(n: int, base_path: Path) -> tuple[Path, dict]:
    """The base plus its last week, imported as the Monday routine does: one
    `purpose-metrics import FOLDER` of the week's files."""
    _, week, cutoff = weekly.split(generated(n))
    path = CACHE / f"pm_{n}.duckdb"
    log(f"[{n:,}] the weekly routine: the week from {cutoff:%Y-%m-%d} into a copy of the base")
    shutil.copyfile(base_path, path)
    rows = {
        t: pl.scan_parquet(week / f"{t}.parquet").select(pl.len()).collect().item()
        for t in weekly.WEEK_TABLES
        if (week / f"{t}.parquet").exists()
    }
    wall, rss, _ = fresh_process([CLI, "--db", f"duckdb:///{path}", "import", str(week)])
    log(
        f"    import FOLDER ({', '.join(f'{t} {r:,}' for t, r in rows.items())}) {wall:.1f} s {rss / 1024:.2f} GB"
    )
    return path, {"tables": rows, "rows": sum(rows.values()), "seconds": wall, "peak_mb": rss}


# --- the command line ------------------------------------------------------------------------


def command_line(url: str) -> dict:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        as_of = reading.as_of(conn)
    engine.dispose()
    year_end = dt.date(as_of.year, as_of.month, 1)
    year_start = dt.date(year_end.year - 1, year_end.month, 1)
    out = {}
    for name, args in (
        ("kpis_year", ["kpis", "--from", year_start.isoformat(), "--to", year_end.isoformat()]),
        ("cohorts_month", ["cohorts", "--grain", "month"]),
        ("deck_pptx", ["deck", "--out", str(CACHE / "pack.pptx")]),
    ):
        runs = [fresh_process([CLI, "--db", url, *args]) for _ in range(2)]
        out[name] = min(w for w, _, _ in runs)
        out[f"{name}_mb"] = max(r for _, r, _ in runs)
        log(f"    {name:14s} {out[name]:6.2f} s {out[name + '_mb']:7.0f} MB")
    return out


# --- the Monday numbers three ways ----------------------------------------------------------


def monday_grid(url: str) -> tuple[Periods, dt.datetime]:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        as_of = reading.as_of(conn)
    engine.dispose()
    _, end = latest_complete_week(as_of)
    return Periods.trend(end, 13, "week"), as_of


def three_ways(n: int, url: str) -> dict:
    """The home page's weekly numbers from the store, from DuckDB SQL over
    the raw tables, and from pandas over SQLite; timed from a new Dataset
    each, compared before their times count."""
    weeks, _ = monday_grid(url)
    engine = db.make_engine(url)
    out: dict = {}
    results = {}
    for mode in ("store", "pushdown"):
        t = time.perf_counter()
        results[mode] = kpi_frame(reading.load_dataset(engine, mode=mode), weeks)
        out[f"monday_{mode}_s"] = time.perf_counter() - t
    engine.dispose()
    out["pushdown_disagree"] = disagree(results["store"], results["pushdown"])
    if n <= PANDAS_MAX_ORDERS:
        lite = sqlite_copy(n, url)
        periods = [(s, weeks.end_of(s)) for s in weeks.starts()]
        t = time.perf_counter()
        frame = pandas_alternative.compute(str(lite), periods)
        out["monday_pandas_s"] = time.perf_counter() - t
        alt = pl.from_pandas(frame).with_columns(pl.col("period_start").cast(pl.Date))
        store_rows = results["store"].filter(pl.col("metric_id").is_in(pandas_alternative.METRICS))
        out["pandas_disagree"] = disagree(store_rows, alt)
    log(f"    Monday numbers: store {out['monday_store_s']:.2f} s, DuckDB SQL {out['monday_pushdown_s']:.2f} s, "
        f"pandas {out.get('monday_pandas_s', float('nan')):.1f} s; disagreements "
        f"{out['pushdown_disagree']} / {out.get('pandas_disagree')}")  # fmt: skip
    return out


def disagree(a: pl.DataFrame, b: pl.DataFrame) -> int:
    """Rows whose values differ beyond a relative 1e-9 (0: they agree)."""
    keys = ["metric_id", "scope", "period_start"]
    j = a.select(*keys, "value").join(b.select(*keys, pl.col("value").cast(pl.Float64)), on=keys, suffix="_b")
    assert j.height == a.height, f"{a.height - j.height} rows missing in the alternative"
    x, y = pl.col("value"), pl.col("value_b")
    same = (x.is_null() & y.is_null()) | ((x - y).abs() <= 1e-9 * x.abs() + 1e-9)
    return j.filter(~same.fill_null(False)).height


def sqlite_copy(n: int, src_url: str) -> Path:
    path = CACHE / f"pm_{n}.sqlite"
    if path.exists():
        return path
    log(f"[{n:,}] copying to SQLite for the pandas alternative")
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    engine = db.make_engine(f"sqlite:///{tmp}", create=True)
    db.create_schema(engine)
    engine.dispose()
    src = db.make_engine(src_url)
    con = sqlite3.connect(tmp)
    for name, table in TABLES.items():
        df = db.read_table(src, name)
        df = df.with_columns(
            [pl.col(c.name).dt.strftime("%Y-%m-%d %H:%M:%S.%6f") for c in table.columns if c.type == "ts"]
            + [pl.col(c.name).dt.strftime("%Y-%m-%d") for c in table.columns if c.type == "date"]
            + [pl.col(c.name).cast(pl.Int8) for c in table.columns if c.type == "bool"]
        )
        cols, marks = ", ".join(df.columns), ", ".join("?" * len(df.columns))
        bar = ProgressBar(df.height, f"sqlite {name}")
        for chunk in df.iter_slices(200_000):
            con.executemany(f"INSERT INTO {name} ({cols}) VALUES ({marks})", chunk.iter_rows())
            bar.update(chunk.height)
        bar.close()
        con.commit()
    con.close()
    src.dispose()
    tmp.rename(path)
    return path


# --- PostgreSQL ----------------------------------------------------------------------------------


def pg_database(n: int, src_url: str) -> str | None:
    """A PostgreSQL copy of the DuckDB database, its store built there by
    `purpose-metrics refresh` (timed). None without a server. Named by the
    store's version, so that a copy made by older code is never reused."""
    name = f"pm_bench_store_v{STORE_VERSION}_{n}"
    try:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            if conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name + "_ok"}
            ).first():
                return sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: the PostgreSQL rows say why
        log(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        return None
    url = sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    log(f"[{n:,}] copying to PostgreSQL")
    engine = db.make_engine(url, create=True)
    db.create_schema(engine)
    src = db.make_engine(src_url)
    for table in TABLES:
        df = db.read_table(src, table)
        with engine.begin() as conn:
            db.insert_frame(conn, table, df)
    src.dispose()
    engine.dispose()
    wall, rss, _ = fresh_process([CLI, "--db", url, "refresh"])
    log(f"    refresh (the store built in PostgreSQL): {wall:.1f} s, {rss:.0f} MB")
    (CACHE / f"pg_refresh_{n}.json").write_text(json.dumps({"seconds": wall, "peak_mb": rss}))
    with admin.connect() as conn:  # a marker that the copy finished
        conn.execute(sa.text(f'CREATE DATABASE "{name}_ok"'))
    return url


# --- one size ------------------------------------------------------------------------------------


def bench_size(n: int) -> dict:
    result: dict = {"orders": n}
    base_path, result["import"] = base_database(n)
    result["import_orders_s"] = result["import"]["orders"][1]
    result["import_orders_mb"] = result["import"]["orders"][2]
    path, result["weekly"] = weekly_routine(n, base_path)
    url = f"duckdb:///{path}"
    if wants("pages"):
        log(f"[{n:,}] the pages, each from a fresh server")
        fresh = pages.visit_each_from_fresh(url)
        result["pages"] = [vars(v) for v in fresh]
        result["pages_summary"] = pages.summary(fresh)
        log(f"[{n:,}] one person through every page, one server")
        result["session"] = pages.one_session_everything(url)
    if wants("cli"):
        log(f"[{n:,}] the command line")
        result["cli"] = command_line(url)
    if wants("alternatives"):
        log(f"[{n:,}] the Monday numbers three ways")
        result["three_ways"] = three_ways(n, url)
    if wants("postgresql") and n in PG_SIZES:
        pg = pg_database(n, url)
        if pg:
            refresh = CACHE / f"pg_refresh_{n}.json"
            result["pg_refresh"] = json.loads(refresh.read_text()) if refresh.exists() else None
            log(f"[{n:,}] PostgreSQL: the pages, each from a fresh server")
            fresh = pages.visit_each_from_fresh(pg)
            result["pg_pages"] = [vars(v) for v in fresh]
            result["pg_pages_summary"] = pages.summary(fresh)
    return result


# --- RESULTS.md ------------------------------------------------------------------------------------


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
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, polars {pl.__version__}"
    )


def _s(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f} s"


def _firsts(visits: list[dict]) -> str:
    """The first views of `visits` in the order of the page columns; "—" for
    a page a run made before it existed did not open."""
    by_page = {v["page"]: v for v in visits}
    return " | ".join(_s(by_page[t]["first_view_s"]) if t in by_page else "—" for t, _ in pages.PAGES)


def write_tables(rows: list[dict]) -> str:
    lines = [
        "**The pages** (embedded DuckDB; each page from a freshly started server, headless Chromium, "
        "until drawn; a change: its script run / until drawn; the server's peak RSS):",
        "",
        "| orders | "
        + " | ".join(t for t, _ in pages.PAGES)
        + " | change: script / drawn (worst page) | server peak (worst page) | one person, every page and change |",
        "|---:|" + "---:|" * len(pages.PAGES) + "---:|---:|---:|",
    ]
    for r in rows:
        if "pages" not in r:
            continue
        firsts = _firsts(r["pages"])
        s = r["pages_summary"]
        lines.append(
            f"| {r['orders']:,} | {firsts} | {s['max_change_script_ms']:.0f} ms / {_s(s['max_change_drawn_s'])} | "
            f"{s['max_server_peak_mb']:.0f} MB | {r['session']['server_peak_mb']:.0f} MB |"
        )
    lines += [
        "",
        "**Import and the weekly routine** (`purpose-metrics import`, a fresh process per table; the fact store "
        "maintained in each import's transaction):",
        "",
        "| orders | import of the orders (all but the last week) | its peak RSS | every table | the weekly routine: rows | seconds | peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        total = sum(s for _, s, _ in r["import"].values())
        w = r["weekly"]
        lines.append(
            f"| {r['orders']:,} | {_s(r['import_orders_s'])} | {r['import_orders_mb'] / 1024:.2f} GB | {_s(total)} | "
            f"{w['rows']:,} | {_s(w['seconds'])} | {w['peak_mb'] / 1024:.2f} GB |"
        )
    if any("cli" in r for r in rows):
        lines += [
            "",
            "**The command line** (fresh processes, best of two; peak RSS):",
            "",
            "| orders | `kpis` for a year | `cohorts --grain month` | `deck --out pack.pptx` |",
            "|---:|---:|---:|---:|",
        ]
        for r in rows:
            if "cli" in r:
                c = r["cli"]
                lines.append(
                    f"| {r['orders']:,} | {_s(c['kpis_year'], 2)} ({c['kpis_year_mb']:.0f} MB) | "
                    f"{_s(c['cohorts_month'], 2)} ({c['cohorts_month_mb']:.0f} MB) | {_s(c['deck_pptx'], 1)} ({c['deck_pptx_mb']:.0f} MB) |"
                )
    if any("three_ways" in r for r in rows):
        lines += [
            "",
            "**The Monday numbers three ways** (13 weeks, every weekly metric, company and brands; a new Dataset "
            "each; compared to a relative 1e-9 before timing counts):",
            "",
            "| orders | fact store | DuckDB SQL over raw tables | pandas over SQLite (12 metrics) | agree |",
            "|---:|---:|---:|---:|---|",
        ]
        for r in rows:
            if "three_ways" in r:
                t = r["three_ways"]
                agree = "yes" if not t["pushdown_disagree"] and not t.get("pandas_disagree") else "NO"
                lines.append(
                    f"| {r['orders']:,} | {_s(t['monday_store_s'], 2)} | {_s(t['monday_pushdown_s'], 2)} | "
                    f"{_s(t.get('monday_pandas_s'))} | {agree} |"
                )
    pg = [r for r in rows if "pg_pages" in r]
    if pg:
        lines += [
            "",
            "**PostgreSQL** (the fact store kept there; `refresh` built it): each page from a fresh server:",
            "",
            "| orders | refresh | "
            + " | ".join(t for t, _ in pages.PAGES)
            + " | change: script / drawn | server peak |",
            "|---:|---:|" + "---:|" * len(pages.PAGES) + "---:|---:|",
        ]
        for r in pg:
            s = r["pg_pages_summary"]
            refresh = r.get("pg_refresh") or {}
            lines.append(
                f"| {r['orders']:,} | {_s(refresh.get('seconds'))} | "
                + _firsts(r["pg_pages"])
                + f" | {s['max_change_script_ms']:.0f} ms / {_s(s['max_change_drawn_s'])} | {s['max_server_peak_mb']:.0f} MB |"
            )
    return "\n".join(lines)


def between_markers(text: str, start: str, end: str, block: str) -> str:
    """`text` with what lies between the markers (themselves included) replaced by `block`, which
    holds them; the block appended when the text has no markers yet."""
    if start not in text:
        return f"{text}\n{block}\n"
    head, rest = text.split(start, 1)
    return head + block + rest.split(end, 1)[1]


def previous_figures(text: str) -> list[dict]:
    try:
        block = text.split("<!-- bench:start -->", 1)[1].split("```json", 1)[1].split("```", 1)[0]
        return json.loads(block)
    except (IndexError, ValueError):
        return []


def main() -> int:
    CACHE.mkdir(exist_ok=True)
    marker_start, marker_end = "<!-- bench:start -->", "<!-- bench:end -->"
    started = time.perf_counter()
    rows = []
    for n in SIZES:
        rows.append(bench_size(n))
        (CACHE / "last_results.json").write_text(json.dumps(rows, indent=1, default=str))
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    # Earlier sizes kept from the last run, if measured the same way (the same keys).
    merged = {r["orders"]: r for r in previous_figures(text) if "import" in r and "weekly" in r}
    for r in rows:
        merged[r["orders"]] = {**merged.get(r["orders"], {}), **r}
    rows = [merged[n] for n in sorted(merged)]
    table = write_tables(rows)
    print(table)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{marker_start}\nLast run: {stamp}, `make bench` (BENCH_SIZES={','.join(map(str, SIZES))}, "
        f"BENCH_PARTS={','.join(sorted(PARTS))}; {time.perf_counter() - started:.0f} s). Sizes not in this run "
        f"keep their figures from an earlier one.\nMachine: {machine()}.\n\n{table}\n\nRaw figures:\n\n```json\n"
        f"{json.dumps(rows, indent=1, default=str)}\n```\n{marker_end}"
    )
    RESULTS.write_text(between_markers(text, marker_start, marker_end, block))
    print(f"bench: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
