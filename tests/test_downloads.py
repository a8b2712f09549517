"""What every download carries: a safe file name, and CSV text cells a
spreadsheet will not run (OWASP's CSV-injection rule; issue 20, item 4)."""

from __future__ import annotations

import io

import polars as pl
import pytest
from hostile import BRAND_ID

from purpose_metrics.export.downloads import csv_bytes, file_name


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", BRAND_ID])
def test_a_text_cell_that_starts_a_formula_is_written_behind_a_quote(cell):
    back = pl.read_csv(io.BytesIO(csv_bytes(pl.DataFrame({"text": [cell]}))), infer_schema=False)
    assert back["text"].to_list() == ["'" + cell]


def test_other_text_and_every_number_are_written_as_they_are():
    frame = pl.DataFrame({"text": ["ok", "a=b", None], "value": [-3.5, 0.0, None], "n": [-2, 1, 3]})
    lines = csv_bytes(frame).decode().splitlines()
    assert lines == ["text,value,n", "ok,-3.5,-2", "a=b,0.0,1", ",,3"]


@pytest.mark.parametrize(
    ("asked", "safe"),
    [
        ("board-pack-2026-W46-alpine.pptx", "board-pack-2026-W46-alpine.pptx"),
        (f"gri-content-index-{BRAND_ID}-2025-07-to-2026-06.csv",
         "gri-content-index-HYPERLINK-http-127.0.0.1-9-x-click-2025-07-to-2026-06.csv"),
        ("../../etc/passwd", "etc-passwd"),
        ("-rf .zip", "rf.zip"),
        ("<script>.svg", "script.svg"),
        ("", "download"),
    ],
)  # fmt: skip
def test_file_names_keep_only_a_safe_character_set(asked, safe):
    assert file_name(asked) == safe


def test_a_long_file_name_is_cut_and_keeps_its_extension():
    name = file_name("chart-" + "x" * 500 + ".png")
    assert len(name) == 120 and name.endswith("x.png")


def test_a_list_column_has_no_csv_form_and_is_left_out():
    frame = pl.DataFrame({"metric": ["=x"], "trend": [[1.0, 2.0]], "value": [3.0]})
    assert csv_bytes(frame).decode().splitlines() == ["metric,value", "'=x,3.0"]
