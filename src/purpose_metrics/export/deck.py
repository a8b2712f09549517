"""The weekly board pack: one deck, PowerPoint or PDF, from the same numbers.

    pack = build_pack(dataset, week="2026-W47", brand=None)
    write_deck(pack, "board.pptx")      # or "board.pdf"

`build_pack` gathers everything a slide shows (from `views`, so every
number is the dashboard's number); the writers only lay it out. Charts are
rendered through ONE Kaleido session for the whole pack, and the PDF is
printed by one headless Chromium. Files are written to a temporary name
and renamed at the end: a failed build leaves nothing half-written.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from .. import catalog, formatting, views
from ..charts import theme
from ..charts.trends import trend_chart
from ..metrics.dataset import Dataset
from ..periods import week_label
from .images import browser_path, render_images

# The charts each pillar slide carries: the metrics a board asks about first.
KEY_CHARTS: dict[str, tuple[str, ...]] = {
    "Loyalty": ("returning_order_share", "repeat_customer_rate"),
    "Customer purpose": ("nps", "on_time_delivery_rate"),
    "People": ("enps", "purpose_alignment"),
    "Planet and community": ("recycled_packaging_share", "delivery_co2e_per_order"),
}
SOURCE = "Source: Purpose Metrics"
CHART_WIDTH, CHART_HEIGHT = 1000, 560


@dataclass
class KpiLine:
    metric_id: str
    label: str
    value: str
    change: str
    target: str
    status: str | None
    period: str  # "week" or "month"


@dataclass
class PillarSlide:
    pillar: str
    lines: list[KpiLine]
    charts: list[tuple[str, go.Figure]]  # (title, figure)
    images: list[bytes] = field(default_factory=list)


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
    brand_columns: list[str]  # brand names
    brand_rows: list[tuple[str, list[tuple[str, str | None]]]]  # (metric label, [(value, status)])
    definitions: list[tuple[str, str, str]]  # (label, unit, definition)

    @property
    def footer(self) -> str:
        as_of = self.as_of.strftime("%Y-%m-%d %H:%M UTC") if self.as_of else "no data"
        return f"{self.scope_name} · {self.week} ({self.period_text}) · {SOURCE}, data as of {as_of}"

    @property
    def slide_titles(self) -> list[str]:
        return [
            f"{self.company}: board pack {self.week}",
            *[f"{p.pillar} — {self.scope_name}, {self.week}" for p in self.pillars],
            f"Brands compared on the KPIs off target — {self.week}",
            "Appendix: definitions, data and filters",
        ]


def _line(row: dict, currency: str) -> KpiLine:
    metric = catalog.get(row["metric_id"])
    value = formatting.value_text(
        metric, row["value"], currency, n=row["n"], suppressed=row["suppressed"], immature=row["immature"]
    )
    change = formatting.change_text(metric, row["change"], currency) or "—"
    target = "—" if row["target"] is None else formatting.value_text(metric, row["target"], currency)
    return KpiLine(metric.id, formatting.card_label(metric), value, change, target, row["status"], row["grain"])


def build_pack(data: Dataset, week: str | None = None, brand: str | None = None) -> Pack:
    """Everything the pack shows, for one ISO week and the company or a brand."""
    week = week or views.default_week(data)
    window = views.week_window(week)
    names = views.scope_names(data)
    all_scopes = views.scopes(data)
    focus = brand or "company"
    if focus not in names:
        raise ValueError(f"unknown brand {focus!r}")
    currency = views.currency(data)
    company = views.company_info(data)
    kpis = views.week_kpis(data, window, all_scopes)
    focus_rows = kpis.filter(pl.col("scope") == focus)
    colours = theme.scope_colours(data.brand_ids)

    pillars = []
    for pillar, metric_ids in views.DASHBOARD_PILLARS.items():
        rows = focus_rows.filter(pl.col("metric_id").is_in(list(metric_ids)))
        lines = [_line(r, currency) for r in rows.iter_rows(named=True)]
        charts = []
        for metric_id in KEY_CHARTS.get(pillar, ()):
            metric = catalog.get(metric_id)
            trend = views.metric_trend(data, metric_id, window, [focus])
            if not views.has_values(trend):
                continue
            markers = views.initiative_markers(
                data, trend["period_start"].min(), window.week.end, [metric_id], [focus]
            )
            title = f"{metric.label} — {names[focus]}"
            charts.append((title, trend_chart(trend, metric, colours, title, currency, markers)))
        pillars.append(PillarSlide(pillar, lines, charts))

    # Brands slide: every KPI red or amber for some brand, brands side by side.
    brands = [s for s in all_scopes if s != "company"]
    flagged = views.attention(kpis, brands).get_column("metric_id").unique(maintain_order=True).to_list()
    brand_rows = []
    for metric_id in flagged:
        metric = catalog.get(metric_id)
        cells = []
        for b in brands:
            r = kpis.filter((pl.col("scope") == b) & (pl.col("metric_id") == metric_id)).row(0, named=True)
            text = formatting.value_text(metric, r["value"], currency, n=r["n"], suppressed=r["suppressed"], immature=r["immature"])
            if r["target"] is not None:
                text += f" (target {formatting.value_text(metric, r['target'], currency)})"
            cells.append((text, r["status"]))
        brand_rows.append((formatting.card_label(metric), cells))

    shown = [m for ids in views.DASHBOARD_PILLARS.values() for m in ids]
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
        filters_text=f"week {week}; scope: {names[focus]}; no segment filters",
        pillars=pillars,
        brand_columns=[names[b] for b in brands],
        brand_rows=brand_rows,
        definitions=definitions,
    )


def render_charts(pack: Pack) -> None:
    """All the pack's charts as PNG through one Kaleido session."""
    figures = [fig for p in pack.pillars for _, fig in p.charts]
    # Smaller canvas than a full-slide export: the chart fills half a slide,
    # so its text must be larger relative to the image to read from the back.
    images = render_images(figures, ("png",), width=CHART_WIDTH, height=CHART_HEIGHT)
    it = iter(images)
    for p in pack.pillars:
        p.images = [next(it)["png"] for _ in p.charts]


