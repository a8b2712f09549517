"""Charts as presentation images (PNG, SVG) rendered server-side by Kaleido.

Kaleido 1.x drives a headless Chromium; starting it costs seconds, rendering
a figure a fraction of one. So every call here opens ONE Kaleido session and
renders all the figures and formats asked for through it: a page's whole
set of charts costs one browser start.

    images = render_images([fig_a, fig_b], formats=("png", "svg"))
    images[0]["png"]  # bytes, 1600 × 900
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import shutil
import threading
import zipfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import logistro
import plotly.graph_objects as go

from ..charts import theme
from ..errors import UsageError

if TYPE_CHECKING:
    from .stamp import Stamp

Format = Literal["png", "svg"]
MIME = {"png": "image/png", "svg": "image/svg+xml"}
# The browser exports need: $BROWSER_PATH when set (and then only it), else
# the first of these names on PATH (Debian's package is `chromium`).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
ENV_BROWSER = "BROWSER_PATH"
INSTALL_CHROMIUM = "install it (Debian: apt-get install -y chromium) or set BROWSER_PATH to its executable"
RENDER_TIMEOUT_SECONDS = 90


class ExportError(RuntimeError):
    """An image could not be rendered; the message is safe to show."""


class ChromiumMissing(ExportError, UsageError):
    """No Chromium to render with: a setting to fix, not a failure (CLI exit 2)."""


# Kaleido talks to its Chromium through choreographer's pipe, read in 10 kB
# pieces by a reader thread. When the session closes (after the last image,
# or on a timeout), Pipe.close() closes the read end under that thread; a
# message it had half read (a rendered image is megabytes) is then decoded
# anyway, and choreographer logs "JSONError decoding message. Ignoring" with
# a full traceback. Nothing is lost that was asked for: the images were
# received, or the render had already failed. So the traceback becomes one
# line, at the place it is logged.
BROWSER_LOG = "choreographer.channels.pipe"
CUT_OFF_MESSAGE = "JSONError decoding message"


class _CutOffMessageInOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith(CUT_OFF_MESSAGE):
            record.msg = (
                "chart export: the headless browser's last message was cut off as its session "
                "closed, and was dropped (%s)"
            )
            record.args = (type(record.exc_info[1]).__name__,)
            record.exc_info, record.exc_text, record.stack_info = None, None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


# Through logistro, as choreographer does: a plain logging.getLogger() first
# would create a logger without logistro's debug2(), which choreographer calls.
logistro.getLogger(BROWSER_LOG).addFilter(_CutOffMessageInOneLine())


def chromium_path() -> str | None:
    """The Chromium that PNG, SVG and PDF exports run (and the tests marked
    `browser` need): $BROWSER_PATH when set, if it is an executable file;
    else the first of CHROMIUM_NAMES on PATH; None when there is none."""
    override = os.environ.get(ENV_BROWSER)
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_missing_reason() -> str | None:
    """Why exports cannot run, in one sentence saying what to install; None
    when chromium_path() finds a browser."""
    if chromium_path() is not None:
        return None
    override = os.environ.get(ENV_BROWSER)
    if override:
        return (
            f"{ENV_BROWSER}={override[:120]} is not an executable file; point it at Chromium or Chrome, "
            "or unset it and install Chromium (Debian: apt-get install -y chromium)"
        )
    return f"no Chromium on PATH (looked for {', '.join(CHROMIUM_NAMES)}); {INSTALL_CHROMIUM}"


def require_chromium(what: str) -> str:
    """chromium_path(), or ChromiumMissing saying that `what` needs it and
    how to install it (checked before any work starts)."""
    path = chromium_path()
    if path is None:
        raise ChromiumMissing(f"Chromium is needed for {what}: {chromium_missing_reason()}")
    return path


def _kaleido():
    import kaleido  # imported here: loading it starts nothing, but keeps page imports light

    # One tab: each extra tab loads plotly.js again and costs more than it
    # saves (measured: 2 figures × 2 formats take 7 s with one tab, 15 s with
    # four). mathjax=False: no CDN fetch (the charts use no LaTeX);
    # plotly.js comes from the plotly package.
    path = require_chromium("chart images (PNG, SVG)")
    return kaleido.Kaleido(path=path, n=1, timeout=RENDER_TIMEOUT_SECONDS, mathjax=False)


async def _render_with(
    k, figures: Sequence[go.Figure], formats: Sequence[Format], width: int, height: int
) -> list[dict[str, bytes]]:
    specs = [(i, fmt) for i in range(len(figures)) for fmt in formats]
    results = await asyncio.gather(
        *(
            k.calc_fig(figures[i], opts={"format": fmt, "width": width, "height": height, "scale": 1})
            for i, fmt in specs
        )
    )
    out: list[dict[str, bytes]] = [{} for _ in figures]
    for (i, fmt), data in zip(specs, results, strict=True):
        out[i][fmt] = data
    return out


async def _render_all(
    figures: Sequence[go.Figure], formats: Sequence[Format], width: int, height: int
) -> list[dict[str, bytes]]:
    async with _kaleido() as k:
        return await _render_with(k, figures, formats, width, height)


def _export_error(exc: BaseException) -> ExportError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ExportError(f"could not render the image: {first}")


def _run(coro) -> list[dict[str, bytes]]:
    """Run on a private thread: the caller may already be inside an event loop."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="kaleido-export", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, ExportError):  # already says what went wrong (ChromiumMissing)
            raise exc
        raise _export_error(exc) from exc  # type: ignore[arg-type]
    return box["value"]  # type: ignore[return-value]


