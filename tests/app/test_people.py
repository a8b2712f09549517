"""The "People" page (AppTest over the router)."""

from __future__ import annotations

from conftest import cards, chart_specs

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
    spec = chart_specs(at)[0]
    assert spec["layout"]["title"]["text"].startswith("eNPS — Hearth, 52 weeks to 2026-W25")


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value


# Worked example, ISO week 2026-W10 (2-8 Mar 2026), eNPS answers counted by
# hand in employee_surveys.csv: company 20 = Alpine 11 (cx 5, ops 6) +
# Hearth 6 (cx 6) + Stride 2 + company-wide finance 1. Stride and the
# company-wide answer are suppressed (fewer than 5), but together they are
# 20 - 11 - 6 = 3 answers: Hearth must be withheld too, and with it its one
# team (Hearth = its cx team).
WITHHELD = "withheld (protects a small group)"


def in_week_10(app, small_db, **query):
    # (The week picker exists on the home page the router runs first, so a
    # page switch keeps its value: the week is chosen with the widget.)
    at = app(small_db, PAGE, **query)
    return at.selectbox(key="week").set_value("2026-W10").run()


def test_a_brand_is_withheld_when_subtracting_it_would_reveal_a_small_group(app, small_db):
    at = in_week_10(app, small_db)
    assert not at.exception
    brands = next(d.value for d in at.dataframe if "Hearth" in d.value.columns).set_index("Metric")
    assert brands.loc["eNPS", "Hearth"] == WITHHELD
    assert brands.loc["eNPS", "Stride"] == "suppressed (n = 2 < 5)"
    assert brands.loc["eNPS", "Company"] != WITHHELD and brands.loc["eNPS", "Alpine"] != WITHHELD


def test_the_team_table_withholds_the_same_groups(app, small_db):
    at = in_week_10(app, small_db)
    teams = next(d.value for d in at.dataframe if "Team" in d.value.columns).set_index("Team")
    assert teams.loc["Hearth · Cx", "eNPS"] == WITHHELD
    assert teams.loc["Stride · Ops", "eNPS"] == "suppressed (n = 2 < 5)"
    assert teams.loc["Company-wide · Finance", "eNPS"] == "suppressed (n = 1 < 5)"


def test_a_brands_card_is_withheld_too(app, small_db):
    at = in_week_10(app, small_db)
    at.button_group(key="brand").set_value("hearth").run()
    assert not at.exception
    assert next(c.value for c in cards(at) if c.metric_id == "enps") == WITHHELD
