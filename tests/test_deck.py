"""The weekly board pack: structure, native charts, and the same numbers as `kpis`."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import json
import re
import shutil
import subprocess
import zipfile

import hostile
import polars as pl
import pytest
from pptx import Presentation
from pptx.chart.plot import BarPlot, LinePlot
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.util import Pt

from purpose_metrics import catalog, db, formatting, reading, views
from purpose_metrics.charts import theme
from purpose_metrics.cli import main
from purpose_metrics.export.deck import build_pack
from purpose_metrics.export.deck.pdf import pdf_html
from purpose_metrics.export.deck.powerpoint import write_pptx
from purpose_metrics.periods import week_label
from purpose_metrics.validation import import_file

WEEK = "2026-W10"


@pytest.fixture(scope="module")
def pptx_deck(example_db, tmp_path_factory):
    """The worked example's pack for WEEK as PowerPoint (no browser: its charts are native)."""
    pptx = tmp_path_factory.mktemp("deck") / "pack.pptx"
    assert main(["--db", example_db, "deck", "--week", WEEK, "--out", str(pptx)]) == 0
    return pptx


@pytest.fixture(scope="module")
def pdf_deck(example_db, tmp_path_factory):
    """The same pack as PDF (Chromium renders its charts and prints it)."""
    pdf = tmp_path_factory.mktemp("deck") / "pack.pdf"
    assert main(["--db", example_db, "deck", "--week", WEEK, "--out", str(pdf)]) == 0
    return pdf


def _title(slide) -> str:
    return slide.shapes.title.text


def test_pptx_has_title_pillars_brands_and_appendix(pptx_deck):
    prs = Presentation(str(pptx_deck))
    # 1 title + summary + 4 pillars (Loyalty, Customer purpose, People, Planet and community) + drivers
    # + brands compared + brands side by side + appendix
    assert len(prs.slides) == 10
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]
    assert "Holdout Goods" in texts[0] and "Help people buy less, better." in texts[0] and WEEK in texts[0]
    assert f"Summary — Company, {WEEK}" in texts[1]
    for i, pillar in enumerate(["Loyalty", "Customer purpose", "People", "Planet and community"], start=2):
        assert f"{pillar} — Company, {WEEK}" in texts[i]
    assert "What brings customers back — Company" in texts[6]
    assert "Brands compared" in texts[7]
    assert f"Brands side by side — {WEEK}" in texts[8]
    assert "Appendix" in texts[9] and "Data as of" in texts[9]
    # every slide carries the period and the source in its footer
    assert all("Source: Purpose Metrics" in t and "2026-W10" in t for t in texts)


def test_the_pptx_charts_are_native_charts_not_pictures(pptx_deck):
    prs = Presentation(str(pptx_deck))
    slides = list(prs.slides)
    for slide in slides:
        assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE], _title(slide)
    for slide in slides[2:6]:  # a KPI with no value in the year (the example's NPS) has no chart
        charts = [s.chart for s in slide.shapes if s.has_chart]
        assert 1 <= len(charts) <= 2, _title(slide)
        assert all([type(p) for p in c.plots] == [LinePlot] for c in charts)
    bars = [s.chart for s in slides[8].shapes if s.has_chart]
    assert bars and all([type(p) for p in c.plots] == [BarPlot, LinePlot] for c in bars)


def test_kpi_tables_show_what_kpis_prints(pptx_deck, example_db, capsys):
    assert main(["--db", example_db, "kpis", "--week", WEEK, "--format", "json"]) == 0
    printed = {(r["metric_id"], r["scope"]): r for r in json.loads(capsys.readouterr().out)}
    prs = Presentation(str(pptx_deck))
    checked = 0
    for slide in list(prs.slides)[2:6]:
        table = next(s.table for s in slide.shapes if s.has_table)
        for row in list(table.rows)[1:]:
            label, value = row.cells[0].text, row.cells[1].text
            if label.endswith("(month)"):
                continue  # monthly metrics show the latest whole month, not the week
            metric = next(m for m in catalog.METRICS if formatting.card_label(m) == label)
            r = printed[(metric.id, "company")]
            expected = formatting.value_text(
                metric, r["value"], "EUR", n=r["n"], suppressed=r["suppressed"], immature=r["immature"]
            )
            assert value == expected, metric.id
            target = row.cells[4].text  # after the change and the year-over-year change
            assert target == (
                "—" if r["target"] is None else formatting.value_text(metric, r["target"], "EUR")
            )
            checked += 1
    assert checked >= 25


