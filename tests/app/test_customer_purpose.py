"""The "Customer purpose" page (AppTest over the router)."""

from __future__ import annotations

import json

PAGE = "pages/customer_purpose.py"


def test_renders_the_pillar_and_explains_a_suppressed_split(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Customer purpose"]
    assert len(at.metric) == 9
    # The worked example has few surveys: 13 weeks hold fewer than 10 answers per purpose.
    assert "the period has fewer than 10 answers, so the value is suppressed" in at.info[0].value


def test_a_longer_period_gathers_enough_answers_to_split_by_purpose(app, small_db):
    at = app(small_db, PAGE)
    at.button_group(key="span").set_value("52 weeks").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown = {t["y"][0] for t in spec["data"]}
    assert {"Gift", "Replace", "Sustainable choice"} <= shown


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value
