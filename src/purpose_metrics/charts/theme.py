"""The look of every chart, defined once: one Plotly template, fixed colours.

Builders in this package make structural choices only (what goes on which
axis) and leave styling to the template registered here. Brand colours come
from the Okabe-Ito palette (safe for the common colour-vision deficiencies)
and are fixed by a brand's place in the sorted brand list, so a brand has
the same colour on every page and in every export; the company is a dark
neutral.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "purpose_metrics"

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


def _template() -> go.layout.Template:
    axis = dict(
        showgrid=True,
        gridcolor=GRID,
        zeroline=False,
        linecolor="#BDBDBD",
        ticks="outside",
        tickcolor="#BDBDBD",
        title=dict(standoff=8),
        automargin=True,
    )
    return go.layout.Template(
        layout=dict(
            font=dict(family=FONT, size=13, color="#262730"),
            title=dict(font=dict(size=16), x=0, xanchor="left", y=0.97, yanchor="top"),
            colorway=list(BRAND_PALETTE),
            paper_bgcolor="white",
            plot_bgcolor="white",
            margin=dict(l=10, r=20, t=56, b=10),
            xaxis=axis,
            yaxis=axis,
            legend=dict(orientation="h", x=0, y=-0.12, yanchor="top", title=None),
            hoverlabel=dict(font=dict(family=FONT, size=13)),
            hovermode="closest",
        )
    )


pio.templates[TEMPLATE] = _template()


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
