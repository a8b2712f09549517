"""The board pack as PowerPoint: a 16:9 deck of ten slides, its charts
native PowerPoint charts (pptx_charts.py) that open for editing in
PowerPoint, so writing it starts no browser.

Every slide's title is its title placeholder (PowerPoint's outline, its
accessibility checker and a screen reader find it there), laid out and
styled as the pack's other text. Every text goes in as a text run, which PowerPoint shows as written: a name
from data cannot become a link or markup here. The file's properties say
what it is (title, the company as author, the week as subject, when it was
made) instead of python-pptx's template's ("Steve Canny", 2013).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...charts import theme
from .content import (
    DRIVER_COLUMNS_SHOWN,
    DRIVERS_HOW,
    DRIVERS_NOT_YET,
    DRIVERS_NOTE,
    MOVED_NOTE,
    SOURCE,
    SUMMARY_ROWS,
    Pack,
    status_label,
)
from .pptx_charts import add_brand_bars, add_trend

_STATUS_RGB = {k: v.lstrip("#") for k, v in theme.STATUS_COLOURS.items()}
# The tables' columns and their relative widths (the PDF's too).
KPI_COLUMNS = ["KPI", "Value", "Change", "Year over year", "Target", "Status"]
KPI_WIDTHS = [2.2, 1.2, 2.05, 2.05, 0.85, 1.2]
SUMMARY_COLUMNS = ["Status", "KPI", "Value", "Target", "By how much"]
SUMMARY_WIDTHS = [1.45, 2.0, 0.9, 0.9, 1.95]
MOVED_COLUMNS, MOVED_WIDTHS = ["KPI", "Value", "Change"], [1.6, 0.85, 2.45]


def summary_size(rows: int) -> float:
    """The summary tables' font size (pt): larger when they are short."""
    return 13 if rows <= 6 else 11


NOTHING_OFF = "Every KPI with a target is on target for {scope} this week."
NOTHING_MOVED = "No KPI with a target has a change to show."
BARS_NOTE = (
    "The KPIs on which a brand is furthest off target (red before amber, then its shortfall as a share of the "
    "target); each brand in its colour, the grey dash its target."
)
NO_BARS = "No brand is off or near target on a KPI with a target this week."


def brands_line(pack: Pack) -> str:
    """'Brands: Gala ✖ 6 off, ≈ 3 near · Kern ✖ 2 off · Verde on target'."""
    parts = []
    for name, red, amber in pack.summary_brands:
        counts = [f"✖ {red} off"] * bool(red) + [f"≈ {amber} near"] * bool(amber)
        parts.append(f"{name} {', '.join(counts)}" if counts else f"{name} ✔ on target")
    return "Brands: " + " · ".join(parts) + " (the brands slide compares them)."


