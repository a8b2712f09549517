"""Shared filter widgets, bound to the URL's query parameters.

Each widget takes a `key`, which is also its query parameter, so a copied
link opens the same view. Streamlit drops a URL value that is not an option;
these wrappers read it first and say so in a sentence, then show the
default. Never an exception for what someone typed into a URL.

A link decides the same way everywhere: a parameter given twice
(`?brand=Verde&brand=Nope`) counts by its FIRST value, for the widget and
the sentence alike, and a value matches an option's label in any case
(`?cohort=month` is "Month"). Streamlit's own binding seeds a select box
from the last value and matches case exactly, so before such a widget
first appears its parameter is rewritten to the decided label (or removed,
for the default) and the page runs again: Streamlit then reads a link that
says exactly what is shown, and so does the address bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import catalog, formatting, views
from ..metrics.dataset import Filters, value_label
from ..periods import PERIOD_KINDS, Period, PeriodError, week_calendar
from . import access

_SHOWN = 40  # characters of a bad URL value repeated back
# Session state: the link as rewritten ("link") and the notices about what
# it asked for ("notices", by parameter), shown on every run while the
# address still reads that way.
_REWRITTEN = "_url_rewritten"


def _quote(raw: str) -> str:
    """A value from the URL, repeated back as text (never as Markdown)."""
    return f"“{formatting.plain(raw.strip(), _SHOWN)}”"


def _url_values(key: str) -> list[str]:
    try:
        return st.query_params.get_all(key)
    except Exception:  # a malformed query string is no reason to fail
        return []


def notice(text: str) -> None:
    """A sentence about a link that asked for something we cannot show."""
    st.warning(text, icon=":material/link_off:")


def _match(raw: str, options: Sequence[Any], labels: Sequence[Callable[[Any], str]]) -> Any | None:
    """The option a URL value names: one of its labels exactly, else the one
    option whose label it is in another case; None when it names none."""
    for label in labels:
        for option in options:
            if label(option) == raw:
                return option
    wanted = raw.strip().casefold()
    found = {i for label in labels for i, option in enumerate(options) if label(option).casefold() == wanted}
    return options[found.pop()] if len(found) == 1 else None


def _link() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The whole query string, as (parameter, values) pairs."""
    try:
        return tuple(sorted((key, tuple(st.query_params.get_all(key))) for key in st.query_params))
    except Exception:  # a malformed query string is no reason to fail
        return ()


def _settle_link(key: str, decide: Callable[[list[str]], tuple[list[str], str | None]]) -> None:
    """Before the widget bound to `key`: when it first appears, read its
    parameter's values and let `decide` say which labels the widget should
    show ([] for its default) and what to tell the person; when the link
    says anything else, rewrite the parameter and run the page again. Shows
    the notices of the link's rewrites while the address still reads that
    way (a choice in a bound widget changes it, and the notices go)."""
    settled = st.session_state.get(_REWRITTEN)
    if settled is not None and settled["link"] != _link():
        del st.session_state[_REWRITTEN]
        settled = None
    notices = dict(settled["notices"]) if settled else {}
    asked = [] if key in st.session_state else _url_values(key)  # on screen: the person's choice
    if asked:
        labels, message = decide(asked)
        if labels != asked:
            try:
                if labels:
                    st.query_params[key] = labels if len(labels) > 1 else labels[0]
                else:
                    del st.query_params[key]
            except Exception:  # still bound from another page: Streamlit's reading stands
                notices[key] = message
            else:
                notices[key] = message
                st.session_state[_REWRITTEN] = {"link": _link(), "notices": notices}
                st.rerun()
    if notices.get(key):
        notice(notices[key])


def coming_choice(
    key: str, options: Sequence[Any], default: Any, format_func: Callable[[Any], str] = str
) -> Any:
    """What `url_select(key=key, ...)` will most likely return in this run,
    known before its widget is drawn (for a computation started ahead):
    the widget's state, else the link's value, else the default."""
    options = list(options)
    held = st.session_state.get(key)
    if held in options:
        return held
    raw = st.query_params.get(key)
    chosen = _match(raw, options, [format_func]) if raw is not None else None
    return default if chosen is None else chosen


