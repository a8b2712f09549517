"""The "Brands and segments" page as a person sees it (AppTest over the router).

Counts are recomputed here straight from the worked example's orders.csv,
independently of the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from conftest import chart_specs

from purpose_metrics import formatting
from purpose_metrics.export import images

PAGE = "pages/brands.py"
ROOT_DATA = Path(__file__).resolve().parents[1] / "data" / "small" / "data"
# "13 weeks" ending with 2026-W25: [2026-03-23, 2026-06-22).
START, END = dt.datetime(2026, 3, 23), dt.datetime(2026, 6, 22)


@pytest.fixture(scope="module")
def orders(example_dir) -> pl.DataFrame:
    return pl.read_csv(example_dir / "data" / "orders.csv", try_parse_dates=True).filter(
        (pl.col("status") == "completed") & (pl.col("ordered_at") >= START) & (pl.col("ordered_at") < END)
    )


def by_hand(orders: pl.DataFrame) -> dict[str, float]:
    counts = dict(orders.group_by("brand_id").len().iter_rows())
    names = {"alpine": "Alpine", "hearth": "Hearth", "stride": "Stride", "tiny": "Tiny"}
    return {"Company": float(orders.height)} | {names[b]: float(n) for b, n in counts.items()}


def dots(at) -> dict[str, float]:
    """{scope name: value} from the side-by-side chart's traces."""
    spec = chart_specs(at)[0]
    return {t["y"][0]: t["x"][0] for t in spec["data"] if t.get("mode") == "markers+text"}


def chart(at, title: str) -> dict:
    """The spec of the chart whose title starts with `title`."""
    specs = chart_specs(at)
    return next(s for s in specs if s["layout"]["title"]["text"].startswith(title))


def test_renders_nps_by_default_with_intervals_and_a_verdict_table(app, small_db):
    at = app(small_db, PAGE)
    assert not at.exception
    assert at.title[0].value == "Brands and segments"
    assert at.selectbox(key="metric").value == "nps"
    assert at.button_group(key="span").value == "13 weeks"
    assert list(at.dataframe[0].value.columns) == [
        "Brand A", "A [95 % interval]", "Brand B", "B [95 % interval]", "A − B", "Verdict",
    ]  # fmt: skip


def test_brands_side_by_side_match_orders_counted_by_hand(app, small_db, orders):
    at = app(small_db, PAGE, metric="Orders")
    assert dots(at) == by_hand(orders)


def test_the_channel_filter_changes_what_is_shown(app, small_db, orders):
    at = app(small_db, PAGE, metric="Orders")
    at.multiselect(key="channel").set_value(["web"]).run()
    assert not at.exception
    assert dots(at) == by_hand(orders.filter(pl.col("channel") == "web"))


def test_changing_filters_does_not_read_the_database_again(app, small_db, database_reads):
    at = app(small_db, PAGE, metric="Orders")
    assert len(database_reads) == 1
    at.multiselect(key="channel").set_value(["web"]).run()
    at.multiselect(key="region").set_value(["north"]).run()
    at.button_group(key="span").set_value("4 weeks").run()
    assert not at.exception
    assert len(database_reads) == 1


def test_the_table_says_where_brands_differ_and_where_they_do_not(app, small_db):
    at = app(small_db, PAGE, metric="Returning-order share", span="26 weeks")
    verdicts = at.dataframe[0].value["Verdict"].tolist()
    assert any(v.startswith("✔ differs: Hearth higher, beyond both 95 % intervals") for v in verdicts)
    assert any(v.startswith("≈ no clear difference") for v in verdicts)


def test_small_multiples_have_one_panel_per_brand(app, small_db):
    at = app(small_db, PAGE, metric="Orders")
    spec = chart(at, "Orders, weekly")
    titles = [a["text"] for a in spec["layout"]["annotations"]][:5]
    assert titles == ["Company", "Alpine", "Hearth", "Stride", "Tiny"]


def test_an_unknown_metric_in_the_link_falls_back_to_nps_with_a_message(app, small_db):
    at = app(small_db, PAGE, metric="Happiness")
    assert not at.exception
    assert "There is no metric “Happiness”; showing NPS instead." in at.warning[0].value
    assert at.selectbox(key="metric").value == "nps"


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value


def test_across_channels_each_brand_s_orders_by_channel_match_a_count_by_hand(app, small_db, orders):
    at = app(small_db, PAGE, metric="Orders")
    at.button_group(key="across").set_value("channel").run()
    assert not at.exception
    spec = chart(at, "Orders by channel and brand")
    got = {(t["name"], y): x for t in spec["data"] for x, y in zip(t["x"], t["y"], strict=True)}
    names = {"alpine": "Alpine", "hearth": "Hearth", "stride": "Stride", "tiny": "Tiny"}
    expected = {
        (names[b], c.capitalize()): float(n)
        for b, c, n in orders.group_by("brand_id", "channel").len().iter_rows()
        if n >= 10  # a cell from fewer than 10 orders is not shown
    }
    expected |= {
        ("Company", c.capitalize()): float(n)
        for c, n in orders.group_by("channel").len().iter_rows()
        if n >= 10
    }
    assert got == expected


