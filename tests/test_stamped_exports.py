"""Stamped exports (issue 19): an exported image says its period, scope,
filters, as-of instant and source; file names carry the filters; the data
behind a chart or table downloads as CSV (formula-safe), and a page's zip
holds every chart's PNG, SVG and CSV, its tables' CSV and a README.

The worked example (tests/data/small/data), its 13 weeks to 2026-W25,
filtered to the north region and the loyal segment. Images are rendered
by the real Kaleido and Chromium."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import polars as pl
import pytest
from hostile import BRAND_ID, COMPANY_NAME

from purpose_metrics import catalog, db, reading, views
from purpose_metrics.charts import interval_chart, scope_colours, small_multiples
from purpose_metrics.export import images
from purpose_metrics.export.bundle import ChartFile, TableFile, zip_export
from purpose_metrics.export.stamp import Stamp, as_of_text, scope_text
from purpose_metrics.metrics.dataset import Filters

WEEK, SPAN = "2026-W25", 13
FILTERS = Filters(region=("north",), segment=("loyal",))
ORDERS, NPS = catalog.get("orders"), catalog.get("nps")
# 13 weeks to 2026-W25: [2026-03-23, 2026-06-22).
START, END = dt.datetime(2026, 3, 23), dt.datetime(2026, 6, 22)
NAMES = {"company": "Company", "alpine": "Alpine", "hearth": "Hearth", "stride": "Stride", "tiny": "Tiny"}


@pytest.fixture(scope="module")
def data(example_db):
    engine = db.make_engine(example_db)
    try:
        return reading.load_dataset(engine)
    finally:
        engine.dispose()


def orders_by_hand(example_dir) -> dict[str, float]:
    """Completed orders of north-region loyal customers in the 13 weeks,
    per scope, counted from the example's CSV files."""
    folder = example_dir / "data"
    customers = pl.read_csv(folder / "customers.csv").filter(
        (pl.col("region") == "north") & (pl.col("segment") == "loyal")
    )
    orders = pl.read_csv(folder / "orders.csv", try_parse_dates=True).filter(
        (pl.col("status") == "completed")
        & pl.col("ordered_at").is_between(START, END, closed="left")
        & pl.col("customer_id").is_in(customers["customer_id"].to_list())
    )
    counts = {NAMES[b]: float(n) for b, n in orders.group_by("brand_id").len().iter_rows()}
    return {name: 0.0 for name in NAMES.values()} | counts | {"Company": float(orders.height)}


def page_stamp(data, filters: Filters = FILTERS, metric=ORDERS) -> Stamp:
    """As the Brands page builds it (ui/page.stamp)."""
    window = views.comparison_window(WEEK, SPAN, metric)
    return Stamp(
        period=window.label,
        period_key=f"{WEEK}_{SPAN}w",
        scope=scope_text(views.scopes(data), views.scope_names(data)),
        filters=filters,
        as_of=as_of_text(data.as_of, data.timezone),
        company=views.company_info(data)["name"],
        note=views.filter_note(metric, filters),
        page="Brands and segments",
    )


def _stamp(**kw) -> Stamp:
    return Stamp(**({"period": "13 weeks", "period_key": "2026-W46_13w", "scope": "Company"} | kw))


def test_a_filtered_export_s_file_name_carries_the_period_and_every_filter_value():
    stamp = _stamp(filters=Filters(region=("north",), segment=("premium", "value")))
    assert stamp.file_name("Net revenue by brand — 52 weeks", "png") == (
        "net-revenue-by-brand-52-weeks_2026-W46_13w_region-north_segment-premium-value.png"
    )
    assert _stamp().file_name("Net revenue by brand", "csv") == "net-revenue-by-brand_2026-W46_13w.csv"
    assert _stamp(scope_key="hearth").file_name("NPS", "svg") == "nps_2026-W46_13w_hearth.svg"
    # A long title is cut, never the period or the filters.
    long = _stamp(filters=Filters(channel=("web",))).file_name("A very long chart title " * 8, "png")
    assert len(long) <= 120 and long.endswith("_2026-W46_13w_channel-web.png")
    # Many values: each filter with several is counted, so the name stays whole.
    many = _stamp(filters=Filters(region=("central", "east", "north", "south", "west"), segment=("core",)))
    # "region-central-east-north-south-west_segment-core": 50 characters, under the limit of 60: all of them.
    assert (
        many.file_name("NPS", "png")
        == "nps_2026-W46_13w_region-central-east-north-south-west_segment-core.png"
    )
    many = _stamp(filters=Filters(region=tuple(f"region-number-{i}" for i in range(9))))
    assert many.file_name("NPS", "png") == "nps_2026-W46_13w_region-9-values.png"


def test_unknown_or_guest_reads_unknown_in_a_file_name():
    stamp = _stamp(filters=Filters(region=("north", None)))
    assert stamp.file_name("NPS", "png") == "nps_2026-W46_13w_region-north-unknown.png"


def test_a_filter_value_from_the_data_becomes_safe_characters_in_a_file_name():
    name = _stamp(filters=Filters(channel=(BRAND_ID, "../x"))).file_name("NPS", "csv")
    assert name == "nps_2026-W46_13w_channel-HYPERLINK-http-127-0-0-1-9-x-click-x.csv"
    assert name.replace("-", "").replace("_", "").replace(".", "").isalnum()


def test_the_stamp_says_period_scope_filters_what_they_miss_as_of_and_source(data):
    stamp = page_stamp(data, Filters(channel=("web",)), NPS)
    first, second = stamp.lines()
    assert first == (
        "13 weeks 2026-W13 – 2026-W25 (23 Mar – 21 Jun 2026) · Company and every brand · Filters: channel: web "
        "(The channel filter applies to orders only, not to customer surveys)"
    )
    assert second.startswith("Data as of ") and second.endswith(" · Source: Purpose Metrics · Holdout Goods")
    assert as_of_text(data.as_of, data.timezone) in second
    assert page_stamp(data, Filters()).filters_text == "No filters"


