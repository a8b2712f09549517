"""The home page's board pack: one click builds the deck for the week and
scope on screen, and a download button hands it over."""

from __future__ import annotations

import io

from pptx import Presentation


def test_prepare_then_download_the_pack_for_the_week_on_screen(app, small_db):
    at = app(small_db, week="2026-W10", brand="Hearth")
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Download board pack")]
    at.button(key="pack_build").click().run()
    assert not at.exception
    buttons = [b for b in at.get("download_button") if b.proto.label.startswith("Download board pack")]
    assert len(buttons) == 1
    # The deck that was built is the one for the view on screen.
    from purpose_metrics.ui import boardpack, state

    # Keyed by the read it came from (the generation the page used).
    body = boardpack._pack(small_db, state._generation(small_db), "2026-W10", "hearth", ".pptx", None, True)
    prs = Presentation(io.BytesIO(body))
    titles = [
        next(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in list(prs.slides)[1:2]
    ]
    assert titles == ["Loyalty — Hearth, 2026-W10"]
