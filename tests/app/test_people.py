"""The "People" page (AppTest over the router)."""

from __future__ import annotations

import json

PAGE = "pages/people.py"


def test_renders_the_people_cards_and_every_brand_side_by_side(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["People"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Metric", "Company", "Alpine", "Hearth", "Stride", "Tiny"]
    assert table["Metric"].tolist()[0] == "eNPS"


def test_choosing_a_brand_changes_the_trend(app, small_db):
    at = app(small_db, PAGE)
    at.button_group(key="brand").set_value("hearth").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].startswith("eNPS — Hearth, 52 weeks to 2026-W25")


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value
