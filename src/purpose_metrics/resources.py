"""The files that live beside the code: `sql/`, `sample_data/`,
`dashboard.py`, `pages/` and `.streamlit/config.toml`.

In a checkout (`make`, an editable install, PYTHONPATH=src) they are the
top-level folders of the project. A built wheel (`pip install .`) carries
copies as package data in `purpose_metrics/_bundled/` (setup.py copies them
at build time), read through importlib.resources. The packaged copy wins
when it is there, so an installed package never reads a checkout's files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

BUNDLED = "_bundled"
# What a checkout of this project has at its root (and an installed package's
# grandparent folder, lib/python3.x, has not).
_CHECKOUT_MARKERS = ("pyproject.toml", "dashboard.py", "sql")


def checkout_root() -> Path | None:
    """The project's folder when the code runs from a checkout, else None."""
    root = Path(__file__).resolve().parents[2]
    return root if all((root / name).exists() for name in _CHECKOUT_MARKERS) else None


def path(name: str) -> Path:
    """The file or folder `name` ("sql", "sample_data", "dashboard.py", …):
    the packaged copy, else the checkout's. FileNotFoundError when neither
    has it (a wheel built without its package data)."""
    packaged = resources.files(__package__).joinpath(BUNDLED, name)
    if packaged.is_dir() or packaged.is_file():
        return Path(str(packaged))  # a wheel is installed as files, never zipped
    root = checkout_root()
    if root is not None and (root / name).exists():
        return root / name
    raise FileNotFoundError(
        f"{name} is neither packaged (purpose_metrics/{BUNDLED}/{name}) nor in a checkout: "
        "reinstall the package from a wheel built by its setup.py"
    )
