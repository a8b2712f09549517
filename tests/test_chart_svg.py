"""The server-drawn charts (charts/svg.py): hand-made figures whose pixels,
ticks, colours and hover texts are worked out by hand below."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest

from purpose_metrics import formatting
from purpose_metrics.charts import svg, theme

NS = "{http://www.w3.org/2000/svg}"


def bare(*traces: go.BaseTraceType, **layout) -> go.Figure:
    """A 100 × 100 px plot area filling the figure: no margins, no axes
    drawn, x and y both 0 … 10, so a unit is 10 px and y grows upwards."""
    fig = go.Figure(list(traces))
    fig.update_layout(
        template=theme.TEMPLATE,
        height=100,
        margin=dict(l=0, r=0, t=0, b=0),
        xaxis=dict(visible=False, range=[0, 10]),
        yaxis=dict(visible=False, range=[0, 10]),
        showlegend=False,
        **layout,
    )
    return fig


def tree(fig: go.Figure, width: int = 100) -> ET.Element:
    return ET.fromstring(svg.figure_svg(fig, width))


def elements(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    return [e for e in root.iter(NS + tag) if cls is None or e.get("class") == cls]


def test_a_line_s_points_land_on_their_pixels():
    # (2, 3) -> x 2 × 10 = 20 px, y 100 − 3 × 10 = 70 px; (5, 8) -> 50, 20; (10, 0) -> 100, 100.
    root = tree(bare(go.Scatter(x=[2, 5, 10], y=[3, 8, 0], mode="lines")))
    [line] = elements(root, "path", "pm-line")
    assert line.get("d") == "M20.0,70.0L50.0,20.0L100.0,100.0"


def test_a_missing_value_breaks_the_line():
    root = tree(bare(go.Scatter(x=[1, 2, 3, 4, 5], y=[1, 2, None, 4, 5], mode="lines", connectgaps=False)))
    paths = [p.get("d") for p in elements(root, "path", "pm-line")]
    # Two runs: (1,1)-(2,2) and (4,4)-(5,5); nothing drawn across x = 3.
    assert paths == ["M10.0,90.0L20.0,80.0", "M40.0,60.0L50.0,50.0"]


def test_an_interval_band_is_one_closed_polygon():
    # Upper edge left to right, lower edge back: (1,6) (2,7) (2,3) (1,2).
    band = go.Scatter(x=[1, 2, 2, 1], y=[6, 7, 3, 2], mode="lines", fill="toself", fillcolor="rgba(0,114,178,0.15)",
                      line=dict(width=0))  # fmt: skip
    [path] = elements(tree(bare(band)), "path", "pm-band")
    assert path.get("d") == "M10.0,40.0L20.0,30.0L20.0,70.0L10.0,80.0Z"
    assert path.get("fill") == "rgba(0,114,178,0.15)"


def test_a_target_step_holds_until_the_next_period():
    step = go.Scatter(x=[1, 3, 5], y=[2, 2, 6], mode="lines", line=dict(shape="hv", dash="dash", width=1.5))
    [path] = elements(tree(bare(step)), "path", "pm-line")
    # Across at y 2 (80 px) to x 3, across to x 5, then up to 6 (40 px).
    assert path.get("d") == "M10.0,80.0H30.0V80.0H50.0V40.0"
    assert path.get("stroke-dasharray") == "9,9"  # Plotly's dash: 3 × max(width, 3) on, as much off


def test_an_error_bar_spans_its_interval_with_caps():
    dot = go.Scatter(x=[5], y=[5], mode="markers", marker=dict(size=10),
                     error_x=dict(type="data", symmetric=False, array=[2], arrayminus=[1], width=4))  # fmt: skip
    [bar] = elements(tree(bare(dot)), "path", "pm-error")
    # From x 4 (40 px) to x 7 (70 px) at y 50 px; caps 4 px either side.
    assert bar.get("d") == "M40.0,50.0L70.0,50.0M40.0,46.0L40.0,54.0M70.0,46.0L70.0,54.0"


def test_a_point_s_hover_is_its_title():
    hover = (
        f"<b>{formatting.chart_text('Alpine & Co')}</b><br>72.0 %<br>95 % interval 60.1 – 81.2 %<br>n = 40"
    )
    root = tree(bare(go.Scatter(x=[1], y=[1], mode="markers", hovertext=[hover], hoverinfo="text")))
    [title] = [t.text for t in root.iter(NS + "title")]
    assert title == "Alpine & Co\n72.0 %\n95 % interval 60.1 – 81.2 %\nn = 40"


def test_a_skipped_hover_has_no_title():
    root = tree(bare(go.Scatter(x=[1], y=[1], mode="markers", hovertext=["x"], hoverinfo="skip")))
    assert not list(root.iter(NS + "title"))


def test_a_heatmap_cell_takes_its_value_s_colour():
    # Black at 0, white at 100: 25 is a quarter of the way, 255 × 0.25 = 63.75 -> 64 = 0x40.
    cell = go.Heatmap(x=["a"], y=["b"], z=[[25]], zmin=0, zmax=100, colorscale=[[0, "#000000"], [1, "#FFFFFF"]],
                      showscale=False, hovertext=[["cohort b: 25 %"]], hoverinfo="text")  # fmt: skip
    fig = bare(cell)
    fig.update_layout(xaxis=dict(range=None), yaxis=dict(range=None))
    [rect] = elements(tree(fig), "rect", "pm-cell")
    assert rect.get("fill") == "#404040"
    assert rect.find(NS + "title").text == "cohort b: 25 %"


def test_a_heatmap_s_colour_scale_interpolates_between_stops():
    scale = [[0.0, "#000000"], [0.5, "#FF0000"], [1.0, "#FFFFFF"]]
    # 0.75 is halfway from red (255,0,0) to white: (255, 127.5, 127.5) -> 255, 128, 128.
    assert svg.scale_colour(scale, 0.75) == "#ff8080"


def date_axis(start: dt.date, end: dt.date) -> svg.Axis:
    epoch = dt.datetime(1970, 1, 1)
    axis = svg.Axis("x", {}, "x", (0.0, 1.0), "y", kind="date")
    axis.lo = (dt.datetime.combine(start, dt.time()) - epoch).total_seconds() * 1000
    axis.hi = (dt.datetime.combine(end, dt.time()) - epoch).total_seconds() * 1000
    return axis


def test_a_year_on_a_wide_axis_is_ticked_every_other_month():
    # 800 px: Plotly's count is 800 / 80 + 1 = 11 ticks at most. Monthly gives
    # 12 (Jan … Dec), too many; every other month gives 6 (Jan, Mar, …, Nov).
    axis = date_axis(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    svg._date_ticks(axis, 800, 13)
    assert [label for _, label in axis.ticks] == [
        "Jan 2026",
        "Mar 2026",
        "May 2026",
        "Jul 2026",
        "Sep 2026",
        "Nov 2026",
    ]


def test_a_month_on_a_wide_axis_is_ticked_on_mondays():
    # 1 … 30 Nov 2026: daily gives 30 ticks and every other day 15, more than
    # 11; weekly gives the five Mondays (2 Nov 2026 is a Monday).
    assert dt.date(2026, 11, 2).weekday() == 0
    axis = date_axis(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    svg._date_ticks(axis, 800, 13)
    assert [label for _, label in axis.ticks] == ["2 Nov", "9 Nov", "16 Nov", "23 Nov", "30 Nov"]


def test_a_narrow_axis_takes_fewer_date_ticks_so_labels_do_not_touch():
    # 150 px (a narrow panel): "Jan 2026" is 4136/1000 em = 53.8 px at 13 px,
    # 65.8 px with its 12 px gap, so two labels fit (131.6 px) and four do not:
    # a year gets one every six months (quarterly would be four).
    axis = date_axis(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    svg._date_ticks(axis, 150, 13)
    assert [label for _, label in axis.ticks] == ["Jan 2026", "Jul 2026"]


def test_numeric_ticks_are_nice_steps_with_their_suffix():
    # 0 … 25 on 100 px of y: Plotly's count 100 / 40 -> 4 (its floor) + 1 = 5
    # ticks, so a step of at least 25 / 4 = 6.25, rounded up to a nice 10.
    axis = svg.Axis("y", {"ticksuffix": " %"}, "y", (0.0, 1.0), "x")
    axis.lo, axis.hi = 0.0, 25.0
    svg._linear_ticks(axis, 100)
    assert axis.ticks == [(0.0, "0 %"), (10.0, "10 %"), (20.0, "20 %")]


def test_hostile_text_arrives_as_text():
    name = "<script>alert(1)</script> [x](http://127.0.0.1:9) $x$ <img src=x>"
    fig = bare(go.Scatter(x=[1], y=[1], mode="markers+text", text=[formatting.chart_text(name)],
                          hovertext=[f"<b>{formatting.chart_text(name)}</b>"], hoverinfo="text"))  # fmt: skip
    fig.update_layout(title=dict(text=formatting.chart_text(name)))
    drawn = svg.figure_svg(fig, 1000)
    for fragment in ("<script", "<img", "[x](", "http://127", "$x$"):
        assert fragment not in drawn
    root = ET.fromstring(drawn)
    assert {e.tag.removeprefix(NS) for e in root.iter()} <= {"svg", "g", "rect", "circle", "text", "tspan", "title",
                                                             "clipPath", "path", "line"}  # fmt: skip
    texts = ["".join(t.itertext()) for t in root.iter(NS + "text")]
    assert name in texts  # the title and the label, as written
    assert [t.text for t in root.iter(NS + "title")] == [name]


def test_plotly_markup_becomes_lines_and_weight():
    fig = bare()
    fig.update_layout(title=dict(text="<b>Company</b> purpose<br>second line"))
    root = tree(fig, 400)
    [title] = [t for t in root.iter(NS + "text") if "Company" in "".join(t.itertext())]
    spans = list(title.iter(NS + "tspan"))
    assert [(s.text, s.get("font-weight")) for s in spans] == [
        ("Company", "bold"), (" purpose", None), ("second line", None),
    ]  # fmt: skip
    assert spans[2].get("dy") is not None  # a new line


def test_a_tag_a_builder_did_not_mean_is_refused():
    fig = bare()
    fig.update_layout(title=dict(text="<a href='x'>link</a>"))
    with pytest.raises(svg.UnsupportedFigure, match="label markup"):
        svg.figure_svg(fig, 300)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.add_trace(go.Bar(x=[1], y=[1])), "trace type 'bar'"),
        (lambda f: f.update_layout(yaxis_tickformat=".0%"), "tickformat"),
        (lambda f: f.add_annotation(x=1, y=1, text="a", showarrow=True), "arrow"),
        (lambda f: f.add_shape(type="rect", x0=0, x1=1, y0=0, y1=1), "shape type 'rect'"),
        (lambda f: f.add_trace(go.Scatter(x=[1], y=[1], fill="tozeroy")), "fill 'tozeroy'"),
    ],
)
def test_what_it_does_not_draw_is_refused_by_name(change, message):
    fig = bare()
    change(fig)
    with pytest.raises(svg.UnsupportedFigure, match=re.escape(message)):
        svg.figure_svg(fig, 300)


def test_the_dark_variant_swaps_colours_never_texts():
    fig = bare(go.Scatter(x=[1], y=[1], name="#333333", marker=dict(color=theme.COMPANY_COLOUR,
               line=dict(color="white")), fillcolor=theme.translucent(theme.COMPANY_COLOUR, 0.15),
               hovertext=["white"]))  # fmt: skip
    spec = theme.dark_spec(json.loads(fig.to_json()))
    trace = spec["data"][0]
    assert trace["marker"]["color"] == theme.DARK_COMPANY
    assert trace["marker"]["line"]["color"] == theme.DARK_PAPER
    # 0xE4 = 228: the company's light neutral, its alpha kept.
    assert trace["fillcolor"] == "rgba(228,228,228,0.15)"
    assert trace["name"] == "#333333" and trace["hovertext"] == ["white"]
    assert spec["layout"]["template"]["layout"]["paper_bgcolor"] == theme.DARK_PAPER
    # Drawn on the dark paper.
    root = ET.fromstring(svg.figure_svg(spec, 100))
    assert root.find(NS + "rect").get("fill") == theme.DARK_PAPER.lower()


def test_panels_three_abreast_keep_their_width_on_a_phone():
    from plotly.subplots import make_subplots

    three = make_subplots(rows=1, cols=3)
    assert svg.readable_width(three.to_dict()) == 720
    assert svg.readable_width(bare().to_dict()) == 760  # no axis shown: a diagram
    one = go.Figure(go.Scatter(x=[1], y=[1]))
    assert svg.readable_width(one.to_dict()) == 0
