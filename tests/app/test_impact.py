"""The "Impact" page (AppTest over the router)."""

from __future__ import annotations

import json

from purpose_metrics import views

PAGE = "pages/impact.py"


def test_renders_the_impact_cards_and_their_standards(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Planet and community"]
    assert len(at.metric) == len(views.DASHBOARD_PILLARS["Planet and community"])
    standards = at.table[0].value
    assert "GRI 305-4 · SDG 13.2" in standards["Standards"].tolist()


def test_the_trend_follows_the_chosen_kpi(app, small_db):
    at = app(small_db, PAGE)
    at.selectbox(key="impact_kpi").set_value("waste_diversion_rate").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == "Waste diversion — Company, 12 months to 2026-W25"


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value
