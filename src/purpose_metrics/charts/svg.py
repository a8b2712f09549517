"""A Plotly figure drawn as a static SVG on the server.

A page that shows a browser-drawn Plotly chart makes Streamlit load its
4.5 MB Plotly chunk: 2.5–3 s of main-thread work on a small machine, for
every visitor (bench/RESULTS.md). The on-page charts are therefore drawn
here, from the same figures the builders make (one definition), and Plotly
stays for the interactive "explore" view and the exports.

This draws the subset of Plotly the builders in this package use, and
refuses the rest by name (`UnsupportedFigure`) rather than drawing it
wrong: Scatter (lines, markers, text, filled bands, dashes, steps, gaps,
error bars, marker symbols), Heatmap (colour scale, cell text, colour
bar), subplots with shared axes, line shapes, annotations, titles,
subtitles, date, numeric and category axes, and legends. Hover texts
become SVG <title> children, so a mouse-over still tells the value, its
n and its interval.

Every text reaches the SVG through `text_content` (or `attribute`):
Plotly's own markup in a label (<br>, <b>) becomes SVG lines and weights,
everything else is escaped, and characters Markdown would read are written
as character references, so no data string becomes live HTML, SVG or
Markdown where the SVG is shown.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

LINE_HEIGHT = 1.3  # em, between lines of a multi-line label
TICK_LENGTH = 5


class UnsupportedFigure(ValueError):
    """The figure uses a part of Plotly this renderer does not draw."""


# ---------------------------------------------------------------- escaping

# XML's five plus every character Markdown or Streamlit's Markdown reads as
# markup (links, emphasis, LaTeX, directives, icons, autolinks), written as
# character references: the browser shows the character, no parser meets it.
_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>\"'[]()*_`$:!#~|\\{}@=+-%^"}
# A line break as a reference too: two in a row would end Markdown's HTML block.
_ESCAPES.update({"\n": "&#10;", "\r": "&#13;"})
_ESCAPE_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


def escape(text: object) -> str:
    """`text` as SVG character data or an attribute value: the one escape
    every string from a figure goes through."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], str(text))


_MARKUP = re.compile(r"(<br\s*/?>|</?b>|</?i>)", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z]")


def plain(label: object) -> str:
    """A Plotly label (HTML-escaped text with <br>, <b>, <i>) as plain text,
    lines joined by newlines: what a hover or an alt text says."""
    lines = []
    for line in _lines(str(label)):
        lines.append("".join(text for text, _, _ in line))
    return "\n".join(lines)


def _lines(label: str) -> list[list[tuple[str, bool, bool]]]:
    """A Plotly label split into lines of (text, bold, italic) runs, the text
    unescaped. Any tag other than <br>, <b>, <i> is refused: builders
    escape data (formatting.chart_text), so a tag here is a builder's."""
    lines: list[list[tuple[str, bool, bool]]] = [[]]
    bold = italic = False
    for part in _MARKUP.split(label):
        low = part.lower()
        if not part:
            continue
        if _MARKUP.fullmatch(part):
            if low.startswith("<br"):
                lines.append([])
            elif low in ("<b>", "</b>"):
                bold = low == "<b>"
            else:
                italic = low == "<i>"
            continue
        if _TAG.search(part):  # a "<" before a letter is a tag to Plotly too ("n < 10" is text)
            raise UnsupportedFigure(f"label markup other than <br>, <b>, <i>: {part[:60]!r}")
        lines[-1].append((html.unescape(part), bold, italic))
    return lines


def _hover_title(text: object) -> str:
    return f"<title>{escape(plain(text))}</title>" if text else ""


# ---------------------------------------------------------------- text size

