"""The pack's charts as native PowerPoint charts: their numbers travel in the
chart's own worksheet, so a board secretary can restyle one, or correct a
number, in PowerPoint ("Edit Data"). No browser draws them.

- A KPI's year (`add_trend`): a line for the scope in its colour, the target
  as a second, dashed grey series, and the initiatives launched in those
  periods as a third series of violet diamonds, labelled with their names,
  sitting on the KPI's line at the period that holds the launch (a chart's
  own data label: it moves with the chart, and is edited like any label).
  The dashboard's 95 % interval band is left out: a native band would need
  two stacked area series a reader would take for data.
- A KPI across brands (`add_brand_bars`): a bar per brand in its theme
  colour, its value on it, and each brand's target as a grey dash beside a
  line chart on the same axes (a combination chart: the bar chart's second
  series moved into a line chart that draws markers only).

Colours are charts/theme.py's: brands never wear a status colour. Numbers
carry their unit in the axis title and in the number format ("63.8 %",
"€73.76", "1,234").
"""

from __future__ import annotations

import copy
import io
import math
from collections.abc import Sequence

from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_AXIS_CROSSES,
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Pt
from xlsxwriter import Workbook

from ... import catalog, formatting
from ...charts import theme
from .content import INITIATIVE_COLOUR, TALL_BAR, BrandBars, TrendChart

TEXT = RGBColor.from_string("262730")
MUTED = RGBColor.from_string(theme.MUTED.lstrip("#"))
GRID = RGBColor.from_string(theme.GRID.lstrip("#"))
AXIS_LINE = RGBColor.from_string("BDBDBD")
INITIATIVE_CHARACTERS = 40  # an initiative's label on a chart (as the dashboard's flags)
TARGET = "target"
INITIATIVES = "initiative launched"


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The chart's worksheet with every text cell written as text. XlsxWriter
    otherwise writes a string starting with "=" as a formula and one that
    looks like a URL as a link: a brand named '=HYPERLINK(…)' would become a
    live formula in the worksheet PowerPoint opens to edit the chart."""

    @property
    def xlsx_blob(self) -> bytes:
        xlsx_file = io.BytesIO()
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = Workbook(xlsx_file, options)
        self._populate_worksheet(workbook, workbook.add_worksheet())
        workbook.close()
        return xlsx_file.getvalue()


class ChartData(CategoryChartData):
    """python-pptx's category chart data, its worksheet written by `_TextWorkbookWriter`."""

    @property
    def _workbook_writer(self) -> CategoryWorkbookWriter:
        return _TextWorkbookWriter(self)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


def number_format(metric: catalog.Metric, currency: str, values: Sequence[float | None] = ()) -> str:
    """The metric's numbers as Excel formats them, as the pack's tables do:
    '0.0" %"' (percentages are held as 0-100), '"€"#,##0.00' (no cents
    when an amount reaches a thousand), '#,##0'."""
    if metric.fmt == "pct":
        return '0.0" %"'
    if metric.fmt == "currency":
        code = (currency or "").upper()
        symbol = formatting.CURRENCY_SYMBOLS.get(code) or (f"{code} " if code else "")
        large = any(v is not None and abs(v) >= 1000 for v in values)
        body = f'"{symbol}"#,##0{"" if large else ".00"}'
        return f"{body};{formatting.MINUS}{body}"
    return {"int": "#,##0", "points": "#,##0.0", "float1": "#,##0.0"}.get(metric.fmt, "#,##0.00")


def _nice_step(raw: float) -> float:
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def axis_range(numbers: Sequence[float], *, from_zero: bool = False) -> tuple[float, float, float]:
    """(minimum, maximum, major unit) of a value axis showing `numbers`, on
    round steps, with a little room; from zero for bars (their length is the
    value), and never below zero for numbers that cannot be negative."""
    low, high = min(numbers), max(numbers)
    if from_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or max(abs(high) * 0.2, 1.0)
    step = _nice_step(span / 5)
    bottom = math.floor((low - 0.05 * span * (not from_zero or low < 0)) / step) * step
    top = math.ceil((high + 0.08 * span) / step) * step
    if min(numbers) >= 0:
        bottom = max(bottom, 0.0)
    return bottom, top, step


def _style_text(font, size: float, colour: RGBColor = TEXT, bold: bool = False) -> None:
    font.size, font.bold, font.color.rgb = Pt(size), bold, colour


def _title(chart, title: str, note: str | None) -> None:
    """The chart's title (its first line) and the note on its gaps under it
    (styled run by run: LibreOffice reads a title's first paragraph style for all)."""
    chart.has_title = True
    frame = chart.chart_title.text_frame
    run = frame.paragraphs[0].add_run()
    run.text = title
    _style_text(run.font, 12, bold=True)
    if note:
        run = frame.add_paragraph().add_run()
        run.text = note
        _style_text(run.font, 8, MUTED)