def url_select(
    label: str,
    options: Sequence[Any],
    *,
    key: str,
    default: Any,
    format_func: Callable[[Any], str] = str,
    explain: Callable[[str], str] | None = None,
    container: DeltaGenerator | None = None,
    segmented: bool = False,
    help: str | None = None,
    also_matches: Callable[[Any], str] | None = None,
) -> Any:
    """A single choice bound to `?key=`; an unknown URL value gets a notice
    (worded by `explain`) and the default. A URL value may also name an
    option by `also_matches` (a brand's name as written, when the label
    shown is escaped for Markdown)."""
    where = container or st
    options = list(options)
    labels = [format_func] + ([also_matches] if also_matches else [])

    def decide(asked: list[str]) -> tuple[list[str], str | None]:
        raw = asked[0]
        chosen = _match(raw, options, labels)
        if chosen is not None:
            return [format_func(chosen)], None
        message = (
            explain(raw)
            if explain
            else f"The link asked for {label.lower()} {_quote(raw)}, which does not exist"
        )
        return [], f"{message}; showing {format_func(default)} instead."

    _settle_link(key, decide)
    if segmented:
        value = where.segmented_control(
            label, options, default=default, required=True, format_func=format_func,
            key=key, bind="query-params", help=help,
        )  # fmt: skip
        return default if value is None else value
    return where.selectbox(
        label, options, index=options.index(default), format_func=format_func,
        key=key, bind="query-params", help=help,
    )  # fmt: skip


ISO_WEEK_HELP = "ISO week, Monday to Sunday."
NRF_WEEK_HELP = (
    "Fiscal week of the NRF 4-5-4 retail calendar, Sunday to Saturday (FY2026 runs 1 Feb 2026 – 30 Jan 2027)."
)


def week_picker(
    weeks: Sequence[str],
    default: str,
    *,
    container: DeltaGenerator | None = None,
    key: str = "week",
    label: str = "Week",
    help: str | None = None,
) -> str:
    """A week with data (latest first) of the company's calendar,
    `?week=2026-W10` (ISO) or `?week=FY2026-W08` (NRF; or `?<key>=`: a page
    whose weeks differ from the others' keeps its own, so a visit there
    does not move the week of the rest). A link in the other calendar gets a
    notice saying which calendar the company reads, and the default."""
    nrf = week_calendar(default).nrf

    def explain(raw: str) -> str:
        if nrf and not week_calendar(raw).nrf:
            return (
                f"The link's week {_quote(raw)} is an ISO week; this company reads its weeks on the NRF 4-5-4 "
                f"calendar (fiscal weeks like {default})"
            )
        if not nrf and week_calendar(raw).nrf:
            return f"The link's week {_quote(raw)} is a fiscal (NRF) week; this company reads ISO weeks like {default}"
        try:
            week_calendar(raw).parse_week(raw)
        except PeriodError:
            like = "a fiscal week like FY2026-W08" if nrf else "an ISO week like 2026-W10"
            return f"The link's week {_quote(raw)} is not {like}"
        return f"There is no data for week {_quote(raw)}"

    if help is None:
        help = (NRF_WEEK_HELP if nrf else ISO_WEEK_HELP) + (
            " The default is the latest week with data, marked partial while it is open."
        )
    return url_select(
        label, weeks, key=key, default=default, explain=explain, container=container, help=help,
    )  # fmt: skip


def scope_picker(
    scope_ids: Sequence[str], names: dict[str, str], *, container: DeltaGenerator | None = None
) -> str:
    """The company or one brand, `?brand=Alpine` (the brand's name). A
    segmented control shows its options as Markdown, so there a name is
    escaped (`formatting.plain`); a link may still give it as written."""
    segmented = len(scope_ids) <= 7
    default = "company" if "company" in scope_ids else scope_ids[0]

    def explain(raw: str) -> str:
        # A brand that exists but is not this person's reads as one that does
        # not (the link learns nothing), and the attempt is audited.
        hidden = [s for s in names if s not in scope_ids and _match(raw, [s], [str, lambda b: names[b]])]
        if hidden:
            access.once(
                "scope", hidden[0], "view", "denied", scope=hidden[0], detail="a link named this scope"
            )
        everything = "company" in scope_ids and len(scope_ids) == len(names)
        return f"There is no brand {_quote(raw)}" + ("" if everything else " among those you can see")

    return url_select(
        "Company or brand", scope_ids, key="brand", default=default,
        format_func=(lambda s: formatting.plain(names.get(s, s))) if segmented else (lambda s: names.get(s, s)),
        also_matches=lambda s: names.get(s, s),
        explain=explain,
        container=container, segmented=segmented,
    )  # fmt: skip