@pytest.mark.browser
def test_the_brands_zip_holds_png_svg_csv_per_chart_the_comparison_table_and_a_readme(data, example_dir):
    stamp = page_stamp(data)
    window = views.comparison_window(WEEK, SPAN, ORDERS)
    compared = views.by_scope(data, "orders", window.period, FILTERS)
    trends = views.by_scope(data, "orders", window.trend, FILTERS)
    pairs = views.pairwise(compared, ORDERS)
    colours = scope_colours(data.brand_ids)
    title = f"Orders by brand — {window.label}"
    charts = [
        ChartFile(title, interval_chart(compared, ORDERS, colours, title), compared),
        ChartFile("Orders, weekly", small_multiples(trends, ORDERS, colours, "Orders, weekly"), trends),
    ]
    blob = zip_export(charts, [TableFile("Orders: where brands differ", pairs)], stamp)

    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = sorted(zf.namelist())
        first = stamp.file_name(title, "x").removesuffix(".x")
        assert first.startswith("orders-by-brand-13-weeks-2026-w13")
        assert first.endswith("_2026-W25_13w_region-north_segment-loyal")
        assert names == sorted([
            "README.txt",
            f"{first}.png", f"{first}.svg", f"{first}.csv",
            "orders-weekly_2026-W25_13w_region-north_segment-loyal.png",
            "orders-weekly_2026-W25_13w_region-north_segment-loyal.svg",
            "orders-weekly_2026-W25_13w_region-north_segment-loyal.csv",
            "orders-where-brands-differ_2026-W25_13w_region-north_segment-loyal.csv",
        ])  # fmt: skip
        png, svg = zf.read(f"{first}.png"), zf.read(f"{first}.svg").decode()
        chart_csv = pl.read_csv(zf.read(f"{first}.csv"), try_parse_dates=True)
        table_csv = pl.read_csv(zf.read(names[-1]))
        readme = zf.read("README.txt").decode()

    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1600, 900)
    # The SVG is text: the stamp is in the picture, word for word.
    for words in (
        "13 weeks 2026-W13 – 2026-W25 (23 Mar – 21 Jun 2026)",
        "Company and every brand",
        "Filters: region: north; segment: loyal",
        f"Data as of {as_of_text(data.as_of, data.timezone)}",
        "Source: Purpose Metrics · Holdout Goods",
    ):
        assert words in svg, words
    # The CSV behind the chart is the chart's data: the frame it was drawn from, and the orders of
    # north-region loyal customers counted here from the example's files.
    assert chart_csv.select("scope", "name", "value", "n").equals(
        compared.select("scope", "name", "value", "n")
    )
    counted = orders_by_hand(example_dir)
    assert dict(zip(chart_csv["name"], chart_csv["value"], strict=True)) == counted
    assert counted["Company"] > 0 and counted["Company"] == sum(
        v for k, v in counted.items() if k != "Company"
    )
    assert table_csv.select("brand_a", "brand_b", "verdict").equals(
        pairs.select("brand_a", "brand_b", "verdict")
    )
    for words in ("Period:   13 weeks 2026-W13", "Scope:    Company and every brand",
                  "Filters:  region: north; segment: loyal", "Source:   Purpose Metrics · Holdout Goods",
                  f"{first}.csv  the data behind the chart {title}", "table: Orders: where brands differ"):  # fmt: skip
        assert words in readme, words


@pytest.mark.browser
def test_a_stamp_from_hostile_data_is_drawn_as_written():
    stamp = _stamp(company=COMPANY_NAME, filters=Filters(channel=(BRAND_ID,)))
    fig = interval_chart(
        pl.DataFrame({"scope": ["company"], "name": ["Company"], "value": [1.0], "ci_low": [0.5], "ci_high": [1.5],
                      "target": [None], "n": [50], "suppressed": [False], "immature": [False]}),
        NPS, {}, "NPS",
    )  # fmt: skip
    svg = images.render_images([fig], ("svg",), stamps=[stamp])[0]["svg"].decode()
    text = svg.replace("&#60;", "&lt;").replace("&#62;", "&gt;")
    assert "font-weight:bold" not in svg  # COMPANY_NAME's <b> is text, not markup
    assert "Source: Purpose Metrics · Holdout &lt;b&gt;Goods&lt;/b&gt; :blue[co] $x$" in text
    assert 'Filters: channel: =HYPERLINK("http://127.0.0.1:9/x","click")' in svg.replace("&quot;", '"')


def test_csv_in_the_zip_neutralises_formulas_and_the_readme_is_plain_text():
    stamp = _stamp(company="Acme\u202e\nCo", filters=Filters(channel=(BRAND_ID,)))
    frame = pl.DataFrame(
        {"name": [BRAND_ID, "+1", "-2", "@SUM(A1)", "ok"], "value": [-1.5, 2.0, 3.0, 4.0, 5.0]}
    )
    blob = zip_export([], [TableFile("Hostile", frame)], stamp)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        csv = pl.read_csv(zf.read("hostile_2026-W46_13w_channel-HYPERLINK-http-127-0-0-1-9-x-click.csv"))
        readme = zf.read("README.txt").decode()
    assert csv["name"].to_list() == ["'" + BRAND_ID, "'+1", "'-2", "'@SUM(A1)", "ok"]
    assert csv["value"].to_list() == [-1.5, 2.0, 3.0, 4.0, 5.0]  # numbers stay numbers
    assert "Source:   Purpose Metrics · Acme Co" in readme and "\u202e" not in readme
