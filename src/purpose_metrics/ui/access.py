"""Sign-in and access in the dashboard: who is looking, and what they may see.

Three ways the dashboard can be served, decided on every run by `decide`:

- **Sign-in** (an `[auth]` section in Streamlit's secrets): Streamlit's own
  `st.login` / `st.user` with any OpenID Connect provider. The roles file
  (`purpose_metrics.access`, path in $PURPOSE_METRICS_ACCESS) says what each
  signed-in person may see; a person it does not name sees "no access".
- **Local mode** (no sign-in, served on 127.0.0.1): the person at this
  machine, with everything (`access.LOCAL`). `ui/serve.py` binds to the
  loopback address unless told otherwise.
- **Anonymous on a network** (no sign-in, another address, and
  $PURPOSE_METRICS_ALLOW_ANONYMOUS=1): everything to read, no import, and a
  banner on every page. Without the setting, such a server shows nothing.

`gate()` runs first in the router (dashboard.py), before any page: until it
lets a run through, no page script runs and nothing but the sign-in screen
is sent. The access it decides is what `state` applies to every cached
result (`Access.restrict`) and what the pickers offer.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from .. import access as rules
from .. import audit, formatting
from ..access import ANONYMOUS, LOCAL, Access, AccessDenied
from ..errors import UsageError

log = logging.getLogger(__name__)

ENV_ANONYMOUS = "PURPOSE_METRICS_ALLOW_ANONYMOUS"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_SIGNED_IN = "_pm_signin_recorded"  # session_state: the sign-in already audited
_DENIED = "_pm_denied_recorded"  # session_state: refusals already audited


@dataclass(frozen=True)
class Decision:
    """Who this run is for: their access, or why there is none."""

    access: Access | None
    state: str  # ok | signed-out | unlisted | exposed | misconfigured
    detail: str = ""  # the email of an unlisted person, or what is misconfigured
    contact: str | None = None


# --- settings -------------------------------------------------------------------------


def signin_configured() -> bool:
    """True when Streamlit's secrets have an [auth] section."""
    secrets = st.secrets
    try:
        return bool(secrets.load_if_toml_exists()) and "auth" in secrets
    except Exception:  # noqa: BLE001 - unreadable secrets: Streamlit reports them itself
        return False


def served_address() -> str:
    """The address the server listens on ('' when unset: AppTest, or the
    project's .streamlit/config.toml was bypassed)."""
    return str(st.get_option("server.address") or "")


def local_only(address: str) -> bool:
    """Served on this machine only (an unset address counts: ui/serve.py and
    .streamlit/config.toml set 127.0.0.1 for every real server)."""
    return address in LOOPBACK or address == ""


def anonymous_allowed() -> bool:
    return os.environ.get(ENV_ANONYMOUS, "").strip() == "1"


@st.cache_resource(show_spinner=False, ttl=30)
def _roles(path: str, mtime_ns: int) -> rules.Roles:
    """The roles file, read again when it changes (keyed by its mtime)."""
    return rules.load_roles(Path(path))


def roles() -> rules.Roles:
    """The configured roles file; UsageError when unset, unreadable or wrong."""
    path = rules.roles_path()
    if path is None:
        raise UsageError(
            f"sign-in is configured but no roles file is: set ${rules.ENV_ACCESS} to access.toml"
        )
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise UsageError(f"the roles file {path} cannot be read: {exc.strerror or exc}") from None
    return _roles(str(path), mtime)


def _user() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 - no user information at all
        return {}