def week_steps(
    weeks: Sequence[str], week: str, *, key: str = "week", container: DeltaGenerator | None = None
) -> None:
    """'‹' (previous) and '›' (next) beside a week picker (`weeks` latest first):
    one click moves the picker (and the link) a week."""
    where = container or st
    i = list(weeks).index(week) if week in weeks else -1

    def step(to: str) -> None:
        st.session_state[key] = to

    row = where.container(horizontal=True, gap="xsmall", wrap=False)  # side by side, even on a phone
    left = right = row
    older = weeks[i + 1] if 0 <= i < len(weeks) - 1 else None
    newer = weeks[i - 1] if i > 0 else None
    left.button("", icon=":material/chevron_left:", key=f"{key}_previous", disabled=older is None, on_click=step, args=(older,),
                help=f"Previous week: {older}" if older else "No earlier week with data")  # fmt: skip
    right.button("", icon=":material/chevron_right:", key=f"{key}_next", disabled=newer is None, on_click=step, args=(newer,),
                 help=f"Next week: {newer}" if newer else "This is the latest week with data")  # fmt: skip


def period_kind_picker(*, container: DeltaGenerator | None = None, nrf: bool = False) -> str:
    """Week (the default), month, quarter, year to date or a custom range,
    `?period=month` (a link may name a kind by its key or its label); on the
    NRF calendar weeks, months, quarters and years are fiscal ones."""
    help = (
        "Week: Monday to Sunday. Month and quarter: calendar ones. Year to date: 1 January to the "
        "latest day with data."
        if not nrf
        else "On the company's NRF 4-5-4 retail calendar: week: Sunday to Saturday; month and quarter: "
        "fiscal ones (4, 5 and 4 weeks); year to date: from the fiscal year's first day (the Sunday after the "
        "Saturday nearest 31 January) to the latest day with data."
    )
    return url_select(
        "Period", list(PERIOD_KINDS), key="period", default="week", format_func=PERIOD_KINDS.__getitem__,
        also_matches=str, segmented=True, container=container,
        explain=lambda raw: f"The link's period {_quote(raw)} is not one of {', '.join(PERIOD_KINDS)}",
        help=help + " Custom: any days. Each is compared with the period before it of the same kind, "
        "and with the same period last year.",
    )  # fmt: skip


def _period_choice(kind: str, keys: Sequence[str], key: str, label: str, example: str,
                   container: DeltaGenerator | None) -> str:  # fmt: skip
    """One month, quarter or year with data (latest first) by its label
    ("June 2026", "Q2 2026", "FY2026-M03 · 5 Apr – 2 May 2026"),
    `?month=2026-06`, `?month=June 2026` or `?month=FY2026-M03`."""

    def name(k: str) -> str:
        if kind == "month":
            return Period.month(k).label
        if kind == "quarter":
            return Period.quarter(k).label if k.startswith("FY") else f"Q{k[-1]} {k[:4]}"
        return k

    def explain(raw: str) -> str:
        return f"There is no data for the {label.lower()} {_quote(raw)} (write it like {example})"

    return url_select(label, list(keys), key=key, default=keys[0], format_func=name, also_matches=str,
                      explain=explain, container=container)  # fmt: skip


def month_picker(months: Sequence[str], *, container: DeltaGenerator | None = None) -> Period:
    return Period.month(_period_choice("month", months, "month", "Month", months[0], container))


def quarter_picker(quarters: Sequence[str], *, container: DeltaGenerator | None = None) -> Period:
    return Period.quarter(_period_choice("quarter", quarters, "quarter", "Quarter", quarters[0], container))


def year_picker(years: Sequence[str], *, container: DeltaGenerator | None = None) -> str:
    return _period_choice("ytd", years, "year", "Year", years[0], container)


def _date_param(key: str, label: str, first: dt.date, last: dt.date) -> None:
    """Check `?from=`/`?to=` before its date input: a malformed date or one
    outside the data's days gets a notice and the default."""

    def decide(asked: list[str]) -> tuple[list[str], str | None]:
        raw = asked[0]
        try:
            day = dt.date.fromisoformat(raw.strip())
        except ValueError:
            return (
                [],
                f"The link's {label.lower()} date {_quote(raw)} is not a date like 2026-06-01; showing the default instead.",
            )
        if not first <= day <= last:
            return [], (f"The link's {label.lower()} date {_quote(raw)} is outside the data "
                        f"({formatting.day_month_year(first)} – {formatting.day_month_year(last)}); showing the default instead.")  # fmt: skip
        return [day.isoformat()], None

    _settle_link(key, decide)


