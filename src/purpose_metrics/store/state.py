"""Is the fact store current? Fingerprints of the tables it is derived from.

store_state holds, per table the store follows, the fingerprint of what
the store was built from (row count, maximum and sum of the key) and the
store's version. The store is current when every fingerprint matches the
table now: an import keeps it so in its own transaction; rows written by
other means (or an older store version) make it stale until
`purpose-metrics refresh`. Reading the state never writes.

Computing a fingerprint reads the whole table. That is cheap on an
embedded file, but on PostgreSQL it is a scan of ten million orders and
millions of messages and surveys on every fresh read, so there a change
counter (`changes_unseen`) vouches that a table is unchanged since the
store recorded it, and only a table it cannot vouch for is fingerprinted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import db, sqltext

# Bump when the store's tables or their meaning change: an older store is
# then not current, and the next import or `refresh` rebuilds it.
# 3: week sets (fact_customer_week_sets); 4: with sets of every channel;
# 5: each order's drivers in order_history
STORE_VERSION = 5

# The tables the store is derived from, with the key whose count, maximum
# and sum make their fingerprint.
TRACKED: dict[str, str] = {
    "orders": "order_id",
    "customers": "customer_id",
    "customer_surveys": "response_id",
    "support_tickets": "ticket_id",
    "marketing_messages": "message_id",
}


def fingerprints(conn: Connection, tables: Sequence[str] = tuple(TRACKED)) -> dict[str, tuple]:
    """(row count, max key, sum of keys) of each table: cheap on every
    backend, and it changes when rows are added or removed."""
    out = {}
    for table in tables:
        key = TRACKED[table]
        row = conn.execute(
            sa.text(f"SELECT COUNT(*), MAX({key}), SUM(CAST({key} AS DOUBLE PRECISION)) FROM {table}")
        ).one()
        out[table] = (
            int(row[0]),
            None if row[1] is None else int(row[1]),
            None if row[2] is None else float(row[2]),
        )
    return out


# --- PostgreSQL: a change counter kept by a trigger -----------------------------------------
#
# Why a trigger. PostgreSQL has no exact, transactional "last changed" of a
# table without one:
# - pg_stat_user_tables' n_tup_ins/upd/del are flushed after commit, up to
#   seconds later, and they count rolled-back writes and reset: rows just
#   loaded by other means could still read as unchanged.
# - pg_class.reltuples is an estimate; relfilenode changes only on TRUNCATE,
#   CLUSTER or VACUUM FULL; the size of the file not on every write.
# - the newest xmin of a table needs a scan, as COUNT(*) does.
# A statement-level trigger on each tracked table adds one to its row of
# store_table_changes in the writer's own transaction: the counter is exact
# and visible exactly when the rows are. `record` notes the counter with
# the fingerprint; a table is unchanged while the two agree. It costs a
# writer one small UPDATE per statement, not per row.
#
# What could write without counting, and how each is caught (the table is
# then fingerprinted, as before: never a false "current"):
# - session_replication_role = replica (pg_restore, replication tools): the
#   trigger is ENABLE ALWAYS, so it fires there too;
# - a trigger dropped, disabled (pg_restore --disable-triggers disables and
#   re-enables it), or its function replaced: the pg_trigger and pg_proc
#   rows then are new row versions (another xmin) or gone (VACUUM keeps a
#   frozen row's xmin; were one to read otherwise, the table would only be
#   fingerprinted);
# - logical replication's apply fires row triggers only: a table that is a
#   subscription's target is never vouched for;
# - rows of child tables (inheritance, partitions) are read with the parent
#   but written without its statement trigger: only plain tables without
#   children are vouched for.
# A write that merely bumps the counter without changing the fingerprint
# (an UPDATE of another column) costs a fingerprint, as every read did.
# Tools that write table files directly (pg_bulkload's direct mode) bypass
# every trigger and are not caught.
_CHANGES = "store_table_changes"
_TRIGGER = "purpose_metrics_changes"
_FUNCTION = "purpose_metrics_count_change"
# The trigger's and its function's identity and row versions, read the same
# way when recording and when checking.
_WATCH = "t.oid::text || '/' || t.xmin::text || '/' || p.oid::text || '/' || p.xmin::text"


def _watch_installed(conn: Connection, tables: Sequence[str]) -> None:
    """Create the counter table, its function and the tables' triggers when
    missing (PostgreSQL; in the caller's transaction)."""
    schema = conn.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {_CHANGES} (table_name TEXT PRIMARY KEY, "
        "changes BIGINT NOT NULL DEFAULT 0, recorded BIGINT, watch TEXT)"
    )
    if conn.execute(sa.text(f"SELECT to_regproc('{schema}.{_FUNCTION}')")).scalar() is None:
        # SECURITY DEFINER: a writer with no rights on the counter table
        # (another role's loading job) still counts, and its writes never
        # fail for it; the fixed search_path is the safe form of that.
        conn.exec_driver_sql(
            f"CREATE FUNCTION {schema}.{_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
            "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
            f"UPDATE {schema}.{_CHANGES} SET changes = changes + 1 WHERE table_name = TG_TABLE_NAME; "
            "RETURN NULL; END $$"
        )
    for table in tables:
        conn.execute(
            sa.text(f"INSERT INTO {_CHANGES} (table_name) VALUES (:t) ON CONFLICT (table_name) DO NOTHING"),
            {"t": table},
        )
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(:t) AND tgname = :g"),
            {"t": table, "g": _TRIGGER},
        ).first()
        if not exists:
            conn.exec_driver_sql(
                f"CREATE TRIGGER {_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{_FUNCTION}()"
            )
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {_TRIGGER}")


