"""Starting the dashboard for browser tests (as `make run` does), and Chromium.

A helper module (not a test file): the browser tests import it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from purpose_metrics import dburl
from purpose_metrics.export.images import chromium_path

ROOT = Path(__file__).resolve().parents[2]
# The Chromium the code finds; without one, every test marked `browser` skips
# (or fails in CI) before it is used (tests/conftest.py).
CHROMIUM = chromium_path() or "/usr/bin/chromium"
# The dashboard's pages by title, in the router's order (dashboard.py).
PAGE_TITLES = [
    "This week",
    "Brands and segments",
    "Loyalty and retention",
    "Customer purpose",
    "Drivers",
    "People",
    "Impact",
    "Data",
    "Subscriptions",
]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(proc: subprocess.Popen, base: str, log: Path, seconds: float = 60) -> None:
    """Until the Streamlit server at `base` answers its health check;
    RuntimeError with the end of its `log` when it exits or takes longer."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("streamlit did not start:\n" + log.read_text()[-2000:])
        time.sleep(0.3)


@contextmanager
def dashboard(
    url: str,
    log: Path,
    env: dict[str, str] | None = None,
    port: int | None = None,
    args: Sequence[str] = (),
    host: str = "127.0.0.1",
) -> Iterator[str]:
    """A dashboard server on `url`, its output in `log`; yields its address
    (http://`host`:port). A fixed `port` keeps a browser's cache valid across
    servers; `args` are more `streamlit run` options."""
    port = port or free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "purpose_metrics.ui.serve", "dashboard.py", "--server.port", str(port),
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none", "--server.runOnSave", "false", *args,
            ],
            cwd=ROOT, env={**os.environ, dburl.ENV_URL: url, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://{host}:{port}"
        try:
            wait_healthy(proc, base, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# A page's h1 shows `title`, or its anchor is the title's slug (the home page's
# h1 names the period it shows, "Week 2026-W47 · 16 – 22 Nov 2026"; its anchor is "this-week").
H1_IS = "(h, t) => h.innerText.trim() === t || h.id === t.toLowerCase().replaceAll(' ', '-')"


def wait_until_run(page, title: str | None = None, timeout_ms: int = 60_000) -> None:
    """Until the script has run (and, with `title`, that page's title is shown)."""
    page.wait_for_function(
        "t => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning' && "
        f"(t === null || [...document.querySelectorAll('h1')].some(h => ({H1_IS})(h, t)))",
        arg=title,
        timeout=timeout_ms,
    )


def exceptions(page) -> list[str]:
    return [e.inner_text()[:500] for e in page.query_selector_all('[data-testid="stException"]')]


def _listening_sockets(port: int) -> list[tuple[bytes, str]]:
    """(local address as the kernel writes it, socket inode) of every TCP
    socket of this machine listening on `port` (/proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            address, _, hex_port = parts[1].partition(":")
            if int(hex_port, 16) == port and parts[3] == "0A":  # 0A: LISTEN
                found.append((bytes.fromhex(address), parts[9]))
    return found


def listening_pid(port: int) -> int | None:
    """The PID of the process listening on a TCP port of this machine."""
    sockets = _listening_sockets(port)
    if not sockets:
        return None
    inode = sockets[0][1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return int(proc.name)
        except OSError:
            continue
    return None


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket of this machine listens on at `port`
    ("127.0.0.1", "0.0.0.0", "::" ...), read from the kernel's tables."""
    import ipaddress

    # The kernel writes each 32-bit word in host (little-endian) order.
    return {
        str(ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))))
        for raw, _ in _listening_sockets(port)
    }


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
