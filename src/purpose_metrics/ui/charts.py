"""Showing a chart or a table with its downloads: the chart as PNG and SVG
at presentation size, the data behind it as CSV, and every chart and table
of a page in one zip.

Images are rendered server-side by Kaleido only when someone clicks a
download button (Streamlit's deferred download: the button holds a
callable), never on a rerun. A chart's PNG and SVG come from one Kaleido
session and are kept for the next click; "all charts" renders every chart
of the page through one session.

On the page a chart is a static SVG drawn on the server (charts/svg.py):
no chart library reaches the browser, so a page draws without Plotly's
4.5 MB of JavaScript. Its "Explore" switch shows the same figure as an
interactive Plotly chart. Both follow Streamlit's light or dark theme; the
exports stay light.

A page passes a Stamp (export/stamp.py) saying what it shows: the exported
images carry it under their title, file names carry its period and
filters, the zip carries it as README.txt. CSV always goes through
export/downloads.csv_bytes (no spreadsheet formulas).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import streamlit as st

from ..charts import svg, theme
from ..export import bundle, images
from ..export.downloads import csv_bytes
from ..export.downloads import file_name as safe_file_name
from ..export.stamp import Stamp
from . import access

_RENDERED_KEPT = 32  # figures whose images stay in memory for a repeated click
_DRAWN_KEPT = 64  # server-drawn charts kept for the next run that shows the same figure
# The static chart's widths (virtual px): the page's CSS (ui/page.py) shows
# the one that suits the column, so its text stays about 13 px on any screen.
WIDTHS = (1120, 760, 420)
THEME_KEY = "pm_dark"  # whether this run's charts are drawn dark (set by page.follow_theme)
SPEC_KEY = "pm_chart_"  # + a chart's key: the figure (JSON) shown there on the last run


class Shown(NamedTuple):
    """A chart on the page: its title, figure, the frame behind it and its stamp."""

    name: str
    fig: go.Figure
    data: pl.DataFrame | None = None
    stamp: Stamp | None = None
    fig_json: str | None = None  # the figure as JSON, when show_chart made it already


class Table(NamedTuple):
    """A table on the page, as it goes into the zip: its name, the frame and its stamp."""

    name: str
    data: pl.DataFrame
    stamp: Stamp | None = None


@lru_cache(maxsize=_RENDERED_KEPT)
def _both_formats(fig_json: str, stamp: Stamp | None) -> dict[str, bytes]:
    return images.render_images([pio.from_json(fig_json)], ("png", "svg"), stamps=[stamp])[0]


@lru_cache(maxsize=_DRAWN_KEPT)
def _drawn(fig_json: str, dark: bool, key: str) -> tuple[str, str]:
    """(the figure as shown, as JSON; its server-drawn HTML): a pure function
    of the figure, kept for the charts a change leaves as they were (a scope
    change redraws the charts of every brand the same)."""
    spec = shown_spec(fig_json, dark)
    return (json.dumps(spec) if dark else fig_json), static_html(spec, key)


def _image(fig_json: str, stamp: Stamp | None, fmt: str):
    return lambda: _both_formats(fig_json, stamp)[fmt]


def no_chromium_note(what: str, *, short: bool = False) -> bool:
    """True when there is no Chromium for `what` (PNG, SVG, PDF): then a
    note stands where its download button would be, saying what to install
    (a caption under a chart, a box elsewhere)."""
    reason = images.chromium_missing_reason()
    if reason is None:
        return False
    if short:
        verb = (
            "needs" if what.startswith("The ") else "need"
        )  # "The PDF board pack needs", "PNG and SVG need"
        st.caption(
            f":material/info: {what} {verb} Chromium on the server "
            "(Debian: `apt-get install -y chromium`, or set `BROWSER_PATH`)."
        )
    else:
        st.info(f"{what} need Chromium on the server: {reason}.", icon=":material/info:")
    return True


def _file_name(name: str, extension: str, stamp: Stamp | None) -> str:
    if stamp is None:
        return safe_file_name(f"{images.slug(name)}.{extension}")
    return stamp.file_name(name, extension)


def _scope(stamp: Stamp | None) -> str | None:
    """The audit log's scope of an export: its one brand, else none."""
    return (stamp.scope_key or None) if stamp is not None else None


