"""The front-line brief: one page per brand and week for the people who
serve customers (service, operations, marketing). Aggregates only, never a
person: every group of fewer than BRIEF_GROUP_MIN customers is withheld.

    brief = build_brief(dataset, brand="verde", week="2026-W46")
    brief_markdown(brief)            # or write_brief(brief, Path("verde.pdf"))

It shows the three indicators furthest below target with their 12-week
trend, the customer purposes least often achieved, late deliveries by
region, first-contact resolution by the channel of the ticket's order, and
the driver worth most, each in plain words. Breakdowns pool the
BRIEF_WEEKS weeks to the brief's week (one week of one region is too
small to say anything). Every number comes from the metric functions the
dashboard uses (kpi_frame, driver_frame).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from . import catalog, formatting, views
from .errors import UsageError
from .export.files import publish
from .metrics.dataset import Dataset
from .metrics.drivers import driver_frame
from .metrics.engine import kpi_frame
from .periods import Periods

BRIEF_WEEKS = 4
TREND_WEEKS = 12
BRIEF_GROUP_MIN = 10
SHOWN = 3  # indicators, purposes
BRIEF_FORMATS = (".md", ".pdf")
_BARS = "▁▂▃▄▅▆▇█"


@dataclass
class BriefIndicator:
    label: str
    value: str
    target: str
    status: str | None
    trend: list[float | None]  # TREND_WEEKS weekly values, oldest first


@dataclass
class BriefRow:
    label: str
    value: str  # the rate in words, or why it is withheld
    n: int


@dataclass
class Brief:
    company: str
    brand: str
    week: str
    week_text: str
    pooled_text: str
    as_of: dt.datetime | None
    indicators: list[BriefIndicator]
    purposes: list[BriefRow]
    late_by_region: list[BriefRow]
    fcr_by_channel: list[BriefRow]
    driver: str | None

    @property
    def title(self) -> str:
        return f"{self.brand}: front-line brief, {self.week}"


def sparkline(values: list[float | None]) -> str:
    """Unicode bars of a series (· for a week without a value)."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        "·" if v is None else _BARS[0 if span == 0 else round((v - low) / span * (len(_BARS) - 1))]
        for v in values
    )


def _withheld(customers: int) -> str:
    return f"withheld: fewer than {BRIEF_GROUP_MIN} customers ({customers:,})"


