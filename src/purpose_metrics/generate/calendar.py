"""The generator's calendar: the two years before `end`, their weeks and
months, the shape of a year, and when in a week each order is placed.

Times are whole seconds since 1970-01-01 (UTC, like every stored
timestamp), in int64 numpy arrays.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from ..periods import add_months, week_start
from .story import BLACK_FRIDAY_AMP, GALA, GROWTH_PER_YEAR, INITIATIVES, RAMP_WEEKS, SHARE, XMAS_AMP

DAY = 86_400
WEEK = 7 * DAY
HOUR = 3_600

# When in a week, and when in a day, people order (relative weights).
DOW_WEIGHTS = np.array([1.0, 1.0, 1.0, 1.05, 0.95, 0.85, 1.1])
HOUR_WEIGHTS = np.array(
    [0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.35, 0.6, 0.8, 0.95, 1.0, 1.0]
    + [1.05, 1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 1.4, 1.45, 1.3, 0.95, 0.6]
)
DOW_CUM = np.cumsum(DOW_WEIGHTS)
HOUR_CUM = np.cumsum(HOUR_WEIGHTS)


def epoch(d: dt.date) -> int:
    """Seconds from 1970-01-01 to midnight starting `d`."""
    return (d - dt.date(1970, 1, 1)).days * DAY


def day_of_year(days: np.ndarray) -> np.ndarray:
    """0 for 1 January, from datetime64[D] values."""
    return (days - days.astype("datetime64[Y]")).astype(np.int64)


class Calendar:
    """The history [start, end): `start` is the Monday 104 weeks before `end`
    (`end` itself may be any day; the last week is then cut short)."""

    def __init__(self, end: dt.date) -> None:
        self.end = end
        self.start = week_start(end - dt.timedelta(days=728))
        days = (end - self.start).days
        self.n_weeks = math.ceil(days / 7)
        self.week_days = np.minimum(7, days - 7 * np.arange(self.n_weeks))
        self.start_s = epoch(self.start)
        self.end_s = epoch(end)
        # Month grid from the start's month to end's month (inclusive).
        self.month0 = dt.date(self.start.year, self.start.month, 1)
        self.n_months = (end.year - self.month0.year) * 12 + end.month - self.month0.month + 1
        self.month_starts = [add_months(self.month0, i) for i in range(self.n_months + 1)]
        # Whole months of history: starting on or after `start`, ending by `end`.
        self.whole_months = [
            i
            for i in range(self.n_months)
            if self.month_starts[i] >= self.start and self.month_starts[i + 1] <= end
        ]
        self.launch = {name: week_start(end - dt.timedelta(weeks=w)) for _, name, w, _, _ in INITIATIVES}
        self.launch_s = {k: epoch(v) for k, v in self.launch.items()}
        # Gala's survey-tool migration: ISO weeks with at most 6 responses.
        self.sparse_weeks = sorted(
            {w for w in (30, self.n_weeks - 6, self.n_weeks - 5) if 0 <= w < self.n_weeks - 1}
        )
        # Target years: the first runs from the start's month to 1 January of
        # end's year (of the year before when `end` is in January).
        year2 = end.year if end.month > 1 else end.year - 1
        self.target_windows = ((self.month0, dt.date(year2, 1, 1)), (dt.date(year2, 1, 1), None))

    def week_mid_doy(self) -> np.ndarray:
        """Day of the year of the middle of each week."""
        mids = np.datetime64(self.start, "D") + 7 * np.arange(self.n_weeks) + self.week_days // 2
        return day_of_year(mids)

    def month_index(self, seconds: np.ndarray) -> np.ndarray:
        """Index into `month_starts` of the month holding each time."""
        months = seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
        return months - np.datetime64(self.month0, "M").astype(np.int64)

    def ramp(self, seconds: np.ndarray, initiative: str) -> np.ndarray:
        """0 before an initiative's launch, rising linearly to 1 over its
        RAMP_WEEKS after it."""
        return np.clip((seconds - self.launch_s[initiative]) / (RAMP_WEEKS[initiative] * WEEK), 0.0, 1.0)


# ---------------------------------------------------------------------------
# The shape of a year: orders per week and brand
# ---------------------------------------------------------------------------


def _circ(doy: np.ndarray, center: float) -> np.ndarray:
    d = np.abs(doy - center)
    return np.minimum(d, 365 - d)


def _bump(doy: np.ndarray, center: float, width: float) -> np.ndarray:
    return np.exp(-((_circ(doy, center) / width) ** 2))


def _week_weights(cal: Calendar, rng: np.random.Generator) -> np.ndarray:
    """Relative orders per (week, brand): growth, a summer dip, a quiet New
    Year, the December peak and Black Friday; Valentine's and Mother's Day
    for gala; a little noise."""
    doy = cal.week_mid_doy()
    years = (7 * np.arange(cal.n_weeks) + cal.week_days / 2) / 365.25
    base = np.exp(GROWTH_PER_YEAR * years) * cal.week_days / 7
    common = 1 - 0.12 * _bump(doy, 213, 25) - 0.30 * _bump(doy, 364, 4)
    w = np.empty((cal.n_weeks, 3))
    for b in range(3):
        s = common + XMAS_AMP[b] * _bump(doy, 348, 9) + BLACK_FRIDAY_AMP[b] * _bump(doy, 332, 4)
        if b == GALA:
            s = s + 0.7 * _bump(doy, 41, 4) + 0.45 * _bump(doy, 127, 5)
        w[:, b] = SHARE[b] * base * s
    return w * rng.lognormal(0.0, 0.05, size=w.shape)


def _allocate(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to weights summing to `total` (largest
    remainder), at least one per cell when there are enough orders."""
    floor = 1 if total >= 3 * weights.size else 0
    w = weights.ravel()
    rest = total - floor * w.size
    exact = w / w.sum() * rest
    base = np.floor(exact).astype(np.int64)
    left = int(rest - base.sum())
    base[np.argsort(-(exact - base), kind="stable")[:left]] += 1
    return (base + floor).reshape(weights.shape)


def weekly_orders(cal: Calendar, rng: np.random.Generator, total: int) -> np.ndarray:
    """Orders (cancelled included) per (week, brand), summing to `total`."""
    if total <= 0:
        return np.zeros((cal.n_weeks, 3), dtype=np.int64)
    return _allocate(_week_weights(cal, rng), total)


def order_times(
    rng: np.random.Generator, cal: Calendar, counts: np.ndarray, w0: int, w1: int
) -> tuple[np.ndarray, np.ndarray]:
    """The time and brand of every order of weeks [w0, w1), sorted by time
    (then brand): a day by DOW_WEIGHTS, an hour by HOUR_WEIGHTS, a second."""
    cells = counts[w0:w1].ravel()
    wk = np.repeat(np.repeat(np.arange(w0, w1), 3), cells)
    br = np.repeat(np.tile(np.arange(3), w1 - w0), cells).astype(np.int64)
    n = len(wk)
    days = cal.week_days[wk]
    day = np.searchsorted(DOW_CUM, rng.random(n) * DOW_CUM[days - 1], side="right")
    day = np.minimum(day, days - 1)
    hour = np.minimum(np.searchsorted(HOUR_CUM, rng.random(n) * HOUR_CUM[-1], side="right"), 23)
    t = cal.start_s + wk * WEEK + day * DAY + hour * HOUR + rng.integers(0, HOUR, n)
    order = np.lexsort((br, t))
    return t[order], br[order]
