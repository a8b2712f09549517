"""What an export says about itself: the period, the scope, the filters,
the data's as-of instant and the source (issue 19, "Stamped exports").

A page builds one Stamp for what it shows; every download of that page
carries it: in an exported image as lines under the title, in a file name
(the period and the filter values), in a zip as README.txt.

    stamp = Stamp(period="13 weeks 2026-W34 – 2026-W46 (…)", period_key="2026-W46_13w",
                  scope="Company and every brand", filters=Filters(region=("north",)),
                  as_of="22 Nov 2026, 22:48 UTC", company="Tideway Goods")
    stamp.file_name("NPS by brand — 13 weeks", "png")
    # 'nps-by-brand-13-weeks_2026-W46_13w_region-north.png'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go

from .. import formatting
from ..calendars import to_local
from ..metrics.dataset import UNKNOWN, Filters
from . import downloads

PRODUCT = "Purpose Metrics"
STAMP_COLOUR = "#5F6368"  # grey, but 6:1 on white: a stamp is read, not decoration
STAMP_FONT_SIZE = 18  # on a 1600 × 900 slide whose title is 30 and labels 20
STAMP_LINE_HEIGHT = 26  # px a stamp line adds above the plot
# A filter's name in a file name ("purpose-repair", not "customer purpose-repair").
_FILE_WORDS = {"channel": "channel", "region": "region", "segment": "segment", "customer_purpose": "purpose"}
FILTER_KEY_LIMIT = 60  # characters of the filters in a file name before many values are counted instead


def _printable(text: str) -> str:
    """Control characters as spaces, format characters (bidi overrides) dropped."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" else ch
        for ch in str(text)
        if unicodedata.category(ch) != "Cf"
    )


def as_of_text(as_of: dt.datetime | None, zone: str | None) -> str:
    """'22 Nov 2026, 22:48 Europe/Berlin' (local wall time of the latest order)."""
    if as_of is None:
        return "no orders yet"
    zone = zone or "UTC"
    return f"{formatting.day_month_year_time(to_local(as_of, zone))} {zone}"


def scope_text(scope_ids: Sequence[str], names: dict[str, str]) -> str:
    """'Company and every brand', 'Hearth', or the brands' names when only some are in view."""
    if list(scope_ids) == ["company"]:
        return names.get("company", "Company")
    brands = [names.get(s, s) for s in scope_ids if s != "company"]
    every = len(brands) == len([s for s in names if s != "company"])
    if "company" in scope_ids and every:
        return "Company and every brand"
    if len(brands) == 1 and "company" not in scope_ids:
        return brands[0]
    return ("Company, " if "company" in scope_ids else "") + ", ".join(brands)