def _as_of(example_dir) -> dt.datetime:
    with (example_dir / "data" / "orders.csv").open() as f:
        return max(dt.datetime.fromisoformat(r["ordered_at"]) for r in csv.DictReader(f))


def test_the_drivers_slide_shows_what_drivers_prints_for_13_mature_weeks(
    pptx_deck, example_db, example_dir, capsys
):
    # By hand: the latest week up to the pack's whose 90 days are over by the as-of instant.
    monday = dt.date.fromisocalendar(2026, 10, 1)
    while dt.datetime.combine(monday + dt.timedelta(days=7), dt.time()) + dt.timedelta(days=90) > _as_of(
        example_dir
    ):
        monday -= dt.timedelta(days=7)
    end = monday + dt.timedelta(days=7)
    start = end - dt.timedelta(weeks=13)
    assert (
        main(["--db", example_db, "drivers", "--from", str(start), "--to", str(end), "--format", "json"]) == 0
    )
    printed = {r["driver"]: r for r in json.loads(capsys.readouterr().out) if r["scope"] == "company"}
    slide = list(Presentation(str(pptx_deck)).slides)[6]
    table = next(s.table for s in slide.shapes if s.has_table)
    rows = [[c.text for c in row.cells] for row in list(table.rows)[1:]]
    labels = {"On-time delivery": "on_time_delivery", "Purpose achieved": "purpose_achieved",
              "First-contact resolution": "first_contact_resolution", "Cause participation": "cause_participation"}  # fmt: skip
    assert [r[0] for r in rows] == list(labels)
    for r in rows:
        d = printed[labels[r[0]]]
        if d["rate_good"] is None:
            assert r[2] == f"— of {d['n_good']:,}"
        else:
            assert r[2].startswith(f"{d['rate_good']:.1f} % of {d['n_good']:,} [")
        assert r[6] == "—" if d["revenue_at_stake"] is None else r[6].startswith("€")
    body = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert f"{start.day}" in body and "90 days" in body


@pytest.mark.browser
def test_pdf_has_one_page_per_slide(pdf_deck):
    data = pdf_deck.read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf_deck)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    else:
        pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages == 10


@pytest.mark.parametrize(
    "args",
    [
        ["--week", "2026-W99", "--out", "x.pptx"],
        ["--brand", "nope", "--out", "x.pptx"],
        ["--out", "x.docx"],
        ["--out", "/no/such/folder/x.pptx"],
    ],
)
def test_bad_deck_requests_exit_2_and_write_nothing(example_db, tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", example_db, "deck", *args]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def pdf_title(data: bytes) -> str:
    """The /Title of a PDF's document information (a literal or UTF-16 hex string)."""
    found = re.search(rb"/Title\s*(?:\((?P<literal>(?:\\.|[^\\)])*)\)|<(?P<hex>[0-9A-Fa-f]+)>)", data)
    assert found, "the PDF has no title"
    raw = (
        bytes.fromhex(found["hex"].decode()) if found["hex"] else re.sub(rb"\\(.)", rb"\1", found["literal"])
    )
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def test_pptx_properties_describe_the_pack_not_the_template(pptx_deck):
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
    props = Presentation(str(pptx_deck)).core_properties
    assert props.title == f"Holdout Goods: board pack {WEEK}"
    assert props.author == "Holdout Goods" and props.last_modified_by == "Holdout Goods"
    assert WEEK in props.subject and "Company" in props.subject
    assert props.created > before and props.modified > before  # made now, not in 2013
    assert "python-pptx" not in props.comments


@pytest.mark.browser
def test_the_pdf_is_titled_as_the_pack(pdf_deck):
    assert pdf_title(pdf_deck.read_bytes()) == f"Holdout Goods: board pack {WEEK}"


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory):
    """The hostile brand's pack (tests/hostile.py) for the latest week, and its PPTX."""
    folder = tmp_path_factory.mktemp("hostile-deck")
    url = hostile.hostile_database(folder / "hostile.duckdb")
    pptx = folder / "pack.pptx"
    assert main(["--db", url, "deck", "--brand", hostile.BRAND_ID, "--out", str(pptx)]) == 0
    pack = build_pack(reading.load_dataset(db.make_engine(url)), None, hostile.BRAND_ID)
    return pack, pptx, url


