"""Anonymity of employee surveys on the dashboard: secondary suppression.

The engine suppresses a survey value computed from fewer answers than the
minimum (primary suppression, docs/metrics.md#small-samples-and-suppression). For employee surveys that
alone does not keep people anonymous: the dashboard shows the company and
every brand (and, on the People page, every team), and a hidden group can
be recovered by subtraction. With company eNPS from 23 answers and brands
from 10 and 9 shown, the company-wide functions (brand_id NULL, never a
scope of their own) are the remaining 4 answers, and their promoters minus
detractors is company − brands.

The groups a week's answers fall in form a tree: the company, its brands
and the company-wide functions, each brand's (or the company-wide
functions') teams. What subtraction can recover from the shown groups is
exactly every union of *residuals*: a shown group minus its largest shown
sub-groups (the shown groups directly under it, or under a hidden group
under it). So the view is safe when every residual holds no answer or at
least the minimum; `hide` hides the smallest shown sub-groups of a group
until that holds. The CLI prints the engine's numbers unchanged; this is
for what the dashboard (and the board pack built from its views) shows.

Across time: every employee-survey group the dashboard shows is an ISO
week's. A value over several whole weeks (the brands page's period) is
shown only when each of its weeks is shown or empty, so it says nothing the
weeks do not; sliding spans could otherwise be subtracted from each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from .constants import EMPLOYEE_SURVEY_MIN

# The employee-survey metrics and the item whose answers each is computed from.
EMPLOYEE_ITEMS: dict[str, str] = {
    "enps": "enps_score",
    "engagement_index": "engagement_score",
    "purpose_alignment": "purpose_alignment",
}
COMPANY = "company"
COMPANY_WIDE = ("company-wide",)  # the brand_id NULL rows: part of the company, never shown alone
_WEEK = dt.timedelta(days=7)
_DAY = dt.timedelta(days=1)
# The columns a hidden row loses (n stays: how many answered is not what
# anonymity protects, their answers are).
_WITHHELD = ("value", "numerator", "denominator", "ci_low", "ci_high", "status")


@dataclass(frozen=True)
class Group:
    """A set of answers: `n` of them, part of `parent` (None: the whole)."""

    key: Hashable
    n: int
    parent: Hashable | None = None
    shown: bool = True  # False: never shown on its own (the company-wide functions)


def hide(groups: Sequence[Group], minimum: int = EMPLOYEE_SURVEY_MIN) -> frozenset[Hashable]:
    """The groups to hide so that no set of fewer than `minimum` answers (and
    more than none) can be recovered by adding and subtracting shown ones.

    Primary: every group with fewer than `minimum` answers, and every group
    not shown on its own. Secondary: while a shown group's residual (its
    answers minus those of its largest shown sub-groups) is between 0 and
    `minimum`, hide its smallest shown sub-group that adds answers to it.
    """
    by_key = {g.key: g for g in groups}
    children: dict[Hashable, list[Group]] = {}
    for g in groups:
        if g.parent is not None:
            children.setdefault(g.parent, []).append(g)
    hidden = {g.key for g in groups if not g.shown or g.n < minimum}

    def largest_shown_under(key: Hashable) -> list[Group]:
        out: list[Group] = []
        for child in children.get(key, ()):
            out.extend([child] if child.key not in hidden else largest_shown_under(child.key))
        return out

    def residual(key: Hashable) -> int:
        return by_key[key].n - sum(g.n for g in largest_shown_under(key))

    changed = True
    while changed:
        changed = False
        for g in _top_down(groups, children):
            if g.key in hidden:
                continue
            left = residual(g.key)
            if 0 < left < minimum:
                parts = largest_shown_under(g.key)
                # The smallest part that adds answers to the residual; failing
                # that (each is covered by shown parts of its own), the
                # smallest with any answer, whose parts come up next round.
                adding = [p for p in parts if residual(p.key) > 0] or [p for p in parts if p.n > 0]
                victim = min(adding, key=lambda p: (p.n, str(p.key))) if adding else g
                hidden.add(victim.key)
                changed = True
    return frozenset(hidden)


def _top_down(groups: Sequence[Group], children: dict[Hashable, list[Group]]) -> list[Group]:
    out, todo = [], [g for g in groups if g.parent is None]
    while todo:
        g = todo.pop(0)
        out.append(g)
        todo.extend(children.get(g.key, ()))
    return out


# --- a week's groups -----------------------------------------------------------------


def team_key(brand_id: str | None, team: str) -> tuple[str, str | None, str]:
    return ("team", brand_id, team)


def answer_counts(responses: pl.LazyFrame, weeks: Iterable[dt.date]) -> pl.DataFrame:
    """Answers per item, week and team.

    Grain: one row per (metric_id, week_start, brand_id, team) with `n`, the
    responses submitted that ISO week with a value for the metric's item
    (brand_id NULL: company-wide functions). Only the given weeks."""
    weeks = sorted(set(weeks))
    schema = {
        "metric_id": pl.String,
        "week_start": pl.Date,
        "brand_id": pl.String,
        "team": pl.String,
        "n": pl.Int64,
    }
    if not weeks:
        return pl.DataFrame(schema=schema)
    start = dt.datetime.combine(weeks[0], dt.time())
    end = dt.datetime.combine(weeks[-1] + _WEEK, dt.time())
    # ISO weeks start on a Monday, NRF weeks on a Sunday (calendars.py): a
    # response counts in the week of the asked-for kind that holds it.
    monday = pl.col("submitted_at").dt.truncate("1w").cast(pl.Date)
    sunday = (pl.col("submitted_at") + _DAY).dt.truncate("1w").cast(pl.Date) - _DAY
    kinds = [
        (monday if first_weekday == 0 else sunday, [w for w in weeks if w.weekday() == first_weekday])
        for first_weekday in (0, 6)
    ]
    window = responses.filter((pl.col("submitted_at") >= start) & (pl.col("submitted_at") < end))
    in_range = pl.concat(
        [
            window.with_columns(week_start=expr).filter(pl.col("week_start").is_in(kept))
            for expr, kept in kinds
            if kept
        ]
    )
    frames = [
        in_range.group_by("week_start", "brand_id", "team")
        .agg(pl.col(item).is_not_null().sum().cast(pl.Int64).alias("n"))
        .with_columns(metric_id=pl.lit(metric_id))
        for metric_id, item in EMPLOYEE_ITEMS.items()
    ]
    return pl.concat(frames).select(list(schema)).collect()


def week_groups(counts: pl.DataFrame, brand_ids: Sequence[str]) -> list[Group]:
    """The tree of one metric's week: company → brands and company-wide
    functions → teams. `counts` holds that metric and week's rows of
    `answer_counts`; every brand of `brand_ids` is a group, answered or not."""
    teams = counts.filter(pl.col("n") > 0)
    per_brand: dict[str | None, int] = {}
    for brand_id, n in teams.group_by("brand_id").agg(pl.col("n").sum()).iter_rows():
        per_brand[brand_id] = int(n)
    total = sum(per_brand.values())
    groups = [Group(COMPANY, total)]
    groups += [Group(b, per_brand.get(b, 0), COMPANY) for b in brand_ids]
    groups.append(Group(COMPANY_WIDE, per_brand.get(None, 0), COMPANY, shown=False))
    for brand_id, team, n in teams.select("brand_id", "team", "n").iter_rows():
        parent = COMPANY_WIDE if brand_id is None else brand_id
        groups.append(Group(team_key(brand_id, team), int(n), parent))
    return groups


@dataclass(frozen=True)
class WeekDecisions:
    """For each (metric, week): the answers of every group and which are hidden."""

    n: dict[tuple[str, dt.date], dict[Hashable, int]]
    hidden: dict[tuple[str, dt.date], frozenset[Hashable]]

    def shown(self, metric_id: str, week: dt.date, key: Hashable) -> bool:
        return key not in self.hidden.get((metric_id, week), frozenset({key}))

    def answers(self, metric_id: str, week: dt.date, key: Hashable) -> int:
        return self.n.get((metric_id, week), {}).get(key, 0)


def decide(
    responses: pl.LazyFrame,
    brand_ids: Sequence[str],
    weeks: Iterable[dt.date],
    minimum: int = EMPLOYEE_SURVEY_MIN,
) -> WeekDecisions:
    """Which groups of each employee metric and week the dashboard hides.

    One decision per (metric, week), whatever the view: the cards, the
    trends, the brands table and the team table all agree, so no view shows
    what another one hides."""
    weeks = sorted(set(weeks))
    counts = answer_counts(responses, weeks)
    n: dict[tuple[str, dt.date], dict[Hashable, int]] = {}
    hidden: dict[tuple[str, dt.date], frozenset[Hashable]] = {}
    parts = counts.partition_by("metric_id", "week_start", as_dict=True) if counts.height else {}
    empty = counts.head(0)
    for metric_id in EMPLOYEE_ITEMS:
        for week in weeks:
            groups = week_groups(parts.get((metric_id, week), empty), brand_ids)
            n[(metric_id, week)] = {g.key: g.n for g in groups}
            hidden[(metric_id, week)] = hide(groups, minimum)
    return WeekDecisions(n, hidden)


# --- applying the decisions to the dashboard's rows ---------------------------------------


def whole_weeks(start: dt.date, end: dt.date) -> list[dt.date] | None:
    """The weeks [start, end) consists of (ISO weeks from a Monday, NRF
    weeks from a Sunday), or None when it is not whole weeks."""
    if start.weekday() not in (0, 6) or (end - start).days % 7 or end <= start:
        return None
    return [start + i * _WEEK for i in range((end - start).days // 7)]


def protect(
    kpis: pl.DataFrame,
    responses: pl.LazyFrame,
    brand_ids: Sequence[str],
    minimum: int = EMPLOYEE_SURVEY_MIN,
    scope_keys: dict[str, Hashable] | None = None,
) -> pl.DataFrame:
    """Rows of `kpi_frame` (any scopes, periods and metrics) with every
    employee-survey value hidden that would let a small group be recovered.

    A hidden row keeps its `n` and is `suppressed`; value, numerator,
    denominator, interval and status become NULL. A week's row follows
    `decide`; a row over several whole weeks is shown only when every week of
    it is shown or has no answer; any other period is hidden. `scope_keys`
    maps a row's scope to its group when it is not a scope (teams)."""
    is_employee = pl.col("metric_id").is_in(list(EMPLOYEE_ITEMS))
    rows = kpis.filter(is_employee & ~pl.col("suppressed"))
    if rows.height == 0:
        return kpis
    spans = {
        (s, e): whole_weeks(s, e) for s, e in rows.select("period_start", "period_end").unique().iter_rows()
    }
    weeks = {w for ws in spans.values() if ws for w in ws}
    decisions = decide(responses, brand_ids, weeks, minimum)
    keys = scope_keys or {}

    def keep(metric_id: str, scope: str, start: dt.date, end: dt.date) -> bool:
        ws = spans[(start, end)]
        if ws is None:
            return False
        key = keys.get(scope, scope)
        if len(ws) == 1:
            return decisions.shown(metric_id, ws[0], key)
        return all(
            decisions.shown(metric_id, w, key) or decisions.answers(metric_id, w, key) == 0 for w in ws
        )

    withheld = pl.DataFrame(
        [
            (m, s, a, b)
            for m, s, a, b in rows.select("metric_id", "scope", "period_start", "period_end").iter_rows()
            if not keep(m, s, a, b)
        ],
        schema={"metric_id": pl.String, "scope": pl.String, "period_start": pl.Date, "period_end": pl.Date},
        orient="row",
    ).with_columns(_withheld=pl.lit(True))
    if withheld.height == 0:
        return kpis
    marked = kpis.join(
        withheld, on=["metric_id", "scope", "period_start", "period_end"], how="left", maintain_order="left"
    )
    hidden = pl.col("_withheld").fill_null(False)
    return marked.with_columns(
        [pl.when(~hidden).then(pl.col(c)).alias(c) for c in _WITHHELD],
        suppressed=pl.col("suppressed") | hidden,
    ).select(kpis.columns)
