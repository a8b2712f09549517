"""Sections every week-based page is built from.

A page is a few calls:

    ctx = page.context()                        # data, names, colours, currency (or empty state)
    week, scope, window = page.week_and_scope(ctx)
    kpis = state.week_kpis(week)
    page.kpi_cards(ctx, kpis, scope, window, pillars=["People"])
    page.trend(ctx, week, scope, window, metric_ids=..., default=...)
    page.brands_table(ctx, kpis, metric_ids)
"""

from __future__ import annotations

import runpy
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import catalog, formatting, views
from ..calendars import ISO, Calendar
from ..charts import scope_colours, trend_chart
from ..export.stamp import Stamp, as_of_text, scope_text
from ..metrics.dataset import Dataset, Filters
from ..periods import Period, Periods
from . import access, cards, charts, filters, scorecards, state


@dataclass(frozen=True)
class PageContext:
    """What every page needs to know about the data set, read once per run."""

    data: Dataset
    names: dict[str, str]
    colours: dict[str, str]
    currency: str
    company: dict
    scopes: list[str]
    weeks: list[str]
    latest: str
    calendar: Calendar = ISO  # the company's (company.calendar): its weeks, months and years


_ROUTER = threading.local()
_router_script: Path | None = None  # dashboard.py, once it has run


@contextmanager
def routed(router_script: str) -> Iterator[None]:
    """dashboard.py runs each page inside this (passing its own path): the
    page then knows it is inside the router (per script thread, so per
    session)."""
    global _router_script
    _router_script = Path(router_script)
    _ROUTER.depth = getattr(_ROUTER, "depth", 0) + 1
    try:
        yield
    finally:
        _ROUTER.depth -= 1


PRINT_STYLE = """
<style>
/* The home page's title names its period ("Week 2026-W47 · 16 – 22 Nov 2026"): one line at 1024 px. */
h1#this-week {font-size: clamp(1.6rem, 2.6vw, 2.75rem);}
/* A segmented control that does not fit its column wraps instead of hiding options behind a sideways scroll. */
[data-testid="stButtonGroup"] [role="radiogroup"] {flex-wrap: wrap; row-gap: 0.25rem;}
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], .modebar-container,
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-tertiary"] {display: none !important;}
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] {margin: 0 !important; padding: 0.5rem !important;
    max-width: none !important;}
  .pm-card, .pm-chart, [data-testid="stVerticalBlockBorderWrapper"], [data-testid="stPlotlyChart"],
  [data-testid="stTable"], [data-testid="stDataFrame"] {break-inside: avoid; page-break-inside: avoid;}
  h1, h2, h3 {break-after: avoid; page-break-after: avoid;}
}
/* A server-drawn chart (ui/charts.static_html) comes in three widths; the
   column's own width picks one, so its text reads at about 13 px anywhere. */
.pm-chart {container-type: inline-size; width: 100%;}
.pm-chart .pm-v {display: none;}
.pm-chart svg {display: block; width: 100%; height: auto;}
@container (min-width: 940px) {.pm-chart .pm-v1120 {display: block;}}
@container (min-width: 600px) and (max-width: 939.98px) {.pm-chart .pm-v760 {display: block;}}
@container (max-width: 599.98px) {.pm-chart .pm-v420 {display: block; overflow-x: auto;}}
/* A drawing wider than its column scrolls; its title (HTML, ui/charts._heading) stays in view. */
.pm-chart .pm-ctitle, .pm-chart .pm-csub {position: sticky; left: 0; max-width: 100cqw; padding: 0 0.25rem;}
.pm-chart .pm-ctitle {font-size: 1rem; line-height: 1.3;}
.pm-chart .pm-csub {font-size: 0.8rem; opacity: 0.75;}
/* Tabs that do not fit wrap onto a second line instead of hiding the last behind a scroll arrow. */
[data-testid="stTabs"] [role="tablist"] {flex-wrap: wrap; row-gap: 0.25rem;}
</style>
"""


def print_style() -> None:
    """How a page prints (no sidebar, toolbars or download buttons, and no
    card, chart or table split across two sheets), how a static chart picks
    its width, and the few screen rules every page shares (called by the
    router)."""
    st.html(PRINT_STYLE)


_THEME_TOLD = "pm_theme_told"  # set once the browser has had a run to tell its theme


