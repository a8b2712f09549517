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

    With a grain, start must start a week or month of the calendar `cal`
    (iso: a Monday or a first of month; nrf: a Sunday or a fiscal month's
    first day), and every whole grain step in [start, end) is one period.
    """

    start: dt.date
    end: dt.date
    grain: Grain | None = None
    # The company's IANA time zone: dates are local there (None: UTC).
    zone: str | None = None
    # The calendar a grid steps by: "iso" (ISO weeks, calendar months) or "nrf" (4-5-4).
    cal: str = "iso"

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise PeriodError(f"from ({self.start}) must be before to ({self.end})")
        if self.cal != "iso":
            calendar = self.calendar  # an unknown name is a PeriodError
            if self.grain == "week" and calendar.week_start(self.start) != self.start:
                raise PeriodError(f"a weekly grid of the {self.cal} calendar starts on a Sunday")
            if self.grain == "month" and calendar.month_start(self.start) != self.start:
                raise PeriodError(
                    f"a monthly grid of the {self.cal} calendar starts on a fiscal month's first day"
                )
            return
        if self.grain == "week" and self.start.weekday() != 0:
            raise PeriodError("a weekly grid starts on a Monday")
        if self.grain == "month" and self.start.day != 1:
            raise PeriodError("a monthly grid starts on the first of a month")

    @property
    def calendar(self):  # -> calendars.Calendar (imported late: calendars imports this module)
        from .calendars import Calendar

        return Calendar(self.cal)

    def _next(self, day: dt.date) -> dt.date:
        if self.cal == "iso" or self.grain == "week":
            return next_start(day, self.grain)  # type: ignore[arg-type]
        return self.calendar.next_month(day)

    def starts(self) -> list[dt.date]:
        if self.grain is None:
            return [self.start]
        out, day = [], self.start
        while day < self.end:
            out.append(day)
            day = self._next(day)
        return out

    def end_of(self, start: dt.date) -> dt.date:
        return self.end if self.grain is None else self._next(start)

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
        """A week by its label: ISO (2026-W10) or NRF (FY2025-W07); the
        label says its calendar (week_calendar)."""
        cal = week_calendar(text)
        return cls(*cal.parse_week(text), cal=cal.name)

    @classmethod
    def trend(cls, end: dt.date, steps: int, grain: Grain, cal: str = "iso") -> Periods:
        """The `steps` whole weeks/months of calendar `cal` ending with the
        one that starts before `end` (end exclusive)."""
        if cal != "iso":
            from .calendars import Calendar

            calendar = Calendar(cal)
            if grain == "week":
                last = calendar.week_start(end - dt.timedelta(days=1))
                return cls(
                    last - dt.timedelta(days=7 * (steps - 1)), last + dt.timedelta(days=7), "week", cal=cal
                )
            last = calendar.month_start(end - dt.timedelta(days=1))
            first = last
            for _ in range(steps - 1):
                first = calendar.month_start(first - dt.timedelta(days=1))
            return cls(first, calendar.next_month(last), "month", cal=cal)
        if grain == "week":
            last = week_start(end - dt.timedelta(days=1))
            return cls(last - dt.timedelta(days=7 * (steps - 1)), last + dt.timedelta(days=7), "week")
        last = month_start(end - dt.timedelta(days=1))
        return cls(add_months(last, -(steps - 1)), add_months(last, 1), "month")


def week_calendar(label: str):  # -> calendars.Calendar
    """The calendar a week label is written in: FY2025-W07 is nrf, anything
    else iso (whose parser then judges it)."""
    from .calendars import ISO, NRF

    return NRF if isinstance(label, str) and label.strip().upper().startswith("FY") else ISO


# --- the period a page shows --------------------------------------------------------

PeriodKind = Literal["week", "month", "quarter", "ytd", "custom"]
PERIOD_KINDS: dict[str, str] = {
    "week": "Week",
    "month": "Month",
    "quarter": "Quarter",
    "ytd": "Year to date",
    "custom": "Custom",
}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_FY_MONTH_RE = re.compile(r"^FY(\d{4})-M(\d{2})$")
_FY_QUARTER_RE = re.compile(r"^FY(\d{4})-Q([1-4])$")


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(day: dt.date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def _label_calendar(text: object) -> str:
    """The calendar a period's key is written in: FY2026-M03 is nrf, 2026-03 iso."""
    return "nrf" if isinstance(text, str) and text.strip().upper().startswith("FY") else "iso"


