"""The home page, "This week", as a person sees it (AppTest over the router).

Expectations come from the worked example's CSVs, counted by hand: in ISO
week 2026-W25 (15–21 Jun 2026, the latest complete week before the data's
as-of of 28 Jun 2026) the company has 14 completed orders and Alpine 8;
Alpine's returning-order share is 4 of 8 known orders = 50.0 % against its
2026 target of 90 %, the furthest below target of any brand.
"""

from __future__ import annotations

import pytest
from conftest import DASHBOARD, TIMEOUT, cards, chart_specs


def metric(at, label: str) -> str:
    return next(c.value for c in cards(at) if c.label == label)


def test_renders_the_latest_complete_week_without_exception(app, small_db, read):
    at = app(small_db)
    assert not at.exception
    # The page is titled by the week it shows (15–21 Jun 2026 is ISO week 25); its anchor stays the page's.
    assert at.title[0].value == "Week 2026-W25 · 15 – 21 Jun 2026"
    assert at.title[0].proto.anchor == "this-week"
    assert at.selectbox(key="week").value == "2026-W25"
    assert metric(at, "Orders") == "14"
    assert "Help people buy less, better." in read(at)


def test_names_the_brand_furthest_below_target_and_lists_it_first(app, small_db, read):
    at = app(small_db)
    text = read(at)
    assert "Furthest below target among brands: Alpine — Returning-order share, 50.0 % against 90.0 %" in text
    attention = next(m.value for m in at.markdown if m.value.startswith("1. "))
    assert "**Alpine** · Returning-order share **50.0 %** vs target 90.0 % — 40.0 pp short" in attention


def test_cards_group_every_metric_under_four_pillars_in_tabs_that_count_the_misses(app, small_db):
    import polars as pl

    from purpose_metrics import views
    from purpose_metrics.ui import state

    at = app(small_db)
    labels = [t.label for t in at.tabs]
    assert [label.split(" · ")[0] for label in labels] == [
        "Loyalty",
        "Customer purpose",
        "People",
        "Planet and community",
    ]
    assert len(cards(at)) == 38  # every tab's cards are on the page
    # Each label counts its pillar's company KPIs off (✖) and near (≈) target, from the week's status column.
    kpis = state.week_kpis.cached(*state.key(), "2026-W25").filter(pl.col("scope") == "company")
    for label, pillar in zip(labels, views.DASHBOARD_PILLARS, strict=True):
        statuses = kpis.filter(pl.col("metric_id").is_in(list(views.DASHBOARD_PILLARS[pillar])))["status"]
        red, amber = (statuses == "red").sum(), (statuses == "amber").sum()
        assert ("✖ " + str(red) in label) == (red > 0) and ("≈ " + str(amber) in label) == (amber > 0), label


def test_choosing_a_brand_shows_its_purpose_and_its_numbers(app, small_db, read):
    at = app(small_db)
    at.button_group(key="brand").set_value("alpine").run()
    assert not at.exception
    assert metric(at, "Orders") == "8"
    assert "**Alpine purpose** · alpine purpose" in read(at)


def test_choosing_another_week_changes_the_numbers(app, small_db):
    at = app(small_db)
    at.selectbox(key="week").set_value("2026-W24").run()
    assert not at.exception
    # W24 (8–14 Jun 2026): 12 completed orders in orders.csv.
    assert metric(at, "Orders") == "12"


def test_suppressed_and_immature_values_are_words_not_numbers(app, small_db):
    values = {c.metric_id: c.value for c in cards(app(small_db))}
    assert values["nps"] == "suppressed (n = 4 < 10)"  # 4 answers in W25
    assert values["repurchase_90d"] == "not yet measurable"  # a June week's 90 days


def test_monthly_metrics_show_the_latest_whole_month(app, small_db, read):
    at = app(small_db)
    assert "May 2026 (whole month)" in read(at)


def test_an_unknown_brand_or_malformed_week_in_the_link_falls_back_with_a_message(app, small_db):
    at = app(small_db, brand="Nowhere", week="2026-W99")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "There is no brand “Nowhere”; showing Company instead." in warnings
    assert "not an ISO week like 2026-W10; showing 2026-W25 instead." in warnings
    assert at.selectbox(key="week").value == "2026-W25"


def test_a_link_opens_the_same_view(app, small_db):
    at = app(small_db, brand="Hearth", week="2026-W24")
    assert not at.warning
    assert at.button_group(key="brand").value == "hearth"
    assert at.selectbox(key="week").value == "2026-W24"


