"""The board pack as PDF: the slides as HTML pages, printed by one headless
Chromium at 13.333 × 7.5 in (16:9).

Every text is HTML-escaped, so a name from data shows as written and never
becomes a link, an image or markup; the page's <title> (the pack's title)
is the PDF's title, and each slide's title is its <h1>.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ...charts import theme
from ..images import require_chromium
from .content import (
    DRIVER_COLUMNS_SHOWN,
    DRIVERS_HOW,
    DRIVERS_NOT_YET,
    DRIVERS_NOTE,
    MOVED_NOTE,
    SUMMARY_ROWS,
    Pack,
    status_label,
)
from .powerpoint import (
    BARS_NOTE,
    KPI_COLUMNS,
    KPI_WIDTHS,
    MOVED_COLUMNS,
    MOVED_WIDTHS,
    NO_BARS,
    NOTHING_MOVED,
    NOTHING_OFF,
    SUMMARY_COLUMNS,
    SUMMARY_WIDTHS,
    brands_line,
    summary_size,
)


def _head(columns: list[str], widths: list[float]) -> str:
    """A table's column widths (as the PowerPoint's) and its header row."""
    cols = "".join(f"<col style='width:{100 * w / sum(widths):.1f}%'>" for w in widths)
    return (
        f"<colgroup>{cols}</colgroup><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>"
    )


def pdf_html(pack: Pack) -> str:
    """The pack as one HTML page per slide, every text HTML-escaped; its
    <title> becomes the PDF's title."""
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
    .bars { position: absolute; top: 1.15in; left: 0.4in; right: 0.4in; display: flex; gap: 0.2in; }
    .bars img { width: 6.15in; height: 5.2in; display: block; }
    .note { position: absolute; bottom: 0.6in; left: 0.4in; font-size: 10pt; color: #6b6b6b; }
    .defs { position: absolute; top: 1.05in; left: 0.4in; right: 0.4in; columns: 2; font-size: 10pt; }
    .defs p { margin: 0 0 3px 0; }
    h2 { font-size: 16pt; margin: 0 0 0.12in 0; }
    .off { position: absolute; top: 1.05in; left: 0.4in; width: 7.2in; }
    .moved { position: absolute; top: 1.05in; left: 8.0in; width: 4.9in; }
    table.fixed { width: 100%; table-layout: fixed; }
    .muted { color: #6b6b6b; }
    .better { color: #1A7F37; font-weight: bold; } .worse { color: #C62828; font-weight: bold; }
    """
    status_colour = theme.STATUS_COLOURS

    def status_cell(status: str | None) -> str:
        colour = status_colour.get(status or "")
        style = f' style="color:{colour};font-weight:bold"' if colour else ""
        return f"<td{style}>{e(status_label(status))}</td>"

    def footer(n: int) -> str:
        return f'<div class="footer"><span>{e(pack.footer)}</span><span>{n}</span></div>'

    titles = pack.slide_titles
    kpi_head = _head(KPI_COLUMNS, KPI_WIDTHS)
    parts = [
        f"<html><head><meta charset='utf-8'><title>{e(pack.title)}</title><style>{css}</style></head><body>"
    ]
    scope_line = pack.scope_name + (f" — {pack.scope_purpose}" if pack.scope_purpose else "")
    parts.append(
        "<div class='slide'><div style='position:absolute;top:1.6in;left:0.8in;right:0.8in'>"
        f"<h1 style='position:static;font-size:40pt'>{e(titles[0])}</h1>"
        f"<div style='font-size:22pt;color:#6b6b6b;margin-top:0.2in'>{e(pack.purpose or '')}</div>"
        f"<div style='font-size:22pt;margin-top:0.5in'>Weekly board pack · {e(pack.week)} ({e(pack.period_text)})</div>"
        f"<div style='font-size:18pt;color:#6b6b6b;margin-top:0.15in'>{e(scope_line)}</div></div>{footer(1)}</div>"
    )
    parts.append(f"<div class='slide'><h1>{e(titles[1])}</h1>{_summary(pack)}{footer(2)}</div>")
    for k, pillar in enumerate(pack.pillars, start=3):
        rows = "".join(
            f"<tr><td>{e(ln.label)}{' (month)' if ln.period == 'month' else ''}</td><td>{e(ln.value)}</td>"
            f"<td>{e(ln.change)}</td><td>{e(ln.change_year)}</td><td>{e(ln.target)}</td>{status_cell(ln.status)}</tr>"
            for ln in pillar.lines
        )
        images = "".join(_image(t.image) for t in pillar.trends[:2])
        note = (
            f"<div class='note'>(month): latest whole month, {e(pack.month_text)}</div>"
            if any(ln.period == "month" for ln in pillar.lines)
            else ""
        )
        parts.append(
            f"<div class='slide'><h1>{e(titles[k - 1])}</h1><div class='kpis'><table class='fixed'>{kpi_head}"
            f"{rows}</table></div>"
            f"<div class='charts'>{images}</div>{note}{footer(k)}</div>"
        )
    k = len(pack.pillars) + 3
    if pack.drivers_period is None:
        content = f"<div class='kpis'>{e(DRIVERS_NOT_YET)}</div>"
    else:
        head = "".join(f"<th>{e(c)}</th>" for c in DRIVER_COLUMNS_SHOWN)
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in pack.drivers_rows)
        headline = (
            f"<p style='font-size:16pt;font-weight:bold;margin-top:0.3in'>{e(pack.drivers_headline)}</p>"
            if pack.drivers_headline
            else ""
        )
        content = (
            f"<div class='kpis' style='top:1.0in;width:12.5in'><p style='color:#6b6b6b;font-size:12pt'>"
            f"Customers of {e(pack.drivers_period)}, {e(DRIVERS_HOW)}</p><table style='width:100%'>"
            f"<tr>{head}</tr>{body}</table>{headline}</div>"
            f"<div class='note' style='right:0.5in'>{e(DRIVERS_NOTE)}</div>"
        )
    parts.append(f"<div class='slide'><h1>{e(titles[k - 1])}</h1>{content}{footer(k)}</div>")
    k += 1
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
    k += 1
    if pack.brand_bars:
        content = (
            "<div class='bars'>" + "".join(_image(b.image) for b in pack.brand_bars[:2]) + "</div>"
            f"<div class='note'>{e(BARS_NOTE)}</div>"
        )
    else:
        content = f"<div class='kpis' style='font-size:18pt'>{e(NO_BARS)}</div>"
    parts.append(f"<div class='slide'><h1>{e(titles[k - 1])}</h1>{content}{footer(k)}</div>")
    defs = "".join(f"<p><b>{e(label)} ({e(unit)}):</b> {e(d)}</p>" for label, unit, d in pack.definitions)
    as_of = pack.as_of_text
    parts.append(
        f"<div class='slide'><h1>{e(titles[-1])}</h1><div class='defs'>{defs}</div>"
        f"<div class='note'>Data as of {e(as_of)}. Filters: {e(pack.filters_text)}.</div>{footer(k + 1)}</div>"
    )
    parts.append("</body></html>")
    return "".join(parts)


def _image(png: bytes | None) -> str:
    """A chart's picture (none before `render_charts`: the HTML alone, as tests read it)."""
    return f"<img src='data:image/png;base64,{base64.b64encode(png).decode()}'>" if png else ""


def _summary(pack: Pack) -> str:
    """The summary slide's body (as powerpoint.summary lays it out)."""
    e = html.escape
    colours = theme.STATUS_COLOURS
    off = pack.summary_off
    if off:
        body = "".join(
            f"<tr><td style='color:{colours[ln.status]};font-weight:bold'>{e(status_label(ln.status))}</td>"
            f"<td>{e(ln.label)}</td><td>{e(ln.value)}</td><td>{e(ln.target)}</td><td>{e(ln.gap)}</td></tr>"
            for ln in off[:SUMMARY_ROWS]
        )
        more = len(off) - SUMMARY_ROWS
        more_text = f"<p class='muted'>… and {more} more on the pillar slides.</p>" if more > 0 else ""
        left = (
            f"<h2>Off or near target: {len(off)} KPI{'s' if len(off) != 1 else ''}</h2>"
            f"<table class='fixed' style='font-size:{summary_size(min(len(off), SUMMARY_ROWS))}pt'>"
            f"{_head(SUMMARY_COLUMNS, SUMMARY_WIDTHS)}{body}</table>{more_text}"
        )
    else:
        left = f"<h2>Off target</h2><p style='font-size:16pt'>✔ {e(NOTHING_OFF.format(scope=pack.scope_name))}</p>"
    if pack.summary_brands:
        left += f"<p class='muted' style='font-size:12pt;margin-top:0.25in'>{e(brands_line(pack))}</p>"
    if pack.summary_moved:
        body = "".join(
            f"<tr><td>{e(ln.label)}</td><td>{e(ln.value)}</td><td class='{'better' if ln.better else 'worse'}'>"
            f"{e(ln.change)} ({'better' if ln.better else 'worse'})</td></tr>"
            for ln in pack.summary_moved
        )
        right = (
            f"<table class='fixed' style='font-size:{summary_size(len(pack.summary_moved))}pt'>"
            f"{_head(MOVED_COLUMNS, MOVED_WIDTHS)}{body}</table>"
        )
    else:
        right = f"<p style='font-size:14pt'>{e(NOTHING_MOVED)}</p>"
    return (
        f"<div class='off'>{left}</div><div class='moved'><h2>Moved most since the previous period</h2>{right}"
        f"<p class='muted' style='font-size:10pt;margin-top:0.25in'>{e(MOVED_NOTE)}</p></div>"
    )


def write_pdf(pack: Pack, path: Path) -> None:
    print_pdf(pdf_html(pack), path, size=("13.333in", "7.5in"))


def print_pdf(page_html: str, path: Path, size: str | tuple[str, str] = "A4") -> None:
    """A self-contained HTML page printed to PDF by one headless Chromium
    (offline: nothing it shows can make a request). `size`: a paper format
    ("A4") or (width, height). ChromiumMissing when there is no browser."""
    executable = require_chromium("PDF export")
    from playwright.sync_api import sync_playwright

    paper = {"format": size} if isinstance(size, str) else {"width": size[0], "height": size[1]}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic"],
        )  # fmt: skip
        try:
            page = browser.new_page(offline=True)
            page.set_content(page_html, wait_until="load")
            page.pdf(path=str(path), print_background=True, **paper)
        finally:
            browser.close()
