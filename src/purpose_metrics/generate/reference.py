"""The small tables the story states outright: company, brands, targets
and initiatives."""

from __future__ import annotations

import polars as pl

from ..contract import TABLES
from .calendar import Calendar
from .story import BRAND_ROWS, BRANDS, COMPANY, INITIATIVES, TARGETS


def company() -> pl.DataFrame:
    return pl.DataFrame([COMPANY], schema=TABLES["company"].polars_schema)


def brands() -> pl.DataFrame:
    rows = [{"brand_id": b, "name": n, "purpose_statement": p} for b, n, p in BRAND_ROWS]
    return pl.DataFrame(rows, schema=TABLES["brands"].polars_schema)


def targets(cal: Calendar) -> pl.DataFrame:
    """Every target of TARGETS for the company and each brand, in the
    calendar's two target years (the second open-ended)."""
    rows = []
    for metric, years in TARGETS.items():
        for (valid_from, valid_to), values in zip(cal.target_windows, years, strict=True):
            for scope, value in zip((None, *BRANDS), values, strict=True):
                rows.append(
                    {"metric_id": metric, "brand_id": scope, "valid_from": valid_from,
                     "valid_to": valid_to, "target_value": float(value)}
                )  # fmt: skip
    return pl.DataFrame(rows, schema=TABLES["targets"].polars_schema)


def initiatives(cal: Calendar) -> pl.DataFrame:
    rows = [
        {
            "initiative_id": i + 1,
            "brand_id": None if b is None else BRANDS[b],
            "name": name,
            "launched_at": cal.launch[name],
            "metric_id": metric,
            "expected_change": change,
        }
        for i, (b, name, _, metric, change) in enumerate(INITIATIVES)
    ]
    return pl.DataFrame(rows, schema=TABLES["initiatives"].polars_schema)