def build_brief(data: Dataset, brand: str, week: str | None = None) -> Brief:
    """The brief of `brand` for an ISO week (default: the latest complete
    one). UsageError for an unknown brand or no data; PeriodError for a
    malformed week."""
    if data.as_of is None:
        raise UsageError("the database holds no orders: nothing to brief")
    if brand not in data.brand_ids:
        raise UsageError(f"unknown brand {brand[:40]!r} (known: {', '.join(data.brand_ids)})")
    week = week or views.default_week(data)
    shown = Periods.week(week)  # ISO or fiscal: the label says which
    start, end = shown.start, shown.end
    pooled = Periods(end - dt.timedelta(weeks=BRIEF_WEEKS), end)
    currency = views.currency(data)
    names = views.scope_names(data)

    # 1. The indicators furthest below target this week, with 12 weeks of trend.
    window = views.week_window(week)
    kpis = views.week_kpis(data, window, [brand])
    worst = views.attention(kpis, [brand]).head(SHOWN)
    trend = Periods.trend(end, TREND_WEEKS, "week", shown.cal)
    indicators = []
    for r in worst.iter_rows(named=True):
        metric = catalog.get(r["metric_id"])
        grid = Periods.trend(window.month.end, TREND_WEEKS, "month") if metric.monthly else trend
        series = (
            kpi_frame(data, grid, [brand], [metric.id]).sort("period_start").get_column("value").to_list()
        )
        indicators.append(
            BriefIndicator(
                formatting.card_label(metric),
                formatting.kpi_text(metric, r, currency),
                formatting.value_text(metric, r["target"], currency),
                r["status"],
                series,
            )
        )

    # 2. The purposes customers came for, least often achieved first.
    purposes = []
    by_purpose = views.purpose_by_category(data, pooled, brand)
    for r in by_purpose.sort("value", nulls_last=True).iter_rows(named=True):
        metric = catalog.get("purpose_achieved_rate")
        text = formatting.kpi_text(metric, r, currency) + " achieved"
        if r["n"] < BRIEF_GROUP_MIN:
            text = f"withheld: fewer than {BRIEF_GROUP_MIN} answers ({r['n']:,})"
        purposes.append(BriefRow(r["name"], text, int(r["n"])))

    # 3. Late deliveries by region (customers of a region under the minimum: withheld).
    late = []  # (share late, or None when withheld or unknown; the row)
    rates = views.segment_matrix(data, "on_time_delivery_rate", pooled, "region", [brand])
    people = views.segment_matrix(data, "active_customers", pooled, "region", [brand])
    heads = {r["segment"]: int(r["n"] or 0) for r in people.iter_rows(named=True)}
    for r in rates.iter_rows(named=True):
        who = heads.get(r["segment"], 0)
        share = None if who < BRIEF_GROUP_MIN or r["value"] is None else 100 - r["value"]
        if share is None:
            text = _withheld(who) if who < BRIEF_GROUP_MIN else "no delivered order with a promise"
        else:
            text = f"{share:.1f} % late"
        late.append((share, BriefRow(r["segment"].replace("_", " ").capitalize(), text, int(r["n"] or 0))))
    # Most late first; withheld regions last, in their order.
    late_rows = [
        row for _, row in sorted(late, key=lambda pair: -pair[0] if pair[0] is not None else float("inf"))
    ]

    # 4. First-contact resolution by the channel of the ticket's order.
    fcr = []
    for r in ticket_channels(data, pooled, brand).iter_rows(named=True):
        if r["customers"] < BRIEF_GROUP_MIN:
            text = _withheld(r["customers"])
        else:
            text = (
                f"{100 * r['one_contact'] / r['resolved']:.1f} % at first contact"
                if r["resolved"]
                else "none resolved"
            )
        fcr.append(BriefRow(r["channel"], text, int(r["resolved"])))

    # 5. The driver worth most, in one sentence.
    mature = [w for w in views.mature_weeks(data) if w <= week]
    sentence = None
    if mature:
        driver_window = views.driver_window(mature[0], 13)
        sentence = views.headline(driver_frame(data, driver_window.period, [brand]), currency)
        if sentence:
            sentence += f" ({driver_window.label}.)"

    return Brief(
        company=views.company_info(data).get("name") or "Company",
        brand=names[brand],
        week=week,
        week_text=formatting.week_range(start, end),
        pooled_text=f"the {BRIEF_WEEKS} weeks to {week} ({formatting.week_range(pooled.start, pooled.end)})",
        as_of=data.as_of,
        indicators=indicators,
        purposes=purposes[:SHOWN] if purposes else [],
        late_by_region=late_rows,
        fcr_by_channel=fcr,
        driver=sentence,
    )


def ticket_channels(data: Dataset, period: Periods, brand: str) -> pl.DataFrame:
    """First-contact resolution of a brand's tickets opened in the period, by
    the channel of the order each ticket is about ("no order" for a ticket
    without one). One row per channel: tickets, resolved, one_contact
    (resolved with one contact), customers (distinct)."""
    rows = data.source.ticket_rows(period.in_zone(data.timezone), brand)
    return (
        rows.with_columns(pl.col("channel").fill_null("no order"))
        .group_by("channel")
        .agg(
            pl.len().alias("tickets"),
            pl.col("resolved").sum().alias("resolved"),
            (pl.col("resolved") & (pl.col("contacts") == 1)).sum().alias("one_contact"),
            pl.col("customer_id").drop_nulls().n_unique().alias("customers"),
        )
        .sort("channel")
        .collect()
    )


# --- writing ---------------------------------------------------------------------------


