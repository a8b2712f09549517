"""The fact store: what imports keep current equals what a rebuild makes,
its customer sets count distinct customers exactly, and reading it never
writes (a read-only connection serves every page's numbers)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from builders import frame, order
from compare import kpi_mismatches

from purpose_metrics import catalog, db, reading, store
from purpose_metrics.metrics import Filters, cohorts, kpi_frame
from purpose_metrics.periods import Periods
from purpose_metrics.store import sets
from purpose_metrics.validation import import_file, import_folder

TABLES_OF_THE_STORE = [
    ("order_history", ["order_id"]),
    ("fact_orders", ["brand_id", "day", "channel", "region", "segment"]),
    ("fact_customer_surveys", ["brand_id", "day", "region", "segment", "customer_purpose"]),
    ("fact_support_tickets", ["brand_id", "day", "region", "segment"]),
    ("fact_marketing_messages", ["brand_id", "day", "region", "segment"]),
]


def _snapshot(engine) -> dict[str, object]:
    """Every row of the store, in a comparable form (sets as sorted ids)."""
    out: dict[str, object] = {}
    with engine.connect() as conn:
        for table, keys in TABLES_OF_THE_STORE:
            rows = db.fetch_sql(conn, f"SELECT * FROM {table}")
            out[table] = (
                rows.with_columns(pl.col(pl.Float64).round(9))
                .cast({c: pl.String for c in rows.columns if c == "day"})
                .sort(keys, nulls_last=True)
                .rows()
            )
        sets_rows = conn.execute(
            sa.text("SELECT brand_id, day, channel, kind, customers FROM fact_customer_sets")
        ).all()
        out["fact_customer_sets"] = sorted(
            (b, str(d)[:10], c, k, tuple(sets.loads(v))) for b, d, c, k, v in sets_rows
        )
        week_rows = conn.execute(
            sa.text("SELECT brand_id, week, channel, kind, customers FROM fact_customer_week_sets")
        ).all()
        out["fact_customer_week_sets"] = sorted(
            (b, str(w)[:10], c or "", k, tuple(sets.loads(v))) for b, w, c, k, v in week_rows
        )
        groups = conn.execute(sa.text("SELECT attribute, value, customers FROM fact_customer_groups")).all()
        out["fact_customer_groups"] = sorted(((a, v or "", tuple(sets.loads(b))) for a, v, b in groups))
    return out


def _write(folder: Path, name: str, df: pl.DataFrame) -> Path:
    path = folder / f"{name}.csv"
    df.write_csv(path)
    return path


def _company_in(zone: str | None, source: Path, folder: Path) -> Path:
    """The company file of `source` with its timezone set to `zone`."""
    company = pl.read_csv(source / "company.csv", infer_schema=False)
    return _write(folder, "company", company.with_columns(timezone=pl.lit(zone, pl.String)))


@pytest.mark.parametrize("zone", [None, "America/New_York"])
def test_imports_in_pieces_keep_the_store_as_a_rebuild_makes_it(engine, example_dir, tmp_path, zone):
    """Customers in two halves, surveys before half of their customers,
    orders in three shuffled parts (so later parts reach into the past of
    earlier ones and renumber histories): after each import the store is
    current, and at the end it equals one rebuilt from the tables; with the
    company in New York, on New York's days."""
    data = example_dir / "data"
    import_file(engine, "company", _company_in(zone, data, tmp_path))
    import_file(engine, "brands", data / "brands.csv")
    customers = pl.read_csv(data / "customers.csv", infer_schema=False)
    orders = pl.read_csv(data / "orders.csv", infer_schema=False).sample(fraction=1.0, shuffle=True, seed=11)
    surveys = pl.read_csv(data / "customer_surveys.csv", infer_schema=False).sample(fraction=1.0, seed=12)
    tickets = pl.read_csv(data / "support_tickets.csv", infer_schema=False).sample(fraction=1.0, seed=13)
    # Half the surveys and tickets name orders not yet imported, half orders
    # already stored (order_history keeps each order's answers both ways).
    steps = [
        ("customers", customers.head(150)),
        ("customer_surveys", surveys.head(surveys.height // 2)),
        ("customers", customers.tail(customers.height - 150)),
        ("support_tickets", tickets.head(tickets.height // 2)),
        ("orders", orders.slice(0, 300)),
        ("orders", orders.slice(300, 300)),
        ("customer_surveys", surveys.tail(surveys.height - surveys.height // 2)),
        ("orders", orders.slice(600)),
        ("support_tickets", tickets.tail(tickets.height - tickets.height // 2)),
        ("marketing_messages", pl.read_csv(data / "marketing_messages.csv", infer_schema=False)),
    ]
    for i, (table, part) in enumerate(steps):
        import_file(engine, table, _write(tmp_path, f"{table}{i}", part))
        with engine.connect() as conn:
            assert store.is_current(conn), (i, table)
    kept = _snapshot(engine)
    assert len(kept["order_history"]) > 500 and len(kept["fact_customer_sets"]) > 100
    with engine.connect() as conn:
        answered = conn.exec_driver_sql(
            "SELECT COUNT(purpose_achieved), COUNT(first_contact) FROM order_history"
        ).one()
    assert min(answered) > 10, answered  # the answers are there to compare
    assert len(kept["fact_customer_week_sets"]) > 20
    store.refresh(engine)
    assert _snapshot(engine) == kept


def test_the_stores_90_day_repurchase_ends_exactly_90_days_on_to_the_microsecond(engine, tmp_path):
    """Customer 1 comes back exactly 90 × 24 h after their first order,
    customer 2 a microsecond later: a repurchase for 1 only (SQLite once cut
    the fraction off and counted both)."""
    with engine.begin() as conn:
        db.insert_frame(conn, "brands", frame("brands", [{"brand_id": "a"}]))
        db.insert_frame(conn, "customers", frame("customers", [{"customer_id": 1}, {"customer_id": 2}]))
    store.refresh(engine)
    orders = [
        order(1, 1, "a", "2026-01-05 10:00:00.500000"),
        order(2, 1, "a", "2026-04-05 10:00:00.500000"),  # + 90 days exactly
        order(3, 2, "a", "2026-01-06 10:00:00.500000"),
        order(4, 2, "a", "2026-04-06 10:00:00.500001"),  # + 90 days and 1 µs
    ]
    import_file(engine, "orders", _write(tmp_path, "orders", frame("orders", orders)))
    ds = reading.load_dataset(engine, mode="store")
    ds.as_of = dt.datetime(2026, 12, 1)
    january = Periods(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    r = kpi_frame(ds, january, ["company"], ["repurchase_90d"]).row(0, named=True)
    assert (r["numerator"], r["denominator"]) == (1, 2)


def test_an_order_dated_in_the_past_renumbers_the_history_after_it(duck, tmp_path):
    """Customer 1 buys in March and April; an import then brings their order
    of January. It becomes their first, the March order their second (a
    returning order now), and January's repurchase within 90 days counts."""
    brands = frame("brands", [{"brand_id": "a"}])
    with duck.begin() as conn:
        db.insert_frame(conn, "brands", brands)
        db.insert_frame(conn, "customers", frame("customers", [{"customer_id": 1}]))
    store.refresh(duck)
    first = frame("orders", [order(1, 1, "a", "2026-03-02 10:00"), order(2, 1, "a", "2026-04-06 10:00")])
    later = frame("orders", [order(3, 1, "a", "2026-01-05 10:00")])
    for i, part in enumerate((first, later)):
        import_file(duck, "orders", _write(tmp_path, f"orders{i}", part))
    ds = reading.load_dataset(duck, mode="store")
    q1 = Periods(dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    rows = {
        r["metric_id"]: r
        for r in kpi_frame(ds, q1, ["company"], ["new_customers", "returning_order_share"]).iter_rows(
            named=True
        )
    }
    assert rows["new_customers"]["value"] == 1  # January's order is the first now
    # Two orders of customer 1 in Q1 (January, March); March has an earlier one.
    assert (rows["returning_order_share"]["numerator"], rows["returning_order_share"]["denominator"]) == (
        1,
        2,
    )
    # March alone: the March order is no longer anyone's first, and customer 1
    # is a repeat customer by then (the stored sets of that older day changed).
    march = Periods(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    rows = {
        r["metric_id"]: r
        for r in kpi_frame(ds, march, ["company"], ["new_customers", "repeat_customer_rate"]).iter_rows(
            named=True
        )
    }
    assert rows["new_customers"]["value"] == 0
    assert (rows["repeat_customer_rate"]["numerator"], rows["repeat_customer_rate"]["denominator"]) == (1, 1)
    with duck.connect() as conn:
        march_sets = (
            conn.execute(
                sa.text("SELECT kind FROM fact_customer_sets WHERE day = DATE '2026-03-02' ORDER BY kind")
            )
            .scalars()
            .all()
        )
    assert march_sets == ["active", "repeat_b", "repeat_c"]
    january = Periods(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    ds.as_of = dt.datetime(2026, 12, 1)  # long after: the 90 days have passed
    r = kpi_frame(ds, january, ["company"], ["repurchase_90d"]).row(0, named=True)
    # Next order 2026-03-02 is 56 days after 2026-01-05: repurchased.
    assert (r["numerator"], r["denominator"]) == (1, 1)


def test_customer_sets_count_each_customer_once_over_days_channels_and_brands(duck):
    """Active customers of a week are the customers, not the customer-days:
    customer 1 buys on Monday (web) and Tuesday (app) at brand a, and at b;
    customer 2 only at b; a guest counts in no customer metric."""
    with duck.begin() as conn:
        db.insert_frame(conn, "brands", frame("brands", [{"brand_id": "a"}, {"brand_id": "b"}]))
        db.insert_frame(conn, "customers", frame("customers", [
            {"customer_id": 1, "region": "north", "marketing_opt_in": True},
            {"customer_id": 2, "region": "south"},
        ]))  # fmt: skip
        db.insert_frame(conn, "orders", frame("orders", [
            order(1, 1, "a", "2026-03-02 10:00", channel="web"),
            order(2, 1, "a", "2026-03-03 10:00", channel="app"),
            order(3, 1, "b", "2026-03-04 10:00", channel="marketplace"),
            order(4, 2, "b", "2026-03-05 10:00", channel="store"),
            order(5, None, "a", "2026-03-05 11:00"),
        ]))  # fmt: skip
    store.refresh(duck)
    ds = reading.load_dataset(duck, mode="store")
    week = Periods.week("2026-W10")
    ids = ["active_customers", "repeat_customer_rate", "marketing_opt_in_rate"]

    def values(filters: Filters = Filters()) -> dict:
        return {
            (r["scope"], r["metric_id"]): (r["numerator"], r["denominator"])
            for r in kpi_frame(ds, week, metric_ids=ids, filters=filters).iter_rows(named=True)
        }

    got = values()
    assert got[("company", "active_customers")][0] == 2  # customers 1 and 2
    assert got[("a", "active_customers")][0] == 1  # customer 1, twice
    assert got[("b", "active_customers")][0] == 2
    # Repeat: customer 1 has 3 orders in company history (2 at a, 1 at b).
    assert got[("company", "repeat_customer_rate")] == (1, 2)
    assert got[("a", "repeat_customer_rate")] == (1, 1)
    assert got[("b", "repeat_customer_rate")] == (0, 2)  # first at b for both
    assert got[("company", "marketing_opt_in_rate")] == (1, 2)
    web = values(Filters(channel=("web",)))
    assert web[("company", "active_customers")][0] == 1
    # Customer 1's web order (order 1) is their first: no repeat customer through the web.
    assert web[("company", "repeat_customer_rate")] == (0, 1)
    south = values(Filters(region=("south",)))
    assert south[("company", "active_customers")][0] == 1 and south[("a", "active_customers")][0] == 0


def test_week_sets_hold_each_weeks_customers_per_brand_channel_and_kind(example_duck):
    """A week set is who ordered in that ISO week (Monday to Sunday, UTC
    here), per brand and channel, and per brand over every channel (channel
    NULL): counted from the completed orders of known
    customers here, with the first and repeat kinds from each customer's
    own order sequence."""
    with example_duck.connect() as conn:
        orders = db.read_table(
            conn, "orders", ["order_id", "customer_id", "brand_id", "channel", "status", "ordered_at"]
        )
        stored = {
            (b, str(w)[:10], c, k): set(sets.loads(v))
            for b, w, c, k, v in conn.execute(
                sa.text("SELECT brand_id, week, channel, kind, customers FROM fact_customer_week_sets")
            ).all()
        }
    done = orders.filter((pl.col("status") == "completed") & pl.col("customer_id").is_not_null()).sort(
        "ordered_at", "order_id"
    )
    done = done.with_columns(
        week=(pl.col("ordered_at").dt.date() - pl.duration(days=pl.col("ordered_at").dt.weekday() - 1)).cast(
            pl.String
        ),
        seq_c=pl.int_range(pl.len()).over("customer_id") + 1,
        seq_b=pl.int_range(pl.len()).over("customer_id", "brand_id") + 1,
    )
    expected: dict[tuple, set] = {}
    for r in done.iter_rows(named=True):
        kinds = [
            "active",
            "repeat_c" if r["seq_c"] > 1 else "first_c",
            "repeat_b" if r["seq_b"] > 1 else "first_b",
        ]
        for channel in (r["channel"], None):  # its channel's set, and the set of every channel
            for kind in kinds:
                expected.setdefault((r["brand_id"], r["week"], channel, kind), set()).add(r["customer_id"])
    assert len(expected) > 20
    assert stored == expected


@pytest.mark.parametrize("zone", [None, "Pacific/Auckland"])
def test_cohorts_and_kpis_from_the_store_equal_memory_on_the_sample(duck, tmp_path, zone):
    """The bundled 30k-order sample, every metric on a 52-week grid and on
    one long period with filters, and the cohorts of both grains; in UTC and
    for a company in Auckland (east of UTC, summer time in the other half
    of the year), whose store is cut on Auckland's days."""
    sample = tmp_path / "sample"
    shutil.copytree(Path(__file__).resolve().parents[1] / "sample_data", sample)
    _company_in(zone, sample, sample)
    import_folder(duck, sample)
    with duck.connect() as conn:
        assert store.state.store_zone(conn) == zone
    memory, stored = reading.load_dataset(duck, mode="memory"), reading.load_dataset(duck, mode="store")
    weeks = Periods.trend(dt.date(2026, 11, 23), 52, "week")
    assert kpi_mismatches(kpi_frame(memory, weeks), kpi_frame(stored, weeks)) == []
    # Whole weeks from the week sets, the days around them from the day sets.
    wednesdays = Periods(dt.date(2026, 8, 5), dt.date(2026, 9, 16))
    assert kpi_mismatches(kpi_frame(memory, wednesdays), kpi_frame(stored, wednesdays)) == []
    year = Periods(dt.date(2025, 11, 1), dt.date(2026, 11, 1))
    filters = Filters(channel=("web", "app"), region=("north", "west"), segment=("premium",))
    assert (
        kpi_mismatches(kpi_frame(memory, year, filters=filters), kpi_frame(stored, year, filters=filters))
        == []
    )
    for grain in ("week", "month"):
        assert cohorts(memory, grain).equals(cohorts(stored, grain))


def _read_only(url: str) -> sa.Engine:
    """The same database through a connection that cannot write."""
    if url.startswith("duckdb"):
        return sa.create_engine(url, connect_args={"read_only": True}, poolclass=sa.pool.NullPool)
    return sa.create_engine(url.replace("sqlite:///", "sqlite:///file:") + "?mode=ro&uri=true")


@pytest.mark.parametrize("kind", ["duckdb", "sqlite"])
def test_every_source_reads_through_a_read_only_connection(kind, example_templates, tmp_path):
    url = example_templates.copy(kind, tmp_path / f"pm.{kind}")
    ro = _read_only(url)
    week = Periods.week("2026-W10")
    results = {}
    for mode in ("store", "pushdown", "memory"):
        ds = reading.load_dataset(ro, mode=mode)
        results[mode] = kpi_frame(ds, week)
        assert cohorts(ds, "month").height > 0
    assert kpi_mismatches(results["store"], results["memory"]) == []
    assert kpi_mismatches(results["pushdown"], results["memory"]) == []
    with ro.connect() as conn, pytest.raises(sa.exc.DBAPIError):  # it really cannot write
        conn.exec_driver_sql("DELETE FROM initiatives")
    ro.dispose()


def test_a_postgresql_role_that_can_only_select_gets_every_number(fresh_pg, example_dir):
    url = fresh_pg
    role = f"reader_{url.database[-8:]}"
    try:
        owner = db.make_engine(url.render_as_string(hide_password=False))
        db.create_schema(owner)
        import_folder(owner, example_dir / "data")
        with owner.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        owner.dispose()
        reader = db.make_engine(url.set(username=role).render_as_string(hide_password=False))
        week = Periods.week("2026-W10")
        store_rows = kpi_frame(reading.load_dataset(reader), week)  # auto: the store
        memory_rows = kpi_frame(reading.load_dataset(reader, mode="memory"), week)
        assert store_rows.height == 5 * len(catalog.METRICS)
        assert kpi_mismatches(store_rows, memory_rows) == []
        with reader.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.exec_driver_sql("DELETE FROM initiatives")
        reader.dispose()
    finally:
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_an_older_database_is_upgraded_by_init_and_read_meanwhile(example_duck, tmp_path):
    """A database whose history tables have the older layout: reading it
    works (memory, the store not current), `init` rebuilds the store."""
    duck = example_duck
    with duck.begin() as conn:
        for table in ("order_history", "store_state"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        conn.exec_driver_sql("CREATE TABLE order_history (order_id BIGINT, ordered_at TIMESTAMP, seq_c INTEGER, "
                             "next_at_c TIMESTAMP, seq_b INTEGER, next_at_b TIMESTAMP)")  # fmt: skip
        conn.exec_driver_sql("CREATE TABLE history_state (orders_total BIGINT)")
    ds = reading.load_dataset(duck)
    assert ds.source.name == "memory"
    week = Periods.week("2026-W10")
    before = kpi_frame(ds, week)
    store.ensure_schema(duck)
    assert store.refresh_if_stale(duck)
    after = reading.load_dataset(duck)
    assert after.source.name == "store"
    assert kpi_mismatches(before, kpi_frame(after, week)) == []
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_store_of_an_older_version_is_dropped_and_rebuilt_in_the_new_shape(example_duck):
    """Version 3 kept week sets per channel only, in a table whose channel
    was NOT NULL: `init` (ensure_schema, then a refresh when stale) drops
    the older store and makes the new one, with sets of every channel."""
    with example_duck.begin() as conn:
        conn.exec_driver_sql("DROP TABLE fact_customer_week_sets")
        conn.exec_driver_sql("CREATE TABLE fact_customer_week_sets (brand_id TEXT NOT NULL, week DATE NOT NULL, "
                             "channel TEXT NOT NULL, kind TEXT NOT NULL, customers BLOB NOT NULL)")  # fmt: skip
        conn.exec_driver_sql("UPDATE store_state SET version = 3")
    assert reading.load_dataset(example_duck).source.name == "memory"  # not current: read meanwhile
    store.ensure_schema(example_duck)
    assert store.refresh_if_stale(example_duck)
    with example_duck.connect() as conn:
        every = conn.execute(
            sa.text("SELECT COUNT(*) FROM fact_customer_week_sets WHERE channel IS NULL")
        ).scalar_one()
        assert store.is_current(conn)
    assert every > 0


def test_a_key_sum_that_differs_in_its_last_bits_is_still_current(example_duck):
    """A parallel floating-point SUM of ten million keys may differ in its
    last bits between the import that recorded it and a later read: the
    store (and pushdown's customer history) must still count as current;
    one more or one fewer row must not."""
    from purpose_metrics.sources.pushdown import history_is_current

    def scale_key_sum(factor: float, extra_rows: int = 0) -> None:
        with example_duck.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE store_state SET key_sum = key_sum * :f, row_count = row_count + :n "
                    "WHERE table_name = 'orders'"
                ),
                {"f": factor, "n": extra_rows},
            )

    with example_duck.connect() as conn:
        assert store.is_current(conn) and history_is_current(conn)
    scale_key_sum(1 + 4e-16)  # a couple of ulps
    with example_duck.connect() as conn:
        assert store.is_current(conn) and history_is_current(conn)
        kpi_frame(reading.load_dataset(example_duck, mode="pushdown"), Periods.week("2026-W10"))  # no refusal
    scale_key_sum(1.0, extra_rows=1)
    with example_duck.connect() as conn:
        assert not store.is_current(conn) and not history_is_current(conn)


def test_a_company_imported_in_another_zone_rebuilds_the_store_on_its_days(duck, example_dir, tmp_path):
    """The store made on UTC days; then the company arrives, in Tokyo: the
    import cuts the store anew on Tokyo's days, and it equals memory."""
    data = example_dir / "data"
    for table in ("brands", "customers", "orders", "customer_surveys"):
        import_file(duck, table, data / f"{table}.csv")
    with duck.connect() as conn:
        assert store.state.store_zone(conn) is None and store.is_current(conn)
        utc_days = conn.exec_driver_sql("SELECT COUNT(*) FROM fact_orders").one()[0]
    import_file(duck, "company", _company_in("Asia/Tokyo", data, tmp_path))
    with duck.connect() as conn:
        assert store.state.store_zone(conn) == "Asia/Tokyo" and store.is_current(conn)
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM fact_orders").one()[0] > 0 < utc_days
    memory, stored = reading.load_dataset(duck, mode="memory"), reading.load_dataset(duck, mode="store")
    weeks = Periods.trend(dt.date(2026, 6, 29), 78, "week")  # the example's 78 weeks, to 28 Jun 2026
    assert kpi_mismatches(kpi_frame(memory, weeks), kpi_frame(stored, weeks)) == []
    # Written behind the importer's back, another zone makes the store stale: refresh says so.
    with duck.begin() as conn:
        conn.exec_driver_sql("UPDATE company SET timezone = 'Europe/Berlin'")
    with duck.connect() as conn:
        assert not store.is_current(conn)
    with pytest.raises(db.DatabaseError, match="another time zone"):
        reading.load_dataset(duck, mode="store")


def test_postgresql_vouches_for_unchanged_tables_without_reading_them_and_misses_no_write(
    pg_server, example_templates
):
    """On PostgreSQL a change counter kept by a trigger says which tables
    nothing wrote since the store recorded them, so a fresh read need not
    fingerprint (scan) them. Every way of writing behind the importer's
    back still makes the store stale; a write that changes no key still
    finds it current, through the fingerprint; a rolled-back write is no
    change at all."""
    url = example_templates.copy("postgresql", admin_url=pg_server)
    eng = db.make_engine(url)
    role = f"loader_{sa.make_url(url).database[-8:]}"
    tracked = set(store.TRACKED)
    unseen = store.state.changes_unseen

    def check(*, current: bool, vouched: set[str]) -> None:
        with eng.connect() as conn:
            assert unseen(conn, list(tracked)) == vouched
            assert store.is_current(conn) is current

    def behind_the_back(*statements: str, as_url: str | None = None) -> None:
        writer = sa.create_engine(as_url or url)
        with writer.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
        writer.dispose()

    drop_one = "DELETE FROM {t} WHERE {k} IN (SELECT MAX({k}) FROM {t})"
    try:
        check(current=True, vouched=tracked)  # the importer recorded every table
        with eng.begin() as conn:  # rolled back: nothing changed
            conn.exec_driver_sql(drop_one.format(t="orders", k="order_id"))
            conn.rollback()
        check(current=True, vouched=tracked)
        # A write that changes no key: the counter cannot vouch, the fingerprint still matches.
        behind_the_back(
            "UPDATE orders SET units = units WHERE order_id IN (SELECT MIN(order_id) FROM orders)"
        )
        check(current=True, vouched=tracked - {"orders"})
        store.refresh(eng)
        check(current=True, vouched=tracked)
        # Each of these writes a table without the importer.
        writes = {
            "orders": [drop_one.format(t="orders", k="order_id")],
            "customers": [
                "SET session_replication_role = replica",  # as pg_restore and replication tools write
                drop_one.format(t="customers", k="customer_id"),
            ],
            "customer_surveys": [  # pg_restore --disable-triggers, the trigger then turned back on
                "ALTER TABLE customer_surveys DISABLE TRIGGER ALL",
                drop_one.format(t="customer_surveys", k="response_id"),
                "ALTER TABLE customer_surveys ENABLE TRIGGER ALL",
                f"ALTER TABLE customer_surveys ENABLE ALWAYS TRIGGER {store.state._TRIGGER}",  # as it was
            ],
            "marketing_messages": ["TRUNCATE marketing_messages"],
        }
        for table, statements in writes.items():
            behind_the_back(*statements)
            check(current=False, vouched=tracked - {table})
            store.refresh(eng)
            check(current=True, vouched=tracked)
        # Another role's loading job that may only insert: its write succeeds, and counts.
        behind_the_back(f"CREATE ROLE {role} LOGIN", f"GRANT SELECT, DELETE ON support_tickets TO {role}")
        behind_the_back(
            drop_one.format(t="support_tickets", k="ticket_id"),
            as_url=sa.make_url(url).set(username=role).render_as_string(hide_password=False),
        )
        check(current=False, vouched=tracked - {"support_tickets"})
        # A reader granted SELECT before the counter existed: fingerprints, as before, and no error.
        behind_the_back(
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
            f"REVOKE SELECT ON {store.state._CHANGES} FROM {role}",
        )
        store.refresh(eng)
        reader = sa.create_engine(sa.make_url(url).set(username=role).render_as_string(hide_password=False))
        with reader.connect() as conn:
            assert unseen(conn, list(tracked)) == set()
            assert store.is_current(conn)
        reader.dispose()
    finally:
        eng.dispose()
        admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()
