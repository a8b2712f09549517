"""Chart builders, the theme, and the image export."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import struct
import threading
import time
import zipfile

import plotly.graph_objects as go
import polars as pl
import pytest

from purpose_metrics import catalog
from purpose_metrics.charts import interval_chart, scope_colours, small_multiples, theme, trend_chart
from purpose_metrics.export import images

D = dt.date
CSAT = catalog.get("csat")

_SCHEMA = {
    "scope": pl.String, "name": pl.String, "period_start": pl.Date, "value": pl.Float64,
    "ci_low": pl.Float64, "ci_high": pl.Float64, "target": pl.Float64, "n": pl.Int64,
    "suppressed": pl.Boolean, "immature": pl.Boolean,
}  # fmt: skip


def trend_rows(
    scope: str, name: str, values: list[float | None], target: float | None = 80.0
) -> pl.DataFrame:
    """Weekly rows from 5 Jan 2026; a None value is a suppressed week."""
    return pl.DataFrame(
        [
            {
                "scope": scope, "name": name, "period_start": D(2026, 1, 5) + dt.timedelta(days=7 * i),
                "value": v, "ci_low": None if v is None else v - 5, "ci_high": None if v is None else v + 5,
                "target": target, "n": 50 if v is not None else 4, "suppressed": v is None, "immature": False,
            }
            for i, v in enumerate(values)
        ],
        schema=_SCHEMA,
    )  # fmt: skip


def test_brand_colours_are_fixed_by_the_whole_brand_list():
    colours = scope_colours(["verde", "gala", "kern"])
    assert colours["company"] == theme.COMPANY_COLOUR
    assert colours["gala"] == theme.BRAND_PALETTE[0]  # sorted: gala, kern, verde
    assert colours["verde"] == theme.BRAND_PALETTE[2]
    assert scope_colours(["kern", "gala", "verde"]) == colours  # order given does not matter


def test_no_brand_wears_a_status_colour():
    """On, near and off target are green, amber and red; a brand's colour
    must not read as one of them (issue 19: Verde was green, Kern amber)."""

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        h = hex_colour.lstrip("#")
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)

    def hue(hex_colour: str) -> float:
        import colorsys

        return 360 * colorsys.rgb_to_hsv(*(c / 255 for c in rgb(hex_colour)))[0]

    colours = scope_colours([f"b{i}" for i in range(len(theme.BRAND_PALETTE))])
    for brand, colour in colours.items():
        if brand == "company":
            continue
        # Status hues: green ~137°, amber ~36°, red ~0°; a brand stays 25° or more from each.
        for status, status_colour in theme.STATUS_COLOURS.items():
            gap = abs(hue(colour) - hue(status_colour)) % 360
            assert min(gap, 360 - gap) >= 25 or max(rgb(colour)) - min(rgb(colour)) < 60, (brand, status)


def test_trend_chart_draws_no_band_across_a_suppressed_week():
    fig = trend_chart(trend_rows("a", "Alder", [70.0, 72.0, None, 75.0]), CSAT, {"a": "#0072B2"}, "CSAT")
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 2  # weeks 1–2, then week 4 alone
    line = next(t for t in fig.data if t.name == "Alder")
    assert list(line.y) == [70.0, 72.0, None, 75.0]
    assert "72.0 %" in line.hovertext[1] and "95 % interval 67.0 – 77.0 %" in line.hovertext[1]
    assert "gaps: fewer than 10 answers (suppressed)" in fig.layout.annotations[0].text


def test_trend_chart_shows_the_target_and_initiative_markers():
    markers = pl.DataFrame({"scope": ["a"], "launched_at": [D(2026, 1, 12)], "label": ["Repair (Alder)"]})
    fig = trend_chart(trend_rows("a", "Alder", [70.0, 72.0]), CSAT, {}, "CSAT", markers=markers)
    target = next(t for t in fig.data if t.name == "target")
    assert list(target.y) == [80.0, 80.0]
    assert fig.layout.shapes[0].x0 == D(2026, 1, 12)
    assert any(a.text == "⚑ Repair (Alder)" for a in fig.layout.annotations)
    long = markers.with_columns(label=pl.lit("A very long initiative name that goes on and on (Alder)"))
    fig = trend_chart(trend_rows("a", "Alder", [70.0, 72.0]), CSAT, {}, "CSAT", markers=long)
    flag = next(a for a in fig.layout.annotations if a.text.startswith("⚑"))
    assert flag.text == "⚑ A very long initiative name that goes on…"  # the axis is not stretched to fit it
    assert flag.hovertext == "A very long initiative name that goes on and on (Alder)"
    assert fig.layout.template.layout.colorway == theme.BRAND_PALETTE


def test_small_multiples_say_in_words_when_a_panel_has_no_value():
    rows = pl.concat([trend_rows("a", "Alder", [70.0, 72.0]), trend_rows("b", "Birch", [None, None])])
    fig = small_multiples(rows, CSAT, {"a": "#0072B2", "b": "#E69F00"}, "CSAT by brand")
    texts = [a.text for a in fig.layout.annotations]
    assert texts[:2] == ["Alder", "Birch"]  # panel titles
    assert "Birch: suppressed (fewer than 10 answers)" in texts
    assert [t.name for t in fig.data if t.mode == "lines+markers"] == ["Alder"]


def test_interval_chart_draws_each_interval_and_names_what_it_cannot_show():
    rows = pl.DataFrame(
        [
            {"scope": "company", "name": "Company", "value": 60.0, "ci_low": 55.0, "ci_high": 64.0, "target": 70.0,
             "n": 200, "suppressed": False, "immature": False},
            {"scope": "a", "name": "Alder", "value": 50.0, "ci_low": 40.0, "ci_high": 58.0, "target": None,
             "n": 90, "suppressed": False, "immature": False},
            {"scope": "b", "name": "Birch", "value": None, "ci_low": None, "ci_high": None, "target": None,
             "n": 7, "suppressed": True, "immature": False},
        ]
    )  # fmt: skip
    fig = interval_chart(rows, CSAT, scope_colours(["a", "b"]), "CSAT by brand")
    alder = next(t for t in fig.data if t.name == "Alder")
    assert (alder.x[0], alder.error_x.array[0], alder.error_x.arrayminus[0]) == (50.0, 8.0, 10.0)
    assert alder.marker.color == theme.BRAND_PALETTE[0]
    birch = next(t for t in fig.data if t.mode == "text")
    assert birch.y[0] == "Birch" and birch.text[0].strip() == "suppressed (n = 7 < 10)"
    assert list(fig.layout.yaxis.categoryarray) == ["Birch", "Alder", "Company"]  # company on top
    assert list(next(t for t in fig.data if t.name == "target").x) == [70.0]


def test_presentation_copy_is_16_by_9_at_1600_wide():
    fig = theme.for_presentation(go.Figure(layout=dict(height=300)))
    assert (fig.layout.width, fig.layout.height) == (1600, 900)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.browser
def test_charts_render_to_png_and_svg_at_presentation_size():
    rows = trend_rows("a", "Alder", [70.0, 72.0, 71.0])
    figs = [
        ("CSAT — Alder", trend_chart(rows, CSAT, {"a": "#0072B2"}, "CSAT — Alder")),
        ("CSAT — Alder", trend_chart(rows, CSAT, {"a": "#0072B2"}, "CSAT — Alder")),
    ]
    with zipfile.ZipFile(io.BytesIO(images.zip_images(figs))) as zf:
        assert sorted(zf.namelist()) == [
            "csat-alder-2.png",
            "csat-alder-2.svg",
            "csat-alder.png",
            "csat-alder.svg",
        ]
        assert _png_size(zf.read("csat-alder.png")) == (1600, 900)
        svg = zf.read("csat-alder.svg").decode()
        assert svg.startswith("<svg") and 'width="1600"' in svg and "CSAT — Alder" in svg


@pytest.mark.browser
def test_a_renderer_started_ahead_renders_later_figures_through_its_one_session():
    """The board pack starts its chart browser before the numbers exist;
    figures made afterwards render through that same session."""
    rows = trend_rows("a", "Alder", [70.0, 72.0, 71.0])
    with images.Renderer() as renderer:
        session = renderer._session.result(timeout=120)  # the browser is up before any figure exists
        first = images.render_images(
            [trend_chart(rows, CSAT, {"a": "#0072B2"}, "one")], ("png",), renderer=renderer
        )
        second = images.render_images(
            [trend_chart(rows, CSAT, {"a": "#0072B2"}, t) for t in ("two", "three")],
            ("png", "svg"),
            width=800,
            height=450,
            renderer=renderer,
        )
        assert renderer._session.result() is session
    assert _png_size(first[0]["png"]) == (1600, 900)
    assert [_png_size(x["png"]) for x in second] == [(800, 450), (800, 450)]
    assert all(x["svg"].decode().startswith("<svg") for x in second)


def test_a_renderer_whose_browser_cannot_start_says_so_on_first_use(monkeypatch, tmp_path):
    """A BROWSER_PATH naming no file is refused by name, with what to do."""
    missing = tmp_path / "no-such-chromium"
    monkeypatch.setenv("BROWSER_PATH", str(missing))
    expected = (
        f"Chromium is needed for chart images (PNG, SVG): BROWSER_PATH={missing} is not an executable file; "
        "point it at Chromium or Chrome, or unset it and install Chromium (Debian: apt-get install -y chromium)"
    )
    with images.Renderer() as renderer, pytest.raises(images.ExportError) as raised:
        renderer.render([go.Figure()], ("png",))
    assert str(raised.value) == expected


def test_cohort_heatmap_leaves_unmeasured_cells_blank():
    from purpose_metrics.charts import cohort_heatmap

    rows = pl.DataFrame(
        {
            "scope": ["company"] * 4,
            "cohort": ["2026-01", "2026-01", "2026-01", "2026-02"],
            "period_index": [0, 1, 2, 0],
            "cohort_size": [10, 10, 10, 4],
            "customers": [10, 3, 2, 4],
            "retention": [100.0, 30.0, 20.0, 100.0],
        }
    )
    heat = cohort_heatmap(rows, "Retention").data[0]
    assert list(heat.x) == ["+1", "+2"]  # month 0 is 100 % by definition
    assert [list(r) for r in heat.z] == [[30.0, 20.0], [None, None]]
    assert list(heat.y) == ["2026-01  (n = 10)", "2026-02  (n = 4)"]


@pytest.mark.browser
def test_exported_images_show_imported_text_as_written():
    from hostile import BRAND_NAME, COMPANY_NAME, INITIATIVE

    markers = pl.DataFrame({"scope": ["a"], "launched_at": [D(2026, 1, 12)], "label": [INITIATIVE]})
    rows = trend_rows("a", BRAND_NAME, [70.0, 72.0, 71.0])
    title = f"CSAT — {COMPANY_NAME}"
    figs = [(title, trend_chart(rows, CSAT, {"a": "#0072B2"}, title, markers=markers))]
    with zipfile.ZipFile(io.BytesIO(images.zip_images(figs))) as zf:
        assert all(name.startswith("csat-holdout-b-goods-b-blue-co-x.") for name in zf.namelist())
        svg = zf.read("csat-holdout-b-goods-b-blue-co-x.svg").decode()
    # Plotly turns <a href> into an SVG link and <b> into bold; as text, they are entities in the SVG.
    assert not re.search(r"<a[\s>]", svg) and "font-weight:bold" not in svg
    text = svg.replace("&#60;", "&lt;").replace("&#62;", "&gt;")  # either spelling of "<" and ">" in XML
    assert "⚑ &lt;a href='http://127.0.0.1:9/x'&gt;CLICKME&lt;/…" in text  # a flag shows 40 characters
    assert "CSAT — Holdout &lt;b&gt;Goods&lt;/b&gt; :blue[co] $x$" in text


def test_a_message_cut_off_by_the_export_browser_closing_is_one_log_line(caplog):
    """What board-pack builds logged as a `choreographer … JSONError`
    traceback: Kaleido's pipe to Chromium is closed while its reader thread
    holds half a message (a rendered image arrives in 10 kB reads); the
    reader decodes the half anyway. Here with a real pipe, half an image
    written from the browser's end, and the close. The export logs one line."""
    from choreographer.channels import Pipe

    browser_log = "choreographer.channels.pipe"  # the export module is loaded: its filter is on
    pipe = Pipe()
    pipe.open()
    os.write(pipe.from_external_to_choreo, b'{"id": 7, "result": {"data": "iVBORw0KGgo')  # no end
    read: list = []
    with caplog.at_level(logging.DEBUG, logger=browser_log):
        reader = threading.Thread(target=lambda: read.append(pipe.read_jsons(blocking=True)[0]))
        reader.start()
        time.sleep(0.3)  # the reader has the half and waits for the rest
        pipe.close()
        reader.join(10)
    assert read == [[]]  # the half was dropped
    records = [r for r in caplog.records if r.name == browser_log and r.levelno >= logging.WARNING]
    assert len(records) == 1
    assert records[0].exc_info is None and records[0].levelno == logging.WARNING
    assert records[0].getMessage() == (
        "chart export: the headless browser's last message was cut off as its session closed, "
        "and was dropped (JSONError)"
    )
    assert "Traceback" not in caplog.text
