"""The weekly board pack: structure, pictures, and the same numbers as `kpis`."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import shutil
import subprocess
import zipfile

import hostile
import pytest
from pptx import Presentation

from purpose_metrics import catalog, db, formatting, reading
from purpose_metrics.cli import main
from purpose_metrics.export.deck import build_pack
from purpose_metrics.export.deck.pdf import pdf_html

WEEK = "2026-W10"


@pytest.fixture(scope="module")
def decks(example_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("deck")
    pptx, pdf = out / "pack.pptx", out / "pack.pdf"
    assert main(["--db", example_db, "deck", "--week", WEEK, "--out", str(pptx)]) == 0
    assert main(["--db", example_db, "deck", "--week", WEEK, "--out", str(pdf)]) == 0
    return pptx, pdf


def _title(slide) -> str:
    return max(
        (s for s in slide.shapes if s.has_text_frame), key=lambda s: s.text_frame.paragraphs[0].font.size or 0
    ).text_frame.text


def test_pptx_has_title_pillars_brands_and_appendix(decks):
    prs = Presentation(str(decks[0]))
    # 1 title + 4 pillars (Loyalty, Customer purpose, People, Planet and community) + drivers + brands
    # + appendix
    assert len(prs.slides) == 8
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]
    assert "Holdout Goods" in texts[0] and "Help people buy less, better." in texts[0] and WEEK in texts[0]
    for i, pillar in enumerate(["Loyalty", "Customer purpose", "People", "Planet and community"], start=1):
        assert f"{pillar} — Company, {WEEK}" in texts[i]
    assert "What brings customers back — Company" in texts[5]
    assert "Brands compared" in texts[6]
    assert "Appendix" in texts[7] and "Data as of" in texts[7]
    # every slide carries the period and the source in its footer
    assert all("Source: Purpose Metrics" in t and "2026-W10" in t for t in texts)


def test_every_pillar_slide_holds_a_picture(decks):
    prs = Presentation(str(decks[0]))
    for slide in list(prs.slides)[1:5]:
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert pictures, _title(slide)


def test_kpi_tables_show_what_kpis_prints(decks, example_db, capsys):
    assert main(["--db", example_db, "kpis", "--week", WEEK, "--format", "json"]) == 0
    printed = {(r["metric_id"], r["scope"]): r for r in json.loads(capsys.readouterr().out)}
    prs = Presentation(str(decks[0]))
    checked = 0
    for slide in list(prs.slides)[1:5]:
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
            target = row.cells[3].text
            assert target == (
                "—" if r["target"] is None else formatting.value_text(metric, r["target"], "EUR")
            )
            checked += 1
    assert checked >= 25


def _as_of(example_dir) -> dt.datetime:
    with (example_dir / "data" / "orders.csv").open() as f:
        return max(dt.datetime.fromisoformat(r["ordered_at"]) for r in csv.DictReader(f))


def test_the_drivers_slide_shows_what_drivers_prints_for_13_mature_weeks(
    decks, example_db, example_dir, capsys
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
    slide = list(Presentation(str(decks[0])).slides)[5]
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


def test_pdf_has_one_page_per_slide(decks):
    data = decks[1].read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(decks[1])], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    else:
        pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages == 8


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


def test_pptx_properties_describe_the_pack_not_the_template(decks):
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
    props = Presentation(str(decks[0])).core_properties
    assert props.title == f"Holdout Goods: board pack {WEEK}"
    assert props.author == "Holdout Goods" and props.last_modified_by == "Holdout Goods"
    assert WEEK in props.subject and "Company" in props.subject
    assert props.created > before and props.modified > before  # made now, not in 2013
    assert "python-pptx" not in props.comments


def test_the_pdf_is_titled_as_the_pack(decks):
    assert pdf_title(decks[1].read_bytes()) == f"Holdout Goods: board pack {WEEK}"


@pytest.fixture(scope="module")
def hostile_decks(tmp_path_factory):
    """The hostile brand's pack (tests/hostile.py) for the latest week, as PPTX and PDF."""
    folder = tmp_path_factory.mktemp("hostile-deck")
    url = hostile.hostile_database(folder / "hostile.duckdb")
    pptx, pdf = folder / "pack.pptx", folder / "pack.pdf"
    for out in (pptx, pdf):
        assert main(["--db", url, "deck", "--brand", hostile.BRAND_ID, "--out", str(out)]) == 0
    pack = build_pack(reading.load_dataset(db.make_engine(url)), None, hostile.BRAND_ID)
    return pack, pptx, pdf


def test_imported_text_is_written_into_the_pptx_as_text(hostile_decks):
    _, pptx, _ = hostile_decks
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


def test_imported_text_is_escaped_in_the_pdf_and_makes_no_link(hostile_decks):
    pack, _, pdf = hostile_decks
    content = pdf.read_bytes()
    assert b"/URI" not in content  # no link annotation: nothing became an <a>
    assert pdf_title(content) == f"{hostile.COMPANY_NAME}: board pack {pack.week}"
    page = pdf_html(pack)
    assert not [tag for tag in hostile.HTML_LIVE if tag in page]
    for text in (hostile.BRAND_NAME, hostile.BRAND_PURPOSE, hostile.COMPANY_NAME, hostile.COMPANY_PURPOSE):
        assert html.escape(text) in page


def test_the_packs_charts_carry_initiatives_as_entities(hostile_decks):
    pack, _, _ = hostile_decks
    strings = [s for p in pack.pillars for _, fig in p.charts for s in hostile.strings_of(fig.to_dict())]
    assert any(hostile.as_plotly_text(hostile.INITIATIVE) in s for s in strings)
    assert not [s for s in strings if hostile.live_plotly(s)]
