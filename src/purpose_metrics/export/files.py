"""Writing an export to its file: built under a temporary name in the
target's folder, then renamed onto it, so a failed build leaves nothing
half-written. The file ends with the mode any new file of the user gets
(0666 less the umask: 0644 by default), not the temporary file's own: a
mkstemp file is 0600 and would keep that through the rename."""

from __future__ import annotations

import os
from pathlib import Path


def current_umask() -> int:
    """The process's umask, read without changing it where the system says
    it (Linux: /proc/self/status); else set and restored at once."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(tmp: Path, out: Path) -> Path:
    """Give the finished `tmp` a new file's mode and rename it onto `out`."""
    os.chmod(tmp, 0o666 & ~current_umask())
    tmp.replace(out)
    return out
