"""The dashboard's page computations (purpose_metrics.views), on hand-built rows.

Every expectation is worked out by hand in the test from the rows it builds.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from purpose_metrics import catalog, views
from purpose_metrics.contract import TABLES
from purpose_metrics.metrics.dataset import UNKNOWN, Dataset, Filters
from purpose_metrics.periods import Periods

D = dt.date
T = dt.datetime

_DEFAULTS = {
    "orders": {
        "customer_id": None, "brand_id": "a", "channel": "web", "status": "completed", "units": 1,
        "net_revenue": 10.0, "returned_units": 0, "refunded_amount": 0.0, "promised_delivery_date": None,
        "delivered_at": None, "shipping_co2e_kg": None, "packaging_kg": None, "packaging_recycled_kg": None,
        "donation_amount": 0.0, "cause": None,
    },
    "workforce": {
        "brand_id": None, "team": "ops", "headcount_start": 10, "headcount_end": 10, "hires": 0,
        "voluntary_leavers": 0, "involuntary_leavers": 0, "training_hours": 0.0,
    },
    "initiatives": {"brand_id": None, "metric_id": None, "expected_change": None},
    "brands": {"purpose_statement": None},
}  # fmt: skip


def rows(table: str, *records: dict) -> pl.DataFrame:
    """A frame with the contract's dtypes; unnamed columns take a neutral default."""
    schema = TABLES[table].polars_schema
    full = [{**{c: None for c in schema}, **_DEFAULTS.get(table, {}), **r} for r in records]
    return pl.DataFrame(full, schema=schema)


def order(order_id: int, at: str, **kw) -> dict:
    return {"order_id": order_id, "ordered_at": T.fromisoformat(at), **kw}


def dataset(**frames: pl.DataFrame) -> Dataset:
    frames.setdefault(
        "brands", rows("brands", {"brand_id": "a", "name": "Alder"}, {"brand_id": "b", "name": "Birch"})
    )
    frames.setdefault(
        "company", pl.DataFrame([{"name": "Co", "purpose_statement": "Big P", "vision": None, "mission": None,
                                  "currency": "EUR"}], schema=TABLES["company"].polars_schema)
    )  # fmt: skip
    return Dataset.from_frames(frames)


# --- weeks -------------------------------------------------------------------------


def test_week_window_takes_the_latest_whole_month_ending_by_the_weeks_end():
    w = views.week_window("2026-W10")  # Monday 2 March – Monday 9 March 2026
    assert (w.week.start, w.week.end) == (D(2026, 3, 2), D(2026, 3, 9))
    assert (w.month.start, w.month.end) == (D(2026, 2, 1), D(2026, 3, 1))
    assert w.weeks.starts()[0] == D(2025, 12, 15) and len(w.weeks.starts()) == 12
    assert w.weeks.starts()[-1] == D(2026, 3, 2)
    assert (w.months.start, w.months.range_end) == (D(2025, 3, 1), D(2026, 3, 1))


def test_week_window_keeps_a_month_that_ends_exactly_with_the_week():
    w = views.week_window("2026-W22")  # 25 May – 1 June 2026: May is whole by the week's end
    assert (w.month.start, w.month.end) == (D(2026, 5, 1), D(2026, 6, 1))


def test_available_weeks_run_from_the_first_order_to_the_latest_complete_week():
    data = dataset(orders=rows("orders", order(1, "2026-02-25 10:00"), order(2, "2026-03-10 12:00")))
    # as-of Tue 10 March 2026: the latest complete week is W10 (2–8 March).
    assert views.available_weeks(data) == ["2026-W10", "2026-W09"]
    assert views.default_week(data) == "2026-W10"


def test_no_orders_means_no_weeks():
    data = dataset()
    assert not views.has_data(data)
    assert views.available_weeks(data) == []


# --- the week's cards ------------------------------------------------------------------


