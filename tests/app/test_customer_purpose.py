"""The "Customer purpose" page (AppTest over the router)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from conftest import cards, chart_specs

PAGE = "pages/customer_purpose.py"


def test_renders_the_pillar_and_explains_a_suppressed_split(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Customer purpose"]
    assert len(cards(at)) == 9
    # The worked example has few surveys: 13 weeks hold fewer than 10 answers per purpose.
    assert "the period has fewer than 10 answers, so the value is suppressed" in at.info[0].value


def test_a_longer_period_gathers_enough_answers_to_split_by_purpose(app, small_db):
    at = app(small_db, PAGE)
    at.button_group(key="span").set_value("52 weeks").run()
    assert not at.exception
    spec = chart_specs(at)[0]
    shown = {t["y"][0] for t in spec["data"]}
    assert {"Gift", "Replace", "Sustainable choice"} <= shown


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value


def _chart(at, title_start: str) -> dict:
    specs = chart_specs(at)
    return next(s for s in specs if s["layout"]["title"]["text"].startswith(title_start))


def test_nps_csat_and_effort_show_every_scope_in_three_panels(app, small_db):
    at = app(small_db, PAGE)
    at.button_group(key="span").set_value("52 weeks").run()
    assert not at.exception
    assert "NPS, CSAT and effort" in [h.value for h in at.header]
    spec = _chart(at, "NPS, CSAT and effort — ")
    panels = [a["text"] for a in spec["layout"]["annotations"]]
    assert panels[:3] == [
        "NPS (points, −100 to 100)",
        "CSAT (% scoring 4 or 5)",
        "Customer effort (mean, 1–7)",
    ]
    captions = "\n".join(c.value for c in at.caption)
    assert "Customer effort is a mean score from 1 to 7 and has no interval" in captions


def test_message_relevance_plots_each_scopes_click_and_unsubscribe_rate(app, small_db, example_dir):
    # 13 weeks to 2026-W25: messages sent from Monday 23 Mar to Monday 22 Jun 2026.
    sent = pl.read_csv(example_dir / "data" / "marketing_messages.csv", try_parse_dates=True).filter(
        (pl.col("sent_at") >= dt.datetime(2026, 3, 23)) & (pl.col("sent_at") < dt.datetime(2026, 6, 22))
    )
    click = 100 * sent["clicked_at"].is_not_null().sum() / sent.height
    unsubscribe = 100 * sent["unsubscribed_at"].is_not_null().sum() / sent.height
    at = app(small_db, PAGE)
    assert "Message relevance" in [h.value for h in at.header]
    spec = _chart(at, "Clicks against unsubscribes")
    company = next(t for t in spec["data"] if t.get("name") == "Company")
    assert company["x"][0] == pytest.approx(click) and company["y"][0] == pytest.approx(unsubscribe)
    weekly = _chart(at, "Clicks and unsubscribes by week — Company")
    assert [a["text"] for a in weekly["layout"]["annotations"]][:2] == [
        "Message click rate (% of messages sent)",
        "Unsubscribe rate (% of messages sent)",
    ]
    assert "Relevant messages sit bottom-right" in "\n".join(c.value for c in at.caption)
