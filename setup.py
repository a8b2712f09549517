"""One build step beside pyproject.toml (which holds everything else): the
project's top-level sql/, sample_data/, dashboard.py, pages/ and
.streamlit/config.toml go into the wheel as package data, under
purpose_metrics/_bundled/, where purpose_metrics.resources finds them. The
folders stay where the project keeps them; an editable install (`make`)
reads them there and copies nothing."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("sql", "sample_data", "pages", "dashboard.py", ".streamlit/config.toml")


class BuildWithProjectFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "purpose_metrics" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)  # nothing left from an earlier build
        for name in BUNDLED:
            source, copy = ROOT / name, target / name
            if source.is_dir():
                shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy)


setup(cmdclass={"build_py": BuildWithProjectFiles})
