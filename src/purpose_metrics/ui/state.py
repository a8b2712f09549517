"""The dashboard's data access: the Streamlit caches of the data path.

Layers of caching, so changing a filter never re-reads what it need not:

- `engine(url)`: st.cache_resource, one SQLAlchemy engine per URL, opened on
  first use (never at import time).
- `_generation(url)`: st.cache_data with the TTL, the moment the current
  generation of reads began. Every cache below takes it as an argument, so
  when it expires everything computed from the old read is out of reach:
  nothing shown is older than CACHE_TTL_SECONDS.
- `_loaded(url, generation)`: st.cache_resource (shared by every session,
  never copied): the Dataset, i.e. the small tables as frames, the as-of
  instant, and the FactSource chosen for the database (sources/: the fact
  store when it is current). The store source keeps the customer sets it
  has read; the pages' sums are small queries of the store.
- `week_kpis`, `comparison`, ...: the pure `views` computations of the data
  on screen (`of_the_data`), st.cache_data keyed by (url, generation) and
  their arguments: small finished frames (KPI rows, comparisons), never
  tables.

Every cached function takes the database URL first, so two databases never
share entries. "Refresh data" clears them all. (Chart images, ui/charts.py,
and the board pack, ui/boardpack.py, have caches of their own.)
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, TypeVar

import duckdb
import polars as pl
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine

from .. import audit, catalog, connections, db, dburl, inventory, reading, sources, store, views
from ..brief import Brief, build_brief
from ..charts.tree import TREE_METRICS
from ..constants import CACHE_TTL_SECONDS
from ..errors import UsageError
from ..metrics.dataset import Dataset, Filters
from ..metrics.drivers import driver_frame
from ..metrics.engine import kpi_frame
from ..periods import Period
from . import access

T = TypeVar("T")

# Errors that mean "the database cannot be read", shown as one line.
DATABASE_ERRORS = (db.DatabaseError, sa.exc.SQLAlchemyError, duckdb.Error, OSError, UsageError)
MAX_MESSAGE = 300


def database_url() -> str:
    return dburl.database_url()


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return db.make_engine(url)


def backend() -> str:
    """The dialect name of the database read (duckdb, sqlite, postgresql, or another)."""
    return engine(database_url()).dialect.name


# A run's connection waits this long for the next run of a burst of clicks
# (connections.py); a DuckDB file is free for an import this long after.
CONNECTION_LINGER_SECONDS = 2.0


def one_connection_per_run():
    """A page run's reads share one connection per database (connections.py),
    kept warm for the next run."""
    return connections.one_connection_per_engine(linger=CONNECTION_LINGER_SECONDS)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _generation(url: str) -> dt.datetime:
    """When the current generation of cached reads and results began (UTC)."""
    return _now()


# How long a page trusts the fact store to be unchanged before asking again
# (a few rows of store_state): an import shows within this many seconds,
# and meanwhile every run of every session computes from the same data.
STORE_CHECK_SECONDS = 5


@st.cache_data(ttl=STORE_CHECK_SECONDS, show_spinner=False)
def _store_version(url: str) -> str:
    with connections.connect(engine(url)) as conn:
        return store.version_stamp(conn)


class Generation(NamedTuple):
    """One consistent view of the data: it began at `began` (and ends with
    the TTL) and saw the fact store at `store`; an import changes the store
    and so starts a new generation at once."""

    began: dt.datetime
    store: str


class CacheKey(NamedTuple):
    """The first arguments of every cached computation: which database, and
    which generation of its reads."""

    url: str
    generation: Generation


def key() -> CacheKey:
    url = database_url()
    return CacheKey(url, Generation(_generation(url), _store_version(url)))


class Loaded(NamedTuple):
    """One read of the database (what `_loaded` keeps)."""

    data: Dataset
    read_at: dt.datetime  # UTC
    mode: sources.Mode


# Entries kept: the current generation of a few databases (a TTL turnover
# leaves the old one until it expires).
_LOADED_KEPT = 4


@st.cache_resource(ttl=CACHE_TTL_SECONDS, max_entries=_LOADED_KEPT, show_spinner="Opening the database…")
def _loaded(url: str, generation: Generation) -> Loaded:
    """The Dataset of a generation: small tables, as-of, and the source."""
    eng = engine(url)
    read_at = _now()
    data = reading.load_dataset(eng, mode=mode_setting())
    return Loaded(data, read_at, data.source.name)  # type: ignore[arg-type]


def mode_setting() -> str:
    """The configured mode ($PURPOSE_METRICS_MODE; auto when unset)."""
    return sources.requested_mode()


def _dataset(url: str, generation: Generation) -> Dataset:
    """The data set of a generation."""
    return _loaded(url, generation).data


def current_mode() -> sources.Mode | None:
    """store, pushdown or memory for the data on screen; None when unreadable."""
    try:
        return _loaded(*key()).mode
    except DATABASE_ERRORS:
        return None


def refresh() -> None:
    """Forget every cached read and result (the sidebar's "Refresh data")."""
    st.cache_data.clear()
    _loaded.clear()


def _retry() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def describe_error(exc: BaseException) -> str:
    """One line, at most MAX_MESSAGE characters, with no password in it."""
    if isinstance(exc, db.DRIVER_ERRORS):
        text = db.describe_db_error(exc)
    else:
        text = str(exc).strip() or type(exc).__name__
    return dburl.redact(" ".join(text.split()), database_url())[:MAX_MESSAGE]


def show_database_error(exc: BaseException) -> None:
    """One clear line and a Retry button; never a traceback."""
    st.error(
        f"Could not read the database at {dburl.safe_url(database_url())}: {describe_error(exc)}",
        icon=":material/database:",
    )
    st.button("Retry", on_click=_retry, icon=":material/refresh:", key="retry_database")


def dataset_or_stop() -> Dataset:
    """The loaded data set, or an error message and a Retry button (and the
    page stops)."""
    try:
        return _dataset(*key())
    except DATABASE_ERRORS as exc:
        show_database_error(exc)
        st.stop()
        raise  # st.stop() raises; this line is for type checkers


def data_or_empty_state() -> Dataset:
    """As `dataset_or_stop`, and a sentence instead of the page when there is
    no order yet."""
    data = dataset_or_stop()
    if not views.has_data(data):
        st.info(
            "The database holds no orders yet, so there is no week to show. "
            "Import files on the **Data** page (or run `purpose-metrics init --sample`).",
            icon=":material/inbox:",
        )
        st.page_link("pages/data.py", label="Go to the Data page", icon=":material/upload_file:")
        st.stop()
    return data


def try_dataset() -> Dataset | None:
    """The data set, or None when the database cannot be read (no message)."""
    loaded = try_loaded()
    return None if loaded is None else loaded[0]


def try_loaded() -> tuple[Dataset, dt.datetime] | None:
    """(the data set, when it was read from the database (UTC)), or None
    when the database cannot be read (no message)."""
    try:
        loaded = _loaded(*key())
    except DATABASE_ERRORS:
        return None
    return loaded.data, loaded.read_at


def ttl_words(seconds: int = CACHE_TTL_SECONDS) -> str:
    """'10 min', '90 s', '2 h'."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


# --- cached computations ------------------------------------------------------------


def of_the_data(show_spinner: str | bool = False) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Turn `compute(data, *args)`, a pure function of a Dataset, into
    `compute(*args)` on the data on screen, cached per (database,
    generation, arguments) with st.cache_data (results are small frames).
    The cached function is `.cached(url, generation, *args)`."""

    def wrap(compute: Callable[..., T]) -> Callable[..., T]:
        def cached(url: str, generation: Generation, *args: Any) -> T:
            return compute(_dataset(url, generation), *args)

        # One cache per computation: Streamlit keys a cache by the function's
        # module, qualified name and source, and every `cached` has this source.
        cached.__module__ = compute.__module__
        cached.__qualname__ = cached.__name__ = f"{compute.__qualname__}.cached"
        cached = st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=show_spinner)(cached)

        checked = _scope_arguments(compute)

        @functools.wraps(compute)
        def current(*args: Any) -> T:
            # What the cache holds is everyone's; what leaves here is only
            # what this run's person may see (ui/access.py).
            me = access.current()
            for i in checked:
                if i < len(args) and not me.sees(args[i]):
                    raise access.AccessDenied(f"{compute.__name__}: no access to {args[i]!r}")
            return me.restrict(cached(*key(), *args))

        def ahead(*args: Any) -> None:
            """Start `current(*args)` on a background thread, so that it is
            ready, or under way, when the page asks for it (see `_start_ahead`)."""
            me = access.current()
            if all(me.sees(args[i]) for i in checked if i < len(args)):
                _start_ahead(cached, (*key(), *args))

        current.cached = cached  # type: ignore[attr-defined]
        current.ahead = ahead  # type: ignore[attr-defined]
        return current

    return wrap