def csv_button(
    name: str, data: pl.DataFrame, key: str, stamp: Stamp | None = None, *, label: str = "CSV"
) -> None:
    """A download of `data` as CSV (formula-safe), named after `name` and the stamp."""
    st.download_button(
        label,
        data=csv_bytes(data),
        file_name=_file_name(name, "csv", stamp),
        mime="text/csv",
        on_click=access.export_recorder(detail=f"{name} (CSV)", scope=_scope(stamp)),
        icon=":material/table_view:",
        type="tertiary",
        key=f"csv_{key}",
        help=f"Download the data behind this {'chart' if label == 'CSV' else 'table'} as CSV "
        f"({data.height:,} rows).",
    )


def is_dark() -> bool:
    """Whether the person sees Streamlit's dark theme: as the router decided
    for this run (page.follow_theme), else as the browser last told."""
    return st.session_state.get(THEME_KEY, st.context.theme.type == "dark")


def shown_spec(fig_json: str, dark: bool) -> dict:
    """The figure as the page shows it: the light figure, or its dark variant."""
    spec = json.loads(fig_json)
    return theme.dark_spec(spec) if dark else spec


def static_html(spec: dict, key: str) -> str:
    """The chart as HTML for st.markdown: one SVG per width in WIDTHS, each
    shown by a container query on the column's width. A figure that needs
    more room than a narrow column scrolls sideways (svg.readable_width)."""
    title = (spec.get("layout", {}).get("title") or {}).get("text") or ""
    label = svg.escape(svg.plain(title))
    floor = svg.readable_width(spec)
    parts = []
    for width in WIDTHS:
        drawn = max(width, floor)
        if drawn > width:  # it scrolls sideways: its title stays in view, wrapped to the column
            heading, untitled = _heading(spec)
            inner = (
                f'{heading}<div style="min-width:{drawn}px">{svg.figure_svg(untitled, drawn, uid=key)}</div>'
            )
        else:
            inner = f"<div>{svg.figure_svg(spec, drawn, uid=key)}</div>"
        parts.append(f'<div class="pm-v pm-v{width}">{inner}</div>')
    return f'<div class="pm-chart" data-chart="{svg.escape(key)}" role="figure" aria-label="{label}">{"".join(parts)}</div>'


def _heading(spec: dict) -> tuple[str, dict]:
    """(the figure's title and subtitle as HTML that wraps to the column and
    stays put while the drawing scrolls sideways, the figure without them)."""
    layout = spec.get("layout", {})
    title = layout.get("title") or {}
    if not isinstance(title, dict) or not title.get("text"):
        return "", spec
    sub = (title.get("subtitle") or {}).get("text") or ""
    heading = f'<div class="pm-ctitle">{svg.escape(svg.plain(title["text"]))}</div>'
    if sub:
        heading += f'<div class="pm-csub">{svg.escape(svg.plain(sub))}</div>'
    heading += '<div class="pm-csub">Wider than the screen: scroll sideways for the rest ›</div>'
    margin = {**(layout.get("margin") or {}), "t": 24}  # the title's room, now above
    untitled = {
        **spec,
        "layout": {**layout, "margin": margin, "title": {**title, "text": "", "subtitle": {"text": ""}}},
    }
    return heading, untitled