def custom_range(
    first: dt.date, last: dt.date, *, containers: Sequence[DeltaGenerator], cal: str = "iso"
) -> Period:
    """Any days within the data, `?from=2026-06-01&to=2026-06-14` (both days
    included). The default: the latest four weeks of data."""
    default_from = max(first, last - dt.timedelta(days=27))
    _date_param("from", "From", first, last)
    _date_param("to", "To", first, last)
    start = containers[0].date_input("From", value=default_from, min_value=first, max_value=last, key="from",
                                     bind="query-params", format="YYYY-MM-DD")  # fmt: skip
    end = containers[1].date_input("To (included)", value=last, min_value=first, max_value=last, key="to",
                                   bind="query-params", format="YYYY-MM-DD")  # fmt: skip
    if end < start:
        notice(f"The range ends ({end}) before it starts ({start}): showing {end} to {start}.")
        start, end = end, start
    return Period.custom(start, end, cal)


def metric_picker(
    *,
    key: str,
    default: str,
    label: str = "Metric",
    container: DeltaGenerator | None = None,
    metric_ids: Sequence[str] = views.METRIC_ORDER,
) -> str:
    """A metric of the catalog by its label, grouped by pillar, `?metric=NPS`."""
    return url_select(
        label, list(metric_ids), key=key, default=default,
        format_func=lambda m: catalog.get(m).label,
        explain=lambda raw: f"There is no metric {_quote(raw)}",
        container=container,
        help="Every metric of the catalog; the Data page has their definitions.",
    )  # fmt: skip


def span_picker(
    *, default: str = "13 weeks", container: DeltaGenerator | None = None, label: str = "Period"
) -> int:
    """How many weeks, ending with the chosen one, `?span=13 weeks`."""
    label = url_select(
        label, list(views.SPANS), key="span", default=default,
        explain=lambda raw: f"The link's period {_quote(raw)} is not one of {', '.join(views.SPANS)}",
        container=container, segmented=True,
        help="Whole weeks ending with the chosen week. Monthly metrics use the whole months inside.",
    )  # fmt: skip
    return views.SPANS[label]


def dimension_picker(*, container: DeltaGenerator | None = None) -> str:
    """What to split a metric across, `?across=Region`."""
    return url_select(
        "Across", list(views.DIMENSIONS), key="across", default="channel",
        format_func=lambda d: views.DIMENSIONS[d][0],
        explain=lambda raw: f"The link's {_quote(raw)} is not one of channel, region, customer segment, customer purpose",
        container=container, segmented=True,
    )  # fmt: skip


# Each filter: (its Filters field and options key, its query parameter, its label).
_FILTERS = (
    ("channel", "channel", "Channel"),
    ("region", "region", "Region"),
    ("segment", "segment", "Customer segment"),
    ("customer_purpose", "purpose", "Customer purpose"),
)


def segment_filters(
    options: dict[str, list[str | None]], *, containers: Sequence[DeltaGenerator] | None = None
) -> Filters:
    """Channel, region, customer segment and customer purpose, each
    `?channel=web&channel=app`. Nothing chosen means no filter (everyone).
    A value matches in any case. Region, segment and purpose offer
    "Unknown / guest" (`?region=Unknown%20%2F%20guest`): the rows with no
    value, so that every value chosen is everyone too."""
    chosen: dict[str, tuple[str | None, ...] | None] = {}
    for i, (name, key, label) in enumerate(_FILTERS):
        where = containers[i] if containers else st
        values = options.get(name, [])
        labels = [value_label(v) for v in values]

        def decide(
            asked: list[str], labels: list[str] = labels, label: str = label
        ) -> tuple[list[str], str | None]:
            matched = [_match(v, labels, [str]) for v in asked]
            unknown = [v for v, m in zip(asked, matched, strict=True) if m is None]
            message = None
            if unknown:
                one = len(unknown) == 1
                message = (
                    f"The link's {label.lower()} {', '.join(_quote(v) for v in unknown)} "
                    f"{'is' if one else 'are'} not in the data and {'was' if one else 'were'} ignored."
                )
            return list(dict.fromkeys(m for m in matched if m is not None)), message

        _settle_link(key, decide)
        picked = where.multiselect(
            label, values, key=key, bind="query-params", placeholder="All", format_func=value_label,
            disabled=not values,
        )  # fmt: skip
        chosen[name] = tuple(picked) if picked else None
    return Filters(**chosen)