def _sections(b: Brief) -> list[tuple[str, list[str]]]:
    """(heading, lines) of the brief, plain text."""
    indicators = [
        f"{i.label}: {i.value} against a target of {i.target} ({formatting.status_text(i.status)}); "
        f"{TREND_WEEKS} weeks: {sparkline(i.trend)}"
        for i in b.indicators
    ] or ["Every indicator with a target is on target this week."]
    purposes = [f"{p.label}: {p.value}" for p in b.purposes] or ["No survey answer about a purpose."]
    late = [f"{r.label}: {r.value}" for r in b.late_by_region] or ["No delivered order with a promise."]
    fcr = [f"{r.label}: {r.value}" for r in b.fcr_by_channel] or ["No support ticket."]
    return [
        (f"Furthest below target, {b.week}", indicators),
        (f"Purposes least often achieved, {b.pooled_text}", purposes),
        (f"Late deliveries by region, {b.pooled_text}", late),
        (f"First-contact resolution by channel of the order, {b.pooled_text}", fcr),
        ("What brings customers back", [b.driver or "No driver shows a gap worth revenue yet."]),
    ]


def _as_of(b: Brief) -> str:
    return b.as_of.strftime("%Y-%m-%d %H:%M UTC") if b.as_of else "no data"


def markdown_text(text: str) -> str:
    """Text as written in any Markdown reader: the characters that would
    start emphasis, a link, an image, HTML, a table cell or code escaped."""
    return re.sub(r"([\\`*_\[\]<>|#!])", r"\\\1", text)


def brief_markdown(b: Brief, for_streamlit: bool = False) -> str:
    """The brief as Markdown: for a file (any reader), or for the page
    (`for_streamlit`: Streamlit's own directives such as :red[…] escaped too)."""
    esc = formatting.plain if for_streamlit else markdown_text
    title, section = ("####", "#####") if for_streamlit else ("#", "##")  # on the page: under its header
    out = [f"{title} {esc(b.title)}", "", f"{esc(b.company)} · week {b.week} ({b.week_text})", ""]
    for heading, lines in _sections(b):
        out += [f"{section} {esc(heading)}", "", *[f"- {esc(line)}" for line in lines], ""]
    out.append(
        f"Aggregates only: a group of fewer than {BRIEF_GROUP_MIN} customers is withheld. "
        f"Source: Purpose Metrics, data as of {_as_of(b)}."
    )
    return "\n".join(out) + "\n"


def brief_html(b: Brief) -> str:
    e = html.escape
    body = "".join(
        f"<h2>{e(heading)}</h2><ul>{''.join(f'<li>{e(line)}</li>' for line in lines)}</ul>"
        for heading, lines in _sections(b)
    )
    css = (
        "@page { size: A4; margin: 16mm; } body { font-family: Arial, Helvetica, sans-serif; color: #222; "
        "font-size: 10.5pt; } h1 { font-size: 18pt; margin: 0 0 4px; } h2 { font-size: 12pt; margin: 14px 0 4px; } "
        "ul { margin: 0; padding-left: 18px; } .meta, .foot { color: #6b6b6b; } .foot { margin-top: 18px; font-size: 9pt; }"
    )
    return (
        f"<html><head><meta charset='utf-8'><title>{e(b.title)}</title><style>{css}</style></head><body>"
        f"<h1>{e(b.title)}</h1><div class='meta'>{e(b.company)} · week {e(b.week)} ({e(b.week_text)})</div>{body}"
        f"<div class='foot'>Aggregates only: a group of fewer than {BRIEF_GROUP_MIN} customers is withheld. "
        f"Source: Purpose Metrics, data as of {e(_as_of(b))}.</div></body></html>"
    )


def brief_pdf_bytes(b: Brief) -> bytes:
    """The brief as a one-page A4 PDF, in memory (the page's download)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.pdf"
        from .export.deck.pdf import print_pdf

        print_pdf(brief_html(b), path, "A4")
        return path.read_bytes()


def brief_path(out: str) -> Path:
    path = Path(out)
    if path.suffix.lower() not in BRIEF_FORMATS:
        raise UsageError(f"the brief is written as .md or .pdf, not {path.suffix or 'a file without suffix'}")
    return path


def write_brief(b: Brief, path: Path) -> Path:
    """The brief as Markdown or as a one-page A4 PDF (printed by Chromium);
    written to a temporary file first, so a failure leaves nothing half-written."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        if path.suffix.lower() == ".md":
            tmp.write_text(brief_markdown(b), encoding="utf-8")
        else:
            from .export.deck.pdf import print_pdf

            print_pdf(brief_html(b), tmp, "A4")
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
