"""What-if scenarios (docs/metrics.md#sales-lift)."""

from __future__ import annotations


def sales_lift(customers: float, extra_units_per_customer_per_week: float, aur: float, weeks: float) -> float:
    """Revenue from a small change in buying per customer:
    customers × extra units per customer per week × AUR × weeks."""
    return customers * extra_units_per_customer_per_week * aur * weeks
