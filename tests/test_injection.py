"""Injection strings in every segment filter are inert, on every backend.

The filters reach SQL in pushdown mode (bound parameters) and Polars in
memory. Either way a hostile value must match nothing, raise nothing, and
leave every table as it was.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from purpose_metrics import db, reading
from purpose_metrics.metrics import Filters, kpi_frame
from purpose_metrics.periods import Periods

INJECTIONS = [
    "web'); DROP TABLE orders; --",
    "' OR '1'='1",
    'north"; DELETE FROM customers; --',
    "%' OR 1=1 --",
    "web' UNION SELECT customer_id FROM customers --",
    "x'); UPDATE orders SET net_revenue = 0; --",
]
# Spring 2026: every table of the worked example has rows in it.
PERIOD = Periods(dt.date(2026, 3, 2), dt.date(2026, 6, 1))
# What each filter narrows, and metrics whose n counts those records.
COUNTED = {
    "channel": ["orders"],
    "region": ["orders", "csat", "first_contact_resolution", "message_click_rate"],
    "segment": ["orders", "csat", "first_contact_resolution", "message_click_rate"],
    "customer_purpose": ["purpose_achieved_rate"],
}


@pytest.fixture
def loaded(example_engine):
    return example_engine


def _n(frame: pl.DataFrame, metric_ids: list[str]) -> dict[str, int]:
    rows = frame.filter(pl.col("metric_id").is_in(metric_ids))
    return dict(rows.group_by("metric_id").agg(pl.col("n").sum()).iter_rows())


def test_injection_strings_in_every_filter_match_nothing_and_change_nothing(loaded):
    counts = db.table_counts(loaded)
    ds = reading.load_dataset(loaded, mode="memory")
    others = [reading.load_dataset(loaded, mode=m) for m in ("pushdown", "store")]
    unfiltered = _n(kpi_frame(ds, PERIOD), sorted({m for ms in COUNTED.values() for m in ms}))
    assert all(n > 0 for n in unfiltered.values())  # so the zeros below mean "matched nothing"
    for field, metric_ids in COUNTED.items():
        # Every string at once: each one is a bound value of `field IN (...)`.
        filters = Filters(**{field: tuple(INJECTIONS)})
        zero = dict.fromkeys(metric_ids, 0)
        assert _n(kpi_frame(ds, PERIOD, filters=filters), metric_ids) == zero, field
        for other in others:
            assert _n(kpi_frame(other, PERIOD, filters=filters), metric_ids) == zero, (
                field,
                other.source.name,
            )
    # Next to a real value, an injection string takes nothing away from it.
    web = _n(kpi_frame(ds, PERIOD, filters=Filters(channel=("web",))), ["orders"])
    mixed = Filters(channel=("web", *INJECTIONS))
    assert web["orders"] > 0
    for other in others:
        assert _n(kpi_frame(other, PERIOD, filters=mixed), ["orders"]) == web
    # The tables are intact: the same rows, the same numbers.
    assert db.table_counts(loaded) == counts
    assert _n(kpi_frame(reading.load_dataset(loaded), PERIOD), list(unfiltered)) == unfiltered
