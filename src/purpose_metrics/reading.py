"""Reading a database into a Dataset: the small tables as frames, and a
FactSource for the large ones (sources/). A read never writes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import connections, db
from .contract import TABLES
from .metrics.dataset import LARGE_TABLES, Dataset
from .periods import Periods

if TYPE_CHECKING:
    from .metrics.drivers import DriverInputs

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
}  # fmt: skip
SMALL_TABLES = tuple(t for t in ENGINE_COLUMNS if t not in LARGE_TABLES)
HISTORY_COLUMNS = {
    "seq_c": pl.UInt32,
    "next_at_c": pl.Datetime("us"),
    "seq_b": pl.UInt32,
    "next_at_b": pl.Datetime("us"),
}


def _instant(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


def as_of(conn: sa.Connection) -> dt.datetime | None:
    """The latest ordered_at of any order, cancelled included."""
    return _instant(conn.execute(sa.select(sa.func.max(db.SA_TABLES["orders"].c.ordered_at))).scalar_one())


def first_order_at(conn: sa.Connection) -> dt.datetime | None:
    return _instant(conn.execute(sa.select(sa.func.min(db.SA_TABLES["orders"].c.ordered_at))).scalar_one())


def read_orders(
    conn: sa.Connection, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> pl.DataFrame:
    """Completed orders placed in [start, end), each with its place in the
    customer's history from the store's order_history (current: the caller
    checked). Grain: one row per completed order. Columns:
    ENGINE_COLUMNS["orders"] without status, plus seq_c, next_at_c, seq_b,
    next_at_b (NULL for guests)."""
    o, h = db.SA_TABLES["orders"], db.ORDER_HISTORY
    cols = [c for c in ENGINE_COLUMNS["orders"] if c != "status"]
    query = sa.select(*[o.c[c] for c in cols], *[h.c[c] for c in HISTORY_COLUMNS]).where(
        o.c.status == "completed"
    )
    # The range on both sides lets the database join two small sets.
    join_on = h.c.order_id == o.c.order_id
    if start is not None:
        query = query.where(o.c.ordered_at >= start)
        join_on &= h.c.ordered_at >= start
    if end is not None:
        query = query.where(o.c.ordered_at < end)
        join_on &= h.c.ordered_at < end
    df = db.fetch(conn, query.select_from(o.outerjoin(h, join_on)))
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


def read_large_tables(
    conn: sa.Connection, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> dict[str, pl.LazyFrame]:
    """The large tables' rows for the memory source: those of [start, end)
    (customers: those they refer to). Orders carry their stored history when
    the fact store is current; otherwise every order is read, and the memory
    source computes the history (it needs each customer's earlier orders)."""
    from .store import is_current

    frames = {}
    if is_current(conn, days_too=False):  # the stored history holds instants, no days
        frames["orders"] = read_orders(conn, start, end).lazy()
    else:
        frames["orders"] = db.read_table(conn, "orders", ENGINE_COLUMNS["orders"]).lazy()
    frames["customers"] = db.read_table(
        conn, "customers", ENGINE_COLUMNS["customers"], where=_customers_in_range(start, end)
    ).lazy()
    for name in ("customer_surveys", "support_tickets", "marketing_messages"):
        frames[name] = db.read_table(conn, name, ENGINE_COLUMNS[name], start, end).lazy()
    return frames


def load_dataset(
    engine: Engine,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    mode: str | None = None,
    read_large: bool = True,
) -> Dataset:
    """The small tables, typed, the as-of instant, and the FactSource the
    mode asks for (None: $PURPOSE_METRICS_MODE, else auto; see sources/).

    With `start`/`end` a memory source reads only the rows of [start, end)
    (orders with their stored history, so nothing sorts the order book);
    the other sources read nothing large at all. With `read_large` False a
    memory source reads no rows now (for a caller that asks the source for
    its own rows only, such as the drivers).
    """
    from .calendars import instant as local_instant
    from .sources import choose, open_source

    try:
        with connections.connect(engine) as conn:  # one connection for the whole read
            frames = {name: db.read_table(conn, name, ENGINE_COLUMNS[name]).lazy() for name in SMALL_TABLES}
            zone = Dataset(frames).timezone
            # A date starts at local midnight in the company's zone.
            if isinstance(start, dt.date) and not isinstance(start, dt.datetime):
                start = local_instant(start, zone)
            if isinstance(end, dt.date) and not isinstance(end, dt.datetime):
                end = local_instant(end, zone)
            chosen, _ = choose(conn, mode)
            instant, first = as_of(conn), first_order_at(conn)
            if chosen == "memory" and not read_large:
                from .sources.memory import MemorySource

                source = MemorySource({}, engine)
            else:
                source = open_source(engine, chosen, start, end, conn=conn)
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc
    if source.name == "memory":  # the frames hold the large tables too
        frames |= source.frames  # type: ignore[attr-defined]
        source.frames = frames  # type: ignore[attr-defined]
    return Dataset(frames, as_of=instant, first_order_at=first, source=source)


def brands(engine: Engine) -> pl.DataFrame:
    return db.read_table(engine, "brands").sort("brand_id")


def driver_inputs(conn: sa.Connection, period: Periods) -> DriverInputs:
    """The rows the drivers of `period` read (metrics/drivers.py): completed
    orders of known customers in [from, to + 90 days), and the answered
    surveys and the tickets of the orders that can be anchors. The database
    filters; nothing else of the order book is read."""
    from .metrics import drivers

    start, anchor_end, window_end = drivers.window(period)
    o = db.SA_TABLES["orders"]
    known = (o.c.status == "completed") & o.c.customer_id.is_not(None)
    anchorable = sa.select(o.c.order_id).where(known, o.c.ordered_at >= start, o.c.ordered_at < anchor_end)
    orders = db.read_table(conn, "orders", drivers.ORDER_COLUMNS, start, window_end, where=[known])
    s = db.SA_TABLES["customer_surveys"]
    surveys = db.read_table(
        conn,
        "customer_surveys",
        drivers.SURVEY_COLUMNS,
        where=[s.c.purpose_achieved.is_not(None), s.c.order_id.in_(anchorable.scalar_subquery())],
    )
    t = db.SA_TABLES["support_tickets"]
    tickets = db.read_table(
        conn,
        "support_tickets",
        drivers.TICKET_COLUMNS,
        where=[t.c.order_id.in_(anchorable.scalar_subquery())],
    )
    history = None
    from .store.state import is_current

    if is_current(conn, ["orders"], days_too=False):  # each anchorable order's place, stored at import
        h = db.ORDER_HISTORY
        query = sa.select(*(h.c[c] for c in drivers.HISTORY_COLUMNS)).where(
            h.c.ordered_at >= start, h.c.ordered_at < anchor_end
        )
        history = db.fetch(conn, query).with_columns(
            pl.col("order_id").cast(pl.Int64),
            pl.col("seq_c", "seq_b").cast(pl.Int64),
            pl.col("next_at_c", "next_at_b").cast(pl.Datetime("us")),
        )
    return drivers.DriverInputs(
        orders.lazy(), surveys.lazy(), tickets.lazy(), None if history is None else history.lazy()
    )


def ticket_rows(conn: sa.Connection, period: Periods, brand: str) -> pl.LazyFrame:
    """A brand's support tickets opened in the period, each with the channel
    of the order it is about (NULL without one): customer_id, resolved,
    contacts, channel. For the front-line brief (brief.py)."""
    t, o = db.SA_TABLES["support_tickets"], db.SA_TABLES["orders"]
    start, end = period.instant(period.start), period.instant(period.end)
    query = (
        sa.select(t.c.customer_id, t.c.resolved_at, t.c.contacts, o.c.channel)
        .select_from(t.outerjoin(o, o.c.order_id == t.c.order_id))
        .where(t.c.brand_id == brand, t.c.opened_at >= start, t.c.opened_at < end)
    )
    return _ticket_frame(db.fetch(conn, query))


def _ticket_frame(df: pl.DataFrame) -> pl.LazyFrame:
    schema = {"customer_id": pl.Int64, "resolved": pl.Boolean, "contacts": pl.Int64, "channel": pl.String}
    if df.height == 0:
        return pl.LazyFrame(schema=schema)
    return df.lazy().select(
        pl.col("customer_id").cast(pl.Int64),
        pl.col("resolved_at").is_not_null().alias("resolved"),
        pl.col("contacts").cast(pl.Int64),
        pl.col("channel").cast(pl.String),
    )
