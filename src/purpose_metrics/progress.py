"""A tiny text progress bar on stderr, without dependencies.

    bar = ProgressBar(total=1_000, label="orders")
    for chunk in chunks:
        ...
        bar.update(len(chunk))
    bar.close()

It redraws one line with a carriage return, only when the shown percentage
changes, and prints nothing at all when `total` is 0.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, label: str = "", width: int = 30, stream: TextIO | None = None) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.width = width
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._shown: int | None = None  # the last percentage drawn
        self._drawn = False
        self._closed = False
        self._started = time.monotonic()
        self._draw()

    def update(self, n: int = 1) -> None:
        if self._closed:
            return
        self.done = min(self.done + int(n), self.total) if self.total else self.done + int(n)
        self._draw()

    def _draw(self, force: bool = False) -> None:
        if self.total == 0:
            return
        pct = int(100 * self.done / self.total)
        if pct == self._shown and not force:
            return
        self._shown = pct
        filled = int(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self._started
        label = f"{self.label} " if self.label else ""
        self.stream.write(f"\r{label}[{bar}] {pct:3d}% {self.done:,}/{self.total:,} {elapsed:5.1f}s")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._drawn:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