def tick_format(fmt: str, step: float) -> str:
    """An axis's number format: without decimals when its steps are whole."""
    return fmt.replace(".00", "").replace("0.0", "0") if step == int(step) else fmt


def _value_axis(chart, title: str, fmt: str, numbers: Sequence[float], from_zero: bool = False) -> None:
    axis = chart.value_axis
    axis.minimum_scale, axis.maximum_scale, axis.major_unit = axis_range(numbers, from_zero=from_zero)
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = GRID
    axis.format.line.fill.background()
    axis.tick_labels.number_format = tick_format(fmt, axis.major_unit)
    axis.tick_labels.number_format_is_linked = False
    _style_text(axis.tick_labels.font, 9, MUTED)
    axis.has_title = True
    axis.axis_title.text_frame.text = title
    _style_text(axis.axis_title.text_frame.paragraphs[0].font, 9, MUTED)


def _category_axis(chart) -> None:
    """Its labels under the plot, whatever the values' sign."""
    axis = chart.category_axis
    axis.format.line.color.rgb = AXIS_LINE
    axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    _style_text(axis.tick_labels.font, 9, MUTED)


def _legend(chart) -> None:
    chart.has_legend = True
    chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    _style_text(chart.legend.font, 9, MUTED)


def _date_ticks(chart, grain: str) -> None:
    """A label every other month (about six on a year), the points at their
    dates: weeks on a day scale, months on a month scale."""
    ax = chart._chartSpace.find(".//" + qn("c:dateAx"))
    base = ax.find(qn("c:baseTimeUnit"))
    base.set("val", "months" if grain == "month" else "days")
    base.addnext(parse_xml(f'<c:majorUnit {nsdecls("c")} val="2"/>'))
    ax.find(qn("c:majorUnit")).addnext(parse_xml(f'<c:majorTimeUnit {nsdecls("c")} val="months"/>'))


def _initiative_points(trend: TrendChart) -> list[float | None]:
    """Where each initiative's diamond sits: on the KPI's line at the period
    that holds its launch (the latest earlier value when that period has
    none, else the target); None elsewhere."""
    points: list[float | None] = [None] * len(trend.periods)
    for at, _ in trend.initiatives:
        i = trend.periods.index(at)
        earlier = [v for v in trend.values[: i + 1] if v is not None]
        later = [v for v in trend.values[i:] if v is not None]
        points[i] = (earlier or later or [trend.targets[i]])[-1 if earlier else 0]
    return points


def add_trend(slide, trend: TrendChart, currency: str, left: Emu, top: Emu, width: Emu, height: Emu):
    """A line chart of `trend` on `slide`: the KPI, its target dashed, its
    initiatives labelled. Returns the graphic frame."""
    metric = catalog.get(trend.metric_id)
    fmt = number_format(metric, currency, trend.values)
    data = ChartData(number_format=fmt)
    data.categories = trend.periods
    data.categories.number_format = "d mmm yyyy"  # the worksheet's; the axis shows months
    data.add_series(trend.scope_name, trend.values)
    has_target = any(t is not None for t in trend.targets)
    if has_target:
        data.add_series(TARGET, trend.targets)
    initiatives = _initiative_points(trend)
    if trend.initiatives:
        data.add_series(INITIATIVES, initiatives)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, data).chart

    series = iter(chart.plots[0].series)
    line = next(series)
    line.smooth = False
    line.format.line.color.rgb, line.format.line.width = _rgb(trend.colour), Pt(2)
    line.marker.style, line.marker.size = XL_MARKER_STYLE.CIRCLE, 4
    line.marker.format.fill.solid()
    line.marker.format.fill.fore_color.rgb = _rgb(trend.colour)
    line.marker.format.line.color.rgb = _rgb(trend.colour)
    if has_target:
        target = next(series)
        target.smooth = False
        target.format.line.color.rgb, target.format.line.width = MUTED, Pt(1.5)
        target.format.line.dash_style = MSO_LINE.DASH
        target.marker.style = XL_MARKER_STYLE.NONE
    if trend.initiatives:
        flags = next(series)
        flags.format.line.fill.background()  # markers only
        flags.marker.style, flags.marker.size = XL_MARKER_STYLE.DIAMOND, 9
        flags.marker.format.fill.solid()
        flags.marker.format.fill.fore_color.rgb = _rgb(INITIATIVE_COLOUR)
        flags.marker.format.line.color.rgb = RGBColor.from_string("FFFFFF")
        for at, label in trend.initiatives:
            point = flags.points[trend.periods.index(at)]
            frame = point.data_label.text_frame
            cut = len(label) > INITIATIVE_CHARACTERS
            frame.text = label[:INITIATIVE_CHARACTERS].rstrip() + "…" * cut
            _style_text(frame.paragraphs[0].font, 8, _rgb(INITIATIVE_COLOUR), bold=True)
            point.data_label.position = XL_LABEL_POSITION.ABOVE
            # On white, so the KPI's line behind it does not cross the words.
            point.data_label._get_or_add_dLbl().get_or_add_spPr().append(
                parse_xml(f'<a:solidFill {nsdecls("a")}><a:srgbClr val="FFFFFF"/></a:solidFill>')
            )

    numbers = [v for v in (*trend.values, *trend.targets) if v is not None]
    _title(chart, trend.title, trend.note)
    _value_axis(chart, trend.axis_title, fmt, numbers)
    _category_axis(chart)
    chart.value_axis.crosses = XL_AXIS_CROSSES.MINIMUM  # the time axis along the bottom
    chart.category_axis.tick_labels.number_format = "mmm yy"
    chart.category_axis.tick_labels.number_format_is_linked = False
    _date_ticks(chart, trend.grain)
    _legend(chart)
    return chart