def _record_changes(conn: Connection, tables: Sequence[str]) -> None:
    """Note each table's counter and trigger with its fingerprint. Without
    the right to create them (tables owned by another role) nothing is
    noted and those tables are fingerprinted on every read, as before."""
    try:
        with conn.begin_nested():
            _watch_installed(conn, tables)
            params: dict[str, object] = {}
            where = sqltext.in_list("c.table_name", "t", list(tables), params)
            conn.execute(
                sa.text(
                    f"UPDATE {_CHANGES} AS c SET recorded = c.changes, watch = {_WATCH} "
                    f"FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid "
                    f"WHERE t.tgrelid = to_regclass(c.table_name) AND t.tgname = :trigger AND {where}"
                ),
                {"trigger": _TRIGGER, **params},
            )
    except sa.exc.DBAPIError:
        pass


def changes_unseen(conn: Connection, tables: Sequence[str]) -> set[str]:
    """Of `tables`, those PostgreSQL's change counter vouches for: nothing
    has written them since the store recorded them (see above). Empty on
    other backends, or without the counter."""
    if conn.dialect.name != "postgresql":
        return set()
    readable = conn.execute(
        sa.text(
            f"SELECT CASE WHEN to_regclass('{_CHANGES}') IS NULL THEN FALSE "
            f"ELSE has_table_privilege(to_regclass('{_CHANGES}'), 'SELECT') END"
        )
    ).scalar()
    if not readable:  # no counter yet, or a reader granted SELECT before it existed
        return set()
    params: dict[str, object] = {}
    where = sqltext.in_list("c.table_name", "t", list(tables), params)
    rows = conn.execute(
        sa.text(
            f"SELECT c.table_name FROM {_CHANGES} AS c "
            "JOIN pg_class AS r ON r.oid = to_regclass(c.table_name) "
            "JOIN pg_trigger AS t ON t.tgrelid = r.oid AND t.tgname = :trigger "
            "JOIN pg_proc AS p ON p.oid = t.tgfoid "
            f"WHERE {where} AND c.changes = c.recorded AND c.watch = {_WATCH} "
            "AND t.tgenabled = 'A' AND r.relkind = 'r' AND NOT r.relhassubclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_subscription_rel AS s WHERE s.srrelid = r.oid)"
        ),
        {"trigger": _TRIGGER, **params},
    ).all()
    return {r[0] for r in rows}