@pytest.fixture(scope="module")
def week_data() -> Dataset:
    orders = rows(
        "orders",
        # W09 (23 Feb – 1 Mar): 2 orders, 10 units, nothing returned.
        order(1, "2026-02-24 10:00", units=5),
        order(2, "2026-02-26 10:00", units=5),
        # W10 (2–8 Mar): 3 orders, 8 units, 1 returned -> 12.5 %.
        order(3, "2026-03-02 09:00", units=2, returned_units=1),
        order(4, "2026-03-04 09:00", units=2),
        order(5, "2026-03-08 23:59", units=4, brand_id="b"),
        order(6, "2026-03-05 09:00", status="cancelled", units=9),
    )
    workforce = rows(
        "workforce",
        {"period_start": D(2026, 1, 1)},
        # February: 1 voluntary leaver over an average headcount of 10 -> 10 %.
        {"period_start": D(2026, 2, 1), "voluntary_leavers": 1},
    )
    return dataset(orders=orders, workforce=workforce)


def card(kpis: pl.DataFrame, scope: str, metric_id: str) -> dict:
    return kpis.filter((pl.col("scope") == scope) & (pl.col("metric_id") == metric_id)).row(0, named=True)


def test_week_kpis_has_one_row_per_scope_and_metric_in_pillar_order(week_data):
    kpis = views.week_kpis(week_data, views.week_window("2026-W10"))
    assert kpis.height == 3 * 38  # company, a, b
    company = kpis.filter(pl.col("scope") == "company")
    assert company["metric_id"].to_list() == list(views.METRIC_ORDER)
    assert company["pillar"].unique(maintain_order=True).to_list() == [
        "Loyalty", "Customer purpose", "People", "Planet and community",
    ]  # fmt: skip


def test_week_kpis_compares_with_the_previous_week(week_data):
    kpis = views.week_kpis(week_data, views.week_window("2026-W10"))
    orders = card(kpis, "company", "orders")
    assert (orders["value"], orders["previous"], orders["change"]) == (3, 2, 1)
    assert orders["trend"] == [0] * 10 + [2, 3]  # counts are 0 in weeks without orders
    assert orders["period_start"] == D(2026, 3, 2) and orders["grain"] == "week"
    returns = card(kpis, "company", "return_rate")
    assert returns["value"] == pytest.approx(12.5)
    assert returns["change"] == pytest.approx(12.5)  # percentage points: 12.5 % − 0 %
    assert returns["trend"][:10] == [None] * 10  # a ratio over no units is NULL
    assert card(kpis, "a", "orders")["value"] == 2  # brand a's W10 orders: 3 and 4


def test_monthly_metrics_show_the_latest_whole_month_against_the_month_before(week_data):
    kpis = views.week_kpis(week_data, views.week_window("2026-W10"))
    turnover = card(kpis, "company", "voluntary_turnover_rate")
    assert turnover["grain"] == "month"
    assert turnover["period_start"] == D(2026, 2, 1)
    assert turnover["value"] == pytest.approx(10.0)
    assert turnover["change"] == pytest.approx(10.0)


# --- needs attention ----------------------------------------------------------------------


def kpi_rows(*records: tuple) -> pl.DataFrame:
    cols = ["scope", "metric_id", "value", "target", "status"]
    frame = pl.DataFrame([dict(zip(cols, r, strict=True)) for r in records], schema={
        "scope": pl.String, "metric_id": pl.String, "value": pl.Float64, "target": pl.Float64, "status": pl.String,
    })  # fmt: skip
    return frame.with_columns(
        direction=pl.col("metric_id").replace_strict({m.id: m.direction for m in catalog.METRICS}),
        fmt=pl.col("metric_id").replace_strict({m.id: m.fmt for m in catalog.METRICS}),
    )