def add_brand_bars(slide, bars: BrandBars, currency: str, left: Emu, top: Emu, width: Emu, height: Emu):
    """A bar per brand (its colour, its value on it) and each brand's target
    as a grey dash. Returns the chart."""
    metric = catalog.get(bars.metric_id)
    fmt = number_format(metric, currency, bars.values)
    data = ChartData(number_format=fmt)
    data.categories = bars.brands
    data.add_series(formatting.card_label(metric), bars.values)
    has_target = any(t is not None for t in bars.targets)
    if has_target:
        data.add_series(TARGET, bars.targets)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height, data).chart
    plot = chart.plots[0]
    plot.gap_width, plot.vary_by_categories = 70, False
    values = plot.series[0]
    for point, colour in zip(values.points, bars.colours, strict=False):
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = _rgb(colour)
    numbers = [v for v in (*bars.values, *bars.targets) if v is not None]
    _title(chart, bars.title, "no value: " + "; ".join(bars.missing) if bars.missing else None)
    _value_axis(chart, bars.axis_title, fmt, numbers, from_zero=True)
    _category_axis(chart)
    _style_text(chart.category_axis.tick_labels.font, 10, TEXT)
    _legend(chart)
    # Each value on its bar: in white at the bar's foot, clear of the target's dash near its end;
    # a bar too short to hold it has it beyond its end.
    span = chart.value_axis.maximum_scale - chart.value_axis.minimum_scale
    for point, value in zip(values.points, bars.values, strict=True):
        if value is None:
            continue
        label = point.data_label  # its value, in the series' number format (the worksheet's)
        tall = abs(value) >= TALL_BAR * span
        label.position = XL_LABEL_POSITION.INSIDE_BASE if tall else XL_LABEL_POSITION.OUTSIDE_END
        _style_text(label.font, 10, RGBColor.from_string("FFFFFF") if tall else TEXT, bold=True)
    if has_target:
        _targets_as_dashes(chart)
        _legend_without_first_series(chart)
    return chart


def _legend_without_first_series(chart) -> None:
    """The legend names only the target: the bars wear their brands' colours, named under them."""
    legend = chart._chartSpace.find(".//" + qn("c:legend"))
    legend.find(qn("c:legendPos")).addnext(
        parse_xml(f'<c:legendEntry {nsdecls("c")}><c:idx val="0"/><c:delete val="1"/></c:legendEntry>')
    )


def _targets_as_dashes(chart) -> None:
    """Move the bar chart's second series (the targets) into a line chart on
    the same axes that draws only markers: a grey dash on each brand's bar."""
    bar_chart = chart._chartSpace.find(".//" + qn("c:barChart"))
    target = bar_chart.findall(qn("c:ser"))[1]
    bar_chart.remove(target)
    invert = target.find(qn("c:invertIfNegative"))  # a bar series' element, not a line series'
    if invert is not None:
        target.remove(invert)
    line_chart = parse_xml(
        f'<c:lineChart {nsdecls("c")}><c:grouping val="standard"/><c:varyColors val="0"/></c:lineChart>'
    )
    line_chart.append(target)
    line_chart.append(parse_xml(f'<c:marker {nsdecls("c")} val="1"/>'))
    for axis_id in bar_chart.findall(qn("c:axId")):
        line_chart.append(copy.deepcopy(axis_id))
    bar_chart.addnext(line_chart)
    dashes = chart.plots[1].series[0]
    dashes.smooth = False
    dashes.format.line.fill.background()
    dashes.marker.style, dashes.marker.size = XL_MARKER_STYLE.DASH, 28
    dashes.marker.format.fill.solid()
    dashes.marker.format.fill.fore_color.rgb = MUTED
    dashes.marker.format.line.color.rgb = MUTED
