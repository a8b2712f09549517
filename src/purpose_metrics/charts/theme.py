"""The look of every chart, defined once: one Plotly template, fixed colours.

Builders in this package make structural choices only (what goes on which
axis) and leave styling to the template registered here. Brand colours come
from the Okabe-Ito palette (safe for the common colour-vision deficiencies)
and are fixed by a brand's place in the sorted brand list, so a brand has
the same colour on every page and in every export; the company is a dark
neutral.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "purpose_metrics"
DARK_TEMPLATE = "purpose_metrics_dark"

# Brand hues: Okabe & Ito's (2008) blue, reddish purple and sky blue, then
# violet, dark cyan and grey-brown, so no brand wears a status colour: the
# greens, ambers and reds of on, near and off target (STATUS_COLOURS) mean
# only that. Distinct for the common colour-vision deficiencies.
BRAND_PALETTE = ("#0072B2", "#CC79A7", "#56B4E9", "#6A51A3", "#0E7C86", "#8C7B6B")
COMPANY_COLOUR = "#333333"
MUTED = "#8C8C8C"  # targets, gridlines' companions, notes
GRID = "#E6E6E6"
FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"

# Traffic-light status colours (used with a word and an icon, never alone).
STATUS_COLOURS = {"green": "#1A7F37", "amber": "#B7791F", "red": "#C62828"}

# Presentation export size: 16:9 at 1600 px wide.
EXPORT_WIDTH = 1600
EXPORT_HEIGHT = 900
SCREEN_HEIGHT = 380


# Streamlit's dark theme: its background, text and a grid that recedes.
DARK_PAPER = "#171614"  # Streamlit 1.67's dark background
DARK_INK = "#FAFAFA"
DARK_GRID = "#33312D"
DARK_COMPANY = "#E4E4E4"  # the company's dark neutral, turned light

# What a builder's light-ground colour becomes on the dark ground (alpha kept):
# the company's ink, white outlines and label grounds, the grid's tree edges,
# the retention blues and the initiatives' purple. Brand and status colours stay.
DARK_SWAPS = {
    COMPANY_COLOUR: DARK_COMPANY,
    "#FFFFFF": DARK_PAPER,
    GRID: "#4A4E58",
    "#08306B": "#C6DBEF",  # the average retention line and the heatmap's top
    "#6A3D9A": "#C3A6E8",  # initiative flags
    "#F3F6FA": "#172231",  # the heatmap's bottom …
    "#C6DBEF": "#1F4B75",
    "#6BAED6": "#3F8FC9",
}


# Text and marks on the page itself (the home page's dots, the cards' words) on
# the dark ground: the status colours above fall below 4.5:1 there (red 3.2:1),
# so they lighten (5.4:1 and more); the cards' initiative purple likewise.
DARK_PAGE_SWAPS = {
    STATUS_COLOURS["green"]: "#3FB950",
    STATUS_COLOURS["amber"]: "#D29922",
    STATUS_COLOURS["red"]: "#F85149",
    "#6B4FA0": "#C3A6E8",  # a card's initiative flag
}


def page_colour(colour: str, dark: bool) -> str:
    """A colour the page draws outside a chart (a scope's dot, a status
    word) as it reads on the ground shown: unchanged on the light one; on
    the dark one, what charts swap (DARK_SWAPS: the company's #333333 turns
    #E4E4E4) and the status colours lightened (DARK_PAGE_SWAPS). Brand
    colours stay, as they do in charts."""
    if not dark:
        return colour
    return DARK_PAGE_SWAPS.get(colour.upper(), _dark_colour(colour))


def _template(dark: bool = False) -> go.layout.Template:
    axis = dict(
        showgrid=True,
        gridcolor=DARK_GRID if dark else GRID,
        zeroline=False,
        linecolor="#5A5E68" if dark else "#BDBDBD",
        ticks="outside",
        tickcolor="#5A5E68" if dark else "#BDBDBD",
        title=dict(standoff=8),
        automargin=True,
    )
    paper = DARK_PAPER if dark else "white"
    return go.layout.Template(
        layout=dict(
            font=dict(family=FONT, size=13, color=DARK_INK if dark else "#262730"),
            title=dict(font=dict(size=16), x=0, xanchor="left", y=0.97, yanchor="top"),
            colorway=list(BRAND_PALETTE),
            paper_bgcolor=paper,
            plot_bgcolor=paper,
            margin=dict(l=10, r=20, t=56, b=10),
            xaxis=axis,
            yaxis=axis,
            legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", title=None),
            hoverlabel=dict(font=dict(family=FONT, size=13)),
            hovermode="closest",
        )
    )


pio.templates[TEMPLATE] = _template()
pio.templates[DARK_TEMPLATE] = _template(dark=True)

_COLOUR_KEYS = {"color", "fillcolor", "bgcolor", "gridcolor", "linecolor", "tickcolor"}


def _rgb_alpha(colour: str) -> tuple[str, float] | None:
    """'#0072b2' or 'rgba(0,114,178,0.2)' or 'white' -> ('#0072B2', alpha); None for anything else."""
    c = colour.strip()
    if c.lower() == "white":
        return "#FFFFFF", 1.0
    if re.fullmatch(r"#[0-9a-fA-F]{6}", c):
        return c.upper(), 1.0
    m = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)", c)
    if m:
        r, g, b = (int(m.group(i)) for i in (1, 2, 3))
        return f"#{r:02X}{g:02X}{b:02X}", float(m.group(4) or 1)
    return None


def _dark_colour(colour: str) -> str:
    parsed = _rgb_alpha(colour)
    if parsed is None or parsed[0] not in DARK_SWAPS:
        return colour
    hex_colour, alpha = parsed
    swapped = DARK_SWAPS[hex_colour]
    return swapped if alpha >= 1 else translucent(swapped, alpha)


def _swap(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _swap(v, k) for k, v in node.items()}
    if key == "colorscale" and isinstance(node, list):
        return [[stop, _dark_colour(c)] for stop, c in node]
    if isinstance(node, list):
        return [_swap(v, key) for v in node]
    if isinstance(node, str) and key in _COLOUR_KEYS:
        return _dark_colour(node)
    return node


def dark_spec(spec: dict) -> dict:
    """A figure's JSON dict for Streamlit's dark theme: the dark template,
    and the builders' light-ground colours swapped (DARK_SWAPS) wherever a
    colour is set (texts are never touched). Brand and status colours stay."""
    out = _swap(copy.deepcopy(spec))
    out.setdefault("layout", {})["template"] = pio.templates[DARK_TEMPLATE].to_plotly_json()
    return out


def scope_colours(brand_ids: Sequence[str]) -> dict[str, str]:
    """{'company': dark neutral, brand_id: Okabe-Ito colour} for every brand.

    Pass every brand of the data set (not only those on a chart) so a brand
    keeps its colour whatever else is shown.
    """
    colours = {"company": COMPANY_COLOUR}
    for i, brand in enumerate(sorted(brand_ids)):
        colours[brand] = BRAND_PALETTE[i % len(BRAND_PALETTE)]
    return colours


def translucent(hex_colour: str, alpha: float) -> str:
    """'#0072B2', 0.2 -> 'rgba(0,114,178,0.2)' (interval bands)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def for_presentation(fig: go.Figure) -> go.Figure:
    """A copy sized and lettered for a 16:9 slide (1600 × 900)."""
    out = go.Figure(fig)
    out.update_layout(
        width=EXPORT_WIDTH,
        height=EXPORT_HEIGHT,
        font=dict(size=22),
        title=dict(font=dict(size=30), x=0.015),  # off the slide's edge
        margin=dict(l=40, r=60, t=110, b=40),
    )
    out.update_annotations(font_size=20)
    # Builders size labels for the screen; a slide is read from further away.
    out.update_traces(textfont_size=20)
    out.update_traces(marker_size=18, selector=dict(mode="markers+text"))
    return out