# --- PowerPoint ------------------------------------------------------------------------

_STATUS_RGB = {k: v.lstrip("#") for k, v in theme.STATUS_COLOURS.items()}


def write_pptx(pack: Pack, path: Path) -> None:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in, 16:9
    blank = prs.slide_layouts[6]
    dark = RGBColor.from_string("222222")
    muted = RGBColor.from_string("6B6B6B")

    def text(slide, left, top, width, height, content, size=14, bold=False, colour=dark):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        para = frame.paragraphs[0]
        para.text = content
        para.font.size, para.font.bold, para.font.color.rgb = Pt(size), bold, colour
        return box

    def footer(slide, number: int):
        text(slide, 0.5, 7.0, 11.5, 0.35, pack.footer, size=10, colour=muted)
        text(slide, 12.3, 7.0, 0.6, 0.35, str(number), size=10, colour=muted)

    def table(slide, left, top, width, header, rows, widths, size=11):
        shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(left), Inches(top), Inches(width), Inches(0.3 * (len(rows) + 1)))
        tbl = shape.table
        for j, w in enumerate(widths):
            tbl.columns[j].width = Emu(int(Inches(width) * w / sum(widths)))
        for j, h in enumerate(header):
            cell = tbl.cell(0, j)
            cell.text = h
            cell.text_frame.paragraphs[0].font.size = Pt(size)
            cell.text_frame.paragraphs[0].font.bold = True
        for i, row in enumerate(rows, start=1):
            for j, (value, colour) in enumerate(row):
                cell = tbl.cell(i, j)
                cell.text = value
                font = cell.text_frame.paragraphs[0].font
                font.size = Pt(size)
                if colour:
                    font.color.rgb = RGBColor.from_string(colour)
                    font.bold = True
        return tbl

    titles = pack.slide_titles
    # Title slide
    s = prs.slides.add_slide(blank)
    text(s, 0.8, 1.6, 11.7, 1.0, pack.company, size=40, bold=True)
    if pack.purpose:
        text(s, 0.8, 2.7, 11.7, 0.8, pack.purpose, size=22, colour=muted)
    text(s, 0.8, 3.9, 11.7, 0.6, f"Weekly board pack · {pack.week} ({pack.period_text})", size=22)
    scope_line = pack.scope_name + (f" — {pack.scope_purpose}" if pack.scope_purpose else "")
    text(s, 0.8, 4.6, 11.7, 0.6, scope_line, size=18, colour=muted)
    footer(s, 1)

    for k, pillar in enumerate(pack.pillars, start=2):
        s = prs.slides.add_slide(blank)
        text(s, 0.5, 0.3, 12.3, 0.7, titles[k - 1], size=26, bold=True)
        rows = [
            [
                (ln.label + (" (month)" if ln.period == "month" else ""), None),
                (ln.value, None),
                (ln.change, None),
                (ln.target, None),
                (formatting.status_text(ln.status), _STATUS_RGB.get(ln.status or "")),
            ]
            for ln in pillar.lines
        ]
        size = 11 if len(rows) <= 12 else 10
        table(s, 0.4, 1.15, 7.3, ["KPI", "Value", "vs last week", "Target", "Status"], rows, [3.2, 1.9, 1.3, 1.2, 1.2], size)
        top = 1.15
        for image in pillar.images[:2]:
            pic_path = Path(tempfile.mkstemp(suffix=".png")[1])
            pic_path.write_bytes(image)
            s.shapes.add_picture(str(pic_path), Inches(7.9), Inches(top), width=Inches(5.1))
            pic_path.unlink()
            top += 2.95
        if pack.month_text and any(ln.period == "month" for ln in pillar.lines):
            text(s, 0.4, 6.55, 7.3, 0.4, f"(month): latest whole month, {pack.month_text}", size=10, colour=muted)
        footer(s, k)

    k = len(pack.pillars) + 2
    s = prs.slides.add_slide(blank)
    text(s, 0.5, 0.3, 12.3, 0.7, titles[k - 1], size=26, bold=True)
    if pack.brand_rows:
        rows = [[(label, None), *[(v, _STATUS_RGB.get(st or "")) for v, st in cells]] for label, cells in pack.brand_rows[:16]]
        table(s, 0.4, 1.15, 12.5, ["KPI", *pack.brand_columns], rows, [3, *[3] * len(pack.brand_columns)], 11 if len(rows) <= 12 else 10)
    else:
        text(s, 0.5, 1.4, 12, 0.6, "Every brand is on target on every KPI with a target this week.", size=18)
    footer(s, k)

    s = prs.slides.add_slide(blank)
    text(s, 0.5, 0.3, 12.3, 0.7, titles[-1], size=26, bold=True)
    half = (len(pack.definitions) + 1) // 2
    for col, chunk in enumerate((pack.definitions[:half], pack.definitions[half:])):
        box = s.shapes.add_textbox(Inches(0.4 + col * 6.35), Inches(1.05), Inches(6.2), Inches(5.4))
        frame = box.text_frame
        frame.word_wrap = True
        for i, (label, unit, definition) in enumerate(chunk):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            run = para.add_run()
            run.text = f"{label} ({unit}): "
            run.font.bold, run.font.size = True, Pt(9.5)
            run = para.add_run()
            run.text = definition
            run.font.size = Pt(9.5)
    as_of = pack.as_of.strftime("%Y-%m-%d %H:%M UTC") if pack.as_of else "no data"
    text(s, 0.4, 6.5, 12.5, 0.4, f"Data as of {as_of}. Filters: {pack.filters_text}.", size=11, colour=muted)
    footer(s, k + 1)
    prs.save(str(path))


