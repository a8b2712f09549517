"""A clean start on any machine (issue 17): one rule for Chromium, in the code
and in the tests; the command line saying what to install; the default
database at a place that does not depend on the working directory, and
said; exports written with the user's umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from browser.serve import free_port, wait_healthy  # the browser tests' server helpers

from purpose_metrics import dburl, resources
from purpose_metrics.cli import main
from purpose_metrics.export import images
from purpose_metrics.export.files import current_umask

ROOT = Path(__file__).resolve().parents[1]
WEEK = "2026-W10"
NOT_ON_PATH = "no Chromium on PATH (looked for chromium, chromium-browser, google-chrome, chrome); "
INSTALL = "install it (Debian: apt-get install -y chromium) or set BROWSER_PATH to its executable"


@pytest.fixture
def no_chromium(monkeypatch, tmp_path) -> Path:
    """A PATH holding no browser (one folder, empty) and no BROWSER_PATH."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    return empty


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


# --- finding Chromium -----------------------------------------------------------------


def test_chromium_is_looked_for_on_path_in_the_order_of_its_names(no_chromium):
    assert images.chromium_path() is None
    assert images.chromium_missing_reason() == NOT_ON_PATH + INSTALL
    chrome = _executable(no_chromium / "google-chrome")
    assert images.chromium_path() == str(chrome)
    chromium = _executable(no_chromium / "chromium")
    assert images.chromium_path() == str(chromium)  # "chromium" comes first
    assert images.chromium_missing_reason() is None


def test_a_file_on_path_that_cannot_run_is_no_chromium(no_chromium):
    (no_chromium / "chromium").write_text("not a program")
    assert images.chromium_path() is None


def test_browser_path_when_set_is_the_only_place_looked(no_chromium, monkeypatch, tmp_path):
    _executable(no_chromium / "chromium")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "gone"))
    assert images.chromium_path() is None  # not the one on PATH: the setting names another
    assert images.chromium_missing_reason() == (
        f"BROWSER_PATH={tmp_path / 'gone'} is not an executable file; point it at Chromium or Chrome, "
        "or unset it and install Chromium (Debian: apt-get install -y chromium)"
    )
    mine = _executable(tmp_path / "my-chrome")
    monkeypatch.setenv("BROWSER_PATH", str(mine))
    assert images.chromium_path() == str(mine)


def test_a_zip_of_csv_only_starts_no_browser(no_chromium):
    import plotly.graph_objects as go

    assert images.render_images([go.Figure(), go.Figure()], ()) == [{}, {}]


# --- the tests' rule: skip with what to install, fail in CI ----------------------------------

BROWSER_TEST = "tests/test_brief.py::test_the_pdf_is_one_page"


