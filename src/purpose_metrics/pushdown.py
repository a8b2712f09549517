"""Pushdown mode: the database computes the facts, Polars finishes them.

The SQL in `sql/facts/` computes, per (scope, period), the same facts as
`metrics/facts.py` does in memory: counts and sums over orders (with each
customer's order sequence from window functions), survey tallies and the
monthly tables. What crosses the wire grows with scopes × periods, not with
orders. The engine's own `finish` and `attach_targets` then make the
metrics, so ratios, suppression, intervals and targets have one definition.

Placeholders in the SQL files are dialect snippets chosen here (DuckDB,
PostgreSQL, SQLite); every value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import catalog, db
from .constants import REPURCHASE_WINDOW_DAYS
from .metrics.dataset import Filters
from .metrics.engine import KPI_COLUMNS, attach_targets, finish
from .metrics.facts import assemble
from .periods import Grain, Periods

FACT_QUERIES = (
    "orders",
    "order_totals",
    "customer_surveys",
    "support_tickets",
    "marketing_messages",
    "employee_surveys",
    "workforce",
    "impact_ledger",
)



def _sql_dir() -> Path:
    return db.SQL_DIR / "facts"


class _Dialect:
    def __init__(self, name: str):
        self.sqlite = name == "sqlite"

    def ts(self, param: str) -> str:
        # SQLite keeps timestamps as ISO text; a CAST there would make a number.
        return f":{param}" if self.sqlite else f"CAST(:{param} AS TIMESTAMP)"

    def date(self, param: str) -> str:
        return f":{param}" if self.sqlite else f"CAST(:{param} AS DATE)"

    @property
    def month_end(self) -> str:
        if self.sqlite:
            return "date(t.period_start, '+1 month')"
        return "CAST(t.period_start + INTERVAL '1 month' AS DATE)"

    @property
    def delivered_date(self) -> str:
        return "date(delivered_at)" if self.sqlite else "CAST(delivered_at AS DATE)"

    @property
    def next_within_90(self) -> str:
        return self.within_90("next_at")

    def within_90(self, next_at: str, ordered_at: str = "ordered_at") -> str:
        """Column `next_at` within the repurchase window of column `ordered_at`."""
        days = REPURCHASE_WINDOW_DAYS
        if self.sqlite:
            return f"datetime({next_at}) <= datetime({ordered_at}, '+{days} days')"
        return f"{next_at} <= {ordered_at} + INTERVAL '{days} days'"

    @property
    def week_start(self) -> str:
        """The Monday (a date) of the ISO week holding o.ordered_at."""
        if self.sqlite:
            # 'weekday 0' moves on to the Sunday ending the week (or stays on it).
            return "date(o.ordered_at, 'weekday 0', '-6 days')"
        return "CAST(date_trunc('week', o.ordered_at) AS DATE)"

    @property
    def month_start(self) -> str:
        """The first day (a date) of the month holding o.ordered_at."""
        if self.sqlite:
            return "date(o.ordered_at, 'start of month')"
        return "CAST(date_trunc('month', o.ordered_at) AS DATE)"

    def ts_value(self, value: dt.datetime) -> object:
        return value.strftime("%Y-%m-%d %H:%M:%S") if self.sqlite else value

    def date_value(self, value: dt.date) -> object:
        return value.isoformat() if self.sqlite else value


def _dt(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _in_list(column: str, prefix: str, values: Sequence[str], params: dict) -> str:
    names = []
    for i, v in enumerate(values):
        params[f"{prefix}{i}"] = v
        names.append(f":{prefix}{i}")
    return f"{column} IN ({', '.join(names)})" if names else "1 = 0"


def _customer_filter(filters: Filters, params: dict) -> str:
    if not filters.by_customer:
        return ""
    conds = []
    if filters.region is not None:
        conds.append(_in_list("region", "f_region", filters.region, params))
    if filters.segment is not None:
        conds.append(_in_list("segment", "f_segment", filters.segment, params))
    return f"AND customer_id IN (SELECT customer_id FROM customers WHERE {' AND '.join(conds)})"


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


# Timestamp columns the fact queries place in a period by `{k_<column>}`.
_PERIOD_COLUMNS = ("submitted_at", "opened_at", "sent_at", "ordered_at")


def _period_snippets(d: _Dialect, n: int) -> dict[str, str]:
    """`k_<column>`: the index of the period holding the (unqualified) column,
    for rows already cut to [range_start, range_end). The periods are
    contiguous, so it is a chain of comparisons with each period's end: one
    pass over the rows, where a join to the periods scans a table once per
    period when no index on the column serves the join."""
    ends = [d.ts(f"p{k}_end") for k in range(n - 1)]
    out = {}
    for column in _PERIOD_COLUMNS:
        whens = " ".join(f"WHEN {column} < {end} THEN {k}" for k, end in enumerate(ends))
        out[f"k_{column}"] = f"CASE {whens} ELSE {n - 1} END" if whens else "0"
    # The end of an order's period, the same way: joining the periods on k
    # instead makes PostgreSQL guess a few rows and look every order up in
    # order_history and customers one by one (12 months at 10M: 6 s -> 15 s).
    last = d.ts(f"p{n - 1}_end")
    whens = " ".join(f"WHEN ordered_at < {end} THEN {end}" for end in ends)
    out["end_ordered_at"] = f"CASE {whens} ELSE {last} END" if whens else last
    return out


def render_queries(dialect_name: str, periods: Periods, filters: Filters) -> dict[str, tuple[str, dict]]:
    """Each fact query's SQL text and bound parameters."""
    d = _Dialect(dialect_name)
    params: dict[str, object] = {}
    starts = periods.starts()
    ts_rows, date_rows = [], []
    for k, start in enumerate(starts):
        end = periods.end_of(start)
        if k + 1 < len(starts) and starts[k + 1] != end:  # pragma: no cover - Periods makes a contiguous grid
            raise ValueError(f"periods are not contiguous at {start}")
        params[f"p{k}_start"], params[f"p{k}_end"] = d.ts_value(_dt(start)), d.ts_value(_dt(end))
        params[f"d{k}_start"], params[f"d{k}_end"] = d.date_value(start), d.date_value(end)
        ts_rows.append(f"SELECT {k} AS k, {d.ts(f'p{k}_start')} AS period_start, {d.ts(f'p{k}_end')} AS period_end")
        date_rows.append(f"SELECT {k} AS k, {d.date(f'd{k}_start')} AS period_start, {d.date(f'd{k}_end')} AS period_end")
    range_end = _dt(periods.range_end)
    params["range_start"] = d.ts_value(_dt(periods.start))
    params["range_end"] = d.ts_value(range_end)

    order_filters = ""
    if filters.channel is not None:
        order_filters += " AND " + _in_list("channel", "f_channel", filters.channel, params)
    customer_filters = _customer_filter(filters, params)
    order_filters += " " + customer_filters
    survey_filters = customer_filters
    if filters.customer_purpose is not None:
        survey_filters += " AND " + _in_list("customer_purpose", "f_purpose", filters.customer_purpose, params)

    snippets = {
        "periods": "\n    UNION ALL ".join(ts_rows),
        "date_periods": "\n    UNION ALL ".join(date_rows),
        "month_end": d.month_end,
        "delivered_date": d.delivered_date,
        "next_within_90": d.next_within_90,
        "next_c_within_90": d.within_90("h.next_at_c", "i.ordered_at"),
        "next_b_within_90": d.within_90("h.next_at_b", "i.ordered_at"),
        **_last_in_period(filters),
        **_period_snippets(d, len(starts)),
        "order_filters": order_filters,
        "customer_filters": customer_filters,
        "survey_filters": survey_filters,
    }
    # The order-level sums both order queries select (one definition).
    sums = (_sql_dir() / "order_sums.part.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in sums.splitlines() if not line.lstrip().startswith("--"))
    snippets["order_sums"] = body.strip().format(**snippets)
    out = {}
    for name in FACT_QUERIES:
        text = (_sql_dir() / f"{name}.sql").read_text(encoding="utf-8")
        out[name] = (text.format(**snippets), params)
    return out


def _fetch(conn: Connection, sql: str, params: dict) -> pl.DataFrame:
    stmt = sa.text(sql)
    used = {k: v for k, v in params.items() if f":{k}" in sql}
    if conn.dialect.name == "duckdb":
        compiled = stmt.bindparams(**used).compile(dialect=conn.dialect)
        ordered = [compiled.params[k] for k in compiled.positiontup] if compiled.positiontup else []
        raw = conn.connection.dbapi_connection
        return pl.from_arrow(raw.sql(str(compiled), params=ordered).to_arrow_table())
    result = conn.execute(stmt, used)
    names = list(result.keys())
    rows = result.fetchall()
    if not rows:
        return pl.DataFrame(schema={n: pl.Null for n in names})
    return pl.DataFrame([list(r) for r in rows], schema=names, orient="row", infer_schema_length=None)


# The fact queries each catalog source needs (Metric.source). Order and
# ledger metrics are decided per metric (_order_query).
QUERIES_OF_SOURCE: dict[str, tuple[str, ...]] = {
    "surveys": ("customer_surveys",),
    "tickets": ("support_tickets",),
    "messages": ("marketing_messages",),
    "employees": ("employee_surveys",),
    "workforce": ("workforce",),
}
# Facts only orders.sql computes: they need each order's place in its
# customer's history, or the customers table. Every other order fact is a
# plain sum over orders (order_totals.sql, no joins).
CUSTOMER_FACTS = frozenset(
    {"returning_orders", "active_customers", "new_customers", "repeat_customers", "repurchased_90d",
     "opted_in_customers"}
)  # fmt: skip


def _queries_of(metric: catalog.Metric) -> tuple[str, ...]:
    if metric.source not in ("orders", "customers", "ledger"):
        return QUERIES_OF_SOURCE[metric.source]
    facts = {metric.numerator, metric.denominator, metric.n} - {None}
    orders = "orders" if facts & CUSTOMER_FACTS else "order_totals"
    # Ledger metrics divide by orders or net revenue.
    return ("impact_ledger", orders) if metric.source == "ledger" else (orders,)


def queries_for(metrics: Sequence[catalog.Metric]) -> tuple[str, ...]:
    """The fact queries these metrics need, in FACT_QUERIES order: a trend of
    one survey metric does not aggregate a year of orders, and one of an
    order metric does not join the customer history."""
    needed = {q for m in metrics for q in _queries_of(m)}
    if "orders" in needed:  # its columns include every order total
        needed.discard("order_totals")
    return tuple(q for q in FACT_QUERIES if q in needed)


def fact_frames(
    conn: Connection,
    periods: Periods,
    filters: Filters = Filters(),
    queries: Sequence[str] | None = None,
) -> tuple[list[pl.LazyFrame], int]:
    """Run the fact queries (by default those every metric needs); returns the parts keyed by
    (scope, period_start) and the number of bytes the database sent (the
    size of what came back)."""
    starts = periods.starts()
    k_to_start = pl.DataFrame({"k": list(range(len(starts))), "period_start": starts},
                              schema={"k": pl.Int64, "period_start": pl.Date})
    parts, transferred = [], 0
    rendered = render_queries(conn.dialect.name, periods, filters)
    if queries is None:  # what every metric needs
        queries = queries_for(catalog.METRICS)
    for sql, params in (rendered[q] for q in queries):
        df = _fetch(conn, sql, params)
        transferred += int(df.estimated_size())
        df = df.with_columns(
            pl.col("scope").cast(pl.String),
            pl.col("k").cast(pl.Int64),
            *[pl.col(c).cast(pl.Float64) for c in df.columns if c not in ("scope", "k")],
        )
        parts.append(df.join(k_to_start, on="k").drop("k").lazy())
    return parts, transferred


def kpi_frame_pushdown(
    engine: Engine,
    periods: Periods,
    scopes: Sequence[str] | None = None,
    metric_ids: Sequence[str] | None = None,
    filters: Filters = Filters(),
    context: Context | None = None,
) -> pl.DataFrame:
    """Same result as `metrics.kpi_frame` on the loaded data, with the heavy
    lifting done in the database.

    `context` (brands, targets and the as-of instant, as a pushdown Dataset
    already holds them) saves reading them again; without it they are read.
    """
    try:
        # The history the fact queries join was checked when the context was
        # read (a Dataset's load); imports rebuild it in their transaction.
        if context is None:
            context = read_context(engine)
        metrics = [catalog.get(i) for i in metric_ids] if metric_ids else list(catalog.METRICS)
        with engine.connect() as conn:
            parts, _ = fact_frames(conn, periods, filters, queries_for(metrics))
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc
    scopes = list(scopes) if scopes is not None else ["company", *context.brand_ids]
    facts = assemble(parts, periods, scopes)
    rows = attach_targets(finish(facts, metrics, context.as_of), context.targets)
    order = {s: i for i, s in enumerate(scopes)}
    return (
        rows.with_columns(pl.col("scope").replace_strict(order, return_dtype=pl.UInt32).alias("_s"))
        .sort("_s", "period_start", "_order")
        .select(KPI_COLUMNS)
    )


class Context(NamedTuple):
    """What finishing needs besides the facts: small, read once."""

    brand_ids: list[str]
    targets: pl.LazyFrame
    as_of: dt.datetime | None


def read_context(engine: Engine) -> Context:
    """Brands, targets and the as-of instant, after making sure the order
    history the fact queries join is current."""
    from . import data, history

    history.ensure_fresh(engine)
    with engine.connect() as conn:
        brands = db.read_table(conn, "brands", ["brand_id"]).get_column("brand_id").sort().to_list()
        targets = db.read_table(conn, "targets").lazy()
        as_of = data.as_of(conn)
    return Context(brands, targets, as_of)


def render_cohorts(dialect_name: str, grain: Grain, scopes: Sequence[str]) -> tuple[str, dict]:
    """The cohort query's SQL text (sql/facts/cohorts.sql) and bound parameters."""
    d = _Dialect(dialect_name)
    params: dict[str, object] = {}
    scopes = list(dict.fromkeys(scopes))
    # Each requested brand's cohort is one more running minimum in the
    # query's single window pass; other brands still count for the company.
    firsts, cases = [], []
    for i, brand in enumerate(s for s in scopes if s != "company"):
        params[f"brand{i}"] = brand
        firsts.append(f",\n           MIN(CASE WHEN brand_id = :brand{i} THEN period_start END) OVER w AS first_b{i}")
        cases.append(f" WHEN :brand{i} THEN first_b{i}")
    snippets = {
        "period_start": d.week_start if grain == "week" else d.month_start,
        "brand_firsts": "".join(firsts),
        "first_b": f"CASE brand_id{''.join(cases)} END" if cases else "CAST(NULL AS DATE)",
        "scope_filter": _in_list("scope", "scope", scopes, params),
    }
    text = (_sql_dir() / "cohorts.sql").read_text(encoding="utf-8")
    return text.format(**snippets), params


def cohort_facts(conn: Connection, grain: Grain, scopes: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(cells, sizes, bytes the database sent) for `metrics.cohorts.finish_cohorts`.

    cells: scope, first_start, period_index, customers; sizes: scope,
    first_start, cohort_size (the k = 0 cell: every customer of a cohort
    ordered in its first period). What comes back grows with scopes ×
    cohorts × periods, not with orders.
    """
    from .metrics.cohorts import period_index

    sql, params = render_cohorts(conn.dialect.name, grain, scopes)
    raw = _fetch(conn, sql, params)
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
    ).with_columns(period_index=period_index("period_start", "first_start", grain))
    sizes = cells.filter(pl.col("period_index") == 0).select(
        "scope", "first_start", pl.col("customers").alias("cohort_size")
    )
    return cells.select("scope", "first_start", "period_index", "customers"), sizes, transferred


def cohorts_pushdown(
    engine: Engine,
    grain: Grain,
    scopes: Sequence[str] | None = None,
    as_of: dt.datetime | None = None,
) -> pl.DataFrame:
    """Same result as `metrics.cohorts.cohorts` on the loaded data, with the
    cells counted in the database (one pass over orders; no customer-level
    row crosses the wire). Default scopes: 'company', then brands by id.

    `as_of` (as a pushdown Dataset already holds it) saves reading it again.
    The query reads orders alone (the cohort is each customer's earliest
    period), so the materialised order history is not needed here.
    """
    from . import data
    from .metrics.cohorts import finish_cohorts

    try:
        with engine.connect() as conn:
            if scopes is None:
                brands = db.read_table(conn, "brands", ["brand_id"]).get_column("brand_id").sort().to_list()
                scopes = ["company", *brands]
            scopes = list(scopes)
            if as_of is None:
                as_of = data.as_of(conn)
            cells, sizes, _ = cohort_facts(conn, grain, scopes)
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc
    return finish_cohorts(cells, sizes, scopes, grain, as_of)
