"""A link decides one way everywhere (issue 20, item 5): a parameter given
twice counts by its first value, for the widget and the warning alike, and
a value matches its label in any case; the address then says what is shown.
The worked example's brands are Alpine, Hearth, Stride and Tiny; its weeks
run to 2026-W25 (the default week)."""

from __future__ import annotations

import pytest


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


@pytest.mark.parametrize(
    ("brands", "shown", "warned"),
    [
        (["Hearth", "Nope"], "hearth", []),
        (["Nope", "Hearth"], "company", ["There is no brand “Nope”; showing Company instead."]),
        (["Hearth", "Stride"], "hearth", []),
    ],
)
def test_a_repeated_brand_counts_by_its_first_value(app, small_db, brands, shown, warned):
    at = app(small_db, brand=brands)
    assert not at.exception
    assert at.session_state["brand"] == shown
    assert warnings(at) == warned
    assert at.query_params.get("brand") == (None if shown == "company" else shown.capitalize())


@pytest.mark.parametrize(
    ("weeks", "shown", "warned"),
    [
        (["2026-W10", "2026-W11"], "2026-W10", []),
        (["2026-W10", "bogus"], "2026-W10", []),
        (["bogus", "2026-W10"], "2026-W25", ["The link's week “bogus” is not an ISO week like 2026-W10; showing 2026-W25 instead."]),
    ],
)  # fmt: skip
def test_a_repeated_week_counts_by_its_first_value(app, small_db, weeks, shown, warned):
    at = app(small_db, week=weeks)
    assert not at.exception
    assert at.selectbox(key="week").value == shown
    assert warnings(at) == warned
    assert at.caption[0].value.startswith(f"Week {shown},")  # the numbers are that week's too
    assert at.query_params.get("week") == (None if shown == "2026-W25" else shown)


def test_after_a_link_is_settled_the_persons_choice_sticks(app, small_db):
    at = app(small_db, week=["2026-W10", "2026-W11"])
    at.selectbox(key="week").select("2026-W12").run()
    assert at.selectbox(key="week").value == "2026-W12"
    at.selectbox(key="week").select("2026-W11").run()
    assert at.selectbox(key="week").value == "2026-W11"


@pytest.mark.parametrize(
    ("page", "query", "key", "shown", "address"),
    [
        (None, {"brand": "hearth"}, "brand", "hearth", "Hearth"),  # the home page, opened by the link
        ("pages/loyalty.py", {"cohort": "week"}, "cohort", "week", "Week"),
        ("pages/loyalty.py", {"cohort": "MONTH"}, "cohort", "month", None),  # the default leaves the address
        ("pages/brands.py", {"metric": "csat"}, "metric", "csat", "CSAT"),
        ("pages/brands.py", {"span": "4 WEEKS"}, "span", "4 weeks", "4 weeks"),
        ("pages/brands.py", {"region": "NORTH"}, "region", ["north"], "north"),
    ],
)
def test_a_value_matches_its_label_in_any_case(app, small_db, page, query, key, shown, address):
    at = app(small_db, page, **query)
    assert not at.exception
    assert warnings(at) == []
    assert at.session_state[key] == shown
    assert at.query_params.get(key) == address
