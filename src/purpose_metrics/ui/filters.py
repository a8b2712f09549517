"""Shared filter widgets, bound to the URL's query parameters.

Each widget takes a `key`, which is also its query parameter, so a copied
link opens the same view. Streamlit drops a URL value that is not an option;
these wrappers read it first and say so in a sentence, then show the
default. Never an exception for what someone typed into a URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import catalog, formatting, views
from ..metrics.dataset import Filters
from ..periods import PeriodError, parse_week

_SHOWN = 40  # characters of a bad URL value repeated back


def _quote(raw: str) -> str:
    """A value from the URL, repeated back as text (never as Markdown)."""
    return f"“{formatting.plain(raw.strip(), _SHOWN)}”"


def _url_value(key: str) -> str | None:
    try:
        return st.query_params.get(key)
    except Exception:  # a malformed query string is no reason to fail
        return None


def _url_values(key: str) -> list[str]:
    try:
        return st.query_params.get_all(key)
    except Exception:
        return []


def notice(text: str) -> None:
    """A sentence about a link that asked for something we cannot show."""
    st.warning(text, icon=":material/link_off:")


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
) -> Any:
    """A single choice bound to `?key=`; an unknown URL value gets a notice
    (worded by `explain`) and the default."""
    where = container or st
    raw = _url_value(key)
    if raw is not None and raw not in {format_func(o) for o in options}:
        message = (
            explain(raw)
            if explain
            else f"The link asked for {label.lower()} {_quote(raw)}, which does not exist"
        )
        notice(f"{message}; showing {format_func(default)} instead.")
    if segmented:
        value = where.segmented_control(
            label, options, default=default, required=True, format_func=format_func,
            key=key, bind="query-params", help=help,
        )  # fmt: skip
        return default if value is None else value
    return where.selectbox(
        label, options, index=list(options).index(default), format_func=format_func,
        key=key, bind="query-params", help=help,
    )  # fmt: skip


def week_picker(weeks: Sequence[str], default: str, *, container: DeltaGenerator | None = None) -> str:
    """An ISO week with data (latest first), `?week=2026-W10`."""

    def explain(raw: str) -> str:
        try:
            parse_week(raw)
        except PeriodError:
            return f"The link's week {_quote(raw)} is not an ISO week like 2026-W10"
        return f"There is no data for week {_quote(raw)}"

    return url_select(
        "Week", weeks, key="week", default=default, explain=explain, container=container,
        help="ISO week, Monday to Sunday. The default is the latest complete week.",
    )  # fmt: skip


def scope_picker(
    scope_ids: Sequence[str], names: dict[str, str], *, container: DeltaGenerator | None = None
) -> str:
    """The company or one brand, `?brand=Alpine` (the brand's name)."""
    return url_select(
        "Company or brand", scope_ids, key="brand", default="company",
        format_func=lambda s: names.get(s, s),
        explain=lambda raw: f"There is no brand {_quote(raw)}",
        container=container, segmented=len(scope_ids) <= 7,
    )  # fmt: skip


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


def span_picker(*, default: str = "13 weeks", container: DeltaGenerator | None = None) -> int:
    """How many weeks, ending with the chosen one, `?span=13 weeks`."""
    label = url_select(
        "Period", list(views.SPANS), key="span", default=default,
        explain=lambda raw: f"The link's period {_quote(raw)} is not one of {', '.join(views.SPANS)}",
        container=container, segmented=True,
        help="Whole weeks ending with the chosen week. Monthly metrics use the whole months inside.",
    )  # fmt: skip
    return views.SPANS[label]


_FILTER_LABELS = {"channel": "Channel", "region": "Region", "segment": "Customer segment"}


def segment_filters(
    options: dict[str, list[str]], *, containers: Sequence[DeltaGenerator] | None = None
) -> Filters:
    """Channel, region and customer segment, each `?channel=web&channel=app`.
    Nothing chosen means no filter (everyone)."""
    chosen: dict[str, tuple[str, ...] | None] = {}
    for i, (name, label) in enumerate(_FILTER_LABELS.items()):
        where = containers[i] if containers else st
        values = options.get(name, [])
        unknown = [v for v in _url_values(name) if v not in values]
        if unknown:
            notice(
                f"The link's {label.lower()} {', '.join(_quote(v) for v in unknown)} "
                f"{'is' if len(unknown) == 1 else 'are'} not in the data and {'was' if len(unknown) == 1 else 'were'} ignored."
            )
        picked = where.multiselect(
            label, values, key=name, bind="query-params", placeholder="All",
            disabled=not values,
        )  # fmt: skip
        chosen[name] = tuple(picked) if picked else None
    return Filters(channel=chosen["channel"], region=chosen["region"], segment=chosen["segment"])