def show_chart(
    fig: go.Figure, name: str, key: str, *, stamp: Stamp | None = None, data: pl.DataFrame | None = None
) -> Shown:
    """The chart, full width, and under it its Explore switch and downloads:
    PNG and SVG (stamped, light), and the frame behind it as CSV. The chart
    is a server-drawn SVG unless Explore is on; the figure shown is kept in
    session_state under SPEC_KEY + key. Returns it for download_all."""
    # The toolbar stands down the right edge, not across the title (on a phone it covered it).
    fig.update_layout(modebar_orientation="v")
    fig_json = fig.to_json()
    dark = is_dark()
    shown_json, html = _drawn(fig_json, dark, key)
    st.session_state[SPEC_KEY + key] = shown_json
    if st.session_state.get(f"explore_{key}"):
        st.plotly_chart(
            go.Figure(json.loads(shown_json)), theme=None, key=f"chart_{key}", config={"displaylogo": False}
        )
    else:
        st.markdown(html, unsafe_allow_html=True)
    drawable = images.chromium_path() is not None
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.toggle(
            "Explore",
            key=f"explore_{key}",
            help="Zoom, pan and read every point on an interactive chart (the first one takes a few seconds "
            "to load).",
        )
        for fmt in ("png", "svg") if drawable else ():
            st.download_button(
                f"{fmt.upper()} 1600×900",
                data=access.audited_export(
                    _image(fig_json, stamp, fmt), detail=f"{name} ({fmt.upper()})", scope=_scope(stamp)
                ),
                file_name=_file_name(name, fmt, stamp),
                mime=images.MIME[fmt],
                on_click="ignore",
                icon=":material/download:",
                type="tertiary",
                key=f"{fmt}_{key}",
                help=f"Download this chart as {fmt.upper()} at presentation size (16:9, 1600 × 900).",
            )
        if data is not None:
            csv_button(name, data, key, stamp)
        if not drawable:
            no_chromium_note("PNG and SVG", short=True)
    return Shown(name, fig, data, stamp, fig_json)


def show_table(
    shown: pl.DataFrame,
    name: str,
    key: str,
    *,
    stamp: Stamp | None = None,
    data: pl.DataFrame | None = None,
    **dataframe: Any,
) -> Table:
    """A table as st.dataframe shows it (`shown`, with `dataframe`'s
    options) and a CSV download of its data (`data`: the numbers behind
    the text, by default the table itself). Returns it for download_all."""
    st.dataframe(shown, **({"hide_index": True, "width": "stretch"} | dataframe))
    frame = shown if data is None else data
    csv_button(name, frame, key, stamp, label="Table as CSV")
    return Table(name, frame, stamp)


def download_all(
    named: Sequence[Shown | tuple[str, go.Figure]],
    file_name: str,
    key: str,
    *,
    stamp: Stamp | None = None,
    tables: Sequence[Table] = (),
) -> None:
    """One button: every chart of the page as PNG and SVG (one Kaleido
    session for all of them) and CSV, every table as CSV, and a README.txt
    with the stamp, in a zip. `file_name` is the zip's name without its
    period and filters, which the stamp adds."""
    charts = [item if isinstance(item, Shown) else Shown(*item) for item in named]
    if not charts and not tables:
        return
    frozen = [(c.name, c.fig_json or c.fig.to_json(), c.data, c.stamp or stamp) for c in charts]
    kept = list(tables)
    # Without Chromium the zip holds the CSVs only, and a note says why.
    formats: tuple[images.Format, ...] = () if no_chromium_note("Chart images in the zip") else ("png", "svg")

    def build() -> bytes:
        return bundle.zip_export(
            [bundle.ChartFile(name, pio.from_json(js), data, s) for name, js, data, s in frozen],
            [bundle.TableFile(t.name, t.data) for t in kept],
            stamp,
            formats,
        )

    stem = file_name.removesuffix(".zip")
    parts = [f"{len(charts)} chart{'s' if len(charts) != 1 else ''}"] if charts else []
    if kept:
        parts.append(f"{len(kept)} table{'s' if len(kept) != 1 else ''}")
    st.download_button(
        f"All {' and '.join(parts)} ({'PNG + SVG + CSV' if formats else 'CSV'}, zip)",
        data=access.audited_export(build, detail=f"{stem} ({' and '.join(parts)})", scope=_scope(stamp)),
        file_name=_file_name(stem, "zip", stamp) if stamp else safe_file_name(f"{stem}.zip"),
        mime="application/zip",
        on_click="ignore",
        icon=":material/folder_zip:",
        key=f"zip_{key}",
    )
