"""Synthetic data under the contract of SPEC section 3, of any size.

    generate("sample_data", orders=30_000, seed=7)          # CSV, ~5.7 MB, ~1 s
    generate("/tmp/big", orders=10_000_000, fmt="parquet")  # ~1 min, < 1 GB RAM

The data tell a story an executive recognises (all dates relative to `end`):

* **Tideway Goods** (Big-P: "Help people buy less, better") runs three brands:
  `verde` (sustainability: repair, recycled packaging), `gala` (occasions and
  gifts) and `kern` (expert service). Two years of weekly orders in every
  brand, ~35 % yearly growth, a December peak (strongest for `gala`), a Black
  Friday bump, Valentine's and Mother's Day for `gala`, a summer dip.
* Every customer has a latent "purpose achieved" trait. It drives their survey
  answers (purpose_achieved, NPS, CSAT, effort) *and* how often they come back,
  so customers who say their purpose was achieved repeat far more often.
* `gala` runs clearly below its targets (returning orders, on-time delivery,
  NPS, CSAT, return rate, eNPS ...); `verde` and `kern` are mostly green/amber.
* Initiatives that visibly move their KPI: company-wide "Plastic-free
  packaging" (~40 weeks before `end`, recycled_packaging_share +20 points,
  lower scope-3 emissions per order), gala's "Gift-date guarantee" (~24 weeks
  before, on_time_delivery_rate +9), verde's "Repair & care service" (~60 weeks
  before, returning_order_share +6) and kern's "Ask-an-expert chat" (~32
  weeks before, first_contact_resolution +9).
* Suppression: gala's customer surveys are capped at 6 responses in three
  ISO weeks (a survey-tool migration: the weeks starting 6 and 5 weeks before
  `end`, and week 30 of the history); the employee pulse pauses from
  15 December to 4 January; the company-wide `legal` team has 3 people.

Everything is vectorised numpy and written chunk by chunk (about 500k orders
a chunk), so memory stays flat whatever the size. The same (orders, seed, end)
gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import IO

import numpy as np
import polars as pl

from .contract import TABLES, Table
from .progress import ProgressBar

DEFAULT_END = dt.date(2026, 11, 23)
CHUNK_ORDERS = 500_000

DAY = 86_400
WEEK = 7 * DAY
HOUR = 3_600

# Identifier ranges. Order and message ids are above 2**31 on purpose: they
# are 64-bit integers, and the data should prove it.
ORDER_ID0 = 3_000_000_000
CUSTOMER_ID0 = 100_000
SURVEY_ID0 = 1
TICKET_ID0 = 700_000
MESSAGE_ID0 = 5_000_000_000
EMPLOYEE_RESPONSE_ID0 = 1

# ---------------------------------------------------------------------------
# The story, as parameters. Arrays are indexed by brand: verde, gala, kern.
# ---------------------------------------------------------------------------

COMPANY = {
    "name": "Tideway Goods",
    "purpose_statement": "Help people buy less, better, and make every purchase do some good.",
    "vision": "A world where every purchase leaves people and planet better off.",
    "mission": "Sell fewer, better things through brands that repair, celebrate and serve with care.",
    "currency": "EUR",
}

BRANDS = ("verde", "gala", "kern")
VERDE, GALA, KERN = 0, 1, 2
BRAND_ROWS = (
    (
        "verde",
        "Verde",
        "Make the sustainable choice the easy one: products built to last, repaired "
        "rather than replaced, shipped in recycled packaging.",
    ),
    (
        "gala",
        "Gala",
        "Help people celebrate the moments that matter with thoughtful gifts that arrive on time.",
    ),
    (
        "kern",
        "Kern",
        "Give every customer expert service that solves the problem they came with, the first time.",
    ),
)

SHARE = np.array([0.38, 0.27, 0.35])  # of orders
GROWTH_PER_YEAR = 0.30  # continuous rate: ~35 % a year
XMAS_AMP = np.array([0.55, 1.50, 0.45])
BLACK_FRIDAY_AMP = np.array([0.35, 0.40, 0.50])

P_GUEST = np.array([0.06, 0.13, 0.06])
# Steady-state share of a brand's known orders placed by a returning customer.
P_RETURNING = np.array([0.62, 0.41, 0.66])
RETURNING_RAMP_WEEKS = 8.0  # the history starts with no earlier orders
P_CROSS_BRAND = 0.08  # a new-to-brand order by a customer of another brand
P_SATISFIED = np.array([0.80, 0.50, 0.82])  # latent: "we help them do what they came for"
UNSATISFIED_ACCEPT = 0.30  # relative repeat propensity of unsatisfied customers
RECENCY_SHARE = 0.6  # returning picks weighted to recent customers; the rest uniform
RECENCY_MEAN_DAYS = 80.0
P_OPT_IN = np.array([0.66, 0.55, 0.62])

SEGMENTS = ("value", "core", "premium")
SEGMENT_P = np.array([0.35, 0.45, 0.17, 0.03])  # last: NULL
SEGMENT_PRICE = np.array([0.82, 1.0, 1.45, 1.0])
SEGMENT_RETURN = np.array([1.1, 1.0, 0.75, 1.0])
REGIONS = ("north", "south", "east", "west", "central")
REGION_P = np.array([0.22, 0.24, 0.18, 0.26, 0.08, 0.02])
REGION_ON_TIME = np.array([-0.05, 0.0, -0.01, 0.01, 0.02, 0.0])

CHANNELS = ("web", "app", "marketplace", "store")
CHANNEL_MIX = np.array(
    [
        [0.55, 0.25, 0.12, 0.08],
        [0.50, 0.20, 0.25, 0.05],
        [0.40, 0.25, 0.10, 0.25],
    ]
)
STORE = 3
MARKETPLACE = 2
P_CANCEL = np.array([0.035, 0.05, 0.035])
EXTRA_UNITS = np.array([0.9, 0.6, 0.8])  # units = 1 + Poisson(this)
UNIT_PRICE = np.array([29.0, 36.0, 52.0])  # median, before segment and discount
PROMISE_DAYS = np.array([4, 3, 2])
P_ON_TIME = np.array([0.93, 0.80, 0.955])
GIFT_GUARANTEE_LIFT = 0.09
XMAS_ON_TIME_DROP = 0.07
P_RETURN_UNIT = np.array([0.045, 0.085, 0.055])
RECYCLED_SHARE = np.array([0.62, 0.36, 0.45])
PLASTIC_FREE_LIFT = 0.21
P_DONATE = np.array([0.16, 0.07, 0.10])
DONATIONS = np.array([1.0, 2.0, 2.5, 5.0])
DONATION_P = np.array([0.35, 0.30, 0.20, 0.15])
CAUSES = (
    ("ocean_cleanup", "reforestation"),
    ("childrens_hospitals", "food_banks"),
    ("repair_cafes", "digital_inclusion"),
)
SHIPPING_FACTOR = np.array([0.8, 1.05, 1.0])  # verde ships by cargo bike in cities

P_SURVEY = np.array([0.18, 0.17, 0.18])  # of completed orders (a one-tap in-app survey)
SPARSE_SURVEY_CAP = 6  # gala responses kept in each sparse week
PURPOSES = ("gift", "replace", "sustainable_choice", "explore")
PURPOSE_P = np.array(
    [
        [0.10, 0.30, 0.40, 0.15, 0.05],
        [0.60, 0.10, 0.05, 0.20, 0.05],
        [0.12, 0.45, 0.13, 0.25, 0.05],
    ]
)
NPS_P = {  # scores 0..10
    True: np.array([0, 0, 0, 0, 0, 0.01, 0.02, 0.07, 0.18, 0.32, 0.40]),
    False: np.array([0.04, 0.04, 0.06, 0.08, 0.10, 0.14, 0.16, 0.16, 0.12, 0.06, 0.04]),
}
CSAT_P = {True: np.array([0.01, 0.02, 0.06, 0.34, 0.57]), False: np.array([0.12, 0.20, 0.30, 0.26, 0.12])}
EFFORT_P = {
    True: np.array([0.01, 0.02, 0.04, 0.08, 0.20, 0.35, 0.30]),
    False: np.array([0.06, 0.10, 0.16, 0.22, 0.22, 0.16, 0.08]),
}
COMMENTS = {
    "good": (
        "Arrived early and beautifully packed.",
        "Exactly what I needed, thank you!",
        "Great advice from the team, problem solved.",
        'Perfect gift - she said it was "just right".',
        "Très bien, livraison rapide.",
        "Love that the box is recycled, and no plastic.",
    ),
    "bad": (
        "Arrived two days after the birthday, too late.",
        "Hard to reach anyone, three calls to get an answer.",
        "Item was not as described, returning it.",
        "Packaging was huge for such a small item.",
        "Lieferung kam zu spät, schade.",
    ),
    "neutral": (
        "OK, nothing special.",
        "Fine, but delivery could be faster.",
        "Good product, average service.",
    ),
}
ALL_COMMENTS = COMMENTS["good"] + COMMENTS["bad"] + COMMENTS["neutral"]

P_TICKET = np.array([0.025, 0.04, 0.025])
P_FCR = np.array([0.74, 0.62, 0.75])
EXPERT_CHAT_LIFT = 0.09

MESSAGES_PER_ORDER = 0.5
SEND_SLOT = ((3, 8), (4, 10), (1, 7))  # (weekday, hour UTC) of the weekly campaign
P_OPEN = np.array([0.38, 0.30, 0.35])
P_CLICK_GIVEN_OPEN = np.array([0.15, 0.11, 0.13])
P_UNSUB_GIVEN_OPEN = np.array([0.004, 0.016, 0.005])

# Teams: (brand or None for company-wide, team, headcount at 30k orders).
TEAMS = (
    (VERDE, "operations", 28),
    (VERDE, "customer_care", 14),
    (VERDE, "repair_studio", 10),
    (GALA, "operations", 30),
    (GALA, "customer_care", 12),
    (GALA, "creative", 8),
    (KERN, "operations", 24),
    (KERN, "service_desk", 20),
    (None, "technology", 18),
    (None, "finance", 9),
    (None, "people", 6),
    (None, "legal", 3),  # small on purpose: never 5 answers a month
)
FIXED_TEAMS = {"legal"}
TEAM_NAMES = tuple(dict.fromkeys(team for _, team, _ in TEAMS))
TEAM_VOLUNTARY = {VERDE: 0.009, GALA: 0.022, KERN: 0.010, None: 0.008}
TEAM_TRAINING = {VERDE: 2.6, GALA: 1.2, KERN: 3.1, None: 2.0}
TEAM_ENGAGED = {VERDE: 0.74, GALA: 0.42, KERN: 0.70, None: 0.62}
# The always-on pulse invites everyone twice a month (small teams once).
PULSE_RESPONSE = 0.55
ENPS_P = {
    True: np.array([0, 0, 0, 0, 0, 0.01, 0.04, 0.13, 0.20, 0.32, 0.30]),
    False: np.array([0.02, 0.03, 0.05, 0.07, 0.10, 0.13, 0.15, 0.17, 0.20, 0.06, 0.02]),
}
ALIGN_P = {True: np.array([0.02, 0.04, 0.12, 0.44, 0.38]), False: np.array([0.10, 0.20, 0.34, 0.26, 0.10])}

# Monthly ledger, per completed order unless said otherwise.
KWH_PER_ORDER = np.array([1.5, 2.0, 1.8])
RENEWABLE = np.array([[0.82, 0.95], [0.30, 0.46], [0.52, 0.70]])  # at start, at end
SHARED_RENEWABLE = (0.45, 0.75)
SCOPE1_KG = np.array([0.10, 0.28, 0.25])
GOODS_KG = np.array([1.6, 2.3, 2.1])
TRANSPORT_KG = 1.1
PACKAGING_KG_CO2 = 1.0
PLASTIC_FREE_PACKAGING_CUT = 0.5
WASTE_KG = np.array([0.30, 0.42, 0.36])
DIVERSION = np.array([[0.86, 0.92], [0.58, 0.64], [0.70, 0.78]])
COMMUNITY_SHARE = np.array([0.011, 0.004, 0.008])  # of net revenue
LOCAL_SHARE = np.array([0.32, 0.14, 0.24])
GRID_KG_PER_KWH = 0.35

# Targets: metric -> (company, verde, gala, kern) for the first and the
# second target year. A brand has only its own targets (SPEC 4).
TARGETS = {
    "returning_order_share": ((55, 58, 50, 60), (58, 62, 52, 63)),
    "repeat_customer_rate": ((55, 58, 52, 60), (58, 62, 55, 63)),
    "on_time_delivery_rate": ((90, 90, 92, 93), (92, 92, 95, 94)),
    "nps": ((35, 40, 30, 45), (40, 45, 35, 50)),
    "csat": ((78, 80, 78, 82), (80, 82, 80, 84)),
    "purpose_achieved_rate": ((70, 72, 72, 75), (72, 75, 75, 78)),
    "return_rate": ((6, 5, 6, 6), (5.5, 5, 6, 5.5)),
    "recycled_packaging_share": ((50, 65, 45, 50), (65, 80, 60, 65)),
    "enps": ((15, 25, 15, 20), (18, 28, 20, 25)),
    "first_contact_resolution": ((70, 70, 72, 75), (72, 72, 75, 80)),
}
INITIATIVES = (
    # (brand, name, weeks before end, metric, expected change)
    (VERDE, "Repair & care service", 60, "returning_order_share", 5.0),
    (None, "Purpose week for all staff", 48, None, None),
    (None, "Plastic-free packaging", 40, "recycled_packaging_share", 20.0),
    (KERN, "Ask-an-expert chat", 32, "first_contact_resolution", 8.0),
    (GALA, "Gift-date guarantee", 24, "on_time_delivery_rate", 8.0),
)

DOW_WEIGHTS = np.array([1.0, 1.0, 1.0, 1.05, 0.95, 0.85, 1.1])
HOUR_WEIGHTS = np.array(
    [0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.35, 0.6, 0.8, 0.95, 1.0, 1.0]
    + [1.05, 1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 1.4, 1.45, 1.3, 0.95, 0.6]
)
DOW_CUM = np.cumsum(DOW_WEIGHTS)
HOUR_CUM = np.cumsum(HOUR_WEIGHTS)


# ---------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------


def _epoch(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days * DAY


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


class _Calendar:
    def __init__(self, end: dt.date) -> None:
        self.end = end
        self.start = _monday(end - dt.timedelta(days=728))
        days = (end - self.start).days
        self.n_weeks = math.ceil(days / 7)
        self.week_days = np.minimum(7, days - 7 * np.arange(self.n_weeks))
        self.start_s = _epoch(self.start)
        self.end_s = _epoch(end)
        # Month grid from the start's month to end's month (inclusive).
        self.month0 = dt.date(self.start.year, self.start.month, 1)
        self.n_months = (end.year - self.month0.year) * 12 + end.month - self.month0.month + 1
        self.month_starts = [_add_months(self.month0, i) for i in range(self.n_months + 1)]
        # Whole months of history: starting on or after `start`, ending by `end`.
        self.whole_months = [
            i
            for i in range(self.n_months)
            if self.month_starts[i] >= self.start and self.month_starts[i + 1] <= end
        ]
        self.launch = {name: _monday(end - dt.timedelta(weeks=w)) for _, name, w, _, _ in INITIATIVES}
        self.launch_s = {k: _epoch(v) for k, v in self.launch.items()}
        # Gala's survey-tool migration: ISO weeks with at most 6 responses.
        self.sparse_weeks = sorted(
            {w for w in (30, self.n_weeks - 6, self.n_weeks - 5) if 0 <= w < self.n_weeks - 1}
        )
        # Target years: the first runs from the start's month to 1 January of
        # end's year (of the year before when `end` is in January).
        year2 = end.year if end.month > 1 else end.year - 1
        self.target_windows = ((self.month0, dt.date(year2, 1, 1)), (dt.date(year2, 1, 1), None))

    def week_mid_doy(self) -> np.ndarray:
        mids = np.datetime64(self.start, "D") + 7 * np.arange(self.n_weeks) + self.week_days // 2
        return (mids - mids.astype("datetime64[Y]")).astype(np.int64)

    def month_index(self, seconds: np.ndarray) -> np.ndarray:
        months = seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
        return months - np.datetime64(self.month0, "M").astype(np.int64)

    def ramp(self, seconds: np.ndarray, launch: str, weeks: float = 4.0) -> np.ndarray:
        """0 before a launch, rising linearly to 1 over `weeks` after it."""
        return np.clip((seconds - self.launch_s[launch]) / (weeks * WEEK), 0.0, 1.0)


def _circ(doy: np.ndarray, center: float) -> np.ndarray:
    d = np.abs(doy - center)
    return np.minimum(d, 365 - d)


def _bump(doy: np.ndarray, center: float, width: float) -> np.ndarray:
    return np.exp(-((_circ(doy, center) / width) ** 2))


def _week_weights(cal: _Calendar, rng: np.random.Generator) -> np.ndarray:
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


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _arrow_schema(table: Table):
    import pyarrow as pa

    types = {
        "id": pa.int64(),
        "int": pa.int64(),
        "text": pa.string(),
        "num": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "ts": pa.timestamp("us"),
    }
    return pa.schema([pa.field(c.name, types[c.type], nullable=c.nullable) for c in table.columns])


class _Writer:
    """Appends frames to one file per table: CSV (header once) or Parquet."""

    def __init__(self, out_dir: Path, table: Table, fmt: str) -> None:
        self.table = table
        self.fmt = fmt
        self.rows = 0
        self.path = out_dir / f"{table.name}.{fmt}"
        self._file: IO[bytes] | None = None
        self._pq = None
        if fmt == "csv":
            self._file = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            self._file.write((",".join(table.column_names) + "\n").encode())
        else:
            import pyarrow.parquet as pq

            self._schema = _arrow_schema(table)
            self._pq = pq.ParquetWriter(self.path, self._schema, compression="zstd")

    def write(self, df: pl.DataFrame) -> None:
        df = df.select([pl.col(c.name).cast(c.dtype) for c in self.table.columns])
        if df.height == 0:
            return
        self.rows += df.height
        if self._file is not None:
            df.write_csv(
                self._file,
                include_header=False,
                datetime_format="%Y-%m-%d %H:%M:%S",
                date_format="%Y-%m-%d",
                null_value="",
                line_terminator="\n",
            )
        else:
            import pyarrow as pa

            arrow = df.to_arrow()
            arrays = [arrow.column(i).cast(f.type) for i, f in enumerate(self._schema)]
            self._pq.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._pq is not None:
            self._pq.close()


# ---------------------------------------------------------------------------
# Column helpers
# ---------------------------------------------------------------------------


def _ts(seconds: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(np.asarray(seconds, dtype=np.int64) * 1_000_000).cast(pl.Datetime("us"))
    if null is not None and null.any():
        s = s.scatter(np.flatnonzero(null), None)
    return s


def _date(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)
    if null is not None and null.any():
        s = s.scatter(np.flatnonzero(null), None)
    return s


def _int(values: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(np.asarray(values, dtype=np.int64))
    if null is not None and null.any():
        s = s.scatter(np.flatnonzero(null), None)
    return s


def _num(values: np.ndarray, decimals: int, null: np.ndarray | None = None) -> pl.Series:
    v = np.round(np.asarray(values, dtype=np.float64), decimals)
    if null is not None:
        v = np.where(null, np.nan, v)
    return pl.Series(v, nan_to_null=True)


def _text(codes: np.ndarray, labels: tuple[str, ...]) -> pl.Series:
    """Labels by code; a code equal to len(labels) (or negative) is NULL."""
    codes = np.asarray(codes, dtype=np.int64)
    null = (codes < 0) | (codes >= len(labels))
    cat = pl.Series(np.where(null, 0, codes).astype(np.uint32)).replace_strict(
        list(range(len(labels))), list(labels), return_dtype=pl.String
    )
    if null.any():
        cat = cat.scatter(np.flatnonzero(null), None)
    return cat


def _bool(values: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(np.asarray(values, dtype=bool))
    if null is not None and null.any():
        s = s.scatter(np.flatnonzero(null), None)
    return s


def _choice(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Categorical draws from one probability vector."""
    cum = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(p) - 1)


