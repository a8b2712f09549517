"""A page's exports in one zip: every chart as PNG and SVG (stamped, one
Kaleido session for all) and the data behind it as CSV, every table as
CSV, and README.txt saying what they show (the stamp) and which file is
which.

    zip_export([ChartFile("NPS by brand", fig, frame, stamp)], [TableFile("Where brands differ", pairs)], stamp)
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import NamedTuple

import plotly.graph_objects as go
import polars as pl

from . import images
from .downloads import csv_bytes
from .downloads import file_name as safe_file_name
from .stamp import Stamp

README = "README.txt"


class ChartFile(NamedTuple):
    name: str
    fig: go.Figure
    data: pl.DataFrame | None = None
    stamp: Stamp | None = None  # the page's when None


class TableFile(NamedTuple):
    name: str
    data: pl.DataFrame


def _unique(stem: str, used: set[str]) -> str:
    base, k = stem, 2
    while stem in used:
        stem, k = f"{base}-{k}", k + 1
    used.add(stem)
    return stem


def _stem(name: str, stamp: Stamp | None) -> str:
    named = stamp.file_name(name, "x") if stamp is not None else safe_file_name(f"{images.slug(name)}.x")
    return named.removesuffix(".x")


def _differences(own: Stamp | None, page: Stamp | None) -> str:
    """' (period: …; filters: none)': where a chart's stamp differs from the page's."""
    if own is None or page is None or own == page:
        return ""
    parts = []
    if own.period != page.period:
        parts.append(f"period: {own.period}")
    if own.scope != page.scope:
        parts.append(f"scope: {own.scope}")
    if own.filters != page.filters:
        parts.append(f"filters: {own.filters.describe()}")
    return f" ({'; '.join(parts)})" if parts else ""


def zip_export(
    charts: Sequence[ChartFile],
    tables: Sequence[TableFile] = (),
    stamp: Stamp | None = None,
    formats: Sequence[images.Format] = ("png", "svg"),
) -> bytes:
    """The zip's bytes: per chart `{stem}.png`, `.svg` and (with data)
    `.csv`; per table `{stem}.csv`; README.txt when there is a stamp. A stem
    is the file name the chart's own download has (stamp.file_name)."""
    stamps = [c.stamp or stamp for c in charts]
    rendered = images.render_images([c.fig for c in charts], formats, stamps=stamps)
    used: set[str] = set()
    listed: list[tuple[str, str]] = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for chart, chart_stamp, files in zip(charts, stamps, rendered, strict=True):
            stem = _unique(_stem(chart.name, chart_stamp), used)
            own = _differences(chart_stamp, stamp)
            for fmt, data in files.items():
                zf.writestr(f"{stem}.{fmt}", data)
                listed.append((f"{stem}.{fmt}", f"chart: {chart.name}{own}"))
            if chart.data is not None:
                zf.writestr(f"{stem}.csv", csv_bytes(chart.data))
                listed.append((f"{stem}.csv", f"the data behind the chart {chart.name}{own}"))
        for table in tables:
            stem = _unique(_stem(table.name, stamp), used)
            zf.writestr(f"{stem}.csv", csv_bytes(table.data))
            listed.append((f"{stem}.csv", f"table: {table.name}"))
        if stamp is not None:
            zf.writestr(README, stamp.readme(listed).encode("utf-8"))
    return buf.getvalue()
