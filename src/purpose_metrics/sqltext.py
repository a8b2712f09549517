"""SQL files and the one small template step they go through.

Every SQL statement the project runs lives in `sql/` as a file. A file may
hold comments (`-- ...` to the end of a line) and placeholders written
`{{ name }}`: a snippet of SQL chosen in Python for the dialect or the
request (a CASE chain, an IN list of bound parameter names), never a value.
Values are always bound parameters (`:name`).

    text = sqltext.render("facts/orders.sql", snippets)   # comments out, placeholders in
    for statement in sqltext.statements(text): ...

`Dialect` holds the few spellings that differ between DuckDB, PostgreSQL and
SQLite (timestamps, dates, intervals, binary columns).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from . import resources
from .constants import REPURCHASE_WINDOW_DAYS

SQL_DIR = resources.path("sql")  # packaged in a wheel, the top-level folder in a checkout

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class TemplateError(KeyError):
    """A placeholder the caller gave no snippet for."""


def strip_comments(text: str) -> str:
    """The SQL without `--` comments (quoted strings are kept as they are)."""
    out, i, quoted = [], 0, False
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=64)
def load(name: str) -> str:
    """A file of sql/ (e.g. "facts/orders.sql") with its comments removed."""
    return strip_comments((SQL_DIR / name).read_text(encoding="utf-8"))


def fill(text: str, snippets: Mapping[str, str]) -> str:
    """Replace every `{{ name }}`; a name without a snippet is an error."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in snippets:
            raise TemplateError(f"no snippet for {{{{ {name} }}}}")
        return snippets[name]

    return _PLACEHOLDER.sub(one, text)


def render(name: str, snippets: Mapping[str, str] | None = None) -> str:
    """A file of sql/, comments removed and placeholders filled."""
    return fill(load(name), snippets or {})


def statements(text: str) -> list[str]:
    """Statements separated by a semicolon at the end of a line."""
    return [
        s.strip().rstrip(";").strip() for s in re.split(r";[ \t]*\n", text + "\n") if s.strip().strip(";")
    ]


def in_list(column: str, prefix: str, values: Sequence[object], params: dict) -> str:
    """`column IN (:prefix0, :prefix1, ...)` with the values bound in `params`
    (`1 = 0` for no value: an empty choice keeps nothing). None among the
    values keeps the NULLs too: `(column IS NULL OR column IN (...))`."""
    names = []
    for i, value in enumerate(v for v in values if v is not None):
        params[f"{prefix}{i}"] = value
        names.append(f":{prefix}{i}")
    listed = f"{column} IN ({', '.join(names)})" if names else "1 = 0"
    if None not in values:
        return listed
    return f"({column} IS NULL OR {listed})" if names else f"{column} IS NULL"


