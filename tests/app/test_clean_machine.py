"""The dashboard on a clean machine (issue 17): without Chromium every export
that needs it says so where its button would be; the admin sees which
database the dashboard reads, and an empty one says where it is."""

from __future__ import annotations

import pytest
from conftest import chart_specs

from purpose_metrics import dburl


@pytest.fixture
def no_chromium(monkeypatch, tmp_path) -> str:
    """Chromium made invisible: BROWSER_PATH names a file that is not there.
    Returns the reason the code gives."""
    missing = tmp_path / "no-chromium"
    monkeypatch.setenv("BROWSER_PATH", str(missing))
    return (
        f"BROWSER_PATH={missing} is not an executable file; point it at Chromium or Chrome, "
        "or unset it and install Chromium (Debian: apt-get install -y chromium)"
    )


def _labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_without_chromium_the_board_pack_is_offered_as_powerpoint_and_the_pdf_says_what_it_needs(
    app, small_db, no_chromium
):
    at = app(small_db)
    assert not at.exception
    assert [r.options for r in at.radio if r.key == "pack_format"] == [["PowerPoint (.pptx)"]]
    notes = [c.value for c in at.caption if "PDF board pack" in c.value]
    assert notes == [
        ":material/info: The PDF board pack needs Chromium on the server "
        "(Debian: `apt-get install -y chromium`, or set `BROWSER_PATH`)."
    ]
    # The PowerPoint's charts are native: it builds with no browser at all.
    [build] = [b for b in at.button if b.key == "pack_build"]
    at = build.click().run()
    assert not at.exception and not at.error
    assert [b.proto.label for b in at.get("download_button") if "board pack" in b.proto.label] == [
        "Download board pack (PPTX)"
    ]


def test_charts_offer_csv_and_a_note_instead_of_png_and_svg(app, small_db, no_chromium):
    at = app(small_db, "pages/brands.py", metric="Orders")
    assert not at.exception
    labels = _labels(at)
    assert not [label for label in labels if label.startswith(("PNG", "SVG"))]
    charts = len(chart_specs(at))
    assert charts >= 3 and labels.count("CSV") == charts  # every chart keeps its CSV
    notes = [c.value for c in at.caption if "PNG and SVG need Chromium" in c.value]
    assert (
        notes
        == [
            ":material/info: PNG and SVG need Chromium on the server "
            "(Debian: `apt-get install -y chromium`, or set `BROWSER_PATH`)."
        ]
        * charts
    )
    # Every table offers its CSV; the zip holds each but the segment matrix, whose numbers are
    # its chart's CSV already.
    tables = labels.count("Table as CSV") - 1
    assert tables >= 1
    assert f"All {charts} charts and {tables} table{'s' if tables > 1 else ''} (CSV, zip)" in labels
    assert f"Chart images in the zip need Chromium on the server: {no_chromium}." in [
        i.value for i in at.info
    ]


def test_the_pdf_brief_says_what_to_install_and_the_markdown_stays(app, small_db, no_chromium):
    at = app(small_db, "pages/drivers.py")
    at.button_group(key="brand").set_value("hearth").run()
    at.toggle(key="show_brief").set_value(True).run()
    assert not at.exception
    assert _labels(at)[-1] == "Download the brief (Markdown)"
    assert "Download the brief (PDF)" not in _labels(at)
    assert f"PDF briefs need Chromium on the server: {no_chromium}." in [i.value for i in at.info]


def test_the_admin_sees_which_database_and_why(app, small_db):
    at = app(small_db)
    path = small_db.split(":///", 1)[1]
    shown = f"Database: `duckdb:///{path}` (from {dburl.ENV_URL})"
    assert shown in [c.value for c in at.sidebar.caption]


def test_the_data_page_names_the_database(app, small_db):
    at = app(small_db, "pages/data.py")
    assert not at.exception
    assert f"Database: `duckdb:///{small_db.split(':///', 1)[1]}` (from {dburl.ENV_URL})" in [
        c.value for c in at.caption
    ]


def test_an_empty_database_says_where_it_is_on_the_data_page(app, empty_db):
    at = app(empty_db, "pages/data.py")
    assert not at.exception
    where = f"`duckdb:///{empty_db.split(':///', 1)[1]}` (from {dburl.ENV_URL})"
    assert at.info[0].value == (
        f"The database is empty: {where}. If you expected data, this is another database than you "
        f"meant: set `{dburl.ENV_URL}` to yours. Otherwise import the tables below, company and brands first."
    )
