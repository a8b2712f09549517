"""Showing a chart with its downloads (PNG and SVG at presentation size).

Images are rendered server-side by Kaleido only when someone clicks a
download button (Streamlit's deferred download: the button holds a
callable), never on a rerun. A chart's PNG and SVG come from one Kaleido
session and are kept for the next click; "all charts" renders every chart
of the page through one session.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from ..export import images
from ..export.downloads import file_name as safe_file_name
from . import access

_RENDERED_KEPT = 32  # figures whose images stay in memory for a repeated click


@lru_cache(maxsize=_RENDERED_KEPT)
def _both_formats(fig_json: str) -> dict[str, bytes]:
    return images.render_images([pio.from_json(fig_json)], ("png", "svg"))[0]


def _image(fig_json: str, fmt: str):
    return lambda: _both_formats(fig_json)[fmt]


def show_chart(fig: go.Figure, name: str, key: str) -> None:
    """The chart, full width, and two download buttons under it."""
    st.plotly_chart(fig, theme=None, key=f"chart_{key}", config={"displaylogo": False})
    fig_json = fig.to_json()
    base = images.slug(name)
    with st.container(horizontal=True, gap="small"):
        for fmt in ("png", "svg"):
            st.download_button(
                f"{fmt.upper()} 1600×900",
                data=access.audited_export(
                    _image(fig_json, fmt), detail=f"{name} ({fmt.upper()})", scope=None
                ),
                file_name=safe_file_name(f"{base}.{fmt}"),
                mime=images.MIME[fmt],
                on_click="ignore",
                icon=":material/download:",
                type="tertiary",
                key=f"{fmt}_{key}",
                help=f"Download this chart as {fmt.upper()} at presentation size (16:9, 1600 × 900).",
            )


def download_all(named: Sequence[tuple[str, go.Figure]], file_name: str, key: str) -> None:
    """One button: every chart of the page as PNG and SVG in a ZIP (one
    Kaleido session for all of them)."""
    if not named:
        return
    frozen = [(name, fig.to_json()) for name, fig in named]

    def build() -> bytes:
        return images.zip_images([(name, pio.from_json(js)) for name, js in frozen])

    st.download_button(
        f"All {len(named)} chart{'s' if len(named) > 1 else ''} (PNG + SVG, zip)",
        data=access.audited_export(build, detail=f"{file_name} ({len(named)} charts)", scope=None),
        file_name=safe_file_name(file_name),
        mime="application/zip",
        on_click="ignore",
        icon=":material/folder_zip:",
        key=f"zip_{key}",
    )
