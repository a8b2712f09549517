"""Report computations of the pillar pages (purpose_metrics.reports), on
tiny hand-built data sets; every expectation is worked out by hand."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from builders import dataset, day, order, wilson

from purpose_metrics import reports
from purpose_metrics.periods import Periods

JAN_FEB = Periods(day("2026-01-01"), day("2026-03-01"), "month")


def _ledger(period_start: str, **values) -> dict:
    return {"period_start": period_start, **values}


@pytest.fixture
def two_months():
    """Two ledger months of the company and five orders of brand a: two in
    January, three in February."""
    orders = [
        order(
            1, 10, "a", "2026-01-05 10:00", shipping_co2e_kg=0.4, packaging_kg=1.0, packaging_recycled_kg=0.5
        ),
        order(2, 11, "a", "2026-01-20 10:00", shipping_co2e_kg=0.6),
        order(3, 10, "a", "2026-02-02 10:00"),
        order(4, 12, "a", "2026-02-10 10:00"),
        order(5, 13, "a", "2026-02-25 10:00"),
    ]
    ledger = [
        _ledger("2026-01-01", scope1_tco2e=1.0, scope2_tco2e=0.5, scope3_tco2e=0.5, energy_kwh=100.0,
                renewable_energy_kwh=40.0, waste_kg=10.0, waste_diverted_kg=5.0, community_investment=1.0,
                procurement_spend=100.0, local_procurement_spend=30.0, privacy_complaints=1),
        _ledger("2026-02-01", scope1_tco2e=1.0, energy_kwh=150.0, renewable_energy_kwh=60.0, waste_kg=10.0,
                waste_diverted_kg=9.0, community_investment=1.0, procurement_spend=100.0,
                local_procurement_spend=20.0, privacy_complaints=2),
    ]  # fmt: skip
    return dataset(brands=("a",), orders=orders, impact_ledger=ledger)


def test_the_content_index_has_one_row_per_disclosure_over_the_whole_period(two_months):
    index = reports.gri_content_index(two_months, JAN_FEB, "company")
    assert index.columns == list(reports.CONTENT_INDEX_SCHEMA)
    values = dict(zip(index["gri_disclosure"], index["value"], strict=True))
    # Five orders of €10 (net revenue €50); the ledger's two months summed.
    assert values == pytest.approx(
        {
            "GRI 201-1": 100 * (1 + 1) / 50,  # community investment, % of net revenue
            "GRI 204-1": 100 * (30 + 20) / (100 + 100),  # local procurement
            "GRI 301-2": 100 * 0.5 / 1.0,  # recycled packaging, the one order with both weights
            "GRI 302-1": 100 * (40 + 60) / (100 + 150),  # renewable energy
            "GRI 302-3": (100 + 150) / 5,  # kWh per order
            "GRI 305-3": (0.4 + 0.6) / 2,  # delivery CO2e per order that reports it
            "GRI 305-4": 1000 * (1.0 + 0.5 + 0.5 + 1.0) / 5,  # kg CO2e per order
            "GRI 306-4": 100 * (5 + 9) / (10 + 10),  # waste diverted
            "GRI 418-1": 1 + 2,  # privacy complaints
        }
    )
    assert index["gri_disclosure"].to_list() == sorted(values)  # by disclosure number
    ghg = index.row(index["metric_id"].to_list().index("ghg_intensity"), named=True)
    assert ghg["disclosure_title"] == "305-4 GHG emissions intensity"
    assert ghg["unit"] == "kg CO2e / order" and ghg["sdg_target"] == "13.2"
    assert (ghg["period_start"], ghg["period_end"]) == (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    assert ghg["note"].startswith("SDG indicators are national statistics")
    assert set(index["scope"]) == {"company"}


def test_a_brand_without_ledger_rows_has_empty_ledger_values_and_says_why(two_months):
    index = reports.gri_content_index(two_months, JAN_FEB, "a")
    rows = {r["metric_id"]: r for r in index.iter_rows(named=True)}
    # The ledger rows have no brand: they count for the company only.
    assert rows["waste_diversion_rate"]["value"] is None
    assert rows["waste_diversion_rate"]["note"].startswith("no data for this scope in the period")
    assert rows["delivery_co2e_per_order"]["value"] == pytest.approx(0.5)  # the brand's orders


def test_the_content_index_csv_has_the_header_and_the_aggregates_only(two_months):
    csv = reports.content_index_csv(reports.gri_content_index(two_months, JAN_FEB, "company"))
    back = pl.read_csv(io.BytesIO(csv))
    assert back.columns == [
        "gri_disclosure", "disclosure_title", "metric_id", "metric", "unit", "value", "n",
        "period_start", "period_end", "scope", "sdg_target", "note",
    ]  # fmt: skip
    assert back.height == 9
    assert "customer_id" not in csv.decode()


def test_the_indicator_table_shows_each_month_in_the_metrics_unit(two_months):
    rows = reports.monthly_indicators(two_months, JAN_FEB, "company")
    table = reports.indicator_table(rows, "EUR")
    assert table.columns == [
        "Metric",
        "GRI disclosure",
        "SDG target",
        "Trend",
        "Change",
        "Feb 2026",  # newest first
        "Jan 2026",
    ]
    ghg = table.row(0, named=True)
    # January: 2 t over 2 orders; February: 1 t over 3 orders.
    assert ghg["Metric"] == "GHG intensity (kg CO2e / order)"
    assert (ghg["GRI disclosure"], ghg["SDG target"]) == ("GRI 305-4", "13.2")
    assert (ghg["Jan 2026"], ghg["Feb 2026"]) == ("1,000.00", "333.33")
    assert ghg["Trend"] == pytest.approx([1000.0, 1000 / 3])
    assert ghg["Change"] == "▼ -666.67 better"  # lower is better for emissions
    waste = table.filter(pl.col("Metric") == "Waste diversion").row(0, named=True)
    assert (waste["Jan 2026"], waste["Feb 2026"], waste["Change"]) == (
        "50.0 %",
        "90.0 %",
        "▲ +40.0 pp better",
    )
    donations = table.filter(pl.col("Metric") == "Customer donations").row(0, named=True)
    assert donations["GRI disclosure"] == "—" and donations["Jan 2026"] == "€0.00"


def test_message_relevance_sets_clicks_against_unsubscribes_per_scope():
    def message(i: int, brand: str, clicked: bool = False, unsubscribed: bool = False) -> dict:
        sent = "2026-03-02 09:00"
        return {
            "message_id": i, "customer_id": i, "brand_id": brand, "sent_at": sent,
            "clicked_at": "2026-03-02 10:00" if clicked else None,
            "unsubscribed_at": "2026-03-03 10:00" if unsubscribed else None,
        }  # fmt: skip

    messages = [
        message(1, "a", clicked=True), message(2, "a", clicked=True), message(3, "a", unsubscribed=True),
        message(4, "a"), message(5, "b", clicked=True), message(6, "b"), message(7, "b"), message(8, "b"),
        message(9, "b"),
    ]  # fmt: skip
    data = dataset(orders=[order(1, None, "a", "2026-03-05 10:00")], marketing_messages=messages)
    rows = reports.message_relevance(data, Periods(day("2026-03-02"), day("2026-03-09")))
    got = {r["scope"]: r for r in rows.iter_rows(named=True)}
    assert rows["scope"].to_list() == ["company", "a", "b"]
    assert got["a"]["messages"] == 4 and got["b"]["messages"] == 5 and got["company"]["messages"] == 9
    assert got["a"]["click_rate"] == pytest.approx(50.0)
    assert got["a"]["unsubscribe_rate"] == pytest.approx(25.0)
    assert got["b"]["click_rate"] == pytest.approx(20.0) and got["b"]["unsubscribe_rate"] == 0.0
    assert got["company"]["click_rate"] == pytest.approx(100 * 3 / 9)
    assert (got["company"]["click_low"], got["company"]["click_high"]) == pytest.approx(wilson(3, 9))
    assert (got["a"]["unsubscribe_low"], got["a"]["unsubscribe_high"]) == pytest.approx(wilson(1, 4))


def test_a_scope_without_messages_has_no_rates():
    data = dataset(orders=[order(1, None, "a", "2026-03-05 10:00")])
    rows = reports.message_relevance(data, Periods(day("2026-03-02"), day("2026-03-09")))
    assert rows["messages"].to_list() == [0, 0, 0]
    assert rows["click_rate"].is_null().all()


def _grid(cells: list[tuple[str, int, int, int]]) -> pl.DataFrame:
    """(cohort, period_index, customers, cohort_size) -> cohort_grid rows."""
    return pl.DataFrame(
        cells, schema={"cohort": pl.String, "period_index": pl.Int64, "customers": pl.Int64, "cohort_size": pl.Int64},
        orient="row",
    ).with_columns(scope=pl.lit("company"), retention=100 * pl.col("customers") / pl.col("cohort_size"))  # fmt: skip


GRID = _grid(
    [
        ("2025-12", 0, 8, 8), ("2025-12", 1, 4, 8), ("2025-12", 2, 4, 8), ("2025-12", 3, 2, 8),
        ("2026-01", 0, 10, 10), ("2026-01", 1, 3, 10), ("2026-01", 2, 2, 10),
        ("2026-02", 0, 20, 20), ("2026-02", 1, 2, 20),
        ("2026-03", 0, 5, 5),  # no whole month after its first yet
    ]
)  # fmt: skip


def test_retention_curves_pool_the_latest_cohorts_that_have_a_period_after_the_first():
    curves = reports.retention_curves(GRID, 2)
    assert curves.filter(~pl.col("is_average"))["curve"].unique().sort().to_list() == ["2026-01", "2026-02"]
    average = {r["period_index"]: r for r in curves.filter(pl.col("is_average")).iter_rows(named=True)}
    # +1: (3 + 2) back of (10 + 20); +2: only January has reached it, 2 of 10.
    assert average[1]["retention"] == pytest.approx(100 * 5 / 30) and average[1]["cohorts"] == 2
    assert average[2]["retention"] == pytest.approx(20.0) and average[2]["cohorts"] == 1
    assert average[0]["retention"] == pytest.approx(100.0)
    assert 3 not in average  # December is not among the latest two
    january = curves.filter(pl.col("curve") == "2026-01").sort("period_index")
    assert january["retention"].to_list() == pytest.approx([100.0, 30.0, 20.0])


def test_retention_curves_of_more_cohorts_than_exist_take_them_all():
    curves = reports.retention_curves(GRID, 6)
    average = {
        r["period_index"]: r["retention"] for r in curves.filter(pl.col("is_average")).iter_rows(named=True)
    }
    assert average[1] == pytest.approx(100 * (4 + 3 + 2) / (8 + 10 + 20))
    assert average[3] == pytest.approx(100 * 2 / 8)


def test_a_formula_in_a_brand_id_reaches_the_content_index_csv_as_text():
    from hostile import BRAND_ID

    data = dataset(
        brands=(BRAND_ID,), orders=[order(1, 10, BRAND_ID, "2026-01-05 10:00", shipping_co2e_kg=0.4)]
    )
    csv = reports.content_index_csv(reports.gri_content_index(data, JAN_FEB, BRAND_ID))
    back = pl.read_csv(io.BytesIO(csv), infer_schema=False)
    assert set(back["scope"]) == {"'" + BRAND_ID}  # a spreadsheet shows it, never runs it
    row = back.row(back["metric_id"].to_list().index("delivery_co2e_per_order"), named=True)
    assert row["value"] == "0.4"  # numbers stay numbers
