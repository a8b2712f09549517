"""The colours the page draws outside charts (the home page's scope dots and
the KPI cards' words) on Streamlit's light or dark ground (issue 19): the
company's dark-grey dot was barely visible on the dark background.

Contrast is WCAG 2's ratio, computed here from the sRGB formula."""

from __future__ import annotations

import pytest

from purpose_metrics.charts import theme
from purpose_metrics.ui import scorecards


def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


DARK_GROUND = "#171614"  # Streamlit's dark background (theme.DARK_PAPER)


def test_on_the_light_ground_every_colour_is_unchanged():
    for colour in ("#333333", "#0072B2", "#C62828", "#1A7F37", "#B7791F"):
        assert theme.page_colour(colour, dark=False) == colour


def test_on_the_dark_ground_the_company_dot_turns_light_and_stands_out():
    company = theme.scope_colours(["a"])["company"]
    assert contrast(company, DARK_GROUND) < 1.5  # the problem: #333333 on #171614
    shown = theme.page_colour(company, dark=True)
    assert shown == theme.DARK_SWAPS[company]  # the light ink the charts draw the company in
    assert contrast(shown, DARK_GROUND) >= 4.5


def test_brand_dots_keep_their_colour_as_in_the_charts():
    for brand in theme.BRAND_PALETTE:
        assert theme.page_colour(brand, dark=True) == brand


@pytest.mark.parametrize("status", ["green", "amber", "red"])
def test_status_words_on_the_dark_ground_read_at_4_5_to_1(status):
    light = theme.STATUS_COLOURS[status]
    shown = theme.page_colour(light, dark=True)
    assert contrast(shown, DARK_GROUND) >= 4.5
    assert contrast(light, "#FFFFFF") >= 3.5  # the light theme's own colour, unchanged there


def test_the_cards_take_the_dark_colours_only_on_the_dark_theme():
    row = {
        "metric_id": "return_rate", "value": 7.0, "status": "red", "target": 5.5, "grain": "week",
        "period_start": None, "n": 120, "suppressed": False, "immature": False, "change": 1.0, "trend": [5.0, 7.0],
        "compared": None,
    }  # fmt: skip
    red, dark_red = theme.STATUS_COLOURS["red"], theme.page_colour(theme.STATUS_COLOURS["red"], dark=True)
    assert red != dark_red
    assert f"color:{red}" in scorecards.card_html(row, "EUR") and dark_red not in scorecards.card_html(
        row, "EUR"
    )
    assert f"color:{dark_red}" in scorecards.card_html(row, "EUR", dark=True)
    assert f".pm-worse {{color: {dark_red};}}" in scorecards.card_style(dark=True)
    assert f".pm-worse {{color: {red};}}" in scorecards.card_style(dark=False)