class Dialect:
    """The spellings that differ between the three backends."""

    def __init__(self, name: str):
        self.name = name
        self.sqlite = name == "sqlite"

    def ts(self, param: str) -> str:
        """A bound timestamp. SQLite keeps timestamps as ISO text; a CAST there would make a number."""
        return f":{param}" if self.sqlite else f"CAST(:{param} AS TIMESTAMP)"

    def date(self, param: str) -> str:
        return f":{param}" if self.sqlite else f"CAST(:{param} AS DATE)"

    def day_of(self, column: str) -> str:
        """The (UTC) date of a timestamp column."""
        return f"date({column})" if self.sqlite else f"CAST({column} AS DATE)"

    def ts_literal(self, value: dt.datetime) -> str:
        """A timestamp made here (never from data) as an SQL literal."""
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        return f"'{text}'" if self.sqlite else f"TIMESTAMP '{text}'"

    def date_literal(self, value: dt.date) -> str:
        """A date made here (never from data) as an SQL literal."""
        return f"'{value.isoformat()}'" if self.sqlite else f"DATE '{value.isoformat()}'"

    def local_day(self, column: str, zone: str | None, lo: dt.datetime, hi: dt.datetime) -> str:
        """The date of a stored (UTC) timestamp column in `zone`, exact for
        instants in [lo, hi]: the column plus the zone's UTC offset, which a
        CASE picks by binary search over the offset's changes in that span
        (a handful per year; portable, no time-zone support needed in the
        database). UTC: `day_of`."""
        from .calendars import utc_offsets

        first, changes = utc_offsets(zone, lo, hi)
        if first == 0 and not changes:
            return self.day_of(column)
        offsets = [first, *(o for _, o in changes)]
        bounds = [self.ts_literal(t) for t, _ in changes]

        def pick(i: int, j: int) -> str:  # the offset for instants between change i and change j
            if j - i == 1:
                return str(offsets[i])
            mid = (i + j) // 2
            return f"CASE WHEN {column} < {bounds[mid - 1]} THEN {pick(i, mid)} ELSE {pick(mid, j)} END"

        seconds = pick(0, len(offsets))
        if self.sqlite:
            return f"date({column}, ({seconds}) || ' seconds')"
        return f"CAST({column} + ({seconds}) * INTERVAL '1 second' AS DATE)"

    def bucket(self, day: str, starts: Sequence[dt.date]) -> str:
        """The greatest of `starts` (sorted dates) on or before the date
        expression `day` (the first start for an earlier day): periods of
        any calendar (fiscal weeks and months) by binary search."""
        if not starts:
            raise ValueError("no period starts to bucket days into")

        def pick(i: int, j: int) -> str:
            if j - i == 1:
                return self.date_literal(starts[i])
            mid = (i + j) // 2
            return f"CASE WHEN {day} < {self.date_literal(starts[mid])} THEN {pick(i, mid)} ELSE {pick(mid, j)} END"

        return pick(0, len(starts))

    def within_90(self, next_at: str, ordered_at: str = "ordered_at") -> str:
        """Column `next_at` within the repurchase window of column `ordered_at`."""
        return f"{next_at} <= {self.plus_window(ordered_at)}"

    def plus_window(self, column: str) -> str:
        """Column `column` plus the repurchase window (90 × 24 h), exact to
        the microsecond. SQLite: the stored ISO text 90 days on at the same
        time of day (UTC has no daylight saving), its fraction of a second
        kept, to compare as text like every stored timestamp (datetime()
        would drop the fraction)."""
        days = REPURCHASE_WINDOW_DAYS
        if self.sqlite:
            return f"(date({column}, '+{days} days') || substr({column}, 11))"
        return f"({column} + INTERVAL '{days} days')"

    def cte_hint(self, materialized: bool) -> str:
        """`MATERIALIZED` or `NOT MATERIALIZED` for a CTE where the backend
        takes the hint (DuckDB, PostgreSQL); SQLite materialises a CTE used
        more than once and inlines one used once, by itself."""
        if self.sqlite:
            return ""
        return "MATERIALIZED" if materialized else "NOT MATERIALIZED"

    def week_start(self, column: str) -> str:
        """The Monday (a date) of the ISO week holding a timestamp or date."""
        if self.sqlite:
            # 'weekday 0' moves on to the Sunday ending the week (or stays on it).
            return f"date({column}, 'weekday 0', '-6 days')"
        return f"CAST(date_trunc('week', {column}) AS DATE)"

    def month_start(self, column: str) -> str:
        """The first day (a date) of the month holding a timestamp or date."""
        if self.sqlite:
            return f"date({column}, 'start of month')"
        return f"CAST(date_trunc('month', {column}) AS DATE)"

    @property
    def month_end(self) -> str:
        """The day after the month starting at t.period_start."""
        if self.sqlite:
            return "date(t.period_start, '+1 month')"
        return "CAST(t.period_start + INTERVAL '1 month' AS DATE)"

    @property
    def binary(self) -> str:
        return "BYTEA" if self.name == "postgresql" else "BLOB"

    def ts_value(self, value: dt.datetime) -> object:
        return value.strftime("%Y-%m-%d %H:%M:%S") if self.sqlite else value

    def date_value(self, value: dt.date) -> object:
        return value.isoformat() if self.sqlite else value
