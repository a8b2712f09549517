"""The store source: the pages read the fact store, never raw orders.

Sums and counts come from the fact tables (sql/store/read.sql: the rows of
the period's days, after the filters, summed per brand and period; the
company is the sum of its brands). Distinct customers (active, repeat,
opted in, cohorts) come from the customer sets: the union of the period's
day sets, intersected with a region or segment group when filtered (less
the groups a choice with Unknown / guest leaves out). Both are exact for
any run of whole days (docs/metrics.md).

One StoreSource is shared by every session of the dashboard (a
st.cache_resource per database and read generation): the day sets it has
read stay in memory, read lazily by range, and unions of whole ISO weeks
are kept, so a filter change costs unions of a few dozen sets.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from pyroaring import BitMap64
from sqlalchemy.engine import Connection, Engine

from .. import connections, db, sqltext
from ..calendars import Calendar, is_utc
from ..metrics.dataset import UNKNOWN, Filters
from ..metrics.drivers import DriverInputs
from ..periods import Grain, Periods, month_start, next_start, week_start
from ..store import sets
from ..store.state import store_zone
from .pushdown import PushdownSource

# The summed columns of each fact table, as the facts they are (columns
# ending in _c count in the company's history, _b in the brand's).
_ORDER_SUMS = (
    "orders", "units", "revenue", "refunded", "returned_units", "known_orders", "donating_orders",
    "donations", "promised_delivered", "on_time", "shipping_co2e", "orders_with_co2e", "packaging",
    "packaging_recycled", "orders_with_packaging",
)  # fmt: skip
_HISTORY_SUMS = ("returning_orders", "new_customers", "repurchased_90d")
_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "surveys": ("fact_customer_surveys", (
        "purpose_achieved", "purpose_answers", "csat_satisfied", "csat_answers", "effort_sum",
        "effort_answers", "nps_promoters", "nps_detractors", "nps_answers",
    )),
    "tickets": ("fact_support_tickets", ("tickets_resolved", "tickets_one_contact")),
    "messages": ("fact_marketing_messages", ("messages", "messages_clicked", "messages_unsubscribed")),
}  # fmt: skip
WEEKS_KEPT = 4096  # unions of a week's channel sets kept in memory (per kind, brand, channels)
_DAYS_PER_QUERY = 200  # day sets read per query (an IN list of days)


_UNREAD = object()


class StoreSource:
    name = "store"

    def __init__(self, engine: Engine):
        self.engine = engine
        # Guards the maps below (held briefly, never over a query); a set
        # kind's reads take that kind's own lock (`_reading`), so pages
        # computing on two threads read different kinds at once and never
        # read the same sets twice.
        self._lock = threading.Lock()
        self._kind_locks: dict[str, threading.Lock] = {}
        # (kind, brand, day) -> [(channel, set)]: day sets, read for the days around whole weeks
        self._sets: dict[tuple[str, str, dt.date], list[tuple[str, BitMap64]]] = {}
        self._loaded: set[tuple[str, dt.date]] = set()  # (kind, day) read
        # (kind, brand, Monday) -> [(channel, set)]: week sets of whole ISO weeks (channel None: every channel)
        self._week_sets: dict[tuple[str, str, dt.date], list[tuple[str, BitMap64]]] = {}
        # (kind, Monday, of every channel) read; a week's channel sets and its set of every channel are read apart
        self._weeks_loaded: set[tuple[str, dt.date, bool]] = set()
        self._weeks: OrderedDict[tuple, BitMap64] = OrderedDict()
        self._groups: dict[tuple[str, str | None], BitMap64] | None = None
        self._brands: list[str] = []
        self._zone: object = _UNREAD  # the zone the store's days are local to, read at first use

    # --- sums -------------------------------------------------------------------------

    def facts(self, periods: Periods, filters: Filters, groups: Sequence[str]) -> list[pl.LazyFrame]:
        try:
            with connections.connect(self.engine) as conn:
                self._same_days(conn, periods)
                parts = []
                if {"orders", "customers"} & set(groups):
                    by_brand = self._read(conn, "fact_orders", periods, filters,
                                          [*_ORDER_SUMS, *(f"{c}{s}" for c in _HISTORY_SUMS for s in ("_c", "_b"))])  # fmt: skip
                    if "orders" in groups:
                        parts.append(
                            _with_company(
                                by_brand.select("brand_id", "period_start", *_ORDER_SUMS), _ORDER_SUMS
                            )
                        )
                    if "customers" in groups:
                        parts.append(self._customer_part(conn, by_brand, periods, filters))
                for group in ("surveys", "tickets", "messages"):
                    if group in groups:
                        table, columns = _TABLES[group]
                        parts.append(
                            _with_company(self._read(conn, table, periods, filters, columns), columns)
                        )
        except sa.exc.SQLAlchemyError as exc:
            raise db.DatabaseError(db.describe_db_error(exc)) from exc
        return [p.lazy() for p in parts]

    def _same_days(self, conn: Connection, periods: Periods) -> None:
        """The store's days are local to one zone: periods of another cannot be cut from them."""
        if self._zone is _UNREAD:
            with self._reading("zone"):
                if self._zone is _UNREAD:
                    self._zone = store_zone(conn)
        wanted = None if is_utc(periods.zone) else periods.zone
        if wanted != self._zone:
            raise ValueError(
                f"the fact store's days are local to {self._zone or 'UTC'}, not {wanted or 'UTC'}: "
                "run `purpose-metrics refresh`"
            )

    def _read(
        self, conn: Connection, table: str, periods: Periods, filters: Filters, columns: Sequence[str]
    ) -> pl.DataFrame:
        """One row per (brand_id, period_start) with the sums of `columns`."""
        d = sqltext.Dialect(conn.dialect.name)
        starts = periods.starts()
        params: dict[str, object] = {
            "range_start": d.date_value(periods.start),
            "range_end": d.date_value(periods.range_end),
        }
        whens = []
        for k, start in enumerate(starts[:-1]):
            params[f"p{k}_end"] = d.date_value(periods.end_of(start))
            whens.append(f"WHEN day < {d.date(f'p{k}_end')} THEN {k}")
        conditions = []
        if filters.channel is not None and table == "fact_orders":
            conditions.append(sqltext.in_list("channel", "f_channel", filters.channel, params))
        if filters.region is not None:
            conditions.append(sqltext.in_list("region", "f_region", filters.region, params))
        if filters.segment is not None:
            conditions.append(sqltext.in_list("segment", "f_segment", filters.segment, params))
        if filters.customer_purpose is not None and table == "fact_customer_surveys":
            conditions.append(
                sqltext.in_list("customer_purpose", "f_purpose", filters.customer_purpose, params)
            )
        sql = sqltext.render(
            "store/read.sql",
            {
                "sums": ", ".join(f"SUM({c}) AS {c}" for c in columns),
                "k_day": f"CASE {' '.join(whens)} ELSE {len(starts) - 1} END" if whens else "0",
                "table": table,
                "filters": "".join(f" AND {c}" for c in conditions),
            },
        )
        raw = db.fetch_sql(conn, sql, params)
        k_to_start = pl.DataFrame({"k": range(len(starts)), "period_start": starts},
                                  schema={"k": pl.Int64, "period_start": pl.Date})  # fmt: skip
        if raw.height == 0:
            return pl.DataFrame(
                schema={"brand_id": pl.String, "period_start": pl.Date, **dict.fromkeys(columns, pl.Float64)}
            )
        return (
            raw.with_columns(
                pl.col("brand_id").cast(pl.String),
                pl.col("k").cast(pl.Int64),
                *[pl.col(c).cast(pl.Float64) for c in columns],
            )
            .join(k_to_start, on="k")
            .drop("k")
        )

    # --- distinct customers -------------------------------------------------------------

    def _customer_part(
        self, conn: Connection, by_brand: pl.DataFrame, periods: Periods, filters: Filters
    ) -> pl.DataFrame:
        """returning, new and repurchased from the sums (company: in company
        history); active, repeat and opted-in customers from the sets."""
        company = (
            by_brand.group_by("period_start")
            .agg(*[pl.col(f"{c}_c").sum().alias(c) for c in _HISTORY_SUMS])
            .with_columns(scope=pl.lit("company"))
        )
        brands = by_brand.select(
            pl.col("brand_id").alias("scope"),
            "period_start",
            *[pl.col(f"{c}_b").alias(c) for c in _HISTORY_SUMS],
        )
        sums = pl.concat([company, brands], how="diagonal_relaxed")
        counts = self._distinct_customers(conn, periods, filters)
        return counts.join(sums, on=["scope", "period_start"], how="left").with_columns(
            *[pl.col(c).fill_null(0) for c in _HISTORY_SUMS]
        )

    def _distinct_customers(self, conn: Connection, periods: Periods, filters: Filters) -> pl.DataFrame:
        spans = [(start, periods.end_of(start)) for start in periods.starts()]
        channels = tuple(filters.channel) if filters.channel is not None else None
        self._ensure(conn, ("active", "repeat_c", "repeat_b"), spans, channels)
        keep, drop = self._filter_set(conn, filters)
        opted = self._group_sets(conn).get(("opted_in", "true"), BitMap64())
        rows = []
        for start in periods.starts():
            end = periods.end_of(start)
            active_c, repeat_c = [], []
            for brand in self._brands:
                active = self._union("active", brand, start, end, channels)
                repeat_b = self._union("repeat_b", brand, start, end, channels)
                brand_repeat_c = self._union("repeat_c", brand, start, end, channels)
                if keep is not None:
                    active, repeat_b, brand_repeat_c = active & keep, repeat_b & keep, brand_repeat_c & keep
                if drop:
                    active, repeat_b, brand_repeat_c = active - drop, repeat_b - drop, brand_repeat_c - drop
                active_c.append(active)
                repeat_c.append(brand_repeat_c)
                rows.append(_counts(brand, start, active, repeat_b, opted))
            rows.append(_counts("company", start, sets.union(active_c), sets.union(repeat_c), opted))
        return pl.DataFrame(
            rows,
            schema={"scope": pl.String, "period_start": pl.Date, "active_customers": pl.Int64,
                    "repeat_customers": pl.Int64, "opted_in_customers": pl.Int64},
            orient="row",
        )  # fmt: skip

    def _filter_set(self, conn: Connection, filters: Filters) -> tuple[BitMap64 | None, BitMap64]:
        """(the customers a region and segment filter keep, None for all; the
        customers it drops). A choice without UNKNOWN keeps the union of its
        values' groups; one with UNKNOWN drops the groups of the values it
        leaves out, so customers without the attribute (or not on file) stay."""
        keep, drop = None, BitMap64()
        if not filters.by_customer:
            return keep, drop
        groups = self._group_sets(conn)
        for attribute, values in (("region", filters.region), ("segment", filters.segment)):
            if values is None:
                continue
            if UNKNOWN in values:
                left_out = [
                    s for (a, v), s in groups.items() if a == attribute and v is not None and v not in values
                ]
                drop = drop | sets.union(left_out)
                continue
            chosen = sets.union(groups.get((attribute, v), BitMap64()) for v in values)
            keep = chosen if keep is None else keep & chosen
        return keep, drop

    def _group_sets(self, conn: Connection) -> dict[tuple[str, str | None], BitMap64]:
        if self._groups is None:
            with self._reading("groups"):
                if self._groups is None:
                    rows = conn.execute(
                        sa.text("SELECT attribute, value, customers FROM fact_customer_groups")
                    ).all()
                    self._groups = {(a, v): sets.loads(b) for a, v, b in rows}
        return self._groups

    def _reading(self, kind: str) -> threading.Lock:
        """The lock of one kind of read (a set kind, the groups, the zone)."""
        with self._lock:
            return self._kind_locks.setdefault(kind, threading.Lock())

    def _ensure(
        self,
        conn: Connection,
        kinds: Sequence[str],
        spans: Sequence[tuple[dt.date, dt.date]],
        channels: tuple[str, ...] | None = None,
    ) -> None:
        """Read the sets of these kinds that unions over `spans` ([start, end)
        each) need and memory does not hold yet: the week sets of their whole
        ISO weeks (of every channel when `channels` is None, else per channel;
        one query per kind over the weeks' range) and the day sets of the days
        around them (one query per kind and batch of days)."""
        weeks: set[dt.date] = set()
        days: set[dt.date] = set()
        for start, end in spans:
            w, ds = _pieces(start, end)
            weeks.update(w)
            days.update(ds)
        d = sqltext.Dialect(conn.dialect.name)
        every = channels is None
        which = "channel IS NULL" if every else "channel IS NOT NULL"
        for kind in kinds:
            with self._reading(kind):
                missing = sorted(w for w in weeks if (kind, w, every) not in self._weeks_loaded)
                if missing:
                    lo, hi = missing[0], missing[-1] + dt.timedelta(days=7)
                    rows = conn.execute(
                        sa.text(
                            "SELECT brand_id, week, channel, customers FROM fact_customer_week_sets "
                            f"WHERE kind = :kind AND {which} AND week >= {d.date('lo')} AND week < {d.date('hi')}"
                        ),
                        {"kind": kind, "lo": d.date_value(lo), "hi": d.date_value(hi)},
                    ).all()
                    read = {lo + dt.timedelta(days=7 * i) for i in range((hi - lo).days // 7)}
                    self._keep(
                        self._week_sets,
                        {w for w in read if (kind, w, every) in self._weeks_loaded},
                        kind,
                        rows,
                    )
                    self._weeks_loaded.update((kind, w, every) for w in read)
                missing = sorted(day for day in days if (kind, day) not in self._loaded)
                for i in range(0, len(missing), _DAYS_PER_QUERY):
                    batch = missing[i : i + _DAYS_PER_QUERY]
                    params: dict[str, object] = {"kind": kind}
                    listed = sqltext.in_list("day", "d", [d.date_value(x) for x in batch], params)
                    rows = conn.execute(
                        sa.text(
                            "SELECT brand_id, day, channel, customers FROM fact_customer_sets "
                            f"WHERE kind = :kind AND {listed}"
                        ),
                        params,
                    ).all()
                    self._keep(self._sets, {x for x in batch if (kind, x) in self._loaded}, kind, rows)
                    self._loaded.update((kind, x) for x in batch)

    def _keep(self, into: dict, skip: set[dt.date], kind: str, rows: Sequence) -> None:
        """Hold the sets of `rows` ((brand, day or week, channel, blob)) in
        `into`, but for the days or weeks of `skip` (held already)."""
        read = [
            (brand, when, channel, sets.loads(blob))
            for brand, when, channel, blob in ((b, db.as_date(w), c, x) for b, w, c, x in rows)
            if when not in skip
        ]
        with self._lock:
            for brand, when, channel, customers in read:
                into.setdefault((kind, brand, when), []).append((channel, customers))
            brands = {brand for brand, *_ in read} - set(self._brands)
            if brands:
                # A new list, never one sorted in place: a reader may be iterating the old one.
                self._brands = sorted([*self._brands, *brands])

    def _union(
        self, kind: str, brand: str, start: dt.date, end: dt.date, channels: tuple[str, ...] | None
    ) -> BitMap64:
        """The customers of `kind` of a brand over [start, end): the week sets
        of its whole ISO weeks and the day sets of the days around them."""
        weeks, days = _pieces(start, end)
        parts = [self._week(kind, brand, monday, channels) for monday in weeks]
        parts.extend(_of_channels(self._sets.get((kind, brand, day), ()), channels) for day in days)
        return sets.union(p for p in parts if p)

    def _week(self, kind: str, brand: str, monday: dt.date, channels: tuple[str, ...] | None) -> BitMap64:
        """A brand's customers of `kind` in a week: its set of every channel
        (channels None), else the union of its channels' sets, kept (LRU)
        when there are several."""
        stored = self._week_sets.get((kind, brand, monday), ())
        if channels is None:
            return next((s for channel, s in stored if channel is None), BitMap64())
        if len(channels) == 1:
            return _of_channels(stored, channels)
        key = (kind, brand, monday, channels)
        with self._lock:
            hit = self._weeks.get(key)
            if hit is not None:
                self._weeks.move_to_end(key)
                return hit
        union = _of_channels(stored, channels)
        with self._lock:
            self._weeks[key] = union
            if len(self._weeks) > WEEKS_KEPT:
                self._weeks.popitem(last=False)
        return union

    # --- cohorts and filter values ---------------------------------------------------------

    def cohort_cells(
        self, grain: Grain, scopes: Sequence[str], since: dt.date | None = None
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Cohort cells from the sets: the customers whose first order (in
        scope) fell in period c, and how many of them ordered in each later
        period: intersections of two unions of day sets. Only the cohorts
        from `since` on (all when None)."""
        with connections.connect(self.engine) as conn:
            lo, hi = conn.execute(sa.text("SELECT MIN(day), MAX(day) FROM fact_customer_sets")).one()
            if lo is None:
                return _cells_frame([]), _sizes_frame([])
            lo, hi = db.as_date(lo), db.as_date(hi)
            if since is not None:
                lo = max(lo, since)
            first = week_start(lo) if grain == "week" else month_start(lo)
            kinds = [
                "active",
                "first_c" if "company" in scopes else None,
                "first_b" if set(scopes) - {"company"} else None,
            ]
            starts = []
            day = first
            while day <= hi:
                starts.append(day)
                day = next_start(day, grain)
            self._ensure(conn, [k for k in kinds if k], [(s, next_start(s, grain)) for s in starts])
        cells, sizes = [], []
        for scope in dict.fromkeys(scopes):
            brands = self._brands if scope == "company" else [scope]
            first_kind = "first_c" if scope == "company" else "first_b"
            firsts, actives = [], []
            for start in starts:
                end = next_start(start, grain)
                firsts.append(sets.union(self._union(first_kind, b, start, end, None) for b in brands))
                actives.append(sets.union(self._union("active", b, start, end, None) for b in brands))
            for c, cohort in enumerate(firsts):
                if not cohort:
                    continue
                sizes.append((scope, starts[c], len(cohort)))
                for p in range(c, len(starts)):
                    n = cohort.intersection_cardinality(actives[p])
                    if n:
                        cells.append((scope, starts[c], _index(starts[c], starts[p], grain), n))
        return _cells_frame(cells), _sizes_frame(sizes)

    def local_cohort_cells(
        self, grain: Grain, scopes: Sequence[str], since: dt.date | None, zone: str | None, cal: Calendar
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Cohorts on local or fiscal periods: the store keeps UTC ISO days,
        so the database cuts these from the orders (pushdown)."""
        return PushdownSource(self.engine).local_cohort_cells(grain, scopes, since, zone, cal)

    def driver_inputs(self, period: Periods) -> DriverInputs:
        from . import database_driver_inputs

        return database_driver_inputs(self.engine, period)

    def driver_counts(self, period: Periods, scopes: Sequence[str]) -> pl.DataFrame:
        from . import database_driver_counts

        return database_driver_counts(self.engine, period, scopes, stored=True)

    def ticket_rows(self, period: Periods, brand: str) -> pl.LazyFrame:
        from . import database_ticket_rows

        return database_ticket_rows(self.engine, period, brand)

    def distinct(self, table: str, column: str) -> list[str]:
        """The values a filter offers, from the store's small tables."""
        queries = {
            ("orders", "channel"): "SELECT DISTINCT channel FROM fact_orders",
            (
                "customers",
                "region",
            ): "SELECT DISTINCT value FROM fact_customer_groups WHERE attribute = 'region'",
            (
                "customers",
                "segment",
            ): "SELECT DISTINCT value FROM fact_customer_groups WHERE attribute = 'segment'",
            (
                "customer_surveys",
                "customer_purpose",
            ): "SELECT DISTINCT customer_purpose FROM fact_customer_surveys",
        }
        sql = queries.get((table, column))
        if sql is None:  # not a filter of the pages: ask the table itself
            return PushdownSource(self.engine).distinct(table, column)
        try:
            with connections.connect(self.engine) as conn:
                values = conn.execute(sa.text(sql)).scalars().all()
        except sa.exc.SQLAlchemyError as exc:
            raise db.DatabaseError(db.describe_db_error(exc)) from exc
        return sorted(str(v) for v in values if v is not None)


def _with_company(by_brand: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Brand rows (scope = brand_id) and the company's, their sums."""
    brands = by_brand.rename({"brand_id": "scope"})
    company = (
        brands.group_by("period_start")
        .agg(*[pl.col(c).sum() for c in columns])
        .with_columns(scope=pl.lit("company"))
    )
    return pl.concat([company.select(brands.columns), brands])


def _counts(scope: str, start: dt.date, active: BitMap64, repeat: BitMap64, opted: BitMap64) -> tuple:
    return scope, start, len(active), len(repeat), active.intersection_cardinality(opted)


def _pieces(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """[start, end) as its whole ISO weeks (their Mondays) and the days around them."""
    weeks, days = [], []
    day = start
    while day < end:
        if day.weekday() == 0 and day + dt.timedelta(days=7) <= end:
            weeks.append(day)
            day += dt.timedelta(days=7)
        else:
            days.append(day)
            day += dt.timedelta(days=1)
    return weeks, days


def _of_channels(stored: Sequence[tuple[str | None, BitMap64]], channels: tuple[str, ...] | None) -> BitMap64:
    """The union of the sets of `stored` ((channel, set); day sets, or a week's
    channel sets) in `channels` (all when None)."""
    return sets.union(
        s for channel, s in stored if channel is not None and (channels is None or channel in channels)
    )


def _index(first: dt.date, start: dt.date, grain: Grain) -> int:
    if grain == "week":
        return (start - first).days // 7
    return (start.year - first.year) * 12 + start.month - first.month


def _cells_frame(rows: list) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"scope": pl.String, "first_start": pl.Date, "period_index": pl.Int64,
                                      "customers": pl.Int64}, orient="row")  # fmt: skip


def _sizes_frame(rows: list) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"scope": pl.String, "first_start": pl.Date, "cohort_size": pl.Int64},
                        orient="row")  # fmt: skip
