"""Which database, and how to name it safely: the URL from `--db`, the
environment or the default file, and every password masked before a URL or
an error message is shown (sidebar, CLI, logs)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy as sa

ENV_URL = "PURPOSE_METRICS_DATABASE_URL"
DEFAULT_DB_NAME = "purpose_metrics.duckdb"


def default_db_path() -> Path:
    """The embedded database when neither `--db` nor the environment names
    one, as an absolute path that does not depend on the working directory:
    `data/` of the checkout the code runs from (`make run`, `make test`),
    else the user's data folder ($XDG_DATA_HOME/purpose-metrics, by default
    ~/.local/share/purpose-metrics) for an installed package."""
    from .resources import checkout_root

    root = checkout_root()
    if root is not None:
        return root / "data" / DEFAULT_DB_NAME
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "purpose-metrics" / DEFAULT_DB_NAME


def database_url(explicit: str | None = None) -> str:
    """`--db` first, then the environment, then the embedded DuckDB file."""
    if explicit:
        return explicit
    env = os.environ.get(ENV_URL)
    if env:
        return env
    return f"duckdb:///{default_db_path()}"


def file_path(url: str) -> Path | None:
    """The absolute path of an embedded database's file (DuckDB, SQLite), else None."""
    try:
        parsed = sa.make_url(url)
    except Exception:  # an unparsable URL names no file
        return None
    if parsed.drivername.startswith(("duckdb", "sqlite")) and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database).resolve()
    return None


def where(explicit: str | None = None) -> tuple[str, str]:
    """(the database as shown, where that came from): ('duckdb:////abs/x.duckdb',
    'the default; set PURPOSE_METRICS_DATABASE_URL for another'). A file's
    path is shown absolute, so a relative URL read from another folder shows;
    a password never is."""
    url = database_url(explicit)
    path = file_path(url)
    shown = safe_url(url) if path is None else f"{sa.make_url(url).drivername}:///{path}"
    if explicit:
        return shown, "from --db"
    if os.environ.get(ENV_URL):
        return shown, f"from {ENV_URL}"
    return shown, f"the default; set {ENV_URL} for another"


def location(explicit: str | None = None) -> str:
    """Which database, and why, on one line (the CLI's and the server's output)."""
    shown, why = where(explicit)
    return f"{shown} ({why})"


def safe_url(url: str | sa.URL) -> str:
    """The URL with any password masked, for messages and the UI."""
    try:
        return sa.make_url(str(url)).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show nothing of it
        return "<invalid database URL>"


_CREDENTIALS = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):(?P<password>[^@\s]+)@")
_KEY_VALUE_PASSWORD = re.compile(r"(?P<head>password\s*=\s*)(?P<password>'[^']*'|\S+)", re.IGNORECASE)


def redact(text: str, url: str | sa.URL | None = None) -> str:
    """`text` (an error message) with every password in it masked: the
    configured URL's, and any in a URL or a `password=` pair."""
    out = _CREDENTIALS.sub(lambda m: f"{m['head']}:***@", str(text))
    out = _KEY_VALUE_PASSWORD.sub(lambda m: f"{m['head']}***", out)
    for url_ in (url, os.environ.get(ENV_URL)):
        password = _password_of(url_)
        if password and len(password) >= 3:
            from urllib.parse import quote

            for form in {password, quote(password, safe="")}:
                out = out.replace(form, "***")
    return out


def _password_of(url: str | sa.URL | None) -> str | None:
    if url is None:
        return None
    try:
        return sa.make_url(str(url)).password
    except Exception:  # an unparsable URL has no password we can tell
        match = _CREDENTIALS.search(str(url))
        return match["password"] if match else None
