"""Tiny hand-built fixtures for the metric engine tests.

Every frame is built with exactly the dtypes of the contract
(`TABLES[name].polars_schema`); columns a test does not mention get a
neutral default. Expected numbers are always worked out by hand in the tests,
never taken from the code under test; the two interval formulas below are the
spec's own (section 2), written independently of the engine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import polars as pl

from purpose_metrics.contract import TABLES
from purpose_metrics.metrics import Dataset, Filters, kpi_frame
from purpose_metrics.periods import Periods

Z = 1.959964

# Section 4, in its order (the contract of the CLI's row order).
SECTION4_ORDER = [
    "orders",
    "net_revenue",
    "active_customers",
    "new_customers",
    "aov",
    "aur",
    "purchase_frequency",
    "repeat_customer_rate",
    "returning_order_share",
    "repurchase_90d",
    "return_rate",
    "refund_rate",
    "purpose_achieved_rate",
    "on_time_delivery_rate",
    "first_contact_resolution",
    "csat",
    "customer_effort",
    "message_click_rate",
    "unsubscribe_rate",
    "marketing_opt_in_rate",
    "nps",
    "cause_participation_rate",
    "customer_donations",
    "enps",
    "engagement_index",
    "purpose_alignment",
    "voluntary_turnover_rate",
    "turnover_rate",
    "training_hours_per_employee",
    "ghg_intensity",
    "delivery_co2e_per_order",
    "recycled_packaging_share",
    "waste_diversion_rate",
    "renewable_energy_share",
    "energy_intensity",
    "community_investment_share",
    "local_procurement_share",
    "privacy_complaints",
]


def ts(text: str) -> dt.datetime:
    """'2026-03-02 10:00' or '2026-03-02 10:00:05' -> datetime."""
    return dt.datetime.fromisoformat(text)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _coerce(value, dtype):
    if isinstance(value, str) and dtype == pl.Datetime("us"):
        return ts(value)
    if isinstance(value, str) and dtype == pl.Date():
        return day(value)
    return value


DEFAULTS: dict[str, dict] = {
    # An optional column: NULL (the iso calendar) unless a test sets it.
    "company": {"timezone": None, "calendar": None},
    "brands": {"name": "Brand", "purpose_statement": None},
    "customers": {
        "created_at": ts("2024-01-01 00:00"),
        "segment": None,
        "region": None,
        "marketing_opt_in": False,
    },
    "orders": {
        "customer_id": None,
        "brand_id": "a",
        "channel": "web",
        "status": "completed",
        "units": 1,
        "net_revenue": 10.0,
        "returned_units": 0,
        "refunded_amount": 0.0,
        "promised_delivery_date": None,
        "delivered_at": None,
        "shipping_co2e_kg": None,
        "packaging_kg": None,
        "packaging_recycled_kg": None,
        "donation_amount": 0.0,
        "cause": None,
    },
    "customer_surveys": {
        "customer_id": None,
        "brand_id": "a",
        "order_id": None,
        "nps_score": None,
        "csat_score": None,
        "effort_score": None,
        "customer_purpose": None,
        "purpose_achieved": None,
        "comment": None,
    },
    "support_tickets": {
        "customer_id": None,
        "brand_id": "a",
        "order_id": None,
        "resolved_at": None,
        "contacts": 1,
    },
    "marketing_messages": {"brand_id": "a", "opened_at": None, "clicked_at": None, "unsubscribed_at": None},
    "employee_surveys": {
        "brand_id": None,
        "team": "ops",
        "enps_score": None,
        "engagement_score": None,
        "purpose_alignment": None,
    },
    "workforce": {
        "brand_id": None,
        "team": "ops",
        "headcount_start": 0,
        "headcount_end": 0,
        "hires": 0,
        "voluntary_leavers": 0,
        "involuntary_leavers": 0,
        "training_hours": 0.0,
    },
    "impact_ledger": {
        "brand_id": None,
        "scope1_tco2e": 0.0,
        "scope2_tco2e": 0.0,
        "scope3_tco2e": 0.0,
        "energy_kwh": 0.0,
        "renewable_energy_kwh": 0.0,
        "waste_kg": 0.0,
        "waste_diverted_kg": 0.0,
        "community_investment": 0.0,
        "procurement_spend": 0.0,
        "local_procurement_spend": 0.0,
        "privacy_complaints": 0,
    },
    "targets": {"brand_id": None, "valid_to": None},
}


def frame(table: str, rows: Iterable[dict]) -> pl.DataFrame:
    """A frame of `table` with the contract's dtypes; unspecified columns take DEFAULTS."""
    schema = TABLES[table].polars_schema
    defaults = DEFAULTS.get(table, {})
    data: dict[str, list] = {c: [] for c in schema}
    for row in rows:
        unknown = set(row) - set(schema)
        assert not unknown, f"{table} has no column(s) {unknown}"
        for col, dtype in schema.items():
            if col in row:
                data[col].append(_coerce(row[col], dtype))
            else:
                assert col in defaults, f"{table}.{col} needs a value"
                data[col].append(defaults[col])
    return pl.DataFrame(data, schema=schema)


def order(order_id: int, customer_id: int | None, brand_id: str, ordered_at: str, **kw) -> dict:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "brand_id": brand_id,
        "ordered_at": ordered_at,
        **kw,
    }


def dataset(
    brands: Iterable[str] = ("a", "b"),
    orders: Iterable[dict] = (),
    customers: Iterable[dict] | None = None,
    **tables: Iterable[dict],
) -> Dataset:
    """A Dataset from row dicts. Customers default to every customer_id of the
    orders (not opted in, no segment, no region)."""
    orders = list(orders)
    if customers is None:
        ids = sorted({o["customer_id"] for o in orders if o.get("customer_id") is not None})
        customers = [{"customer_id": i} for i in ids]
    frames = {
        "brands": frame("brands", [{"brand_id": b} for b in brands]),
        "customers": frame("customers", customers),
        "orders": frame("orders", orders),
    }
    for name, rows in tables.items():
        frames[name] = frame(name, rows)
    return Dataset.from_frames(frames)


def kpis(
    data: Dataset,
    start: str,
    end: str,
    grain: str | None = None,
    filters: Filters = Filters(),
    metric_ids=None,
) -> dict[tuple[str, str], dict]:
    """kpi_frame as {(metric_id, scope): row} for one period."""
    frame_ = kpi_frame(data, Periods(day(start), day(end), grain), metric_ids=metric_ids, filters=filters)
    out = {}
    for row in frame_.iter_rows(named=True):
        key = (row["metric_id"], row["scope"])
        assert key not in out, "one period only: use kpi_frame directly for grids"
        out[key] = row
    return out


def wilson(num: float, den: float) -> tuple[float, float]:
    """95 % Wilson score interval of num/den in percent, written from the textbook formula."""
    p = num / den
    z2 = Z * Z
    centre = (p + z2 / (2 * den)) / (1 + z2 / den)
    half = (Z / (1 + z2 / den)) * math.sqrt(p * (1 - p) / den + z2 / (4 * den * den))
    return 100 * (centre - half), 100 * (centre + half)


def nps_interval(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    p, d = promoters / n, detractors / n
    value = 100 * (p - d)
    half = Z * 100 * math.sqrt((p + d - (p - d) ** 2) / n)
    return max(-100.0, value - half), min(100.0, value + half)


def assert_hidden(row: dict) -> None:
    """value, numerator, denominator and interval all NULL."""
    assert (row["value"], row["numerator"], row["denominator"], row["ci_low"], row["ci_high"]) == (
        None,
        None,
        None,
        None,
        None,
    )
