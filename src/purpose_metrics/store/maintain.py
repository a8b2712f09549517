"""Keeping the fact store current: in every import's transaction, or whole.

Roll-up at ingestion, as Apache Druid and Cube's pre-aggregations do it:
an import of orders, customers, surveys, tickets or messages updates the
facts those rows feed in the same transaction as the rows themselves, so
the store is never behind the data and no page ever aggregates raw orders.
An import touches only the (brand, day) cells its rows fall on, plus, for
orders, the cells of older orders whose place in their customer's history
changed (store/history_update.sql): a week of orders into two years of
them recomputes about the last 90 days, not the whole store.

`rebuild` makes everything from the tables (`purpose-metrics refresh`, for
data loaded by other means; and whenever an import finds the store was not
current before it: a changed table, an older store version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import db, sqltext
from ..calendars import instant, local_date
from ..periods import week_start
from . import sets
from .state import STORE_VERSION, TRACKED, is_current, record, store_zone, stored_state, stored_versions

# Event tables: their facts per (brand, day of this column).
EVENT_FACTS: dict[str, str] = {
    "customer_surveys": "submitted_at",
    "support_tickets": "opened_at",
    "marketing_messages": "sent_at",
}
FACT_TABLES = (
    "fact_orders",
    "fact_customer_surveys",
    "fact_support_tickets",
    "fact_marketing_messages",
    "fact_customer_sets",
    "fact_customer_week_sets",
    "fact_customer_groups",
)
# Rows of order_history turned into customer sets per query (bounded memory).
SET_CHUNK_DAYS = 31
# Consecutive weeks of day sets read per query to remake their week sets.
WEEK_CHUNK = 8
# A whole build makes the sets of this many ISO weeks per query.
WHOLE_WEEKS_CHUNK = 4

Progress = Callable[[str], None]


# --- the days of the store -----------------------------------------------------------------

# A local day is found from the zone's offsets over the data's span; an order
# delivered this long after the latest timestamp still gets its local date.
_DELIVERY_HORIZON = dt.timedelta(days=400)


@dataclass(frozen=True)
class Days:
    """How the store cuts days: local dates in the company's zone (None:
    UTC), exact for timestamps in [lo, hi]."""

    d: sqltext.Dialect
    zone: str | None = None
    lo: dt.datetime = dt.datetime(1970, 1, 1)
    hi: dt.datetime = dt.datetime(1970, 1, 1)

    def of(self, column: str) -> str:
        """SQL: the local date of a timestamp column."""
        return self.d.local_day(column, self.zone, self.lo, self.hi)

    def of_frame(self, column: str) -> pl.Expr:
        """Polars: the local date of a timestamp column of imported rows."""
        return local_date(pl.col(column), self.zone)

    def starts(self, day: dt.datetime) -> dt.datetime:
        """The instant (UTC) a day starts, the day given as its midnight."""
        return instant(day.date(), self.zone)


def store_days(conn: Connection, d: sqltext.Dialect | None = None) -> Days:
    """The store's days for the company's zone now, spelled for `d` (the
    connection's dialect when None)."""
    d = d or sqltext.Dialect(conn.dialect.name)
    zone = db.company_zone(conn)
    if zone is None:
        return Days(d)
    columns = {"orders": "ordered_at", **EVENT_FACTS}
    spans = [conn.execute(sa.text(f"SELECT MIN({c}), MAX({c}) FROM {t}")).one() for t, c in columns.items()]
    moments = [db.as_timestamp(v) for span in spans for v in span if v is not None]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    lo = min(moments, default=now) - dt.timedelta(days=2)
    return Days(d, zone, lo, max([*moments, now]) + _DELIVERY_HORIZON)


# --- the SQL of the store ----------------------------------------------------------------


def _snippets(days: Days) -> dict[str, str]:
    d = days.d
    flags = (
        "CASE WHEN seq_c = 1 THEN 1 ELSE 0 END AS first_c, "
        f"CASE WHEN seq_c = 1 AND next_at_c IS NOT NULL AND {d.within_90('next_at_c')} THEN 1 ELSE 0 END AS repurchased_c, "
        "CASE WHEN seq_b = 1 THEN 1 ELSE 0 END AS first_b, "
        f"CASE WHEN seq_b = 1 AND next_at_b IS NOT NULL AND {d.within_90('next_at_b')} THEN 1 ELSE 0 END AS repurchased_b"
    )
    out = {
        "flags": flags,
        "delivered_date": days.of("delivered_at"),
        "next_c_within_90": d.within_90("next_at_c"),
        "next_b_within_90": d.within_90("next_at_b"),
        "day_of_ordered_at": days.of("ordered_at"),
        "order_day": days.of("o.ordered_at"),
    }
    for part in ("order_sums", "survey_tallies", "ticket_tallies", "message_tallies"):
        out[part] = sqltext.render(f"facts/{part}.part.sql", out).rstrip()
    history = history_snippets(days)
    for name, customers in (
        ("insert_every_customer", EVERY_CUSTOMER),
        ("insert_imported_customers", "o.customer_id IN (SELECT customer_id FROM _pm_customers)"),
    ):
        out[name] = sqltext.render(
            "store/history_insert.part.sql", history | {"customers": customers}
        ).strip()
    for column in EVENT_FACTS.values():
        out[f"day_of_{column}"] = days.of(column)
    return out


# The customers of store/history_insert.part.sql on a rebuild: every known one.
EVERY_CUSTOMER = "o.customer_id IS NOT NULL"


def history_snippets(days: Days) -> dict[str, str]:
    """The snippets of store/history_insert.part.sql but `customers` (also
    what spark/history.py renders it with)."""
    d = days.d
    return {
        "a_plus_window": d.plus_window("a.ordered_at"),
        "w_prev_plus_window": d.plus_window("w.prev_at_c"),
        "o_delivered_date": days.of("o.delivered_at"),
        "order_answers": sqltext.render("drivers/order_answers.part.sql", {"orders": "_pm_placed"}).rstrip(),
    }


def _cells_filter(days: Days, brand: str, ts: str, cells: str = "_pm_cells") -> str:
    """Rows of the (brand, day) cells in the table `cells`; the range in
    front lets the database skip what lies outside them."""
    return (
        f"AND {ts} >= :cells_from AND {ts} < :cells_to "
        f"AND EXISTS (SELECT 1 FROM {cells} x WHERE x.brand_id = {brand} AND x.day = {days.of(ts)})"
    )


def _run(conn: Connection, name: str, snippets: dict[str, str], params: dict | None = None) -> None:
    for statement in sqltext.statements(sqltext.render(name, snippets)):
        used = {k: v for k, v in (params or {}).items() if f":{k}" in statement}
        conn.execute(sa.text(statement), used)


def _temp(conn: Connection, name: str, columns: str, rows: pl.DataFrame | None = None) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns})")
    if rows is not None:
        db.insert_rows(conn, name, rows)