ATTENTION = kpi_rows(
    ("a", "nps", -20.0, 0.0, "red"),  # 20 points short of 0: 20 / 100 (a points scale) = 0.20
    ("a", "returning_order_share", 45.0, 60.0, "red"),  # 15 / 60 = 0.25
    ("b", "return_rate", 7.0, 6.0, "red"),  # lower is better: 1 over / 6 = 0.1667
    ("b", "csat", 79.0, 80.0, "amber"),  # 1 / 80 = 0.0125
    ("b", "orders", 10.0, 5.0, "green"),
    ("b", "aov", 30.0, None, None),
)


def test_a_miss_is_beyond_noise_only_when_the_whole_interval_misses_the_target():
    rows = kpi_rows(
        ("a", "nps", -20.0, 0.0, "red"),  # interval -35 … -5: all below 0 → beyond noise
        ("b", "nps", -20.0, 0.0, "red"),  # interval -45 … 5 reaches 0 → within noise
        ("a", "return_rate", 7.0, 6.0, "red"),  # lower is better; interval 6.5 … 7.5 all above 6 → beyond
        ("b", "return_rate", 7.0, 6.0, "red"),  # interval 5.5 … 8.5 reaches 6 → within
        ("a", "orders", 10.0, 20.0, "red"),  # a count has no interval → no judgement
    ).with_columns(
        ci_low=pl.Series([-35.0, -45.0, 6.5, 5.5, None]),
        ci_high=pl.Series([-5.0, 5.0, 7.5, 8.5, None]),
    )
    out = views.attention(rows).select("scope", "metric_id", "noise")
    assert sorted(out.rows()) == [
        ("a", "nps", "beyond noise"), ("a", "orders", None), ("a", "return_rate", "beyond noise"),
        ("b", "nps", "within noise"), ("b", "return_rate", "within noise"),
    ]  # fmt: skip


def test_attention_lists_red_before_amber_then_the_largest_shortfall_first():
    out = views.attention(ATTENTION)
    assert out.select("scope", "metric_id").rows() == [
        ("a", "returning_order_share"), ("a", "nps"), ("b", "return_rate"), ("b", "csat"),
    ]  # fmt: skip
    assert out["shortfall"].to_list() == [15.0, 20.0, 1.0, 1.0]
    assert out["severity"].to_list() == pytest.approx([0.25, 0.20, 1 / 6, 1 / 80])


def test_attention_keeps_only_the_scopes_asked_for():
    assert views.attention(ATTENTION, ["b"])["metric_id"].to_list() == ["return_rate", "csat"]


def test_scope_summary_counts_statuses_and_names_the_worst():
    out = views.scope_summary(ATTENTION, ["company", "a", "b"])
    assert out.select("scope", "red", "amber", "green", "worst_metric").rows() == [
        ("company", 0, 0, 0, None),
        ("a", 2, 0, 0, "returning_order_share"),
        ("b", 1, 1, 1, "return_rate"),
    ]
    assert views.furthest_below(ATTENTION, ["a", "b"])["metric_id"] == "returning_order_share"
    assert views.furthest_below(ATTENTION, ["company"]) is None


# --- initiatives --------------------------------------------------------------------------


def test_initiatives_show_on_their_brand_the_company_and_company_wide_on_every_brand():
    initiatives = rows(
        "initiatives",
        {"initiative_id": 1, "brand_id": "a", "name": "Repair", "launched_at": D(2026, 3, 1),
         "metric_id": "returning_order_share"},
        {"initiative_id": 2, "name": "Plastic-free", "launched_at": D(2026, 3, 2),
         "metric_id": "recycled_packaging_share"},
        {"initiative_id": 3, "name": "Too early", "launched_at": D(2025, 1, 1), "metric_id": "nps"},
        {"initiative_id": 4, "name": "No metric", "launched_at": D(2026, 3, 3)},
    )  # fmt: skip
    data = dataset(initiatives=initiatives)
    out = views.initiative_markers(data, D(2026, 1, 1), D(2026, 4, 1))
    assert out.select("scope", "label").rows() == [
        ("company", "Repair (Alder)"), ("a", "Repair (Alder)"),
        ("company", "Plastic-free"), ("a", "Plastic-free"), ("b", "Plastic-free"),
    ]  # fmt: skip
    only = views.initiative_markers(data, D(2026, 1, 1), D(2026, 4, 1), ["returning_order_share"], ["a"])
    assert only["label"].to_list() == ["Repair (Alder)"]