@pytest.fixture(scope="module")
def hostile_pdf(hostile_pack):
    pdf = hostile_pack[1].with_suffix(".pdf")
    assert main(["--db", hostile_pack[2], "deck", "--brand", hostile.BRAND_ID, "--out", str(pdf)]) == 0
    return pdf


def test_imported_text_is_written_into_the_pptx_as_text(hostile_pack):
    pack, pptx, _ = hostile_pack
    prs = Presentation(str(pptx))
    texts = "\n".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    for text in (hostile.BRAND_NAME, hostile.BRAND_PURPOSE, hostile.COMPANY_NAME, hostile.COMPANY_PURPOSE):
        assert text in texts
    assert prs.core_properties.author == hostile.COMPANY_NAME
    with zipfile.ZipFile(pptx) as parts:
        xml = [
            parts.read(name).decode("utf-8") for name in parts.namelist() if name.endswith((".xml", ".rels"))
        ]
    assert not [part for part in xml if "hlinkClick" in part or "relationships/hyperlink" in part]
    # The initiative's name is a chart's data label, as written (the first 40 characters).
    labels = [
        p.data_label.text_frame.text
        for slide in prs.slides for shape in slide.shapes if shape.has_chart
        for plot in shape.chart.plots for s in plot.series if s.name == "initiative launched"
        for p, v in zip(s.points, s.values, strict=True) if v is not None
    ]  # fmt: skip
    assert any(label.startswith(hostile.INITIATIVE[:40].rstrip()) for label in labels)
    assert [t.scope_name for p in pack.pillars for t in p.trends][0] == hostile.BRAND_NAME


@pytest.mark.browser
def test_imported_text_is_escaped_in_the_pdf_and_makes_no_link(hostile_pack, hostile_pdf):
    pack, pdf = hostile_pack[0], hostile_pdf
    content = pdf.read_bytes()
    assert b"/URI" not in content  # no link annotation: nothing became an <a>
    assert pdf_title(content) == f"{hostile.COMPANY_NAME}: board pack {pack.week}"
    page = pdf_html(pack)
    assert not [tag for tag in hostile.HTML_LIVE if tag in page]
    for text in (hostile.BRAND_NAME, hostile.BRAND_PURPOSE, hostile.COMPANY_NAME, hostile.COMPANY_PURPOSE):
        assert html.escape(text) in page


def test_the_packs_charts_carry_initiatives_as_entities(hostile_pack):
    pack, _, _ = hostile_pack
    strings = [s for p in pack.pillars for _, fig in p.charts for s in hostile.strings_of(fig.to_dict())]
    assert any(hostile.as_plotly_text(hostile.INITIATIVE) in s for s in strings)
    assert not [s for s in strings if hostile.live_plotly(s)]


# Deck polish (issue 19): titles a screen reader finds, status in words and marks, comparisons
# that say what they compare, a summary slide that opens the pack.

MARKS = {"red": "✖", "amber": "≈", "green": "✔"}
WORDS = {"red": "off target", "amber": "near target", "green": "on target"}
PILLARS = ["Loyalty", "Customer purpose", "People", "Planet and community"]


