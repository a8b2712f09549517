"""Anonymity of employee surveys on the dashboard (purpose_metrics.privacy).

Every expectation is worked out by hand from the groups or rows the test
builds. `recoverable` is an independent check, by linear algebra: a set of
answers can be worked out from the shown groups exactly when its indicator
vector lies in the span of theirs.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from purpose_metrics import formatting, views
from purpose_metrics.constants import EMPLOYEE_SURVEY_MIN
from purpose_metrics.contract import TABLES
from purpose_metrics.metrics.dataset import Dataset
from purpose_metrics.metrics.engine import kpi_frame
from purpose_metrics.periods import Periods
from purpose_metrics.privacy import COMPANY_WIDE, Group, hide, team_key

MIN = EMPLOYEE_SURVEY_MIN
assert MIN == 5  # the examples below are worked out for 5


# --- an independent checker --------------------------------------------------------------


def leaves_of(groups: list[Group]) -> dict:
    """{group key: the set of leaf keys it consists of}."""
    children = {}
    for g in groups:
        children.setdefault(g.parent, []).append(g.key)
    out = {}

    def walk(key):
        kids = children.get(key, [])
        out[key] = frozenset().union(*(walk(k) for k in kids)) if kids else frozenset({key})
        return out[key]

    for g in groups:
        if g.parent is None:
            walk(g.key)
    return out


def recoverable_small_sets(groups: list[Group], hidden: frozenset) -> list[tuple[frozenset, int]]:
    """Every set of leaves holding 1 … MIN-1 answers that adding and
    subtracting the shown groups recovers."""
    sets = leaves_of(groups)
    n = {g.key: g.n for g in groups}
    leaves = sorted({leaf for s in sets.values() for leaf in s}, key=str)
    shown = [g.key for g in groups if g.key not in hidden]
    if not shown:
        return []
    matrix = np.array([[1.0 if leaf in sets[k] else 0.0 for leaf in leaves] for k in shown])
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for size in range(1, len(leaves) + 1):
        for subset in itertools.combinations(leaves, size):
            answers = sum(n[leaf] for leaf in subset)
            if not 0 < answers < MIN:
                continue
            vector = np.array([[1.0 if leaf in subset else 0.0 for leaf in leaves]])
            if np.linalg.matrix_rank(np.vstack([matrix, vector])) == rank:
                found.append((frozenset(subset), answers))
    return found


# --- the rule on hand-built groups -----------------------------------------------------------


def test_the_issues_example_hides_the_smaller_brand_so_company_wide_cannot_be_subtracted():
    # Company 23 = brand A 10 + brand B 9 + company-wide functions 4 (never a scope of their own).
    groups = [
        Group("company", 23),
        Group("A", 10, "company"),
        Group("B", 9, "company"),
        Group(COMPANY_WIDE, 4, "company", shown=False),
    ]
    # Without secondary suppression 23 - 10 - 9 = 4 answers are recoverable.
    assert recoverable_small_sets(groups, frozenset({COMPANY_WIDE})) == [(frozenset({COMPANY_WIDE}), 4)]
    hidden = hide(groups)
    assert hidden == {COMPANY_WIDE, "B"}  # B (9) is smaller than A (10)
    assert recoverable_small_sets(groups, hidden) == []


def test_one_small_team_hidden_alone_takes_the_smallest_other_team_with_it():
    # Brand 20 = ops 9 + cx 8 + care 3: care alone would be 20 - 9 - 8 = 3.
    groups = [
        Group("company", 20),
        Group("A", 20, "company"),
        Group("ops", 9, "A"),
        Group("cx", 8, "A"),
        Group("care", 3, "A"),
        Group(COMPANY_WIDE, 0, "company", shown=False),
    ]
    assert hide(groups) == {COMPANY_WIDE, "care", "cx"}


def test_hidden_parts_that_add_up_to_less_than_the_minimum_need_one_more():
    # 14 = 6 + 5 + 2 + 1: the two small teams together are 3 answers.
    groups = [
        Group("A", 14),
        Group("t6", 6, "A"),
        Group("t5", 5, "A"),
        Group("t2", 2, "A"),
        Group("t1", 1, "A"),
    ]
    assert hide(groups) == {"t2", "t1", "t5"}


def test_hidden_parts_of_the_minimum_or_more_together_need_nothing_else():
    # 15 = 8 + 4 + 3: the two hidden teams hold 7 answers between them.
    groups = [Group("A", 15), Group("t8", 8, "A"), Group("t4", 4, "A"), Group("t3", 3, "A")]
    assert hide(groups) == {"t4", "t3"}


def test_an_empty_hidden_part_reveals_nothing_and_hides_nothing_else():
    groups = [
        Group("company", 16),
        Group("A", 10, "company"),
        Group("B", 6, "company"),
        Group("C", 0, "company"),
        Group(COMPANY_WIDE, 0, "company", shown=False),
    ]
    assert hide(groups) == {"C", COMPANY_WIDE}


def test_a_hidden_brand_whose_teams_are_all_shown_is_opened_up_at_team_level():
    # Company 25 = A 10 (teams 5 + 5) + B 11 (one team of 11) + company-wide 4.
    # Hiding A alone would not help (A = its two shown teams): one of A's
    # teams must go too.
    groups = [
        Group("company", 25),
        Group("A", 10, "company"),
        Group("A/x", 5, "A"),
        Group("A/y", 5, "A"),
        Group("B", 11, "company"),
        Group("B/z", 11, "B"),
        Group(COMPANY_WIDE, 4, "company", shown=False),
        Group("cw/f", 4, COMPANY_WIDE),
    ]
    hidden = hide(groups)
    assert hidden == {COMPANY_WIDE, "cw/f", "A", "A/x"}
    assert recoverable_small_sets(groups, hidden) == []


@st.composite
def trees(draw) -> list[Group]:
    """A company, 1-3 brands and company-wide functions, 0-3 teams each."""
    groups: list[Group] = []
    totals = {}
    parents = [f"b{i}" for i in range(draw(st.integers(1, 3)))] + [COMPANY_WIDE]
    for parent in parents:
        sizes = draw(st.lists(st.integers(0, 12), max_size=3))
        totals[parent] = sum(sizes)
        groups += [Group((parent, i), n, parent) for i, n in enumerate(sizes)]
    groups += [Group(p, totals[p], "company", shown=p != COMPANY_WIDE) for p in parents]
    return [Group("company", sum(totals.values())), *groups]


@settings(max_examples=300, deadline=None)
@given(trees())
def test_no_group_below_the_minimum_is_ever_recoverable(groups):
    hidden = hide(groups)
    assert {g.key for g in groups if g.n < MIN or not g.shown} <= hidden
    assert recoverable_small_sets(groups, hidden) == []


# --- on the dashboard's rows ----------------------------------------------------------------

WEEK = "2026-W10"  # Monday 2 March 2026
MONDAY = dt.datetime(2026, 3, 2, 9)


def employee_rows(*groups: tuple[str | None, str, list[int]], start: dt.datetime = MONDAY) -> pl.DataFrame:
    """Responses: for each (brand_id, team, eNPS scores), one response per score."""
    records = []
    for brand_id, team, scores in groups:
        for score in scores:
            records.append(
                {
                    "response_id": len(records) + 1,
                    "submitted_at": start + dt.timedelta(minutes=len(records)),
                    "brand_id": brand_id,
                    "team": team,
                    "enps_score": score,
                    "engagement_score": 3.0,
                    "purpose_alignment": 4,
                }
            )
    return pl.DataFrame(records, schema=TABLES["employee_surveys"].polars_schema)


def people_data(responses: pl.DataFrame) -> Dataset:
    brands = pl.DataFrame(
        [{"brand_id": "a", "name": "Alder", "purpose_statement": None},
         {"brand_id": "b", "name": "Birch", "purpose_statement": None}],
        schema=TABLES["brands"].polars_schema,
    )  # fmt: skip
    return Dataset.from_frames({"brands": brands, "employee_surveys": responses})


# Company 23: Alder 10 (ten 10s: eNPS +100), Birch 9 (nine 0s: -100),
# company-wide finance 4 (four 10s). Company eNPS = (14 - 9) / 23.
ISSUE_EXAMPLE = employee_rows(("a", "ops", [10] * 10), ("b", "cx", [0] * 9), (None, "finance", [10] * 4))


def by_scope(frame: pl.DataFrame, metric_id: str = "enps") -> dict[str, dict]:
    return {r["scope"]: r for r in frame.filter(pl.col("metric_id") == metric_id).iter_rows(named=True)}


def test_the_dashboard_withholds_birch_so_the_company_wide_four_stay_hidden():
    data = people_data(ISSUE_EXAMPLE)
    shown = by_scope(views.dashboard_kpis(data, Periods.week(WEEK), ["company", "a", "b"], ["enps"]))
    assert shown["company"]["value"] == pytest.approx(100 * 5 / 23)
    assert shown["company"]["n"] == 23
    assert shown["a"]["value"] == pytest.approx(100.0)
    birch = shown["b"]
    assert birch["suppressed"] and birch["n"] == 9
    assert [birch[c] for c in ("value", "numerator", "denominator", "ci_low", "ci_high", "status")] == [
        None
    ] * 6


def test_the_engine_and_so_the_cli_keep_the_spec_numbers():
    engine_rows = by_scope(
        kpi_frame(people_data(ISSUE_EXAMPLE), Periods.week(WEEK), ["company", "a", "b"], ["enps"])
    )
    assert engine_rows["b"]["value"] == pytest.approx(-100.0)
    assert not engine_rows["b"]["suppressed"]


def test_every_weekly_view_of_the_dashboard_withholds_the_same_group():
    data = people_data(ISSUE_EXAMPLE)
    window = views.week_window(WEEK)
    cards = by_scope(views.week_kpis(data, window).filter(pl.col("period_start") == dt.date(2026, 3, 2)))
    assert cards["b"]["value"] is None and cards["b"]["trend"][-1] is None and cards["b"]["status"] is None
    assert cards["a"]["value"] == pytest.approx(100.0)
    trend = views.metric_trend(data, "enps", window, ["b"])
    assert trend.filter(pl.col("period_start") == dt.date(2026, 3, 2))["value"].to_list() == [None]
    compared = by_scope(views.by_scope(data, "enps", window.week))
    assert compared["b"]["value"] is None and compared["a"]["value"] == pytest.approx(100.0)


def test_a_withheld_value_says_why_in_words():
    data = people_data(ISSUE_EXAMPLE)
    row = by_scope(views.dashboard_kpis(data, Periods.week(WEEK), ["b"], ["enps"]))["b"]
    from purpose_metrics import catalog

    text = formatting.value_text(
        catalog.get("enps"), row["value"], "", n=row["n"], suppressed=row["suppressed"]
    )
    assert text == "withheld (protects a small group)"
    assert (
        formatting.value_text(catalog.get("enps"), None, "", n=4, suppressed=True) == "suppressed (n = 4 < 5)"
    )


def test_a_span_of_weeks_is_shown_only_when_each_of_its_weeks_is():
    # Week 1: Alder 10, Birch 9, company-wide 4 (Birch withheld, as above).
    # Week 2: Alder 6, Birch 7, nothing company-wide: every group shown.
    week2 = employee_rows(("a", "ops", [10] * 6), ("b", "cx", [10] * 7), start=MONDAY + dt.timedelta(days=7))
    both = pl.concat([ISSUE_EXAMPLE, week2.with_columns(pl.col("response_id") + 100)])
    data = people_data(both)
    two_weeks = Periods(dt.date(2026, 3, 2), dt.date(2026, 3, 16))
    pooled = by_scope(views.by_scope(data, "enps", two_weeks))
    # Birch over both weeks would be 16 answers, but week 1 is withheld: the
    # two weeks minus week 2 would give it back.
    assert pooled["b"]["value"] is None and pooled["b"]["n"] == 16
    # Alder and the company are shown in both weeks, so their span is too:
    # Alder 16 tens = +100; company (14 + 13 promoters - 9 detractors) / 36.
    assert pooled["a"]["value"] == pytest.approx(100.0)
    assert pooled["company"]["value"] == pytest.approx(100 * 18 / 36)
    week_two_only = by_scope(views.by_scope(data, "enps", Periods.week("2026-W11")))
    assert week_two_only["b"]["value"] == pytest.approx(100.0)


def test_teams_within_a_brand_hide_the_smallest_other_team_with_a_small_one():
    # Alder 14 = ops 8 + cx 4 + care 2... cx and care are hidden (6 together).
    # Birch 9 = cx 6 + care 3: care alone would be Birch - cx, so cx goes too.
    responses = employee_rows(
        ("a", "ops", [10] * 8), ("a", "cx", [9] * 4), ("a", "care", [0] * 2),
        ("b", "cx", [7] * 6), ("b", "care", [0] * 3), (None, "finance", [10] * 5),
    )  # fmt: skip
    data = people_data(responses)
    names = views.scope_names(data)
    alder = views.team_matrix(views.team_kpis(data, Periods.week(WEEK), "a"), names, with_brand=False)
    assert dict(zip(alder["Team"], alder["eNPS"], strict=True)) == {
        "Care": "suppressed (n = 2 < 5)",
        "Cx": "suppressed (n = 4 < 5)",
        "Ops": "100.0",  # eight 10s
    }
    company = views.team_matrix(views.team_kpis(data, Periods.week(WEEK), "company"), names, with_brand=True)
    assert dict(zip(company["Team"], company["eNPS"], strict=True)) == {
        "Alder · Care": "suppressed (n = 2 < 5)",
        "Alder · Cx": "suppressed (n = 4 < 5)",
        "Alder · Ops": "100.0",
        "Birch · Care": "suppressed (n = 3 < 5)",
        "Birch · Cx": "withheld (protects a small group)",
        "Company-wide · Finance": "100.0",  # five 10s
    }
    # Birch itself (9) is shown: with both its teams hidden it holds 9 answers.
    assert by_scope(views.dashboard_kpis(data, Periods.week(WEEK), ["b"], ["enps"]))["b"][
        "value"
    ] == pytest.approx(100 * (0 - 3) / 9)


def test_the_team_table_of_an_empty_week_is_empty():
    data = people_data(ISSUE_EXAMPLE)
    assert views.team_kpis(data, Periods.week("2026-W20"), "company").height == 0


def test_nothing_the_dashboard_shows_of_the_worked_example_lets_a_small_group_be_recovered(example_dir):
    """Every week of the worked example, every employee metric: the groups
    the cards, trends and team tables show leave nothing below 5 recoverable."""
    from purpose_metrics.privacy import answer_counts, week_groups

    frames = {t: pl.read_csv(example_dir / "data" / f"{t}.csv", schema=TABLES[t].polars_schema)
              for t in ("brands", "employee_surveys")}  # fmt: skip
    data = Dataset.from_frames(frames)
    weeks = (
        frames["employee_surveys"].select(
            pl.col("submitted_at").dt.truncate("1w").cast(pl.Date).unique().sort()
        )
    )["submitted_at"].to_list()
    checked = 0
    for week in weeks:
        period = Periods(week, week + dt.timedelta(days=7))
        scopes = views.scopes(data)
        cards = views.dashboard_kpis(data, period, scopes, list(views.TEAM_METRICS))
        teams = views.team_kpis(data, period, "company")
        counts = answer_counts(data["employee_surveys"], [week])
        for metric_id in views.TEAM_METRICS:
            groups = week_groups(counts.filter(pl.col("metric_id") == metric_id), data.brand_ids)
            shown = {r["scope"] for r in cards.filter(pl.col("metric_id") == metric_id).iter_rows(named=True)
                     if r["value"] is not None}  # fmt: skip
            shown |= {team_key(r["brand_id"], r["team"])
                      for r in teams.filter(pl.col("metric_id") == metric_id).iter_rows(named=True)
                      if r["value"] is not None}  # fmt: skip
            hidden = frozenset(g.key for g in groups if g.key not in shown)
            assert recoverable_small_sets(groups, hidden) == [], (week, metric_id)
            checked += 1
    assert checked == 3 * len(weeks) > 60