# --- brands side by side --------------------------------------------------------------------


def test_comparison_window_counts_whole_weeks_back_from_the_chosen_one():
    w = views.comparison_window("2026-W10", 13, catalog.get("nps"))
    assert (w.period.start, w.period.end) == (D(2025, 12, 8), D(2026, 3, 9))
    assert w.label.startswith("13 weeks 2025-W50 – 2026-W10")
    assert not w.monthly and len(w.trend.starts()) == 13


def test_comparison_window_uses_whole_months_for_a_monthly_metric():
    w = views.comparison_window("2026-W10", 13, catalog.get("voluntary_turnover_rate"))
    assert (w.period.start, w.period.end) == (D(2025, 12, 1), D(2026, 3, 1))
    assert w.label == "3 whole months: December 2025 – February 2026"
    assert w.monthly and len(w.trend.starts()) == 12


def compared(*records: tuple) -> pl.DataFrame:
    cols = ["scope", "name", "value", "ci_low", "ci_high", "n", "suppressed", "immature"]
    return pl.DataFrame([dict(zip(cols, r, strict=True)) for r in records], schema={
        "scope": pl.String, "name": pl.String, "value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
        "n": pl.Int64, "suppressed": pl.Boolean, "immature": pl.Boolean,
    })  # fmt: skip


BRANDS = compared(
    ("company", "Company", 55.0, 50.0, 60.0, 400, False, False),
    ("a", "Alder", 60.0, 50.0, 70.0, 100, False, False),
    ("b", "Birch", 40.0, 30.0, 45.0, 100, False, False),
    ("c", "Cedar", 65.0, 55.0, 75.0, 100, False, False),
    ("d", "Dogwood", None, None, None, 4, True, False),
)


def test_pairwise_says_which_brands_differ_beyond_their_intervals():
    out = views.pairwise(BRANDS, catalog.get("csat"))
    assert out.select("brand_a", "brand_b", "verdict").rows() == [
        ("Cedar", "Birch", "differs"),  # 55 > 45: apart, gap 25
        ("Alder", "Birch", "differs"),  # 50 > 45: apart, gap 20
        ("Cedar", "Alder", "overlap"),  # [55, 75] meets [50, 70]
        ("Alder", "Dogwood", "cannot compare"),
        ("Birch", "Dogwood", "cannot compare"),
        ("Cedar", "Dogwood", "cannot compare"),
    ]
    assert out["difference"].to_list()[:3] == [25.0, 20.0, 5.0]
    assert out["note"][0] == "Cedar higher, beyond both 95 % intervals"
    assert out["note"][3] == "Dogwood: suppressed (n = 4 < 10)"


def test_pairwise_without_an_interval_makes_no_claim():
    out = views.pairwise(BRANDS.filter(pl.col("scope").is_in(["a", "b"])), catalog.get("orders"))
    assert out["verdict"].to_list() == ["no interval"]


def test_pairwise_display_reads_as_sentences():
    pairs = views.pairwise(BRANDS.filter(pl.col("scope").is_in(["a", "b"])), catalog.get("csat"))
    row = views.pairwise_display(pairs, catalog.get("csat"), "EUR").row(0, named=True)
    assert row == {
        "Brand A": "Alder", "A [95 % interval]": "60.0 %  [50.0 – 70.0 %]",
        "Brand B": "Birch", "B [95 % interval]": "40.0 %  [30.0 – 45.0 %]",
        "A − B": "+20.0 pp", "Verdict": "✔ differs: Alder higher, beyond both 95 % intervals",
    }  # fmt: skip


