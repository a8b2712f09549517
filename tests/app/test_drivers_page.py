"""The "Drivers" page (AppTest over the router): what brings customers back."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

from conftest import chart_specs

from purpose_metrics.export import images

PAGE = "pages/drivers.py"
LABELS = ["On-time delivery", "Purpose achieved", "First-contact resolution", "Cause participation"]


def opened(app, small_db, week: str, span: str, brand: str | None = None):
    # (A page switch keeps the widgets the router's first run made: the
    # week and the period are chosen with the widgets, as a person would.)
    at = app(small_db, PAGE)
    at.selectbox(key="until").set_value(week)
    at.button_group(key="span").set_value(span)
    if brand:
        at.button_group(key="brand").set_value(brand)
    return at.run()


def _as_of(example_dir) -> dt.datetime:
    with (example_dir / "data" / "orders.csv").open() as f:
        return max(dt.datetime.fromisoformat(r["ordered_at"]) for r in csv.DictReader(f))


def test_only_weeks_whose_90_days_are_over_are_offered_latest_first(app, small_db, example_dir):
    as_of = _as_of(example_dir)
    # By hand: the latest Monday m with m + 7 days + 90 days <= as_of.
    monday = (as_of - dt.timedelta(days=97)).date()
    monday -= dt.timedelta(days=monday.weekday())
    expected = f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"
    at = app(small_db, PAGE)
    assert not at.exception
    picker = at.selectbox(key="until")
    assert picker.value == expected
    assert picker.options[0] == expected


def test_one_week_matches_the_worked_example_row_by_row(app, small_db, example_dir):
    # ISO week 2026-W02 is 5-12 Jan 2026: the worked example's third drivers file.
    expected = json.loads((example_dir / "expected" / "drivers_2026-01-05_2026-01-12.json").read_text())
    at = opened(app, small_db, "2026-W02", "1 week")
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Driver"].tolist() == LABELS
    company = [r for r in expected if r["scope"] == "company"]
    # Every company row of that week is suppressed: sizes shown, no rate, no verdict.
    assert table["Came back: good [95 %]"].tolist() == [f"— of {r['n_good']:,}" for r in company]
    assert table["Came back: bad [95 %]"].tolist() == [f"— of {r['n_bad']:,}" for r in company]
    assert all(v.startswith("— cannot compare") for v in table["Verdict"])
    assert table["Revenue at stake"].tolist() == ["—"] * 4


def test_a_period_with_gaps_shows_rates_verdicts_and_revenue_in_the_currency(app, small_db):
    at = opened(app, small_db, "2025-W26", "26 weeks")
    assert not at.exception
    table = at.dataframe[0].value
    shown = table[table["Gap [95 % interval]"] != "—"]
    assert len(shown) >= 1
    for _, r in shown.iterrows():
        assert re.fullmatch(r"\d+\.\d % of [\d,]+ \[\d+\.\d–\d+\.\d\]", r["Came back: good [95 %]"])
        assert r["Verdict"] in ("✔ differs", "≈ no clear difference")
        assert r["Revenue at stake"].startswith("€")


def test_choosing_a_brand_shows_its_drivers(app, small_db):
    at = opened(app, small_db, "2025-W26", "26 weeks", brand="hearth")
    assert not at.exception
    spec = chart_specs(at)[0]
    assert spec["layout"]["title"]["text"] == "Hearth: who comes back within 90 days"
    # Every brand's gaps, company first.
    brands = at.dataframe[1].value
    assert list(brands.columns) == ["Driver", "Company", "Alpine", "Hearth", "Stride", "Tiny"]


def test_an_empty_database_says_so(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database holds no orders yet" in at.info[0].value


def test_a_brand_s_front_line_brief_shows_on_the_page_and_downloads(app, small_db):
    at = opened(app, small_db, "2025-W26", "26 weeks", brand="hearth")
    at.toggle(key="show_brief").set_value(True).run()
    assert not at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert "front-line brief, 2026-W25" in shown and "#### Hearth" in shown  # the latest complete week
    for heading in (
        "Furthest below target",
        "Late deliveries by region",
        "First-contact resolution by channel",
    ):
        assert heading in shown
    labels = [b.proto.label for b in at.get("download_button")]
    # The PDF needs Chromium (without it, app/test_clean_machine.py: a note instead).
    if images.chromium_path():
        assert labels[-2:] == ["Download the brief (Markdown)", "Download the brief (PDF)"]
    else:
        assert labels[-1] == "Download the brief (Markdown)"


def test_the_purpose_tree_labels_each_indicator_edge_with_its_driver_s_gap(app, small_db, example_db, capsys):
    from purpose_metrics.cli import main

    # The default: 13 weeks to 2026-W13, the latest week whose 90 days are over (29 Dec 2025 - 30 Mar 2026).
    assert (
        main(
            ["--db", example_db, "drivers", "--from", "2025-12-29", "--to", "2026-03-30", "--format", "json"]
        )
        == 0
    )
    company = [r for r in json.loads(capsys.readouterr().out) if r["scope"] == "company"]
    at = app(small_db, PAGE)
    assert not at.exception
    specs = chart_specs(at)
    tree = next(s for s in specs if s["layout"]["title"]["text"] == "Company: from purpose to revenue")
    labels = [a["text"] for a in tree["layout"]["annotations"]]
    expected = []
    for r in company:
        if r["difference_pp"] is None:
            expected.append("gap: too few to compare")
        else:
            differs = r["ci_low"] > 0 or r["ci_high"] < 0
            expected.append(f"{r['difference_pp']:+.1f} pp {'✔' if differs else '≈'}")
    assert labels == expected