def _same(a: tuple, b: tuple) -> bool:
    if a[0] != b[0] or a[1] != b[1]:
        return False
    if a[2] is None or b[2] is None:
        return a[2] is None and b[2] is None
    return abs(a[2] - b[2]) <= 1e-9 * max(1.0, abs(a[2]))


def stored_state(conn: Connection) -> dict[str, tuple] | None:
    """What store_state says the store was built from; None when the store
    is missing, of another version, or incomplete."""
    if not sa.inspect(conn).has_table("store_state"):
        return None
    rows = conn.execute(
        sa.text("SELECT table_name, row_count, max_key, key_sum, version FROM store_state")
    ).all()
    state = {
        r[0]: (int(r[1]), None if r[2] is None else int(r[2]), None if r[3] is None else float(r[3]))
        for r in rows
    }
    if set(state) != set(TRACKED) or any(r[4] != STORE_VERSION for r in rows):
        return None
    return state


def stored_versions(conn: Connection) -> set[int]:
    """The store versions store_state names (empty without one)."""
    if not sa.inspect(conn).has_table("store_state"):
        return set()
    return {int(v) for v in conn.execute(sa.text("SELECT DISTINCT version FROM store_state")).scalars().all()}


def version_stamp(conn: Connection) -> str:
    """What the store was built from, in a few bytes ("" without a store):
    it changes with every import, so a reader can tell its view is old."""
    if not sa.inspect(conn).has_table("store_state"):
        return ""
    rows = conn.execute(
        sa.text("SELECT table_name, row_count, max_key, refreshed_at FROM store_state ORDER BY table_name")
    ).all()
    return ";".join("|".join(str(v) for v in row) for row in rows)


def store_zone(conn: Connection) -> str | None:
    """The time zone the store's days are local to (None: UTC, also for a
    store made before stores kept it)."""
    if "zone" not in db.stored_columns(conn, "store_state"):
        return None
    # .one(), not .scalar(): DuckDB refuses the next statement while a result is unfinished.
    return conn.execute(sa.text("SELECT MAX(zone) FROM store_state")).one()[0]


def is_current(conn: Connection, tables: Sequence[str] = tuple(TRACKED), *, days_too: bool = True) -> bool:
    """Whether the store holds exactly what the tables hold now (all the
    tracked tables, or just `tables`) and, with `days_too`, its days are
    local to the company's zone now (without: pushdown, which reads only
    order_history's instants, never its zone-cut on_time). Sums of keys are compared to a
    relative 1e-9: a parallel SUM in floating point may differ in its last
    bits from one run to the next."""
    state = stored_state(conn)
    if state is None:
        return False
    if days_too and store_zone(conn) != db.company_zone(conn):
        return False
    unseen = changes_unseen(conn, tables)
    now = fingerprints(conn, [t for t in tables if t not in unseen])
    return all(_same(state[t], now[t]) for t in now)


def record(conn: Connection, tables: Sequence[str]) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    zone = db.company_zone(conn)  # what the store's days were cut in
    prints = fingerprints(conn, tables)
    params: dict[str, object] = {}
    conn.execute(
        sa.text(f"DELETE FROM store_state WHERE {sqltext.in_list('table_name', 't', list(tables), params)}"),
        params,
    )
    rows = pl.DataFrame(
        [
            {"table_name": t, "row_count": p[0], "max_key": p[1], "key_sum": p[2], "version": STORE_VERSION,
             "refreshed_at": now, "zone": zone}
            for t, p in prints.items()
        ],
        schema={"table_name": pl.String, "row_count": pl.Int64, "max_key": pl.Int64, "key_sum": pl.Float64,
                "version": pl.Int32, "refreshed_at": pl.Datetime("us"), "zone": pl.String},
    )  # fmt: skip
    db.insert_rows(conn, "store_state", rows)
    if conn.dialect.name == "postgresql":
        _record_changes(conn, tables)