def test_filter_note_says_when_a_filter_cannot_apply():
    web = Filters(channel=("web",))
    assert views.filter_note(catalog.get("orders"), web) is None
    assert "do not apply to eNPS" in views.filter_note(catalog.get("enps"), web)
    assert "orders only" in views.filter_note(catalog.get("nps"), web)
    assert views.filter_note(catalog.get("enps"), Filters()) is None


def test_filter_note_says_what_leaving_out_unknown_leaves_out():
    north = Filters(region=("north",))
    assert views.filter_note(catalog.get("net_revenue"), north) == (
        "Guest orders and customers without a region are left out: "
        "the region filter leaves out “Unknown / guest”."
    )
    assert views.filter_note(catalog.get("net_revenue"), Filters(region=("north", UNKNOWN))) is None
    both = views.filter_note(catalog.get("active_customers"), Filters(region=("north",), segment=("new",)))
    assert both == (
        "Guests and customers without a region or segment are left out: "
        "the region and segment filters leave out “Unknown / guest”."
    )
    assert "Guests' responses and customers without a segment" in views.filter_note(
        catalog.get("nps"), Filters(region=("north", UNKNOWN), segment=("new",))
    )
    # Ledger totals divided by orders: the orders lose their guests.
    intensity = views.filter_note(catalog.get("ghg_intensity"), north)
    assert intensity.startswith("Filters narrow the orders GHG intensity is divided by")
    assert "Guest orders and customers without a region are left out" in intensity
    # Employee metrics: no filter applies, so nothing is left out either.
    assert "left out" not in views.filter_note(catalog.get("enps"), north)


def test_the_customer_purpose_filter_says_where_it_applies_and_what_it_leaves_out():
    gift = Filters(customer_purpose=("gift",))
    assert views.filter_note(catalog.get("nps"), gift) == (
        "Responses that state no customer purpose are left out: "
        "the customer purpose filter leaves out “Unknown / guest”."
    )
    assert views.filter_note(catalog.get("nps"), Filters(customer_purpose=("gift", UNKNOWN))) is None
    assert views.filter_note(catalog.get("orders"), gift) == (
        "The customer purpose filter applies to customer surveys only, not to orders."
    )


def test_filter_options_end_with_unknown_where_a_value_can_be_missing():
    data = dataset(
        orders=rows("orders", order(1, "2026-03-02 10:00")),
        customers=rows(
            "customers",
            {"customer_id": 1, "region": "south", "segment": None},
            {"customer_id": 2, "region": None, "segment": None},
        ),
    )
    assert views.filter_options(data) == {
        "channel": ["web"],
        "region": ["south", UNKNOWN],
        "segment": [],  # no customer has one: nothing to choose
        "customer_purpose": [],
    }


def test_definitions_cover_the_catalog_in_the_dashboards_pillars():
    out = views.definitions()
    assert sorted(out["id"].to_list()) == sorted(catalog.METRIC_IDS)
    assert views.definitions("People")["Metric"].to_list()[0] == "eNPS"
    ghg = out.filter(pl.col("id") == "ghg_intensity").row(0, named=True)
    assert ghg["Standards"] == "GRI 305-4 · SDG 13.2"
    assert ghg["Definition"].endswith("Monthly: a week shows the latest whole month.")


def test_the_home_page_leads_with_the_worst_brand_or_else_the_company():
    assert views.headline_kpi(ATTENTION, "company", ["company", "a", "b"])["scope"] == "a"
    assert views.headline_kpi(ATTENTION, "b", ["company", "a", "b"])["metric_id"] == "return_rate"
    company_only = kpi_rows(("company", "csat", 70.0, 80.0, "red"))
    assert views.headline_kpi(company_only, "company", ["company", "a"])["scope"] == "company"


