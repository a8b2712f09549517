"""What every download carries besides its content: a file name safe on any
system, and CSV text cells a spreadsheet will not run as formulas.

Names and ids come from imported data (a brand id is free text), so a file
name built from them, or a CSV cell holding them, is hostile input:

    file_name('gri-=HYPERLINK("http://x/","y").csv')  # 'gri-HYPERLINK-http-x-y.csv'
    csv_bytes(frame)  # a text cell '=1+1' is written as "'=1+1"
"""

from __future__ import annotations

import re

import polars as pl

# OWASP's CSV-injection rule: a cell starting with one of these is read as a
# formula (or, for tab and CR, can shift one into the next cell) by Excel,
# LibreOffice and Google Sheets. A leading single quote makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START_PATTERN = r"^[=+\-@\t\r]"

_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
NAME_LIMIT = 120  # characters of a file name, its extension included


def neutralise_cell(text: str) -> str:
    """A text cell as a spreadsheet shows it, never runs it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV, every text cell neutralised (numbers stay
    numbers: -3.5 in a Float64 column is a number, not a formula). Nested
    columns (a list of a sparkline's values) have no CSV form and are left out."""
    frame = frame.select(name for name, dtype in frame.schema.items() if not dtype.is_nested())
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    safe = frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START_PATTERN))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )
    return safe.write_csv().encode("utf-8")


def file_name(name: str) -> str:
    """`name` with only letters, digits, ".", "_" and "-": every other run of
    characters becomes one "-"; no leading dot or dash (a hidden file, an
    option to a shell command); at most NAME_LIMIT characters, the
    extension kept."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not suffix or _UNSAFE_IN_NAME.search(suffix):
        stem, suffix = name, ""
    safe_stem = re.sub(r"-{2,}", "-", _UNSAFE_IN_NAME.sub("-", stem)).strip(".-_") or "download"
    safe_suffix = f".{suffix}" if suffix else ""
    return safe_stem[: NAME_LIMIT - len(safe_suffix)].rstrip(".-_") + safe_suffix