def follow_theme() -> None:
    """Decide once per run whether charts are drawn dark (called by the
    router). The browser tells its theme with every rerun, but on a
    session's first run it tells the system's preference, not Streamlit's
    theme: then the server's configured theme (`theme.base`), if any, is
    the better guess. A theme switched in the settings shows on the next run."""
    told = st.context.theme.type
    configured = st.get_option("theme.base")
    first = not st.session_state.get(_THEME_TOLD)
    st.session_state[_THEME_TOLD] = True
    kind = configured if first and configured in ("light", "dark") else told
    st.session_state[charts.THEME_KEY] = kind == "dark"


def ensure_router() -> None:
    """Make sure the page runs inside dashboard.py's router.

    Until some run has called st.navigation, a server follows the old
    `pages/` folder convention: a first visit by a link (`/loyalty`) runs
    that page file on its own, without the router's sidebar (AppTest does
    so on every rerun). A page run that way runs the router instead, in
    this same run (so a click or a widget change is not lost), and the
    router runs the page. The router is the script that last ran `routed`,
    or before that the one `streamlit run` was given (Streamlit passes it as
    sys.argv[0]).
    """
    if getattr(_ROUTER, "depth", 0):
        return
    router = _router_script or Path(sys.argv[0])
    if router.suffix != ".py" or not (router.parent / "pages").is_dir():  # pragma: no cover - not a router
        return
    runpy.run_path(str(router), run_name="__main__")
    st.stop()


def context() -> PageContext:
    """The loaded data and its names and colours; an empty database or a
    database error shows its message and stops the page."""
    ensure_router()
    data = state.data_or_empty_state()
    weeks, latest = state.weeks()
    scopes = access.current().visible(views.scopes(data))
    if not scopes:
        access.require(False, "any brand in this database: the roles file names none of its brands")
    return PageContext(
        data=data,
        names=views.scope_names(data),
        colours=scope_colours(data.brand_ids),
        currency=views.currency(data),
        company=views.company_info(data),
        scopes=scopes,
        weeks=weeks,
        latest=latest,
        calendar=data.calendar,
    )


def stamp(
    ctx: PageContext,
    *,
    page: str,
    period: str,
    period_key: str,
    scope: str | None = None,
    filters: Filters = Filters(),
    note: str | None = None,
) -> Stamp:
    """What the page's exports show: `period` (words; `period_key` for file
    names), one `scope` (company or a brand) or, with None, every scope the
    person sees, the filters, the data's as-of instant and the company."""
    scope_ids = [scope] if scope is not None else ctx.scopes
    return Stamp(
        period=period,
        period_key=period_key,
        scope=scope_text(scope_ids, ctx.names),
        filters=filters,
        as_of=as_of_text(ctx.data.as_of, ctx.data.timezone),
        company=ctx.company.get("name") or "",
        scope_key="" if scope in (None, "company") else scope,
        note=note,
        page=page,
    )


def week_stamp(ctx: PageContext, page: str, week: str, scope: str, window: views.WeekWindow) -> Stamp:
    """The stamp of a week page: the week (and the month monthly metrics show) for one scope."""
    days = formatting.week_range(window.week.start, window.week.end)
    return stamp(ctx, page=page, period=f"Week {week} ({days})", period_key=week, scope=scope)


def every_scope(ctx: PageContext, stamp: Stamp) -> Stamp:
    """`stamp` for a chart or table of every scope in view (the page's scope picker aside)."""
    return replace(stamp, scope=scope_text(ctx.scopes, ctx.names), scope_key="")


def week_and_scope(ctx: PageContext) -> tuple[str, str, views.WeekWindow]:
    """The week and company-or-brand pickers (bound to ?week= and ?brand=),
    and a line saying which days and which month the numbers cover."""
    left, steps, right = st.columns([5, 4, 11], vertical_alignment="bottom")
    week = filters.week_picker(ctx.weeks, ctx.latest, container=left)
    filters.week_steps(ctx.weeks, week, container=steps)
    # More than four choices do not fit beside the week at 1024 px: they take a row of their own.
    scope = filters.scope_picker(ctx.scopes, ctx.names, container=right if len(ctx.scopes) <= 4 else None)
    window = views.week_window(week)
    # The browser tab (and a bookmark, a printed page's header) names the week shown.
    st.set_page_config(
        page_title=f"{week} ({formatting.week_range(window.week.start, window.week.end)}) · Purpose Metrics"
    )
    week_caption(week, window)
    return week, scope, window


