"""The repository's metric reference, docs/metrics.md, rendered from the code.

    python -m purpose_metrics.docs > docs/metrics.md

Each metric's entry comes from its catalog declaration (catalog.py), the
numbers in the conventions (survey minimums, z, the amber band, the 90-day
window) from constants.py, the lists of metrics a convention applies to
from the catalog's attributes, and the GRI disclosure titles from
reports.py. tests/test_docs.py fails when docs/metrics.md is not what
`render_metrics_doc()` returns, so the reference cannot drift from the code.

Longer than most modules (~500 lines) because most of it is the
reference's own prose — the conventions and the words for each fact — kept
beside the code that fills in its numbers and lists.

Anchors are part of the interface: code comments link to them
(`docs/metrics.md#empty-sets`, `#metric-recycled_packaging_share`). Section
headings are chosen so that GitHub's slug of each is its anchor; every
metric carries an explicit `metric-<id>` anchor.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from . import catalog
from .catalog import Metric
from .constants import (
    AMBER_BAND,
    CUSTOMER_SURVEY_MIN,
    EMPLOYEE_SURVEY_MIN,
    REPURCHASE_WINDOW_DAYS,
    Z95,
    Z95_EXACT,
)
from .metrics.cohorts import COHORT_COLUMNS
from .metrics.drivers import DRIVER_COLUMNS, DRIVER_GROUP_MIN, DRIVER_GROUPS, DRIVER_RULES, DRIVERS
from .metrics.engine import KPI_COLUMNS
from .reports import GRI_TITLES, SDG_NOTE

REGENERATE = "python -m purpose_metrics.docs > docs/metrics.md"

# The facts (metrics/facts.py) that numerators, denominators and `n` are
# made of, in words. Orders are completed orders placed in the period, in
# scope; responses, tickets and messages are those of the period, in scope.
FACTS: dict[str, str] = {
    "orders": "completed orders placed in the period",
    "known_orders": "orders with a customer (guest checkouts left out)",
    "revenue": "Σ net_revenue of the orders (the column, before refunds)",
    "refunded": "Σ refunded_amount of the orders",
    "net_revenue": "Σ net_revenue − Σ refunded_amount of the orders",
    "units": "Σ units of the orders",
    "returned_units": "Σ returned_units of the orders",
    "returning_orders": "known orders with an earlier completed order of the same customer (in scope)",
    "donating_orders": "orders with donation_amount > 0",
    "donations": "Σ donation_amount of the orders",
    "promised_delivered": "orders with both a promised_delivery_date and a delivered_at",
    "on_time": "orders with both whose delivered_at, as a date, is on or before promised_delivery_date",
    "shipping_co2e": "Σ shipping_co2e_kg of the orders that have one",
    "orders_with_co2e": "orders with a shipping_co2e_kg",
    "packaging": "Σ packaging_kg of the orders with both packaging weights",
    "packaging_recycled": "Σ packaging_recycled_kg of the orders with both packaging weights",
    "orders_with_packaging": "orders with both packaging_kg and packaging_recycled_kg",
    "active_customers": "distinct customers of the known orders",
    "new_customers": "customers whose first completed order (in scope) is in the period",
    "repeat_customers": "active customers with at least 2 completed orders (in scope) up to the period's end",
    "repurchased_90d": (
        "new customers whose second completed order (in scope) was placed at most "
        f"{REPURCHASE_WINDOW_DAYS} days after their first"
    ),
    "opted_in_customers": "active customers with marketing_opt_in true",
    "purpose_achieved": "customer survey responses with purpose_achieved true",
    "purpose_answers": "customer survey responses answering purpose_achieved, true or false",
    "csat_satisfied": "customer survey responses with csat_score 4 or 5",
    "csat_answers": "customer survey responses with a csat_score",
    "effort_sum": "Σ effort_score of the customer survey responses",
    "effort_answers": "customer survey responses with an effort_score",
    "nps_net": "promoters (nps_score 9–10) − detractors (0–6)",
    "nps_answers": "customer survey responses with an nps_score",
    "tickets_resolved": "tickets opened in the period and resolved (resolved_at set, whenever)",
    "tickets_one_contact": "resolved tickets opened in the period with contacts = 1",
    "messages": "marketing messages sent in the period",
    "messages_clicked": "messages sent in the period with a clicked_at (whenever)",
    "messages_unsubscribed": "messages sent in the period with an unsubscribed_at (whenever)",
    "enps_net": "promoters (enps_score 9–10) − detractors (0–6)",
    "enps_answers": "employee survey responses with an enps_score",
    "engagement_sum": "Σ engagement_score of the employee survey responses",
    "engagement_answers": "employee survey responses with an engagement_score",
    "aligned": "employee survey responses with purpose_alignment 4 or 5",
    "alignment_answers": "employee survey responses with a purpose_alignment",
    "workforce_rows": "workforce rows whose whole month lies in the period",
    "voluntary_leavers": "Σ voluntary_leavers of the period's workforce rows",
    "leavers": "Σ (voluntary_leavers + involuntary_leavers) of the period's workforce rows",
    "average_headcount": (
        "Σ over the period's workforce rows of (headcount_start + headcount_end) / 2, ÷ the number of distinct months"
    ),
    "last_headcount": "Σ headcount_end of the workforce rows of the last month (the latest period_start)",
    "training_hours": "Σ training_hours of the period's workforce rows",
    "ledger_rows": "impact ledger rows whose whole month lies in the period",
    "ghg_kg": "1000 × Σ (scope1_tco2e + scope2_tco2e + scope3_tco2e) of the period's ledger rows, in kg",
    "energy": "Σ energy_kwh of the period's ledger rows",
    "renewable_energy": "Σ renewable_energy_kwh of the period's ledger rows",
    "waste": "Σ waste_kg of the period's ledger rows",
    "waste_diverted": "Σ waste_diverted_kg of the period's ledger rows",
    "community_investment": "Σ community_investment of the period's ledger rows",
    "procurement": "Σ procurement_spend of the period's ledger rows",
    "local_procurement": "Σ local_procurement_spend of the period's ledger rows",
    "privacy_complaints": "Σ privacy_complaints of the period's ledger rows",
}

# How the value follows from numerator and denominator, by catalog kind.
VALUE_BY_KIND: dict[str, str] = {
    "count": "the numerator (a count; no denominator)",
    "sum": "the numerator (a sum; no denominator)",
    "ratio": "numerator ÷ denominator",
    "mean": "numerator ÷ denominator (the mean score)",
    "percent": "100 × numerator ÷ denominator",
    "nps": "100 × numerator ÷ denominator (promoters − detractors, in points of all who answered)",
    "index": "100 × (numerator ÷ denominator − 1) ÷ 4 (the mean score rescaled from 1–5 to 0–100)",
}

# What a metric's entry says beyond its declaration.
NOTES: dict[str, str] = {
    "net_revenue": "`aov`, `aur` and `refund_rate` use net_revenue before refunds; this metric is after them.",
    "repurchase_90d": (
        f"Immature while `to` + {REPURCHASE_WINDOW_DAYS} days is after the data's as-of instant: "
        "value, numerator, denominator and interval NULL, `n` still the first-order customers "
        "([as-of and immaturity](#as-of-and-immaturity))."
    ),
    "purpose_achieved_rate": (
        "The dashboard also splits it by customer_purpose, suppressing each category on its own; "
        "responses without a category count in the overall value only."
    ),
    "on_time_delivery_rate": "Undelivered orders, and orders without a promise, are left out.",
    "delivery_co2e_per_order": (
        "With no order reporting shipping emissions the numerator and denominator are 0 and there is "
        "no value ([empty sets](#empty-sets))."
    ),
    "recycled_packaging_share": (
        "With no order carrying both packaging weights the numerator and denominator are 0 and there "
        "is no value ([empty sets](#empty-sets))."
    ),
    "voluntary_turnover_rate": (
        "SHRM divides by the average headcount; `turnover_rate` (GRI 401-1) by the headcount at the end."
    ),
    "purpose_alignment": "Gallup Q12 item 8 is the nearest standard item.",
    "turnover_rate": "GRI 401-1 divides by the headcount at the end; `voluntary_turnover_rate` (SHRM) by the average.",
    "ghg_intensity": "A ledger sum over completed orders: NULL without ledger rows, `n` still the orders.",
    "energy_intensity": "A ledger sum over completed orders: NULL without ledger rows, `n` still the orders.",
    "community_investment_share": "The denominator is the `net_revenue` metric (after refunds) of the same scope.",
}

INTERVAL_WORDS = {"wilson": "Wilson score", "nps": "NPS", None: ""}

# What each column of `purpose-metrics kpis` holds.
KPI_COLUMN_WORDS: dict[str, str] = {
    "metric_id": "the catalog id",
    "scope": "`company` or a brand_id",
    "period_start": "the period's first day, `from`",
    "period_end": "the exclusive end `to`",
    "value": "the metric in its unit; NULL when suppressed, immature, a ratio over 0, or monthly "
    "without whole months of rows (always in a week)",
    "numerator": "what the value is computed from ([arithmetic](#arithmetic))",
    "denominator": "likewise; NULL for a count or sum",
    "n": "the records the metric counts ([what n counts](#what-n-counts)), shown even when suppressed",
    "suppressed": "true when a survey metric has fewer responses than its minimum",
    "immature": "true when `repurchase_90d`'s window runs past the as-of instant",
    "ci_low": "the 95 % interval's lower end, for metrics that have one ([intervals](#intervals))",
    "ci_high": "its upper end",
    "target": "the target that applies, if any ([targets and status](#targets-and-status))",
    "status": "`green`, `amber`, `red`, or NULL",
}
COHORT_COLUMN_WORDS: dict[str, str] = {
    "scope": "`company` or a brand_id",
    "cohort": "the week (`YYYY-Www`) or month (`YYYY-MM`) of the first completed order in scope",
    "period_index": "k: weeks (months) after the cohort's own, 0 first",
    "cohort_size": "customers of the cohort",
    "customers": "of them, those with a completed order (in scope) in period k",
    "retention": "100 × customers ÷ cohort_size",
}


def _ids(metrics: Iterable[Metric]) -> str:
    """`a`, `b` and `c`, each linked to its entry."""
    links = [f"[`{m.id}`](#metric-{m.id})" for m in metrics]
    return links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]


def _conventions() -> str:
    metrics = catalog.METRICS
    customer_based = [m for m in metrics if m.source == "customers" or m.n == "known_orders"]
    monthly = [m for m in metrics if m.monthly]
    customer_surveys = [m for m in metrics if m.survey_min == CUSTOMER_SURVEY_MIN]
    employee_surveys = [m for m in metrics if m.survey_min == EMPLOYEE_SURVEY_MIN]
    wilson = [m for m in metrics if m.interval == "wilson"]
    nps = [m for m in metrics if m.interval == "nps"]
    return f"""\