def test_a_dimension_that_does_not_reach_the_metric_is_said_so(app, small_db):
    at = app(small_db, PAGE)  # NPS: surveys have no channel
    at.button_group(key="across").set_value("channel").run()
    assert not at.exception
    assert any("NPS cannot be split by channel" in i.value for i in at.info)


def downloads(at, media) -> dict[str, bytes]:
    """{file name: bytes} of every download made when the page ran (CSV: made then, not on a click)."""
    out = {}
    for button in at.get("download_button"):
        if button.proto.url:
            file = media[-1].get_file(button.proto.url.rsplit("/", 1)[-1])
            out[file.filename] = file.content
    return out


def test_every_chart_and_table_offers_its_data_as_csv_named_with_period_and_filters(
    app, small_db, orders, media
):
    at = app(small_db, PAGE, metric="Orders", channel="web", region="north")
    assert not at.exception
    files = downloads(at, media)
    tail = "_2026-W25_13w_channel-web_region-north.csv"
    assert sorted(files) == sorted([
        f"orders-by-brand-13-weeks-2026-w13-2026-w25-23-mar-21-jun-2026{tail}",
        f"orders-where-brands-differ{tail}",
        f"orders-against-the-previous-13-weeks{tail}",
        # The segment split ignores the filters above: its files say so by carrying none.
        "orders-by-channel-and-brand_2026-W25_13w.csv",
        "orders-by-channel-and-brand-table_2026-W25_13w.csv",
        f"orders-weekly-13-weeks-to-2026-w25{tail}",
    ])  # fmt: skip
    chart = pl.read_csv(files[f"orders-by-brand-13-weeks-2026-w13-2026-w25-23-mar-21-jun-2026{tail}"])
    customers = pl.read_csv(ROOT_DATA / "customers.csv").filter(pl.col("region") == "north")
    mine = orders.filter(
        (pl.col("channel") == "web") & pl.col("customer_id").is_in(customers["customer_id"].to_list())
    )
    expected = {name: 0.0 for name in ("Alpine", "Hearth", "Stride", "Tiny")} | by_hand(mine)
    assert dict(zip(chart["name"], chart["value"], strict=True)) == expected
    labels = [b.proto.label for b in at.get("download_button")]
    # No channel pair of orders differs: the pairs, against the previous weeks, and the segment table.
    assert labels.count("CSV") == 3 and labels.count("Table as CSV") == 3
    # The zip: the three charts, the comparison table and the previous weeks' table (the segment
    # table's numbers are its chart's CSV); their images need Chromium (without it,
    # app/test_clean_machine.py: the CSVs only).
    formats = "PNG + SVG + CSV" if images.chromium_path() else "CSV"
    assert f"All 3 charts and 2 tables ({formats}, zip)" in labels


# --- 'Select all' is 'All' (issue 19) ---------------------------------------------------

UNKNOWN = "Unknown / guest"
LEFT_OUT = "Guest orders and customers without a region are left out"


@pytest.fixture(scope="module")
def customers(example_dir) -> pl.DataFrame:
    return pl.read_csv(example_dir / "data" / "customers.csv")


def notes(at) -> list[str]:
    return [c.value for c in at.caption if "filter_alt_off" in c.value]


def test_every_region_selected_is_all_only_with_unknown_and_leaving_it_out_is_said(app, small_db, orders):
    at = app(small_db, PAGE, metric="Orders")
    region = at.multiselect(key="region")
    assert region.options == ["east", "north", "south", UNKNOWN]
    region.set_value(["east", "north", "south"]).run()
    assert not at.exception
    # Every customer of the example has a region: only the guest orders are left out, and said so.
    assert dots(at) == by_hand(orders.filter(pl.col("customer_id").is_not_null()))
    assert any(LEFT_OUT in n and f"“{UNKNOWN}”" in n for n in notes(at))
    at.multiselect(key="region").set_value(["east", "north", "south", None]).run()
    assert not at.exception
    assert dots(at) == by_hand(orders)  # every value: the same as no filter
    assert notes(at) == []


def test_a_link_to_unknown_segment_shows_guests_and_customers_without_one(app, small_db, orders, customers):
    at = app(small_db, PAGE, metric="Orders", segment="unknown / GUEST")  # any case, like every value
    assert not at.exception
    assert not at.warning
    assert at.multiselect(key="segment").value == [None]
    assert at.query_params["segment"] == UNKNOWN  # the link now reads as the option
    no_segment = orders.join(customers.select("customer_id", "segment"), on="customer_id", how="left").filter(
        pl.col("segment").is_null()
    )
    assert dots(at) == by_hand(no_segment)
    assert any(formatting.plain(f"segment: {UNKNOWN}") in c.value for c in at.caption)  # as shown


def test_customer_purpose_is_a_filter_with_unknown_too(app, small_db):
    at = app(small_db, PAGE, purpose="gift")  # NPS, from customer surveys
    assert not at.exception
    purpose = at.multiselect(key="purpose")
    assert purpose.options[-1] == UNKNOWN and "gift" in purpose.options
    assert purpose.value == ["gift"]
    assert any("Responses that state no customer purpose are left out" in n for n in notes(at))
    at.selectbox(key="metric").set_value("orders").run()
    assert notes(at) == [
        ":material/filter_alt_off: The customer purpose filter applies to customer surveys only, not to orders."
    ]
