"""The "Impact" page (AppTest over the router)."""

from __future__ import annotations

from conftest import cards, chart_specs

from purpose_metrics import views

PAGE = "pages/impact.py"


def test_renders_the_impact_cards_and_their_standards(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Planet and community"]
    assert len(cards(at)) == len(views.DASHBOARD_PILLARS["Planet and community"])
    standards = at.table[0].value
    assert "GRI 305-4 · SDG 13.2" in standards["Standards"].tolist()


def test_the_trend_follows_the_chosen_kpi(app, small_db):
    at = app(small_db, PAGE)
    at.selectbox(key="impact_kpi").set_value("waste_diversion_rate").run()
    assert not at.exception
    spec = chart_specs(at)[0]
    assert spec["layout"]["title"]["text"] == "Waste diversion — Company, 12 months to 2026-W25"


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value


def test_the_indicators_by_month_show_twelve_whole_months_with_standards(app, small_db):
    at = app(small_db, PAGE)
    headers = [h.value for h in at.header]
    assert "By month" in headers
    table = at.dataframe[0].value
    # 2026-W25 ends on 22 Jun 2026: the 12 whole months June 2025 – May 2026.
    assert list(table.columns[:5]) == ["Metric", "GRI disclosure", "SDG target", "Trend", "Change"]
    months = [f"{m} 2025" for m in ("Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]
    months += [f"{m} 2026" for m in ("Jan", "Feb", "Mar", "Apr", "May")]
    assert list(table.columns[5:]) == months[::-1]  # newest first
    ghg = table[table["Metric"] == "GHG intensity (kg CO2e / order)"].iloc[0]
    assert (ghg["GRI disclosure"], ghg["SDG target"]) == ("GRI 305-4", "13.2")


def test_the_gri_content_index_downloads_as_csv(app, small_db, media):
    stores = media
    at = app(small_db, PAGE)
    button = next(b for b in at.get("download_button") if b.proto.label == "GRI content index (CSV)")
    csv = stores[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content.decode()
    header, *rows = csv.splitlines()
    assert header == (
        "gri_disclosure,disclosure_title,metric_id,metric,unit,value,n,period_start,period_end,scope,sdg_target,note"
    )
    assert len(rows) == 9  # the nine GRI-cited impact metrics
    assert rows[0].startswith("GRI 201-1,201-1 Direct economic value generated and distributed,")
    assert ",2025-06-01,2026-06-01,company," in rows[0]  # the 12 whole months to 2026-W25
