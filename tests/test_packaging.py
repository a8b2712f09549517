"""`pip install .` (not editable) gives a working command line and dashboard:
the wheel carries sql/, sample_data/, dashboard.py and pages/ as package
data, and the installed package runs from any folder, reading only its own
copies (never a checkout's).

One wheel is built per session, from a copy of the build's inputs (so no
build/ folder is left in the checkout), and installed into a fresh virtual
environment that sees the test environment's dependencies through a .pth
line (nothing is downloaded but the build backend, from the package index).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "src", "sql",
                "sample_data", "pages", "dashboard.py", ".streamlit/config.toml")  # fmt: skip
WEEK = "2026-W46"


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without what would lead the installed package to a
    checkout or a database (PYTHONPATH, the database URL)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PURPOSE_METRICS_DATABASE_URL")}
    return env | extra


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        source,
        _clean_env(),
    )
    (built,) = out.glob("purpose_metrics-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh virtual environment with the wheel installed; its dependencies
    are this environment's (a .pth line, read after its own site-packages)."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    python = home / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
         home, _clean_env())  # fmt: skip
    return home


def test_the_wheel_carries_the_sql_the_sample_data_and_the_dashboard(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = "purpose_metrics/_bundled"
    expected = {f"{bundled}/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / "sql").rglob("*.sql")}
    expected |= {f"{bundled}/sample_data/{p.name}" for p in (ROOT / "sample_data").glob("*.csv")}
    expected |= {f"{bundled}/pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    expected |= {f"{bundled}/dashboard.py", f"{bundled}/.streamlit/config.toml"}
    assert len(expected) > 30  # schema, facts and store SQL, twelve tables, eight pages
    assert expected <= names, sorted(expected - names)


@pytest.fixture(scope="module")
def initialised(venv, tmp_path_factory) -> tuple[dict[str, str], Path, Path, str]:
    """`purpose-metrics init --sample`, installed, run in a folder of its own
    with no database named: (environment, data home, that folder, its output)."""
    data_home, here = tmp_path_factory.mktemp("xdg"), tmp_path_factory.mktemp("here")
    env = _clean_env(XDG_DATA_HOME=str(data_home))
    init = _run([str(venv / "bin" / "purpose-metrics"), "init", "--sample"], here, env)
    return env, data_home, here, init.stdout


def test_installed_cli_loads_the_sample_and_reads_it_from_another_folder(venv, initialised, tmp_path):
    """`init --sample` and `kpis` from two folders, neither the checkout,
    with no database named: both use the user's data folder."""
    env, data_home, here, init = initialised
    where = _run(
        [str(venv / "bin" / "python"), "-c", "import purpose_metrics.sqltext as s; print(s.__file__, s.SQL_DIR)"],
        tmp_path, env,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(venv) for p in where), where  # the installed copy, not the checkout

    database = data_home / "purpose-metrics" / "purpose_metrics.duckdb"
    expected_rows = sum(
        sum(1 for _ in csv.reader(p.open(encoding="utf-8"))) - 1 for p in (ROOT / "sample_data").glob("*.csv")
    )
    assert f"loaded sample data: {expected_rows:,} rows into 12 tables" in init
    assert f"schema ready at duckdb:///{database} (the default;" in init
    assert database.is_file() and not list(here.iterdir())  # nothing written where it ran

    kpis = _run(
        [str(venv / "bin" / "purpose-metrics"), "kpis", "--week", WEEK, "--format", "csv"], tmp_path, env
    )
    rows = {(r["metric_id"], r["scope"]): r for r in csv.DictReader(io.StringIO(kpis.stdout))}
    # The week's company orders (cancelled ones are no orders), counted from the
    # sample CSV by hand: ISO week 46 of 2026 is 9–15 Nov, and the company keeps UTC.
    with (ROOT / "sample_data" / "orders.csv").open(encoding="utf-8") as f:
        in_week = [
            r for r in csv.DictReader(f)
            if "2026-11-09" <= r["ordered_at"][:10] <= "2026-11-15" and r["status"] != "cancelled"
        ]  # fmt: skip
    assert rows[("orders", "company")]["value"] == str(len(in_week))


def test_installed_dashboard_runs_its_packaged_pages(venv, initialised, tmp_path):
    """The packaged dashboard.py and pages/ run (Streamlit's AppTest, in the
    fresh environment, from a folder with no dashboard in it)."""
    env = initialised[0]
    script = (
        "from purpose_metrics import resources\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file(str(resources.path('dashboard.py')), default_timeout=120).run()\n"
        "assert not at.exception, [e.value for e in at.exception]\n"
        "print(resources.path('dashboard.py'))\n"
        "print('|'.join(t.value for t in at.title))\n"
    )
    out = _run([str(venv / "bin" / "python"), "-c", script], tmp_path, env).stdout.splitlines()
    assert Path(out[0]).is_relative_to(venv)
    assert out[1].startswith("Week ")  # the home page, titled by the week it shows