def test_a_card_shows_its_change_status_target_and_sample(app, small_db):
    """Alpine's returning-order share in W25: 4 of 8 known orders = 50.0 %,
    against its target of 90 % (off by more than 10 %: red)."""
    at = app(small_db, brand="Alpine")
    card = next(c for c in cards(at) if c.metric_id == "returning_order_share")
    assert card.value == "50.0 %"
    assert "✖ off target" in card.foot and "target 90.0 %" in card.foot
    assert card.sample.startswith("n = 8 known orders") and "n = 8 known orders · small sample" in card.text
    assert "vs previous week" in (card.delta or "")


def test_refresh_data_reads_the_database_again(app, small_db, database_reads):
    at = app(small_db)
    assert len(database_reads) == 1
    # (AppTest drops the sidebar from its tree after a rerun under
    # st.navigation, so the button is clicked from the first run's tree.)
    at.button(key="refresh_data").click().run()
    assert not at.exception
    assert len(database_reads) == 2


def test_an_empty_database_says_so(app, empty_db, read):
    at = app(empty_db)
    assert not at.exception
    assert "The database holds no orders yet" in read(at)


def test_an_unreadable_database_shows_one_line_and_a_retry_button(app, tmp_path):
    broken = tmp_path / "not-a-database.duckdb"
    broken.write_text("this is not a DuckDB file")
    at = app(f"duckdb:///{broken}")
    assert not at.exception
    assert at.error[0].value.startswith("Could not read the database at duckdb:///")
    assert "\n" not in at.error[0].value
    assert at.button(key="retry_database").label == "Retry"


def _open_on_the_default_week(url: str, monkeypatch):
    from conftest import DASHBOARD, TIMEOUT
    from streamlit.testing.v1 import AppTest

    from purpose_metrics import dburl
    from purpose_metrics.ui import state

    monkeypatch.setenv(dburl.ENV_URL, url)
    monkeypatch.delenv(state.ENV_DEFAULT_WEEK, raising=False)  # the product's default: latest
    return AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT).run()


def test_the_page_opens_on_the_latest_week_with_data_marked_partial(small_db, example_dir, monkeypatch, read):
    import datetime as dt

    import polars as pl

    orders = pl.read_csv(example_dir / "data" / "orders.csv", try_parse_dates=True)
    latest = orders["ordered_at"].max()  # 2026-06-28 14:26:18, a Sunday: ISO week 2026-W26 is still open
    year, week, _ = latest.isocalendar()
    assert (f"{year}-W{week:02d}", latest.strftime("%a %d %b %H:%M")) == ("2026-W26", "Sun 28 Jun 14:26")
    at = _open_on_the_default_week(small_db, monkeypatch)
    assert not at.exception
    assert at.selectbox(key="week").value == "2026-W26"
    assert at.selectbox(key="week").options[:2] == ["2026-W26", "2026-W25"]
    caption = next(c.value for c in at.caption if c.value.startswith("Week 2026-W26"))
    assert "22 – 28 Jun 2026 (**partial: data to Sun 28 Jun, 14:26 UTC**; its numbers will grow)" in caption
    # Orders so far in W26 (Monday 22 Jun to the latest order), counted by hand.
    in_week = orders.filter(
        (pl.col("status") == "completed")
        & (pl.col("ordered_at") >= dt.datetime(2026, 6, 22))
        & (pl.col("ordered_at") < dt.datetime(2026, 6, 29))
    )
    assert metric(at, "Orders") == f"{in_week.height:,}"


def test_previous_and_next_step_a_week_and_a_whole_week_is_not_partial(small_db, monkeypatch):
    at = _open_on_the_default_week(small_db, monkeypatch)
    assert at.button(key="week_next").disabled  # the latest week with data
    at.button(key="week_previous").click().run()
    assert at.selectbox(key="week").value == "2026-W25"
    assert at.query_params.get("week") == "2026-W25"  # the link follows
    caption = next(c.value for c in at.caption if c.value.startswith("Week 2026-W25"))
    assert "partial" not in caption and "15 – 21 Jun 2026" in caption
    assert metric(at, "Orders") == "14"  # the module's hand count for W25
    at.button(key="week_next").click().run()
    assert at.selectbox(key="week").value == "2026-W26"


def test_trend_on_an_item_that_needs_attention_opens_its_year_on_its_pillar_page(app, small_db):

    at = app(small_db, week="2026-W25")
    # The first item is Alpine's returning-order share (the module's hand count: 50 % vs 90 %).
    first = at.button(key="drill_alpine_returning_order_share")
    first.click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Loyalty and retention"]
    titles = [c["layout"]["title"]["text"] for c in chart_specs(at)]
    assert any(t.startswith("Returning-order share — Alpine, 52 weeks to 2026-W25") for t in titles), titles


