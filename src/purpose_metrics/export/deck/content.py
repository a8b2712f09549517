"""What the weekly board pack shows: every slide's text, table and chart,
gathered once from `views` (so every number is the dashboard's number).

    pack = build_pack(dataset, week="2026-W47", brand=None)

A chart is held twice, both cheap to make: as its numbers (what the
PowerPoint's native, editable chart is built from, pptx_charts.py) and as a
Plotly figure (the PDF's picture, rendered by Kaleido only when a PDF is
written: `render_charts`). So the PowerPoint needs no browser at all.

The renderers (powerpoint.py, pdf.py) only lay a Pack out. Texts in a Pack
are plain text as the data holds them; each renderer shows them as written
(python-pptx writes text runs; the PDF's HTML escapes them; chart builders
escape their labels for Plotly).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from ... import catalog, formatting, views
from ...access import PEOPLE_METRICS
from ...calendars import ISO, Calendar, to_local
from ...charts import theme
from ...charts.trends import trend_chart
from ...errors import UsageError
from ...metrics.dataset import Dataset
from ...metrics.drivers import driver_frame
from ...periods import month_start
from ..images import Renderer

# The charts each pillar slide carries: the metrics a board asks about first.
KEY_CHARTS: dict[str, tuple[str, ...]] = {
    "Loyalty": ("returning_order_share", "repeat_customer_rate"),
    "Customer purpose": ("nps", "on_time_delivery_rate"),
    "People": ("enps", "purpose_alignment"),
    "Planet and community": ("recycled_packaging_share", "delivery_co2e_per_order"),
}
# The brands' bar charts: the KPIs furthest off target for some brand.
BRAND_BARS = 2
INITIATIVE_COLOUR = "#6A3D9A"  # as the dashboard's trends flag them (charts/trends.py)
SOURCE = "Source: Purpose Metrics"
DRIVER_WEEKS = 13
DRIVERS_HOW = (
    "followed for 90 days after their first order of the period (the latest weeks whose 90 days are over)."
)
DRIVERS_NOT_YET = "No period can be judged yet: a driver follows each customer for 90 days after their order."
DRIVERS_NOTE = (
    "Gap: the good group's 90-day repurchase rate minus the bad group's, in percentage points, with its 95 % "
    "interval (Newcombe). ✔ differs: the interval leaves out zero. Revenue at stake: what the bad group would have "
    "spent in 90 days had they come back as often as the good group; a guide, not a forecast. Groups under 10 "
    "customers are not compared."
)
DRIVER_COLUMNS_SHOWN = [
    "Driver", "Good vs bad", "Came back: good [95 %]", "Came back: bad [95 %]", "Gap [95 % interval]", "Verdict", "Revenue at stake",
]  # fmt: skip
CHART_WIDTH, CHART_HEIGHT = 1000, 560
BARS_WIDTH, BARS_HEIGHT = 1000, 845  # the brands' bar charts: two side by side fill their slide
# A bar holds its value when it is at least this share of its axis (else the value goes beyond it).
TALL_BAR = 0.15
# Status as a mark as well as a colour (a reader who cannot tell the colours
# apart, a print in black and white): the pack's tables lead with these.
STATUS_MARKS = {"green": "✔", "amber": "≈", "red": "✖"}
PREVIOUS = {"week": "previous week", "month": "previous month"}
SUMMARY_ROWS = 10  # off-target KPIs the summary slide lists (the rest: on their pillar slides)
MOVED_ROWS = 5
MOVED_NOTE = (
    "Moved most: the KPIs with a target whose change since the previous week (or month, for a monthly KPI) "
    "is largest as a share of the target."
)
# A target of 0 has no size: points and percentages are measured against their
# 0-100 scale instead, other units against 1 (as views.attention ranks).
_ZERO_TARGET_SCALE = {"pct": 100.0, "points": 100.0}


@dataclass
class KpiLine:
    metric_id: str
    label: str
    value: str
    change: str
    target: str
    status: str | None
    period: str  # "week" or "month"
    # "▼ -1.0 pp vs same week last year" (SPEC 7); a week 53 says it has none
    change_year: str = "—"


@dataclass
class SummaryLine:
    """A KPI of the focus scope off or near target (the summary slide)."""

    metric_id: str
    label: str  # with " (month)" for a monthly KPI
    scope: str  # the scope's name
    status: str  # "red" or "amber"
    value: str
    target: str
    gap: str  # "8.8 pp below target"


@dataclass
class MovedLine:
    """A KPI of the focus scope among those that moved most."""

    metric_id: str
    label: str
    value: str
    change: str  # "▲ +2.1 pp vs previous week"
    better: bool
    status: str | None


@dataclass
class TrendChart:
    """A year of one KPI for the pack's scope (a pillar slide's chart).

    Grain: one entry per period (week, or month for a monthly KPI) in
    `periods`, `values` and `targets` (None: no value, no target there).
    `initiatives`: (the period holding the launch, its label), one per
    period, several initiatives' labels joined. `figure` is the same chart
    in Plotly (the PDF's); `image` its PNG, made only for a PDF."""

    title: str
    metric_id: str
    scope_name: str
    colour: str
    grain: str  # "week" or "month"
    axis_title: str  # the unit: "%", "points", "EUR", "kg CO2e / order"
    periods: list[dt.date]
    values: list[float | None]
    targets: list[float | None]
    initiatives: list[tuple[dt.date, str]]
    note: str | None  # why some periods have no value
    figure: go.Figure
    image: bytes | None = None


@dataclass
class BrandBars:
    """One KPI side by side across the brands, for the pack's week (or
    latest whole month): a bar per brand in its colour, its target beside.
    `missing` names the brands without a value and why."""

    title: str
    metric_id: str
    period_text: str  # "week 2026-W10" or "February 2026 (latest whole month)"
    axis_title: str
    brands: list[str]  # names
    colours: list[str]
    values: list[float | None]
    targets: list[float | None]
    missing: list[str]  # "Gala: suppressed (n = 3 < 5)"
    figure: go.Figure
    image: bytes | None = None

    @property
    def span(self) -> float:
        """The value axis's extent from zero: bars start at zero."""
        numbers = [v for v in (*self.values, *self.targets) if v is not None]
        return (max(numbers, default=0.0) - min(numbers, default=0.0)) or 1.0


@dataclass
class PillarSlide:
    pillar: str
    lines: list[KpiLine]
    trends: list[TrendChart]

    @property
    def charts(self) -> list[tuple[str, go.Figure]]:
        """(title, Plotly figure) of each chart."""
        return [(t.title, t.figure) for t in self.trends]


@dataclass
class Pack:
    company: str
    purpose: str | None
    scope_name: str
    scope_purpose: str | None
    week: str
    period_text: str
    month_text: str
    as_of: dt.datetime | None
    filters_text: str
    pillars: list[PillarSlide]
    # "What brings customers back": the drivers of the focus scope over the
    # DRIVER_WEEKS weeks to the latest week whose 90 days are over (None: none is).
    drivers_period: str | None
    drivers_rows: list[list[str]]  # views.driver_table's cells, by DRIVER_COLUMNS_SHOWN
    drivers_headline: str | None
    brand_columns: list[str]  # brand names
    # (metric label, [(text, status)]), the text led by its status mark: "✖ 31.2 % (target 35.0 %)"
    brand_rows: list[tuple[str, list[tuple[str, str | None]]]]
    definitions: list[tuple[str, str, str]]  # (label, unit, definition)
    # The summary slide: the focus scope's KPIs off or near target (worst
    # first, as views.attention orders them), what moved most, and for the
    # company each shown brand's count of KPIs off and near target.
    summary_off: list[SummaryLine] = field(default_factory=list)
    summary_moved: list[MovedLine] = field(default_factory=list)
    summary_brands: list[tuple[str, int, int]] = field(default_factory=list)  # (brand, red, amber)
    brand_bars: list[BrandBars] = field(default_factory=list)  # the brands' bar charts
    currency: str = ""  # ISO 4217: the charts' number formats
    zone: str | None = None  # the company's time zone (None: UTC): the as-of time is shown in it
    calendar: str = "iso"  # the calendar of `week`: iso or nrf

    @property
    def figures(self) -> list[TrendChart | BrandBars]:
        """Every chart of the pack, in slide order."""
        return [*(t for p in self.pillars for t in p.trends), *self.brand_bars]

    @property
    def title(self) -> str:
        """The pack's title: its file properties', the PDF's."""
        return f"{self.company}: board pack {self.week}"

    @property
    def as_of_text(self) -> str:
        """'2026-06-28 16:26 Europe/Berlin': the as-of instant in the company's zone, named."""
        if self.as_of is None:
            return "no data"
        return f"{to_local(self.as_of, self.zone):%Y-%m-%d %H:%M} {self.zone or 'UTC'}"

    @property
    def footer(self) -> str:
        as_of = self.as_of_text
        return f"{self.scope_name} · {self.week} ({self.period_text}) · {SOURCE}, data as of {as_of}"

    @property
    def slide_titles(self) -> list[str]:
        return [
            self.company,
            f"Summary — {self.scope_name}, {self.week}",
            *[f"{p.pillar} — {self.scope_name}, {self.week}" for p in self.pillars],
            f"What brings customers back — {self.scope_name}",
            f"Brands compared on the KPIs off target — {self.week}",
            f"Brands side by side — {self.week}",
            "Appendix: definitions, data and filters",
        ]


def status_label(status: str | None) -> str:
    """'✖ off target', '≈ near target', '✔ on target' or 'no target'."""
    mark = STATUS_MARKS.get(status or "")
    return f"{mark} {formatting.status_text(status)}" if mark else formatting.status_text(status)


def change_label(metric: catalog.Metric, row: dict, currency: str) -> str:
    """The change since the previous period, saying which: '▲ +2.1 pp vs
    previous month' ('±0.0 pp vs previous week'; '—' when unknown), as the
    dashboard's cards word it."""
    text = formatting.change_text(metric, row["change"], currency)
    if text is None or row["value"] is None:
        return "—"
    previous = PREVIOUS[row["grain"]]
    if formatting.is_zero_change(metric, row["change"]):
        return f"{text} vs {previous}"
    return f"{'▲' if row['change'] > 0 else '▼'} {text} vs {previous}"


def year_label(metric: catalog.Metric, row: dict, currency: str) -> str:
    """The change since the same week (month) last year, saying which:
    '▼ -1.0 pp vs same week last year'; a week 53 says it has no
    comparable week; '—' when either value is unknown."""
    if row.get("last_year_start") is None:
        return "no comparable week (week 53)" if row["grain"] == "week" else "—"
    text = formatting.change_text(metric, row["change_year"], currency)
    if text is None or row["value"] is None:
        return "—"
    compared = row["compared_year"]
    if formatting.is_zero_change(metric, row["change_year"]):
        return f"{text} vs {compared}"
    return f"{'▲' if row['change_year'] > 0 else '▼'} {text} vs {compared}"


def _label(metric: catalog.Metric, grain: str) -> str:
    return formatting.card_label(metric) + (" (month)" if grain == "month" else "")


def _line(row: dict, currency: str) -> KpiLine:
    metric = catalog.get(row["metric_id"])
    value = formatting.kpi_text(metric, row, currency)
    change = change_label(metric, row, currency)
    target = "—" if row["target"] is None else formatting.value_text(metric, row["target"], currency)
    return KpiLine(
        metric.id, formatting.card_label(metric), value, change, target, row["status"], row["grain"],
        year_label(metric, row, currency),
    )  # fmt: skip


def build_pack(
    data: Dataset,
    week: str | None = None,
    brand: str | None = None,
    *,
    brands: Sequence[str] | None = None,
    people: bool = True,
    cal: Calendar | None = None,
) -> Pack:
    """Everything the pack shows, for one week of the calendar `cal` (the
    company's by default: an ISO week, or a fiscal week of the NRF 4-5-4
    calendar; default: the latest complete one) and the company or a brand. `brands` limits the brands it
    may show (the brands slide; None: every brand) and `people=False` leaves
    out the employee numbers (a person's access, ui/access.py). Raises
    UsageError when there is nothing to show or no such brand, PeriodError
    for a malformed week."""
    if data.as_of is None:
        raise UsageError("the database holds no orders: nothing to put in a board pack")
    if brand is not None and brand not in data.brand_ids:
        raise UsageError(f"unknown brand {brand[:40]!r} (known: {', '.join(data.brand_ids)})")
    if brand is not None and brands is not None and brand not in brands:
        raise UsageError(f"brand {brand[:40]!r} is not among the brands this pack may show")
    names = views.scope_names(data)
    focus = brand or "company"
    cal = cal if cal is not None else data.calendar
    if week is not None:
        cal.parse_week(week)  # a week of the other calendar is a PeriodError
    week = week or views.default_week(data, cal)
    window = views.week_window(week)
    all_scopes = views.scopes(data)
    currency = views.currency(data)
    company = views.company_info(data)
    kpis = views.week_kpis(data, window, all_scopes)
    brand_limit = None if brands is None else set(brands)
    if not people:
        kpis = kpis.filter(~pl.col("metric_id").is_in(sorted(PEOPLE_METRICS)))
    focus_rows = kpis.filter(pl.col("scope") == focus)
    colours = theme.scope_colours(data.brand_ids)

    pillars = []
    for pillar, metric_ids in views.DASHBOARD_PILLARS.items():
        if pillar == "People" and not people:
            continue
        rows = focus_rows.filter(pl.col("metric_id").is_in(list(metric_ids)))
        lines = [_line(r, currency) for r in rows.iter_rows(named=True)]
        trends = []
        for metric_id in KEY_CHARTS.get(pillar, ()):
            metric = catalog.get(metric_id)
            trend = views.metric_trend(data, metric_id, window, [focus])
            if not views.has_values(trend):
                continue
            markers = views.initiative_markers(
                data, trend["period_start"].min(), window.week.end, [metric_id], [focus]
            )
            title = f"{metric.label} — {names[focus]}"
            figure = trend_chart(trend, metric, colours, title, currency, markers)
            trends.append(_trend(trend, markers, metric, title, colours[focus], currency, figure, cal))
        pillars.append(PillarSlide(pillar, lines, trends))

    # Brands slide: every KPI red or amber for some brand, brands side by side.
    brands = [s for s in all_scopes if s != "company" and (brand_limit is None or s in brand_limit)]
    flagged = views.attention(kpis, brands).get_column("metric_id").unique(maintain_order=True).to_list()
    brand_rows = []
    for metric_id in flagged:
        metric = catalog.get(metric_id)
        cells = []
        for b in brands:
            r = kpis.filter((pl.col("scope") == b) & (pl.col("metric_id") == metric_id)).row(0, named=True)
            text = formatting.kpi_text(metric, r, currency)
            if r["target"] is not None:
                text += f" (target {formatting.value_text(metric, r['target'], currency)})"
            mark = STATUS_MARKS.get(r["status"] or "")
            cells.append((f"{mark} {text}" if mark else text, r["status"]))
        brand_rows.append((_label(metric, r["grain"]), cells))
    brand_bars = [
        _brand_bars(kpis, metric_id, brands, names, colours, window, currency)
        for metric_id in flagged[:BRAND_BARS]
    ]

    # Drivers need 90 days after their period: the latest such week up to the pack's.
    mature = [w for w in views.mature_weeks(data) if w <= week]
    drivers_period, drivers_rows, drivers_headline = None, [], None
    if mature:
        driver_window = views.driver_window(mature[0], DRIVER_WEEKS)
        driver_rows = driver_frame(data, driver_window.period, [focus])
        drivers_period = driver_window.label
        table_ = views.driver_table(driver_rows, currency).select(DRIVER_COLUMNS_SHOWN)
        drivers_rows = [list(r) for r in table_.iter_rows()]
        drivers_headline = views.headline(driver_rows, currency)

    summary_off, summary_moved = _summary(focus_rows, names[focus], currency)
    summary_brands = []
    if focus == "company":
        counts = views.scope_summary(kpis, brands)
        summary_brands = [(names[r["scope"]], r["red"], r["amber"]) for r in counts.iter_rows(named=True)]

    shown = [m for p, ids in views.DASHBOARD_PILLARS.items() if people or p != "People" for m in ids]
    definitions = [(catalog.get(m).label, catalog.get(m).unit, catalog.get(m).definition) for m in shown]
    scope_purpose = views.purposes(data, focus)[1] if focus != "company" else None
    return Pack(
        company=company.get("name") or "Company",
        purpose=company.get("purpose_statement"),
        scope_name=names[focus],
        scope_purpose=scope_purpose,
        week=week,
        period_text=formatting.week_range(window.week.start, window.week.end),
        month_text=formatting.month_name(window.month.start),
        as_of=data.as_of,
        filters_text=f"week {week}"
        + (" (NRF 4-5-4 retail calendar)" if cal.nrf else "")
        + f"; scope: {names[focus]}; no segment filters",
        pillars=pillars,
        drivers_period=drivers_period,
        drivers_rows=drivers_rows,
        drivers_headline=drivers_headline,
        brand_columns=[names[b] for b in brands],
        brand_rows=brand_rows,
        definitions=definitions,
        summary_off=summary_off,
        summary_moved=summary_moved,
        summary_brands=summary_brands,
        brand_bars=brand_bars,
        currency=currency,
        zone=data.timezone,
        calendar=cal.name,
    )


def axis_title(metric: catalog.Metric, currency: str) -> str:
    """A chart's value axis: the metric's unit, the currency's code for money."""
    return (currency or "amount") if metric.fmt == "currency" else metric.unit


def _trend(
    rows: pl.DataFrame, markers: pl.DataFrame, metric: catalog.Metric, title: str, colour: str,
    currency: str, figure: go.Figure, cal: Calendar = ISO,
) -> TrendChart:  # fmt: skip
    """One scope's `views.metric_trend` rows as a TrendChart; each initiative
    placed on the period that holds its launch."""
    rows = rows.sort("period_start")
    periods = rows.get_column("period_start").to_list()
    grain = "month" if len(periods) > 1 and (periods[1] - periods[0]).days > 7 else "week"
    start_of = month_start if grain == "month" else cal.week_start
    labels: dict[dt.date, list[str]] = {}
    for m in markers.unique(["launched_at", "label"], maintain_order=True).iter_rows(named=True):
        at = start_of(m["launched_at"])
        if at in periods:
            labels.setdefault(at, []).append(m["label"])
    # The gaps' reasons, worded as the dashboard's trend notes them (charts/trends.py).
    suppressed = rows.filter(pl.col("suppressed"))
    notes = []
    if suppressed.height:
        withheld = suppressed.filter(pl.col("n") >= (metric.survey_min or 0)).height
        notes.append(f"gaps: fewer than {metric.survey_min} answers (suppressed)"
                     + " or withheld to protect a small group" * bool(withheld))  # fmt: skip
    if rows.get_column("immature").any():
        notes.append("gaps: not yet measurable (the 90 days have not passed)")
    return TrendChart(
        title=title, metric_id=metric.id, scope_name=rows.get_column("name")[0], colour=colour, grain=grain,
        axis_title=axis_title(metric, currency), periods=periods, values=rows.get_column("value").to_list(),
        targets=rows.get_column("target").to_list(),
        initiatives=[(at, "; ".join(names)) for at, names in sorted(labels.items())],
        note="; ".join(notes) or None, figure=figure,
    )  # fmt: skip


def _brand_bars(
    kpis: pl.DataFrame, metric_id: str, brands: list[str], names: dict[str, str], colours: dict[str, str],
    window: views.WeekWindow, currency: str,
) -> BrandBars:  # fmt: skip
    """One KPI of `views.week_kpis` across `brands` (in their order), as bars."""
    metric = catalog.get(metric_id)
    rows = [kpis.filter((pl.col("scope") == b) & (pl.col("metric_id") == metric_id)).row(0, named=True)
            for b in brands]  # fmt: skip
    grain = rows[0]["grain"]
    period = views.period_label(
        grain, window.month.start if grain == "month" else window.week.start, window.calendar
    )
    title = f"{metric.label} by brand — {period}"
    values = [r["value"] for r in rows]
    missing = [f"{names[b]}: {formatting.kpi_text(metric, r, currency)}" for b, r in zip(brands, rows, strict=True)
               if r["value"] is None]  # fmt: skip
    bars = BrandBars(
        title=title, metric_id=metric_id, period_text=period, axis_title=axis_title(metric, currency),
        brands=[names[b] for b in brands], colours=[colours[b] for b in brands], values=values,
        targets=[r["target"] for r in rows], missing=missing, figure=go.Figure(),
    )  # fmt: skip
    bars.figure = brand_bars_figure(bars, metric, currency)
    return bars


def brand_bars_figure(bars: BrandBars, metric: catalog.Metric, currency: str) -> go.Figure:
    """The PDF's picture of `bars`: a bar per brand in its colour, its value
    on it, the brand's target as a grey tick."""
    texts = [formatting.value_text(metric, v, currency) if v is not None else "" for v in bars.values]
    shown = [formatting.chart_text(b) for b in bars.brands]
    # Each value at its bar's foot in white, clear of the target's tick; beyond a bar too short to hold it.
    tall = [v is not None and abs(v) >= TALL_BAR * bars.span for v in bars.values]
    fig = go.Figure(go.Bar(
        x=shown, y=bars.values, marker_color=bars.colours, text=texts, cliponaxis=False,
        textposition=["inside" if t else "outside" for t in tall], insidetextanchor="start",
        textfont=dict(color=["white" if t else "#262730" for t in tall]),
        name=formatting.chart_text(formatting.card_label(metric)), showlegend=False,
    ))  # fmt: skip
    if any(t is not None for t in bars.targets):
        fig.add_trace(go.Scatter(
            x=shown, y=bars.targets, mode="markers", name="target",
            marker=dict(symbol="line-ew", size=60, line=dict(width=4, color=theme.MUTED)),
        ))  # fmt: skip
    fig.update_layout(
        template=theme.TEMPLATE, title=dict(text=formatting.chart_text(bars.title)),
        yaxis_title=bars.axis_title, showlegend=True, bargap=0.45,
    )  # fmt: skip
    if bars.missing:
        fig.add_annotation(
            text=formatting.chart_text("; ".join(bars.missing)), xref="paper", yref="paper", x=1, y=1.02,
            xanchor="right", yanchor="bottom", showarrow=False, font=dict(size=11, color=theme.MUTED),
        )  # fmt: skip
    return fig


def _summary(rows: pl.DataFrame, scope_name: str, currency: str) -> tuple[list[SummaryLine], list[MovedLine]]:
    """The summary slide's lists from one scope's `views.week_kpis` rows:
    every KPI off or near target, worst first (views.attention's order), and
    the MOVED_ROWS KPIs with a target whose change is largest as a share of
    the target (numbers as the pillar slides show them)."""
    off = []
    for r in views.attention(rows).iter_rows(named=True):
        metric = catalog.get(r["metric_id"])
        shortfall = formatting.change_text(metric, r["shortfall"], currency) or ""
        side = "below" if metric.direction == "up" else "above"
        off.append(SummaryLine(
            metric.id, _label(metric, r["grain"]), scope_name, r["status"], formatting.kpi_text(metric, r, currency),
            formatting.value_text(metric, r["target"], currency), f"{shortfall.lstrip('+')} {side} target",
        ))  # fmt: skip
    moved = []
    with_target = rows.filter(pl.col("target").is_not_null() & pl.col("change").is_not_null())
    for r in with_target.iter_rows(named=True):
        metric = catalog.get(r["metric_id"])
        if r["value"] is None or formatting.is_zero_change(metric, r["change"]):
            continue
        scale = abs(r["target"]) or _ZERO_TARGET_SCALE.get(metric.fmt, 1.0)
        better = (r["change"] > 0) == (metric.direction == "up")
        line = MovedLine(
            metric.id, _label(metric, r["grain"]), formatting.kpi_text(metric, r, currency),
            change_label(metric, r, currency), better, r["status"],
        )  # fmt: skip
        moved.append((abs(r["change"]) / scale, line))
    moved.sort(key=lambda m: m[0], reverse=True)
    return off, [line for _, line in moved[:MOVED_ROWS]]


def render_charts(pack: Pack, renderer: Renderer | None = None) -> None:
    """Every chart's PNG (the PDF's pictures) through one Kaleido session
    (`renderer`'s, started ahead, or a new one). Only the PDF needs them: the
    PowerPoint's charts are native."""
    if renderer is None:
        with Renderer() as own:
            render_charts(pack, own)
        return
    trends = [t for p in pack.pillars for t in p.trends]
    # Smaller canvas than a full-slide export: the chart fills half a slide,
    # so its text must be larger relative to the image to read from the back.
    for charts, width, height in (
        (trends, CHART_WIDTH, CHART_HEIGHT),
        (pack.brand_bars, BARS_WIDTH, BARS_HEIGHT),
    ):
        images = renderer.render([c.figure for c in charts], ("png",), width, height)
        for chart, image in zip(charts, images, strict=True):
            chart.image = image["png"]