# --- pillar pages ---------------------------------------------------------------------------


def test_scope_matrix_puts_every_scope_side_by_side_with_a_status_mark():
    kpis = kpi_rows(
        ("company", "csat", 79.0, 80.0, "amber"), ("a", "csat", 90.0, 80.0, "green")
    ).with_columns(n=pl.lit(100), suppressed=pl.lit(False), immature=pl.lit(False))
    out = views.scope_matrix(
        kpis, ["csat"], ["company", "a", "b"], {"company": "Company", "a": "Alder"}, "EUR"
    )
    assert out.rows() == [("CSAT", "79.0 % ≈", "90.0 % ✔", "no data")]
    assert out.columns == ["Metric", "Company", "Alder", "b"]


def test_purpose_achieved_splits_by_category_each_suppressed_on_its_own():
    def survey(i: int, purpose: str | None, achieved: bool) -> dict:
        return {"response_id": i, "brand_id": "a", "submitted_at": T(2026, 3, 3, 12), "customer_purpose": purpose,
                "purpose_achieved": achieved}  # fmt: skip

    surveys = [survey(i, "gift", i < 8) for i in range(10)]  # 8 of 10 -> 80 %
    surveys += [survey(10 + i, "replace", True) for i in range(3)]  # 3 answers: suppressed
    surveys += [survey(20 + i, None, False) for i in range(5)]  # no category: overall only
    data = dataset(customer_surveys=rows("customer_surveys", *surveys))
    out = views.purpose_by_category(data, Periods(D(2026, 3, 2), D(2026, 3, 9)), "company")
    assert out.select("name", "value", "n", "suppressed").rows() == [
        ("Gift", 80.0, 10, False),
        ("Replace", None, 3, True),
    ]


def test_cohort_grid_keeps_the_latest_cohorts_up_to_the_week():
    orders = rows(
        "orders",
        order(1, "2026-01-05 10:00", customer_id=1),  # January cohort, back in February
        order(2, "2026-02-03 10:00", customer_id=1),
        order(3, "2026-02-10 10:00", customer_id=2),  # February cohort
        order(4, "2026-03-20 10:00", customer_id=3),  # March: after the week below
    )
    data = dataset(orders=orders, customers=rows("customers", *({"customer_id": c} for c in (1, 2, 3))))
    out = views.cohort_grid(data, "month", "company", D(2026, 3, 2))
    # As of 20 March, only months that ended by then are measured: February
    # for the January cohort; nothing after month 0 for February's.
    assert out.select("cohort", "period_index", "customers", "retention").rows() == [
        ("2026-01", 0, 1, 100.0), ("2026-01", 1, 1, 100.0), ("2026-02", 0, 1, 100.0),
    ]  # fmt: skip


def test_sales_lift_starts_from_the_weeks_customers_and_unit_price(week_data):
    kpis = views.week_kpis(week_data, views.week_window("2026-W10"))
    assert views.sales_lift_inputs(kpis, "company") == (
        0,
        pytest.approx(30.0 / 8),
    )  # guests only; €30 over 8 units


# --- brands over a month, quarter, year to date or range (issue 19) ---------------------------


def test_a_month_window_is_the_month_against_the_month_before_with_a_monthly_trend():
    from purpose_metrics.periods import Period

    w = views.period_window(Period.month("2026-03"), catalog.get("nps"))
    assert (w.period.start, w.period.end) == (D(2026, 3, 1), D(2026, 4, 1))
    assert (w.previous.start, w.previous.end) == (D(2026, 2, 1), D(2026, 3, 1))
    assert (w.label, w.previous_label, w.compared, w.key) == (
        "March 2026",
        "February 2026",
        "previous month",
        "2026-03",
    )
    # Twelve months to March 2026: April 2025 on.
    assert w.monthly and w.trend.grain == "month" and w.trend.starts()[0] == D(2025, 4, 1)
    assert w.trend_to == "March 2026"


