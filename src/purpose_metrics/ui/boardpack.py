"""The home page's "Download board pack": the CLI's deck, for the week and
scope on screen, built on request (it renders every chart: ~20 s) and kept
for the cache's lifetime so a second download is instant. Like every
cached result (ui/state.py) it is keyed by the generation of the read it
came from, so a pack is never older than the data on screen."""

from __future__ import annotations

import streamlit as st

from .. import formatting
from ..constants import CACHE_TTL_SECONDS
from ..export.deck import build_pack, deck_bytes
from ..export.downloads import file_name
from ..export.images import ExportError
from . import state

FORMATS = {"PowerPoint (.pptx)": ".pptx", "PDF": ".pdf"}
MIME = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pdf": "application/pdf",
}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=8)
def _pack(url: str, generation: state.Generation, week: str, scope: str, suffix: str) -> bytes:
    data = state._dataset(url, generation)
    pack = build_pack(data, week, None if scope == "company" else scope)
    return deck_bytes(pack, suffix)


def download(week: str, scope: str, scope_name: str) -> None:
    """A format choice, a button that builds the pack, then its download."""
    with st.container(border=True):
        left, middle, right = st.columns([2, 2, 3], vertical_alignment="bottom")
        choice = left.radio("Board pack", list(FORMATS), horizontal=True, key="pack_format",
                            help="The weekly board pack: a title slide, one slide per pillar with its "
                                 "KPI table and charts, the brands on their off-target KPIs, and an "
                                 "appendix of definitions. The same as `purpose-metrics deck`.")  # fmt: skip
        suffix = FORMATS[choice]
        key = (week, scope, suffix)
        ready = st.session_state.get("pack_ready")
        if middle.button(f"Prepare the pack for {week}", icon=":material/slideshow:", key="pack_build"):
            try:
                shown = formatting.plain(scope_name)
                with st.spinner(f"Rendering the charts and slides for {shown}, {week} (about 10 s)…"):
                    _pack(*state.key(), week, scope, suffix)
                st.session_state["pack_ready"] = ready = key
            except (ExportError, OSError, RuntimeError) as exc:
                st.error(f"The board pack could not be built: {state.describe_error(exc)}")
                return
        if ready == key:
            body = _pack(*state.key(), week, scope, suffix)
            right.download_button(
                f"Download board pack ({suffix[1:].upper()})", body, file_name=file_name(f"board-pack-{week}-{scope}{suffix}"),
                mime=MIME[suffix], icon=":material/download:", key="pack_download", type="primary",
            )  # fmt: skip
        else:
            right.caption(f"{formatting.plain(scope_name)} · {week} · {choice}")
