"""Sign-in through a real OpenID Connect provider, in headless Chromium.

The provider is oidc-provider-mock, a real OIDC server (discovery, JWKS,
signed ID tokens) on localhost in this process; the dashboard is the real
server (`ui/serve.py`) with an [auth] section in its secrets and a roles
file. Nothing is mocked on the dashboard's side: Streamlit's st.login does
the authorization-code flow against the provider.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    dashboard,
    exceptions,
    free_port,
    listening_addresses,
    wait_until_run,
)

from purpose_metrics import audit, db, dburl
from purpose_metrics.access import ENV_ACCESS

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
oidc = pytest.importorskip("oidc_provider_mock")

SECRET = secrets.token_hex(32)
LEAD = "lead@example.com"
ROLES = """
admin_contact = "data-team@example.com"

[[grant]]
group = "brand-hearth"
role = "brand"
brands = ["hearth"]

[[grant]]
email = "ops@example.com"
role = "admin"
"""
OTHER_NAMES = ("Alpine", "Stride", "Tiny")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OIDC provider, with the Hearth lead (in the brand-hearth group) on file."""
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # http on localhost
    users = [
        oidc.User(sub=LEAD, claims={"email": LEAD, "groups": ["staff", "brand-hearth"]}),
        oidc.User(sub="stranger@example.com", claims={"email": "stranger@example.com", "groups": ["staff"]}),
    ]
    with oidc.run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed(tmp_path_factory, example_templates, provider) -> Iterator[tuple[str, Path, Path, str]]:
    """(the dashboard's address, its log, the roles file, the database URL)."""
    folder = tmp_path_factory.mktemp("signin")
    url = example_templates.copy("duckdb", folder / "dashboard.duckdb")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{SECRET}"\n'
        'client_id = "purpose-metrics"\n'
        'client_secret = "a-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    roles = folder / "access.toml"
    roles.write_text(ROLES)
    env = {ENV_ACCESS: str(roles), "AUTHLIB_INSECURE_TRANSPORT": "1"}
    log = folder / "streamlit.log"
    with dashboard(
        url, log, env=env, port=port, args=["--secrets.files", str(secrets_file)], host="localhost"
    ) as base:
        yield base, log, roles, url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def main_text(page) -> str:
    """What the page reads (the word joiners that keep an email from turning into a link removed)."""
    return page.inner_text('[data-testid="stApp"]').replace("\u2060", "")


def sign_in(page, base: str, sub: str = LEAD) -> None:
    page.goto(base)
    wait_until_run(page, "Purpose Metrics")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator(f'button[name="sub"][value="{sub}"]').click()
    page.wait_for_url(f"{base}/**")


def test_without_a_session_every_page_is_the_sign_in_screen(signed, browser):
    base, *_ = signed
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    for path in ("", "loyalty?brand=Alpine&week=2026-W10", "data", "people"):
        page.goto(f"{base}/{path}")
        wait_until_run(page, "Purpose Metrics")
        page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=30_000)
        text = main_text(page)
        assert "€" not in text and "Hearth" not in text and "Import a file" not in text
        assert not page.query_selector_all('[data-testid="stSidebarNavLink"]')  # no page is offered
    page.close()


def test_sign_in_shows_only_the_brand_and_its_exports_then_sign_out(signed, browser, tmp_path):
    base, _, _, url = signed
    context = browser.new_context(viewport={"width": 1440, "height": 3000}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base)
    wait_until_run(page, "This week", timeout_ms=120_000)
    assert not exceptions(page)
    text = main_text(page)
    assert LEAD in text and "Hearth" in text
    assert not [n for n in OTHER_NAMES if n in text]

    # A hand-edited link to another brand's comparison: Hearth only, charts included.
    page.goto(f"{base}/brands?brand=Alpine&metric=Net%20revenue")
    wait_until_run(page, "Brands and segments", timeout_ms=120_000)
    page.wait_for_selector(".pm-chart svg", timeout=60_000)  # a server-drawn chart
    html = page.content()
    assert not [n for n in OTHER_NAMES if n in html]
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="(PNG + SVG + CSV, zip)").click()
    path = tmp_path / "charts.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as zipped:
        names = zipped.namelist()
        assert any(n.endswith(".png") for n in names) and any(n.endswith(".svg") for n in names)
        assert any(n.endswith(".csv") for n in names) and "README.txt" in names
        for name in names:
            if name.endswith(".svg"):
                svg = zipped.read(name).decode()
                assert "Hearth" in svg or "Company" not in svg
                assert not [n for n in OTHER_NAMES if n in svg], name
            if name.endswith((".csv", ".txt")):  # the data behind the charts, the stamp: Hearth's too
                assert not [n for n in OTHER_NAMES if n in zipped.read(name).decode()], name

    page.get_by_role("button", name="Sign out").click()
    # Streamlit ends the provider's session too (RP-initiated logout), which sends the browser back.
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    wait_until_run(page, "Purpose Metrics")
    page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=30_000)
    assert "_streamlit_user" not in {c["name"] for c in context.cookies()}
    context.close()

    engine = db.make_engine(url)
    rows = audit.recent(engine).select("who", "action", "outcome").rows()
    engine.dispose()
    assert (
        (LEAD, "sign-in", "ok") in rows
        and (LEAD, "export", "ok") in rows
        and (LEAD, "sign-out", "ok") in rows
    )