def _pytest_without_chromium(ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"BROWSER_PATH": "/nonexistent/chromium"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", "-rsE", BROWSER_TEST],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_browser_test_skips_with_what_to_install_outside_ci():
    done = _pytest_without_chromium(None)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 skipped" in done.stdout
    assert "BROWSER_PATH=/nonexistent/chromium is not an executable file;" in done.stdout


def test_a_browser_test_fails_in_ci_without_chromium():
    done = _pytest_without_chromium("true")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "1 error" in done.stdout and "skipped" not in done.stdout
    assert "Chromium must be installed in CI: BROWSER_PATH=/nonexistent/chromium" in done.stdout


# --- the command line says what to install -----------------------------------------------


def test_a_pdf_deck_without_chromium_is_exit_2_with_one_sentence_and_a_pptx_needs_none(
    no_chromium, example_db, tmp_path, capsys
):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "pack.pdf"
    assert main(["--db", example_db, "deck", "--week", WEEK, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"purpose-metrics: Chromium is needed for a PDF board pack (its pages and charts): {NOT_ON_PATH}{INSTALL}\n"
    )
    assert list(out.parent.iterdir()) == []  # nothing written, not even a temporary file
    # The PowerPoint's charts are native: it is written without a browser.
    pptx = tmp_path / "out" / "pack.pptx"
    assert main(["--db", example_db, "deck", "--week", WEEK, "--out", str(pptx)]) == 0
    assert pptx.read_bytes()[:2] == b"PK"


def test_a_pdf_brief_without_chromium_is_exit_2_and_markdown_still_works(
    no_chromium, example_db, tmp_path, capsys
):
    pdf = tmp_path / "alpine.pdf"
    assert main(["--db", example_db, "brief", "--brand", "alpine", "--week", WEEK, "--out", str(pdf)]) == 2
    assert (
        capsys.readouterr().err
        == f"purpose-metrics: Chromium is needed for a PDF brief: {NOT_ON_PATH}{INSTALL}\n"
    )
    assert not pdf.exists()
    md = tmp_path / "alpine.md"
    assert main(["--db", example_db, "brief", "--brand", "alpine", "--week", WEEK, "--out", str(md)]) == 0
    assert md.read_text(encoding="utf-8").startswith(f"# Alpine: front-line brief, {WEEK}")


# --- the default database: absolute, and said -----------------------------------------------


def test_the_default_database_is_the_checkout_s_data_folder_whatever_the_working_directory(
    monkeypatch, tmp_path
):
    monkeypatch.delenv(dburl.ENV_URL, raising=False)
    monkeypatch.chdir(tmp_path)
    assert resources.checkout_root() == ROOT
    assert dburl.database_url() == f"duckdb:///{ROOT / 'data' / 'purpose_metrics.duckdb'}"


def test_an_installed_package_keeps_its_database_in_the_user_s_data_folder(monkeypatch, tmp_path):
    # As installed from a wheel (tests/test_packaging.py runs one for real): no checkout around the code.
    monkeypatch.setattr(resources, "checkout_root", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert dburl.default_db_path() == tmp_path / "xdg" / "purpose-metrics" / "purpose_metrics.duckdb"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec: only an absolute path counts
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert (
        dburl.default_db_path()
        == tmp_path / "home" / ".local" / "share" / "purpose-metrics" / "purpose_metrics.duckdb"
    )


def test_the_location_says_which_file_and_why(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(dburl.ENV_URL, raising=False)
    default = ROOT / "data" / "purpose_metrics.duckdb"
    assert (
        dburl.location() == f"duckdb:///{default} (the default; set PURPOSE_METRICS_DATABASE_URL for another)"
    )
    # A relative file is shown where it resolves from here.
    assert dburl.location("sqlite:///x/pm.sqlite") == f"sqlite:///{tmp_path / 'x' / 'pm.sqlite'} (from --db)"
    monkeypatch.setenv(dburl.ENV_URL, "postgresql+psycopg://me:secret@db.example:5432/pm")
    assert (
        dburl.location()
        == "postgresql+psycopg://me:***@db.example:5432/pm (from PURPOSE_METRICS_DATABASE_URL)"
    )


def test_init_prints_where_the_database_is(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", "duckdb:///made/pm.duckdb", "init"]) == 0
    path = tmp_path / "made" / "pm.duckdb"
    assert capsys.readouterr().out.splitlines()[-1] == f"schema ready at duckdb:///{path} (from --db)"
    assert path.is_file()


def test_the_server_says_which_database_it_reads_at_start(monkeypatch, tmp_path, capsys):
    from purpose_metrics.ui import serve

    monkeypatch.setenv(dburl.ENV_URL, f"duckdb:///{tmp_path / 'none.duckdb'}")
    serve.announce_database()
    assert capsys.readouterr().err == (
        f"purpose-metrics: database duckdb:///{tmp_path / 'none.duckdb'} (from PURPOSE_METRICS_DATABASE_URL)"
        " — no file there yet: `purpose-metrics init` creates it (`--sample` loads the sample data)\n"
    )


def test_the_project_s_streamlit_options_apply_where_nothing_else_sets_them(tmp_path, monkeypatch):
    from purpose_metrics.ui import serve

    monkeypatch.chdir(tmp_path)  # no .streamlit/ here
    monkeypatch.setenv("HOME", str(tmp_path))  # nor in ~
    config = tmp_path / "project.toml"
    config.write_text('[theme]\nprimaryColor = "#3D5A73"\n[client]\nshowSidebarNavigation = false\n')
    args = serve.project_defaults(["app.py", "--theme.primaryColor", "#000000"], config)
    assert args == ["app.py", "--theme.primaryColor", "#000000", "--client.showSidebarNavigation", "false"]


def test_a_sub_table_of_the_project_s_options_becomes_a_dotted_flag(tmp_path, monkeypatch):
    from purpose_metrics.ui import serve

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    config = tmp_path / "project.toml"
    config.write_text('[theme]\nprimaryColor = "#3D5A73"\n[theme.dark]\nprimaryColor = "#7FA6C6"\n')
    args = serve.project_defaults(["app.py"], config)
    assert args == ["app.py", "--theme.primaryColor", "#3D5A73", "--theme.dark.primaryColor", "#7FA6C6"]


def test_purpose_metrics_serve_starts_the_dashboard_and_names_its_database(example_db, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "purpose_metrics.cli", "--db", example_db, "serve", "--server.port", str(port),
             "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_healthy(proc, f"http://127.0.0.1:{port}", log, seconds=90)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    path = example_db.split(":///", 1)[1]
    assert (
        f"purpose-metrics: database duckdb:///{path} (from PURPOSE_METRICS_DATABASE_URL)" in log.read_text()
    )


# --- exports with the user's umask ----------------------------------------------------------


@pytest.fixture
def umask():
    """Set the process's umask for the test; restored afterwards."""
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_a_markdown_brief_is_written_with_the_umask(example_db, tmp_path, umask, mask, mode):
    umask(mask)
    assert current_umask() == mask
    out = tmp_path / "alpine.md"
    assert main(["--db", example_db, "brief", "--brand", "alpine", "--week", WEEK, "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode


@pytest.mark.browser
def test_the_board_pack_is_written_with_the_umask_not_0600(example_db, tmp_path, umask):
    from purpose_metrics import db, reading
    from purpose_metrics.export.deck import build_pack, render_charts, write_deck

    engine = db.make_engine(example_db)
    pack = build_pack(reading.load_dataset(engine), WEEK)
    engine.dispose()
    render_charts(pack)  # once, for the four files
    for mask, mode in ((0o022, 0o644), (0o027, 0o640)):
        umask(mask)
        for suffix in (".pptx", ".pdf"):
            out = write_deck(pack, tmp_path / f"pack-{mask:o}{suffix}")
            assert stat.S_IMODE(out.stat().st_mode) == mode, out
