"""The home page's board pack: one click builds the deck for the week and
scope on screen, and a download button hands it over; the other format
comes from the same prepared content, without building it again."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pptx import Presentation


def _pack_buttons(at) -> list[str]:
    return [
        b.proto.label for b in at.get("download_button") if b.proto.label.startswith("Download board pack")
    ]


@pytest.mark.browser
def test_prepare_then_download_the_pack_for_the_week_on_screen(app, small_db, monkeypatch, tmp_path):
    from purpose_metrics.ui import boardpack, state

    # From empty caches, every build of the pack's content counted.
    boardpack._content.clear()
    boardpack._pack.clear()
    builds = []
    real = boardpack.build_pack

    def counting(data, week=None, brand=None, **kwargs):
        builds.append((week, brand, kwargs))
        return real(data, week, brand, **kwargs)

    monkeypatch.setattr(boardpack, "build_pack", counting)

    at = app(small_db, week="2026-W10", brand="Hearth")
    assert not _pack_buttons(at)
    at.button(key="pack_build").click().run()
    assert not at.exception
    assert _pack_buttons(at) == ["Download board pack (PPTX)"]
    assert builds == [("2026-W10", "hearth", {"brands": None, "people": True})]
    # The deck that was built is the one for the view on screen.
    # Keyed by the read it came from (the generation the page used: its cached key).
    key = (*state.key(), "2026-W10", "hearth")
    assert key[0] == small_db
    prs = Presentation(io.BytesIO(boardpack._pack(*key, ".pptx", None, True)))
    assert list(prs.slides)[2].shapes.title.text == "Loyalty — Hearth, 2026-W10"

    # Switching the format after preparing: the PDF's download at once, from the same content.
    at.radio(key="pack_format").set_value("PDF").run()
    assert not at.exception
    assert _pack_buttons(at) == ["Download board pack (PDF)"]
    at.radio(key="pack_format").set_value("PowerPoint (.pptx)").run()
    assert _pack_buttons(at) == ["Download board pack (PPTX)"]
    body = boardpack._pack(*key, ".pdf", None, True)
    assert body.startswith(b"%PDF")
    assert len(builds) == 1  # prepared once for both formats
    if shutil.which("pdftotext"):
        (tmp_path / "pack.pdf").write_bytes(body)
        text = subprocess.run(["pdftotext", str(tmp_path / "pack.pdf"), "-"], capture_output=True, text=True)
        assert "Loyalty — Hearth, 2026-W10" in text.stdout