def write_pptx(pack: Pack, path: Path) -> None:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in, 16:9
    title_only = prs.slide_layouts[5]  # the template's "Title Only": a title placeholder and nothing else
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

    def slide_with_title(content, left=0.5, top=0.3, width=12.3, height=0.7, size=26):
        """A new slide whose title placeholder holds `content`, placed and
        styled as a text box there would be (the template centres a 44 pt
        title in its heading font)."""
        slide = prs.slides.add_slide(title_only)
        shape = slide.shapes.title
        shape.left, shape.top = Inches(left), Inches(top)
        shape.width, shape.height = Inches(width), Inches(height)
        frame = shape.text_frame
        frame.word_wrap, frame.auto_size, frame.vertical_anchor = True, MSO_AUTO_SIZE.NONE, MSO_ANCHOR.TOP
        para = frame.paragraphs[0]
        para.alignment = PP_ALIGN.LEFT
        run = para.add_run()
        run.text = content
        font = run.font
        font.size, font.bold, font.color.rgb = Pt(size), True, dark
        font.name = "+mn-lt"  # the theme's body font, as the pack's text boxes
        return slide

    def footer(slide, number: int):
        text(slide, 0.5, 7.0, 11.5, 0.35, pack.footer, size=10, colour=muted)
        text(slide, 12.3, 7.0, 0.6, 0.35, str(number), size=10, colour=muted)

    def table(slide, left, top, width, header, rows, widths, size=11):
        shape = slide.shapes.add_table(
            len(rows) + 1,
            len(header),
            Inches(left),
            Inches(top),
            Inches(width),
            Inches(0.3 * (len(rows) + 1)),
        )
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

    _set_properties(prs, pack)
    titles = pack.slide_titles
    # Title slide
    s = slide_with_title(titles[0], 0.8, 1.6, 11.7, 1.0, size=40)
    if pack.purpose:
        text(s, 0.8, 2.7, 11.7, 0.8, pack.purpose, size=22, colour=muted)
    text(s, 0.8, 3.9, 11.7, 0.6, f"Weekly board pack · {pack.week} ({pack.period_text})", size=22)
    scope_line = pack.scope_name + (f" — {pack.scope_purpose}" if pack.scope_purpose else "")
    text(s, 0.8, 4.6, 11.7, 0.6, scope_line, size=18, colour=muted)
    footer(s, 1)

    summary(slide_with_title(titles[1]), pack, text, table)
    footer(prs.slides[-1], 2)

    for k, pillar in enumerate(pack.pillars, start=3):
        s = slide_with_title(titles[k - 1])
        rows = [
            [
                (ln.label + (" (month)" if ln.period == "month" else ""), None),
                (ln.value, None),
                (ln.change, None),
                (ln.change_year, None),
                (ln.target, None),
                (status_label(ln.status), _STATUS_RGB.get(ln.status or "")),
            ]
            for ln in pillar.lines
        ]
        size = 11 if len(rows) <= 12 else 10
        table(s, 0.4, 1.15, 7.3, KPI_COLUMNS, rows, KPI_WIDTHS, size)
        top = 1.15
        for trend in pillar.trends[:2]:
            add_trend(s, trend, pack.currency, Inches(7.85), Inches(top), Inches(5.15), Inches(2.85))
            top += 2.95
        if pack.month_text and any(ln.period == "month" for ln in pillar.lines):
            text(
                s,
                0.4,
                6.55,
                7.3,
                0.4,
                f"(month): latest whole month, {pack.month_text}",
                size=10,
                colour=muted,
            )
        footer(s, k)

    k = len(pack.pillars) + 3
    s = slide_with_title(titles[k - 1])
    if pack.drivers_period is None:
        text(s, 0.5, 1.4, 12, 0.6, DRIVERS_NOT_YET, size=18)
    else:
        text(
            s,
            0.5,
            1.0,
            12.3,
            0.4,
            f"Customers of {pack.drivers_period}, {DRIVERS_HOW}",
            size=12,
            colour=muted,
        )
        table(
            s, 0.4, 1.55, 12.5, DRIVER_COLUMNS_SHOWN, [[(c, None) for c in r] for r in pack.drivers_rows],
            [2.2, 1.6, 1.7, 1.7, 2.3, 2.6, 1.5], 11,
        )  # fmt: skip
        if pack.drivers_headline:
            text(s, 0.5, 3.4, 12.3, 1.2, pack.drivers_headline, size=16, bold=True)
        text(s, 0.5, 6.3, 12.3, 0.6, DRIVERS_NOTE, size=10, colour=muted)
    footer(s, k)

    k += 1
    s = slide_with_title(titles[k - 1])
    if pack.brand_rows:
        rows = [
            [(label, None), *[(v, _STATUS_RGB.get(st or "")) for v, st in cells]]
            for label, cells in pack.brand_rows[:16]
        ]
        table(
            s,
            0.4,
            1.15,
            12.5,
            ["KPI", *pack.brand_columns],
            rows,
            [3, *[3] * len(pack.brand_columns)],
            11 if len(rows) <= 12 else 10,
        )
    else:
        text(s, 0.5, 1.4, 12, 0.6, "Every brand is on target on every KPI with a target this week.", size=18)
    footer(s, k)

    k += 1
    s = slide_with_title(titles[k - 1])
    for i, bars in enumerate(pack.brand_bars[:2]):
        add_brand_bars(
            s, bars, pack.currency, Inches(0.4 + i * 6.35), Inches(1.15), Inches(6.15), Inches(5.2)
        )
    if pack.brand_bars:
        text(s, 0.4, 6.45, 12.5, 0.4, BARS_NOTE, size=10, colour=muted)
    else:
        text(s, 0.5, 1.4, 12, 0.6, NO_BARS, size=18)
    footer(s, k)

    s = slide_with_title(titles[-1])
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
    as_of = pack.as_of_text
    text(s, 0.4, 6.5, 12.5, 0.4, f"Data as of {as_of}. Filters: {pack.filters_text}.", size=11, colour=muted)
    footer(s, k + 1)
    prs.save(str(path))


