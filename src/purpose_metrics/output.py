"""Printing KPI, driver and cohort frames exactly as the command line promises
(docs/metrics.md#output-columns: columns, order, number formats)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import polars as pl

from . import catalog
from .metrics.engine import KPI_COLUMNS

_INT_COLUMNS = {
    "n", "cohort_size", "customers", "period_index",  # cohorts
    "n_good", "repurchased_good", "n_bad", "repurchased_bad",  # drivers
}  # fmt: skip


def _kpi_int_fields(metric_id: str) -> set[str]:
    m = catalog.get(metric_id)
    out = {"n"}
    if m.kind == "count":
        out |= {"value", "comparable_value", "change"}
    if m.numerator_is_count:
        out.add("numerator")
    if m.denominator_is_count:
        out.add("denominator")
    return out


def _scalar(value: object, as_int: bool) -> object:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if as_int and value.is_integer():
            return int(value)
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def records(df: pl.DataFrame, kind: str) -> list[dict]:
    """Rows as plain Python values: ints where the spec says counts."""
    out = []
    for row in df.iter_rows(named=True):
        ints = _kpi_int_fields(row["metric_id"]) if kind == "kpis" else _INT_COLUMNS
        out.append({k: _scalar(v, k in ints) for k, v in row.items()})
    return out


def _csv_field(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest round-trip form
    text = str(value)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def to_csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    buf.write(",".join(columns) + "\n")
    for row in rows:
        buf.write(",".join(_csv_field(row[c]) for c in columns) + "\n")
    return buf.getvalue()


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=1, allow_nan=False) + "\n"


def render(df: pl.DataFrame, kind: str, fmt: str) -> str:
    columns = list(df.columns)
    if kind == "kpis":  # the contract's columns, then year over year's when asked for
        columns = KPI_COLUMNS + [
            c for c in ("comparable_start", "comparable_end", "comparable_value", "change") if c in df.columns
        ]
    rows = records(df.select(columns), kind)
    return to_json(rows) if fmt == "json" else to_csv(rows, columns)