def _midnight(value: object) -> dt.datetime:
    return dt.datetime.combine(db.as_date(value), dt.time())


def _span(conn: Connection, sql: str) -> tuple[dt.datetime, dt.datetime] | None:
    """[midnight of the first, midnight after the last) of what `sql`
    (a SELECT of MIN and MAX of a date or timestamp) finds; None for nothing."""
    lo, hi = conn.execute(sa.text(sql)).one()
    if lo is None:
        return None
    return _midnight(lo), _midnight(hi) + dt.timedelta(days=1)


def _range_params(days: Days, span: tuple[dt.datetime, dt.datetime]) -> dict[str, object]:
    """The instants bounding the days of `span` (midnights of local days)."""
    return {
        "cells_from": days.d.ts_value(days.starts(span[0])),
        "cells_to": days.d.ts_value(days.starts(span[1])),
    }


def _delete_cells(conn: Connection, table: str, cells: str = "_pm_cells") -> None:
    conn.exec_driver_sql(
        f"DELETE FROM {table} WHERE EXISTS "
        f"(SELECT 1 FROM {cells} x WHERE x.brand_id = {table}.brand_id AND x.day = {table}.day)"
    )


# --- facts of orders ---------------------------------------------------------------------


def _order_facts(conn: Connection, days: Days, whole: bool) -> None:
    """fact_orders and fact_customer_sets: everything (whole), or the cells
    of _pm_cells and _pm_set_cells (the days whose sets changed: fewer, as a
    set holds who ordered and whether it was their first order, not the
    90-day repurchase flag that changes most often)."""
    snippets = _snippets(days)
    if whole:
        conn.exec_driver_sql("DELETE FROM fact_orders")
        conn.exec_driver_sql("DELETE FROM fact_customer_sets")
        snippets |= {"cells": "", "history_range": ""}
        _run(conn, "store/fact_orders.sql", snippets)
        conn.exec_driver_sql("DELETE FROM fact_customer_week_sets")
        _customer_sets(conn, days, None)
        return
    span = _span(conn, "SELECT MIN(day), MAX(day) FROM _pm_cells")
    if span is None:
        return
    _delete_cells(conn, "fact_orders")
    snippets |= {
        "cells": _cells_filter(days, "o.brand_id", "o.ordered_at"),
        "history_range": "AND h.ordered_at >= :cells_from AND h.ordered_at < :cells_to",
    }
    _run(conn, "store/fact_orders.sql", snippets, _range_params(days, span))
    set_span = _span(conn, "SELECT MIN(day), MAX(day) FROM _pm_set_cells")
    if set_span is not None:
        _delete_cells(conn, "fact_customer_sets", "_pm_set_cells")
        _customer_sets(conn, days, set_span)
        _week_sets(conn, _set_weeks(conn))