def _week_kpis(url: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """The week's KPI frame for every scope, and the scopes' names (brand name -> id)."""
    engine = db.make_engine(url)
    data = reading.load_dataset(engine)
    engine.dispose()
    kpis = views.week_kpis(data, views.week_window(WEEK), views.scopes(data))
    return kpis, {name: scope for scope, name in views.scope_names(data).items()}


@pytest.fixture(scope="module")
def example_kpis(example_db):
    return _week_kpis(example_db)


@pytest.fixture(scope="module")
def marked(example_templates, tmp_path_factory):
    """The worked example with targets set so the week has KPIs on, near and off target in the
    company and its brands; its pack for WEEK written as PPTX (no chart pictures: not needed)."""
    folder = tmp_path_factory.mktemp("marked")
    url = example_templates.copy("duckdb", folder / "marked.duckdb")
    kpis, _ = _week_kpis(url)

    def value(scope, metric_id):
        return kpis.filter((pl.col("scope") == scope) & (pl.col("metric_id") == metric_id))["value"][0]

    # An "up" metric: 10 % below the value is on target, 5 % above it near (within 10 %).
    targets = [
        ("returning_order_share", "hearth", value("hearth", "returning_order_share") * 0.9),
        ("returning_order_share", "stride", value("stride", "returning_order_share") * 1.05),
        ("repeat_customer_rate", "", value("company", "repeat_customer_rate") * 1.05),
        ("repeat_customer_rate", "tiny", value("tiny", "repeat_customer_rate") * 1.5),
    ]
    csv_path = folder / "targets.csv"
    csv_path.write_text(
        "metric_id,brand_id,valid_from,valid_to,target_value\n"
        + "".join(f"{m},{b},2025-01-01,,{t:.3f}\n" for m, b, t in targets)
    )
    engine = db.make_engine(url)
    import_file(engine, "targets", csv_path)
    pack = build_pack(reading.load_dataset(engine), WEEK)
    engine.dispose()
    pptx = folder / "pack.pptx"
    write_pptx(pack, pptx)
    return pack, Presentation(str(pptx)), _week_kpis(url)


def _tables(slide) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in s.table.rows] for s in slide.shapes if s.has_table]


def _metric(label: str) -> catalog.Metric:
    return next(m for m in catalog.METRICS if formatting.card_label(m) == label.removesuffix(" (month)"))


def _row(kpis: pl.DataFrame, scope: str, metric_id: str) -> dict:
    return kpis.filter((pl.col("scope") == scope) & (pl.col("metric_id") == metric_id)).row(0, named=True)


