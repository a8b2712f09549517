"""Starting the dashboard: `streamlit run`, safely, with the libraries loaded.

    python -m purpose_metrics.ui.serve dashboard.py [streamlit run options]

Before Streamlit starts, the launcher checks how it will be served
(`safety`), and refuses (exit 2, one line, no secret in it) what would
expose the numbers:

- no address given: it listens on 127.0.0.1 only (local mode);
- another address without sign-in: only with PURPOSE_METRICS_ALLOW_ANONYMOUS=1;
- sign-in ([auth] in Streamlit's secrets) needs a cookie_secret of 32
  characters or more and a readable roles file ($PURPOSE_METRICS_ACCESS);
- Streamlit's XSRF protection stays on.

`streamlit run dashboard.py` imports what the pages need (Polars, Plotly,
pandas, PyArrow, DuckDB, SQLAlchemy, pyroaring and this package) when the
first person opens a page: about a second and a half of their wait on this
machine. This launcher imports them first and then hands over to
Streamlit's own `streamlit run`, with the same options and behaviour, so
the server's first page costs what every later one does. (What the pages
compute is not done ahead: the first view still reads the database.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

LOOPBACK = "127.0.0.1"
MIN_COOKIE_SECRET = 32


def warm() -> None:
    """Import every module a page uses."""
    import duckdb  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import polars
    import pyroaring  # noqa: F401
    import sqlalchemy

    from .. import catalog, formatting, reading, reports, sources, views  # noqa: F401
    from ..charts import cohorts, compare, relevance, retention, service, trends  # noqa: F401
    from ..sources import store  # noqa: F401
    from . import boardpack, cards, charts, filters, importer, page, scorecards, sidebar, state  # noqa: F401

    # The engines' own first-use costs (DuckDB's first connection, Polars'
    # thread pool): a query on nothing each, no data read.
    with sqlalchemy.create_engine("duckdb:///:memory:").connect() as conn:
        conn.exec_driver_sql("SELECT 1").all()
    polars.DataFrame({"k": [1, 1], "v": [1.0, 2.0]}).lazy().group_by("k").agg(polars.col("v").sum()).collect()


MULTIPLE = ("secrets.files",)  # options a command line may repeat (a list)


def _flags(args: list[str]) -> dict[str, object]:
    """`--section.option value` and `--section.option=value` pairs of a
    `streamlit run` command line (a list for an option that may repeat)."""
    flags: dict[str, object] = {}
    for i, arg in enumerate(args):
        if not arg.startswith("--") or "." not in arg:
            continue
        name, eq, value = arg[2:].partition("=")
        if not eq:
            value = args[i + 1] if i + 1 < len(args) else ""
        if name in MULTIPLE:
            flags.setdefault(name, [])
            flags[name].append(value)  # type: ignore[union-attr]
        else:
            flags[name] = value
    return flags


def safety(args: list[str]) -> list[str]:
    """`args` with the address made explicit; UsageError for a way of
    serving that would expose the numbers (see the module's docstring)."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    from ..access import ENV_ACCESS, load_roles, roles_path
    from ..errors import UsageError
    from .access import ENV_ANONYMOUS
    from .access import LOOPBACK as LOCAL_NAMES

    flags = _flags(args)
    config.get_config_options(force_reparse=True, options_from_flags=dict(flags))
    address = str(config.get_option("server.address") or "")
    if not address:
        address = LOOPBACK
        args = [*args, "--server.address", LOOPBACK]
    if str(config.get_option("server.enableXsrfProtection")).strip().lower() in ("false", "0"):
        raise UsageError(
            "server.enableXsrfProtection is off: the dashboard runs only with XSRF protection on"
        )
    auth = secrets_singleton.get("auth") if secrets_singleton.load_if_toml_exists() else None
    if auth is None:
        if address not in LOCAL_NAMES and os.environ.get(ENV_ANONYMOUS, "").strip() != "1":
            raise UsageError(
                f"refusing to serve on {address} without sign-in: anyone who reaches it would read every "
                f'number. Configure [auth] in .streamlit/secrets.toml (README, "Deploying it"), serve on '
                f"{LOOPBACK}, or set {ENV_ANONYMOUS}=1"
            )
        return args
    secret = auth.get("cookie_secret")
    if not isinstance(secret, str) or len(secret) < MIN_COOKIE_SECRET:
        raise UsageError(
            f"[auth] cookie_secret must be set to a random text of {MIN_COOKIE_SECRET} characters or more "
            "(python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    path = roles_path()
    if path is None:
        raise UsageError(
            f"sign-in is configured, so the roles file is needed: set {ENV_ACCESS} to access.toml"
        )
    load_roles(path)  # a wrong file is refused now, not at the first visit
    return args


def project_defaults(args: list[str], config_file: Path) -> list[str]:
    """`args` plus, as flags, every option of the project's own Streamlit
    config (`.streamlit/config.toml`, packaged with the dashboard) that
    neither `args`, the environment nor a config file of the user sets:
    Streamlit reads config files from the working directory and ~/.streamlit
    only, so an installed dashboard run from elsewhere would lose them."""
    import tomllib

    from streamlit import config
    from streamlit.config_option import ConfigOption

    config.get_config_options(force_reparse=True, options_from_flags=dict(_flags(args)))
    extra: list[str] = []
    for key, value in _options(tomllib.loads(config_file.read_text(encoding="utf-8"))):
        if config.get_where_defined(key) == ConfigOption.DEFAULT_DEFINITION:
            extra += [f"--{key}", str(value).lower() if isinstance(value, bool) else str(value)]
    return [*args, *extra]


def _options(table: dict, prefix: str = "") -> list[tuple[str, object]]:
    """('theme.dark.primaryColor', value) for every option of a config file,
    its sub-tables ([theme.dark]) included."""
    out: list[tuple[str, object]] = []
    for name, value in table.items():
        key = f"{prefix}{name}"
        out += _options(value, f"{key}.") if isinstance(value, dict) else [(key, value)]
    return out


def announce_database() -> None:
    """Which database the dashboard reads, on stderr at start: a default path
    the person did not mean is seen before anyone opens a page."""
    import sqlalchemy as sa

    from .. import db, dburl

    line = f"purpose-metrics: database {dburl.location()}"
    path = dburl.file_path(dburl.database_url())
    if path is not None and not path.exists():
        line += " — no file there yet: `purpose-metrics init` creates it (`--sample` loads the sample data)"
    print(line, file=sys.stderr, flush=True)
    try:
        note = db.unverified_note(sa.make_url(dburl.database_url()).get_backend_name())
    except Exception:  # an unparsable URL: the first page says what is wrong with it
        note = None
    if note:
        print(f"purpose-metrics: warning: {note}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None, config_file: Path | None = None) -> None:
    """`streamlit run` with `argv` (the script first), after the safety
    checks; `config_file`'s options are added where nothing else sets them."""
    from ..errors import UsageError

    args = sys.argv[1:] if argv is None else argv
    try:
        if config_file is not None:
            args = project_defaults(args, config_file)
        args = safety(args)
    except UsageError as exc:
        print(f"purpose-metrics: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    announce_database()
    warm()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    cli.main()


if __name__ == "__main__":
    main()
