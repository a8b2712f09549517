"""Numbers as people read them: unit, currency, percentage points, words."""

from __future__ import annotations

import datetime as dt

from purpose_metrics import catalog
from purpose_metrics import formatting as f

M = catalog.get


def test_money_uses_the_symbol_of_the_company_currency_or_its_code():
    assert f.value_text(M("net_revenue"), 1234.4, "EUR") == "€1,234"
    assert f.value_text(M("aov"), 45.2, "GBP") == "£45.20"
    assert f.value_text(M("net_revenue"), 1234.4, "CHF") == "CHF 1,234"


def test_percentages_counts_and_units():
    assert f.value_text(M("returning_order_share"), 72.44, "EUR") == "72.4 %"
    assert f.value_text(M("orders"), 1234.0, "EUR") == "1,234 orders"
    assert f.value_text(M("ghg_intensity"), 1.234, "EUR") == "1.23 kg CO2e / order"
    assert f.value_text(M("customer_effort"), 5.666, "EUR") == "5.67 on 1–7"
    assert f.value_text(M("orders"), 1234.0, "EUR", with_unit=False) == "1,234"


def test_missing_values_are_words():
    assert f.value_text(M("nps"), None, "EUR", n=7, suppressed=True) == "suppressed (n = 7 < 10)"
    assert f.value_text(M("enps"), None, "EUR", n=3, suppressed=True) == "suppressed (n = 3 < 5)"
    assert f.value_text(M("repurchase_90d"), None, "EUR", n=40, immature=True) == "not yet measurable"
    assert f.value_text(M("aov"), None, "EUR") == "no data"
    assert f.value_text(M("aov"), float("nan"), "EUR") == "no data"


def test_changes_of_percentages_are_percentage_points():
    assert f.change_text(M("csat"), 1.24, "EUR") == "+1.2 pp"
    assert f.change_text(M("csat"), -0.04, "EUR") == "±0.0 pp"
    assert f.change_text(M("nps"), -3.0, "EUR") == "-3.0 points"
    assert f.change_text(M("aov"), -12.3, "EUR") == "-€12.30"
    assert f.change_text(M("orders"), 14.0, "EUR") == "+14"
    assert f.change_text(M("orders"), None, "EUR") is None
    assert f.is_zero_change(M("csat"), 0.04) and not f.is_zero_change(M("csat"), 0.06)


def test_card_labels_carry_the_unit_only_when_the_number_does_not():
    assert f.card_label(M("orders")) == "Orders"
    assert f.card_label(M("net_revenue")) == "Net revenue"
    assert f.card_label(M("ghg_intensity")) == "GHG intensity (kg CO2e / order)"
    assert f.card_label(M("delivery_co2e_per_order")) == "Delivery CO2e per order (kg)"
    assert f.card_label(M("engagement_index")) == "Engagement index (0–100)"


def test_intervals_and_periods():
    assert f.interval_text(M("csat"), 68.06, 76.34, "EUR") == "68.1 – 76.3 %"
    assert f.interval_text(M("csat"), None, 76.3, "EUR") is None
    assert f.week_range(dt.date(2026, 3, 2), dt.date(2026, 3, 9)) == "2 – 8 Mar 2026"
    assert f.week_range(dt.date(2026, 3, 30), dt.date(2026, 4, 6)) == "30 Mar – 5 Apr 2026"
    assert f.week_range(dt.date(2025, 12, 29), dt.date(2026, 1, 5)) == "29 Dec 2025 – 4 Jan 2026"


def test_plain_text_cannot_form_markdown():
    from purpose_metrics.formatting import plain

    j = "\u2060"  # a word joiner: Streamlit's autolinks and shortcodes run on the text after escapes
    assert plain("[x](https://evil.example) *b* :red[c] $d$") == (
        rf"\[x\](https\:{j}//evil.example) \*b\* \:{j}red\[c\] \$d\$"
    )
    assert plain("see www.evil.example") == f"see www{j}.evil.example"
    assert plain("a\nb\x00c\u202ed") == "a b cd"
    assert plain("my-file_2.csv") == r"my-file\_2.csv"
    assert plain("y" * 50, 40) == "y" * 40 + "…"


def test_plain_text_cannot_start_a_block_or_an_entity_or_an_autolink():
    from purpose_metrics.formatting import plain

    assert plain("- item") == r"\- item"  # a list
    assert plain("1. first") == r"1\. first"  # a numbered list
    assert plain("   # heading") == r"\# heading"  # leading spaces (a code block) go
    assert plain("AT&amp;T") == r"AT\&amp;T"  # shown as "AT&amp;T", not "AT&T"
    assert plain("me@evil.example") == "me@\u2060evil.example"
    assert plain("Bread & Butter (Deli)!") == "Bread & Butter (Deli)!"  # nothing to escape: "(" needs "["
    assert plain("a :material/warning: b") == "a \\:\u2060material/warning\\:\u2060 b"
    assert plain("<b>x</b>") == r"\<b\>x\</b\>"


def test_chart_text_is_html_escaped_for_plotly():
    from purpose_metrics.formatting import chart_text

    assert (
        chart_text("<a href='http://x/'>A & B</a><br>")
        == "&lt;a href='http://x/'&gt;A &amp; B&lt;/a&gt;&lt;br&gt;"
    )
    assert chart_text("$x$") == "&#36;x&#36;"  # Plotly reads $…$ as LaTeX
    assert chart_text("a\nb\u202ec") == "a bc"


def test_days_have_no_leading_zero_without_the_unportable_strftime_flag():
    assert f.day_month_year(dt.date(2026, 3, 2)) == "2 Mar 2026"
    assert f.day_month_year(dt.date(2026, 12, 31)) == "31 Dec 2026"
    assert f.day_month(dt.date(2026, 3, 9)) == "9 Mar"
    assert f.day_month_year_time(dt.datetime(2026, 3, 2, 7, 5)) == "2 Mar 2026, 07:05"


def test_no_strftime_format_in_the_code_uses_the_unportable_day_flag():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for folder in ("src", "pages")
        for path in (root / folder).rglob("*.py")
        if "%-d" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_numbers_that_are_not_numbers_are_never_printed_as_inf_or_nan():
    for value in (float("inf"), float("-inf"), float("nan")):
        assert f.money(value, "EUR") == "—"
        assert f.number(M("aov"), value, "EUR") == "—"
        assert f.value_text(M("aov"), value, "EUR") == "no data"
        assert f.change_text(M("aov"), value, "EUR") is None
    assert f.money(1e300, "EUR").startswith("€1,000,000")


def test_a_dollar_amount_in_markdown_cannot_open_a_formula():
    text = f"{f.money(1234, 'USD')} against {f.money(1000, 'USD')}"
    assert f.markdown_value(text) == r"\$1,234 against \$1,000"
    assert f.markdown_value("72.4 % (n = 4 < 10)") == "72.4 % (n = 4 < 10)"  # nothing else to escape