@dataclass(frozen=True)
class Stamp:
    """What an export shows, in words (`period`, `scope`, the filters, the
    as-of instant, the company) and in file-name form (`period_key`,
    `scope_key`, the filter values)."""

    period: str
    period_key: str
    scope: str
    filters: Filters = field(default_factory=Filters)
    as_of: str = ""
    company: str = ""
    scope_key: str = ""  # a single brand's id for file names; "" for the company or several scopes
    note: str | None = None  # what the filters do not reach (views.filter_note)
    page: str = ""

    @property
    def source(self) -> str:
        company = _printable(self.company).strip()
        return f"{PRODUCT} · {company}" if company else PRODUCT

    @property
    def filters_text(self) -> str:
        """'Filters: region: north; segment: premium' or 'No filters'."""
        if self.filters.is_empty():
            return "No filters"
        return f"Filters: {_printable(self.filters.describe())}"

    def lines(self) -> list[str]:
        """The stamp as a person reads it, in two lines (plain text)."""
        first = f"{_printable(self.period)} · {_printable(self.scope)} · {self.filters_text}"
        if self.note:
            first += f" ({_printable(self.note).rstrip('.')})"
        return [first, f"Data as of {_printable(self.as_of)} · Source: {self.source}"]

    # --- file names ----------------------------------------------------------------------

    def filter_key(self) -> str:
        """'region-north_segment-premium-value': every filter and its values,
        for a file name; when that grows past FILTER_KEY_LIMIT, a filter with
        several values is counted ('region-3-values')."""
        chosen = [
            # "Unknown / guest" (None in the filter) reads "unknown" in a file name.
            (_FILE_WORDS[name], ["unknown" if v is UNKNOWN else v for v in values])
            for name in ("channel", "region", "segment", "customer_purpose")
            if (values := getattr(self.filters, name)) is not None
        ]
        full = "_".join("-".join([word, *values]) if values else f"{word}-none" for word, values in chosen)
        if len(full) <= FILTER_KEY_LIMIT:
            return full
        return "_".join(
            "-".join([word, *values]) if len(values) == 1 else f"{word}-{len(values)}-values"
            for word, values in chosen
        )

    def file_name(self, name: str, extension: str) -> str:
        """'{title}_{period}[_{brand}][_{filters}].{extension}', only safe
        characters (downloads.file_name); the title is cut, never the period
        or the filters."""
        tail = "_".join(part for part in (self.period_key, self.scope_key, self.filter_key()) if part)
        tail = _slug_keep_case(tail)
        room = downloads.NAME_LIMIT - len(tail) - len(extension) - 2
        title = slug(name)[: max(room, 10)].rstrip("-") or "chart"
        return downloads.file_name(f"{title}_{tail}.{extension}" if tail else f"{title}.{extension}")

    # --- in an image ---------------------------------------------------------------------

    def apply(self, fig: go.Figure) -> go.Figure:
        """`fig` (a presentation copy: theme.for_presentation) with the stamp
        in grey lines under its title (and subtitle), the plot moved down to
        make room. Text from data is escaped (formatting.chart_text)."""
        out = go.Figure(fig)
        title = out.layout.title
        before = title.subtitle.text if title.subtitle and title.subtitle.text else ""
        stamp = "<br>".join(formatting.chart_text(line) for line in self.lines())
        styled = f"<span style='font-size:{STAMP_FONT_SIZE}px;color:{STAMP_COLOUR}'>{stamp}</span>"
        rows = len(self.lines()) + (1 if before else 0)
        top = (out.layout.margin.t or 0) + STAMP_LINE_HEIGHT * rows
        out.update_layout(
            title=dict(subtitle=dict(text=f"{before}<br>{styled}" if before else styled)),
            margin=dict(t=top),
        )
        return out

    # --- in a zip ------------------------------------------------------------------------

    def readme(self, files: Sequence[tuple[str, str]]) -> str:
        """README.txt of a zip: the stamp, then each file and what it holds."""
        lines = [f"{PRODUCT} export" + (f" — {_printable(self.page)}" if self.page else ""), ""]
        lines += [
            f"Period:   {_printable(self.period)}",
            f"Scope:    {_printable(self.scope)}",
            f"Filters:  {_printable(self.filters.describe())}",
        ]
        if self.note:
            lines.append(f"          {_printable(self.note)}")
        lines += [
            f"As of:    {_printable(self.as_of)} (the latest order in the data)",
            f"Source:   {self.source}",
        ]
        lines += ["", "Files:"]
        lines += [f"  {file}  {_printable(what)}" for file, what in files]
        lines += [
            "",
            "Images are 1600 × 900 (16:9); each carries the period, scope, filters, as-of and source under its",
            "title. CSV files are UTF-8 with a header row; a text cell that would start a spreadsheet formula",
            "(= + - @) is written behind a single quote.",
        ]
        return "\n".join(lines) + "\n"


def slug(text: str) -> str:
    """A file name from a chart title: 'NPS — Alpine' -> 'nps-alpine'."""
    return re.sub(r"[^a-z0-9]+", "-", _printable(text).lower()).strip("-")[:80] or "chart"


def _slug_keep_case(text: str) -> str:
    """Week labels keep their case ('2026-W46'); values from data lose anything unsafe."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