# --- PDF ------------------------------------------------------------------------------------


def _pdf_html(pack: Pack) -> str:
    e = html.escape
    css = """
    @page { size: 13.333in 7.5in; margin: 0; }
    body { margin: 0; font-family: Arial, Helvetica, sans-serif; color: #222; }
    .slide { width: 13.333in; height: 7.5in; position: relative; page-break-after: always; overflow: hidden; }
    .slide:last-child { page-break-after: auto; }
    h1 { font-size: 26pt; margin: 0; position: absolute; top: 0.3in; left: 0.5in; right: 0.5in; }
    .footer { position: absolute; bottom: 0.2in; left: 0.5in; right: 0.5in; font-size: 10pt; color: #6b6b6b; display: flex; justify-content: space-between; }
    table { border-collapse: collapse; font-size: 10.5pt; }
    th, td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; }
    th { background: #f2f2f2; }
    .kpis { position: absolute; top: 1.15in; left: 0.4in; width: 7.3in; }
    .charts { position: absolute; top: 1.15in; left: 7.9in; width: 5.1in; }
    .charts img { width: 5.1in; display: block; margin-bottom: 0.1in; }
    .note { position: absolute; bottom: 0.6in; left: 0.4in; font-size: 10pt; color: #6b6b6b; }
    .defs { position: absolute; top: 1.05in; left: 0.4in; right: 0.4in; columns: 2; font-size: 10pt; }
    .defs p { margin: 0 0 3px 0; }
    """
    status_colour = theme.STATUS_COLOURS

    def status_cell(status: str | None) -> str:
        colour = status_colour.get(status or "")
        style = f' style="color:{colour};font-weight:bold"' if colour else ""
        return f"<td{style}>{e(formatting.status_text(status))}</td>"

    def footer(n: int) -> str:
        return f'<div class="footer"><span>{e(pack.footer)}</span><span>{n}</span></div>'

    titles = pack.slide_titles
    parts = [f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>"]
    scope_line = pack.scope_name + (f" — {pack.scope_purpose}" if pack.scope_purpose else "")
    parts.append(
        "<div class='slide'><div style='position:absolute;top:1.6in;left:0.8in;right:0.8in'>"
        f"<div style='font-size:40pt;font-weight:bold'>{e(pack.company)}</div>"
        f"<div style='font-size:22pt;color:#6b6b6b;margin-top:0.2in'>{e(pack.purpose or '')}</div>"
        f"<div style='font-size:22pt;margin-top:0.5in'>Weekly board pack · {e(pack.week)} ({e(pack.period_text)})</div>"
        f"<div style='font-size:18pt;color:#6b6b6b;margin-top:0.15in'>{e(scope_line)}</div></div>{footer(1)}</div>"
    )
    for k, pillar in enumerate(pack.pillars, start=2):
        rows = "".join(
            f"<tr><td>{e(ln.label)}{' (month)' if ln.period == 'month' else ''}</td><td>{e(ln.value)}</td>"
            f"<td>{e(ln.change)}</td><td>{e(ln.target)}</td>{status_cell(ln.status)}</tr>"
            for ln in pillar.lines
        )
        images = "".join(
            f"<img src='data:image/png;base64,{base64.b64encode(img).decode()}'>" for img in pillar.images[:2]
        )
        note = (
            f"<div class='note'>(month): latest whole month, {e(pack.month_text)}</div>"
            if any(ln.period == "month" for ln in pillar.lines)
            else ""
        )
        parts.append(
            f"<div class='slide'><h1>{e(titles[k - 1])}</h1><div class='kpis'><table><tr><th>KPI</th><th>Value</th>"
            f"<th>vs last week</th><th>Target</th><th>Status</th></tr>{rows}</table></div>"
            f"<div class='charts'>{images}</div>{note}{footer(k)}</div>"
        )
    k = len(pack.pillars) + 2
    if pack.brand_rows:
        head = "".join(f"<th>{e(c)}</th>" for c in pack.brand_columns)
        body = "".join(
            f"<tr><td>{e(label)}</td>"
            + "".join(
                f"<td style='color:{status_colour.get(st or '', '#222')}'>{e(v)}</td>" for v, st in cells
            )
            + "</tr>"
            for label, cells in pack.brand_rows[:16]
        )
        content = f"<div class='kpis' style='width:12.5in'><table style='width:100%'><tr><th>KPI</th>{head}</tr>{body}</table></div>"
    else:
        content = "<div class='kpis'>Every brand is on target on every KPI with a target this week.</div>"
    parts.append(f"<div class='slide'><h1>{e(titles[k - 1])}</h1>{content}{footer(k)}</div>")
    defs = "".join(f"<p><b>{e(label)} ({e(unit)}):</b> {e(d)}</p>" for label, unit, d in pack.definitions)
    as_of = pack.as_of.strftime("%Y-%m-%d %H:%M UTC") if pack.as_of else "no data"
    parts.append(
        f"<div class='slide'><h1>{e(titles[-1])}</h1><div class='defs'>{defs}</div>"
        f"<div class='note'>Data as of {e(as_of)}. Filters: {e(pack.filters_text)}.</div>{footer(k + 1)}</div>"
    )
    parts.append("</body></html>")
    return "".join(parts)


def write_pdf(pack: Pack, path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic"],
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.set_content(_pdf_html(pack), wait_until="load")
            page.pdf(path=str(path), width="13.333in", height="7.5in", print_background=True)
        finally:
            browser.close()


def write_deck(pack: Pack, out: str | Path) -> Path:
    """Render the charts and write `out` (.pptx or .pdf) atomically."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".pptx", ".pdf"):
        raise ValueError(f"the pack is written as .pptx or .pdf, not {suffix or 'no extension'}")
    if not out.parent.exists():
        raise ValueError(f"folder {out.parent} does not exist")
    if not all(p.images or not p.charts for p in pack.pillars):
        render_charts(pack)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        (write_pptx if suffix == ".pptx" else write_pdf)(pack, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def deck_bytes(pack: Pack, suffix: str = ".pptx") -> bytes:
    """The pack as bytes (the dashboard's download button)."""
    with tempfile.TemporaryDirectory() as folder:
        return write_deck(pack, Path(folder) / f"board-pack{suffix}").read_bytes()


def build_deck_cli(engine, week: str | None, brand: str | None, out: str, mode: str | None = None) -> int:
    """`purpose-metrics deck`: exit 2 on bad input, 0 when written."""
    from .. import reading
    from ..errors import UsageError
    from ..periods import PeriodError, parse_week

    suffix = Path(out).suffix.lower()
    if suffix not in (".pptx", ".pdf"):
        raise UsageError(f"--out must end in .pptx or .pdf, got {out[:80]!r}")
    if not Path(out).resolve().parent.exists():
        raise UsageError(f"folder {Path(out).resolve().parent} does not exist")
    if week is not None:
        parse_week(week)  # raises PeriodError (exit 2) when malformed
    dataset = reading.load_dataset(engine, mode=mode)
    if dataset.as_of is None:
        raise UsageError("the database holds no orders: nothing to put in a board pack")
    if brand is not None and brand not in dataset.brand_ids:
        raise UsageError(f"unknown brand {brand[:40]!r} (known: {', '.join(dataset.brand_ids)})")
    try:
        pack = build_pack(dataset, week, brand)
    except PeriodError:
        raise
    path = write_deck(pack, out)
    print(f"wrote {path} ({len(pack.slide_titles)} slides, week {pack.week})")
    return 0


__all__ = ["Pack", "build_pack", "write_deck", "deck_bytes", "build_deck_cli", "week_label"]