def _shift_year(day: dt.date, years: int) -> dt.date:
    """The same day `years` on (29 Feb becomes 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    """The one period a page shows: days [start, end), its kind, how it is
    named, and which period it is compared with.

    Made only by the constructors below, in the company's calendar `cal`
    (iso: ISO weeks, calendar months, quarters and years; nrf: fiscal weeks,
    4-5-4 months, fiscal quarters and years, keyed FY2025-W07, FY2025-M03,
    FY2025-Q1, FY2025). `key` is what a link holds for it; `compared` names
    the comparison ("previous month").
    """

    kind: PeriodKind
    start: dt.date
    end: dt.date
    key: str
    label: str
    compared: str
    cal: str = "iso"

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise PeriodError(f"from ({self.start}) must be before to ({self.end})")

    @property
    def calendar(self):  # -> calendars.Calendar
        from .calendars import Calendar

        return Calendar(self.cal)

    @property
    def periods(self) -> Periods:
        """What the engine computes over: the one period [start, end)."""
        return Periods(self.start, self.end, cal=self.cal)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def trend_grain(self) -> Grain:
        """Months for a month, quarter or year to date; weeks otherwise."""
        return "month" if self.kind in ("month", "quarter", "ytd") else "week"

    def trend(self, steps: int) -> Periods:
        """The `steps` weeks or months (`trend_grain`) of the calendar ending
        with the one that holds the period's last day."""
        return Periods.trend(self.end, steps, self.trend_grain, self.cal)

    def previous(self) -> Period:
        """The period this one is compared with: the previous week, month or
        quarter; for a year to date the same days of the year before; for a
        custom range the range of equal length just before it."""
        cal = self.calendar
        if self.kind == "week":
            return Period.week(cal.week_label(self.start - dt.timedelta(days=7)))
        if self.kind == "month":
            return Period.month(cal.month_label(cal.month_start(self.start - dt.timedelta(days=1))), self.cal)
        if self.kind == "quarter":
            start = self.start
            for _ in range(3):
                start = cal.month_start(start - dt.timedelta(days=1))
            return Period.quarter(cal.quarter_label(start), self.cal)
        if self.kind == "ytd":
            if cal.nrf:  # the same number of days of the previous fiscal year (weekdays line up)
                from .calendars import fiscal_year_of, fiscal_year_start

                year = fiscal_year_of(self.start) - 1
                return Period.year_to_date(
                    year, fiscal_year_start(year) + dt.timedelta(days=self.days), "nrf"
                )
            return Period.year_to_date(
                self.start.year - 1, _shift_year(self.last_day, -1) + dt.timedelta(days=1)
            )
        return Period.custom(
            self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1), self.cal
        )

    def comparable(self) -> Period | None:
        """Year over year (SPEC 7): the same week, month or quarter of the
        previous year of the calendar (a week: the same week number of the
        previous ISO or fiscal year, None for a week 53, which has none); a
        custom range the same dates a year earlier (nrf: 52 weeks earlier, so
        weekdays line up). A year to date has none: it is compared with the
        same days of the previous year already."""
        cal = self.calendar
        if self.kind == "week":
            found = cal.comparable_week(self.start)
            return Period.week(cal.week_label(found[0])) if found else None
        if self.kind == "ytd":
            return None
        if self.kind in ("month", "quarter"):
            if cal.nrf:
                from .calendars import fiscal_month_starts, fiscal_year_of

                year = fiscal_year_of(self.start)
                index = fiscal_month_starts(year).index(self.start)
                start = fiscal_month_starts(year - 1)[index]
            else:
                start = self.start.replace(year=self.start.year - 1)
            make = Period.month if self.kind == "month" else Period.quarter
            label = cal.month_label(start) if self.kind == "month" else cal.quarter_label(start)
            return make(label, self.cal)
        if cal.nrf:
            back = dt.timedelta(weeks=52)
            return Period.custom(self.start - back, self.last_day - back, self.cal)
        return Period.custom(_shift_year(self.start, -1), _shift_year(self.last_day, -1), self.cal)

    @property
    def compared_year(self) -> str:
        """How the year-over-year comparison reads: 'same week last year'."""
        unit = {"week": "week", "month": "month", "quarter": "quarter"}.get(self.kind, "days")
        return f"same {unit} last year"

    @classmethod
    def week(cls, text: str) -> Period:
        """'2026-W47' -> Week 2026-W47 · 16 – 22 Nov 2026; 'FY2026-W08' (its
        label says the calendar) -> Week FY2026-W08 · 22 – 28 Mar 2026."""
        from .formatting import week_range

        cal = week_calendar(text)
        start, end = cal.parse_week(text)
        key = cal.week_label(start)
        label = f"Week {key} · {week_range(start, end)}"
        return cls("week", start, end, key, label, "previous week", cal.name)

    @classmethod
    def month(cls, text: str, cal: str | None = None) -> Period:
        """'2026-11' -> November 2026; on nrf 'FY2026-M03' -> FY2026-M03 · 5 Apr – 2 May 2026."""
        if (cal or _label_calendar(text)) == "nrf":
            from .calendars import NRF, fiscal_month_starts
            from .formatting import week_range

            m = _FY_MONTH_RE.match(text.strip().upper()) if isinstance(text, str) and len(text) < 20 else None
            if not m or not 1 <= int(m.group(2)) <= 12:
                raise PeriodError(f"a fiscal month looks like FY2026-M03, got {str(text)[:40]!r}")
            start = fiscal_month_starts(int(m.group(1)))[int(m.group(2)) - 1]
            end = NRF.next_month(start)
            key = NRF.month_label(start)
            return cls("month", start, end, key, f"{key} · {week_range(start, end)}", "previous month", "nrf")
        m = _MONTH_RE.match(text.strip()) if isinstance(text, str) and len(text) < 20 else None
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise PeriodError(f"month must look like 2026-11, got {str(text)[:40]!r}")
        start = dt.date(int(m.group(1)), int(m.group(2)), 1)
        return cls(
            "month", start, add_months(start, 1), month_label(start), f"{start:%B %Y}", "previous month"
        )

    @classmethod
    def quarter(cls, text: str, cal: str | None = None) -> Period:
        """'2026-Q4' -> Q4 2026 · Oct – Dec; on nrf 'FY2026-Q1' -> FY2026-Q1 · 1 Feb – 2 May 2026."""
        if (cal or _label_calendar(text)) == "nrf":
            from .calendars import NRF, fiscal_month_starts, fiscal_year_end
            from .formatting import week_range

            m = (
                _FY_QUARTER_RE.match(text.strip().upper())
                if isinstance(text, str) and len(text) < 20
                else None
            )
            if not m:
                raise PeriodError(f"a fiscal quarter looks like FY2026-Q1, got {str(text)[:40]!r}")
            year, q = int(m.group(1)), int(m.group(2))
            starts = fiscal_month_starts(year)
            start = starts[3 * (q - 1)]
            end = starts[3 * q] if q < 4 else fiscal_year_end(year) + dt.timedelta(days=1)
            key = NRF.quarter_label(start)
            return cls(
                "quarter", start, end, key, f"{key} · {week_range(start, end)}", "previous quarter", "nrf"
            )
        m = _QUARTER_RE.match(text.strip().upper()) if isinstance(text, str) and len(text) < 20 else None
        if not m:
            raise PeriodError(f"quarter must look like 2026-Q4, got {str(text)[:40]!r}")
        start = dt.date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
        end = add_months(start, 3)
        last = add_months(start, 2)
        label = f"Q{m.group(2)} {start.year} · {start:%b} – {last:%b}"
        return cls("quarter", start, end, quarter_label(start), label, "previous quarter")

    @classmethod
    def year_to_date(cls, year: int | str, end: dt.date, cal: str | None = None) -> Period:
        """1 January of `year` to the day before `end` (at most the whole
        year); on nrf the fiscal year `FY2026` (or 2026) from its first day."""
        from .formatting import week_range

        cal = cal or (_label_calendar(year) if isinstance(year, str) else "iso")
        if isinstance(year, str):
            m = _YEAR_RE.match(year.strip().upper().removeprefix("FY")) if len(year) < 20 else None
            if not m:
                raise PeriodError(
                    f"year must look like {'FY' if cal == 'nrf' else ''}2026, got {year[:40]!r}"
                )
            year = int(m.group(1))
        if cal == "nrf":
            from .calendars import fiscal_year_end, fiscal_year_start

            start, after = fiscal_year_start(year), fiscal_year_end(year) + dt.timedelta(days=1)
            name, compared = f"FY{year}", "same days of the previous fiscal year"
        else:
            start, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
            name, compared = str(year), "same days of the previous year"
        end = min(max(end, start + dt.timedelta(days=1)), after)
        whole = end == after
        label = f"{name} (whole year)" if whole else f"{name} to date · {week_range(start, end)}"
        if whole:
            compared = "previous fiscal year" if cal == "nrf" else "previous year"
        return cls("ytd", start, end, name, label, compared, cal)

    @classmethod
    def custom(cls, first: dt.date, last: dt.date, cal: str = "iso") -> Period:
        """The days `first` to `last`, both included."""
        from .formatting import week_range

        if last < first:
            raise PeriodError(f"the range must end on or after its first day ({first}), not {last}")
        end = last + dt.timedelta(days=1)
        days = (end - first).days
        label = f"{week_range(first, end)} ({days} day{'s' if days != 1 else ''})"
        compared = f"previous {days} day{'s' if days != 1 else ''}"
        return cls("custom", first, end, f"{first.isoformat()}..{last.isoformat()}", label, compared, cal)
