"""Facts: the per (scope, period) aggregates every metric is finished from.

Grain of every frame here: one row per (scope, period_start). `scope` is
"company" (all rows, brand-less ones included) or a brand_id (that brand's
rows only, and that brand's history). Counts and sums are 0 when nothing
qualifies; facts of the monthly tables stay NULL when the scope has no rows
(their `*_rows` fact is then 0). docs/metrics.md lists every metric.

Facts come in groups (FACT_GROUPS), one per kind of row they count. The
large tables' groups (orders, customers, surveys, tickets, messages) come
from the Dataset's FactSource (sources/: frames in memory, SQL pushdown or
the fact store); this module holds their Polars version, which the memory
source runs. The small tables' groups (employee surveys, workforce, impact
ledger) are always computed here from the frames every Dataset holds.
`compute_facts` asks for the groups the metrics need, joins them onto the
full scope × period grid and collects once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import polars as pl

from ..calendars import local_date
from ..catalog import Metric
from ..constants import REPURCHASE_WINDOW_DAYS
from ..periods import Periods
from .dataset import UNKNOWN, Dataset, Filters

Aggs = Callable[[str], list[pl.Expr]]  # suffix ("_c" company, "_b" brand) -> aggregations

KEYS = ["scope", "period_start"]


# Which facts each group provides (what a source returns when asked for it).
FACT_GROUPS: dict[str, frozenset[str]] = {
    "orders": frozenset({
        "orders", "units", "revenue", "refunded", "net_revenue", "returned_units", "known_orders",
        "donating_orders", "donations", "promised_delivered", "on_time", "shipping_co2e",
        "orders_with_co2e", "packaging", "packaging_recycled", "orders_with_packaging",
    }),
    "customers": frozenset({
        "returning_orders", "active_customers", "repeat_customers", "new_customers", "repurchased_90d",
        "opted_in_customers",
    }),
    "surveys": frozenset({
        "purpose_achieved", "purpose_answers", "csat_satisfied", "csat_answers", "effort_sum",
        "effort_answers", "nps_promoters", "nps_detractors", "nps_answers", "nps_net",
    }),
    "tickets": frozenset({"tickets_resolved", "tickets_one_contact"}),
    "messages": frozenset({"messages", "messages_clicked", "messages_unsubscribed"}),
    "employees": frozenset({
        "enps_promoters", "enps_detractors", "enps_answers", "enps_net", "engagement_sum",
        "engagement_answers", "aligned", "alignment_answers",
    }),
    "workforce": frozenset({
        "workforce_rows", "voluntary_leavers", "leavers", "average_headcount", "last_headcount",
        "training_hours",
    }),
    "ledger": frozenset({
        "ledger_rows", "ghg_kg", "energy", "renewable_energy", "waste", "waste_diverted",
        "community_investment", "procurement", "local_procurement", "privacy_complaints",
    }),
}  # fmt: skip
# The groups a FactSource computes (rows that grow with orders and customers).
LARGE_GROUPS = ("orders", "customers", "surveys", "tickets", "messages")
_GROUP_OF = {fact: group for group, facts in FACT_GROUPS.items() for fact in facts}


def groups_for(metrics: Iterable[Metric]) -> set[str]:
    """The fact groups these metrics are finished from."""
    return {_GROUP_OF[f] for m in metrics for f in (m.numerator, m.denominator, m.n) if f is not None}


def _window(lf: pl.LazyFrame, ts: str, periods: Periods) -> pl.LazyFrame:
    """Rows whose timestamp lies in the periods (local dates in the periods'
    zone), with their `period_start`."""
    lf = lf.filter(
        (pl.col(ts) >= periods.instant(periods.start)) & (pl.col(ts) < periods.instant(periods.range_end))
    )
    if periods.grain is None:
        bucket = pl.lit(periods.start, dtype=pl.Date)
    elif periods.cal == "iso":
        every = "1w" if periods.grain == "week" else "1mo"
        bucket = local_date(pl.col(ts), periods.zone).dt.truncate(every)
    else:  # another calendar's weeks (Sunday to Saturday) or fiscal months: the grid's own starts
        starts = pl.lit(pl.Series(periods.starts(), dtype=pl.Date))
        index = starts.search_sorted(local_date(pl.col(ts), periods.zone), side="right") - 1
        bucket = starts.gather(index)
    return lf.with_columns(period_start=bucket)


def _by_scope(lf: pl.LazyFrame, aggs: Aggs, keys: tuple[str, ...] = ()) -> pl.LazyFrame:
    """Aggregate once for the company (all rows) and once per brand."""
    company = lf.group_by("period_start", *keys).agg(aggs("_c")).with_columns(scope=pl.lit("company"))
    brands = (
        lf.filter(pl.col("brand_id").is_not_null())
        .group_by("period_start", "brand_id", *keys)
        .agg(aggs("_b"))
        .rename({"brand_id": "scope"})
    )
    return pl.concat([company, brands], how="diagonal_relaxed")


def _is_in(column: str, values: Sequence[str | None]) -> pl.Expr:
    """The column holds one of the values (UNKNOWN among them: or is NULL)."""
    listed = pl.col(column).is_in([v for v in values if v is not UNKNOWN])
    return listed | pl.col(column).is_null() if UNKNOWN in values else listed


def _customer_filter(lf: pl.LazyFrame, customers: pl.LazyFrame, filters: Filters) -> pl.LazyFrame:
    """Rows of the customers a region and segment filter keep. A choice
    with UNKNOWN keeps guests and customers not on file: it drops the rows
    of customers whose (known) value it leaves out."""
    for attribute, values in (("region", filters.region), ("segment", filters.segment)):
        if values is None:
            continue
        if UNKNOWN in values:
            left_out = customers.filter(pl.col(attribute).is_not_null() & ~_is_in(attribute, values))
            lf = lf.join(left_out.select("customer_id"), on="customer_id", how="anti")
        else:
            kept = customers.filter(_is_in(attribute, values))
            lf = lf.join(kept.select("customer_id"), on="customer_id", how="semi")
    return lf


# --- orders and customers -------------------------------------------------------


def _order_aggs(suffix: str, zone: str | None = None) -> list[pl.Expr]:
    both_packaging = pl.col("packaging_kg").is_not_null() & pl.col("packaging_recycled_kg").is_not_null()
    promised_delivered = pl.col("promised_delivery_date").is_not_null() & pl.col("delivered_at").is_not_null()
    return [
        pl.len().alias("orders"),
        pl.col("units").sum().alias("units"),
        pl.col("net_revenue").sum().alias("revenue"),
        pl.col("refunded_amount").sum().alias("refunded"),
        pl.col("returned_units").sum().alias("returned_units"),
        pl.col("customer_id").is_not_null().sum().alias("known_orders"),
        (pl.col("donation_amount") > 0).sum().alias("donating_orders"),
        pl.col("donation_amount").sum().alias("donations"),
        promised_delivered.sum().alias("promised_delivered"),
        (promised_delivered & (local_date(pl.col("delivered_at"), zone) <= pl.col("promised_delivery_date")))
        .sum()
        .alias("on_time"),
        pl.col("shipping_co2e_kg").sum().alias("shipping_co2e"),
        pl.col("shipping_co2e_kg").is_not_null().sum().alias("orders_with_co2e"),
        pl.col("packaging_kg").filter(both_packaging).sum().alias("packaging"),
        pl.col("packaging_recycled_kg").filter(both_packaging).sum().alias("packaging_recycled"),
        both_packaging.sum().alias("orders_with_packaging"),
    ]


def order_facts(orders: pl.LazyFrame, zone: str | None = None) -> pl.LazyFrame:
    """On-time compares the local date of delivery with the promised date."""
    return _by_scope(orders, lambda suffix: _order_aggs(suffix, zone))


def customer_facts(orders: pl.LazyFrame, customers: pl.LazyFrame) -> pl.LazyFrame:
    """Facts about distinct customers of known orders in the period."""
    window = pl.duration(days=REPURCHASE_WINDOW_DAYS)

    def per_customer(suffix: str) -> list[pl.Expr]:
        seq, next_at = pl.col(f"seq{suffix}"), pl.col(f"next_at{suffix}")
        first = seq == 1
        return [
            (seq >= 2).sum().alias("returning"),
            seq.max().alias("max_seq"),
            first.any().alias("is_new"),
            (first & next_at.is_not_null() & (next_at <= pl.col("ordered_at") + window))
            .any()
            .alias("repurchased"),
        ]

    known = orders.filter(pl.col("customer_id").is_not_null())
    per = _by_scope(known, per_customer, keys=("customer_id",)).join(
        customers.select("customer_id", "marketing_opt_in"), on="customer_id", how="left"
    )
    return per.group_by(KEYS).agg(
        pl.col("returning").sum().alias("returning_orders"),
        pl.len().alias("active_customers"),
        (pl.col("max_seq") >= 2).sum().alias("repeat_customers"),
        pl.col("is_new").sum().alias("new_customers"),
        pl.col("repurchased").sum().alias("repurchased_90d"),
        pl.col("marketing_opt_in").fill_null(False).sum().alias("opted_in_customers"),
    )


# --- surveys, tickets, messages --------------------------------------------------


def _promoters(col: str) -> pl.Expr:
    return (pl.col(col) >= 9).sum()


def _detractors(col: str) -> pl.Expr:
    return (pl.col(col) <= 6).sum()


def survey_facts(surveys: pl.LazyFrame) -> pl.LazyFrame:
    def aggs(_: str) -> list[pl.Expr]:
        return [
            (pl.col("purpose_achieved") == True).sum().alias("purpose_achieved"),  # noqa: E712
            pl.col("purpose_achieved").is_not_null().sum().alias("purpose_answers"),
            (pl.col("csat_score") >= 4).sum().alias("csat_satisfied"),
            pl.col("csat_score").is_not_null().sum().alias("csat_answers"),
            pl.col("effort_score").cast(pl.Float64).sum().alias("effort_sum"),
            pl.col("effort_score").is_not_null().sum().alias("effort_answers"),
            _promoters("nps_score").alias("nps_promoters"),
            _detractors("nps_score").alias("nps_detractors"),
            pl.col("nps_score").is_not_null().sum().alias("nps_answers"),
        ]

    return _by_scope(surveys, aggs)


def ticket_facts(tickets: pl.LazyFrame) -> pl.LazyFrame:
    resolved = pl.col("resolved_at").is_not_null()
    return _by_scope(
        tickets,
        lambda _: [
            resolved.sum().alias("tickets_resolved"),
            (resolved & (pl.col("contacts") == 1)).sum().alias("tickets_one_contact"),
        ],
    )


def message_facts(messages: pl.LazyFrame) -> pl.LazyFrame:
    return _by_scope(
        messages,
        lambda _: [
            pl.len().alias("messages"),
            pl.col("clicked_at").is_not_null().sum().alias("messages_clicked"),
            pl.col("unsubscribed_at").is_not_null().sum().alias("messages_unsubscribed"),
        ],
    )


def employee_facts(responses: pl.LazyFrame) -> pl.LazyFrame:
    return _by_scope(
        responses,
        lambda _: [
            _promoters("enps_score").alias("enps_promoters"),
            _detractors("enps_score").alias("enps_detractors"),
            pl.col("enps_score").is_not_null().sum().alias("enps_answers"),
            pl.col("engagement_score").sum().alias("engagement_sum"),
            pl.col("engagement_score").is_not_null().sum().alias("engagement_answers"),
            (pl.col("purpose_alignment") >= 4).sum().alias("aligned"),
            pl.col("purpose_alignment").is_not_null().sum().alias("alignment_answers"),
        ],
    )


# --- monthly tables ----------------------------------------------------------------


def _monthly_window(lf: pl.LazyFrame, periods: Periods) -> pl.LazyFrame:
    """Rows whose whole month lies in a period (none for weeks)."""
    if periods.grain == "week":
        return lf.filter(pl.lit(False)).with_columns(row_month=pl.col("period_start"))
    month_end = pl.col("period_start").dt.offset_by("1mo")
    if periods.grain is None:
        return lf.filter((pl.col("period_start") >= periods.start) & (month_end <= periods.end)).with_columns(
            row_month=pl.col("period_start"), period_start=pl.lit(periods.start, dtype=pl.Date)
        )
    return lf.filter(
        (pl.col("period_start") >= periods.start) & (month_end <= periods.range_end)
    ).with_columns(row_month=pl.col("period_start").dt.truncate("1mo"))


def workforce_facts(workforce: pl.LazyFrame) -> pl.LazyFrame:
    month = pl.col("row_month")
    last = month == month.max()
    return _by_scope(
        workforce,
        lambda _: [
            pl.len().alias("workforce_rows"),
            pl.col("voluntary_leavers").sum().alias("voluntary_leavers"),
            (pl.col("voluntary_leavers") + pl.col("involuntary_leavers")).sum().alias("leavers"),
            (((pl.col("headcount_start") + pl.col("headcount_end")) / 2).sum() / month.n_unique()).alias(
                "average_headcount"
            ),
            pl.col("headcount_end").filter(last).sum().alias("last_headcount"),
            pl.col("training_hours").sum().alias("training_hours"),
        ],
    )


def ledger_facts(ledger: pl.LazyFrame) -> pl.LazyFrame:
    return _by_scope(
        ledger,
        lambda _: [
            pl.len().alias("ledger_rows"),
            (1000 * (pl.col("scope1_tco2e") + pl.col("scope2_tco2e") + pl.col("scope3_tco2e")))
            .sum()
            .alias("ghg_kg"),
            pl.col("energy_kwh").sum().alias("energy"),
            pl.col("renewable_energy_kwh").sum().alias("renewable_energy"),
            pl.col("waste_kg").sum().alias("waste"),
            pl.col("waste_diverted_kg").sum().alias("waste_diverted"),
            pl.col("community_investment").sum().alias("community_investment"),
            pl.col("procurement_spend").sum().alias("procurement"),
            pl.col("local_procurement_spend").sum().alias("local_procurement"),
            pl.col("privacy_complaints").sum().alias("privacy_complaints"),
        ],
    )


MONTHLY_FACTS = {
    "workforce_rows",
    "voluntary_leavers",
    "leavers",
    "average_headcount",
    "last_headcount",
    "training_hours",
    "ledger_rows",
    "ghg_kg",
    "energy",
    "renewable_energy",
    "waste",
    "waste_diverted",
    "community_investment",
    "procurement",
    "local_procurement",
    "privacy_complaints",
}
ROW_COUNTS = {"workforce_rows", "ledger_rows"}


def grid(periods: Periods, scopes: list[str]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "scope": [s for s in scopes for _ in periods.starts()],
            "period_start": [p for _ in scopes for p in periods.starts()],
        },
        schema={"scope": pl.String, "period_start": pl.Date},
    )


class Tables(Protocol):
    """Frames of the large tables (what the memory source holds)."""

    def table(self, name: str) -> pl.LazyFrame: ...

    def order_history(self) -> pl.DataFrame: ...


def large_facts(
    data: Tables, periods: Periods, filters: Filters, groups: Iterable[str]
) -> list[pl.LazyFrame]:
    """The facts of the large tables from frames in memory (what the memory
    source computes): one part per group asked for."""
    groups = set(groups)
    customers = data.table("customers")
    parts = []
    if groups & {"orders", "customers"}:
        orders = _window(data.order_history().lazy(), "ordered_at", periods)
        if filters.channel is not None:
            orders = orders.filter(pl.col("channel").is_in(list(filters.channel)))
        orders = _customer_filter(orders, customers, filters)
        if "orders" in groups:
            parts.append(order_facts(orders, periods.zone))
        if "customers" in groups:
            parts.append(customer_facts(orders, customers))
    if "surveys" in groups:
        surveys = _window(data.table("customer_surveys"), "submitted_at", periods)
        if filters.customer_purpose is not None:
            surveys = surveys.filter(_is_in("customer_purpose", filters.customer_purpose))
        parts.append(survey_facts(_customer_filter(surveys, customers, filters)))
    if "tickets" in groups:
        tickets = _window(data.table("support_tickets"), "opened_at", periods)
        parts.append(ticket_facts(_customer_filter(tickets, customers, filters)))
    if "messages" in groups:
        messages = _window(data.table("marketing_messages"), "sent_at", periods)
        parts.append(message_facts(_customer_filter(messages, customers, filters)))
    return parts


def small_facts(data: Dataset, periods: Periods, groups: Iterable[str]) -> list[pl.LazyFrame]:
    """The facts of the small tables every Dataset holds as frames."""
    groups = set(groups)
    parts = []
    if "employees" in groups:
        parts.append(employee_facts(_window(data["employee_surveys"], "submitted_at", periods)))
    if "workforce" in groups:
        parts.append(workforce_facts(_monthly_window(data["workforce"], periods)))
    if "ledger" in groups:
        parts.append(ledger_facts(_monthly_window(data["impact_ledger"], periods)))
    return parts


def compute_facts(
    data: Dataset,
    periods: Periods,
    scopes: list[str],
    filters: Filters = Filters(),
    metrics: Sequence[Metric] | None = None,
) -> pl.DataFrame:
    """The facts the metrics need (all when None) for every scope × period
    of the grid. Grain: one row per (scope, period_start)."""
    from .. import catalog

    groups = groups_for(metrics if metrics is not None else catalog.METRICS)
    large = sorted(groups & set(LARGE_GROUPS))
    parts = data.source.facts(periods, filters, large) if large else []
    return assemble([*parts, *small_facts(data, periods, groups)], periods, scopes)


def assemble(parts: list[pl.LazyFrame], periods: Periods, scopes: list[str]) -> pl.DataFrame:
    """Join fact parts (each keyed by scope, period_start) onto the full grid:
    every scope × period gets a row, counts and sums 0 when nothing qualified."""
    out = grid(periods, scopes)
    for part in parts:
        out = out.join(part, on=KEYS, how="left")
    names = set(out.collect_schema().names())
    counts = [c for c in names if c not in KEYS and c not in MONTHLY_FACTS]
    # Parts may be a subset (pushdown runs only the queries its metrics need):
    # derive what their columns allow.
    derived = {
        "net_revenue": pl.col("revenue") - pl.col("refunded"),
        "nps_net": pl.col("nps_promoters").cast(pl.Int64) - pl.col("nps_detractors"),
        "enps_net": pl.col("enps_promoters").cast(pl.Int64) - pl.col("enps_detractors"),
    }
    needs = {"net_revenue": "revenue", "nps_net": "nps_promoters", "enps_net": "enps_promoters"}
    out = out.with_columns(
        [pl.col(c).fill_null(0) for c in counts] + [pl.col(c).fill_null(0) for c in ROW_COUNTS & names]
    ).with_columns(
        *[expr.alias(name) for name, expr in derived.items() if needs[name] in names],
        period_end=_period_end(periods),
    )
    return out.collect()


def _period_end(periods: Periods) -> pl.Expr:
    if periods.grain is None:
        return pl.lit(periods.end, dtype=pl.Date)
    return pl.col("period_start").dt.offset_by("1w" if periods.grain == "week" else "1mo")