def test_a_custom_window_trends_in_weeks_unless_the_metric_is_monthly():
    from purpose_metrics.periods import Period

    period = Period.custom(D(2026, 3, 4), D(2026, 3, 17))  # Wed 4 – Tue 17 Mar: 14 days
    w = views.period_window(period, catalog.get("nps"))
    assert (w.period.start, w.period.end) == (D(2026, 3, 4), D(2026, 3, 18))
    assert (w.previous.start, w.previous.end) == (D(2026, 2, 18), D(2026, 3, 4))
    # The week holding 17 Mar is 2026-W12 (16–22 Mar); twelve weeks to it start on Mon 29 Dec 2025.
    assert not w.monthly and w.trend_to == "2026-W12" and w.trend.starts()[0] == D(2025, 12, 29)
    assert w.key == "2026-03-04_2026-03-17"
    monthly = views.period_window(period, catalog.get("voluntary_turnover_rate"))
    assert monthly.monthly and monthly.trend_to == "March 2026"


def test_a_long_range_trends_over_every_week_it_holds():
    from purpose_metrics.periods import Period

    w = views.period_window(
        Period.custom(D(2025, 6, 2), D(2026, 3, 1)), catalog.get("nps")
    )  # 39 weeks, Mon–Sun
    assert len(w.trend.starts()) == 39 and w.trend.start == D(2025, 6, 2)


def test_a_week_span_is_compared_with_the_same_number_of_weeks_before():
    w = views.comparison_window("2026-W10", 4, catalog.get("nps"))
    assert (w.previous.start, w.previous.end) == (D(2026, 1, 12), D(2026, 2, 9))
    assert w.compared == "previous 4 weeks" and w.key == "2026-W10_4w"
    assert w.previous_label == "4 weeks 2026-W03 – 2026-W06 (12 Jan – 8 Feb 2026)"


def _scope_rows(*records: tuple) -> pl.DataFrame:
    cols = ["scope", "name", "value", "ci_low", "ci_high", "n", "suppressed", "immature"]
    return pl.DataFrame([dict(zip(cols, r, strict=True)) for r in records], schema={
        "scope": pl.String, "name": pl.String, "value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
        "n": pl.Int64, "suppressed": pl.Boolean, "immature": pl.Boolean,
    })  # fmt: skip


def test_each_scope_against_its_previous_period_moves_only_beyond_both_intervals():
    nps = catalog.get("nps")
    now = _scope_rows(
        ("company", "Company", 40.0, 35.0, 45.0, 400, False, False),
        ("a", "A", 30.0, 20.0, 40.0, 90, False, False),
        ("b", "B", None, None, None, 12, True, False),
    )
    before = _scope_rows(
        ("company", "Company", 20.0, 15.0, 25.0, 380, False, False),  # 35 > 25: moved up
        ("a", "A", 35.0, 25.0, 45.0, 80, False, False),  # overlap
        ("b", "B", 10.0, 0.0, 20.0, 60, False, False),
    )
    rows = views.versus_previous(now, before, nps).to_dicts()
    assert [r["scope"] for r in rows] == ["company", "a", "b"]
    assert [r["verdict"] for r in rows] == ["moved", "within noise", "cannot compare"]
    assert rows[0]["change"] == 20.0 and rows[0]["note"] == "up, beyond both 95 % intervals"
    assert rows[1]["change"] == -5.0 and rows[2]["change"] is None
    assert rows[2]["note"].startswith("this period: ")
    shown = views.versus_display(views.versus_previous(now, before, nps), nps, "", "previous month")
    assert list(shown.columns) == [
        "Company or brand", "This period [95 % interval]", "Previous month [95 % interval]", "Change", "Verdict",
    ]  # fmt: skip
    assert shown.row(0)[1].endswith(" · n = 400") and shown.row(0)[4].startswith("✔ moved: up")
