"""The launcher (`python -m purpose_metrics.ui.serve`) refuses a way of
serving that would expose the numbers: exit 2, one line, no traceback and
no secret in it. (Each case is a real start of the launcher, which stops
before Streamlit would.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from purpose_metrics.access import ENV_ACCESS

ROOT = Path(__file__).resolve().parents[1]
GOOD_SECRET = "c0ffee" * 8


def launch(tmp_path: Path, *args: str, auth: dict[str, str] | None = None, roles: str | None = None):
    env = {k: v for k, v in os.environ.items() if k not in (ENV_ACCESS, "PURPOSE_METRICS_ALLOW_ANONYMOUS")}
    extra = []
    if auth is not None:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in auth.items()))
        extra = ["--secrets.files", str(secrets)]
    if roles is not None:
        (tmp_path / "access.toml").write_text(roles)
        env[ENV_ACCESS] = str(tmp_path / "access.toml")
    return subprocess.run(
        [sys.executable, "-m", "purpose_metrics.ui.serve", "dashboard.py", "--server.port", "9", *extra, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def auth(secret: str | None) -> dict[str, str]:
    out = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "client_id": "purpose-metrics",
        "client_secret": "a-client-secret",
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
    }
    if secret is not None:
        out["cookie_secret"] = secret
    return out


ROLES = '[[grant]]\nemail = "ops@example.com"\nrole = "admin"\n'


@pytest.mark.parametrize("secret", [None, "short-secret-123"])
def test_sign_in_needs_a_long_cookie_secret_and_never_prints_it(tmp_path, secret):
    run = launch(tmp_path, auth=auth(secret), roles=ROLES)
    assert run.returncode == 2
    assert run.stderr.startswith(
        "purpose-metrics: error: [auth] cookie_secret must be set to a random text of 32"
    )
    assert "Traceback" not in run.stderr
    if secret:
        assert secret not in run.stderr + run.stdout


def test_sign_in_needs_a_roles_file_and_a_wrong_one_is_named(tmp_path):
    none = launch(tmp_path, auth=auth(GOOD_SECRET))
    assert none.returncode == 2
    assert "sign-in is configured, so the roles file is needed: set PURPOSE_METRICS_ACCESS" in none.stderr
    wrong = launch(tmp_path, auth=auth(GOOD_SECRET), roles='[[grant]]\nemail = "a@b.c"\nrole = "owner"\n')
    assert wrong.returncode == 2
    assert (
        "access.toml: grant 1: role must be one of admin, executive, brand, viewer, not 'owner'"
        in wrong.stderr
    )
    assert GOOD_SECRET not in wrong.stderr


def test_xsrf_protection_cannot_be_turned_off(tmp_path):
    run = launch(tmp_path, "--server.enableXsrfProtection", "false")
    assert run.returncode == 2
    assert "XSRF protection on" in run.stderr and "Traceback" not in run.stderr
