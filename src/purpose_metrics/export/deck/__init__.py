"""The weekly board pack: one deck, PowerPoint or PDF, from the same numbers.

    pack = build_pack(dataset, week="2026-W47", brand=None)
    write_deck(pack, "board.pptx")      # or "board.pdf"

- content.py: what the pack shows (`Pack`, `build_pack`), from `views`, so
  every number is the dashboard's number; for a PDF its charts rendered
  through ONE Kaleido session for the whole pack (`render_charts`);
- powerpoint.py, pdf.py: the two renderers, which only lay a Pack out; the
  PowerPoint's charts are native (pptx_charts.py), so it needs no browser;
- here: writing a file. It goes to a temporary name and is renamed at the
  end, so a failed build leaves nothing half-written (export/files.py).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ...errors import UsageError
from ..files import publish
from ..images import Renderer
from .content import Pack, build_pack, render_charts
from .pdf import write_pdf
from .powerpoint import write_pptx

WRITERS = {".pptx": write_pptx, ".pdf": write_pdf}


def deck_path(out: str | Path) -> Path:
    """`out` as the pack's path; UsageError unless it ends in .pptx or .pdf
    in a folder that exists (checked before anything is built)."""
    path = Path(out)
    if path.suffix.lower() not in WRITERS:
        raise UsageError(f"the pack is written as .pptx or .pdf, not {str(out)[:80]!r}")
    if not path.resolve().parent.is_dir():
        raise UsageError(f"folder {path.resolve().parent} does not exist")
    return path


def needs_browser(out: str | Path) -> bool:
    """Whether writing `out` starts a browser: a PDF's charts are pictures
    and Chromium prints it; a PowerPoint's charts are native."""
    return Path(out).suffix.lower() == ".pdf"


def write_deck(pack: Pack, out: str | Path, renderer: Renderer | None = None) -> Path:
    """Write `out` (.pptx or .pdf) atomically; for a PDF, first the charts'
    pictures not yet rendered (through `renderer` when one was started ahead)."""
    out = deck_path(out)
    if needs_browser(out) and any(chart.image is None for chart in pack.figures):
        render_charts(pack, renderer)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix, dir=out.resolve().parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        WRITERS[out.suffix.lower()](pack, tmp)
        publish(tmp, out)  # with the user's umask, not mkstemp's 0600
    finally:
        tmp.unlink(missing_ok=True)
    return out


def deck_bytes(pack: Pack, suffix: str = ".pptx") -> bytes:
    """The pack as bytes (the dashboard's download button)."""
    with tempfile.TemporaryDirectory() as folder:
        return write_deck(pack, Path(folder) / f"board-pack{suffix}").read_bytes()


__all__ = ["Pack", "build_pack", "deck_bytes", "deck_path", "needs_browser", "render_charts", "write_deck"]
