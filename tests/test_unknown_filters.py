"""'Select all' is 'All' (issue 19): region, segment and customer purpose
offer "Unknown / guest" (Filters' UNKNOWN), which keeps the rows with no
value, so every value selected gives the numbers of no filter, in every mode
on every backend. Expectations are sums over the worked example's CSV files,
made here with plain Polars, never with the engine.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import dataset, kpis, order
from compare import kpi_mismatches

from purpose_metrics import reading, sqltext, views
from purpose_metrics.metrics import UNKNOWN, Filters, kpi_frame
from purpose_metrics.periods import Periods

QUARTER = Periods(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
START, END = dt.datetime(2025, 10, 1), dt.datetime(2026, 1, 1)
ORDER_METRICS = ["net_revenue", "orders", "active_customers"]
BRANDS = ["alpine", "hearth", "stride", "tiny"]


# --- by hand -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw(example_dir) -> dict[str, pl.DataFrame]:
    folder = example_dir / "data"
    customers = pl.read_csv(folder / "customers.csv")
    orders = pl.read_csv(folder / "orders.csv", try_parse_dates=True).filter(
        (pl.col("status") == "completed") & (pl.col("ordered_at") >= START) & (pl.col("ordered_at") < END)
    )
    surveys = pl.read_csv(folder / "customer_surveys.csv", try_parse_dates=True).filter(
        (pl.col("submitted_at") >= START) & (pl.col("submitted_at") < END)
    )
    return {"customers": customers, "orders": orders, "surveys": surveys}


def order_sums(orders: pl.DataFrame) -> dict[tuple[str, str], float]:
    """{(metric, scope): value} of net revenue, orders and active customers."""
    out = {}
    for scope in ["company", *BRANDS]:
        rows = orders if scope == "company" else orders.filter(pl.col("brand_id") == scope)
        out[("net_revenue", scope)] = float((rows["net_revenue"] - rows["refunded_amount"]).sum())
        out[("orders", scope)] = float(rows.height)
        out[("active_customers", scope)] = float(rows["customer_id"].drop_nulls().n_unique())
    return out


def unknown_orders(raw: dict[str, pl.DataFrame], attribute: str) -> pl.DataFrame:
    """Guest orders and orders of customers with no `attribute` (none are
    of a customer not on file: the importer checks the references)."""
    with_attribute = raw["orders"].join(
        raw["customers"].select("customer_id", attribute), on="customer_id", how="left"
    )
    return with_attribute.filter(pl.col(attribute).is_null())


def got(frame: pl.DataFrame, metric_ids: list[str]) -> dict[tuple[str, str], float]:
    rows = frame.filter(pl.col("metric_id").is_in(metric_ids))
    return {(r["metric_id"], r["scope"]): r["value"] for r in rows.iter_rows(named=True)}


def close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) <= 1e-9 * abs(b[k]) + 1e-9 for k in a)


def test_the_worked_example_has_rows_with_no_value_for_each_filter(raw):
    """Otherwise the tests below would not tell 'every known value' from 'all'."""
    assert raw["orders"]["customer_id"].is_null().sum() > 0  # guests
    assert unknown_orders(raw, "segment")["customer_id"].drop_nulls().n_unique() > 0
    assert raw["surveys"]["customer_purpose"].is_null().sum() > 0


# --- every mode, every backend ------------------------------------------------------------


def test_every_value_selected_is_no_filter_and_unknown_is_the_rows_with_none(example_engine, raw):
    hand = order_sums(raw["orders"])
    for mode in ("memory", "pushdown", "store"):
        data = reading.load_dataset(example_engine, mode=mode)
        options = views.filter_options(data)
        assert options["region"] == ["east", "north", "south", UNKNOWN]
        assert options["segment"] == ["loyal", "new", "value", UNKNOWN]
        assert options["customer_purpose"][-1] is UNKNOWN
        everything = kpi_frame(data, QUARTER)
        assert close(got(everything, ORDER_METRICS), hand), mode
        for name in ("region", "segment", "customer_purpose"):
            # Every value selected, Unknown / guest included: every metric as with no filter.
            all_chosen = kpi_frame(data, QUARTER, filters=Filters(**{name: tuple(options[name])}))
            assert kpi_mismatches(everything, all_chosen) == [], (mode, name)
            # Every known value but not Unknown / guest: less (the bug, now a choice).
            known = Filters(**{name: tuple(v for v in options[name] if v is not UNKNOWN)})
            assert kpi_mismatches(everything, kpi_frame(data, QUARTER, filters=known)) != [], (mode, name)
        for name in ("region", "segment"):
            only = kpi_frame(data, QUARTER, metric_ids=ORDER_METRICS, filters=Filters(**{name: (UNKNOWN,)}))
            assert close(got(only, ORDER_METRICS), order_sums(unknown_orders(raw, name))), (mode, name)
        # Customer purpose reaches customer surveys only: the responses stating none.
        only = kpi_frame(
            data, QUARTER, metric_ids=["nps", *ORDER_METRICS], filters=Filters(customer_purpose=(UNKNOWN,))
        )
        assert close(got(only, ORDER_METRICS), hand), mode
        none_stated = raw["surveys"].filter(
            pl.col("customer_purpose").is_null() & pl.col("nps_score").is_not_null()
        )
        nps = only.filter((pl.col("metric_id") == "nps") & (pl.col("scope") == "company")).row(0, named=True)
        assert nps["n"] == none_stated.height, mode
        scores = none_stated["nps_score"]
        expected = 100 * ((scores >= 9).sum() - (scores <= 6).sum()) / scores.len()
        assert nps["value"] == pytest.approx(expected), mode


# --- customers not on file, and the pieces -------------------------------------------------


def _unfiled():
    """Customer 1 in the north, 2 with no region, 3 not on file, and a guest."""
    customers = [
        {"customer_id": 1, "region": "north", "segment": "family"},
        {"customer_id": 2, "region": None, "segment": "family"},
    ]
    orders = [
        order(1, 1, "a", "2026-03-03 10:00", net_revenue=10.0),
        order(2, 2, "a", "2026-03-03 11:00", net_revenue=20.0),
        order(3, 3, "a", "2026-03-03 12:00", net_revenue=40.0),
        order(4, None, "a", "2026-03-03 13:00", net_revenue=80.0),
    ]
    return dataset(customers=customers, orders=orders)


@pytest.mark.parametrize(
    "region, revenue, customers",
    [
        (None, 150.0, 3),  # no filter
        (("north", UNKNOWN), 150.0, 3),  # every value
        (("north",), 10.0, 1),
        ((UNKNOWN,), 140.0, 2),  # no region, not on file, the guest
        ((), 0.0, 0),  # nothing chosen keeps nothing
    ],
)
def test_unknown_keeps_guests_customers_not_on_file_and_those_without_a_region(region, revenue, customers):
    out = kpis(_unfiled(), "2026-03-02", "2026-03-09", filters=Filters(region=region))
    assert out[("net_revenue", "company")]["value"] == revenue
    assert out[("active_customers", "company")]["value"] == customers


def test_in_list_reads_unknown_as_is_null():
    params: dict = {}
    assert sqltext.in_list("region", "r", ["north", None], params) == "(region IS NULL OR region IN (:r0))"
    assert params == {"r0": "north"}
    assert sqltext.in_list("region", "u", [None], {}) == "region IS NULL"
    assert sqltext.in_list("region", "n", [], {}) == "1 = 0"


def test_describe_names_unknown_as_it_reads():
    assert Filters(region=("north", UNKNOWN)).describe() == "region: north, Unknown / guest"