# Computations a page starts ahead of where it shows them (`f.ahead(...)`):
# DuckDB and Polars leave Python's lock while they work, so a page's
# independent reads overlap on the second core while its script goes on.
# The threads are shared by every session; past AHEAD_QUEUED waiting
# computations a new one is not started (the page computes it itself).
AHEAD_THREADS = 2
AHEAD_QUEUED = 8
_AHEAD = ThreadPoolExecutor(max_workers=AHEAD_THREADS, thread_name_prefix="pm-ahead")
_AHEAD_WAITING = threading.BoundedSemaphore(AHEAD_QUEUED)


def _start_ahead(cached: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Compute `cached(*args)` on a background thread into the shared cache.

    When the page then asks for it, st.cache_data either has it or waits on
    the per-key lock of the computation under way (a stop or rerun of the
    page still ends that wait), so nothing is computed twice. The thread has
    no script run: the cache's spinner is not shown from it, and nothing is
    returned; a failure is left to the page's own call, which meets it
    again and shows it as any other."""
    if not _AHEAD_WAITING.acquire(blocking=False):
        return

    def run() -> None:
        try:
            with connections.one_connection_per_engine(linger=CONNECTION_LINGER_SECONDS):
                cached(*args)
        except Exception:  # the page's own call shows the error
            logging.getLogger(__name__).debug("computing ahead failed", exc_info=True)
        finally:
            _AHEAD_WAITING.release()

    try:
        _AHEAD.submit(run)
    except RuntimeError:  # the interpreter is shutting down
        _AHEAD_WAITING.release()


def _scope_arguments(compute: Callable[..., Any]) -> list[int]:
    """Where `compute(data, ...)` takes a company-or-brand argument (`scope`
    or `brand`): the positions, after `data`, that the access checks."""
    names = list(inspect.signature(compute).parameters)[1:]
    return [i for i, name in enumerate(names) if name in ("scope", "brand")]


ENV_DEFAULT_WEEK = "PURPOSE_METRICS_DEFAULT_WEEK"


def default_week_setting() -> str:
    """Which week a page opens on: `latest` (the default: the latest week
    with data, marked partial while it is open) or `complete` (the latest
    whole week, for teams that review only whole weeks)."""
    value = os.environ.get(ENV_DEFAULT_WEEK, "latest").strip().lower() or "latest"
    if value not in ("latest", "complete"):
        # A page is no place for a settings error: say it in the server's log, open on the latest week.
        logging.getLogger(__name__).warning("%s must be latest or complete, not %r: using latest",
                                            ENV_DEFAULT_WEEK, value[:20])  # fmt: skip
        return "latest"
    return value


def weeks() -> tuple[list[str], str]:
    """(every week with data, latest first, the open one included; the week a page opens on)."""
    return _weeks(default_week_setting())


@of_the_data()
def _weeks(data: Dataset, setting: str) -> tuple[list[str], str]:
    if setting == "complete":
        return views.available_weeks(data), views.default_week(data)
    return views.available_weeks(data, with_open=True), views.latest_week(data)


@of_the_data()
def complete_week(data: Dataset) -> str:
    """The latest whole week (the front-line brief's)."""
    return views.default_week(data)


def partial_note(week: str) -> str | None:
    """'partial: data to …' when the week is still open (views.partial_note)."""
    return views.partial_note(_dataset(*key()), week)


@of_the_data("Computing this week's KPIs…")
def week_kpis(data: Dataset, week: str) -> pl.DataFrame:
    """Every scope's cards for the week (see views.week_kpis)."""
    return views.week_kpis(data, views.week_window(week))


@of_the_data("Computing the period's KPIs…")
def period_kpis(data: Dataset, period: Period) -> pl.DataFrame:
    """Every scope's cards for a month, quarter, year to date or range (views.period_kpis)."""
    return views.period_kpis(data, period)


class PeriodOptions(NamedTuple):
    """What the period pickers offer: months, quarters and years with data
    (latest first) and the first and last day with data."""

    months: list[str]
    quarters: list[str]
    years: list[str]
    first: dt.date
    last: dt.date


@of_the_data()
def period_options(data: Dataset) -> PeriodOptions:
    first, last = views.data_days(data)  # type: ignore[misc]  # pages run only with data
    return PeriodOptions(views.available_months(data), views.available_quarters(data),
                         views.available_years(data), first, last)  # fmt: skip


def year_to_date(year: str) -> Period:
    """1 January of `year` to the latest day with data (views.year_to_date)."""
    return views.year_to_date(_dataset(*key()), year)


def open_note(period: Period) -> str | None:
    """'partial: data to …' while the period is still open (views.open_note)."""
    return views.open_note(_dataset(*key()), period.start, period.end)


@of_the_data()
def metric_trend(data: Dataset, metric_id: str, week: str, scope: str) -> pl.DataFrame:
    """A year of one KPI for one scope up to the week (views.metric_trend)."""
    return views.metric_trend(data, metric_id, views.week_window(week), [scope])


@of_the_data()
def metric_trend_last_year(data: Dataset, metric_id: str, week: str, scope: str) -> pl.DataFrame:
    """Last year's line of that trend, at this year's x (views.metric_trend_last_year)."""
    return views.metric_trend_last_year(data, metric_id, views.week_window(week), [scope])


@of_the_data()
def markers(
    data: Dataset,
    start: dt.date,
    end: dt.date,
    metric_ids: tuple[str, ...] | None = None,
    scope_ids: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Initiatives launched in [start, end) on the trends they target."""
    return views.initiative_markers(data, start, end, metric_ids, scope_ids)


@of_the_data("Comparing brands…")
def comparison(
    data: Dataset, metric_id: str, window: views.ComparisonWindow, filters: Filters
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(one row per scope over the window's period, the trend grid per
    scope, one row per scope over the period before it)."""
    compared = views.by_scope(data, metric_id, window.period, filters)
    trends = views.by_scope(data, metric_id, window.trend, filters)
    before = (
        views.by_scope(data, metric_id, window.previous, filters) if window.previous else compared.clear()
    )
    return compared, trends, before


@of_the_data()
def mature_weeks(data: Dataset) -> list[str]:
    """Weeks whose 90-day repurchase window has closed, latest first."""
    return views.mature_weeks(data)


@of_the_data("Following each customer for 90 days…")
def drivers(data: Dataset, week: str, span: int) -> tuple[views.DriverWindow, pl.DataFrame]:
    """(the window, every scope's drivers over it: metrics.driver_frame)."""
    window = views.driver_window(week, span)
    return window, driver_frame(data, window.period)


@of_the_data()
def tree_kpis(data: Dataset, week: str, span: int) -> pl.DataFrame:
    """The purpose tree's indicators and outcomes for every scope over the drivers' window."""
    window = views.driver_window(week, span)
    return kpi_frame(data, window.period, views.scopes(data), list(TREE_METRICS))


@of_the_data("Writing the brief…")
def brief(data: Dataset, brand: str, week: str) -> Brief:
    """The front-line brief of a brand for a week (brief.build_brief)."""
    return build_brief(data, brand, week)


@of_the_data("Splitting by segment…")
def segment_matrix(
    data: Dataset, metric_id: str, window: views.ComparisonWindow, dimension: str
) -> pl.DataFrame:
    """Every scope × value of `dimension` over the comparison window (views.segment_matrix)."""
    return views.segment_matrix(data, metric_id, window.period, dimension, views.scopes(data))


@of_the_data("Building cohorts…")
def cohort_grid(data: Dataset, grain: str, scope: str, week: str) -> pl.DataFrame:
    """The latest cohorts' retention up to the week (see views.cohort_grid)."""
    return views.cohort_grid(data, grain, scope, views.week_window(week).week.end)


@of_the_data()
def purpose_by_category(data: Dataset, week: str, span: int, scope: str) -> tuple[str, pl.DataFrame]:
    """(the period in words, purpose achieved per customer purpose)."""
    window = views.comparison_window(week, span, catalog.get("purpose_achieved_rate"))
    return window.label, views.purpose_by_category(data, window.period, scope)


@of_the_data()
def team_rows(data: Dataset, week: str, scope: str) -> pl.DataFrame:
    """The week's employee-survey metrics per team of the scope (views.team_kpis;
    each team's `brand_id` decides who may see it, so its own key is dropped)."""
    return views.team_kpis(data, views.week_window(week).week, scope).drop("scope")


def team_matrix(week: str, scope: str) -> pl.DataFrame:
    """The week's employee-survey metrics per team of the scope, as text
    (small groups suppressed or withheld, see privacy.py)."""
    rows = team_rows(week, scope)
    return views.team_matrix(rows, views.scope_names(_dataset(*key())), with_brand=scope == "company")


@of_the_data()
def filter_options(data: Dataset) -> dict[str, list[str | None]]:
    return views.filter_options(data)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner="Reading the inventory…")
def _inventory(url: str, generation: Generation) -> pl.DataFrame:
    # Not disposed after: the engine is every session's (its pool, on a server database).
    return inventory.table_inventory(engine(url))


def inventory_or_error() -> pl.DataFrame | None:
    """The table inventory, or None after showing the error and Retry."""
    try:
        return _inventory(*key())
    except DATABASE_ERRORS as exc:
        show_database_error(exc)
        return None


def current_engine() -> Engine:
    """The shared engine of the configured database (imports write through it)."""
    return engine(database_url())


AUDIT_SHOWN = audit.SHOWN


def audit_log() -> pl.DataFrame | None:
    """The latest rows of the audit log (admins only; never cached, so an
    admin sees the sign-in they just made), or None for anyone else."""
    if not access.current().admin:
        return None
    return audit.recent(current_engine(), AUDIT_SHOWN)