_SETS_SCHEMA = {
    "brand_id": pl.String,
    "day": pl.Date,
    "channel": pl.String,
    "kind": pl.String,
    "customers": pl.Binary,
}
_WEEK_SETS_SCHEMA = {("week" if k == "day" else k): v for k, v in _SETS_SCHEMA.items()}


def _customer_sets(conn: Connection, days: Days, cells: tuple[dt.datetime, dt.datetime] | None) -> None:
    """Build the customer sets of the cells in _pm_set_cells, whose days lie in
    the span `cells` (of every day when None), a month of days at a time so
    that memory stays bounded whatever the number of orders. A whole build
    (None) goes four whole ISO weeks at a time and makes their week sets
    from the day sets at hand; after a partial one, `_week_sets` remakes the
    week sets of the weeks it touched."""
    span = cells or _span(conn, "SELECT MIN(ordered_at), MAX(ordered_at) FROM order_history")
    if span is None:
        return
    if cells is None and days.zone is not None:  # UTC dates: the local ones may be a day either side
        span = (span[0] - dt.timedelta(days=1), span[1] + dt.timedelta(days=1))
    # Qualified: inside the cells' EXISTS a bare brand_id would be the cell's own.
    where = (
        _cells_filter(days, "h.brand_id", "h.ordered_at", "_pm_set_cells")
        if cells
        else "AND h.ordered_at >= :cells_from AND h.ordered_at < :cells_to"
    )
    sql = sqltext.render("store/customer_sets.sql", {"cells": where, "history_day": days.of("h.ordered_at")})
    whole = cells is None
    day, stop = span
    if whole:
        day -= dt.timedelta(days=day.weekday())  # from a Monday: chunks of whole weeks
    step = dt.timedelta(days=WHOLE_WEEKS_CHUNK * 7 if whole else SET_CHUNK_DAYS)
    while day < stop:
        upto = min(day + step, stop) if not whole else day + step
        rows = db.fetch_sql(conn, sql, _range_params(days, (day, upto))).with_columns(
            pl.col("day").cast(pl.String).str.slice(0, 10).str.to_date(),
            pl.col("brand_id", "channel").cast(pl.String),
        )
        made = list(sets.cells(rows))
        out = pl.DataFrame(
            [(b, d, c, k, sets.dumps(s)) for b, d, c, k, s in made], schema=_SETS_SCHEMA, orient="row"
        )
        db.insert_rows(conn, "fact_customer_sets", out)
        if whole:
            db.insert_rows(conn, "fact_customer_week_sets", _week_rows(made))
        day = upto


