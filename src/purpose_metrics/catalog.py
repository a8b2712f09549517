"""Every metric declared once (docs/metrics.md is rendered from this file).

The engine, the CLI, the dashboard's cards and tooltips, the exports and the
definitions page all read this catalog. Adding a metric means one entry here
and its facts in `metrics/facts.py`.

Each metric is computed from *facts*: named per (scope, period) aggregates
such as `orders` or `nps_promoters` (see `metrics/facts.py`). An entry names
the facts its numerator, denominator and `n` come from and how the value
follows from them (`kind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .constants import CUSTOMER_SURVEY_MIN, EMPLOYEE_SURVEY_MIN

Pillar = Literal["Loyalty", "Customer purpose", "Engagement and cause", "People", "Impact"]
Kind = Literal["count", "sum", "ratio", "percent", "mean", "index", "nps"]
# count/sum: value = numerator; ratio/mean: num ÷ den; percent: 100 × num ÷ den;
# index: 100 × (num ÷ den − 1) ÷ 4 (engagement); nps: 100 × (promoters − detractors) ÷ n.
Interval = Literal["wilson", "nps"] | None
Source = Literal["orders", "customers", "surveys", "tickets", "messages", "employees", "workforce", "ledger"]


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    pillar: Pillar
    unit: str  # what the number is in, for people: "%", "orders", "kg CO2e / order" ...
    fmt: str  # how to format: "int", "currency", "pct", "points", "float1", "float2"
    direction: Literal["up", "down"]
    definition: str
    kind: Kind
    numerator: str  # a fact, or an expression of facts in metrics/facts.py
    denominator: str | None
    n: str  # the fact counting the population
    population: str  # what `n` counts, for people
    source: Source
    interval: Interval = None
    survey_min: int | None = None
    gri: str | None = None
    sdg: str | None = None
    # Whether numerator / denominator are counts (printed as integers).
    numerator_is_count: bool = False
    denominator_is_count: bool = False

    @property
    def is_percent(self) -> bool:
        return self.kind == "percent"

    @property
    def monthly(self) -> bool:
        """Computed from monthly tables: no value for a week."""
        return self.source in ("workforce", "ledger")


_O, _AC, _KO, _FC = "orders", "active customers", "known orders", "first-order customers"


def _m(*args, **kw) -> Metric:
    return Metric(*args, **kw)


# One metric per call, its arguments in catalog order: a table to read down.
# fmt: off
METRICS: tuple[Metric, ...] = (
    # --- Loyalty -------------------------------------------------------------
    _m("orders", "Orders", "Loyalty", "orders", "int", "up",
       "Completed orders placed in the period.",
       "count", "orders", None, "orders", _O, "orders", numerator_is_count=True),
    _m("net_revenue", "Net revenue", "Loyalty", "currency", "currency", "up",
       "Net revenue of completed orders minus refunds.",
       "sum", "net_revenue", None, "orders", _O, "orders"),
    _m("active_customers", "Active customers", "Loyalty", "customers", "int", "up",
       "Distinct customers with a completed order in the period (guests excluded).",
       "count", "active_customers", None, "active_customers", _AC, "customers",
       numerator_is_count=True),
    _m("new_customers", "New customers", "Loyalty", "customers", "int", "up",
       "Customers whose first completed order (in scope) falls in the period.",
       "count", "new_customers", None, "new_customers", _FC, "customers",
       numerator_is_count=True),
    _m("aov", "Average order value", "Loyalty", "currency", "currency", "up",
       "Net revenue before refunds per completed order.",
       "ratio", "revenue", "orders", "orders", _O, "orders", denominator_is_count=True),
    _m("aur", "Average unit retail", "Loyalty", "currency", "currency", "up",
       "Net revenue before refunds per unit sold.",
       "ratio", "revenue", "units", "orders", _O, "orders", denominator_is_count=True),
    _m("purchase_frequency", "Purchase frequency", "Loyalty", "orders / customer", "float2", "up",
       "Orders of known customers per active customer.",
       "ratio", "known_orders", "active_customers", "active_customers", _AC, "customers",
       numerator_is_count=True, denominator_is_count=True),
    _m("repeat_customer_rate", "Repeat customer rate", "Loyalty", "%", "pct", "up",
       "Share of active customers with at least two completed orders (in scope) by the period's end.",
       "percent", "repeat_customers", "active_customers", "active_customers", _AC, "customers",
       interval="wilson", numerator_is_count=True, denominator_is_count=True),
    _m("returning_order_share", "Returning-order share", "Loyalty", "%", "pct", "up",
       "Share of known customers' orders placed by someone who had ordered before (in scope).",
       "percent", "returning_orders", "known_orders", "known_orders", _KO, "orders",
       interval="wilson", numerator_is_count=True, denominator_is_count=True),
    _m("repurchase_90d", "90-day repurchase", "Loyalty", "%", "pct", "up",
       "Share of the period's new customers whose second order came within 90 days of their first.",
       "percent", "repurchased_90d", "new_customers", "new_customers", _FC, "customers",
       interval="wilson", numerator_is_count=True, denominator_is_count=True),
    _m("return_rate", "Return rate", "Loyalty", "%", "pct", "down",
       "Returned units as a share of units sold.",
       "percent", "returned_units", "units", "orders", _O, "orders",
       numerator_is_count=True, denominator_is_count=True),
    _m("refund_rate", "Refund rate", "Loyalty", "%", "pct", "down",
       "Refunded amount as a share of net revenue before refunds.",
       "percent", "refunded", "revenue", "orders", _O, "orders"),
    # --- Customer purpose ----------------------------------------------------
    _m("purpose_achieved_rate", "Purpose achieved", "Customer purpose", "%", "pct", "up",
       "Share of surveyed customers who say we helped them do what they came for.",
       "percent", "purpose_achieved", "purpose_answers", "purpose_answers",
       "survey responses answering the item", "surveys", interval="wilson",
       survey_min=CUSTOMER_SURVEY_MIN, numerator_is_count=True, denominator_is_count=True),
    _m("on_time_delivery_rate", "On-time delivery", "Customer purpose", "%", "pct", "up",
       "Share of delivered orders with a promise that arrived on or before the promised date.",
       "percent", "on_time", "promised_delivered", "promised_delivered",
       "orders with a promise and a delivery", "orders", interval="wilson",
       numerator_is_count=True, denominator_is_count=True),
    _m("first_contact_resolution", "First-contact resolution", "Customer purpose", "%", "pct", "up",
       "Share of resolved tickets opened in the period that took a single contact.",
       "percent", "tickets_one_contact", "tickets_resolved", "tickets_resolved",
       "resolved tickets opened in the period", "tickets", interval="wilson",
       numerator_is_count=True, denominator_is_count=True),
    _m("csat", "CSAT", "Customer purpose", "%", "pct", "up",
       "Share of satisfaction answers that are 4 or 5 out of 5.",
       "percent", "csat_satisfied", "csat_answers", "csat_answers",
       "survey responses answering the item", "surveys", interval="wilson",
       survey_min=CUSTOMER_SURVEY_MIN, numerator_is_count=True, denominator_is_count=True),
    _m("customer_effort", "Customer effort", "Customer purpose", "score 1–7", "float2", "up",
       "Mean answer to 'the company made it easy for me' (1–7, higher is easier).",
       "mean", "effort_sum", "effort_answers", "effort_answers",
       "survey responses answering the item", "surveys",
       survey_min=CUSTOMER_SURVEY_MIN, denominator_is_count=True),
    _m("message_click_rate", "Message click rate", "Customer purpose", "%", "pct", "up",
       "Share of marketing messages sent in the period that were clicked.",
       "percent", "messages_clicked", "messages", "messages", "messages sent in the period",
       "messages", interval="wilson", numerator_is_count=True, denominator_is_count=True),
    _m("unsubscribe_rate", "Unsubscribe rate", "Customer purpose", "%", "pct", "down",
       "Share of marketing messages sent in the period that led to an unsubscribe.",
       "percent", "messages_unsubscribed", "messages", "messages", "messages sent in the period",
       "messages", interval="wilson", numerator_is_count=True, denominator_is_count=True),
    _m("marketing_opt_in_rate", "Marketing opt-in", "Customer purpose", "%", "pct", "up",
       "Share of active customers who opted in to marketing.",
       "percent", "opted_in_customers", "active_customers", "active_customers", _AC, "customers",
       interval="wilson", numerator_is_count=True, denominator_is_count=True),
    # --- Engagement and cause ------------------------------------------------
    _m("nps", "NPS", "Engagement and cause", "points", "points", "up",
       "Promoters (9–10) minus detractors (0–6), in points of all who answered.",
       "nps", "nps_net", "nps_answers", "nps_answers", "survey responses answering the item",
       "surveys", interval="nps", survey_min=CUSTOMER_SURVEY_MIN,
       numerator_is_count=True, denominator_is_count=True),
    _m("cause_participation_rate", "Cause participation", "Engagement and cause", "%", "pct", "up",
       "Share of completed orders with a donation to a cause.",
       "percent", "donating_orders", "orders", "orders", _O, "orders", interval="wilson",
       numerator_is_count=True, denominator_is_count=True),
    _m("customer_donations", "Customer donations", "Engagement and cause", "currency", "currency", "up",
       "Donations customers gave to a cause at checkout.",
       "sum", "donations", None, "orders", _O, "orders"),
    # --- People --------------------------------------------------------------
    _m("enps", "eNPS", "People", "points", "points", "up",
       "Employee promoters minus detractors, in points of all who answered.",
       "nps", "enps_net", "enps_answers", "enps_answers", "survey responses answering the item",
       "employees", interval="nps", survey_min=EMPLOYEE_SURVEY_MIN,
       numerator_is_count=True, denominator_is_count=True),
    _m("engagement_index", "Engagement index", "People", "index 0–100", "float1", "up",
       "Mean engagement score rescaled from 1–5 to 0–100.",
       "index", "engagement_sum", "engagement_answers", "engagement_answers",
       "survey responses answering the item", "employees",
       survey_min=EMPLOYEE_SURVEY_MIN, denominator_is_count=True),
    _m("purpose_alignment", "Purpose alignment", "People", "%", "pct", "up",
       "Share of employees who agree (4–5) they understand how their work serves the purpose.",
       "percent", "aligned", "alignment_answers", "alignment_answers",
       "survey responses answering the item", "employees", interval="wilson",
       survey_min=EMPLOYEE_SURVEY_MIN, gri=None,
       numerator_is_count=True, denominator_is_count=True),
    _m("voluntary_turnover_rate", "Voluntary turnover", "People", "%", "pct", "down",
       "Voluntary leavers over average monthly headcount (SHRM).",
       "percent", "voluntary_leavers", "average_headcount", "workforce_rows",
       "workforce rows in the period", "workforce", numerator_is_count=True),
    _m("turnover_rate", "Turnover", "People", "%", "pct", "down",
       "All leavers over headcount at the end of the last month (GRI 401-1).",
       "percent", "leavers", "last_headcount", "workforce_rows",
       "workforce rows in the period", "workforce", gri="GRI 401-1",
       numerator_is_count=True, denominator_is_count=True),
    _m("training_hours_per_employee", "Training hours per employee", "People", "hours", "float1", "up",
       "Training hours over headcount at the end of the last month (GRI 404-1).",
       "ratio", "training_hours", "last_headcount", "workforce_rows",
       "workforce rows in the period", "workforce", gri="GRI 404-1", denominator_is_count=True),
    # --- Impact --------------------------------------------------------------
    _m("ghg_intensity", "GHG intensity", "Impact", "kg CO2e / order", "float2", "down",
       "Scope 1–3 emissions of the ledger, in kg, per completed order.",
       "ratio", "ghg_kg", "orders", "orders", _O, "ledger", gri="GRI 305-4", sdg="13.2",
       denominator_is_count=True),
    _m("delivery_co2e_per_order", "Delivery CO2e per order", "Impact", "kg CO2e / order", "float2", "down",
       "Shipping emissions per order that reports them.",
       "ratio", "shipping_co2e", "orders_with_co2e", "orders_with_co2e",
       "orders with a shipping_co2e_kg", "orders", gri="GRI 305-3", sdg="13.2",
       denominator_is_count=True),
    _m("recycled_packaging_share", "Recycled packaging", "Impact", "%", "pct", "up",
       "Recycled packaging weight as a share of packaging weight.",
       "percent", "packaging_recycled", "packaging", "orders_with_packaging",
       "orders with both packaging weights", "orders", gri="GRI 301-2", sdg="12.5"),
    _m("waste_diversion_rate", "Waste diversion", "Impact", "%", "pct", "up",
       "Waste diverted from disposal as a share of all waste.",
       "percent", "waste_diverted", "waste", "ledger_rows", "ledger rows in the period",
       "ledger", gri="GRI 306-4", sdg="12.5"),
    _m("renewable_energy_share", "Renewable energy", "Impact", "%", "pct", "up",
       "Renewable energy as a share of energy used.",
       "percent", "renewable_energy", "energy", "ledger_rows", "ledger rows in the period",
       "ledger", gri="GRI 302-1", sdg="7.2"),
    _m("energy_intensity", "Energy intensity", "Impact", "kWh / order", "float2", "down",
       "Energy used per completed order.",
       "ratio", "energy", "orders", "orders", _O, "ledger", gri="GRI 302-3", sdg="7.3",
       denominator_is_count=True),
    _m("community_investment_share", "Community investment", "Impact", "% of net revenue", "pct", "up",
       "Community investment as a share of net revenue (1 % for the Planet pledges 1 %).",
       "percent", "community_investment", "net_revenue", "ledger_rows",
       "ledger rows in the period", "ledger", gri="GRI 201-1", sdg="17.17"),
    _m("local_procurement_share", "Local procurement", "Impact", "%", "pct", "up",
       "Spend with local suppliers as a share of procurement spend.",
       "percent", "local_procurement", "procurement", "ledger_rows",
       "ledger rows in the period", "ledger", gri="GRI 204-1", sdg="12.7"),
    _m("privacy_complaints", "Privacy complaints", "Impact", "complaints", "int", "down",
       "Substantiated complaints about breaches of customer privacy.",
       "count", "privacy_complaints", None, "ledger_rows", "ledger rows in the period",
       "ledger", gri="GRI 418-1", sdg="16.10", numerator_is_count=True),
)
# fmt: on

BY_ID: dict[str, Metric] = {m.id: m for m in METRICS}
METRIC_IDS: tuple[str, ...] = tuple(BY_ID)
PILLARS: tuple[str, ...] = ("Loyalty", "Customer purpose", "Engagement and cause", "People", "Impact")


def get(metric_id: str) -> Metric:
    return BY_ID[metric_id]