def _choice_rows(rng: np.random.Generator, p: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Categorical draws, row `rows[i]` of probability matrix `p` for draw i."""
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    out = (u[:, None] >= cum[rows]).sum(axis=1)
    return np.minimum(out, p.shape[1] - 1)


def _excl_cumsum(flags: np.ndarray) -> np.ndarray:
    c = np.cumsum(flags, dtype=np.int64)
    return c - flags


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


class _Generator:
    def __init__(self, orders: int, seed: int, end: dt.date) -> None:
        self.n_orders = int(orders)
        self.rng = np.random.default_rng(seed)
        self.cal = _Calendar(end)
        self.counts = (
            _allocate(_week_weights(self.cal, self.rng), self.n_orders)
            if self.n_orders > 0
            else np.zeros((self.cal.n_weeks, 3), dtype=np.int64)
        )
        cap = max(self.n_orders, 1)
        # Customers, by index (customer_id = CUSTOMER_ID0 + index).
        self.n_cust = 0
        self.c_home = np.zeros(cap, dtype=np.int8)
        self.c_sat = np.zeros(cap, dtype=bool)
        self.c_opt = np.zeros(cap, dtype=bool)
        self.c_seg = np.zeros(cap, dtype=np.int8)
        self.c_reg = np.zeros(cap, dtype=np.int8)
        # Per brand, customers in the order of their first order there.
        self.arr_cust = [np.zeros(max(int(self.counts[:, b].sum()), 1), dtype=np.int32) for b in range(3)]
        self.arr_time = [np.zeros(max(int(self.counts[:, b].sum()), 1), dtype=np.int64) for b in range(3)]
        self.arr_n = [0, 0, 0]
        self.next_order = 0
        self.next_survey = 0
        self.next_ticket = 0
        self.next_message = 0
        self.sparse_left = {w: SPARSE_SURVEY_CAP for w in self.cal.sparse_weeks}
        # Completed orders and revenue net of refunds per (month, brand).
        self.m_orders = np.zeros((self.cal.n_months, 3))
        self.m_revenue = np.zeros((self.cal.n_months, 3))

    # -- chunks of weeks --------------------------------------------------

    def chunks(self) -> list[tuple[int, int]]:
        per_week = self.counts.sum(axis=1)
        out, lo, acc = [], 0, 0
        for w in range(self.cal.n_weeks):
            acc += int(per_week[w])
            if acc >= CHUNK_ORDERS:
                out.append((lo, w + 1))
                lo, acc = w + 1, 0
        if lo < self.cal.n_weeks:
            out.append((lo, self.cal.n_weeks))
        return out

    # -- orders ------------------------------------------------------------

    def order_slots(self, w0: int, w1: int) -> tuple[np.ndarray, np.ndarray]:
        rng, cal = self.rng, self.cal
        cells = self.counts[w0:w1].ravel()
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

    def p_returning(self, t: np.ndarray, br: np.ndarray) -> np.ndarray:
        age_weeks = (t - self.cal.start_s) / WEEK
        p = P_RETURNING[br] * (1 - np.exp(-age_weeks / RETURNING_RAMP_WEEKS))
        repair = self.cal.ramp(t, "Repair & care service", 8)
        return p + np.where(br == VERDE, 0.065 * repair, 0.0)

    def assign_customers(self, t: np.ndarray, br: np.ndarray) -> tuple[np.ndarray, pl.DataFrame]:
        """Customer index per order (-1: guest) and the new customers' rows."""
        rng = self.rng
        n = len(t)
        guest = rng.random(n) < P_GUEST[br]
        ret = ~guest & (rng.random(n) < self.p_returning(t, br))
        for b in range(3):  # a brand's first known order has no earlier one
            if self.arr_n[b] == 0:
                first = np.flatnonzero((br == b) & ~guest)
                if len(first):
                    ret[first[0]] = False
        new_to_brand = ~guest & ~ret

        cross = new_to_brand & (rng.random(n) < P_CROSS_BRAND)
        brand_new = new_to_brand & ~cross
        prefix = self.n_cust + _excl_cumsum(brand_new)
        no_one = cross & (prefix == 0)
        cross &= ~no_one
        brand_new |= no_one
        prefix = self.n_cust + _excl_cumsum(brand_new)

        cust = np.full(n, -1, dtype=np.int64)
        nb = int(brand_new.sum())
        new_idx = np.arange(self.n_cust, self.n_cust + nb)
        cust[brand_new] = new_idx
        home = br[brand_new]
        sl = slice(self.n_cust, self.n_cust + nb)
        self.c_home[sl] = home
        self.c_sat[sl] = rng.random(nb) < P_SATISFIED[home]
        self.c_opt[sl] = rng.random(nb) < P_OPT_IN[home]
        self.c_seg[sl] = _choice(rng, SEGMENT_P, nb)
        self.c_reg[sl] = _choice(rng, REGION_P, nb)
        first_t = t[brand_new]
        kind = rng.random(nb)
        offset = np.where(
            kind < 0.45,
            rng.integers(30, 1_800, nb),
            np.where(kind < 0.85, rng.integers(0, 90 * DAY, nb), rng.integers(0, 720 * DAY, nb)),
        )
        customers = pl.DataFrame(
            {
                "customer_id": _int(CUSTOMER_ID0 + new_idx),
                "created_at": _ts(first_t - offset),
                "segment": _text(self.c_seg[sl], SEGMENTS),
                "region": _text(self.c_reg[sl], REGIONS),
                "marketing_opt_in": _bool(self.c_opt[sl]),
            }
        )
        self.n_cust += nb

        # Customers of other brands trying this one.
        pending = np.flatnonzero(cross)
        for round_ in range(6):
            if not len(pending):
                break
            pick = (rng.random(len(pending)) * prefix[pending]).astype(np.int64)
            ok = (self.c_home[pick] != br[pending]) | (round_ == 5)
            cust[pending[ok]] = pick[ok]
            pending = pending[~ok]

        # Record arrivals (first orders in a brand) before returning picks.
        k = np.zeros(n, dtype=np.int64)
        for b in range(3):
            m = br == b
            flags = new_to_brand[m]
            k[m] = self.arr_n[b] + _excl_cumsum(flags)
            idx = np.flatnonzero(m & new_to_brand)
            a0, a1 = self.arr_n[b], self.arr_n[b] + len(idx)
            self.arr_cust[b][a0:a1] = cust[idx]
            self.arr_time[b][a0:a1] = t[idx]
            self.arr_n[b] = a1

        # Returning orders: an earlier customer of the brand, weighted to recent
        # ones and to those whose purpose we serve.
        for b in range(3):
            sel = np.flatnonzero(ret & (br == b))
            times = self.arr_time[b][: self.arr_n[b]]
            custs = self.arr_cust[b]
            pending = np.arange(len(sel))
            for round_ in range(8):
                if not len(pending):
                    break
                kk = k[sel[pending]]
                m = len(pending)
                age = rng.exponential(RECENCY_MEAN_DAYS * DAY, m)
                j_rec = np.searchsorted(times, t[sel[pending]] - age, side="right") - 1
                j_uni = (rng.random(m) * kk).astype(np.int64)
                j = np.where((rng.random(m) < RECENCY_SHARE) & (j_rec >= 0), j_rec, j_uni)
                j = np.clip(j, 0, kk - 1)
                c = custs[j].astype(np.int64)
                ok = self.c_sat[c] | (rng.random(m) < UNSATISFIED_ACCEPT) | (round_ == 7)
                cust[sel[pending[ok]]] = c[ok]
                pending = pending[~ok]
        return cust, customers

    def orders_chunk(self, w0: int, w1: int) -> dict[str, pl.DataFrame]:
        rng, cal = self.rng, self.cal
        t, br = self.order_slots(w0, w1)
        n = len(t)
        cust, customers = self.assign_customers(t, br)
        known = cust >= 0
        cidx = np.where(known, cust, 0)
        seg = np.where(known, self.c_seg[cidx], _choice(rng, SEGMENT_P, n))
        reg = np.where(known, self.c_reg[cidx], _choice(rng, REGION_P, n))
        sat = np.where(known, self.c_sat[cidx], rng.random(n) < P_SATISFIED[br])

        channel = _choice_rows(rng, CHANNEL_MIX, br)
        cancelled = rng.random(n) < P_CANCEL[br]
        units = 1 + np.minimum(rng.poisson(EXTRA_UNITS[br]), 11)
        price = UNIT_PRICE[br] * SEGMENT_PRICE[seg] * rng.lognormal(0.0, 0.45, n)
        discount = np.where(rng.random(n) < 0.75, 0.0, np.where(rng.random(n) < 0.6, 0.1, 0.2))
        net = np.round(units * price * (1 - discount), 2)

        # Delivery: a promise in days, on time or 1-4 days late.
        order_day = t // DAY
        store = channel == STORE
        no_promise = store | ((channel == MARKETPLACE) & (rng.random(n) < 0.35))
        promise = PROMISE_DAYS[br] + (rng.random(n) < 0.3)
        doy = t.astype("datetime64[s]").astype("datetime64[D]") - t.astype("datetime64[s]").astype(
            "datetime64[Y]"
        )
        doy = doy.astype(np.int64)
        p_on = P_ON_TIME[br] + REGION_ON_TIME[reg]
        p_on = p_on - XMAS_ON_TIME_DROP * ((doy >= 330) & (doy <= 357))
        p_on = p_on + np.where(br == GALA, GIFT_GUARANTEE_LIFT * cal.ramp(t, "Gift-date guarantee", 3), 0.0)
        on_time = rng.random(n) < p_on
        early = 1 + (rng.random(n) * promise).astype(np.int64)  # 1..promise days
        late_by = 1 + np.minimum(rng.geometric(0.55, n) - 1, 3)
        deliver_day = np.where(
            no_promise,
            order_day + 2 + rng.integers(0, 5, n),
            order_day + np.where(on_time, early, promise + late_by),
        )
        deliver_at = deliver_day * DAY + rng.integers(8 * HOUR, 20 * HOUR, n)
        deliver_at = np.where(store, t, deliver_at)
        undelivered = cancelled | (deliver_at >= cal.end_s) | (rng.random(n) < 0.003)
        late = ~no_promise & ~on_time & ~undelivered

        p_unit = P_RETURN_UNIT[br] * SEGMENT_RETURN[seg]
        returned = np.where(undelivered, 0, rng.binomial(units, p_unit))
        refund = np.round(net * returned / units, 2)

        years = (t - cal.start_s) / (365.25 * DAY)
        ship = (0.35 + 0.12 * units) * SHIPPING_FACTOR[br] * (1 - 0.06 * years) * rng.lognormal(0.0, 0.25, n)
        ship_null = (
            cancelled | store | ((channel == MARKETPLACE) & (rng.random(n) < 0.4)) | (rng.random(n) < 0.02)
        )
        pack = np.where(store, 0.03, (0.12 + 0.09 * units) * rng.lognormal(0.0, 0.2, n))
        pack = np.round(pack, 3)
        pack_null = cancelled | (rng.random(n) < 0.03)
        share_mean = np.minimum(
            RECYCLED_SHARE[br] + PLASTIC_FREE_LIFT * cal.ramp(t, "Plastic-free packaging", 4), 0.97
        )
        share = np.where(store, 1.0, rng.beta(20 * share_mean, 20 * (1 - share_mean)))
        recycled = np.minimum(np.round(pack * share, 3), pack)
        recycled_null = pack_null | (rng.random(n) < 0.02)

        donate = ~cancelled & (rng.random(n) < P_DONATE[br])
        donation = np.where(donate, DONATIONS[_choice(rng, DONATION_P, n)], 0.0)
        cause_pick = (rng.random(n) < 0.6).astype(np.int64)
        cause = np.where(donate, 2 * br + cause_pick, -1)

        order_ids = ORDER_ID0 + 1 + self.next_order + np.arange(n)
        self.next_order += n
        orders = pl.DataFrame(
            {
                "order_id": _int(order_ids),
                "customer_id": _int(CUSTOMER_ID0 + cidx, ~known),
                "brand_id": _text(br, BRANDS),
                "ordered_at": _ts(t),
                "channel": _text(channel, CHANNELS),
                "status": pl.Series(np.where(cancelled, "cancelled", "completed")),
                "units": _int(units),
                "net_revenue": _num(net, 2),
                "returned_units": _int(returned),
                "refunded_amount": _num(refund, 2),
                "promised_delivery_date": _date(order_day + promise, no_promise),
                "delivered_at": _ts(deliver_at, undelivered),
                "shipping_co2e_kg": _num(ship, 3, ship_null),
                "packaging_kg": _num(pack, 3, pack_null),
                "packaging_recycled_kg": _num(recycled, 3, recycled_null),
                "donation_amount": _num(donation, 2),
                "cause": _text(cause, tuple(c for pair in CAUSES for c in pair)),
            }
        )

        completed = ~cancelled
        month = cal.month_index(t)
        for b in range(3):
            m = completed & (br == b)
            self.m_orders[:, b] += np.bincount(month[m], minlength=cal.n_months)[: cal.n_months]
            self.m_revenue[:, b] += np.bincount(month[m], weights=(net - refund)[m], minlength=cal.n_months)[
                : cal.n_months
            ]

        facts = {
            "t": t, "br": br, "cust": cust, "sat": sat, "completed": completed, "late": late,
            "delivered": np.where(undelivered, -1, deliver_at), "order_ids": order_ids,
            "promise_day": np.where(no_promise, -1, order_day + promise),
        }  # fmt: skip
        surveys = self.surveys(facts)
        tickets = self.tickets(facts)
        messages = self.messages(w0, w1)
        return {
            "customers": customers,
            "orders": orders,
            "customer_surveys": surveys,
            "support_tickets": tickets,
            "marketing_messages": messages,
        }

    # -- customer surveys --------------------------------------------------

    def surveys(self, f: dict[str, np.ndarray]) -> pl.DataFrame:
        rng, cal = self.rng, self.cal
        pick = np.flatnonzero(f["completed"] & (rng.random(len(f["t"])) < P_SURVEY[f["br"]]))
        t, br, cust = f["t"][pick], f["br"][pick], f["cust"][pick]
        sat, late, delivered = f["sat"][pick], f["late"][pick], f["delivered"][pick]
        base = np.where(delivered >= 0, delivered, t + 2 * DAY)
        submitted = base + 2 * HOUR + rng.exponential(36 * HOUR, len(pick)).astype(np.int64)
        keep = submitted < cal.end_s
        # Gala's survey-tool migration weeks: only a handful got through.
        week = (submitted - cal.start_s) // WEEK
        order = np.argsort(submitted, kind="stable")
        for w in cal.sparse_weeks:
            hits = order[((week[order] == w) & (br[order] == GALA) & keep[order])]
            allowed = self.sparse_left[w]
            keep[hits[allowed:]] = False
            self.sparse_left[w] = max(0, allowed - len(hits))
        idx = np.flatnonzero(keep)
        pick, t, br, cust, sat, late, submitted = (
            pick[idx],
            t[idx],
            br[idx],
            cust[idx],
            sat[idx],
            late[idx],
            submitted[idx],
        )
        n = len(pick)

        purpose = _choice_rows(rng, PURPOSE_P, br)  # 4: NULL
        p_ach = np.where(sat, 0.88, 0.22) * np.where(late & (purpose == 0), 0.35, np.where(late, 0.8, 1.0))
        achieved = rng.random(n) < p_ach
        nps = np.where(sat, _choice(rng, NPS_P[True], n), _choice(rng, NPS_P[False], n))
        nps = np.where(late, np.maximum(nps - rng.integers(0, 4, n), 0), nps)
        csat = 1 + np.where(sat, _choice(rng, CSAT_P[True], n), _choice(rng, CSAT_P[False], n))
        csat = np.where(late, np.maximum(csat - 1, 1), csat)
        effort = 1 + np.where(sat, _choice(rng, EFFORT_P[True], n), _choice(rng, EFFORT_P[False], n))
        effort = np.where(br == KERN, np.minimum(effort + (rng.random(n) < 0.3), 7), effort)

        mood = np.where(nps >= 9, 0, np.where(nps <= 6, 1, 2))
        has_comment = rng.random(n) < 0.15
        comment = np.full(n, -1, dtype=np.int64)
        first = 0
        for code, key in enumerate(("good", "bad", "neutral")):
            m = has_comment & (mood == code)
            comment[m] = first + rng.integers(0, len(COMMENTS[key]), int(m.sum()))
            first += len(COMMENTS[key])

        known = cust >= 0
        anonymous = rng.random(n) < 0.03
        no_order = rng.random(n) < 0.05
        ids = SURVEY_ID0 + self.next_survey + np.arange(n)
        self.next_survey += n
        return pl.DataFrame(
            {
                "response_id": _int(ids),
                "customer_id": _int(CUSTOMER_ID0 + np.maximum(cust, 0), ~known | anonymous),
                "brand_id": _text(br, BRANDS),
                "order_id": _int(f["order_ids"][pick], no_order),
                "submitted_at": _ts(submitted),
                "nps_score": _int(nps, rng.random(n) < 0.04),
                "csat_score": _int(csat, rng.random(n) < 0.06),
                "effort_score": _int(effort, rng.random(n) < 0.12),
                "customer_purpose": _text(purpose, PURPOSES),
                "purpose_achieved": _bool(achieved, rng.random(n) < 0.06),
                "comment": _text(comment, ALL_COMMENTS),
            }
        )

    # -- support tickets ---------------------------------------------------

    def tickets(self, f: dict[str, np.ndarray]) -> pl.DataFrame:
        rng, cal = self.rng, self.cal
        n_all = len(f["t"])
        p = P_TICKET[f["br"]] * np.where(f["late"], 3.0, 1.0) + np.where(f["completed"], 0.0, 0.08)
        pick = np.flatnonzero(rng.random(n_all) < p)
        t, br, cust, late = f["t"][pick], f["br"][pick], f["cust"][pick], f["late"][pick]
        promise_day = f["promise_day"][pick]
        n = len(pick)
        opened = np.where(
            late,
            (promise_day + 1) * DAY + rng.integers(7 * HOUR, 22 * HOUR, n),
            t + rng.integers(HOUR, 12 * DAY, n),
        )
        opened = np.maximum(opened, t + 60)
        keep = opened < cal.end_s
        pick, t, br, cust, opened = pick[keep], t[keep], br[keep], cust[keep], opened[keep]
        n = len(pick)
        fcr = P_FCR[br] + np.where(
            br == KERN, EXPERT_CHAT_LIFT * cal.ramp(opened, "Ask-an-expert chat", 3), 0.0
        )
        first = rng.random(n) < fcr
        contacts = np.where(first, 1, 2 + np.minimum(rng.poisson(0.6, n), 6))
        median_h = np.where(br == KERN, 8.0, np.where(br == GALA, 26.0, 16.0))
        resolved = opened + (
            rng.lognormal(0.0, 0.9, n) * median_h * HOUR * (1 + 0.5 * (contacts - 1))
        ).astype(np.int64)
        resolved = np.maximum(resolved, opened + 120)
        unresolved = (rng.random(n) < 0.03) | (resolved >= cal.end_s)
        ids = TICKET_ID0 + 1 + self.next_ticket + np.arange(n)
        self.next_ticket += n
        return pl.DataFrame(
            {
                "ticket_id": _int(ids),
                "customer_id": _int(CUSTOMER_ID0 + np.maximum(cust, 0), cust < 0),
                "brand_id": _text(br, BRANDS),
                "order_id": _int(f["order_ids"][pick], rng.random(n) < 0.06),
                "opened_at": _ts(opened),
                "resolved_at": _ts(resolved, unresolved),
                "contacts": _int(contacts),
            }
        )

    # -- marketing messages ------------------------------------------------

    def messages(self, w0: int, w1: int) -> pl.DataFrame:
        rng, cal = self.rng, self.cal
        parts_c, parts_b, parts_t = [], [], []
        for w in range(w0, w1):
            for b in range(3):
                day, hour = SEND_SLOT[b]
                sends = [(day, hour)]
                week_start = cal.start + dt.timedelta(weeks=w)
                if b == GALA and week_start.month == 12 and week_start.day <= 21:
                    sends.append((0, 17))  # extra gift-guide mailing in December
                want = MESSAGES_PER_ORDER * self.counts[w, b] / len(sends)
                for day, hour in sends:
                    send = cal.start_s + w * WEEK + day * DAY + hour * HOUR
                    if send + HOUR >= cal.end_s:
                        continue
                    k = int(np.searchsorted(self.arr_time[b][: self.arr_n[b]], send, side="left"))
                    m = int(round(want))
                    if k == 0 or m == 0:
                        continue
                    draw = rng.integers(0, k, int(m / 0.55) + 8)
                    c = self.arr_cust[b][draw].astype(np.int64)
                    _, first = np.unique(c, return_index=True)
                    c = c[np.sort(first)]
                    c = c[self.c_opt[c]][:m]
                    parts_c.append(c)
                    parts_b.append(np.full(len(c), b))
                    parts_t.append(send + rng.integers(0, HOUR, len(c)))
        if not parts_c:
            return pl.DataFrame({c: [] for c in TABLES["marketing_messages"].column_names})
        c, br, sent = np.concatenate(parts_c), np.concatenate(parts_b), np.concatenate(parts_t)
        n = len(c)
        engaged = np.where(self.c_sat[c], 1.2, 0.75)
        opened = rng.random(n) < P_OPEN[br] * engaged
        opened_at = sent + (rng.lognormal(0.0, 1.3, n) * 3 * HOUR).astype(np.int64)
        clicked = opened & (rng.random(n) < P_CLICK_GIVEN_OPEN[br] * engaged)
        clicked_at = opened_at + 5 + rng.exponential(240, n).astype(np.int64)
        unsub = opened & ~clicked & (rng.random(n) < P_UNSUB_GIVEN_OPEN[br] / engaged)
        unsub_at = opened_at + 10 + rng.integers(0, 600, n)
        ids = MESSAGE_ID0 + 1 + self.next_message + np.arange(n)
        self.next_message += n
        return pl.DataFrame(
            {
                "message_id": _int(ids),
                "customer_id": _int(CUSTOMER_ID0 + c),
                "brand_id": _text(br, BRANDS),
                "sent_at": _ts(sent),
                "opened_at": _ts(opened_at, ~opened | (opened_at >= cal.end_s)),
                "clicked_at": _ts(clicked_at, ~clicked | (clicked_at >= cal.end_s)),
                "unsubscribed_at": _ts(unsub_at, ~unsub | (unsub_at >= cal.end_s)),
            }
        )

    # -- people ------------------------------------------------------------

    def people(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        rng, cal = self.rng, self.cal
        scale = max(1.0, (self.n_orders / 30_000) ** 0.35)
        whole = set(cal.whole_months)
        wf_rows: list[dict] = []
        resp = {"t": [], "b": [], "team": [], "engaged": []}
        for brand, team, base in TEAMS:
            fixed = team in FIXED_TEAMS
            size0 = base if fixed else base * scale
            h = max(1, round(size0 * (0.85 if not fixed else 1.0)))
            for i in range(cal.n_months):
                ms, me = cal.month_starts[i], cal.month_starts[i + 1]
                years = (ms - cal.start).days / 365.25
                goal = size0 if fixed else size0 * 0.85 * math.exp(0.15 * years)
                vol = int(rng.binomial(h, TEAM_VOLUNTARY[brand]))
                invol = int(rng.binomial(h, 0.003))
                hires = int(rng.poisson(max(0.0, goal - h + vol + invol + 0.02 * h)))
                if fixed:
                    hires = max(0, min(hires, round(goal) - h + vol + invol))
                h_end = max(0, h + hires - vol - invol)
                if i in whole:
                    hours = h_end * TEAM_TRAINING[brand] * rng.gamma(4.0, 0.25)
                    wf_rows.append(
                        {
                            "period_start": ms,
                            "brand_id": None if brand is None else BRANDS[brand],
                            "team": team,
                            "headcount_start": h,
                            "headcount_end": h_end,
                            "hires": hires,
                            "voluntary_leavers": vol,
                            "involuntary_leavers": invol,
                            "training_hours": round(hours, 1),
                        }
                    )
                invites = (1 if fixed else 2) * ((h + h_end) // 2)
                k = int(rng.binomial(invites, PULSE_RESPONSE))
                lo, hi = max(_epoch(ms), cal.start_s), min(_epoch(me), cal.end_s)
                if k and hi > lo:
                    ts = rng.integers(lo, hi, k)
                    resp["t"].append(ts)
                    resp["b"].append(np.full(k, -1 if brand is None else brand))
                    resp["team"].append(np.full(k, TEAM_NAMES.index(team)))
                    resp["engaged"].append(rng.random(k) < TEAM_ENGAGED[brand])
                h = h_end
        workforce = pl.DataFrame(wf_rows, schema=TABLES["workforce"].polars_schema)

        t = np.concatenate(resp["t"])
        b = np.concatenate(resp["b"])
        team = np.concatenate(resp["team"])
        engaged = np.concatenate(resp["engaged"])
        # The pulse pauses over the holidays (15 December - 4 January).
        d = t.astype("datetime64[s]").astype("datetime64[D]")
        month_day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
        month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
        paused = ((month == 12) & (month_day >= 15)) | ((month == 1) & (month_day <= 4))
        order = np.argsort(t, kind="stable")
        order = order[~paused[order]]
        t, b, team, engaged = t[order], b[order], team[order], engaged[order]
        n = len(t)
        enps = np.where(engaged, _choice(rng, ENPS_P[True], n), _choice(rng, ENPS_P[False], n))
        engagement = np.clip(rng.normal(np.where(engaged, 4.0, 2.9), 0.55), 1.0, 5.0)
        align = 1 + np.where(engaged, _choice(rng, ALIGN_P[True], n), _choice(rng, ALIGN_P[False], n))
        align = np.where((b == VERDE) & (align < 5) & (rng.random(n) < 0.15), align + 1, align)
        employee = pl.DataFrame(
            {
                "response_id": _int(EMPLOYEE_RESPONSE_ID0 + np.arange(n)),
                "submitted_at": _ts(t),
                "brand_id": _text(b, BRANDS),
                "team": _text(team, TEAM_NAMES),
                "enps_score": _int(enps, rng.random(n) < 0.03),
                "engagement_score": _num(engagement, 2, rng.random(n) < 0.05),
                "purpose_alignment": _int(align, rng.random(n) < 0.04),
            }
        )
        return employee, workforce

    # -- impact ledger -----------------------------------------------------

    def ledger(self) -> pl.DataFrame:
        rng, cal = self.rng, self.cal
        rows: list[dict] = []
        mean_orders = (
            np.maximum(self.m_orders[cal.whole_months].mean(axis=0), 1.0) if cal.whole_months else np.ones(3)
        )
        span = max((cal.end - cal.start).days, 1)
        for i in cal.whole_months:
            ms = cal.month_starts[i]
            ms_s = _epoch(ms)
            frac = (ms - cal.start).days / span
            month_no = ms.month
            heating = 1.15 if month_no in (12, 1, 2) else (0.9 if month_no in (6, 7, 8) else 1.0)
            plastic = float(cal.ramp(np.array([ms_s + 15 * DAY]), "Plastic-free packaging", 4)[0])
            for b in (0, 1, 2, None):
                if b is None:
                    o = self.m_orders[i].sum()
                    rev = self.m_revenue[i].sum()
                    energy = (0.35 * o + 0.15 * mean_orders.sum()) * heating
                    ren_share = SHARED_RENEWABLE[0] + frac * (SHARED_RENEWABLE[1] - SHARED_RENEWABLE[0])
                    s1 = 0.02 * o / 1000
                    s3 = 0.25 * o / 1000
                    waste = 0.03 * o
                    diverted = 0.80
                    community = 0.002 * rev
                    procurement = 0.06 * rev
                    local = 0.30
                    complaints = 0.3
                else:
                    o = self.m_orders[i, b]
                    rev = self.m_revenue[i, b]
                    energy = KWH_PER_ORDER[b] * (0.7 * o + 0.3 * mean_orders[b]) * heating
                    ren_share = RENEWABLE[b, 0] + frac * (RENEWABLE[b, 1] - RENEWABLE[b, 0])
                    s1 = SCOPE1_KG[b] * o / 1000
                    pack = PACKAGING_KG_CO2 * (1 - PLASTIC_FREE_PACKAGING_CUT * plastic)
                    s3 = (GOODS_KG[b] + TRANSPORT_KG + pack) * o / 1000
                    waste = WASTE_KG[b] * o
                    diverted = DIVERSION[b, 0] + frac * (DIVERSION[b, 1] - DIVERSION[b, 0])
                    community = COMMUNITY_SHARE[b] * rev
                    procurement = 0.52 * rev
                    local = LOCAL_SHARE[b]
                    complaints = 0.15 + 1e-5 * o
                jitter = rng.lognormal(0.0, 0.04, 6)
                energy = round(energy * jitter[0], 1)
                renewable = min(round(energy * min(ren_share * jitter[1], 1.0), 1), energy)
                s2 = (energy - renewable) * GRID_KG_PER_KWH / 1000
                waste = round(waste * jitter[2], 1)
                diverted_kg = min(round(waste * min(diverted * jitter[3], 1.0), 1), waste)
                procurement = round(procurement * jitter[4], 2)
                local_spend = min(round(procurement * min(local * jitter[5], 1.0), 2), procurement)
                rows.append(
                    {
                        "period_start": ms,
                        "brand_id": None if b is None else BRANDS[b],
                        "scope1_tco2e": round(s1, 3),
                        "scope2_tco2e": round(s2, 3),
                        "scope3_tco2e": round(s3, 3),
                        "energy_kwh": energy,
                        "renewable_energy_kwh": renewable,
                        "waste_kg": waste,
                        "waste_diverted_kg": diverted_kg,
                        "community_investment": round(max(community, 0.0), 2),
                        "procurement_spend": max(procurement, 0.0),
                        "local_procurement_spend": max(local_spend, 0.0),
                        "privacy_complaints": int(rng.poisson(complaints)),
                    }
                )
        return pl.DataFrame(rows, schema=TABLES["impact_ledger"].polars_schema)

    # -- reference tables ----------------------------------------------------

    def targets(self) -> pl.DataFrame:
        rows = []
        for metric, years in TARGETS.items():
            for (valid_from, valid_to), values in zip(self.cal.target_windows, years, strict=True):
                for scope, value in zip((None, *BRANDS), values, strict=True):
                    rows.append(
                        {"metric_id": metric, "brand_id": scope, "valid_from": valid_from,
                         "valid_to": valid_to, "target_value": float(value)}
                    )  # fmt: skip
        return pl.DataFrame(rows, schema=TABLES["targets"].polars_schema)

    def initiatives(self) -> pl.DataFrame:
        rows = [
            {
                "initiative_id": i + 1,
                "brand_id": None if b is None else BRANDS[b],
                "name": name,
                "launched_at": self.cal.launch[name],
                "metric_id": metric,
                "expected_change": change,
            }
            for i, (b, name, _, metric, change) in enumerate(INITIATIVES)
        ]
        return pl.DataFrame(rows, schema=TABLES["initiatives"].polars_schema)


def generate(
    out_dir: str | Path,
    orders: int = 30_000,
    seed: int = 7,
    fmt: str = "csv",
    progress: bool = False,
    end: dt.date = DEFAULT_END,
) -> dict[str, int]:
    """Write a synthetic data set, one file per table; return rows per table.

    `orders` orders (cancelled included) over the two years before `end`
    (exclusive), `fmt` "csv" or "parquet". Deterministic in (orders, seed, end).
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if isinstance(end, str):
        end = dt.date.fromisoformat(end)
    if isinstance(end, dt.datetime):
        end = end.date()
    if orders < 0:
        raise ValueError("orders must be >= 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    gen = _Generator(orders, seed, end)
    writers = {name: _Writer(out, table, fmt) for name, table in TABLES.items()}
    bar = ProgressBar(orders, label="generate") if progress else None
    try:
        writers["company"].write(pl.DataFrame([COMPANY]))
        writers["brands"].write(
            pl.DataFrame([{"brand_id": b, "name": n, "purpose_statement": p} for b, n, p in BRAND_ROWS])
        )
        for w0, w1 in gen.chunks():
            parts = gen.orders_chunk(w0, w1)
            for name, df in parts.items():
                writers[name].write(df)
            if bar is not None:
                bar.update(int(gen.counts[w0:w1].sum()))
        employee, workforce = gen.people()
        writers["employee_surveys"].write(employee)
        writers["workforce"].write(workforce)
        writers["impact_ledger"].write(gen.ledger())
        writers["targets"].write(gen.targets())
        writers["initiatives"].write(gen.initiatives())
    finally:
        for w in writers.values():
            w.close()
        if bar is not None:
            bar.close()
    return {name: w.rows for name, w in writers.items()}