def _week_rows(day_sets: Sequence[tuple[str, dt.date, str, str, object]]) -> pl.DataFrame:
    """Week sets of whole ISO weeks from all their day sets ((brand, day,
    channel, kind, set)): per (brand, Monday, channel, kind) the union of the
    week's day sets, and per (brand, Monday, kind) of every channel (channel None)."""
    parts: dict[tuple[str, dt.date, str | None, str], list] = {}
    for brand, day, channel, kind, s in day_sets:
        monday = week_start(db.as_date(day))
        parts.setdefault((brand, monday, channel, kind), []).append(s)
        parts.setdefault((brand, monday, None, kind), []).append(s)
    rows = [(b, w, c, k, sets.dumps(sets.union(v))) for (b, w, c, k), v in parts.items()]
    return pl.DataFrame(rows, schema=_WEEK_SETS_SCHEMA, orient="row")


def _set_weeks(conn: Connection) -> set[tuple[str, dt.date]]:
    """The (brand, Monday) of every day in _pm_set_cells: the weeks whose sets changed."""
    rows = conn.execute(sa.text("SELECT DISTINCT brand_id, day FROM _pm_set_cells")).all()
    return {(str(brand), week_start(db.as_date(day))) for brand, day in rows}


def _week_sets(conn: Connection, weeks: set[tuple[str, dt.date]]) -> None:
    """Remake fact_customer_week_sets of the (brand, Monday) pairs `weeks`
    from their day sets, read back from fact_customer_sets a few weeks at a
    time (after a partial update of the day sets). A period of whole weeks
    then unions one set per week instead of seven (sources/store.py)."""
    if not weeks:
        return
    d = sqltext.Dialect(conn.dialect.name)
    for brand, monday in weeks:
        conn.execute(
            sa.text(f"DELETE FROM fact_customer_week_sets WHERE brand_id = :b AND week = {d.date('w')}"),
            {"b": brand, "w": d.date_value(monday)},
        )
    read = sa.text(
        "SELECT brand_id, day, channel, kind, customers FROM fact_customer_sets "
        f"WHERE day >= {d.date('lo')} AND day < {d.date('hi')}"
    )
    for lo, hi in _week_runs(sorted({monday for _, monday in weeks})):
        day_sets = [
            (str(brand), db.as_date(day), str(channel), kind, sets.loads(blob))
            for brand, day, channel, kind, blob in conn.execute(
                read, {"lo": d.date_value(lo), "hi": d.date_value(hi)}
            )
            if (str(brand), week_start(db.as_date(day))) in weeks
        ]
        db.insert_rows(conn, "fact_customer_week_sets", _week_rows(day_sets))