def test_a_forged_cookie_or_a_person_removed_from_the_roles_file_gets_nothing(signed, browser):
    base, _, roles, _ = signed
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, base)
    wait_until_run(page, "This week", timeout_ms=120_000)
    cookie = next(c for c in context.cookies() if c["name"] == "_streamlit_user")

    # The same cookie with its signed value changed: not a session.
    forged = dict(
        cookie, value=cookie["value"][:-4] + ("AAAA" if not cookie["value"].endswith("AAAA") else "BBBB")
    )
    context.clear_cookies()
    context.add_cookies([forged])
    page.goto(base)
    wait_until_run(page, "Purpose Metrics")
    page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=30_000)
    assert "€" not in main_text(page)

    # The genuine cookie of a person the roles file no longer names: "no access", at once.
    context.clear_cookies()
    context.add_cookies([cookie])
    original = roles.read_text()
    try:
        roles.write_text(original.replace('group = "brand-hearth"', 'group = "brand-hearth-old"'))
        os.utime(roles, ns=(time.time_ns(), time.time_ns() + 10**9))  # a newer mtime, even within a tick
        page.goto(base)
        wait_until_run(page, "Purpose Metrics")
        assert "No access" in main_text(page) and "data-team@" in main_text(page)
        assert "€" not in main_text(page)
    finally:
        roles.write_text(original)
    context.close()


def test_the_cookie_secret_is_never_logged_or_sent_and_xsrf_stays_on(signed, browser):
    base, log, _, _ = signed
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base)
    wait_until_run(page, "This week", timeout_ms=120_000)
    assert SECRET not in page.content()
    assert SECRET not in log.read_text()
    assert "_streamlit_xsrf" in {c["name"] for c in context.cookies()}
    context.close()
    # A write without the XSRF token is refused by the server.
    request = urllib.request.Request(
        f"{base}/_stcore/upload_file/some-session/some-file", data=b"x", method="PUT"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def _serve(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "purpose_metrics.ui.serve", "dashboard.py", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args],
        cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _listening(proc: subprocess.Popen, port: int, log: Path) -> set[str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = listening_addresses(port)
        if found:
            return found
        assert proc.poll() is None, log.read_text()[-2000:]
        time.sleep(0.3)
    raise AssertionError("the server did not listen:\n" + log.read_text()[-2000:])


def test_local_mode_listens_on_loopback_only(example_db, tmp_path):
    port = free_port()
    env = {dburl.ENV_URL: example_db}
    env.pop(ENV_ACCESS, None)
    proc = _serve(["--server.port", str(port)], env, tmp_path / "local.log")
    try:
        assert _listening(proc, port, tmp_path / "local.log") == {"127.0.0.1"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_another_address_without_sign_in_is_refused_unless_allowed_and_then_bannered(
    example_db, tmp_path, browser
):
    port = free_port()
    env = {dburl.ENV_URL: example_db, "PURPOSE_METRICS_ALLOW_ANONYMOUS": ""}
    refused = subprocess.run(
        [sys.executable, "-m", "purpose_metrics.ui.serve", "dashboard.py", "--server.address", "0.0.0.0",
         "--server.port", str(port)],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith("purpose-metrics: error: refusing to serve on 0.0.0.0 without sign-in")
    assert "Traceback" not in refused.stderr
    assert not listening_addresses(port)

    log = tmp_path / "anonymous.log"
    proc = _serve(
        ["--server.address", "0.0.0.0", "--server.port", str(port)],
        {dburl.ENV_URL: example_db, "PURPOSE_METRICS_ALLOW_ANONYMOUS": "1"},
        log,
    )
    try:
        assert _listening(proc, port, log) == {"0.0.0.0"}
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/data")
        wait_until_run(page, "Data", timeout_ms=120_000)
        text = main_text(page)
        assert "Anyone who can reach this address reads every number here" in text
        assert "Import a file" not in text  # anonymous readers do not import
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_cookie_from_before_the_secret_changed_is_not_a_session(signed, browser, provider, tmp_path):
    base, _, roles, url = signed
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, base)
    wait_until_run(page, "This week", timeout_ms=120_000)
    # A second server with a new cookie secret (a rotation): the browser still
    # holds the first one's cookie, and cookies do not tell ports apart.
    port = free_port()
    rotated = tmp_path / "secrets.toml"
    rotated.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "purpose-metrics"\n'
        'client_secret = "a-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    env = {ENV_ACCESS: str(roles), "AUTHLIB_INSECURE_TRANSPORT": "1"}
    args = ["--secrets.files", str(rotated)]
    with dashboard(url, tmp_path / "rotated.log", env=env, port=port, args=args, host="localhost") as other:
        assert "_streamlit_user" in {c["name"] for c in context.cookies()}
        page.goto(other)
        wait_until_run(page, "Purpose Metrics")
        page.get_by_role("button", name="Sign in").wait_for(state="visible", timeout=30_000)
        assert "€" not in main_text(page)
    context.close()
