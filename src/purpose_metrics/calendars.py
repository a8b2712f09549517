"""Local time and the retail calendar (docs/metrics.md#local-time-and-calendars,
SPEC section 7).

Stored timestamps mean UTC. A company elsewhere sets `company.timezone`
(an IANA name); every date boundary is then local: a period [from, to)
holds the instants whose local time is >= from 00:00 and < to 00:00.
`instant(day, zone)` is that boundary as a UTC instant (naive, like the
stored timestamps); `local_date(expr, zone)` the local date of a stored
timestamp.

Two calendars cut weeks and months:
- `iso` (the default): ISO weeks (Monday to Sunday, `2026-W10`) and
  calendar months (`2026-03`);
- `nrf`: the National Retail Federation 4-5-4 calendar. The fiscal year
  ends on the Saturday nearest 31 January and is named by the calendar year
  it starts in (FY2025: 2 Feb 2025 – 31 Jan 2026); weeks run Sunday to
  Saturday; each quarter's months have 4, 5 and 4 weeks; a 53-week year
  adds its last week to the last month. Labels `FY2025-W07`, `FY2025-M03`,
  `FY2025-Q1`.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from .periods import PeriodError

UTC = "UTC"
CALENDARS = ("iso", "nrf")
MONTH_WEEKS = (4, 5, 4) * 4  # the weeks of each fiscal month of a 52-week year


def is_utc(zone: str | None) -> bool:
    return zone is None or zone in ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal")


@lru_cache(maxsize=64)
def zone_info(zone: str) -> zoneinfo.ZoneInfo:
    """The IANA zone; ValueError for a name the time-zone database lacks."""
    try:
        return zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {zone[:60]!r}") from exc


def is_zone(zone: str) -> bool:
    """Whether `zone` names an IANA time zone (e.g. Europe/Berlin)."""
    if not isinstance(zone, str) or not zone or zone != zone.strip() or len(zone) > 64:
        return False
    try:
        zone_info(zone)
    except ValueError:
        return False
    return True


def instant(day: dt.date, zone: str | None = None) -> dt.datetime:
    """The UTC instant (naive) at which `day` starts in `zone` (local midnight)."""
    if is_utc(zone):
        return dt.datetime.combine(day, dt.time())
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone_info(zone))  # type: ignore[arg-type]
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def to_local(moment: dt.datetime, zone: str | None = None) -> dt.datetime:
    """A stored (UTC, naive) instant as local wall time (naive)."""
    if is_utc(zone):
        return moment
    return moment.replace(tzinfo=dt.UTC).astimezone(zone_info(zone)).replace(tzinfo=None)  # type: ignore[arg-type]


@lru_cache(maxsize=64)
def utc_offsets(
    zone: str | None, lo: dt.datetime, hi: dt.datetime
) -> tuple[int, tuple[tuple[dt.datetime, int], ...]]:
    """The zone's UTC offset (seconds) at instant `lo` and every change of it
    in (lo, hi]: (offset at lo, [(UTC instant of the change, offset from
    then on)]), instants naive UTC like the stored timestamps. The SQL that
    cuts local days (sqltext.Dialect.local_day) is built from it."""
    if is_utc(zone):
        return 0, ()
    info = zone_info(zone)  # type: ignore[arg-type]

    def offset(moment: dt.datetime) -> int:
        delta = moment.replace(tzinfo=dt.UTC).astimezone(info).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    first = offset(lo)
    changes: list[tuple[dt.datetime, int]] = []
    current, step, moment = first, dt.timedelta(hours=6), lo
    while moment < hi:  # zones change offset at most a few times a year: scan, then bisect
        nxt = min(moment + step, hi)
        if offset(nxt) != current:
            a, b = moment, nxt  # offset(a) == current != offset(b)
            while b - a > dt.timedelta(seconds=1):
                mid = a + (b - a) / 2
                mid = mid.replace(microsecond=0)
                if mid <= a:
                    break
                a, b = (mid, b) if offset(mid) == current else (a, mid)
            current = offset(b)
            changes.append((b, current))
            moment = b
        else:
            moment = nxt
    return first, tuple(changes)


def local_date(expr: pl.Expr, zone: str | None = None) -> pl.Expr:
    """The local date of a stored (UTC, naive) timestamp column."""
    if is_utc(zone):
        return expr.dt.date()
    return expr.dt.replace_time_zone(UTC).dt.convert_time_zone(zone).dt.date()  # type: ignore[arg-type]


# --- the NRF 4-5-4 calendar --------------------------------------------------------------


def fiscal_year_end(year: int) -> dt.date:
    """The last day of fiscal year `year`: the Saturday nearest 31 January of year + 1."""
    jan31 = dt.date(year + 1, 1, 31)
    ahead = (5 - jan31.weekday()) % 7  # days to the next Saturday (Monday is 0)
    return jan31 + dt.timedelta(days=ahead if ahead <= 3 else ahead - 7)


def fiscal_year_start(year: int) -> dt.date:
    return fiscal_year_end(year - 1) + dt.timedelta(days=1)


def fiscal_year_of(day: dt.date) -> int:
    year = day.year
    if day < fiscal_year_start(year):
        return year - 1
    if day > fiscal_year_end(year):
        return year + 1
    return year


def fiscal_weeks(year: int) -> int:
    return ((fiscal_year_end(year) - fiscal_year_start(year)).days + 1) // 7


def fiscal_month_starts(year: int) -> list[dt.date]:
    """The first days of fiscal months 1-12 of `year`."""
    out, day = [], fiscal_year_start(year)
    for weeks in MONTH_WEEKS:
        out.append(day)
        day += dt.timedelta(weeks=weeks)
    return out


@dataclass(frozen=True)
class Calendar:
    """How weeks and months are cut and named: `iso` or `nrf`."""

    name: str = "iso"

    def __post_init__(self) -> None:
        if self.name not in CALENDARS:
            raise PeriodError(f"unknown calendar {self.name[:20]!r} (choose {', '.join(CALENDARS)})")

    @property
    def nrf(self) -> bool:
        return self.name == "nrf"

    # weeks
    def week_start(self, day: dt.date) -> dt.date:
        """Monday (iso) or Sunday (nrf) on or before `day`."""
        back = day.weekday() if not self.nrf else (day.weekday() + 1) % 7
        return day - dt.timedelta(days=back)

    def week_label(self, start: dt.date) -> str:
        if not self.nrf:
            year, week, _ = start.isocalendar()
            return f"{year}-W{week:02d}"
        year = fiscal_year_of(start)
        return f"FY{year}-W{(start - fiscal_year_start(year)).days // 7 + 1:02d}"

    def parse_week(self, text: str) -> tuple[dt.date, dt.date]:
        """A week label of this calendar -> (first day, next week's first day)."""
        if not self.nrf:
            from .periods import parse_week

            return parse_week(text)
        m = (
            re.match(r"^FY(\d{4})-W(\d{2})$", text.strip())
            if isinstance(text, str) and len(text) < 20
            else None
        )
        if not m:
            raise PeriodError(f"an nrf week looks like FY2025-W07, got {str(text)[:40]!r}")
        year, week = int(m.group(1)), int(m.group(2))
        if not 1 <= week <= fiscal_weeks(year):
            raise PeriodError(f"FY{year} has no week {week:02d} (it has {fiscal_weeks(year)})")
        start = fiscal_year_start(year) + dt.timedelta(weeks=week - 1)
        return start, start + dt.timedelta(days=7)

    def comparable_week(self, start: dt.date) -> tuple[dt.date, dt.date] | None:
        """The same week number of the previous year of this calendar (ISO or
        fiscal); None for a week 53."""
        if not self.nrf:
            year, week, _ = start.isocalendar()
            if week == 53:
                return None
            first = dt.date.fromisocalendar(year - 1, week, 1)
        else:
            year = fiscal_year_of(start)
            week = (start - fiscal_year_start(year)).days // 7 + 1
            if week == 53:
                return None
            first = fiscal_year_start(year - 1) + dt.timedelta(weeks=week - 1)
        return first, first + dt.timedelta(days=7)

    # months
    def month_start(self, day: dt.date) -> dt.date:
        if not self.nrf:
            return day.replace(day=1)
        starts = fiscal_month_starts(fiscal_year_of(day))
        return max(s for s in starts if s <= day)

    def next_month(self, start: dt.date) -> dt.date:
        if not self.nrf:
            y, m = divmod(start.month, 12)
            return dt.date(start.year + y, m + 1, 1)
        year = fiscal_year_of(start)
        starts = fiscal_month_starts(year)
        i = starts.index(start)
        return starts[i + 1] if i < 11 else fiscal_year_end(year) + dt.timedelta(days=1)

    def month_label(self, start: dt.date) -> str:
        if not self.nrf:
            return f"{start.year:04d}-{start.month:02d}"
        year = fiscal_year_of(start)
        return f"FY{year}-M{fiscal_month_starts(year).index(start) + 1:02d}"

    def quarter_label(self, start: dt.date) -> str:
        if not self.nrf:
            return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
        year = fiscal_year_of(start)
        month = fiscal_month_starts(year).index(self.month_start(start))
        return f"FY{year}-Q{month // 3 + 1}"

    def period_starts(self, grain: str, first: dt.date, last: dt.date) -> list[dt.date]:
        """The starts of every week (month) from the one holding `first` to
        the one holding `last`."""
        step = self.week_start if grain == "week" else self.month_start
        out, day = [], step(first)
        while day <= last:
            out.append(day)
            day = day + dt.timedelta(days=7) if grain == "week" else self.next_month(day)
        return out

    def label(self, grain: str, start: dt.date) -> str:
        return self.week_label(start) if grain == "week" else self.month_label(start)


ISO = Calendar("iso")
NRF = Calendar("nrf")


def calendar(name: str | None) -> Calendar:
    return Calendar(name or "iso")