def test_a_miss_says_whether_it_is_beyond_noise(app, small_db, read):
    at = app(small_db, week="2026-W25")
    text = read(at)
    assert "the whole 95 % interval misses the target" in text
    # Alpine's returning-order share: 4 of 8 (Wilson 95 %: 21.5 % … 78.5 %) against 90 %: beyond noise.
    line = next(
        m.value for m in at.markdown if m.value.startswith("1. ") and "Returning-order share" in m.value
    )
    assert "**Alpine**" in line
    assert "(week 2026-W25) · **beyond noise**" in line


def test_a_value_from_a_small_sample_says_so_in_the_headline_the_list_and_the_brand_panel(
    app, small_db, example_dir
):
    """Alpine's returning-order share in W25 rests on 8 known orders (its completed orders with a
    known customer, counted here from orders.csv): below 30, the list, the headline and the panel
    say so in words on the page, not only in a tooltip. The company's rests on 14."""
    import datetime as dt

    import polars as pl

    orders = pl.read_csv(example_dir / "data" / "orders.csv", try_parse_dates=True).filter(
        (pl.col("status") == "completed")
        & pl.col("customer_id").is_not_null()
        & pl.col("ordered_at").is_between(dt.datetime(2026, 6, 15), dt.datetime(2026, 6, 22), closed="left")
    )
    alpine = orders.filter(pl.col("brand_id") == "alpine").height
    company = orders.height
    assert alpine < 30 and company < 30
    at = app(small_db, week="2026-W25")
    nb = "\u00a0"  # no break inside the mark
    small = f":orange[**⚠{nb}small{nb}sample**, n{nb}={nb}{alpine:,}]"
    heading = next(m.value for m in at.markdown if m.value.startswith("#### Furthest below target"))
    assert heading.endswith(f"(40.0 pp short) · {small}")
    lines = [m.value for m in at.markdown if m.value[:1].isdigit() and "Returning-order share" in m.value]
    assert any("**Alpine**" in line and line.endswith(small) for line in lines)
    assert any("**Company**" in line and line.endswith(f"n{nb}={nb}{company:,}]") for line in lines)
    panels = [c.value for c in at.caption if c.value.startswith("Worst: Returning-order share")]
    assert panels and all(f"⚠{nb}small{nb}sample" in p for p in panels)


def test_a_value_from_enough_records_carries_no_small_sample_mark():
    from purpose_metrics import catalog
    from purpose_metrics.ui import cards

    nps = catalog.get("nps")
    row = {"value": -30.0, "n": 30, "suppressed": False}
    assert cards.small_sample_words(nps, row) == ""
    nb = "\u00a0"
    assert (
        cards.small_sample_words(nps, row | {"n": 29})
        == f" · :orange[**⚠{nb}small{nb}sample**, n{nb}={nb}29]"
    )
    # A count, and the ledger's own books, are no sample, however few their rows.
    assert cards.small_sample_words(catalog.get("orders"), {"value": 3.0, "n": 3, "suppressed": False}) == ""
    ledger = catalog.get("renewable_energy_share")
    assert cards.small_sample_words(ledger, {"value": 72.4, "n": 4, "suppressed": False}) == ""
    # A suppressed value is not shown at all: nothing to qualify.
    assert cards.small_sample_words(nps, row | {"n": 5, "value": None, "suppressed": True}) == ""


@pytest.mark.parametrize("theme_type", ["dark", "light"])
def test_the_company_dot_and_the_cards_follow_the_dark_theme_as_the_charts_do(
    small_db, monkeypatch, theme_type
):
    from streamlit.testing.v1 import AppTest

    from purpose_metrics import dburl
    from purpose_metrics.charts import theme
    from purpose_metrics.ui import state

    monkeypatch.setenv(dburl.ENV_URL, small_db)
    monkeypatch.setenv(state.ENV_DEFAULT_WEEK, "complete")
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.context = {"theme": theme_type}
    at.run()
    assert not at.exception
    dark = theme_type == "dark"
    company = "#E4E4E4" if dark else "#333333"  # light ink on the dark ground, as in the charts
    line = next(m.value for m in at.markdown if m.value[:1].isdigit() and "**Company**" in m.value)
    assert f'<span style="color:{company};font-size:1.1em">●</span> **Company**' in line
    red = "#F85149" if dark else theme.STATUS_COLOURS["red"]
    assert any(f".pm-worse {{color: {red};}}" in h.proto.body for h in at.get("html"))
