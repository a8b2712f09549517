"""Periods: half-open date intervals, ISO weeks, months, and trend grids."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Grain = Literal["week", "month"]

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    """A period that cannot be built from what the user typed."""


def parse_week(text: str) -> tuple[dt.date, dt.date]:
    """'2026-W10' -> (Monday, next Monday). Raises PeriodError when malformed
    or when the year has no such week."""
    m = _WEEK_RE.match(text.strip()) if isinstance(text, str) and len(text) < 20 else None
    if not m:
        raise PeriodError(f"week must look like 2026-W10, got {text[:40]!r}")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        start = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(f"{year} has no ISO week {week:02d}") from None
    return start, start + dt.timedelta(days=7)


def midnight(day: dt.date) -> dt.datetime:
    """The instant a day starts (timestamps are UTC without zone)."""
    return dt.datetime.combine(day, dt.time())


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_label(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise PeriodError(f"date must look like 2026-03-02, got {str(text)[:40]!r}") from None


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, 1)


def next_start(day: dt.date, grain: Grain) -> dt.date:
    return day + dt.timedelta(days=7) if grain == "week" else add_months(day, 1)


def latest_complete_week(as_of: dt.datetime | None) -> tuple[dt.date, dt.date]:
    """The latest ISO week that ends on or before the as-of instant."""
    if as_of is None:
        today = dt.date.today()
        start = week_start(today) - dt.timedelta(days=7)
        return start, start + dt.timedelta(days=7)
    end = week_start(as_of.date())  # Monday 00:00 on or before as_of
    return end - dt.timedelta(days=7), end


@dataclass(frozen=True)
class Periods:
    """What to compute over: one period [start, end) or a grid of weeks/months.

    With a grain, start must be a Monday (week) or a first of month (month),
    and every whole grain step in [start, end) is one period.
    """

    start: dt.date
    end: dt.date
    grain: Grain | None = None
    # The company's IANA time zone: dates are local there (None: UTC).
    zone: str | None = None

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise PeriodError(f"from ({self.start}) must be before to ({self.end})")
        if self.grain == "week" and self.start.weekday() != 0:
            raise PeriodError("a weekly grid starts on a Monday")
        if self.grain == "month" and self.start.day != 1:
            raise PeriodError("a monthly grid starts on the first of a month")

    def starts(self) -> list[dt.date]:
        if self.grain is None:
            return [self.start]
        out, day = [], self.start
        while day < self.end:
            out.append(day)
            day = next_start(day, self.grain)
        return out

    def end_of(self, start: dt.date) -> dt.date:
        return self.end if self.grain is None else next_start(start, self.grain)

    def instant(self, day: dt.date) -> dt.datetime:
        """When `day` starts in the periods' zone, as a stored (UTC) instant."""
        from .calendars import instant

        return instant(day, self.zone)

    def in_zone(self, zone: str | None) -> Periods:
        """The same dates, local to `zone`."""
        from dataclasses import replace

        return self if zone == self.zone else replace(self, zone=zone)

    @property
    def range_end(self) -> dt.date:
        """The end of the last whole step (a grid may overrun `end`)."""
        return self.end_of(self.starts()[-1])

    @classmethod
    def week(cls, text: str) -> Periods:
        return cls(*parse_week(text))

    @classmethod
    def trend(cls, end: dt.date, steps: int, grain: Grain) -> Periods:
        """The `steps` whole weeks/months ending with the one that starts
        before `end` (end exclusive)."""
        if grain == "week":
            last = week_start(end - dt.timedelta(days=1))
            return cls(last - dt.timedelta(days=7 * (steps - 1)), last + dt.timedelta(days=7), "week")
        last = month_start(end - dt.timedelta(days=1))
        return cls(add_months(last, -(steps - 1)), add_months(last, 1), "month")
