"""Loading the engine's inputs from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db, history
from .contract import TABLES
from .metrics.dataset import Dataset

# The columns the engine reads from each table (never comments or names it
# does not need).
ENGINE_COLUMNS: dict[str, list[str]] = {
    "brands": ["brand_id", "name", "purpose_statement"],
    "customers": ["customer_id", "segment", "region", "marketing_opt_in"],
    "orders": [
        "order_id", "customer_id", "brand_id", "ordered_at", "channel", "status", "units",
        "net_revenue", "returned_units", "refunded_amount", "promised_delivery_date",
        "delivered_at", "shipping_co2e_kg", "packaging_kg", "packaging_recycled_kg",
        "donation_amount",
    ],
    "customer_surveys": [
        "customer_id", "brand_id", "submitted_at", "nps_score", "csat_score", "effort_score",
        "customer_purpose", "purpose_achieved",
    ],
    "support_tickets": ["customer_id", "brand_id", "opened_at", "resolved_at", "contacts"],
    "marketing_messages": ["customer_id", "brand_id", "sent_at", "clicked_at", "unsubscribed_at"],
    "employee_surveys": ["submitted_at", "brand_id", "team", "enps_score", "engagement_score", "purpose_alignment"],
    "workforce": TABLES["workforce"].column_names,
    "impact_ledger": TABLES["impact_ledger"].column_names,
    "targets": TABLES["targets"].column_names,
    "initiatives": TABLES["initiatives"].column_names,
    "company": TABLES["company"].column_names,
}


def as_of(engine: Engine | sa.Connection) -> dt.datetime | None:
    """The latest ordered_at of any order, cancelled included."""
    orders = db.SA_TABLES["orders"]
    query = sa.select(sa.func.max(orders.c.ordered_at))
    if isinstance(engine, sa.Connection):
        value = engine.execute(query).scalar_one()
    else:
        with engine.connect() as conn:
            value = conn.execute(query).scalar_one()
    if isinstance(value, str):  # SQLite
        value = dt.datetime.fromisoformat(value)
    return value


HISTORY_COLUMNS = {"seq_c": pl.UInt32, "next_at_c": pl.Datetime("us"), "seq_b": pl.UInt32, "next_at_b": pl.Datetime("us")}
_RANGED = ("orders", "customer_surveys", "support_tickets", "marketing_messages", "employee_surveys")


def _dt(day: dt.date | dt.datetime | None) -> dt.datetime | None:
    if day is None or isinstance(day, dt.datetime):
        return day
    return dt.datetime.combine(day, dt.time())


def read_orders(conn: sa.Connection, start: dt.datetime | None = None, end: dt.datetime | None = None) -> pl.DataFrame:
    """Completed orders placed in [start, end), each with its place in the
    customer's history from the materialised order_history table.

    Grain: one row per completed order. Columns: ENGINE_COLUMNS["orders"]
    without status, plus seq_c, next_at_c, seq_b, next_at_b (NULL for guests).
    """
    o, h = db.SA_TABLES["orders"], db.ORDER_HISTORY
    cols = [c for c in ENGINE_COLUMNS["orders"] if c != "status"]
    query = (
        sa.select(*[o.c[c] for c in cols], *[h.c[c] for c in HISTORY_COLUMNS])
        .where(o.c.status == "completed")
    )
    # The range on both sides lets the database join two small sets.
    join_on = h.c.order_id == o.c.order_id
    if start is not None:
        query = query.where(o.c.ordered_at >= start)
        join_on &= h.c.ordered_at >= start
    if end is not None:
        query = query.where(o.c.ordered_at < end)
        join_on &= h.c.ordered_at < end
    query = query.select_from(o.outerjoin(h, join_on))
    df = db.fetch(conn, query)
    schema = {c: TABLES["orders"].column(c).dtype for c in cols} | HISTORY_COLUMNS
    if df.height == 0:
        return pl.DataFrame(schema=schema)
    typed = db.type_frame(df.select(cols), TABLES["orders"])
    extra = df.select(
        [pl.col(c).cast(pl.UInt32) for c in ("seq_c", "seq_b")]
        + [db.to_datetime(df.get_column(c)).alias(c) for c in ("next_at_c", "next_at_b")]
    )
    return pl.concat([typed, extra], how="horizontal").select(list(schema))


def _customers_in_range(start: dt.datetime | None, end: dt.datetime | None) -> list[sa.ColumnElement[bool]]:
    """Only the customers the ranged tables refer to."""
    if start is None and end is None:
        return []
    refs = []
    for name in ("orders", "customer_surveys", "support_tickets", "marketing_messages"):
        t = db.SA_TABLES[name]
        tcol = t.c[TABLES[name].time_column]
        q = sa.select(t.c.customer_id).where(t.c.customer_id.is_not(None))
        if start is not None:
            q = q.where(tcol >= start)
        if end is not None:
            q = q.where(tcol < end)
        refs.append(q)
    return [db.SA_TABLES["customers"].c.customer_id.in_(sa.union(*refs).scalar_subquery())]


def load_dataset(
    engine: Engine,
    tables: Iterable[str] | None = None,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    mode: str | None = None,
) -> Dataset:
    """The tables the engine needs, typed, with the as-of instant.

    With `start`/`end`, orders, surveys, tickets and messages are read only
    for [start, end) (and customers only those they refer to); monthly
    tables, targets and initiatives are small and read whole. Orders come
    with their materialised customer history (rebuilt first if stale), so
    no view ever sorts the whole order book.

    `mode` (see modes.py; None: $PURPOSE_METRICS_MODE, else auto): in
    pushdown mode the large tables are not read at all; the Dataset carries
    a PushdownSource and the engine asks the database for facts instead.
    """
    from . import modes

    names = list(tables) if tables is not None else list(ENGINE_COLUMNS)
    start, end = _dt(start), _dt(end)
    try:
        pushdown = modes.resolve_mode(engine, mode) == "pushdown"
        if pushdown:
            # What finishing needs: brands and targets, whatever was asked for.
            names = [n for n in dict.fromkeys([*names, "brands", "targets"]) if n not in modes.LARGE_TABLES]
        if "orders" in names or pushdown:
            history.ensure_fresh(engine)
        with engine.connect() as conn:  # one connection for the whole load
            frames = {}
            for name in names:
                if name == "orders":
                    frames[name] = read_orders(conn, start, end).lazy()
                elif name == "customers":
                    frames[name] = db.read_table(conn, name, ENGINE_COLUMNS[name], where=_customers_in_range(start, end)).lazy()
                elif name in _RANGED:
                    frames[name] = db.read_table(conn, name, ENGINE_COLUMNS[name], start, end).lazy()
                else:
                    frames[name] = db.read_table(conn, name, ENGINE_COLUMNS[name]).lazy()
            instant = as_of(conn)
            first = first_order_at(conn)
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc
    ds = Dataset(frames, as_of=instant, first_order_at=first, loaded_range=(start, end))
    if pushdown:
        ds.source = modes.PushdownSource(engine, tuple(ds.brand_ids), ds["targets"], instant)
    return ds


def first_order_at(conn: sa.Connection) -> dt.datetime | None:
    orders = db.SA_TABLES["orders"]
    value = conn.execute(sa.select(sa.func.min(orders.c.ordered_at))).scalar_one()
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def company(engine: Engine) -> dict | None:
    rows = db.read_table(engine, "company")
    return rows.row(0, named=True) if rows.height else None


def brands(engine: Engine) -> pl.DataFrame:
    return db.read_table(engine, "brands").sort("brand_id")
