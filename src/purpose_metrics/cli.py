"""The console script `purpose-metrics`, thin over the library.

Exit codes (README, Command line): 0 success, 2 bad input or validation failure
(a clear message on stderr, nothing written), 1 anything else (one line).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from . import db, dburl, output, resources
from .calendars import CALENDARS, Calendar
from .errors import UsageError, ValidationFailed
from .periods import PeriodError, Periods, parse_date

SAMPLE_DIR = resources.path("sample_data")  # packaged in a wheel, the top-level folder in a checkout


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="purpose-metrics", description="Purpose metrics for a multi-brand retailer."
    )
    p.add_argument(
        "--db",
        help="database URL (default: $PURPOSE_METRICS_DATABASE_URL, else data/purpose_metrics.duckdb of the "
        "checkout, or of ~/.local/share/purpose-metrics for an installed package; `init` prints which)",
    )
    p.add_argument(
        "--mode",
        choices=["auto", "store", "pushdown", "memory"],
        help="where the facts come from: the fact store kept at import, the database aggregating "
        "raw tables (pushdown), or rows read into memory (default: $PURPOSE_METRICS_MODE, else auto: "
        "the store when it is current, else pushdown for a server database with 2M orders or more, "
        "else memory)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="create the schema (idempotent)")
    s.add_argument(
        "--sample", action="store_true", help="load the bundled sample data if the database is empty"
    )

    sub.add_parser(
        "refresh",
        help="rebuild the fact store and customer history from the tables (after loading data by other means)",
    )

    s = sub.add_parser(
        "import",
        help="validate a CSV or Parquet file and append it to a table (import TABLE FILE), or every "
        "TABLE.csv / TABLE.parquet of a folder in the contract's order (import FOLDER)",
    )
    s.add_argument("table", metavar="TABLE|FOLDER")
    s.add_argument("file", nargs="?")

    s = sub.add_parser("kpis", help="print every metric for a period")
    _period_options(s)
    s.add_argument(
        "--compare",
        choices=["year"],
        help="add the comparable period of the previous year: comparable_start, comparable_end, "
        "comparable_value, change",
    )

    s = sub.add_parser(
        "drivers", help="print which experiences bring customers back (90-day repurchase, good vs bad)"
    )
    _period_options(s)

    s = sub.add_parser("cohorts", help="print cohort retention")
    s.add_argument("--grain", choices=["week", "month"], required=True)
    s.add_argument("--brand")
    s.add_argument("--format", choices=["csv", "json"], default="csv")
    _calendar_option(s)

    s = sub.add_parser("generate", help="write a synthetic data set")
    s.add_argument("--out", required=True)
    s.add_argument("--orders", type=int, default=30_000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--file-format", choices=["csv", "parquet"], default="csv")

    s = sub.add_parser("brief", help="write a brand's one-page front-line brief (Markdown or PDF)")
    s.add_argument("--brand", required=True)
    s.add_argument("--week", help="ISO week (default: the latest complete one)")
    s.add_argument("--out", required=True, help="FILE.md or FILE.pdf")

    s = sub.add_parser(
        "serve",
        help="start the dashboard (the packaged dashboard.py and pages/, on 127.0.0.1:8501 unless told "
        "otherwise); what follows are `streamlit run` options, e.g. --server.port 8502",
    )

    s = sub.add_parser("deck", help="build the weekly board pack (PPTX or PDF)")
    s.add_argument("--week", help="a week of the calendar: 2026-W10 (iso), FY2025-W07 (nrf)")
    s.add_argument("--brand")
    s.add_argument("--out", required=True)
    s.add_argument(
        "--calendar",
        choices=list(CALENDARS),
        help="iso or nrf (default: the company's, company.calendar): the pack's weeks and trend axes",
    )

    s = sub.add_parser(
        "deliver",
        help="mail every subscribed board pack that is due (from cron or a systemd timer; README, "
        "Weekly delivery): exit 0 all due sent, 1 some failed (tried again next run), 2 bad configuration",
    )
    g = s.add_mutually_exclusive_group()
    g.add_argument("--dry-run", action="store_true", help="list every subscription's state; send nothing")
    g.add_argument(
        "--retry",
        metavar="SUBSCRIPTION_ID",
        help="send this week's pack of one subscription again, now: a claim left by a run that died "
        "(30 min or older) or a week given up after 3 failures (audited; --dry-run lists the ids)",
    )
    return p


def _period_options(s: argparse.ArgumentParser) -> None:
    """--week or --from/--to, --brand, --format and --calendar (kpis, drivers)."""
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--week", help="a week of the calendar: 2026-W10 (iso), FY2025-W07 (nrf)")
    g.add_argument("--from", dest="date_from", help="first day (inclusive), YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", help="end day (exclusive), YYYY-MM-DD")
    s.add_argument("--brand")
    s.add_argument("--format", choices=["csv", "json"], default="csv")
    _calendar_option(s)


def _calendar_option(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--calendar",
        choices=list(CALENDARS),
        default="iso",
        help="iso: ISO weeks and calendar months (default); nrf: the NRF 4-5-4 retail calendar "
        "(weeks Sunday to Saturday, fiscal years ending on the Saturday nearest 31 January)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # Whatever follows `serve` is Streamlit's (--server.port 8502 …), not ours.
    options = argv[argv.index("serve") + 1 :] if "serve" in argv else []
    try:
        args = parser.parse_args(argv[: len(argv) - len(options)])
    except SystemExit as exc:  # argparse prints its own message; bad usage is exit 2
        return int(exc.code or 0)
    args.options = options
    try:
        return _run(args)
    except (UsageError, PeriodError) as exc:
        print(f"purpose-metrics: {exc}", file=sys.stderr)
        return 2
    except ValidationFailed as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except db.DatabaseError as exc:
        _fail(str(exc), args)
        return 1
    except db.DRIVER_ERRORS as exc:
        _fail(db.describe_db_error(exc), args)
        return 1
    except KeyboardInterrupt:
        return 1
    except Exception as exc:  # no traceback for users; the message says what failed
        _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", args)
        return 1


def _fail(message: str, args: argparse.Namespace) -> None:
    """One line on stderr, with no password in it (whatever raised it)."""
    line = " ".join(message.split())  # one line, whatever the driver sent
    print(f"purpose-metrics: {dburl.redact(line, getattr(args, 'db', None))}", file=sys.stderr)


def _engine(args: argparse.Namespace) -> sa.Engine:
    """The engine of --db; on an engine not verified here, a warning on stderr
    first (the output itself stays as it is, for the scripts that read it)."""
    engine = db.make_engine(args.db, create=args.command == "init")
    note = db.unverified_note(engine.dialect.name)
    if note:
        print(f"purpose-metrics: warning: {note}", file=sys.stderr, flush=True)
    return engine


def _check_brand(engine: sa.Engine, brand: str | None) -> list[str] | None:
    from . import reading

    known = reading.brands(engine).get_column("brand_id").to_list()
    if brand is None:
        return None
    if brand not in known:
        raise UsageError(f"unknown brand {brand[:40]!r} (known: {', '.join(known) or 'none'})")
    return [brand]


def _period(args: argparse.Namespace) -> Periods:
    """The one period of --week (in --calendar), or of --from/--to (exit 2
    when malformed)."""
    if args.week:
        if args.date_to:
            raise UsageError("use --week or --from/--to, not both")
        return Periods(*Calendar(args.calendar).parse_week(args.week))
    if not args.date_to:
        raise UsageError("--from needs --to")
    start, end = parse_date(args.date_from), parse_date(args.date_to)
    if start >= end:
        raise UsageError(f"--from ({start}) must be before --to ({end})")
    return Periods(start, end)


def _folder(value: str) -> Path:
    """The FOLDER of `import FOLDER` (exit 2 when it is no folder)."""
    if not Path(value).is_dir():
        raise UsageError(f"import needs TABLE FILE, or a FOLDER of TABLE files: {value[:80]!r} is no folder")
    return Path(value)


def _spark_load(args: argparse.Namespace, engine: sa.Engine) -> int:
    """init and import on Spark (spark/load.py): validated as everywhere,
    written as the warehouse's Parquet tables; an import replaces the
    tables the folder holds. refresh builds the customers' order history
    there (spark/history.py)."""
    from .spark import load

    if args.command == "refresh":
        import time

        from .spark import history

        started = time.perf_counter()
        rows = history.build(engine)
        print(
            f"built order_history on Spark ({rows:,} completed orders of known customers) in "
            f"{time.perf_counter() - started:.1f} s at {dburl.safe_url(engine.url)}"
        )
        return 0
    if args.command == "init":
        load.create_tables(engine)
        if args.sample:
            if db.is_empty(engine):
                results = load.load(engine, SAMPLE_DIR)
                print(f"loaded sample data: {sum(r.rows for r in results):,} rows into {len(results)} tables")
            else:
                print("database already holds data: sample not loaded")
        print(f"schema ready at {dburl.location(args.db)}")
        return 0
    if args.file is not None:
        raise UsageError(
            "on Spark, `purpose-metrics import FOLDER` imports a folder of TABLE files (they replace the "
            "tables it holds); one table's file alone is not imported there yet"
        )
    results = load.load(engine, _folder(args.table))
    if not results:
        raise UsageError(f"{args.table[:80]} holds no TABLE.csv or TABLE.parquet file of the contract")
    for result in results:
        print(f"replaced {result.table} with {result.rows:,} rows")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "generate":
        from .generate import generate

        counts = generate(args.out, orders=args.orders, seed=args.seed, fmt=args.file_format, progress=True)
        print(", ".join(f"{t}: {n:,}" for t, n in counts.items()))
        return 0

    if args.command == "serve":
        import os

        from .ui import serve

        if args.db:  # the server reads the database from the environment
            os.environ[dburl.ENV_URL] = args.db
        serve.main(
            [str(resources.path("dashboard.py")), *args.options], resources.path(".streamlit/config.toml")
        )
        return 0

    engine = _engine(args)
    if engine.dialect.name == "spark" and args.command in ("init", "import", "refresh"):
        return _spark_load(args, engine)
    if args.command in ("init", "refresh"):
        db.refuse_unverified_writes(engine, f"`purpose-metrics {args.command}`")
    if args.command == "init":
        from . import store

        store.ensure_schema(engine)
        if args.sample:
            if db.is_empty(engine):
                from .validation import import_folder

                results = import_folder(engine, SAMPLE_DIR)
                print(f"loaded sample data: {sum(r.rows for r in results):,} rows into {len(results)} tables")
            else:
                print("database already holds data: sample not loaded")
        if store.refresh_if_stale(engine):
            print("fact store rebuilt from the tables (it was not current)")
        print(f"schema ready at {dburl.location(args.db)}")
        return 0

    if args.command == "refresh":
        import time

        from . import store

        started = time.perf_counter()
        store.ensure_schema(engine)
        store.refresh(engine, progress=lambda step: print(f"refreshing: {step}", file=sys.stderr, flush=True))
        print(f"fact store rebuilt in {time.perf_counter() - started:.1f} s at {dburl.safe_url(engine.url)}")
        return 0

    if args.command == "import":
        from .validation import import_file, import_folder

        if args.file is None:  # a folder: one transaction per table, stopping at the first refusal
            results = import_folder(engine, _folder(args.table))
            if not results:
                raise UsageError(
                    f"{args.table[:80]} holds no TABLE.csv or TABLE.parquet file of the contract"
                )
            for result in results:
                print(f"imported {result.rows:,} rows into {result.table}")
            return 0
        result = import_file(engine, args.table, args.file)
        print(f"imported {result.rows:,} rows into {result.table}")
        return 0

    if args.command == "kpis":
        from . import reading
        from .metrics import kpi_frame

        periods = _period(args)
        scopes = _check_brand(engine, args.brand)

        from .metrics.compare import comparable_period, with_comparable

        comparable = None
        if args.compare == "year":
            comparable = comparable_period(periods, Calendar(args.calendar), week=bool(args.week))
        start = min(periods.start, comparable.start) if comparable else periods.start
        # The store (or pushdown) reads facts; memory reads the rows of the periods only
        # (with a comparable period, from its start on).
        ds = reading.load_dataset(engine, start=start, end=periods.range_end, mode=args.mode)
        frame = kpi_frame(ds, periods, scopes=scopes)
        if args.compare == "year":
            frame = with_comparable(frame, ds, comparable, scopes)
        sys.stdout.write(output.render(frame, "kpis", args.format))
        return 0

    if args.command == "drivers":
        from . import reading
        from .metrics import driver_frame

        period = _period(args)
        scopes = _check_brand(engine, args.brand)
        # The source counts the drivers' own window (sources: driver_counts).
        ds = reading.load_dataset(engine, mode=args.mode, read_large=False)
        frame = driver_frame(ds, period, scopes)
        sys.stdout.write(output.render(frame, "drivers", args.format))
        return 0

    if args.command == "cohorts":
        from . import reading
        from .metrics import cohorts

        scopes = _check_brand(engine, args.brand)
        cal = Calendar(args.calendar)
        # Fiscal (nrf) periods: the database cuts them from the orders in the store
        # and pushdown modes (the store keeps ISO days), memory from the rows.
        ds = reading.load_dataset(engine, mode=args.mode)
        sys.stdout.write(output.render(cohorts(ds, args.grain, scopes, cal=cal), "cohorts", args.format))
        return 0

    if args.command == "brief":
        from . import reading
        from .brief import brief_path, build_brief, write_brief
        from .periods import parse_week

        out = brief_path(args.out)  # checked before anything is read
        if args.week is not None:
            parse_week(args.week)
        if out.suffix.lower() == ".pdf":
            from .export.images import require_chromium

            require_chromium("a PDF brief")
        _check_brand(engine, args.brand)
        brief = build_brief(reading.load_dataset(engine, mode=args.mode), args.brand, args.week)
        print(f"wrote {write_brief(brief, out)} ({brief.title})")
        return 0

    if args.command == "deck":
        from . import reading
        from .export.deck import build_pack, deck_path, needs_browser, write_deck
        from .export.images import Renderer, require_chromium

        # All checked before the data set is read: a typo costs no load.
        out = deck_path(args.out)
        cal = Calendar(args.calendar) if args.calendar else None
        if args.week is not None and cal is not None:
            cal.parse_week(args.week)
        elif args.week is not None:  # either calendar's label; the company's is checked once read
            Periods.week(args.week)
        # A PDF's chart renderer starts its browser while the numbers are computed;
        # a PowerPoint's charts are native: no browser.
        if needs_browser(out):
            require_chromium("a PDF board pack (its pages and charts)")
        with Renderer() if needs_browser(out) else contextlib.nullcontext() as renderer:
            pack = build_pack(reading.load_dataset(engine, mode=args.mode), args.week, args.brand, cal=cal)
            path = write_deck(pack, out, renderer)
        print(f"wrote {path} ({len(pack.slide_titles)} slides, week {pack.week})")
        return 0
    if args.command == "deliver":
        return _deliver(engine, args)
    raise UsageError(f"unknown command {args.command}")


def _deliver(engine: sa.Engine, args: argparse.Namespace) -> int:
    """`deliver`: configuration first (exit 2 before anything is claimed)."""
    from . import delivery, reading

    roles = delivery.configured_roles()
    if args.dry_run:
        zone = delivery.company_zone(engine)
        planned = delivery.plan(engine, delivery.subs.utc_now(), zone)
        for due in planned:
            print(delivery.describe(due, zone))
        print(f"{sum(d.to_send for d in planned)} of {len(planned)} subscription(s) due now")
        return 0
    settings = delivery.smtp_settings()
    if args.retry:
        _release(engine, args.retry)
    outcomes = delivery.deliver(
        engine, settings, roles=roles, load=lambda: reading.load_dataset(engine, mode=args.mode), report=print
    )
    failed = sum(o.status == "failed" for o in outcomes)
    sent = sum(o.status == "sent" for o in outcomes)
    print(f"{sent} sent, {failed} failed")
    return 1 if failed else 0


def _release(engine: sa.Engine, subscription_id: str) -> None:
    """`deliver --retry ID`: release this week's delivery of one subscription
    (UsageError, exit 2, when there is nothing to release), audited under
    the shell's user name, before the run that then sends it."""
    import getpass

    from . import audit, delivery
    from .access import Access

    sub = delivery.subs.get(engine, subscription_id)
    if sub is None:
        raise UsageError(f"no subscription {subscription_id[:40]!r} (deliver --dry-run lists them)")
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the passwd file
        user = "unknown"
    me = Access(who=f"cli:{user}", role="cli", admin=True)  # whoever may run `deliver` holds the database
    zone = delivery.company_zone(engine)
    try:
        was = delivery.release(engine, me, sub, zone)
    except UsageError as exc:
        audit.record(
            engine, audit.Entry(me.who, me.role, "deliver", "failed", sub.scope, f"send again: {exc}")
        )
        raise
    audit.record(engine, audit.Entry(
        me.who, me.role, "deliver", "ok", sub.scope,
        f"released {sub.subscription_id} {was.delivery_week} to send again (was {was.status}, try {was.attempts} of {delivery.MAX_ATTEMPTS})",
    ))  # fmt: skip
    print(
        f"released: {sub.subscription_id} week {was.delivery_week} (was {was.status}): tried again on this run"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())