def _week_runs(mondays: Sequence[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """[first Monday, the Monday after the last) of runs of consecutive weeks,
    at most WEEK_CHUNK each: an old order's weeks and this week's are read
    apart, not with the years between them."""
    runs: list[tuple[dt.date, dt.date]] = []
    for monday in mondays:
        if runs and runs[-1][1] == monday and (monday - runs[-1][0]).days < 7 * WEEK_CHUNK:
            runs[-1] = (runs[-1][0], monday + dt.timedelta(days=7))
        else:
            runs.append((monday, monday + dt.timedelta(days=7)))
    return runs


def _orders(conn: Connection, days: Days, frame: pl.DataFrame) -> None:
    """After an import of orders: the history of its customers, then the
    facts of every cell that changed."""
    completed = frame.filter(pl.col("status") == "completed")
    customers = completed.select(pl.col("customer_id").drop_nulls().unique())
    cells = completed.select("brand_id", day=days.of_frame("ordered_at")).unique()
    _temp(conn, "_pm_customers", "customer_id BIGINT NOT NULL", customers)
    _temp(conn, "_pm_cells", "brand_id TEXT NOT NULL, day DATE NOT NULL", cells)
    _temp(conn, "_pm_set_cells", "brand_id TEXT NOT NULL, day DATE NOT NULL", cells)
    _run(conn, "store/history_update.sql", _snippets(days))
    _order_facts(conn, days, whole=False)
    for temp in ("_pm_customers", "_pm_cells", "_pm_set_cells"):
        conn.exec_driver_sql(f"DROP TABLE {temp}")


# --- facts of surveys, tickets, messages -------------------------------------------------------


def _event_facts(conn: Connection, days: Days, table: str, whole: bool) -> None:
    fact = f"fact_{table}"
    ts = EVENT_FACTS[table]
    alias = {"customer_surveys": "s", "support_tickets": "t", "marketing_messages": "m"}[table]
    snippets = _snippets(days)
    if whole:
        conn.exec_driver_sql(f"DELETE FROM {fact}")
        _run(conn, f"store/{fact}.sql", snippets | {"cells": ""})
        return
    span = _span(conn, "SELECT MIN(day), MAX(day) FROM _pm_cells")
    if span is None:
        return
    _delete_cells(conn, fact)
    cells = _cells_filter(days, f"{alias}.brand_id", f"{alias}.{ts}")
    _run(conn, f"store/{fact}.sql", snippets | {"cells": cells}, _range_params(days, span))


def _events(conn: Connection, days: Days, table: str, frame: pl.DataFrame) -> None:
    cells = frame.select("brand_id", day=days.of_frame(EVENT_FACTS[table])).unique()
    _temp(conn, "_pm_cells", "brand_id TEXT NOT NULL, day DATE NOT NULL", cells)
    _event_facts(conn, days, table, whole=False)
    conn.exec_driver_sql("DROP TABLE _pm_cells")
    if table in ORDER_ANSWERS:
        _order_answers(conn, table, frame)


# What a survey or a ticket tells of the order it names (order_history's
# drivers): the column it sets, from which CTE of
# sql/drivers/order_answers.part.sql (the rule, as the history's insert
# and the drivers' query from the tables apply it). An import re-derives it
# from every row naming each order it names, so a new answer replaces an
# older one by the rule.
ORDER_ANSWERS: dict[str, tuple[str, str]] = {
    "customer_surveys": ("purpose_achieved", "surveys"),
    "support_tickets": ("first_contact", "tickets"),
}


def _order_answers(conn: Connection, table: str, frame: pl.DataFrame) -> None:
    """After an import of surveys or tickets: the driver they answer
    (ORDER_ANSWERS) for each stored order they name. An order not yet
    imported gets it when it is (sql/store/history_insert.part.sql). Rows are
    only ever added, so an order keeps its answer unless a later one replaces
    it, and one without an answered survey stays NULL."""
    column, cte = ORDER_ANSWERS[table]
    named = frame.select(pl.col("order_id").drop_nulls().unique())
    if named.height == 0:
        return
    _temp(conn, "_pm_orders", "order_id BIGINT NOT NULL", named)
    answers = sqltext.render("drivers/order_answers.part.sql", {"orders": "_pm_orders"})
    conn.exec_driver_sql(
        f"UPDATE order_history AS h SET {column} = x.good "
        f"FROM (WITH {answers} SELECT order_id, good FROM {cte}) x WHERE h.order_id = x.order_id"
    )
    conn.exec_driver_sql("DROP TABLE _pm_orders")


# --- customers: their groups, and the facts that name them ------------------------------


GROUP_ATTRIBUTES = ("region", "segment")


def _groups(frame: pl.DataFrame) -> dict[tuple[str, str | None], pl.Series]:
    """The customers of `frame` per (attribute, value): region, segment,
    and marketing opt-in (value 'true')."""
    out: dict[tuple[str, str | None], pl.Series] = {}
    for attribute in GROUP_ATTRIBUTES:
        for (value,), part in frame.group_by(attribute):
            out[(attribute, value)] = part.get_column("customer_id")
    opted = frame.filter(pl.col("marketing_opt_in")).get_column("customer_id")
    if opted.len():
        out[("opted_in", "true")] = opted
    return out


def _write_groups(conn: Connection, groups: dict[tuple[str, str | None], bytes]) -> None:
    rows = pl.DataFrame(
        [{"attribute": a, "value": v, "customers": b} for (a, v), b in groups.items()],
        schema={"attribute": pl.String, "value": pl.String, "customers": pl.Binary},
    )
    db.insert_rows(conn, "fact_customer_groups", rows)


def _customer_groups(conn: Connection, frame: pl.DataFrame | None) -> None:
    """fact_customer_groups from every customer (frame None), or with the
    customers of `frame` added to the groups already stored."""
    if frame is None:
        conn.exec_driver_sql("DELETE FROM fact_customer_groups")
        everyone = db.read_table(conn, "customers", ["customer_id", *GROUP_ATTRIBUTES, "marketing_opt_in"])
        _write_groups(conn, {k: sets.dumps(sets.of(v)) for k, v in _groups(everyone).items()})
        return
    stored = {
        (a, v): sets.loads(b)
        for a, v, b in conn.execute(
            sa.text("SELECT attribute, value, customers FROM fact_customer_groups")
        ).all()
    }
    merged = {}
    for key, members in _groups(frame).items():
        s = stored.get(key)
        merged[key] = sets.dumps(sets.of(members) if s is None else s | sets.of(members))
    for attribute, value in merged:
        if value is None:
            conn.execute(
                sa.text("DELETE FROM fact_customer_groups WHERE attribute = :a AND value IS NULL"),
                {"a": attribute},
            )
        else:
            conn.execute(
                sa.text("DELETE FROM fact_customer_groups WHERE attribute = :a AND value = :v"),
                {"a": attribute, "v": value},
            )
    _write_groups(conn, merged)


def _customers(conn: Connection, days: Days, frame: pl.DataFrame) -> None:
    """After an import of customers: their groups, and the facts of any
    survey, ticket or message already stored under one of them (its region
    and segment were unknown until now)."""
    _customer_groups(conn, frame)
    _temp(conn, "_pm_customers", "customer_id BIGINT NOT NULL", frame.select("customer_id"))
    for table, ts in EVENT_FACTS.items():
        _temp(conn, "_pm_cells", "brand_id TEXT NOT NULL, day DATE NOT NULL")
        conn.exec_driver_sql(
            f"INSERT INTO _pm_cells (brand_id, day) SELECT DISTINCT brand_id, {days.of(ts)} FROM {table} "
            "WHERE customer_id IN (SELECT customer_id FROM _pm_customers)"
        )
        _event_facts(conn, days, table, whole=False)
        conn.exec_driver_sql("DROP TABLE _pm_cells")
    conn.exec_driver_sql("DROP TABLE _pm_customers")


# --- entry points -----------------------------------------------------------------------


# The columns of an imported table that say which facts it touches.
_TOUCHES = {
    "orders": ("status", "customer_id", "brand_id", "ordered_at"),
    "customers": ("customer_id", *GROUP_ATTRIBUTES, "marketing_opt_in"),
    **{table: ("brand_id", ts) for table, ts in EVENT_FACTS.items()},
    **{table: ("brand_id", EVENT_FACTS[table], "order_id") for table in ORDER_ANSWERS},
}


def touched(table: str, frame: pl.DataFrame) -> pl.DataFrame | None:
    """The columns of imported rows that say which facts they touch (None
    for a table the store does not follow)."""
    columns = _TOUCHES.get(table)
    return None if columns is None else frame.select(columns)


def after_import(conn: Connection, table: str, frames: Sequence[pl.DataFrame], was_current: bool) -> None:
    """Bring the store up to date after `frames` were appended to `table`, in
    the import's transaction. `was_current`: whether the store held exactly
    the tables' contents before the import (else everything is rebuilt)."""
    if table == "company":
        # The store's days are local to the company's zone: a new zone cuts them anew.
        if stored_state(conn) is not None and store_zone(conn) != db.company_zone(conn):
            rebuild(conn)
        return
    if table not in TRACKED:
        return
    if not was_current:
        rebuild(conn)
        return
    days = store_days(conn)
    if table == "orders" and conn.execute(sa.text("SELECT COUNT(*) FROM order_history")).scalar_one() == 0:
        _rebuild_orders(conn, days)  # the first orders: one pass, no history to compare
    else:
        frame = pl.concat(frames)
        if table == "orders":
            _orders(conn, days, frame)
        elif table == "customers":
            _customers(conn, days, frame)
        else:
            _events(conn, days, table, frame)
    record(conn, [table])
    _analyze(conn, [table])


def _rebuild_orders(conn: Connection, days: Days) -> None:
    _run(conn, "store/history_rebuild.sql", _snippets(days))
    _order_facts(conn, days, whole=True)


def rebuild(conn: Connection, progress: Progress | None = None) -> None:
    """Make the whole store from the tables, in the caller's transaction."""
    say = progress or (lambda _: None)
    say("customer history")
    days = store_days(conn)
    _run(conn, "store/history_rebuild.sql", _snippets(days))
    say("order facts and customer sets")
    _order_facts(conn, days, whole=True)
    for table in EVENT_FACTS:
        say(f"{table.replace('_', ' ')} facts")
        _event_facts(conn, days, table, whole=True)
    say("customer groups")
    _customer_groups(conn, None)
    conn.exec_driver_sql("DELETE FROM store_state")
    record(conn, list(TRACKED))
    _analyze(conn, list(TRACKED))


DERIVED_TABLES = ("order_history", *FACT_TABLES, "store_state", "history_state")


def ensure_schema(engine: Engine) -> None:
    """Create the contract's and the store's tables; a store of another
    version (or the history tables of an older one) is dropped first, to be
    rebuilt. A write: `init`, `refresh` and imports call it, never a read."""
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        if inspector.has_table("order_history") and stored_state(conn) is None:
            columns = set(conn.exec_driver_sql("SELECT * FROM order_history WHERE 1 = 0").keys())
            older = stored_versions(conn) - {STORE_VERSION}  # its tables may have another shape
            if "customer_id" not in columns or inspector.has_table("history_state") or older:
                for table in DERIVED_TABLES:
                    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    db.create_schema(engine)


def refresh(engine: Engine, progress: Progress | None = None) -> None:
    """Rebuild the whole store in one transaction (`purpose-metrics refresh`)."""
    with engine.begin() as conn:
        rebuild(conn, progress)


def refresh_if_stale(engine: Engine) -> bool:
    """Rebuild the store when it is not current; whether it was rebuilt."""
    with engine.connect() as conn:
        if is_current(conn):
            return False
    refresh(engine)
    return True


def _analyze(conn: Connection, tables: Sequence[str] = ()) -> None:
    if conn.dialect.name == "postgresql":
        # Fresh statistics for the plans of the fact reads and of the queries
        # over the tables themselves, such as the drivers' (autovacuum takes
        # its time; with none, PostgreSQL guessed 158 orders for 1.2 million).
        for table in (*tables, "order_history", *FACT_TABLES):
            conn.exec_driver_sql(f"ANALYZE {table}")
