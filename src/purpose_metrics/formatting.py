"""Numbers as people read them: with their unit and the company's currency.

One place for every label the dashboard (and any export) prints, so a value
reads the same on a card, in a table, in a tooltip and on a slide:
"€1,234", "72.4 %", "+1.2 pp", "suppressed (n = 7 < 10)".
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import unicodedata
from collections.abc import Mapping

from .catalog import Metric

# ISO 4217 codes with a symbol everyone reads; any other code prints as a
# prefix ("CHF 1,234").
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}

# Units already carried by the number's own format (no suffix needed).
_SELF_EVIDENT = {"%", "currency", "points", "% of net revenue"}
# Scales read better after the number than as a unit name.
_SUFFIXES = {"score 1–7": "on 1–7", "index 0–100": "of 100"}

NO_DATA = "no data"
# A number that is not one (infinite, NaN): never printed as "inf" or "nan".
NOT_A_NUMBER = "—"
IMMATURE = "not yet measurable"
# A value from enough answers, hidden because showing it would let a smaller
# group be recovered by subtraction (secondary suppression, privacy.py).
WITHHELD = "withheld (protects a small group)"
MINUS = "-"  # ASCII: Streamlit reads a leading "-" as a fall in st.metric


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def money(value: float, currency: str, decimals: int | None = None) -> str:
    """€1,234 (no cents from a thousand up), €45.20 below; CHF 1,234 for other
    codes; "—" for an infinite or undefined amount."""
    if _is_missing(value):
        return NOT_A_NUMBER
    if decimals is None:
        decimals = 0 if abs(value) >= 1000 else 2
    sign = MINUS if value < 0 else ""
    number = f"{abs(value):,.{decimals}f}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper()) if currency else None
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{currency.upper()} {number}" if currency else f"{sign}{number}"


def number(metric: Metric, value: float, currency: str) -> str:
    """The bare number in the metric's format, without a unit suffix ("—"
    when it is infinite or undefined)."""
    if _is_missing(value):
        return NOT_A_NUMBER
    return _number(metric.fmt, value, currency) + (" %" if metric.fmt == "pct" else "")


def unit_suffix(metric: Metric) -> str:
    """What follows the number: '' for %, currency and points (self-evident)."""
    if metric.unit in _SELF_EVIDENT:
        return ""
    return _SUFFIXES.get(metric.unit, metric.unit)


# Decimal places of each number format ("currency" is money(); others: 2).
_DECIMALS = {"int": 0, "pct": 1, "points": 1, "float1": 1}


def _number(fmt: str, value: float, currency: str) -> str:
    """A finite value in its format, without the unit (value_text, change_text)."""
    if fmt == "currency":
        return money(value, currency)
    return f"{value:,.{_DECIMALS.get(fmt, 2)}f}"


def value_text(
    metric: Metric,
    value: float | None,
    currency: str,
    *,
    n: int | None = None,
    suppressed: bool = False,
    immature: bool = False,
    with_unit: bool = True,
) -> str:
    """A KPI value as shown: '72.4 %', '€1,234', '1.23 orders / customer',
    'suppressed (n = 7 < 10)', 'not yet measurable' or 'no data'."""
    if suppressed:
        minimum = metric.survey_min
        shown_n = 0 if n is None else int(n)
        if minimum and shown_n >= minimum:  # hidden so a smaller group cannot be subtracted out (privacy.py)
            return WITHHELD
        return f"suppressed (n = {shown_n} < {minimum})" if minimum else "suppressed"
    if immature:
        return IMMATURE
    if _is_missing(value):
        return NO_DATA
    text = number(metric, float(value), currency)
    suffix = unit_suffix(metric) if with_unit else ""
    return f"{text} {suffix}".strip()


def kpi_text(metric: Metric, row: Mapping[str, object], currency: str, *, with_unit: bool = True) -> str:
    """value_text of a KPI row (`kpi_frame`'s columns): its value, or why
    there is none (suppressed, not yet measurable, no data)."""
    return value_text(
        metric,
        row["value"],  # type: ignore[arg-type]
        currency,
        n=row["n"],  # type: ignore[arg-type]
        suppressed=bool(row["suppressed"]),
        immature=bool(row["immature"]),
        with_unit=with_unit,
    )


def _places(metric: Metric, size: float) -> int:
    """Decimals a number of this metric is shown with."""
    if metric.fmt == "currency":
        return 0 if size >= 1000 else 2
    return {"int": 0, "pct": 1, "points": 1, "float1": 1}.get(metric.fmt, 2)


def change_text(metric: Metric, change: float | None, currency: str) -> str | None:
    """A change between two values: '+1.2 pp' for percentages (percentage
    points), '+3.0 points' for NPS, '-€12.30', '+14', '±0.0 pp' when it
    rounds to nothing. None when unknown."""
    if _is_missing(change):
        return None
    size = round(abs(float(change)), _places(metric, abs(float(change))))
    sign = "±" if size == 0 else "+" if change > 0 else MINUS
    unit = {"pct": " pp", "points": " points"}.get(metric.fmt, "")
    return f"{sign}{_number(metric.fmt, size, currency)}{unit}"


def is_zero_change(metric: Metric, change: float | None) -> bool:
    """Whether a change rounds to zero in the metric's shown precision."""
    if _is_missing(change):
        return False
    return round(abs(float(change)), _places(metric, abs(float(change)))) == 0


def card_label(metric: Metric) -> str:
    """The label with the unit when the number alone does not say it:
    'GHG intensity (kg CO2e / order)', 'Engagement index (0–100)', but
    'Orders' and 'Net revenue' (the unit is in the name or the number)."""
    unit = metric.unit
    if unit in ("%", "currency", "points"):
        return metric.label
    label_words = set(metric.label.lower().replace("-", " ").split()) | {"per", "/"}
    first, *rest = unit.split()
    if first.lower() in label_words:  # 'Orders' needs no 'orders'; 'Engagement index' no 'index'
        unit = " ".join(rest)
    elif rest and all(w.lower() in label_words for w in rest):  # 'Delivery CO2e per order' (kg)
        unit = first
    return f"{metric.label} ({unit})" if unit else metric.label


def interval_text(metric: Metric, low: float | None, high: float | None, currency: str) -> str | None:
    """'68.1 – 76.3 %' for a 95 % interval; None without one."""
    if _is_missing(low) or _is_missing(high):
        return None
    lo = number(metric, float(low), currency)
    hi = number(metric, float(high), currency)
    if metric.fmt == "pct":
        lo = lo.removesuffix(" %")
    return f"{lo} – {hi}"


STATUS_WORDS = {"green": "on target", "amber": "near target", "red": "off target"}


def status_text(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", "no target")


def week_range(start: dt.date, end: dt.date) -> str:
    """'2 – 8 Mar 2026' for the half-open [start, end)."""
    last = end - dt.timedelta(days=1)
    if start.year != last.year:
        return f"{day_month_year(start)} – {day_month_year(last)}"
    if start.month != last.month:
        return f"{day_month(start)} – {day_month_year(last)}"
    return f"{start.day} – {day_month_year(last)}"


def month_name(start: dt.date) -> str:
    return f"{start:%B %Y}"


# What forms Markdown (or Streamlit's :colour[] directives, or $LaTeX$)
# anywhere in a line, escaped with a backslash: emphasis and code (* _ ` ~),
# links and images ([ ]), HTML and <autolinks> (< >), LaTeX ($), directives
# (:), table cells (|) and the backslash itself. "(", "!", "{" or "&" mean
# nothing without one of those (a name such as "Bread & Butter (Deli)!"
# stays as it is, in a link's address too), except "&" starting an entity
# ("&lt;").
_MARKDOWN_PUNCTUATION = frozenset("\\`*_[]<>$~:|")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Streamlit also rewrites the text itself, after escapes are read: GFM's
# autolink literals (http://…, www.…, name@host.tld) and its :shortcode: and
# :material/icon: replacements. An invisible word joiner after ":" and "@"
# and inside "www." breaks each of those patterns without changing what is
# read.
WORD_JOINER = "\u2060"
_JOINED_AFTER = frozenset(":@")
_WWW = re.compile(r"(www)(\\?\.)", re.IGNORECASE)
# What starts a block at the beginning of a line: a heading, a list or a
# rule ("# x", "- x", "+ x", "1. x", "3) x").
_BLOCK_START = re.compile(r"^(\d*)([-+#.)=])")


def _printable(text: str) -> str:
    """Control characters (line breaks too) as spaces; format characters
    (bidi overrides, zero-width joiners) that could make the text read
    differently dropped."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" else ch
        for ch in str(text)
        if unicodedata.category(ch) != "Cf"
    )


def plain(text: str, limit: int | None = None) -> str:
    """`text` to show as itself inside Markdown (any text that comes from
    data or from a link: names, purposes, labels, file names): the
    punctuation Markdown is made of escaped and Streamlit's text rewrites
    broken by a word joiner, so no link, image, bare URL, e-mail link,
    emphasis, heading, list, HTML, LaTeX, colour directive, emoji or icon can
    form; control characters and line breaks become spaces; cut to `limit`
    characters with an ellipsis."""
    text = _printable(text).lstrip()  # leading spaces would make a code block
    cut = limit is not None and len(text) > limit
    text = text[:limit] if cut else text
    escaped = "".join(
        (f"\\{ch}" if ch in _MARKDOWN_PUNCTUATION else ch) + (WORD_JOINER if ch in _JOINED_AFTER else "")
        for ch in text
    )
    escaped = _ENTITY.sub(r"\\&", _WWW.sub(rf"\1{WORD_JOINER}\2", escaped))
    escaped = _BLOCK_START.sub(r"\1\\\2", escaped)
    return escaped + ("…" if cut else "")


def markdown_value(text: str) -> str:
    """A value written by this module (value_text, money, change_text) inside
    Markdown: its dollar sign escaped, since two on a line ("$1,234 against
    $1,000") read as LaTeX. Nothing else in a value is Markdown; text from
    data goes through `plain`."""
    return text.replace("$", "\\$")


def chart_text(text: str, limit: int | None = None) -> str:
    """`text` to show as itself in a Plotly label (title, tick label, legend,
    hover text, annotation): Plotly reads <a>, <b>, <br>, <span style=…> and
    entities as markup and $…$ as LaTeX, so "&", "<", ">" become entities
    and "$" its numeric entity (Plotly shows both as the character); cut to
    `limit` characters (before escaping) with an ellipsis."""
    text = _printable(text)
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return html.escape(text, quote=False).replace("$", "&#36;")


def day_month_year(day: dt.date) -> str:
    """'2 Mar 2026': the day without a leading zero, from `day.day` (strftime's
    no-padding flag is glibc's, not portable: Windows has none)."""
    return f"{day.day} {day:%b %Y}"


def day_month(day: dt.date) -> str:
    """'2 Mar'."""
    return f"{day.day} {day:%b}"


def day_month_year_time(moment: dt.datetime) -> str:
    """'2 Mar 2026, 14:05'."""
    return f"{day_month_year(moment)}, {moment:%H:%M}"
