"""The home page's "Download board pack": the CLI's deck, for the week and
scope on screen, built on request and kept for the cache's lifetime so a
second download is instant. The content (every number: the slow part) is
prepared once and both formats are written from it. The PowerPoint's
charts are native (no browser); the PDF renders its chart pictures and
prints when it is asked for. Like every cached result (ui/state.py) it is keyed by the
generation of the read it came from, so a pack is never older than the data
on screen."""

from __future__ import annotations

import streamlit as st

from .. import formatting
from ..access import Access
from ..constants import CACHE_TTL_SECONDS
from ..export.deck import Pack, build_pack, deck_bytes
from ..export.downloads import file_name
from ..export.images import ExportError
from . import access, charts, state

FORMATS = {"PowerPoint (.pptx)": ".pptx", "PDF": ".pdf"}
MIME = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pdf": "application/pdf",
}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=8)
def _content(
    url: str, generation: state.Generation, week: str, scope: str,
    brands: tuple[str, ...] | None, people: bool,
) -> Pack:  # fmt: skip
    """What the pack shows: built once for both formats.
    `brands` and `people` are what the person may see (so two people with
    different access never share a pack)."""
    data = state._dataset(url, generation)
    return build_pack(data, week, None if scope == "company" else scope, brands=brands, people=people)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=8)
def _pack(
    url: str, generation: state.Generation, week: str, scope: str, suffix: str,
    brands: tuple[str, ...] | None, people: bool,
) -> bytes:  # fmt: skip
    """The pack's file (.pptx or .pdf), laid out from `_content`'s pack."""
    return deck_bytes(_content(url, generation, week, scope, brands, people), suffix)


def _for(me: Access) -> tuple[tuple[str, ...] | None, bool]:
    return (None if me.brands is None else tuple(sorted(me.brands))), me.people


def download(week: str, scope: str, scope_name: str) -> None:
    """A format choice, a button that builds the pack, then its download.
    The PowerPoint's charts are native; the PDF is printed by Chromium, so a
    server without it offers the PowerPoint and says what the PDF needs."""
    with st.container(border=True):
        offered = dict(FORMATS)
        if charts.no_chromium_note("The PDF board pack", short=True):
            offered = {label: suffix for label, suffix in FORMATS.items() if suffix == ".pptx"}
        left, middle = st.columns(2, vertical_alignment="bottom")
        right = st.container()  # the download (or what it will hold) on a line of its own
        choice = left.radio("Board pack", list(offered), horizontal=True, key="pack_format",
                            help="The weekly board pack: a title slide, a summary (what is off target, "
                                 "what moved most), one slide per pillar with its KPI table and charts, "
                                 "what brings customers back, the brands on their off-target KPIs, and an "
                                 "appendix of definitions. The same as `purpose-metrics deck`. Once "
                                 "prepared, either format is ready without preparing it again.")  # fmt: skip
        suffix = offered[choice]
        key = (week, scope)  # the content, prepared once for both formats
        me = access.current()
        if not me.sees(scope):  # the picker offers only what the person sees
            raise access.AccessDenied(f"no access to the board pack of {scope!r}")
        ready = st.session_state.get("pack_ready")
        if middle.button("Prepare the pack", icon=":material/slideshow:", key="pack_build",
                         help=f"Build the pack for {week} (about 10 s)"):  # fmt: skip
            try:
                shown = formatting.plain(scope_name)
                with st.spinner(f"Preparing the {choice} for {shown}, {week} (a few seconds)…"):
                    _pack(*state.key(), week, scope, suffix, *_for(me))
                st.session_state["pack_ready"] = ready = key
            except (ExportError, OSError, RuntimeError) as exc:
                _failed(week, scope, suffix, exc)
                return
        if ready == key:
            try:
                # The other format after a switch: laid out from the prepared content (a few seconds).
                with st.spinner(f"Writing the {choice} from the prepared pack…"):
                    body = _pack(*state.key(), week, scope, suffix, *_for(me))
            except (ExportError, OSError, RuntimeError) as exc:
                _failed(week, scope, suffix, exc)
                return
            right.download_button(
                f"Download board pack ({suffix[1:].upper()})",
                body, file_name=file_name(f"board-pack-{week}-{scope}{suffix}"),
                mime=MIME[suffix], icon=":material/download:", key="pack_download", type="primary",
                on_click=access.export_recorder(detail=f"board pack {week} ({suffix[1:].upper()})", scope=scope),
            )  # fmt: skip
        else:
            right.caption(f"{formatting.plain(scope_name)} · {week} · {choice}")


def _failed(week: str, scope: str, suffix: str, exc: Exception) -> None:
    access.record("export", "failed", scope=scope, detail=f"board pack {week} {suffix}: {exc}"[:200])
    st.error(f"The board pack could not be built: {state.describe_error(exc)}")
