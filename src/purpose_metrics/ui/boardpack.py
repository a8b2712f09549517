"""The home page's "Download board pack": the CLI's deck, for the week and
scope on screen, built on request (it renders every chart: ~20 s) and kept
for the cache's lifetime so a second download is instant. Like every
cached result (ui/state.py) it is keyed by the generation of the read it
came from, so a pack is never older than the data on screen."""

from __future__ import annotations

import streamlit as st

from .. import formatting
from ..access import Access
from ..constants import CACHE_TTL_SECONDS
from ..export.deck import build_pack, deck_bytes
from ..export.downloads import file_name
from ..export.images import ExportError
from . import access, state

FORMATS = {"PowerPoint (.pptx)": ".pptx", "PDF": ".pdf"}
MIME = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pdf": "application/pdf",
}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=8)
def _pack(
    url: str, generation: state.Generation, week: str, scope: str, suffix: str,
    brands: tuple[str, ...] | None, people: bool,
) -> bytes:  # fmt: skip
    """The pack's file; `brands` and `people` are what the person may see
    (so two people with different access never share a pack)."""
    data = state._dataset(url, generation)
    pack = build_pack(data, week, None if scope == "company" else scope, brands=brands, people=people)
    return deck_bytes(pack, suffix)


def _for(me: Access) -> tuple[tuple[str, ...] | None, bool]:
    return (None if me.brands is None else tuple(sorted(me.brands))), me.people


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
        me = access.current()
        if not me.sees(scope):  # the picker offers only what the person sees
            raise access.AccessDenied(f"no access to the board pack of {scope!r}")
        ready = st.session_state.get("pack_ready")
        if middle.button(f"Prepare the pack for {week}", icon=":material/slideshow:", key="pack_build"):
            try:
                shown = formatting.plain(scope_name)
                with st.spinner(f"Rendering the charts and slides for {shown}, {week} (about 10 s)…"):
                    _pack(*state.key(), week, scope, suffix, *_for(me))
                st.session_state["pack_ready"] = ready = key
            except (ExportError, OSError, RuntimeError) as exc:
                access.record(
                    "export", "failed", scope=scope, detail=f"board pack {week} {suffix}: {exc}"[:200]
                )
                st.error(f"The board pack could not be built: {state.describe_error(exc)}")
                return
        if ready == key:
            body = _pack(*state.key(), week, scope, suffix, *_for(me))
            right.download_button(
                f"Download board pack ({suffix[1:].upper()})",
                body, file_name=file_name(f"board-pack-{week}-{scope}{suffix}"),
                mime=MIME[suffix], icon=":material/download:", key="pack_download", type="primary",
                on_click=access.export_recorder(detail=f"board pack {week} ({suffix[1:].upper()})", scope=scope),
            )  # fmt: skip
        else:
            right.caption(f"{formatting.plain(scope_name)} · {week} · {choice}")