def summary(s, pack: Pack, text, table) -> None:
    """The summary slide: left, the focus scope's KPIs off or near target
    (worst first) and, for the company, each brand's count; right, what
    moved most since the previous period."""
    from pptx.dml.color import RGBColor

    muted = RGBColor.from_string("6B6B6B")
    off = pack.summary_off
    heading = f"Off or near target: {len(off)} KPI{'s' if len(off) != 1 else ''}" if off else "Off target"
    text(s, 0.4, 1.05, 7.2, 0.45, heading, size=16, bold=True)
    if off:
        rows = [
            [(status_label(ln.status), _STATUS_RGB[ln.status]), (ln.label, None), (ln.value, None),
             (ln.target, None), (ln.gap, None)]
            for ln in off[:SUMMARY_ROWS]
        ]  # fmt: skip
        table(s, 0.4, 1.55, 7.2, SUMMARY_COLUMNS, rows, SUMMARY_WIDTHS, summary_size(len(rows)))
        if len(off) > SUMMARY_ROWS:
            more = len(off) - SUMMARY_ROWS
            text(s, 0.4, 5.05, 7.2, 0.4, f"… and {more} more on the pillar slides.", size=11, colour=muted)
    else:
        text(s, 0.4, 1.55, 7.2, 0.8, f"✔ {NOTHING_OFF.format(scope=pack.scope_name)}", size=16)
    if pack.summary_brands:
        text(s, 0.4, 5.5, 7.2, 0.8, brands_line(pack), size=12, colour=muted)

    text(s, 8.0, 1.05, 4.9, 0.45, "Moved most since the previous period", size=16, bold=True)
    if pack.summary_moved:
        rows = [
            [(ln.label, None), (ln.value, None),
             (f"{ln.change} ({'better' if ln.better else 'worse'})", "1A7F37" if ln.better else "C62828")]
            for ln in pack.summary_moved
        ]  # fmt: skip
        table(s, 8.0, 1.55, 4.9, MOVED_COLUMNS, rows, MOVED_WIDTHS, summary_size(len(rows)))
    else:
        text(s, 8.0, 1.55, 4.9, 0.6, NOTHING_MOVED, size=14)
    text(s, 8.0, 5.5, 4.9, 0.8, MOVED_NOTE, size=10, colour=muted)


def _set_properties(prs, pack: Pack) -> None:
    """Core properties (docProps/core.xml) of the pack, every field the
    template filled replaced."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)  # python-pptx writes it as UTC
    props = prs.core_properties
    props.title = pack.title
    props.author = props.last_modified_by = pack.company
    props.subject = f"Weekly board pack, {pack.week} ({pack.period_text}): {pack.scope_name}"
    props.created = props.modified = now
    props.comments = SOURCE
    props.keywords = f"board pack; {pack.week}"
    props.category = "Board pack"
    props.revision = 1