## Conventions

What every metric below relies on. The code that applies each rule cites
its section here.

### Periods

A period is a half-open interval of dates `[from, to)`: a row counts in it
when its timestamp is ≥ `from` 00:00 and < `to` 00:00. Timestamps are stored
without a zone and mean UTC. A week is an ISO week, Monday to Monday
(`2026-W10`); a month runs from its first day to the next month's. A trend
is a grid of consecutive weeks or months, each computed as a period of its
own.

### Local time and calendars

A company elsewhere than UTC sets `company.timezone`, an IANA name such as
`Europe/Berlin` (NULL or absent: UTC, and every number stays as it is).
Stored timestamps still mean UTC; every date boundary is local: a period
`[from, to)` holds the instants whose local time is ≥ `from` 00:00 and <
`to` 00:00 in the company's zone, so a week around a daylight-saving change
is 167 or 169 hours long. Weeks, months, cohorts and the date of
`delivered_at` (on-time delivery, the on-time driver) are local; durations
(the {REPURCHASE_WINDOW_DAYS}-day window) and the as-of instant stay instants. Pushdown cuts
the same local periods in the database: period bounds are bound as the
UTC instants of local midnight, and a local date is the timestamp plus the
zone's UTC offset, picked from the offset's changes (a CASE the code
builds from the time-zone database, so no database needs time-zone
support). The fact store's days are local too: imports cut them in the
company's zone, and importing a company in another zone cuts the store
anew (a zone changed by other means makes the store stale until
`purpose-metrics refresh`; pushdown or memory serve meanwhile). Cohorts on
fiscal periods are cut in the database outside the memory mode.

