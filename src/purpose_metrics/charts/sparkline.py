"""A sparkline as inline SVG: a KPI's recent trend at a glance.

Drawn in neutral ink (a line's colour says nothing about whether the trend
is good: a share rising all year is not red because its last week dipped);
only the latest point carries the KPI's status colour, and a missing value
breaks the line. Plain SVG, no script: a page of thirty cards draws at once.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

from .theme import STATUS_COLOURS

INK = "#6B7280"  # neutral grey, readable on light and dark backgrounds


def sparkline_svg(
    values: Sequence[float | None],
    status: str | None = None,
    width: int = 160,
    height: int = 34,
) -> str:
    """The SVG document (a string) of `values` left to right; '' when fewer
    than two values are known."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    pad = 3.0
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (v - low) / span * (height - 2 * pad)

    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(xy(i, v))
    if current:
        segments.append(current)
    paths = "".join(
        f'<polyline fill="none" stroke="{INK}" stroke-width="1.5" stroke-linejoin="round" '
        f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in seg)}"/>'
        for seg in segments
        if len(seg) > 1
    )
    last_i, last_v = known[-1]
    x, y = xy(last_i, last_v)
    dot = STATUS_COLOURS.get(status or "", INK)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{paths}<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{dot}"/></svg>'
    )


def sparkline_img(values: Sequence[float | None], status: str | None = None, label: str = "") -> str:
    """The sparkline as an <img> of a data URI: HTML that sanitisers keep
    (Streamlit's st.html drops inline SVG elements); '' without a line."""
    svg = sparkline_svg(values, status)
    if not svg:
        return ""
    data = base64.b64encode(svg.encode()).decode()
    return f'<img class="pm-spark" src="data:image/svg+xml;base64,{data}" alt="{html.escape(label, quote=True)}">'
