"""Which database, and how to name it safely: the URL from `--db`, the
environment or the default file, and every password masked before a URL or
an error message is shown (sidebar, CLI, logs)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy as sa

ENV_URL = "PURPOSE_METRICS_DATABASE_URL"
DEFAULT_DB_PATH = Path("data") / "purpose_metrics.duckdb"


def database_url(explicit: str | None = None) -> str:
    """`--db` first, then the environment, then the embedded DuckDB file."""
    if explicit:
        return explicit
    env = os.environ.get(ENV_URL)
    if env:
        return env
    return f"duckdb:///{DEFAULT_DB_PATH}"


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