class Renderer:
    """A Kaleido session started before the figures exist, so that starting
    its browser and loading plotly.js (about 4 of the board pack's 10 s at
    ten million orders) overlaps the work that makes them:

        with Renderer() as renderer:     # the browser starts now, on its own thread
            pack = build_pack(data)      # meanwhile: the numbers and figures
            write_deck(pack, out, renderer)

    A failure to start is raised, as ExportError, by the first render."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-renderer", daemon=True)
        self._thread.start()
        self._session = asyncio.run_coroutine_threadsafe(self._open(), self._loop)

    async def _open(self):
        k = _kaleido()
        await k.__aenter__()
        return k

    def render(
        self,
        figures: Sequence[go.Figure],
        formats: Sequence[Format] = ("png", "svg"),
        width: int = theme.EXPORT_WIDTH,
        height: int = theme.EXPORT_HEIGHT,
    ) -> list[dict[str, bytes]]:
        if not figures:
            return []
        slides = [theme.for_presentation(f) for f in figures]
        try:
            k = self._session.result()
            return asyncio.run_coroutine_threadsafe(
                _render_with(k, slides, list(formats), width, height), self._loop
            ).result()
        except ExportError:
            raise
        except Exception as exc:
            raise _export_error(exc) from exc

    def close(self) -> None:
        """Close the browser (once it has started: a session half-opened and
        abandoned would leave its Chromium behind)."""
        try:
            k = self._session.result(timeout=RENDER_TIMEOUT_SECONDS)
            asyncio.run_coroutine_threadsafe(k.__aexit__(None, None, None), self._loop).result()
        except Exception:  # it never started, or is gone: nothing to close
            pass
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def render_images(
    figures: Sequence[go.Figure],
    formats: Sequence[Format] = ("png", "svg"),
    width: int = theme.EXPORT_WIDTH,
    height: int = theme.EXPORT_HEIGHT,
    renderer: Renderer | None = None,
    stamps: Sequence[Stamp | None] | None = None,
) -> list[dict[str, bytes]]:
    """Every figure in every format, at presentation size, through one
    Kaleido session (`renderer`'s, or one opened for this call). Returns
    one {format: bytes} per figure, in order. A figure with a stamp (one
    per figure, or None) carries it under its title (export/stamp.py)."""
    if not formats:  # nothing to draw: no browser is started (a zip of CSVs only)
        return [{} for _ in figures]
    if renderer is not None:
        return renderer.render(figures, formats, width, height)
    if not figures:
        return []
    slides = [theme.for_presentation(f) for f in figures]
    if stamps is not None:
        slides = [s if stamp is None else stamp.apply(s) for s, stamp in zip(slides, stamps, strict=True)]
    return _run(_render_all(slides, list(formats), width, height))


def render_image(fig: go.Figure, fmt: Format = "png") -> bytes:
    return render_images([fig], (fmt,))[0][fmt]


def slug(text: str) -> str:
    """A file name from a chart title: 'NPS — Alpine' -> 'nps-alpine'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "chart"


def zip_images(named: Sequence[tuple[str, go.Figure]], formats: Sequence[Format] = ("png", "svg")) -> bytes:
    """A ZIP of every figure in every format (one Kaleido session for all)."""
    rendered = render_images([fig for _, fig in named], formats)
    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for (name, _), images in zip(named, rendered, strict=True):
            base, k = slug(name), 2
            while base in used:
                base, k = f"{slug(name)}-{k}", k + 1
            used.add(base)
            for fmt, data in images.items():
                zf.writestr(f"{base}.{fmt}", data)
    return buf.getvalue()
