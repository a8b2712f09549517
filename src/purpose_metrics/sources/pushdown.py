"""The pushdown source: the database aggregates the raw tables.

The SQL in `sql/facts/` computes, per (scope, period), the facts of the
large tables (the same as `metrics/facts.py` does in memory): counts and
sums over orders, with each customer's place in their history from the
order_history table the fact store keeps, and survey, ticket and message
tallies. What crosses the wire grows with scopes × periods, not with orders.

For a database whose fact store is not current and that is too large to
read (a warehouse loaded by other means, until `purpose-metrics refresh`
has built the store there). Each order's place in its customer's history
comes from the store's order_history when it is current, else from window
functions over the orders in the same query (a read never writes).

On an engine not verified here (another SQLAlchemy dialect) the SQL is
rendered for PostgreSQL and carried to the engine's dialect by sqlglot
(transpile.py), and the history comes from the query, except on Spark
when the order_history Spark keeps is current (spark/history.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import connections, db, sqltext, transpile
from ..calendars import ISO, Calendar, is_utc, to_local
from ..metrics import drivers
from ..metrics.cohorts import period_index
from ..metrics.dataset import UNKNOWN, Filters
from ..metrics.drivers import DriverInputs
from ..periods import Grain, Periods

# Timestamp columns the fact queries place in a period by `{{ k_<column> }}`.
_PERIOD_COLUMNS = ("submitted_at", "opened_at", "sent_at", "ordered_at")


def period_index_snippets(
    d: sqltext.Dialect, n: int, columns: Sequence[str] = _PERIOD_COLUMNS
) -> dict[str, str]:
    """`k_<column>`: the index of the period holding the column, for rows
    already cut to [range_start, range_end). The periods are contiguous, so
    it is a chain of comparisons with each period's end (bound as p<k>_end):
    one pass over the rows, where a join to the periods scans a table once
    per period when no index on the column serves the join."""
    ends = [d.ts(f"p{k}_end") for k in range(n - 1)]
    out = {}
    for column in columns:
        whens = " ".join(f"WHEN {column} < {end} THEN {k}" for k, end in enumerate(ends))
        out[f"k_{column}"] = f"CASE {whens} ELSE {n - 1} END" if whens else "0"
    return out


def period_params(d: sqltext.Dialect, periods: Periods) -> dict[str, object]:
    """The bound ends of the periods (p<k>_end) and the range they cover."""
    params: dict[str, object] = {}
    for k, start in enumerate(periods.starts()):
        params[f"p{k}_end"] = d.ts_value(periods.instant(periods.end_of(start)))
    params["range_start"] = d.ts_value(periods.instant(periods.start))
    params["range_end"] = d.ts_value(periods.instant(periods.range_end))
    return params


# An order delivered this long after its period still gets its local
# delivery date right (the offsets' changes are looked up this far on).
_DELIVERY_HORIZON = dt.timedelta(days=400)


def delivered_date(d: sqltext.Dialect, periods: Periods, column: str = "delivered_at") -> str:
    """The local date of delivered_at (`column`), for orders placed in the
    periods (compared with the local promised date: docs/metrics.md#local-time)."""
    lo = periods.instant(periods.start) - dt.timedelta(days=1)
    return d.local_day(column, periods.zone, lo, periods.instant(periods.range_end) + _DELIVERY_HORIZON)


def _customer_filter(filters: Filters, params: dict, rows: str) -> str:
    """The region and segment filters on the rows of table (or alias) `rows`.

    A choice without UNKNOWN keeps the rows of customers with one of its
    values (guests have none). A choice with UNKNOWN drops the rows of
    customers with a value it leaves out: guests (a NULL customer_id matches
    no customer), customers not on file and customers without the attribute
    stay. NOT EXISTS alone, so that PostgreSQL plans an anti-join (an OR
    around it, or NOT IN, would look the customers up row by row).
    """
    if not filters.by_customer:
        return ""
    known, out = [], []
    for attribute, values in (("region", filters.region), ("segment", filters.segment)):
        if values is None:
            continue
        if UNKNOWN not in values:
            known.append(sqltext.in_list(attribute, f"f_{attribute}", values, params))
            continue
        listed = [v for v in values if v is not UNKNOWN]
        other = f"c.{attribute} IS NOT NULL"
        if listed:
            other += " AND NOT " + sqltext.in_list(f"c.{attribute}", f"f_{attribute}", listed, params)
        out.append(
            f"NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = {rows}.customer_id AND {other})"
        )
    conds = (
        [f"{rows}.customer_id IN (SELECT customer_id FROM customers WHERE {' AND '.join(known)})"]
        if known
        else []
    )
    return "".join(f" AND {c}" for c in conds + out)


def _last_in_period(filters: Filters) -> dict[str, str]:
    """Is this order its customer's last in the period (company: _c, brand: _b)?

    Unfiltered, the history says so: the customer's next order is after the
    period or there is none. A channel filter may drop that next order, so
    the last of the orders that are left is found by ROW_NUMBER (a sort, but
    only for a filtered view). Region and segment keep or drop a customer's
    orders whole, so they need no sort.
    """
    if filters.channel is None:
        return {
            "last_c": "(h.next_at_c IS NULL OR h.next_at_c >= i.period_end)",
            "last_b": "(h.next_at_b IS NULL OR h.next_at_b >= i.period_end)",
        }
    order = "ORDER BY i.ordered_at DESC, i.order_id DESC"
    return {
        "last_c": f"ROW_NUMBER() OVER (PARTITION BY i.k, i.customer_id {order}) = 1",
        "last_b": f"ROW_NUMBER() OVER (PARTITION BY i.k, i.brand_id, i.customer_id {order}) = 1",
    }


# The query each fact group runs. orders.sql also returns every order sum,
# so a view that needs customers and orders reads orders once.
QUERY_OF_GROUP = {
    "orders": "order_totals",
    "customers": "orders",
    "surveys": "customer_surveys",
    "tickets": "support_tickets",
    "messages": "marketing_messages",
}


def queries_for(groups: Sequence[str]) -> list[str]:
    names = {QUERY_OF_GROUP[g] for g in groups}
    if "orders" in names:
        names.discard("order_totals")
    return sorted(names)


def rendering_dialect(name: str) -> str:
    """The dialect the SQL is rendered for on an engine of dialect `name`:
    its own on an engine verified here, else PostgreSQL's (see `carried`)."""
    return name if db.is_verified(name) else "postgresql"


def carried(sql: str, name: str) -> str:
    """SQL rendered for `rendering_dialect(name)`, in the engine's own
    dialect: as it is on an engine verified here; else transpiled by
    sqlglot (as it is where sqlglot has no such dialect). A construct
    sqlglot cannot carry there is a DatabaseError."""
    if db.is_verified(name):
        return sql
    target = transpile.sqlglot_dialect(name)
    if target is None:
        return sql
    try:
        return transpile.transpile(sql, target)
    except transpile.TranspileError as exc:
        raise db.DatabaseError(f"cannot run the pushdown SQL on {name}: {exc}") from None


def render_queries(
    dialect_name: str, periods: Periods, filters: Filters, history: bool = True
) -> dict[str, tuple[str, dict]]:
    """Each fact query's SQL text and bound parameters; `history`: the
    store's order_history is current (else orders.sql computes the
    customers' history itself)."""
    d = sqltext.Dialect(dialect_name)
    n = len(periods.starts())
    params = period_params(d, periods)
    channel = ""
    if filters.channel is not None:
        channel = " AND " + sqltext.in_list("o.channel", "f_channel", filters.channel, params)
    order_filters = channel + _customer_filter(filters, params, "o")
    survey_filters = _customer_filter(filters, params, "customer_surveys")
    if filters.customer_purpose is not None:
        survey_filters += " AND " + sqltext.in_list(
            "customer_purpose", "f_purpose", filters.customer_purpose, params
        )
    # The end of an order's period, the same way as its index: joining the
    # periods on k instead makes PostgreSQL guess a few rows and look every
    # order up in order_history and customers one by one (12 months at 10M:
    # 6 s -> 15 s).
    ends = [d.ts(f"p{k}_end") for k in range(n - 1)]
    whens = " ".join(f"WHEN ordered_at < {end} THEN {end}" for end in ends)
    last = d.ts(f"p{n - 1}_end")
    snippets = {
        **period_index_snippets(d, n),
        "end_ordered_at": f"CASE {whens} ELSE {last} END" if whens else last,
        "delivered_date": delivered_date(d, periods),
        "next_c_within_90": d.within_90("h.next_at_c", "i.ordered_at"),
        "next_b_within_90": d.within_90("h.next_at_b", "i.ordered_at"),
        **_last_in_period(filters),
        "order_history": "order_history"
        if history
        else sqltext.render("facts/order_history.part.sql").strip(),
        "order_filters": order_filters,
        "survey_filters": survey_filters,
        "ticket_filters": _customer_filter(filters, params, "support_tickets"),
        "message_filters": _customer_filter(filters, params, "marketing_messages"),
    }
    for part in ("order_sums", "survey_tallies", "ticket_tallies", "message_tallies"):
        snippets[part] = sqltext.render(f"facts/{part}.part.sql", snippets).rstrip()
    return {
        name: (sqltext.render(f"facts/{name}.sql", snippets), params)
        for name in ("orders", "order_totals", "customer_surveys", "support_tickets", "marketing_messages")
    }


def fact_frames(
    conn: Connection, periods: Periods, filters: Filters, queries: Sequence[str], history: bool = True
) -> tuple[list[pl.LazyFrame], int]:
    """Run the fact queries; returns the parts keyed by (scope,
    period_start) and the number of bytes the database sent. `history`:
    as render_queries takes it."""
    starts = periods.starts()
    k_to_start = pl.DataFrame(
        {"k": list(range(len(starts))), "period_start": starts},
        schema={"k": pl.Int64, "period_start": pl.Date},
    )
    parts, transferred = [], 0
    name = conn.dialect.name
    rendered = render_queries(rendering_dialect(name), periods, filters, history)
    for sql, params in (rendered[q] for q in queries):
        df = db.fetch_sql(conn, carried(sql, name), params)
        transferred += int(df.estimated_size())
        df = df.with_columns(
            pl.col("scope").cast(pl.String),
            pl.col("k").cast(pl.Int64),
            *[pl.col(c).cast(pl.Float64) for c in df.columns if c not in ("scope", "k")],
        )
        parts.append(df.join(k_to_start, on="k").drop("k").lazy())
    return parts, transferred


def history_is_current(conn: Connection) -> bool:
    """Whether order_history holds exactly the completed orders of known
    customers (what the customer facts join): the fact store's, or on Spark
    the one Spark keeps (spark/history.py). Never on another engine not
    verified here (its store, if any, is not read)."""
    from ..spark import is_spark
    from ..store.state import is_current

    if is_spark(conn):
        from ..spark import history

        return history.is_current(conn)
    return db.is_verified(conn.dialect.name) and is_current(conn, ["orders"], days_too=False)


class PushdownSource:
    name = "pushdown"

    def __init__(self, engine: Engine):
        self.engine = engine

    def facts(self, periods: Periods, filters: Filters, groups: Sequence[str]) -> list[pl.LazyFrame]:
        try:
            with connections.connect(self.engine) as conn:
                # The customers' history from the store when it is current, else from the query.
                history = "customers" not in groups or history_is_current(conn)
                parts, _ = fact_frames(conn, periods, filters, queries_for(groups), history)
        except sa.exc.SQLAlchemyError as exc:
            raise db.DatabaseError(db.describe_db_error(exc)) from exc
        return parts

    def cohort_cells(
        self, grain: Grain, scopes: Sequence[str], since: dt.date | None = None
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        return self.local_cohort_cells(grain, scopes, since, None, ISO)

    def local_cohort_cells(
        self, grain: Grain, scopes: Sequence[str], since: dt.date | None, zone: str | None, cal: Calendar
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """cohort_cells on weeks (months) local to `zone`, cut by calendar `cal`."""
        try:
            with connections.connect(self.engine) as conn:
                cells, sizes, _ = cohort_facts(conn, grain, scopes, zone, cal)
        except sa.exc.SQLAlchemyError as exc:
            raise db.DatabaseError(db.describe_db_error(exc)) from exc
        if since is None:
            return cells, sizes
        return cells.filter(pl.col("first_start") >= since), sizes.filter(pl.col("first_start") >= since)

    def driver_inputs(self, period: Periods) -> DriverInputs:
        from . import database_driver_inputs

        return database_driver_inputs(self.engine, period)

    def driver_counts(self, period: Periods, scopes: Sequence[str]) -> pl.DataFrame:
        from . import database_driver_counts

        return database_driver_counts(self.engine, period, scopes)

    def ticket_rows(self, period: Periods, brand: str) -> pl.LazyFrame:
        from . import database_ticket_rows

        return database_ticket_rows(self.engine, period, brand)

    def distinct(self, table: str, column: str) -> list[str]:
        """The column's non-NULL values, sorted (one small query)."""
        try:
            with connections.connect(self.engine) as conn:
                return [str(v) for v in conn.execute(distinct_query(table, column)).scalars()]
        except sa.exc.SQLAlchemyError as exc:
            raise db.DatabaseError(db.describe_db_error(exc)) from exc


def distinct_query(table: str, column: str) -> sa.Select:
    """The values of a column a filter offers: its non-NULL values, sorted."""
    t = db.SA_TABLES[table]
    return sa.select(t.c[column]).where(t.c[column].is_not(None)).distinct().order_by(t.c[column])


def render_cohorts(
    dialect_name: str, grain: Grain, scopes: Sequence[str], local: LocalPeriods | None = None
) -> tuple[str, dict]:
    """The cohort query's SQL text (sql/facts/cohorts.sql) and bound
    parameters; `local`: periods local to a zone or cut by the NRF calendar."""
    d = sqltext.Dialect(dialect_name)
    params: dict[str, object] = {}
    scopes = list(dict.fromkeys(scopes))
    # Each requested brand's cohort is one more running minimum in the
    # query's single window pass; other brands still count for the company.
    firsts, cases = [], []
    for i, brand in enumerate(s for s in scopes if s != "company"):
        params[f"brand{i}"] = brand
        firsts.append(
            f",\n           MIN(CASE WHEN brand_id = :brand{i} THEN period_start END) OVER w AS first_b{i}"
        )
        cases.append(f" WHEN :brand{i} THEN first_b{i}")
    orders, period_start = (
        "orders o",
        (d.week_start("o.ordered_at") if grain == "week" else d.month_start("o.ordered_at")),
    )
    if local is not None:
        day = d.local_day("ordered_at", local.zone, local.lo, local.hi)
        orders = f"(SELECT customer_id, brand_id, status, {day} AS local_day FROM orders) o"
        if local.starts is not None:
            period_start = d.bucket("o.local_day", local.starts)
        else:
            period_start = d.week_start("o.local_day") if grain == "week" else d.month_start("o.local_day")
    snippets = {
        "orders": orders,
        "period_start": period_start,
        "brand_firsts": "".join(firsts),
        "first_b": f"CASE brand_id{''.join(cases)} END" if cases else "CAST(NULL AS DATE)",
        "scope_filter": sqltext.in_list("scope", "scope", scopes, params),
    }
    return sqltext.render("facts/cohorts.sql", snippets), params


@dataclass(frozen=True)
class LocalPeriods:
    """How the cohort query cuts periods other than UTC ISO ones: the local
    dates in `zone` of orders placed in [lo, hi], bucketed into `starts`
    (NRF periods) or into ISO weeks and months (`starts` None)."""

    zone: str | None
    lo: dt.datetime
    hi: dt.datetime
    starts: tuple[dt.date, ...] | None = None


def local_periods(conn: Connection, grain: Grain, zone: str | None, cal: Calendar) -> LocalPeriods | None:
    """The LocalPeriods of the completed orders now in the database (None
    when there are none)."""
    lo, hi = conn.execute(
        sa.text("SELECT MIN(ordered_at), MAX(ordered_at) FROM orders WHERE status = 'completed'")
    ).one()
    if lo is None:
        return None
    lo, hi = db.as_timestamp(lo), db.as_timestamp(hi)
    starts = None
    if cal.nrf:
        first, last = to_local(lo, zone).date(), to_local(hi, zone).date()
        starts = tuple(cal.period_starts(grain, first, last))
    return LocalPeriods(zone, lo, hi, starts)


def cohort_facts(
    conn: Connection,
    grain: Grain,
    scopes: Sequence[str],
    zone: str | None = None,
    cal: Calendar = ISO,
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(cells, sizes, bytes the database sent) for `metrics.cohorts.finish_cohorts`.

    cells: scope, first_start, period_index, customers; sizes: scope,
    first_start, cohort_size (the k = 0 cell: every customer of a cohort
    ordered in its first period). What comes back grows with scopes ×
    cohorts × periods, not with orders.
    """
    local = None
    if not is_utc(zone) or cal.nrf:
        local = local_periods(conn, grain, zone, cal)
        if local is None:
            empty = pl.DataFrame(schema={"scope": pl.String, "first_start": pl.Date, "period_index": pl.Int64,
                                         "customers": pl.Int64})  # fmt: skip
            sizes = empty.select("scope", "first_start", pl.col("customers").alias("cohort_size"))
            return empty, sizes, 0
    sql, params = render_cohorts(rendering_dialect(conn.dialect.name), grain, scopes, local)
    raw = db.fetch_sql(conn, carried(sql, conn.dialect.name), params)
    transferred = int(raw.estimated_size())

    def as_date(name: str) -> pl.Expr:
        col = pl.col(name)
        if raw.schema[name] == pl.String:  # SQLite: ISO text
            return col.str.to_date("%Y-%m-%d")
        return col.cast(pl.Date)

    cells = raw.select(
        pl.col("scope").cast(pl.String),
        as_date("first_start"),
        as_date("period_start"),
        pl.col("customers").cast(pl.Int64),
    )
    if local is not None and local.starts is not None and grain == "month":  # fiscal months differ in length
        ordinal = pl.DataFrame({"start": local.starts, "i": range(len(local.starts))},
                               schema={"start": pl.Date, "i": pl.Int64})  # fmt: skip
        cells = (
            cells.join(ordinal.rename({"start": "period_start", "i": "_k"}), on="period_start")
            .join(ordinal.rename({"start": "first_start", "i": "_f"}), on="first_start")
            .with_columns(period_index=pl.col("_k") - pl.col("_f"))
            .drop("_k", "_f")
        )
    else:
        cells = cells.with_columns(period_index=period_index("period_start", "first_start", grain))
    sizes = cells.filter(pl.col("period_index") == 0).select(
        "scope", "first_start", pl.col("customers").alias("cohort_size")
    )
    return cells.select("scope", "first_start", "period_index", "customers"), sizes, transferred


# --- the drivers --------------------------------------------------------------------------

# How sql/drivers/counts.sql names each driver's group.
_DRIVER_FLAG = {
    "on_time_delivery": "ot",
    "purpose_achieved": "pa",
    "first_contact_resolution": "fcr",
    "cause_participation": "cause",
}


def render_driver_counts(dialect_name: str, period: Periods, scopes: Sequence[str]) -> tuple[str, dict]:
    """sql/drivers/counts.sql and its bound parameters, for one period
    (local to period.zone) and the scopes asked for; a delivery's local date
    as the pushdown facts cut it (`delivered_date`)."""
    d = sqltext.Dialect(dialect_name)
    start, anchor_end, window_end = drivers.window(period)
    params: dict[str, object] = {
        "start": d.ts_value(start),
        "anchor_end": d.ts_value(anchor_end),
        "window_end": d.ts_value(window_end),
    }
    brands = [s for s in dict.fromkeys(scopes) if s != "company"]
    earlier = "ORDER BY w.ordered_at, w.order_id"
    first_c = "0"
    if "company" in scopes:
        first_c = f"CASE WHEN ROW_NUMBER() OVER (PARTITION BY w.customer_id {earlier}) = 1 THEN 1 ELSE 0 END"
    first_b = "0"
    if brands:
        listed = sqltext.in_list("w.brand_id", "brand", brands, params)
        first_b = (
            f"CASE WHEN {listed} AND ROW_NUMBER() OVER (PARTITION BY w.brand_id, w.customer_id {earlier}) = 1 "
            "THEN 1 ELSE 0 END"
        )
    snippets = {
        "materialized": d.cte_hint(True),
        "not_materialized": d.cte_hint(False),
        "first_c": first_c,
        "first_b": first_b,
        "within_window": f"w.ordered_at <= {d.plus_window('a.ordered_at')}",
        "delivered_date": delivered_date(d, period, "a.delivered_at"),
        "order_answers": sqltext.render("drivers/order_answers.part.sql", {"orders": "anchors"}).rstrip(),
    }
    return sqltext.render("drivers/counts.sql", snippets), params


# Memory per sort or hash of the drivers' query on PostgreSQL (SET LOCAL, this query only).
DRIVER_WORK_MEM = "128MB"


# PostgreSQL's settings for the drivers' queries, each for that query only.
# From the tables (sql/drivers/counts.sql), which joins whole sets: without
# fresh statistics on orders (an import analyses only the store's tables;
# autovacuum takes its time) PostgreSQL estimates a row or two per step and
# loops over one side per row of the other, minutes at scale, so nested
# loops are off; and its sorts (the Earlier rule over a period's orders,
# about 80 MB each at ten million orders) get DRIVER_WORK_MEM instead of the
# 4 MB that spilled them to disk. From the store (stored_counts.sql): the
# planner takes a period's orders for a few thousand (it cannot estimate
# the "first of the period" test) and groups them by sorting, spilling;
# hashing the few hundred groups instead took 1.6 s at 10M against 2.8 s.
_TABLE_SETTINGS = {"enable_nestloop": "off", "work_mem": DRIVER_WORK_MEM}
_STORE_SETTINGS = {"enable_sort": "off"}


def _rows_with(conn: Connection, sql: str, params: dict, settings: dict[str, str]) -> list[sa.Row]:
    """The rows of a query run with PostgreSQL `settings` (SET LOCAL in a
    savepoint rolled back after, so the run's other reads keep their plans);
    other databases run it as it is."""
    if conn.dialect.name != "postgresql":
        return list(conn.execute(sa.text(sql), params))
    savepoint = conn.begin_nested()
    try:
        for name, value in settings.items():
            conn.exec_driver_sql(f"SET LOCAL {name} = '{value}'")
        return list(conn.execute(sa.text(sql), params))
    finally:
        savepoint.rollback()


def render_stored_driver_counts(
    dialect_name: str, period: Periods, scopes: Sequence[str]
) -> tuple[str, dict]:
    """sql/drivers/stored_counts.sql and its bound parameters: the same
    counts from the fact store's order_history (its on_time cut in the
    store's zone, which must be period.zone)."""
    d = sqltext.Dialect(dialect_name)
    start, anchor_end, _ = drivers.window(period)
    params: dict[str, object] = {"start": d.ts_value(start), "anchor_end": d.ts_value(anchor_end)}
    brands = [s for s in dict.fromkeys(scopes) if s != "company"]
    first_c = "0"
    if "company" in scopes:
        first_c = "CASE WHEN h.prev_at_c IS NULL OR h.prev_at_c < :start THEN 1 ELSE 0 END"
    first_b = "0"
    if brands:
        listed = sqltext.in_list("h.brand_id", "brand", brands, params)
        first_b = f"CASE WHEN {listed} AND (h.prev_at_b IS NULL OR h.prev_at_b < :start) THEN 1 ELSE 0 END"
    snippets = {"first_c": first_c, "first_b": first_b}
    for kind in ("c", "b"):
        nxt = f"h.next_at_{kind}"
        snippets[f"next_{kind}_within"] = f"{nxt} IS NOT NULL AND {d.within_90(nxt, 'h.ordered_at')}"
    return sqltext.render("drivers/stored_counts.sql", snippets), params


def driver_counts(
    conn: Connection, period: Periods, scopes: Sequence[str], *, stored: bool = False
) -> pl.DataFrame:
    """The drivers' counts of one period, counted by the database from the
    tables (sql/drivers/counts.sql) or, `stored`, from the fact store
    (sql/drivers/stored_counts.sql): the frame metrics.drivers
    `count_drivers` makes in Polars (COUNTS_SCHEMA), one row per (scope,
    driver) with an anchor in either group. What crosses the wire is one
    row per combination of an anchor's flags, summed here."""
    scopes = list(dict.fromkeys(scopes))
    if not scopes:
        return pl.DataFrame(schema=drivers.COUNTS_SCHEMA)
    render = render_stored_driver_counts if stored else render_driver_counts
    sql, params = render(rendering_dialect(conn.dialect.name), period, scopes)
    sql = carried(sql, conn.dialect.name)
    result = _rows_with(conn, sql, params, _STORE_SETTINGS if stored else _TABLE_SETTINGS)
    flags = ["first_c", "first_b", "rep_c", "rep_b", *_DRIVER_FLAG.values()]
    cells = pl.DataFrame(
        [tuple(row) for row in result],
        schema={"brand_id": pl.String, **{f: pl.Int64 for f in flags}, "anchors": pl.Int64,
                "revenue_c": pl.Float64, "revenue_b": pl.Float64},
        orient="row",
    )  # fmt: skip
    parts = []
    for kind, scope in (("c", pl.lit("company")), ("b", pl.col("brand_id"))):
        first, rep, revenue = (
            pl.col(f"first_{kind}") == 1,
            pl.col(f"rep_{kind}") == 1,
            pl.col(f"revenue_{kind}"),
        )
        for driver, flag in _DRIVER_FLAG.items():
            good, bad = pl.col(flag) == 1, pl.col(flag) == 0
            parts.append(
                cells.filter(first & pl.col(flag).is_not_null())
                .group_by(scope.alias("scope"))
                .agg(
                    pl.lit(driver).alias("driver"),
                    pl.col("anchors").filter(good).sum().alias("n_good"),
                    pl.col("anchors").filter(good & rep).sum().alias("repurchased_good"),
                    pl.col("anchors").filter(bad).sum().alias("n_bad"),
                    pl.col("anchors").filter(bad & rep).sum().alias("repurchased_bad"),
                    revenue.filter(good & rep).sum().alias("_revenue"),
                )
            )
    counts = pl.concat(parts).filter(
        pl.col("scope").is_in(scopes) & (pl.col("n_good") + pl.col("n_bad") > 0)  # as in Polars: anchors only
    )
    # Every repurchaser of the good group spent something (a later order):
    # the mean is over them.
    return counts.select(
        "scope",
        "driver",
        *drivers.COUNT_COLUMNS,
        pl.when(pl.col("repurchased_good") > 0)
        .then(pl.col("_revenue") / pl.col("repurchased_good"))
        .alias("_revenue_per_customer"),
    ).cast(drivers.COUNTS_SCHEMA)  # type: ignore[arg-type]