Two calendars cut weeks and months (`company.calendar`, NULL or absent:
`iso`; the dashboard and the board pack follow it, and `--calendar` on
`kpis`, `cohorts`, `drivers` and `deck` chooses): `iso`, the default, as above; and `nrf`, the
National Retail Federation 4-5-4 calendar. Its fiscal year ends on the
Saturday nearest 31 January and is named by the calendar year it starts in
(FY2025: 2 Feb 2025 – 31 Jan 2026); weeks run Sunday to Saturday; each
quarter's months have 4, 5 and 4 weeks; a 53-week year adds its last week
to the last month. Labels: `FY2025-W07`, `FY2025-M03`, `FY2025-Q1`.
Workforce and ledger rows stay calendar months under the whole-month rule.

**Year over year** (`kpis --compare year`): the comparable period of a week
is the same week number of the previous year of its calendar (ISO year or
fiscal year); a week 53 has none. A period given by dates compares with
the same dates a year earlier (on `nrf`: 52 weeks earlier, so weekdays line
up). `change` is value − comparable value (percentage points for a
percent), NULL when either side is NULL.

### Completed orders

Only orders with `status = 'completed'` count, in every metric and in every
customer's history (first orders, earlier orders, cohorts). Cancelled orders
are ignored by every metric; they count only towards the data's
[as-of instant](#as-of-and-immaturity).

### Guests

An order with `customer_id` NULL is a guest checkout. It counts in the
order-based metrics (orders, revenue, AOV, AUR, returns, refunds, delivery,
cause and impact) and in none of the customer-based ones:
{_ids(customer_based)}, and the [cohorts](#cohorts).

### The Earlier rule

Order A is earlier than order B when `(ordered_at, order_id)` of A sorts
before that of B: equal timestamps are ordered by order_id. "An earlier
order", "a customer's first order" and "their second order" all follow this
order.

### Scope

Every metric is computed for the company (`scope = company`: all rows,
brand_id NULL included) and for each brand (`scope = <brand_id>`: that
brand's rows only). Brand scope means brand history too: an order's earlier
order must be of the same brand, and a customer's first order is their first
order of that brand; company scope uses all brands. Company values are
computed from rows, never averaged from brand values. Rows with brand_id
NULL (company-wide teams, shared operations) count for the company only.

### Surveys, tickets and messages

Survey responses, support tickets and marketing messages count by their
own brand_id and timestamp (`submitted_at`, `opened_at`, `sent_at`), guests
included, whatever became of a linked order. "Resolved", "clicked" and
"unsubscribed" mean the timestamp is not NULL, whenever it falls.

### Monthly tables

`workforce` and `impact_ledger` hold one row per month (`period_start`, the
month's first day). A row counts in a period when its whole month lies in
it — `period_start >= from` and the month's last day `< to` (the whole-month
rule). A week never holds a whole month, so the monthly metrics
({_ids(monthly)}) are NULL for a week in the CLI; the dashboard shows the
latest whole month ending before the week's end instead, labelled as such.
Among the workforce rows of a period, "the last month" is the latest
`period_start` and "months" are counted among them.

### Empty sets

Counts and sums over orders, customers, survey responses, tickets or
messages are 0 when nothing qualifies — numerators and denominators
included. So with no order carrying both packaging weights,
`recycled_packaging_share` has numerator 0 and denominator 0, as
`delivery_co2e_per_order` has 0 and 0 with no order reporting shipping
emissions; neither has a value. Every workforce or ledger metric is NULL
(value, numerator and denominator; `n` still counts) when its scope has no
such rows in the period, `privacy_complaints` included. A ratio whose
denominator is 0 is NULL, never 0 or NaN.

### Arithmetic

Values are computed in float64. A percent is 100 × numerator ÷ denominator,
reported 0–100, never as a fraction. `numerator` and `denominator` are the
quantities the value is computed from, after unit conversion (the ×1000 of
`ghg_intensity` included) and before the ×100 of a percent: for a mean (and
for `engagement_index`) the sum of the raw scores and their count; for
`nps` and `enps` promoters − detractors and the responses with a score; for
a count or sum, `numerator` is the value and `denominator` is NULL. `n`
counts the records the denominator (for a count or sum, the value) is
computed from ([what `n` counts](#what-n-counts)).

### As-of and immaturity

The data's as-of instant is the latest `ordered_at` of any order, cancelled
included, across all brands; it is the same for every scope. Only
`repurchase_90d` and cohort cells need a window past it. A `repurchase_90d`
whose window (`to` + {REPURCHASE_WINDOW_DAYS} days) ends after the as-of instant is
**immature**: value, numerator, denominator and interval NULL, `immature`
true, `n` still the number of first-order customers — never a partial
number. Cohort cells past the as-of instant are left out
([cohorts](#cohorts)).

### Small samples and suppression

A survey metric computed from fewer responses with a value for its item
than its minimum is **suppressed**: value, numerator, denominator and
interval NULL, `suppressed` true, `n` still the count (0 included).
`suppressed` is false in every other row. The minimums:

- customer surveys, {CUSTOMER_SURVEY_MIN} responses (fewer is noise): {_ids(customer_surveys)};
- employee surveys, {EMPLOYEE_SURVEY_MIN} responses (anonymity): {_ids(employee_surveys)}.

On the dashboard an employee-survey value is also withheld when it would let
a group of fewer than {EMPLOYEE_SURVEY_MIN} answers be worked out by subtracting shown
numbers from each other (secondary suppression, `privacy.py`). The CLI
prints the engine's numbers.

### Intervals

Proportions — shares of counted records: {_ids(wilson)} — carry a 95 %
Wilson score interval of numerator over denominator, in percent: with
p = numerator ÷ n, n = denominator and z = {Z95},

    100 × (p + z²/(2n) ± z·√(p(1 − p)/n + z²/(4n²))) ÷ (1 + z²/n)

without continuity correction. {_ids(nps)} carry
`value ± z · 100 · √((p + d − (p − d)²) ÷ n)`, with p and d the promoter
and detractor fractions among the n responses with a score, clipped to
[−100, 100]. Other metrics have no interval (NULL), nor has a suppressed
or immature row.

### Targets and status

A target applies to a metric and scope when the period's start lies in
`[valid_from, valid_to)` (`valid_to` NULL: open-ended). A target with
brand_id NULL is the company's; a brand has only its own targets (none are
inherited). `target_value` is in the metric's reported unit (75 means
75 %). `target` is printed whenever one applies. Status, for a metric whose
good direction is up (mirrored for down): **green** when value ≥ target;
**amber** when value ≥ target − {AMBER_BAND:g} × |target|; **red** otherwise; NULL
without a value or a target.

### Cohorts

A customer's cohort is the week (or month) of the calendar holding the local
date of their first completed order in scope. Cell (c, k) is the customers of cohort c with at
least one completed order (in scope) in the k-th week (month) after c ÷ the
cohort's size, in percent. k = 0 is always emitted and is 100 %. For k ≥ 1
every cell whose period ends on or before the as-of instant is emitted,
zeros included; later cells are immature and left out. Guests have no
cohort.

### Sales lift

What a small change per customer is worth: `customers ×
extra_units_per_customer_per_week × aur × weeks`. 10,000 customers buying
one more item at 5 a week for 52 weeks is 2.6 million.
"""


def _fact(name: str | None) -> str:
    return f"{FACTS[name]} (`{name}`)" if name else "none"


def _entry(m: Metric) -> str:
    """One metric's section, under its `metric-<id>` anchor."""
    better = "higher is better" if m.direction == "up" else "lower is better"
    interval = (
        f"95 % {INTERVAL_WORDS[m.interval]} interval ([intervals](#intervals))" if m.interval else "none"
    )
    minimum = (
        f"{m.survey_min} responses ([suppression](#small-samples-and-suppression))"
        if m.survey_min
        else "none"
    )
    gri = f"{m.gri} — {GRI_TITLES[m.gri.removeprefix('GRI ')]}" if m.gri else "none"
    lines = [
        f'<a id="metric-{m.id}"></a>',
        "",
        f"#### {m.label}",
        "",
        f"`{m.id}` · {m.pillar} · {m.unit} · {better}",
        "",
        m.definition,
        "",
        f"- **Value:** {VALUE_BY_KIND[m.kind]}",
        f"- **Numerator:** {_fact(m.numerator)}",
        f"- **Denominator:** {_fact(m.denominator)}",
        f"- **`n` counts:** {m.population} (`{m.n}`)",
        f"- **Interval:** {interval}",
        f"- **Survey minimum:** {minimum}",
        f"- **GRI disclosure:** {gri}",
        f"- **SDG target:** {m.sdg or 'none'}",
    ]
    if m.monthly:
        lines.append(
            f"- **Monthly:** from {m.source} rows; NULL for a week ([monthly tables](#monthly-tables))"
        )
    if m.id in NOTES:
        lines += ["", NOTES[m.id]]
    return "\n".join(lines) + "\n"


def _pillar(pillar: str) -> str:
    members = [m for m in catalog.METRICS if m.pillar == pillar]
    table = [
        "| metric | id | unit | better | interval | GRI | SDG |",
        "|---|---|---|---|---|---|---|",
    ] + [
        f"| [{m.label}](#metric-{m.id}) | `{m.id}` | {m.unit} | {'higher' if m.direction == 'up' else 'lower'} "
        f"| {INTERVAL_WORDS[m.interval]} | {m.gri or ''} | {m.sdg or ''} |"
        for m in members
    ]
    return f"### {pillar}\n\n" + "\n".join(table) + "\n\n" + "\n".join(_entry(m) for m in members)


def _what_n_counts() -> str:
    groups: dict[str, list[Metric]] = {}
    for m in catalog.METRICS:
        groups.setdefault(m.population, []).append(m)
    lines = [f"- {population}: {_ids(members)}" for population, members in groups.items()]
    return (
        "## What `n` counts\n\n"
        "For survey metrics, the responses with a value for the item; otherwise the records the "
        "denominator (for a count or sum, the value) is computed from.\n\n" + "\n".join(lines) + "\n"
    )


def _standards_index() -> str:
    gri: dict[str, list[Metric]] = {}
    sdg: dict[str, list[Metric]] = {}
    for m in catalog.METRICS:
        if m.gri:
            gri.setdefault(m.gri, []).append(m)
        if m.sdg:
            sdg.setdefault(m.sdg, []).append(m)
    gri_rows = [
        f"| {d} | {GRI_TITLES[d.removeprefix('GRI ')]} | {_ids(ms)} |"
        for d, ms in sorted(gri.items(), key=lambda kv: tuple(int(x) for x in kv[0][4:].split("-")))
    ]
    sdg_rows = [
        f"| {t} | {_ids(ms)} |"
        for t, ms in sorted(sdg.items(), key=lambda kv: tuple(int(x) for x in kv[0].split(".")))
    ]
    return (
        "## GRI and SDG references\n\n"
        "| GRI disclosure | title | metrics |\n|---|---|---|\n" + "\n".join(gri_rows) + "\n\n"
        "| SDG target | metrics |\n|---|---|\n" + "\n".join(sdg_rows) + "\n\n"
        f"{SDG_NOTE}.\n"
    )


DRIVER_COLUMN_WORDS: dict[str, str] = {
    "driver": "the driver's id",
    "scope": "`company` or a brand_id",
    "period_start": "the period's first day",
    "period_end": "the period's end (exclusive)",
    "n_good": "anchors in the good group",
    "repurchased_good": "of them, those who came back within 90 days (NULL when immature)",
    "n_bad": "anchors in the bad group",
    "repurchased_bad": "of them, those who came back within 90 days (NULL when immature)",
    "rate_good": "100 × repurchased_good ÷ n_good, percent",
    "rate_bad": "100 × repurchased_bad ÷ n_bad, percent",
    "difference_pp": "rate_good − rate_bad, percentage points",
    "ci_low": "lower bound of the difference's 95 % Newcombe interval, percentage points",
    "ci_high": "upper bound of the difference's 95 % Newcombe interval, percentage points",
    "suppressed": "true when either group has fewer than "
    f"{DRIVER_GROUP_MIN} anchors (the counts are still printed)",
    "immature": "true when the period's 90-day window has not ended at the as-of instant",
    "revenue_at_stake": "n_bad × max(difference_pp, 0) ÷ 100 × R, in the company's currency",
}


def _drivers() -> str:
    drivers = "\n".join(
        f"{i}. `{d}`: good when {DRIVER_GROUPS[d][0]}, bad when {DRIVER_GROUPS[d][1]}; {DRIVER_RULES[d]}"
        for i, d in enumerate(DRIVERS, start=1)
    )
    return f"""## Drivers

Which experiences bring customers back, and what the gap is worth
(`purpose-metrics drivers`, the Drivers page, the board pack's "What brings
customers back" slide; `src/purpose_metrics/metrics/drivers.py`).

- **Anchor.** For a period and a scope, every known customer with a
  completed order in scope in the period; their anchor is the first such
  order by the Earlier rule.
- **Repurchased.** The customer has a later completed order in scope (the
  Earlier rule) placed at most {REPURCHASE_WINDOW_DAYS} × 24 hours after the anchor.
- **Immature.** When the period's end + {REPURCHASE_WINDOW_DAYS} days is after the as-of
  instant, every row of the period is immature: repurchase counts, rates,
  difference, interval and revenue are NULL; the group sizes are printed;
  an immature row is never also suppressed.
- **Drivers** split the anchors into a good and a bad group by what happened
  to the anchor order, and leave the others out:

{drivers}

- **Numbers.** Each group's 90-day repurchase rate (percent, NULL for an
  empty group), their difference in percentage points, and its 95 %
  interval: Newcombe's hybrid score interval (method 10) built from the two
  groups' Wilson intervals, with z at full precision ({Z95_EXACT!r}; the
  worked example's drivers files are computed with it). A row is
  **suppressed** when either group has fewer than {DRIVER_GROUP_MIN} anchors.
- **Revenue at stake** = n_bad × max(difference_pp, 0) ÷ 100 × R, where R
  is the mean, over the good group's repurchasing customers, of Σ
  (net_revenue − refunded_amount) of their completed orders in scope after
  the anchor and up to {REPURCHASE_WINDOW_DAYS} days after it: what the period's bad-group
  customers would have spent had they come back as often as the good group.
  It is not a forecast: the groups differ in more than the driver.
"""


def _columns() -> str:
    kpis = "\n".join(f"- `{c}`: {KPI_COLUMN_WORDS[c]}" for c in KPI_COLUMNS)
    drivers = "\n".join(f"- `{c}`: {DRIVER_COLUMN_WORDS[c]}" for c in DRIVER_COLUMNS)
    cohorts = "\n".join(f"- `{c}`: {COHORT_COLUMN_WORDS[c]}" for c in COHORT_COLUMNS)
    return f"""\
## Output columns

`purpose-metrics kpis` prints one row per scope and metric: scopes
`company` first, then every brand by brand_id (with or without data), then
metrics in the order of this reference. Columns:

{kpis}

`purpose-metrics cohorts` prints one row per scope, cohort and period
index. Columns:

{cohorts}

`purpose-metrics drivers` prints one row per scope and driver: scopes as
for `kpis`, then drivers in the order of [Drivers](#drivers). Columns:

{drivers}

CSV (the default) has a header row and `\\n` line ends; floats in their
shortest round-trip form, counts and `n` as integers, booleans `true` /
`false`, NULL an empty field. JSON is a list of objects with numbers as
numbers, booleans as booleans and NULL as null. Two outputs agree when
every number matches to a relative 1e-9.
"""


def render_metrics_doc() -> str:
    """The whole of docs/metrics.md."""
    contents = [
        "- [Conventions](#conventions): [periods](#periods), [local time and calendars](#local-time-and-calendars), "
        "[completed orders](#completed-orders), [guests](#guests), [the Earlier rule](#the-earlier-rule), [scope](#scope), "
        "[surveys, tickets and messages](#surveys-tickets-and-messages), [monthly tables](#monthly-tables), "
        "[empty sets](#empty-sets), [arithmetic](#arithmetic), [as-of and immaturity](#as-of-and-immaturity), "
        "[small samples and suppression](#small-samples-and-suppression), [intervals](#intervals), "
        "[targets and status](#targets-and-status), [cohorts](#cohorts), [sales lift](#sales-lift)",
        "- [Metrics](#metrics): "
        + ", ".join(f"[{p}](#{p.lower().replace(' ', '-')})" for p in catalog.PILLARS),
        "- [Drivers](#drivers)",
        "- [What `n` counts](#what-n-counts)",
        "- [GRI and SDG references](#gri-and-sdg-references)",
        "- [Output columns](#output-columns)",
    ]
    head = f"""\
# Metric reference

Generated from the catalog (`src/purpose_metrics/catalog.py`); do not edit
by hand. Regenerate with `{REGENERATE}` after changing the catalog,
`constants.py` or `src/purpose_metrics/docs.py`: `tests/test_docs.py` fails
while this file differs from what the code renders.

Every metric is declared once in the catalog. A number is made in two steps:
the rows of a period are aggregated into *facts* per scope and period
(`orders`, `known_orders`, `nps_promoters` …, in `metrics/facts.py` or the
database's `sql/facts/`), and `metrics/engine.py` finishes each metric from
its facts: value, suppression, immaturity, interval, target and status. The
fact names appear in backticks in each entry below.

"""
    metrics = "## Metrics\n\n" + "\n".join(_pillar(p) for p in catalog.PILLARS)
    return "\n".join(
        [
            head + "\n".join(contents) + "\n",
            _conventions(),
            metrics,
            _drivers(),
            _what_n_counts(),
            _standards_index(),
            _columns(),
        ]
    )


if __name__ == "__main__":
    sys.stdout.write(render_metrics_doc())