# Advance widths (per 1000 em) of Helvetica, a little wider than Source Sans:
# margins and legends measured with them leave room rather than overlap.
_WIDTHS = {
    **dict.fromkeys("il.,:;|!'", 278),
    **dict.fromkeys("jft/I[]()- ", 300),
    **dict.fromkeys("r", 333),
    **dict.fromkeys('"*^', 400),
    **dict.fromkeys("sczJ", 500),
    **dict.fromkeys("abdeghknopquvxyL0123456789$+<>=~#_?", 556),
    **dict.fromkeys("ABEKPSVXYFTZ", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    **dict.fromkeys("%W@", 900),
}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in px of one line of plain `text` at font `size`."""
    units = sum(_WIDTHS.get(c, 556 if ord(c) < 0x2000 else 800) for c in text)
    return units * size / 1000 * (1.05 if bold else 1.0)


def _label_size(label: str, size: float) -> tuple[float, float]:
    lines = _lines(label)
    width = max((sum(text_width(t, size, b) for t, b, _ in line) for line in lines), default=0.0)
    return width, size * (1 + LINE_HEIGHT * (len(lines) - 1))


def _wrap(label: str, size: float, width: float) -> str:
    """A one-line plain label broken into lines of at most `width` px (at spaces)."""
    if "<" in label or text_width(html.unescape(label), size) <= width:
        return label
    words, lines, line = label.split(" "), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if line and text_width(html.unescape(trial), size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    return "<br>".join(lines)


# ---------------------------------------------------------------- colours


def _rgba(colour: str | None) -> tuple[int, int, int, float] | None:
    if colour is None:
        return None
    c = colour.strip().lower()
    if c.startswith("#") and len(c) in (4, 7):
        h = c[1:] if len(c) == 7 else "".join(ch * 2 for ch in c[1:])
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0
    m = re.fullmatch(r"rgba?\(([^)]*)\)", c)
    if m:
        parts = [float(p) for p in m.group(1).split(",")]
        return int(parts[0]), int(parts[1]), int(parts[2]), parts[3] if len(parts) > 3 else 1.0
    named = {"white": (255, 255, 255), "black": (0, 0, 0), "transparent": (0, 0, 0)}
    if c in named:
        return (*named[c], 0.0 if c == "transparent" else 1.0)
    raise UnsupportedFigure(f"colour {colour!r}")


def _colour(colour: str | None) -> str:
    """A colour as an SVG paint ('none' for none), checked: only #hex, rgb(a) and a few names."""
    rgba = _rgba(colour)
    if rgba is None:
        return "none"
    r, g, b, a = rgba
    return f"#{r:02x}{g:02x}{b:02x}" if a >= 1 else f"rgba({r},{g},{b},{a:g})"


def _luminance(colour: str) -> float:
    r, g, b, _ = _rgba(colour) or (0, 0, 0, 1)

    def lin(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def scale_colour(scale: Sequence[Sequence[Any]], t: float) -> str:
    """The colour at `t` (0…1) of a Plotly colour scale, interpolated in RGB."""
    t = min(max(t, 0.0), 1.0)
    stops = [(float(p), _rgba(c) or (0, 0, 0, 1)) for p, c in scale]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
        if t <= p1:
            f = 0.0 if p1 == p0 else (t - p0) / (p1 - p0)
            r, g, b = (round(c0[i] + (c1[i] - c0[i]) * f) for i in range(3))
            return f"#{r:02x}{g:02x}{b:02x}"
    r, g, b, _ = stops[-1][1]
    return f"#{r:02x}{g:02x}{b:02x}"


def _dasharray(dash: str | None, width: float) -> str:
    w = max(width, 3.0)
    patterns = {
        None: "",
        "solid": "",
        "dot": f"{w:g},{w:g}",
        "dash": f"{3 * w:g},{3 * w:g}",
        "longdash": f"{5 * w:g},{5 * w:g}",
        "dashdot": f"{3 * w:g},{w:g},{w:g},{w:g}",
    }
    if dash not in patterns:
        raise UnsupportedFigure(f"line dash {dash!r}")
    return f' stroke-dasharray="{patterns[dash]}"' if patterns[dash] else ""


# ---------------------------------------------------------------- the figure as data

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_EPOCH = dt.datetime(1970, 1, 1)


def _date_ms(value: str) -> float:
    return (dt.datetime.fromisoformat(value.replace(" ", "T")) - _EPOCH).total_seconds() * 1000


def _array(value: Any) -> list:
    """A trace's array as a list (Plotly's JSON writes numpy arrays as base64)."""
    if value is None:
        return []
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            arr = arr.reshape([int(s) for s in str(value["shape"]).split(",")])
        return arr.tolist()
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def _title_text(title: Any) -> str:
    if isinstance(title, dict):
        return title.get("text") or ""
    return title or ""


_LAYOUT_KEYS = {
    "template", "title", "height", "width", "showlegend", "legend", "margin", "annotations", "shapes",
    "scattermode", "scattergap", "modebar", "font", "hovermode", "hoverlabel", "colorway", "paper_bgcolor",
    "plot_bgcolor", "autosize",
}  # fmt: skip
_AXIS_KEYS = {
    "anchor", "domain", "matches", "showticklabels", "title", "type", "range", "autorange", "rangemode",
    "dtick", "tick0", "tickprefix", "ticksuffix", "showgrid", "gridcolor", "zeroline", "linecolor", "ticks",
    "tickcolor", "automargin", "visible", "side", "nticks", "categoryorder", "categoryarray", "showline",
    "ticklen", "tickfont", "linewidth",
}  # fmt: skip
_SCATTER_KEYS = {
    "type", "x", "y", "mode", "fill", "fillcolor", "line", "marker", "name", "legendgroup", "showlegend",
    "hovertext", "hoverinfo", "text", "textposition", "textfont", "connectgaps", "error_x", "error_y",
    "orientation", "xaxis", "yaxis", "visible", "cliponaxis",
}  # fmt: skip
_HEATMAP_KEYS = {
    "type", "x", "y", "z", "text", "texttemplate", "hovertext", "hoverinfo", "colorscale", "zmin", "zmax",
    "colorbar", "xgap", "ygap", "xaxis", "yaxis", "name", "showscale", "visible",
}  # fmt: skip
_ANNOTATION_KEYS = {
    "text", "x", "y", "xref", "yref", "xanchor", "yanchor", "showarrow", "font", "bgcolor", "hovertext",
    "xshift", "yshift", "align", "borderpad",
}  # fmt: skip
_SHAPE_KEYS = {"type", "x0", "x1", "y0", "y1", "xref", "yref", "line", "layer"}
_MARKER_SYMBOLS = {
    "circle",
    "circle-open",
    "diamond",
    "diamond-open",
    "square",
    "square-open",
    "line-ns-open",
}


def _check(what: str, keys: Iterable[str], allowed: set[str]) -> None:
    unknown = sorted(set(keys) - allowed)
    if unknown:
        raise UnsupportedFigure(f"{what}: {', '.join(unknown)} (not drawn by charts/svg.py)")


@dataclass
class Axis:
    """One axis: where it sits (px) and how values map onto it."""

    name: str  # 'x', 'x2', 'y', …
    spec: dict
    letter: str
    domain: tuple[float, float]
    anchor: str
    kind: str = "linear"  # linear, date, category
    categories: list[str] = field(default_factory=list)
    lo: float = 0.0
    hi: float = 1.0
    p0: float = 0.0  # pixel of lo
    p1: float = 1.0  # pixel of hi
    ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return self.spec.get("visible", True) is not False

    def value(self, v: Any) -> float | None:
        """A data value on this axis as a number (date: ms, category: index)."""
        if v is None:
            return None
        if self.kind == "category":
            return float(self.categories.index(str(v))) if str(v) in self.categories else None
        if self.kind == "date":
            return _date_ms(v) if isinstance(v, str) else float(v)
        if isinstance(v, float) and math.isnan(v):
            return None
        return float(v)

    def px(self, v: float) -> float:
        return self.p0 + (v - self.lo) / ((self.hi - self.lo) or 1.0) * (self.p1 - self.p0)

    def data_px(self, v: Any) -> float | None:
        n = self.value(v)
        return None if n is None else self.px(n)


# ---------------------------------------------------------------- ticks


def _nice(rough: float) -> float:
    base = 10 ** math.floor(math.log10(rough))
    for m in (1, 2, 5, 10):
        if rough <= m * base * 1.0000001:
            return m * base
    return 10 * base


def _number(v: float, step: float) -> str:
    """A tick value as Plotly writes it: no more decimals than the step needs, k/M/B from 10 000."""
    scale, suffix = 1.0, ""
    big = abs(v) >= 1e4 or abs(step) >= 1e4
    if big:
        for s, word in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if max(abs(v), abs(step)) >= s * 10 or (abs(step) >= s):
                scale, suffix = s, word
                break
    decimals = max(0, -math.floor(math.log10(step / scale) + 1e-9)) if step else 0
    text = f"{v / scale:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", "−") + suffix


def _linear_ticks(axis: Axis, length: float) -> None:
    spec = axis.spec
    lo, hi = sorted((axis.lo, axis.hi))
    span = hi - lo or 1.0
    if "dtick" in spec:
        step = float(spec["dtick"])
    else:
        n = spec.get("nticks") or min(max(length / (80 if axis.letter == "x" else 40), 4), 9) + 1
        step = _nice(span / max(n - 1, 1))
    start = math.ceil((lo - float(spec.get("tick0", 0))) / step - 1e-9) * step + float(spec.get("tick0", 0))
    values = []
    v = start
    while v <= hi + step * 1e-9 and len(values) < 200:
        values.append(round(v, 12))
        v += step
    prefix, suffix = spec.get("tickprefix", ""), spec.get("ticksuffix", "")
    axis.ticks = [(v, f"{prefix}{_number(v, step)}{suffix}") for v in values]


_DAY = 86_400_000.0


_DATE_STEPS = (("day", 1), ("day", 2), ("day", 7), ("day", 14), ("month", 1), ("month", 2), ("month", 3),
               ("month", 6), ("year", 12), ("year", 24), ("year", 60))  # fmt: skip


def _calendar(start: dt.date, end: dt.date, unit: str, step: int) -> list[dt.date]:
    """Dates from `start` to `end` every `step` days (weekly steps on Mondays)
    or every `step` months (on the 1st, months a multiple of the step from January)."""
    out: list[dt.date] = []
    if unit == "day":
        d = start + dt.timedelta(days=(7 - start.weekday()) % 7 if step >= 7 else 0)
        while d <= end:
            out.append(d)
            d += dt.timedelta(days=step)
        return out
    y, m = start.year, start.month
    if dt.date(y, m, 1) < start:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    while (m - 1) % min(step, 12) or (step > 12 and y % (step // 12)):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    while dt.date(y, m, 1) <= end:
        out.append(dt.date(y, m, 1))
        m += step
        while m > 12:
            y, m = y + 1, m - 12
    return out


def _date_label(d: dt.date, unit: str) -> str:
    return {"day": f"{d.day} {d:%b}", "month": f"{d:%b %Y}", "year": f"{d.year}"}[unit]


def _date_ticks(axis: Axis, length: float, size: float) -> None:
    """Ticks at the first calendar step (days, Mondays, months, quarters,
    years) that gives no more than Plotly's count and whose labels fit side by side."""
    lo, hi = sorted((axis.lo, axis.hi))
    n = axis.spec.get("nticks") or min(max(length / 80, 3), 9) + 1
    start = (_EPOCH + dt.timedelta(milliseconds=lo)).date()
    end = (_EPOCH + dt.timedelta(milliseconds=hi)).date()
    dates, unit = [start], "day"
    days = (end - start).days
    for unit, step in _DATE_STEPS:
        if days / (step if unit == "day" else step * 30.4) > n + 1:  # too many ticks: skip it uncounted
            continue
        dates = _calendar(start, end, unit, step)
        widest = max((text_width(_date_label(d, unit), size) for d in dates), default=0.0)
        if len(dates) <= n and len(dates) * (widest + 12) <= length:
            break
    axis.ticks = [
        ((dt.datetime(d.year, d.month, d.day) - _EPOCH).total_seconds() * 1000, _date_label(d, unit))
        for d in dates
    ]


def _category_ticks(axis: Axis, length: float, size: float) -> None:
    lo, hi = sorted((axis.lo, axis.hi))
    shown = [i for i in range(len(axis.categories)) if lo - 1e-9 <= i <= hi + 1e-9]
    prefix, suffix = axis.spec.get("tickprefix", ""), axis.spec.get("ticksuffix", "")
    labels = [f"{prefix}{axis.categories[i]}{suffix}" for i in shown]
    # Every label if they fit side by side, else every k-th (as Plotly does).
    step = 1
    if shown:
        per = length / max(len(shown), 1)
        need = (
            max(_label_size(lab, size)[0] for lab in labels) + 6
            if axis.letter == "x"
            else max(_label_size(lab, size)[1] for lab in labels) + 2
        )
        step = max(1, math.ceil(need / per)) if per > 0 else 1
    axis.ticks = [
        (float(i), lab) for k, (i, lab) in enumerate(zip(shown, labels, strict=True)) if k % step == 0
    ]


# ---------------------------------------------------------------- the renderer


@dataclass
class _Ink:
    font: str
    size: float
    colour: str


class _Figure:
    """One figure laid out at one width."""

    def __init__(self, spec: dict, width: int, uid: str = "") -> None:
        self.spec = spec
        template = (spec.get("layout", {}).get("template") or {}).get("layout", {})
        layout = spec.get("layout", {})
        _check("layout", (k for k in layout if not re.fullmatch(r"[xy]axis\d*", k)), _LAYOUT_KEYS)
        self.layout = _merge(
            {k: v for k, v in template.items() if k not in ("xaxis", "yaxis")},
            {k: v for k, v in layout.items() if k != "template"},
        )
        self.width = float(width)
        self.height = float(self.layout.get("height") or 450)
        font = self.layout.get("font", {})
        self.ink = _Ink(
            font.get("family", "Arial, sans-serif"), float(font.get("size", 12)), font.get("color", "#444444")
        )
        self.traces = [t for t in spec.get("data", []) if t.get("visible", True) is not False]
        for t in self.traces:
            kind = t.get("type", "scatter")
            if kind == "scatter":
                _check("scatter trace", t, _SCATTER_KEYS)
            elif kind == "heatmap":
                _check("heatmap trace", t, _HEATMAP_KEYS)
            else:
                raise UnsupportedFigure(f"trace type {kind!r} (charts/svg.py draws scatter and heatmap)")
        self.template_axes = {"x": template.get("xaxis", {}), "y": template.get("yaxis", {})}
        self.out: list[str] = []
        # Element ids are page-wide: the chart's id and the width keep them apart.
        self.uid = f"{re.sub(r'[^A-Za-z0-9_-]', '', uid)}-{int(width)}-"

    # ------------------------------------------------------------ axes

    def _axes(self) -> None:
        names = {"x", "y"} | {k.replace("axis", "") for k in self.layout if re.fullmatch(r"[xy]axis\d*", k)}
        for t in self.traces:
            names |= {t.get("xaxis", "x"), t.get("yaxis", "y")}
        self.axes: dict[str, Axis] = {}
        for name in sorted(names, key=lambda n: (n[0], int(n[1:] or 1))):
            spec = _merge(self.template_axes[name[0]], self.layout.get(f"{name[0]}axis{name[1:]}", {}))
            _check(f"{name[0]}axis{name[1:]}", spec, _AXIS_KEYS)
            if spec.get("tickformat"):
                raise UnsupportedFigure("axis tickformat")
            anchor = spec.get("anchor") or ("y" if name[0] == "x" else "x")
            self.axes[name] = Axis(name, spec, name[0], tuple(spec.get("domain", (0.0, 1.0))), anchor)
        # Matched axes share one range: group them.
        self.group: dict[str, str] = {}
        for name, axis in self.axes.items():
            root = axis.spec.get("matches") or name
            self.group[name] = root
        for name in self.axes:
            seen = set()
            while (
                self.group[name] != name and self.group[name] not in seen and self.group[name] in self.group
            ):
                seen.add(self.group[name])
                nxt = self.group[self.group[name]]
                if nxt == self.group[name]:
                    break
                self.group[name] = nxt

    def _axis_values(self) -> dict[str, list[Any]]:
        values: dict[str, list[Any]] = {n: [] for n in self.axes}
        for t in self.traces:
            xs, ys = _array(t.get("x")), _array(t.get("y"))
            values[t.get("xaxis", "x")] += xs
            values[t.get("yaxis", "y")] += ys
        return values

    def _types(self) -> None:
        values = self._axis_values()
        by_group: dict[str, list[Any]] = {}
        for name, vs in values.items():
            by_group.setdefault(self.group[name], []).extend(vs)
        for name, axis in self.axes.items():
            known = [v for v in by_group[self.group[name]] if v is not None]
            kind = axis.spec.get("type") or "-"
            if kind == "-":
                if any(isinstance(v, str) and not _DATE.match(v) for v in known):
                    kind = "category"
                elif known and all(isinstance(v, str) for v in known):
                    kind = "date"
                else:
                    kind = "linear"
            if kind not in ("linear", "date", "category"):
                raise UnsupportedFigure(f"axis type {kind!r}")
            axis.kind = kind
            if kind == "category":
                order = list(dict.fromkeys(str(v) for v in known))
                if axis.spec.get("categoryorder") == "array":
                    given = [str(c) for c in axis.spec.get("categoryarray", [])]
                    order = given + [c for c in order if c not in given]
                elif axis.spec.get("categoryorder") not in (None, "trace"):
                    raise UnsupportedFigure(f"categoryorder {axis.spec.get('categoryorder')!r}")
                axis.categories = order

    def _ranges(self, plot: dict[str, float]) -> None:
        """Each axis's range: given, else from the data with Plotly's padding
        (5 % of the axis plus half a marker), matched axes alike."""
        # Per axis group: (value, pad in px, pad as a share of the axis) of each extreme.
        extent: dict[str, list[tuple[float, float, float]]] = {g: [] for g in set(self.group.values())}
        scattermode = self.layout.get("scattermode")
        for t in self.traces:
            xa, ya = self.axes[t.get("xaxis", "x")], self.axes[t.get("yaxis", "y")]
            if t.get("type") == "heatmap":
                for axis, vs in ((xa, _array(t.get("x"))), (ya, _array(t.get("y")))):
                    idx = [axis.value(v) for v in vs]
                    idx = [i for i in idx if i is not None]
                    if idx:
                        extent[self.group[axis.name]] += [(min(idx) - 0.5, 0, 0), (max(idx) + 0.5, 0, 0)]
                continue
            mode = t.get("mode", "lines+markers")
            marker = t.get("marker", {})
            ppad = float(marker.get("size", 6)) / 2 + 1 if "markers" in mode else 0.0
            has_text = "text" in mode
            for axis, letter in ((xa, "x"), (ya, "y")):
                raw = _array(t.get(letter))
                nums = [axis.value(v) for v in raw]
                err = t.get(f"error_{letter}") or {}
                points: list[float] = []
                for i, v in enumerate(nums):
                    if v is None:
                        continue
                    points.append(v)
                    if err and err.get("visible", True) is not False:
                        plus = _array(err.get("array"))
                        minus = _array(err.get("arrayminus")) if err.get("symmetric") is False else plus
                        if i < len(plus) and plus[i] is not None:
                            points.append(v + plus[i])
                        if i < len(minus) and minus[i] is not None:
                            points.append(v - minus[i])
                if not points:
                    continue
                cross = t.get("error_y" if letter == "x" else "error_x") or {}
                padded = (
                    "markers" in mode or has_text or bool(cross and cross.get("visible", True) is not False)
                )
                share = 0.05 if padded else 0.0
                extent[self.group[axis.name]] += [(min(points), ppad, share), (max(points), ppad, share)]
        for name, axis in self.axes.items():
            length = abs(plot[name + "1"] - plot[name + "0"])
            given = axis.spec.get("range") or self.axes[self.group[name]].spec.get("range")
            if given is not None and given[0] is not None and given[1] is not None:
                lo, hi = axis.value(given[0]), axis.value(given[1])
            else:
                points = extent.get(self.group[name], [])
                if axis.kind == "category":
                    n = len(axis.categories)
                    lo, hi = -0.5, max(n - 0.5, 0.5)
                    if scattermode == "group":
                        lo, hi = -0.5, n - 0.5
                elif not points:
                    lo, hi = (-1.0, 6.0) if axis.kind == "linear" else (0.0, 7 * _DAY)
                else:
                    lo, hi = self._autorange(points, length, axis)
            if axis.spec.get("autorange") == "reversed":
                lo, hi = hi, lo
            axis.lo, axis.hi = lo, hi

    @staticmethod
    def _autorange(
        points: list[tuple[float, float, float]], length: float, axis: Axis
    ) -> tuple[float, float]:
        """Plotly's autorange: the extremes in view with their pads (px and share of the axis)."""
        vmin = min(v for v, _, _ in points)
        vmax = max(v for v, _, _ in points)
        fmin = max(px / max(length, 1.0) + share for v, px, share in points if v == vmin)
        fmax = max(px / max(length, 1.0) + share for v, px, share in points if v == vmax)
        if axis.spec.get("rangemode") == "tozero":
            if vmin > 0:
                vmin, fmin = 0.0, 0.0
            if vmax < 0:
                vmax, fmax = 0.0, 0.0
        if vmax == vmin:
            delta = abs(vmin) * 0.1 or (_DAY if axis.kind == "date" else 1.0)
            return vmin - delta, vmax + delta
        span = (vmax - vmin) / max(1 - fmin - fmax, 0.2)
        return vmin - fmin * span, vmax + fmax * span

    def _ticks(self) -> None:
        for axis in self.axes.values():
            length = abs(axis.p1 - axis.p0)
            if axis.kind == "date":
                _date_ticks(axis, length, self._tick_size(axis))
            elif axis.kind == "category":
                _category_ticks(axis, length, self._tick_size(axis))
            else:
                _linear_ticks(axis, length)

    def _tick_size(self, axis: Axis) -> float:
        return float((axis.spec.get("tickfont") or {}).get("size", self.ink.size))

    def _shows_labels(self, axis: Axis) -> bool:
        return axis.visible and axis.spec.get("showticklabels", True) is not False

    # ------------------------------------------------------------ layout

    def _title_lines(self) -> tuple[str, str]:
        title = self.layout.get("title", {})
        text = _title_text(title)
        sub = _title_text(title.get("subtitle")) if isinstance(title, dict) else ""
        size = (
            float((title.get("font") or {}).get("size", self.ink.size * 1.3))
            if isinstance(title, dict)
            else 16
        )
        return _wrap(text, size, self.width - 8) if text else "", _wrap(sub, self.ink.size, self.width - 8)

    def _legend_items(self) -> list[dict]:
        explicit = self.layout.get("showlegend")
        items = [
            t
            for t in self.traces
            if t.get("type", "scatter") == "scatter"
            and t.get("showlegend", True) is not False
            and t.get("name")
        ]
        if explicit is None:
            explicit = len(items) > 1 or any(t.get("showlegend") is True for t in items)
        if not explicit:
            return []
        if (self.layout.get("legend") or {}).get("traceorder") == "reversed":
            items = items[::-1]
        return items

    def _legend_box(self, items: list[dict], max_width: float, horizontal: bool) -> tuple[float, float, list]:
        """(width, height, [(item, x, y)]) of the legend laid out in `max_width`."""
        size = float(((self.layout.get("legend") or {}).get("font") or {}).get("size", self.ink.size))
        row_h = size * 1.6
        placed, x, y, width = [], 0.0, 0.0, 0.0
        for item in items:
            w = 40 + text_width(plain(item.get("name", "")), size) + 10
            if horizontal and x > 0 and x + w > max_width:
                x, y = 0.0, y + row_h
            placed.append((item, x, y))
            width = max(width, x + w)
            if horizontal:
                x += w
            else:
                y += row_h
        height = (y + row_h) if horizontal else y
        return width, height, placed

    def layout_plot(self) -> None:
        """Margins grown for tick labels, axis titles, the legend and the
        colour bar (Plotly's automargin), then every axis in pixels."""
        margin = self.layout.get("margin", {})
        left, right = float(margin.get("l", 80)), float(margin.get("r", 80))
        top, bottom = float(margin.get("t", 100)), float(margin.get("b", 80))
        self.title, self.subtitle = self._title_lines()
        title = self.layout.get("title", {}) if isinstance(self.layout.get("title"), dict) else {}
        self.title_size = float((title.get("font") or {}).get("size", self.ink.size * 1.3))
        title_h = _label_size(self.title, self.title_size)[1] if self.title else 0.0
        sub_h = _label_size(self.subtitle, self.ink.size)[1] + 4 if self.subtitle else 0.0
        top += max(0.0, title_h + sub_h - self.title_size - 4) if self.title else 0.0
        self.title_top = self.height * (1 - float(title.get("y", 0.97))) if self.title else 0.0
        self.title_bottom = self.title_top + title_h + sub_h
        self._axes()
        self._types()
        items = self._legend_items()
        legend = self.layout.get("legend") or {}
        self.legend_horizontal = legend.get("orientation", "v") == "h"
        if not self.legend_horizontal and items:
            w, _, _ = self._legend_box(items, self.width, False)
            if w > 0.3 * self.width:  # a side legend would squeeze a narrow chart: put it below
                self.legend_horizontal = True
                legend = {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top", "xanchor": "left"}
        self.legend = legend
        colorbar = next(
            (t for t in self.traces if t.get("type") == "heatmap" and t.get("showscale", True) is not False),
            None,
        )
        extra = {"l": 0.0, "r": 0.0, "t": 0.0, "b": 0.0}
        for _ in range(3):  # margins need tick labels, which need the axes' lengths: settle in turns
            plot = {
                "x0": left + extra["l"],
                "x1": self.width - right - extra["r"],
                "y0": self.height - bottom - extra["b"],
                "y1": top + extra["t"],
            }
            self.plot = plot
            self._place_axes()
            self._ranges({**self._axis_px()})
            self._place_axes()
            self._ticks()
            needed = self._needed(items, colorbar)
            needed["t"] = max(needed["t"], extra["t"] + self._under_title())
            extra = needed
        self.colorbar = colorbar
        self.legend_items = items

    def _axis_px(self) -> dict[str, float]:
        out = {}
        for name, axis in self.axes.items():
            out[name + "0"], out[name + "1"] = axis.p0, axis.p1
        return out

    def _place_axes(self) -> None:
        p = self.plot
        for axis in self.axes.values():
            d0, d1 = axis.domain
            if axis.letter == "x":
                axis.p0 = p["x0"] + d0 * (p["x1"] - p["x0"])
                axis.p1 = p["x0"] + d1 * (p["x1"] - p["x0"])
            else:
                axis.p0 = p["y0"] + d0 * (p["y1"] - p["y0"])
                axis.p1 = p["y0"] + d1 * (p["y1"] - p["y0"])

    def _axis_title_text(self, axis: Axis) -> tuple[str, float]:
        """An axis's title, broken into lines no longer than the axis, and its font size."""
        text = _title_text(axis.spec.get("title"))
        size = float(((axis.spec.get("title") or {}).get("font") or {}).get("size", self.ink.size))
        return (_wrap(text, size, abs(axis.p1 - axis.p0) + 20) if text else ""), size

    def _title_block(self, axis: Axis) -> float:
        text, size = self._axis_title_text(axis)
        if not text or not axis.visible:
            return 0.0
        standoff = float((axis.spec.get("title") or {}).get("standoff", 8))
        return _label_size(text, size)[1] + standoff

    def _needed(self, items: list[dict], colorbar: dict | None) -> dict[str, float]:
        need = {"l": 0.0, "r": 0.0, "t": 0.0, "b": 0.0}
        p = self.plot
        for axis in self.axes.values():
            if not axis.visible:
                continue
            size = self._tick_size(axis)
            labels = [lab for _, lab in axis.ticks] if self._shows_labels(axis) else []
            if axis.letter == "y":
                on_left = self.axes.get(axis.anchor) is None or self.axes[axis.anchor].domain[0] <= 0.01
                if not on_left:
                    continue
                w = max((_label_size(lab, size)[0] for lab in labels), default=0.0)
                need["l"] = max(need["l"], w + TICK_LENGTH + 4 + self._title_block(axis))
            else:
                anchor = self.axes.get(axis.anchor)
                at_bottom = anchor is None or anchor.domain[0] <= 0.01
                top_side = axis.spec.get("side") == "top"
                h = max((_label_size(lab, size)[1] for lab in labels), default=0.0)
                block = h + TICK_LENGTH + 4 + self._title_block(axis)
                if top_side:
                    need["t"] = max(need["t"], block)
                elif at_bottom:
                    need["b"] = max(need["b"], block)
        self.x_block = need["b"]
        if items:
            if self.legend_horizontal:
                width = self.width - 20
                _, h, _ = self._legend_box(items, width, True)
                y = float(self.legend.get("y", -0.12))
                if y < 0:
                    need["b"] += h + 10
                elif y > 1:
                    need["t"] = max(need["t"], h + 2)
            else:
                w, _, _ = self._legend_box(items, self.width, False)
                if float(self.legend.get("x", 1.02)) > 1:
                    need["r"] = max(need["r"], w + 0.02 * (p["x1"] - p["x0"]))
        if colorbar is not None:
            cb = colorbar.get("colorbar", {})
            ticks = self._colorbar_ticks(colorbar)
            w = max((text_width(lab, self.ink.size) for _, lab in ticks), default=20.0)
            title_w = text_width(plain(_title_text(cb.get("title"))), self.ink.size)
            need["r"] = max(need["r"], 10 + 22 + 6 + max(w, title_w - 22) + 4)
        return need

    # ------------------------------------------------------------ drawing

    def draw(self) -> str:
        self.layout_plot()
        paper = _colour(self.layout.get("paper_bgcolor", "white"))
        plot_bg = _colour(self.layout.get("plot_bgcolor", "white"))
        o = self.out
        font = escape(self.ink.font)
        o.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:g} {self.height:g}" '
            f'width="100%" role="img" font-family="{font}" font-size="{self.ink.size:g}" '
            f'fill="{_colour(self.ink.colour)}">'
        )
        o.append(f'<rect width="{self.width:g}" height="{self.height:g}" fill="{paper}"/>')
        subplots = self._subplots()
        for i, (xa, ya) in enumerate(subplots):
            x0, x1 = sorted((xa.p0, xa.p1))
            y0, y1 = sorted((ya.p0, ya.p1))
            if plot_bg != paper:
                o.append(
                    f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="{plot_bg}"/>'
                )
            o.append(
                f'<clipPath id="c{self.uid}{i}"><rect x="{x0 - 1:.1f}" y="{y0 - 1:.1f}" '
                f'width="{x1 - x0 + 2:.1f}" height="{y1 - y0 + 2:.1f}"/></clipPath>'
            )
        for xa, ya in subplots:
            self._grid(xa, ya)
        self._shapes("below")
        for t in self.traces:
            xa, ya = self.axes[t.get("xaxis", "x")], self.axes[t.get("yaxis", "y")]
            clip = f"c{self.uid}{subplots.index((xa, ya))}"
            if t.get("type") == "heatmap":
                self._heatmap(t, xa, ya)
            else:
                self._scatter(t, xa, ya, clip)
        for xa, ya in subplots:
            self._axis_labels(xa, ya)
        self._shapes("above")
        self._annotations()
        self._title()
        self._legend()
        if self.colorbar is not None:
            self._colorbar(self.colorbar)
        o.append("</svg>")
        return "".join(o)

    def _subplots(self) -> list[tuple[Axis, Axis]]:
        pairs = []
        for axis in self.axes.values():
            if axis.letter == "x" and axis.anchor in self.axes:
                pairs.append((axis, self.axes[axis.anchor]))
        return pairs

    def _grid(self, xa: Axis, ya: Axis) -> None:
        o = self.out
        for axis, other in ((xa, ya), (ya, xa)):
            if not axis.visible or axis.spec.get("showgrid") is False or axis.kind == "category":
                continue
            colour = _colour(axis.spec.get("gridcolor", "#eeeeee"))
            a, b = sorted((other.p0, other.p1))
            lo, hi = sorted((axis.p0, axis.p1))
            for v, _ in axis.ticks:
                p = axis.px(v)
                if not lo - 0.5 <= p <= hi + 0.5:
                    continue
                if axis.letter == "x":
                    o.append(f'<line x1="{p:.1f}" x2="{p:.1f}" y1="{a:.1f}" y2="{b:.1f}" stroke="{colour}"/>')
                else:
                    o.append(f'<line x1="{a:.1f}" x2="{b:.1f}" y1="{p:.1f}" y2="{p:.1f}" stroke="{colour}"/>')

    def _axis_labels(self, xa: Axis, ya: Axis) -> None:
        o = self.out
        for axis, other in ((xa, ya), (ya, xa)):
            if not axis.visible:
                continue
            spec = axis.spec
            size = self._tick_size(axis)
            tick_colour = _colour(spec.get("tickcolor", "#444444"))
            ticks_out = spec.get("ticks") == "outside"
            lo, hi = sorted((axis.p0, axis.p1))
            top = axis.letter == "x" and spec.get("side") == "top"
            edge = (
                (min(other.p0, other.p1) if top else max(other.p0, other.p1))
                if axis.letter == "x"
                else min(other.p0, other.p1)
            )
            if spec.get("showline"):
                line = _colour(spec.get("linecolor", "#444444"))
                if axis.letter == "x":
                    o.append(
                        f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="{edge:.1f}" y2="{edge:.1f}" stroke="{line}"/>'
                    )
                else:
                    o.append(
                        f'<line x1="{edge:.1f}" x2="{edge:.1f}" y1="{lo:.1f}" y2="{hi:.1f}" stroke="{line}"/>'
                    )
            shown = self._shows_labels(axis)
            for v, label in axis.ticks:
                p = axis.px(v)
                if not lo - 0.5 <= p <= hi + 0.5:
                    continue
                if axis.letter == "x":
                    direction = -1 if top else 1
                    if ticks_out:
                        o.append(
                            f'<line x1="{p:.1f}" x2="{p:.1f}" y1="{edge:.1f}" '
                            f'y2="{edge + direction * TICK_LENGTH:.1f}" stroke="{tick_colour}"/>'
                        )
                    if shown:
                        y = edge + direction * (TICK_LENGTH + 3)
                        o.append(self._text(label, p, y, "middle", "top" if not top else "bottom", size))
                else:
                    if ticks_out:
                        o.append(
                            f'<line x1="{edge - TICK_LENGTH:.1f}" x2="{edge:.1f}" y1="{p:.1f}" y2="{p:.1f}" '
                            f'stroke="{tick_colour}"/>'
                        )
                    if shown:
                        o.append(self._text(label, edge - TICK_LENGTH - 3, p, "end", "middle", size))
            self._axis_title(axis, other, edge, top)

    def _axis_title(self, axis: Axis, other: Axis, edge: float, top: bool) -> None:
        text, size = self._axis_title_text(axis)
        if not text:
            return
        title = axis.spec.get("title") or {}
        standoff = float(title.get("standoff", 8))
        labels = [lab for _, lab in axis.ticks] if self._shows_labels(axis) else []
        tick = self._tick_size(axis)
        mid = (axis.p0 + axis.p1) / 2
        if axis.letter == "x":
            h = max((_label_size(lab, tick)[1] for lab in labels), default=0.0)
            offset = TICK_LENGTH + 3 + h + standoff
            if top:
                self.out.append(self._text(text, mid, edge - offset, "middle", "bottom", size))
            else:
                self.out.append(self._text(text, mid, edge + offset, "middle", "top", size))
        else:
            w = max((_label_size(lab, tick)[0] for lab in labels), default=0.0)
            x = edge - TICK_LENGTH - 3 - w - standoff
            self.out.append(self._text(text, x, mid, "middle", "bottom", size, rotate=-90))

    # ------------------------------------------------------------ text

    def _text(
        self,
        label: str,
        x: float,
        y: float,
        anchor: str,
        valign: str,
        size: float,
        colour: str | None = None,
        rotate: float = 0,
        title: str = "",
        align: str | None = None,
    ) -> str:
        """A multi-line label at (x, y): `anchor` start/middle/end, `valign`
        top/middle/bottom of the whole block."""
        lines = _lines(label)
        step = size * LINE_HEIGHT
        block = size + step * (len(lines) - 1)
        # The first baseline: cap height ~0.75 em below the block's top.
        first = {
            "top": y + size * 0.8,
            "middle": y - block / 2 + size * 0.8,
            "bottom": y - block + size * 0.8,
        }[valign]
        if rotate:
            first = y
        fill = f' fill="{_colour(colour)}"' if colour else ""
        transform = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
        if rotate:  # a rotated title reads upwards, its lines stacked to the left of the first
            first = y
        parts = [
            f'<text x="{x:.1f}" y="{first:.1f}" text-anchor="{anchor}" font-size="{size:g}"{fill}{transform}>'
            f"{_hover_title(title)}"
        ]
        for i, line in enumerate(lines):
            dy = "" if i == 0 else f' dy="{step:.1f}"'
            runs = []
            for k, (text, bold, italic) in enumerate(line):
                style = (' font-weight="bold"' if bold else "") + (' font-style="italic"' if italic else "")
                if k == 0:
                    runs.append(f'<tspan x="{x:.1f}"{dy}{style}>{escape(text)}</tspan>')
                else:
                    runs.append(f"<tspan{style}>{escape(text)}</tspan>")
            if not runs:
                runs.append(f'<tspan x="{x:.1f}"{dy}> </tspan>')
            parts.append("".join(runs))
        parts.append("</text>")
        return "".join(parts)

    # ------------------------------------------------------------ traces

    def _group_offset(self, trace: dict, ya: Axis) -> float:
        """scattermode 'group': a trace's shift (in category units) within its category band."""
        if self.layout.get("scattermode") != "group":
            return 0.0
        if trace.get("orientation") != "h":
            raise UnsupportedFigure("scattermode 'group' with vertical traces")
        peers = [
            t
            for t in self.traces
            if t.get("type", "scatter") == "scatter" and t.get("yaxis", "y") == trace.get("yaxis", "y")
        ]
        gap = float(self.layout.get("scattergap", 0) or 0)
        width = 1 - gap
        slot = width / len(peers)
        return -width / 2 + (peers.index(trace) + 0.5) * slot

    def _scatter(self, t: dict, xa: Axis, ya: Axis, clip: str) -> None:
        o = self.out
        mode = t.get("mode") or "lines+markers"
        if t.get("fill") not in (None, "none", "toself"):
            raise UnsupportedFigure(f"scatter fill {t.get('fill')!r}")
        xs, ys = _array(t.get("x")), _array(t.get("y"))
        shift = self._group_offset(t, ya)
        points: list[tuple[float, float] | None] = []
        for xv, yv in zip(xs, ys, strict=False):
            x, y = xa.value(xv), ya.value(yv)
            if x is None or y is None:
                points.append(None)
                continue
            points.append((xa.px(x), ya.px(y + shift)))
        line = t.get("line") or {}
        colourway = self.layout.get("colorway") or ["#444444"]
        default = colourway[self.traces.index(t) % len(colourway)]
        colour = line.get("color") or (t.get("marker") or {}).get("color") or default
        width = float(line.get("width", 2))
        o.append(f'<g clip-path="url(#{clip})">' if t.get("cliponaxis", True) is not False else "<g>")
        if t.get("fill") == "toself":
            known = [p for p in points if p is not None]
            if known:
                fill = _colour(t.get("fillcolor") or colour)
                d = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in known) + "Z"
                stroke = f' stroke="{_colour(colour)}" stroke-width="{width:g}"' if width > 0 else ""
                o.append(f'<path class="pm-band" d="{d}" fill="{fill}"{stroke}/>')
        elif "lines" in mode and width > 0:
            self._lines(points, line, colour, width, t.get("connectgaps") is True)
        self._errors(t, xa, ya, shift)
        if "markers" in mode:
            self._markers(t, points, colour)
        o.append("</g>")
        if "text" in mode:
            self._point_texts(t, points, colour)

    def _lines(self, points, line: dict, colour: str, width: float, connect: bool) -> None:
        shape = line.get("shape", "linear")
        if shape not in ("linear", "hv"):
            raise UnsupportedFigure(f"line shape {shape!r}")
        runs: list[list[tuple[float, float]]] = [[]]
        for p in points:
            if p is None:
                if not connect and runs[-1]:
                    runs.append([])
                continue
            runs[-1].append(p)
        dash = _dasharray(line.get("dash"), width)
        for run in runs:
            if len(run) < 2:
                continue
            if shape == "hv":
                d = f"M{run[0][0]:.1f},{run[0][1]:.1f}" + "".join(f"H{x:.1f}V{y:.1f}" for (x, y) in run[1:])
            else:
                d = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in run)
            o = self.out
            o.append(
                f'<path class="pm-line" d="{d}" fill="none" stroke="{_colour(colour)}" stroke-width="{width:g}" '
                f'stroke-linejoin="round"{dash}/>'
            )

    def _errors(self, t: dict, xa: Axis, ya: Axis, shift: float) -> None:
        xs, ys = _array(t.get("x")), _array(t.get("y"))
        for letter in ("x", "y"):
            err = t.get(f"error_{letter}")
            if not err or err.get("visible", True) is False:
                continue
            if err.get("type", "data") != "data":
                raise UnsupportedFigure(f"error bar type {err.get('type')!r}")
            plus = _array(err.get("array"))
            minus = _array(err.get("arrayminus")) if err.get("symmetric") is False else plus
            colour = _colour(err.get("color") or "#444444")
            thick = float(err.get("thickness", 2))
            cap = float(err.get("width", 4))
            for i, (xv, yv) in enumerate(zip(xs, ys, strict=False)):
                x, y = xa.value(xv), ya.value(yv)
                if x is None or y is None:
                    continue
                y += shift
                hi = plus[i] if i < len(plus) and plus[i] is not None else 0.0
                lo = minus[i] if i < len(minus) and minus[i] is not None else 0.0
                if letter == "x":
                    a, b, py = xa.px(x - lo), xa.px(x + hi), ya.px(y)
                    segs = [(a, py, b, py), (a, py - cap, a, py + cap), (b, py - cap, b, py + cap)]
                else:
                    a, b, px = ya.px(y - lo), ya.px(y + hi), xa.px(x)
                    segs = [(px, a, px, b), (px - cap, a, px + cap, a), (px - cap, b, px + cap, b)]
                d = "".join(f"M{x1:.1f},{y1:.1f}L{x2:.1f},{y2:.1f}" for x1, y1, x2, y2 in segs)
                self.out.append(
                    f'<path class="pm-error" d="{d}" stroke="{colour}" stroke-width="{thick:g}"/>'
                )

    def _hovers(self, t: dict) -> list[str]:
        info = t.get("hoverinfo", "all")
        if info in ("skip", "none"):
            return []
        source = (
            t.get("hovertext")
            if t.get("hovertext") is not None
            else t.get("text")
            if info == "text"
            else None
        )
        if isinstance(source, str):  # one text for every point
            return [source] * len(_array(t.get("x")))
        if source is not None:
            return [str(h) if h is not None else "" for h in _array(source)]
        name = t.get("name") or ""
        return [f"{name}<br>{x}, {y}" for x, y in zip(_array(t.get("x")), _array(t.get("y")), strict=False)]

    def _markers(self, t: dict, points, colour: str) -> None:
        marker = t.get("marker") or {}
        symbols = _array(marker.get("symbol", "circle"))
        sizes = _array(marker.get("size", 6))
        colours = _array(marker.get("color", colour))
        outline = marker.get("line") or {}
        hovers = self._hovers(t)
        for i, p in enumerate(points):
            if p is None:
                continue
            symbol = symbols[i % len(symbols)] or "circle"
            if symbol not in _MARKER_SYMBOLS:
                raise UnsupportedFigure(f"marker symbol {symbol!r}")
            size = float(sizes[i % len(sizes)])
            fill = _colour(colours[i % len(colours)])
            stroke = _colour(outline.get("color")) if outline.get("color") else fill
            sw = float(outline.get("width", 0))
            if symbol.endswith("-open"):
                stroke, fill, sw = fill, "none", max(sw, 1.0)
            title = _hover_title(hovers[i]) if i < len(hovers) else ""
            x, y, r = p[0], p[1], size / 2
            paint = f'fill="{fill}"' + (f' stroke="{stroke}" stroke-width="{sw:g}"' if sw else "")
            if symbol.startswith("circle"):
                shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}>'
                end = "</circle>"
            elif symbol.startswith("square"):
                shape = (
                    f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{size:.1f}" height="{size:.1f}" {paint}>'
                )
                end = "</rect>"
            elif symbol.startswith("diamond"):
                d = f"M{x:.1f},{y - r * 1.3:.1f}L{x + r * 1.3:.1f},{y:.1f}L{x:.1f},{y + r * 1.3:.1f}L{x - r * 1.3:.1f},{y:.1f}Z"
                shape = f'<path d="{d}" {paint}>'
                end = "</path>"
            else:  # line-ns-open: a vertical tick
                shape = (
                    f'<path d="M{x:.1f},{y - r:.1f}V{y + r:.1f}" stroke="{fill if fill != "none" else stroke}" '
                    f'stroke-width="{max(sw, 1):g}">'
                )
                end = "</path>"
            self.out.append(f'<g class="pm-point">{shape}{title}{end}</g>' if title else shape + end)

    def _point_texts(self, t: dict, points, colour: str) -> None:
        texts = _array(t.get("text"))
        if not texts:
            return
        font = t.get("textfont") or {}
        size = float(font.get("size", self.ink.size))
        fill = font.get("color") or self.ink.colour
        positions = _array(t.get("textposition", "middle center"))
        marker = t.get("marker") or {}
        sizes = _array(marker.get("size", 6))
        has_markers = "markers" in (t.get("mode") or "")
        for i, p in enumerate(points):
            if p is None or i >= len(texts) or not texts[i]:
                continue
            pos = positions[i % len(positions)]
            r = float(sizes[i % len(sizes)]) / 2 if has_markers else 0.0
            vertical, _, horizontal = pos.partition(" ")
            x, y = p
            if horizontal == "right":
                anchor, x = "start", x + (r * 0.7 + 2 if vertical != "middle" else r + 2)
            elif horizontal == "left":
                anchor, x = "end", x - (r * 0.7 + 2 if vertical != "middle" else r + 2)
            else:
                anchor = "middle"
            if vertical == "top":
                valign, y = "bottom", y - (r + 2 if horizontal == "center" else r * 0.7 + 1)
            elif vertical == "bottom":
                valign, y = "top", y + (r + 2 if horizontal == "center" else r * 0.7 + 1)
            else:
                valign = "middle"
            self.out.append(self._text(str(texts[i]), x, y, anchor, valign, size, fill))

    def _heatmap(self, t: dict, xa: Axis, ya: Axis) -> None:
        if t.get("texttemplate") not in (None, "%{text}"):
            raise UnsupportedFigure(f"heatmap texttemplate {t.get('texttemplate')!r}")
        z = _array(t.get("z"))
        xs, ys = _array(t.get("x")), _array(t.get("y"))
        text = _array(t.get("text"))
        hover = _array(t.get("hovertext")) if t.get("hoverinfo") not in ("skip", "none") else []
        scale = t.get("colorscale")
        if not isinstance(scale, list):
            raise UnsupportedFigure("heatmap colorscale by name (give the list of stops)")
        values = [v for row in z for v in row if v is not None]
        zmin = t.get("zmin", min(values, default=0.0))
        zmax = t.get("zmax", max(values, default=1.0))
        xgap, ygap = float(t.get("xgap", 0)), float(t.get("ygap", 0))
        size = self.ink.size
        for r, row in enumerate(z):
            yi = ya.value(ys[r]) if r < len(ys) else float(r)
            for c, v in enumerate(row):
                xi = xa.value(xs[c]) if c < len(xs) else float(c)
                if v is None or xi is None or yi is None:
                    continue
                x0, x1 = sorted((xa.px(xi - 0.5), xa.px(xi + 0.5)))
                y0, y1 = sorted((ya.px(yi - 0.5), ya.px(yi + 0.5)))
                x0, x1, y0, y1 = x0 + xgap / 2, x1 - xgap / 2, y0 + ygap / 2, y1 - ygap / 2
                fill = scale_colour(scale, (float(v) - zmin) / ((zmax - zmin) or 1.0))
                title = _hover_title(hover[r][c]) if hover and r < len(hover) and c < len(hover[r]) else ""
                self.out.append(
                    f'<rect class="pm-cell" x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 0):.1f}" '
                    f'height="{max(y1 - y0, 0):.1f}" fill="{fill}">{title}</rect>'
                )
                label = text[r][c] if text and r < len(text) and c < len(text[r]) else ""
                if label:
                    fits = min(size, (y1 - y0) * 0.7)
                    w = text_width(plain(label), fits)
                    if w > (x1 - x0) - 2:
                        fits *= ((x1 - x0) - 2) / w
                    if fits >= 7:
                        ink = "#FFFFFF" if _luminance(fill) < 0.35 else "#262730"
                        self.out.append(
                            f'<g pointer-events="none">{self._text(str(label), (x0 + x1) / 2, (y0 + y1) / 2, "middle", "middle", round(fits, 1), ink)}</g>'
                        )

    def _colorbar_ticks(self, t: dict) -> list[tuple[float, str]]:
        z = [v for row in _array(t.get("z")) for v in row if v is not None]
        zmin = float(t.get("zmin", min(z, default=0.0)))
        zmax = float(t.get("zmax", max(z, default=1.0)))
        cb = t.get("colorbar") or {}
        step = _nice((zmax - zmin) / 5 or 1.0)
        v = math.ceil(zmin / step) * step
        out = []
        while v <= zmax + 1e-9:
            out.append((v, f"{cb.get('tickprefix', '')}{_number(v, step)}{cb.get('ticksuffix', '')}"))
            v += step
        return out

    def _colorbar(self, t: dict) -> None:
        p = self.plot
        scale = t["colorscale"]
        z = [v for row in _array(t.get("z")) for v in row if v is not None]
        zmin, zmax = float(t.get("zmin", min(z, default=0.0))), float(t.get("zmax", max(z, default=1.0)))
        x = p["x1"] + 10
        top, bottom = p["y1"], p["y0"]
        cb = t.get("colorbar") or {}
        title = _title_text(cb.get("title"))
        if title:
            self.out.append(self._text(title, x, top, "start", "top", self.ink.size))
            top += self.ink.size * 1.6
        steps = 48
        h = (bottom - top) / steps
        for i in range(steps):
            fill = scale_colour(scale, 1 - (i + 0.5) / steps)
            self.out.append(
                f'<rect x="{x:.1f}" y="{top + i * h:.1f}" width="22" height="{h + 0.6:.2f}" fill="{fill}"/>'
            )
        for v, label in self._colorbar_ticks(t):
            y = bottom - (v - zmin) / ((zmax - zmin) or 1.0) * (bottom - top)
            self.out.append(self._text(label, x + 28, y, "start", "middle", self.ink.size))

    # ------------------------------------------------------------ shapes, annotations, title, legend

    def _ref(self, ref: str, v: Any, letter: str) -> float:
        """A shape's or annotation's coordinate in px: paper, an axis's domain, or data."""
        p = self.plot
        if ref == "paper":
            if letter == "x":
                return p["x0"] + float(v) * (p["x1"] - p["x0"])
            return p["y0"] + float(v) * (p["y1"] - p["y0"])
        m = re.fullmatch(r"([xy]\d*)( domain)?", ref)
        if not m or m.group(1) not in self.axes:
            raise UnsupportedFigure(f"reference {ref!r}")
        axis = self.axes[m.group(1)]
        if m.group(2):
            return axis.p0 + float(v) * (axis.p1 - axis.p0)
        n = axis.value(v)
        if n is None:
            raise UnsupportedFigure(f"{ref} value {v!r}")
        return axis.px(n)

    def _shapes(self, layer: str) -> None:
        for s in self.layout.get("shapes", []):
            _check("shape", s, _SHAPE_KEYS)
            if (s.get("layer") or "above") != layer:
                continue
            if s.get("type") != "line":
                raise UnsupportedFigure(f"shape type {s.get('type')!r}")
            x0 = self._ref(s.get("xref", "x"), s["x0"], "x")
            x1 = self._ref(s.get("xref", "x"), s["x1"], "x")
            y0 = self._ref(s.get("yref", "y"), s["y0"], "y")
            y1 = self._ref(s.get("yref", "y"), s["y1"], "y")
            line = s.get("line") or {}
            width = float(line.get("width", 2))
            self.out.append(
                f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
                f'stroke="{_colour(line.get("color", "#444444"))}" stroke-width="{width:g}"'
                f"{_dasharray(line.get('dash'), width)}/>"
            )

    def _annotation_box(self, a: dict) -> tuple[str, float, float, float, float, float]:
        """An annotation's (text, font size, left, top, width, height) in px, its text wrapped to fit."""
        _check("annotation", a, _ANNOTATION_KEYS)
        if a.get("showarrow", True) is not False:
            raise UnsupportedFigure("annotation with an arrow")
        xref, yref = a.get("xref", "x"), a.get("yref", "y")
        x = self._ref(xref, a.get("x", 0.5), "x") + float(a.get("xshift", 0))
        y = self._ref(yref, a.get("y", 0.5), "y") - float(a.get("yshift", 0))
        size = float((a.get("font") or {}).get("size", self.ink.size))
        text = str(a.get("text", ""))

        def auto(v: Any, ref: str) -> str:
            if ref == "paper" or ref.endswith("domain"):
                return "left" if float(v) <= 1 / 3 else "right" if float(v) >= 2 / 3 else "center"
            return "center"

        xanchor = a.get("xanchor", "auto")
        if xanchor == "auto":
            xanchor = auto(a.get("x", 0.5), xref)
        if xref == "paper" and xanchor == "center":  # a panel's title: no wider than its panel
            spans = [abs(ax.p1 - ax.p0) for ax in self.axes.values() if ax.letter == "x"
                     and ax.domain[0] - 1e-6 <= float(a.get("x", 0.5)) <= ax.domain[1] + 1e-6]  # fmt: skip
            text = _wrap(text, size, min(spans, default=self.width) + 16)
        elif xref == "paper":  # a note at a side: at most half the figure
            text = _wrap(text, size, self.width / 2)
        yanchor = a.get("yanchor", "auto")
        if yanchor == "auto":
            yanchor = {"left": "bottom", "right": "top", "center": "middle"}[auto(a.get("y", 0.5), yref)]
        w, h = _label_size(text, size)
        left = {"left": x, "center": x - w / 2, "right": x - w}[xanchor]
        top = {"top": y, "middle": y - h / 2, "bottom": y - h}[yanchor]
        # Keep a label inside the figure (a flag near the right edge would run off it).
        return text, size, max(0.0, min(left, self.width - w - 2)), top, w, h

    def _under_title(self) -> float:
        """The extra top margin that keeps notes and panel titles above the
        plot (paper y >= 1) clear of the figure's title where they would overlap it."""
        if not self.title:
            return 0.0
        title_right = 2.0 + _label_size(self.title, self.title_size)[0]
        extra = 0.0
        for a in self.layout.get("annotations", []):
            if a.get("yref", "y") != "paper" or float(a.get("y", 0.5)) < 1:
                continue
            _, _, left, top, _, _ = self._annotation_box(a)
            if left < title_right and top < self.title_bottom + 4:
                extra = max(extra, self.title_bottom + 4 - top)
        return extra

    def _annotations(self) -> None:
        for a in self.layout.get("annotations", []):
            text, size, left, topy, w, h = self._annotation_box(a)
            if a.get("bgcolor"):
                pad = float(a.get("borderpad", 1)) + 1
                self.out.append(
                    f'<rect x="{left - pad:.1f}" y="{topy - pad:.1f}" width="{w + 2 * pad:.1f}" '
                    f'height="{h + 2 * pad:.1f}" fill="{_colour(a["bgcolor"])}"/>'
                )
            anchor = {"left": "start", "center": "middle", "right": "end"}[a.get("align", "center")]
            tx = {"start": left, "middle": left + w / 2, "end": left + w}[anchor]
            colour = (a.get("font") or {}).get("color")
            self.out.append(
                self._text(text, tx, topy, anchor, "top", size, colour, title=a.get("hovertext", ""))
            )

    def _title(self) -> None:
        if not self.title:
            return
        title = self.layout.get("title", {})
        x = float(title.get("x", 0.5)) * self.width
        anchor = {"left": "start", "center": "middle", "right": "end"}.get(
            title.get("xanchor", "center"), "middle"
        )
        if anchor == "start":
            x = max(x, 2.0)
        size = self.title_size
        colour = (title.get("font") or {}).get("color")
        self.out.append(self._text(self.title, x, self.title_top, anchor, "top", size, colour))
        if self.subtitle:
            y = self.title_top + _label_size(self.title, size)[1] + 4
            self.out.append(self._text(self.subtitle, x, y, anchor, "top", self.ink.size, colour, rotate=0))

    def _legend(self) -> None:
        items = self.legend_items
        if not items:
            return
        legend = self.legend
        p = self.plot
        size = float((legend.get("font") or {}).get("size", self.ink.size))
        horizontal = self.legend_horizontal
        width, height, placed = self._legend_box(items, self.width - 20, horizontal)
        lx, ly = float(legend.get("x", 1.02)), float(legend.get("y", 1))
        xanchor = legend.get("xanchor", "left")
        yanchor = legend.get("yanchor", "auto")
        if yanchor == "auto":
            yanchor = "top"
        x = p["x0"] + lx * (p["x1"] - p["x0"])
        if not horizontal and lx > 1:
            x = p["x1"] + 0.02 * (p["x1"] - p["x0"])
        y = p["y0"] + ly * (p["y1"] - p["y0"])
        if horizontal and ly < 0:  # below the x axis's labels and title
            y = max(y, p["y0"] + self.x_block + 6)
        left = {"left": x, "center": x - width / 2, "right": x - width}.get(xanchor, x)
        left = max(2.0, min(left, self.width - width))
        top = {"top": y, "middle": y - height / 2, "bottom": y - height}.get(yanchor, y)
        row_h = size * 1.6
        self.out.append('<g class="pm-legend">')
        for item, ix, iy in placed:
            cx, cy = left + ix, top + iy + row_h / 2
            mode = item.get("mode") or "lines+markers"
            line = item.get("line") or {}
            marker = item.get("marker") or {}
            colour = line.get("color") or marker.get("color") or self.ink.colour
            if "lines" in mode and float(line.get("width", 2)) > 0:
                w = min(float(line.get("width", 2)), 4)
                self.out.append(
                    f'<line x1="{cx + 2:.1f}" x2="{cx + 32:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" '
                    f'stroke="{_colour(colour)}" stroke-width="{w:g}"{_dasharray(line.get("dash"), w)}/>'
                )
            if "markers" in mode:
                mcolour = marker.get("color", colour)
                mcolour = mcolour if isinstance(mcolour, str) else colour
                symbol = marker.get("symbol", "circle")
                if symbol == "line-ns-open":
                    self.out.append(
                        f'<path d="M{cx + 17:.1f},{cy - 7:.1f}V{cy + 7:.1f}" stroke="{_colour(mcolour)}" stroke-width="2"/>'
                    )
                else:
                    self.out.append(
                        f'<circle cx="{cx + 17:.1f}" cy="{cy:.1f}" r="4" fill="{_colour(mcolour)}"/>'
                    )
            self.out.append(self._text(str(item.get("name", "")), cx + 40, cy, "start", "middle", size))
        self.out.append("</g>")


def figure_svg(fig: go.Figure | dict, width: int, uid: str = "") -> str:
    """The figure (or its JSON dict, left unchanged) as one SVG element
    `width` virtual px wide (its height the figure's), scaled to its
    container by a viewBox; `uid` keeps its element ids apart from other
    charts' on the page. Raises UnsupportedFigure for a part of Plotly it does not draw."""
    spec = json.loads(fig.to_json()) if isinstance(fig, go.Figure) else fig
    return _Figure(spec, width, uid).draw()


def readable_width(spec: dict) -> int:
    """The narrowest width (virtual px) at which a figure stays readable:
    panels three abreast need about 720, a diagram with hidden axes (the
    purpose tree) 760; anything else reflows down to a phone's width (0).
    A narrower column scrolls sideways rather than shrinking the text."""
    layout = spec.get("layout", {})
    axes = [v for k, v in layout.items() if re.fullmatch(r"[xy]axis\d*", k)]
    x_domains = [a.get("domain", (0, 1)) for k, a in layout.items() if re.fullmatch(r"xaxis\d*", k)]
    if any(d[1] - d[0] < 0.4 for d in x_domains):
        return 720
    if axes and all(a.get("visible", True) is False for a in axes):
        return 760
    return 0