@dataclass(frozen=True)
class Shown:
    """What a page with the period picker shows: the period, the company or
    a brand, and for a week its ISO label and window (None otherwise)."""

    period: Period
    scope: str
    week: str | None = None
    window: views.WeekWindow | None = None

    @property
    def is_week(self) -> bool:
        return self.week is not None


def other_period(ctx: PageContext, kind: str, first: DeltaGenerator, second: DeltaGenerator) -> Period:
    """The pickers of a month, quarter, year to date or custom range (the
    kinds other than week), in the company's calendar, in `first` (and
    `second` for a range's second day)."""
    options = state.period_options()
    if kind == "month":
        return filters.month_picker(options.months, container=first)
    if kind == "quarter":
        return filters.quarter_picker(options.quarters, container=first)
    if kind == "ytd":
        return state.year_to_date(filters.year_picker(options.years, container=first))
    return filters.custom_range(
        options.first, options.last, containers=(first, second), cal=ctx.calendar.name
    )


def week_caption(week: str, window: views.WeekWindow, compared: str = "") -> None:
    """The line under a week's pickers: its days, whether it is still open,
    what it is compared with, and the month the monthly metrics show."""
    partial = state.partial_note(week)
    st.caption(
        f"Week {week}, {formatting.week_range(window.week.start, window.week.end)}"
        + (f" (**{partial}**; its numbers will grow)" if partial else "")
        + (f", {compared}" if compared else "")
        + f". Monthly metrics (people, ledger) show {formatting.month_name(window.month.start)}, "
        "the latest whole month ending before the week's end."
    )


def _cli_line(period: Period) -> str:
    return f"`purpose-metrics kpis --from {period.start} --to {period.end}`"


def period_and_scope(ctx: PageContext, heading: DeltaGenerator) -> Shown:
    """The period pickers — Week (bound to ?week=, with ‹ ›), Month, Quarter,
    Year to date or Custom (?period=, then ?month=, ?quarter=, ?year= or
    ?from=&to=) — and the company-or-brand picker (?brand=). Titles the page
    (`heading`, an st.empty) and the browser tab by the period, and says
    which days the numbers cover, whether the period is still open and what
    it is compared with."""
    # Side by side where they fit, one under the other where not (never cut, never scrolled sideways).
    pickers = st.container(horizontal=True, wrap=True, gap="medium", vertical_alignment="bottom")
    kind = filters.period_kind_picker(container=pickers, nrf=ctx.calendar.nrf)
    scope = filters.scope_picker(ctx.scopes, ctx.names, container=pickers)
    first, second, _ = st.columns([5, 5, 10] if kind == "custom" else [5, 4, 11], vertical_alignment="bottom")
    if kind == "week":
        week = filters.week_picker(ctx.weeks, ctx.latest, container=first)
        filters.week_steps(ctx.weeks, week, container=second)
        window = views.week_window(week)
        period = Period.week(week)
        heading.title(period.label, anchor=HOME_ANCHOR)
        st.set_page_config(
            page_title=f"{week} ({formatting.week_range(window.week.start, window.week.end)}) · Purpose Metrics"
        )
        week_caption(week, window, f"vs previous week and {year_words(period)}")
        return Shown(period, scope, week, window)
    period = other_period(ctx, kind, first, second)
    heading.title(period.label, anchor=HOME_ANCHOR)
    st.set_page_config(page_title=f"{period.label} · Purpose Metrics")
    partial = state.open_note(period)
    previous = period.previous()
    whole = f"; it is compared with the whole {previous.label}" if period.kind in ("month", "quarter") else ""
    st.caption(
        f"{formatting.week_range(period.start, period.end)}"
        + (f" (**{partial}**; its numbers will grow{whole})" if partial else "")
        + f". Compared with {previous.label} (“vs {period.compared}”)"
        + ("" if period.kind == "ytd" else f" and {year_words(period)}")
        + ". Monthly metrics (people, ledger) "
        f"count the whole months inside the period. The same numbers as {_cli_line(period)}."
    )
    return Shown(period, scope)