def test_every_slide_is_titled_by_its_title_placeholder(pptx_deck):
    expected = [
        "Holdout Goods",
        f"Summary — Company, {WEEK}",
        *[f"{p} — Company, {WEEK}" for p in PILLARS],
        "What brings customers back — Company",
        f"Brands compared on the KPIs off target — {WEEK}",
        f"Brands side by side — {WEEK}",
        "Appendix: definitions, data and filters",
    ]
    slides = list(Presentation(str(pptx_deck)).slides)
    assert [slide.shapes.title.text for slide in slides] == expected
    for slide in slides:
        title = slide.shapes.title
        assert title.is_placeholder and title.placeholder_format.type == PP_PLACEHOLDER.TITLE
        run = title.text_frame.paragraphs[0].runs[0]  # the look the text boxes had
        assert run.font.bold and run.font.color.rgb == RGBColor.from_string("222222")
        assert run.font.size == Pt(40 if slide is slides[0] else 26)
        # The title is not also a text box of its own.
        others = [s.text_frame.text for s in slide.shapes if s.has_text_frame and s != title]
        assert title.text not in others


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="no pdfinfo (Debian: poppler-utils)")
def test_pdfinfo_reads_the_packs_title(pdf_deck):
    info = subprocess.run(["pdfinfo", str(pdf_deck)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+(.*)$", info, re.M).group(1) == f"Holdout Goods: board pack {WEEK}"


def test_the_brands_slide_marks_status_with_text_too(pptx_deck, example_kpis, marked):
    seen = set()
    for prs, (kpis, ids) in ((Presentation(str(pptx_deck)), example_kpis), (marked[1], marked[2])):
        slide = list(prs.slides)[7]
        [rows] = _tables(slide)
        brands = rows[0][1:]
        assert rows[1:]
        for label, *cells in rows[1:]:
            metric = _metric(label)
            for brand, cell in zip(brands, cells, strict=True):
                status = _row(kpis, ids[brand], metric.id)["status"]
                seen.add(status)
                if status is None:
                    assert not set(cell) & set(MARKS.values()), cell
                else:
                    assert cell.startswith(f"{MARKS[status]} "), (brand, label, cell)
                    others = set(MARKS.values()) - {MARKS[status]}
                    assert cell.count(MARKS[status]) == 1 and not set(cell) & others, cell
    assert {"red", "amber", "green"} <= seen  # every mark was checked


def test_the_pillar_tables_status_cells_carry_mark_and_words(marked):
    _, prs, (kpis, _) = marked
    seen = set()
    for slide in list(prs.slides)[2:6]:
        [rows] = _tables(slide)
        assert rows[0][5] == "Status"
        for row in rows[1:]:
            status = _row(kpis, "company", _metric(row[0]).id)["status"]
            seen.add(status)
            assert row[5] == (f"{MARKS[status]} {WORDS[status]}" if status else "no target")
    assert {"red", "amber", "green"} <= seen


def test_the_change_says_what_it_compares(pptx_deck, example_kpis):
    kpis, _ = example_kpis
    prs = Presentation(str(pptx_deck))
    grains = set()
    for slide in list(prs.slides)[2:6]:
        [rows] = _tables(slide)
        assert rows[0] == [
            "KPI",
            "Value",
            "Change",
            "Year over year",
            "Target",
            "Status",
        ]  # not "vs last week"
        for row in rows[1:]:
            metric = _metric(row[0])
            r = _row(kpis, "company", metric.id)
            change = row[2]
            if r["value"] is None or r["change"] is None:
                assert change == "—"
                continue
            previous = "previous month" if metric.monthly else "previous week"
            grains.add(previous)
            assert change.endswith(f" vs {previous}"), (metric.id, change)
            shown = formatting.change_text(metric, r["change"], "EUR")
            assert shown in change
            if not shown.startswith("±"):
                assert change.startswith("▲" if r["change"] > 0 else "▼")
    assert grains == {"previous week", "previous month"}
    text = "\n".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert "last week" not in text


def _expected_off(kpis: pl.DataFrame) -> list[tuple[str, str, str, str, str]]:
    """The company's KPIs off or near target, by hand: (status cell, KPI, value, target, gap)."""
    out = []
    for r in kpis.filter((pl.col("scope") == "company") & pl.col("status").is_in(["red", "amber"])).iter_rows(
        named=True
    ):
        metric = catalog.get(r["metric_id"])
        gap = formatting.change_text(metric, abs(r["value"] - r["target"]), "EUR").lstrip("+")
        side = "below" if metric.direction == "up" else "above"
        out.append((
            f"{MARKS[r['status']]} {WORDS[r['status']]}",
            formatting.card_label(metric) + (" (month)" if metric.monthly else ""),
            formatting.kpi_text(metric, r, "EUR"),
            formatting.value_text(metric, r["target"], "EUR"),
            f"{gap} {side} target",
        ))  # fmt: skip
    return out


def _expected_moved(kpis: pl.DataFrame) -> list[str]:
    """The company's KPIs with a target, by their change as a share of the target, largest first."""
    rows = kpis.filter(
        (pl.col("scope") == "company") & pl.col("target").is_not_null() & pl.col("change").is_not_null()
    )
    moved = [
        (abs(r["change"]) / abs(r["target"]), formatting.card_label(catalog.get(r["metric_id"])))
        for r in rows.iter_rows(named=True)
        if not formatting.is_zero_change(catalog.get(r["metric_id"]), r["change"])
    ]
    return [label for _, label in sorted(moved, reverse=True)[:5]]


@pytest.mark.parametrize("which", ["example", "marked"])
def test_the_summary_slide_lists_exactly_the_kpis_off_target(which, pptx_deck, example_kpis, marked):
    if which == "example":
        slide, (kpis, _) = list(Presentation(str(pptx_deck)).slides)[1], example_kpis
    else:
        slide, (kpis, _) = list(marked[1].slides)[1], marked[2]
    expected = _expected_off(kpis)
    assert expected  # the week has something off target
    off, moved = _tables(slide)
    assert off[0] == ["Status", "KPI", "Value", "Target", "By how much"]
    assert sorted(tuple(r) for r in off[1:]) == sorted(expected)
    statuses = [r[0] for r in off[1:]]
    assert statuses == sorted(statuses, key=lambda s: "✖≈".index(s[0]))  # off target before near
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert f"Off or near target: {len(expected)} KPI" in text
    # What moved most: the KPIs with a target, by their change as a share of the target.
    assert [r[0].removesuffix(" (month)") for r in moved[1:]] == _expected_moved(kpis)
    for row in moved[1:]:
        r = _row(kpis, "company", _metric(row[0]).id)
        better = (r["change"] > 0) == (catalog.get(r["metric_id"]).direction == "up")
        assert row[2].endswith(f"vs previous {'month' if r['grain'] == 'month' else 'week'} "
                               f"({'better' if better else 'worse'})")  # fmt: skip
    # The company's pack counts each brand's KPIs off and near target.
    names = {scope: name for name, scope in (example_kpis if which == "example" else marked[2])[1].items()}
    for scope in kpis.filter(pl.col("scope") != "company")["scope"].unique(maintain_order=True):
        statuses = kpis.filter(pl.col("scope") == scope)["status"].to_list()
        red, amber = statuses.count("red"), statuses.count("amber")
        counts = [f"✖ {red} off"] * bool(red) + [f"≈ {amber} near"] * bool(amber) or ["✔ on target"]
        assert f"{names[scope]} {', '.join(counts)}" in text


def test_a_summary_with_nothing_off_target_says_so(marked, tmp_path):
    pack = dataclasses.replace(marked[0], summary_off=[], summary_moved=[], summary_brands=[])
    write_pptx(pack, tmp_path / "calm.pptx")
    slide = list(Presentation(str(tmp_path / "calm.pptx")).slides)[1]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "Every KPI with a target is on target for Company this week." in text
    assert not _tables(slide)
    page = pdf_html(pack)
    assert "Every KPI with a target is on target for Company this week." in page


def test_the_pdf_shows_what_the_pptx_shows(marked):
    """The PDF's HTML (what Chromium prints) carries the same marks, comparisons and summary."""
    pack, prs, _ = marked
    page = pdf_html(pack)
    for slide in list(prs.slides)[1:8]:
        for table in _tables(slide):
            for row in table:
                for cell in row:
                    assert html.escape(cell) in page, cell


# Native charts (issue 17): the PowerPoint's charts are PowerPoint charts holding the numbers (in the
# worksheet PowerPoint edits), and writing it starts no browser.

EXCEL_DAY_ZERO = dt.date(1899, 12, 30)  # Excel's serial day 0 (a date axis's categories count from it)
SAMPLED = (0, 17, 34, 50, 51)  # the trend weeks checked against `kpis --week` (of 52)


def _dates(plot) -> list[dt.date]:
    return [EXCEL_DAY_ZERO + dt.timedelta(days=float(c)) for c in plot.categories]


def _series(chart) -> dict[str, list]:
    return {s.name: list(s.values) for plot in chart.plots for s in plot.series}


def _printed(example_db: str, week: str, capsys) -> dict[tuple[str, str], dict]:
    assert main(["--db", example_db, "kpis", "--week", week, "--format", "json"]) == 0
    return {(r["metric_id"], r["scope"]): r for r in json.loads(capsys.readouterr().out)}


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and abs(a - b) <= 1e-9 * max(1, abs(b))
    )


def _trend_charts(pptx_deck) -> dict[str, object]:
    """The pillar slides' charts by metric id (their title: '<metric label> — Company')."""
    charts = {}
    for slide in list(Presentation(str(pptx_deck)).slides)[2:6]:
        for shape in slide.shapes:
            if shape.has_chart:
                label = shape.chart.chart_title.text_frame.text.splitlines()[0].removesuffix(" — Company")
                charts[next(m.id for m in catalog.METRICS if m.label == label)] = shape.chart
    return charts


def test_the_trend_charts_hold_what_kpis_prints_week_by_week(pptx_deck, example_db, capsys):
    charts = _trend_charts(pptx_deck)
    assert len(charts) == 7  # the key charts but NPS, which has no value in the example's year
    # The 52 weeks to WEEK, by hand: Mondays a week apart, the last WEEK's.
    last = dt.date.fromisocalendar(2026, 10, 1)
    weeks = [last - dt.timedelta(weeks=k) for k in range(51, -1, -1)]
    for chart in charts.values():
        assert _dates(chart.plots[0]) == weeks
    checked = with_target = 0
    for i in SAMPLED:
        printed = _printed(example_db, week_label(weeks[i]), capsys)
        for metric_id, chart in charts.items():
            row, series = printed[(metric_id, "company")], _series(chart)
            assert _close(series["Company"][i], row["value"]), (metric_id, weeks[i])
            assert ("target" in series) == (row["target"] is not None), metric_id  # the targets never lapse
            if row["target"] is not None:
                assert _close(series["target"][i], row["target"]), (metric_id, weeks[i])
                with_target += 1
            checked += row["value"] is not None
    assert checked >= 30 and with_target >= 10  # real numbers were compared, targets among them


def test_the_target_is_a_dashed_grey_line_and_the_kpi_a_line_in_its_scopes_colour(pptx_deck):
    from pptx.enum.dml import MSO_LINE

    chart = _trend_charts(pptx_deck)["returning_order_share"]
    kpi, target = list(chart.plots[0].series)[:2]
    assert (kpi.name, target.name) == ("Company", "target")
    assert kpi.format.line.color.rgb == RGBColor.from_string(theme.COMPANY_COLOUR.lstrip("#"))
    assert target.format.line.dash_style == MSO_LINE.DASH
    assert target.format.line.color.rgb == RGBColor.from_string(theme.MUTED.lstrip("#"))


def test_initiatives_sit_on_the_week_of_their_launch_with_their_name(pptx_deck, example_dir):
    charts = _trend_charts(pptx_deck)
    with (example_dir / "data" / "brands.csv").open() as f:
        brand_names = {r["brand_id"]: r["name"] for r in csv.DictReader(f)}
    with (example_dir / "data" / "initiatives.csv").open() as f:
        initiatives = list(csv.DictReader(f))
    first = dt.date.fromisocalendar(2026, 10, 1) - dt.timedelta(weeks=51)
    expected: dict[str, dict[dt.date, str]] = {}
    for r in initiatives:
        launched = dt.date.fromisoformat(r["launched_at"])
        if r["metric_id"] in charts and first <= launched < dt.date.fromisocalendar(2026, 11, 1):
            label = r["name"] + (f" ({brand_names[r['brand_id']]})" if r["brand_id"] else "")
            expected.setdefault(r["metric_id"], {})[launched - dt.timedelta(days=launched.weekday())] = label
    assert len(expected) == 2  # the worked example's two initiatives, both on a key chart
    for metric_id, chart in charts.items():
        shown = {s.name: s for plot in chart.plots for s in plot.series}.get("initiative launched")
        if metric_id not in expected:
            assert shown is None, metric_id
            continue
        weeks, values = _dates(chart.plots[0]), list(shown.values)
        marked = {
            weeks[i]: shown.points[i].data_label.text_frame.text
            for i, v in enumerate(values)
            if v is not None
        }
        assert marked == expected[metric_id]
        for week in marked:  # on the KPI's line
            assert values[weeks.index(week)] == _series(chart)["Company"][weeks.index(week)]


def test_the_value_axes_say_the_unit(pptx_deck):
    for metric_id, chart in _trend_charts(pptx_deck).items():
        metric = catalog.get(metric_id)
        assert chart.value_axis.axis_title.text_frame.text == metric.unit, metric_id
        shows_percent = '"%"' in chart.value_axis.tick_labels.number_format.replace(" ", "")
        assert shows_percent == (metric.unit == "%"), metric_id


def _expected_bars(printed: dict, brands: list[str]) -> list[str]:
    """By hand: the KPIs on which some brand is off (red) or near (amber) target, worst first: red before
    amber, then the shortfall as a share of the target (of 100 for a percentage or points at a target of 0)."""
    ranked = []
    for (metric_id, scope), r in printed.items():
        if scope in brands and r["status"] in ("red", "amber"):
            metric = catalog.get(metric_id)
            shortfall = (r["target"] - r["value"]) if metric.direction == "up" else (r["value"] - r["target"])
            size = abs(r["target"]) or (100.0 if metric.fmt in ("pct", "points") else 1.0)
            ranked.append((r["status"] != "red", -shortfall / size, metric_id))
    return list(dict.fromkeys(m for *_, m in sorted(ranked)))


def test_the_brands_bars_hold_each_brands_value_and_target(pptx_deck, example_db, example_dir, capsys):
    printed = _printed(example_db, WEEK, capsys)
    brands = list(dict.fromkeys(scope for _, scope in printed if scope != "company"))
    with (example_dir / "data" / "brands.csv").open() as f:
        names = {r["brand_id"]: r["name"] for r in csv.DictReader(f)}
    slide = list(Presentation(str(pptx_deck)).slides)[8]
    charts = [s.chart for s in slide.shapes if s.has_chart]
    expected = _expected_bars(printed, brands)[:2]
    assert len(charts) == len(expected) >= 1
    colours = theme.scope_colours(brands)
    status = {c.lstrip("#") for c in theme.STATUS_COLOURS.values()}
    for chart, metric_id in zip(charts, expected, strict=True):
        assert chart.chart_title.text_frame.text.startswith(f"{catalog.get(metric_id).label} by brand")
        bars, targets = chart.plots[0].series[0], chart.plots[1].series[0]
        assert list(chart.plots[0].categories) == [names[b] for b in brands]
        for i, brand in enumerate(brands):
            row = printed[(metric_id, brand)]
            assert _close(bars.values[i], row["value"]) and _close(targets.values[i], row["target"]), brand
            fill = str(bars.points[i].format.fill.fore_color.rgb)
            assert fill == colours[brand].lstrip("#") and fill not in status
        assert targets.name == "target" and chart.plots[1].series[0].marker.style is not None


def test_the_pptx_is_written_with_no_browser_to_be_found(example_db, tmp_path, pptx_deck):
    """BROWSER_PATH names a missing file and PATH holds no Chromium: the PowerPoint is still written
    (nothing starts a browser), while the PDF, which needs one, is not."""
    import os
    import sys

    env = {**os.environ, "BROWSER_PATH": str(tmp_path / "no-chromium"), "PATH": str(tmp_path)}

    def deck(out):
        command = [sys.executable, "-m", "purpose_metrics.cli", "--db", example_db, "deck", "--week", WEEK]
        return subprocess.run(
            [*command, "--out", str(out)], env=env, capture_output=True, text=True, timeout=600
        )

    done = deck(tmp_path / "pack.pptx")
    assert done.returncode == 0, done.stderr
    prs = Presentation(str(tmp_path / "pack.pptx"))
    charts = sum(s.has_chart for slide in prs.slides for s in slide.shapes)
    assert (
        charts == sum(s.has_chart for slide in Presentation(str(pptx_deck)).slides for s in slide.shapes) > 0
    )
    assert deck(tmp_path / "pack.pdf").returncode != 0
    assert not (tmp_path / "pack.pdf").exists()


def test_names_from_data_stay_text_in_the_charts_worksheet(tmp_path):
    """A brand named like a formula or a link is a string in the chart's worksheet, not a live formula."""
    import io

    import plotly.graph_objects as go
    from pptx.util import Inches

    from purpose_metrics.export.deck.content import BrandBars
    from purpose_metrics.export.deck.pptx_charts import add_brand_bars

    names = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "http://127.0.0.1:9/login", "=1+1"]
    bars = BrandBars("Return rate by brand", "return_rate", "week 2026-W10", "%", names,
                     ["#0072B2", "#CC79A7", "#56B4E9"], [4.0, 5.0, 6.0], [5.0, 5.0, None], [], go.Figure())  # fmt: skip
    prs = Presentation()
    add_brand_bars(
        prs.slides.add_slide(prs.slide_layouts[6]), bars, "EUR", *(Inches(x) for x in (0, 0, 6, 5))
    )
    prs.save(str(tmp_path / "bars.pptx"))
    with zipfile.ZipFile(tmp_path / "bars.pptx") as deck:
        [book] = [n for n in deck.namelist() if n.endswith(".xlsx")]
        with zipfile.ZipFile(io.BytesIO(deck.read(book))) as sheet:
            cells = sheet.read("xl/worksheets/sheet1.xml").decode()
            strings = sheet.read("xl/sharedStrings.xml").decode()
            parts = sheet.namelist()
    assert "<f>" not in cells and "hyperlink" not in cells.lower()
    assert not [p for p in parts if "rels" in p and "sheet1" in p]  # no link relationships
    assert all(html.escape(n, quote=False) in strings for n in names)
    assert (
        list(Presentation(str(tmp_path / "bars.pptx")).slides[0].shapes[0].chart.plots[0].categories) == names
    )