def decide() -> Decision:
    """The access of whoever runs this script (no output)."""
    if signin_configured():
        user = _user()
        if not user.get("is_logged_in"):
            return Decision(None, "signed-out")
        try:
            table = roles()
        except UsageError as exc:
            return Decision(None, "misconfigured", str(exc))
        groups = user.get(table.group_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        email = user.get("email")
        found = table.resolve(email if isinstance(email, str) else None, groups)
        if found is None:
            return Decision(None, "unlisted", str(email or user.get("sub") or "unknown"), table.admin_contact)
        return Decision(found, "ok", contact=table.admin_contact)
    if local_only(served_address()):
        return Decision(LOCAL, "ok")
    if anonymous_allowed():
        return Decision(ANONYMOUS, "ok")
    return Decision(None, "exposed", served_address())


# --- the access of the running script ---------------------------------------------------

_RUN = threading.local()


@contextmanager
def for_this_run(found: Access) -> Iterator[None]:
    """Make `found` the access of everything this script run computes."""
    _RUN.access = found
    try:
        yield
    finally:
        _RUN.access = None


def current() -> Access:
    """The access of this run (decided by the router's gate; decided here
    when a function runs outside it). AccessDenied when there is none."""
    found = getattr(_RUN, "access", None)
    if found is None:
        found = decide().access
    if found is None:
        raise AccessDenied("no access: sign in first")
    return found


@contextmanager
def refusals() -> Iterator[None]:
    """Around a page: something its person may not see (which the pickers
    never offer, so only a crafted request gets here) ends the page with a
    sentence, audited, instead of an error."""
    try:
        yield
    except AccessDenied as exc:
        record("view", "denied", detail=str(exc)[:200])
        st.warning("Your access does not include what this page was asked to show.", icon=":material/lock:")


def require(allowed: bool, what: str, scope: str | None = None) -> None:
    """Stop the page with a sentence, and audit the refusal, unless `allowed`."""
    if allowed:
        return
    record("view", "denied", scope=scope, detail=what)
    st.warning(f"Your access does not include {what}.", icon=":material/lock:")
    st.stop()


# --- the audit log ---------------------------------------------------------------------


def record(action: str, outcome: str = "ok", *, scope: str | None = None, detail: str | None = None,
           who: Access | None = None, url: str | None = None) -> None:  # fmt: skip
    """One row of the audit log for this run's person (never raises)."""
    from . import state  # the data path imports this module

    person = who or getattr(_RUN, "access", None) or decide().access
    name, role = (person.who, person.role) if person else (_user().get("email") or "unknown", "none")
    try:
        engine = state.engine(url or state.database_url())
    except Exception as exc:  # noqa: BLE001 - the log never stops a page
        log.warning("audit log not written (%s %s by %s): %s", action, outcome, name, type(exc).__name__)
        return
    audit.record(engine, audit.Entry(str(name), role, action, outcome, scope, detail))


def once(kind: str, value: str, action: str, outcome: str, **kw) -> None:
    """`record`, at most once per session for the same (kind, value)."""
    seen = st.session_state.setdefault(_DENIED if outcome == "denied" else _SIGNED_IN, set())
    if (kind, value) in seen:
        return
    seen.add((kind, value))
    record(action, outcome, **kw)


def audited_export(body: Callable[[], bytes], *, detail: str, scope: str | None) -> Callable[[], bytes]:
    """A deferred download's data (made when clicked) that records the
    export when it is fetched. It runs outside the script run, so who and
    which database are taken now."""
    from . import state

    person, url = current(), state.database_url()

    def fetch() -> bytes:
        try:
            data = body()
        except Exception:
            record("export", "failed", scope=scope, detail=detail, who=person, url=url)
            raise
        record("export", "ok", scope=scope, detail=detail, who=person, url=url)
        return data

    return fetch


def export_recorder(*, detail: str, scope: str | None) -> Callable[[], None]:
    """A download button's on_click for data already made: records the export."""
    return lambda: record("export", "ok", scope=scope, detail=detail)


# --- what the gate shows ----------------------------------------------------------------


def _providers() -> list[str]:
    """Named providers of [auth] ([auth.google] ...); [] for the one default."""
    section = st.secrets.get("auth", {})
    return [k for k, v in section.items() if isinstance(v, dict) and "client_id" in v]


def _signin_screen() -> None:
    st.title("Purpose Metrics")
    st.markdown("Sign in to see your company's purpose metrics.")
    named = _providers()
    if named:
        for name in named:
            st.button(f"Sign in with {name.capitalize()}", on_click=st.login, args=(name,),
                      type="primary", icon=":material/login:", key=f"signin_{name}")  # fmt: skip
    else:
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:", key="signin")


def _refusal(decision: Decision) -> None:
    st.title("Purpose Metrics")
    if decision.state == "unlisted":
        once("sign-in", decision.detail, "sign-in", "denied", detail="not named in the roles file")
        ask = f" Ask {formatting.plain(decision.contact)} for access." if decision.contact else ""
        st.error(
            f"No access. You are signed in as {formatting.plain(decision.detail)}, but the roles file does "
            f"not name you or your groups.{ask}",
            icon=":material/lock:",
        )
        st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="signout_denied")
    elif decision.state == "misconfigured":
        log.error("access is misconfigured: %s", decision.detail)
        st.error(
            f"The dashboard's access is not set up correctly, so nothing is shown: {formatting.plain(decision.detail)}",
            icon=":material/settings:",
        )
    else:  # exposed
        st.error(
            f"This dashboard is served on {formatting.plain(decision.detail)}, beyond this machine, without "
            f"sign-in, so it shows nothing. Configure sign-in (README, “Deploying it”), serve it on 127.0.0.1, "
            f"or set {ENV_ANONYMOUS}=1 to let anyone who reaches it read every number.",
            icon=":material/public:",
        )


def gate() -> Access:
    """Who this run is for. Anyone without access sees the sign-in screen
    or a refusal, and the run stops here: no page script runs."""
    decision = decide()
    if decision.state == "signed-out":
        _signin_screen()
        st.stop()
    if decision.access is None:
        _refusal(decision)
        st.stop()
    found = decision.access
    if found.role not in ("local", "anonymous"):
        once("sign-in", found.who, "sign-in", "ok", who=found, detail=found.describe())
    if found is ANONYMOUS:
        st.warning(
            "Anyone who can reach this address reads every number here: it is served without sign-in "
            f"({ENV_ANONYMOUS}=1). Imports are off.",
            icon=":material/public:",
        )
    return found


def sidebar(found: Access, names: dict[str, str]) -> None:
    """Who is signed in, and the sign-out button (inside the sidebar)."""
    if found is LOCAL:
        st.caption(
            ":material/computer: Local mode: served on this machine only, without sign-in.",
            help="Configure sign-in to serve it to others (README, “Deploying it”).",
        )
        return
    if found is ANONYMOUS:
        st.caption(":material/public: Served without sign-in: anyone who reaches it can read it.")
        return
    reach = found.describe()
    if found.brands is not None:
        shown = ", ".join(sorted(names.get(b, b) for b in found.brands)) or "no brand"
        reach = reach.replace(", ".join(sorted(found.brands)) or "no brand", shown, 1)
    st.caption(f":material/person: {formatting.plain(found.who)} · {formatting.plain(reach)}")
    if st.button("Sign out", icon=":material/logout:", key="signout"):
        record("sign-out", "ok", who=found)
        st.logout()