def year_words(period: Period) -> str:
    """How a period's year-over-year comparison is described: 'the same
    week last year (FY2025-W08, 23 – 29 Mar 2025)', or why there is none."""
    found = period.comparable()
    if found is None:
        return "no comparable week last year (a week 53 has none: the year before has no week of its number)"
    return f"the {period.compared_year} ({found.label.removeprefix('Week ')})"


# The home page's h1 anchor: its text names the period shown, its anchor stays.
HOME_ANCHOR = "this-week"


def purpose(ctx: PageContext, scope: str) -> None:
    big, medium = views.purposes(ctx.data, scope)
    brand = None if scope == "company" else ctx.names[scope]
    cards.purpose_banner(big, medium, brand, ctx.company.get("name", ""))


def kpi_cards(
    ctx: PageContext,
    kpis: pl.DataFrame,
    scope: str,
    window: views.WeekWindow | Period,
    pillars: Sequence[str] | None = None,
) -> None:
    """The scope's KPI cards of the given pillars (all four by default):
    a week's (its window) or a period's."""
    if isinstance(window, Period):  # its sparklines: at most TREND_STEPS months back
        markers = state.markers(Periods.trend(window.end, views.TREND_STEPS, "month").start, window.end)
    else:
        markers = state.markers(window.months.start, window.week.end)
    scorecards.kpi_grid(kpis, scope, ctx.currency, markers, pillars=pillars)


def trend(
    ctx: PageContext,
    week: str,
    scope: str,
    window: views.WeekWindow,
    *,
    metric_ids: Sequence[str],
    default: str,
    key: str,
    stamp: Stamp | None = None,
) -> list[charts.Shown]:
    """A KPI picker (bound to ?key=) and a year of that KPI for the scope,
    with its interval, target and initiatives, and its downloads (stamped
    with the trend's span when `stamp` is given). Returns the chart shown."""
    picker, toggle = st.columns([3, 2], vertical_alignment="bottom")
    metric_id = filters.metric_picker(
        key=key, default=default, label="KPI", metric_ids=metric_ids, container=picker
    )
    overlay = toggle.toggle(
        "Last year",
        key=f"{key}_last_year",
        help="Overlay the year before as a lighter dashed line: at each week (month), the same week "
        "(month) of the previous year of the company's calendar; a week 53 has none.",
    )
    metric = catalog.get(metric_id)
    rows = state.metric_trend(metric_id, week, scope)
    span = f"{views.LONG_TREND_MONTHS} months" if metric.monthly else f"{views.LONG_TREND_WEEKS} weeks"
    title = f"{metric.label} — {ctx.names[scope]}, {span} to {week}"
    if not views.has_values(rows):
        reason = views.no_values_reason(rows, metric)
        st.info(
            f"No {metric.label} trend for {formatting.plain(ctx.names[scope])} in the {span} to {week}: {reason}."
        )
        return []
    flags = state.markers(rows["period_start"].min(), window.week.end, (metric_id,), (scope,))
    before = state.metric_trend_last_year(metric_id, week, scope) if overlay else None
    fig = trend_chart(rows, metric, ctx.colours, title, ctx.currency, markers=flags, last_year=before)
    if overlay and before is not None and not views.has_values(before):
        st.caption("Last year: no value in the year before this trend's periods.")
    if stamp is not None:
        start = rows["period_start"].min()
        stamp = replace(stamp, period=f"{span} to {week} (from {formatting.day_month_year(start)})")
    return [charts.show_chart(fig, title, key=f"trend_{key}", stamp=stamp, data=rows)]


def brands_table(
    ctx: PageContext,
    kpis: pl.DataFrame,
    metric_ids: Sequence[str],
    stamp: Stamp | None = None,
    key: str = "brands_table",
) -> charts.Table:
    """The week's value of each metric for the company and every brand,
    with the numbers behind it as CSV. Returns it for the page's zip."""
    table = views.scope_matrix(kpis, metric_ids, ctx.scopes, ctx.names, ctx.currency)
    rows = views.scope_rows(kpis, metric_ids, ctx.scopes, ctx.names)
    every = every_scope(ctx, stamp) if stamp is not None else None
    shown = charts.show_table(table, "All brands this week", key, stamp=every, data=rows, height="content")
    st.caption("✔ on target · ≈ within 10 % of target · ✖ off target; no mark: no target applies.")
    return shown
