"""Who places each order, and the customers table.

The customer book holds every customer made so far, by index (customer_id =
CUSTOMER_ID0 + index), with the traits later tables read (satisfied: the
latent "we help them do what they came for"; opted in to marketing), and per
brand the customers in the order of their first order there ("arrivals").
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .calendar import DAY, WEEK, Calendar
from .columns import boolean, choice, customer_id, text, ts
from .story import (
    P_CROSS_BRAND,
    P_GUEST,
    P_OPT_IN,
    P_RETURNING,
    P_SATISFIED,
    RECENCY_MEAN_DAYS,
    RECENCY_SHARE,
    REGION_P,
    REGIONS,
    REPAIR_AND_CARE,
    REPAIR_AND_CARE_LIFT,
    RETURNING_RAMP_WEEKS,
    SEGMENT_P,
    SEGMENTS,
    UNSATISFIED_ACCEPT,
    VERDE,
)


def _excl_cumsum(flags: np.ndarray) -> np.ndarray:
    """How many flags are set before each position."""
    c = np.cumsum(flags, dtype=np.int64)
    return c - flags


def p_returning(cal: Calendar, t: np.ndarray, br: np.ndarray) -> np.ndarray:
    """The chance that a known order at time t is a returning customer's:
    rising from 0 as the history fills, lifted by verde's repair service."""
    age_weeks = (t - cal.start_s) / WEEK
    p = P_RETURNING[br] * (1 - np.exp(-age_weeks / RETURNING_RAMP_WEEKS))
    repair = cal.ramp(t, REPAIR_AND_CARE)
    return p + np.where(br == VERDE, REPAIR_AND_CARE_LIFT * repair, 0.0)


class CustomerBook:
    def __init__(self, capacity: int, orders_per_brand: np.ndarray) -> None:
        self.n = 0
        self.home = np.zeros(capacity, dtype=np.int8)
        self.satisfied = np.zeros(capacity, dtype=bool)
        self.opted_in = np.zeros(capacity, dtype=bool)
        self.segment = np.zeros(capacity, dtype=np.int8)
        self.region = np.zeros(capacity, dtype=np.int8)
        # Per brand: customers by their first order there, and its time.
        size = [max(int(k), 1) for k in orders_per_brand]
        self.arrivals = [np.zeros(k, dtype=np.int32) for k in size]
        self.arrival_times = [np.zeros(k, dtype=np.int64) for k in size]
        self.n_arrivals = [0, 0, 0]

    def arrived_before(self, brand: int, t: int) -> int:
        """How many customers had their first order of the brand before t."""
        return int(np.searchsorted(self.arrival_times[brand][: self.n_arrivals[brand]], t, side="left"))

    def assign(
        self, rng: np.random.Generator, cal: Calendar, t: np.ndarray, br: np.ndarray
    ) -> tuple[np.ndarray, pl.DataFrame]:
        """Customer index per order (-1: guest) and the new customers' rows.

        Orders (sorted by time) are guests, returning customers of the brand,
        customers of another brand trying this one, or new customers."""
        n = len(t)
        guest = rng.random(n) < P_GUEST[br]
        ret = ~guest & (rng.random(n) < p_returning(cal, t, br))
        for b in range(3):  # a brand's first known order has no earlier one
            if self.n_arrivals[b] == 0:
                first = np.flatnonzero((br == b) & ~guest)
                if len(first):
                    ret[first[0]] = False
        new_to_brand = ~guest & ~ret

        cross = new_to_brand & (rng.random(n) < P_CROSS_BRAND)
        brand_new = new_to_brand & ~cross
        prefix = self.n + _excl_cumsum(brand_new)
        no_one = cross & (prefix == 0)
        cross &= ~no_one
        brand_new |= no_one
        prefix = self.n + _excl_cumsum(brand_new)

        cust = np.full(n, -1, dtype=np.int64)
        first_new = self.n
        customers = self._new_customers(rng, t[brand_new], br[brand_new])
        cust[brand_new] = np.arange(first_new, self.n)

        # Customers of other brands trying this one.
        pending = np.flatnonzero(cross)
        for round_ in range(6):
            if not len(pending):
                break
            pick = (rng.random(len(pending)) * prefix[pending]).astype(np.int64)
            ok = (self.home[pick] != br[pending]) | (round_ == 5)
            cust[pending[ok]] = pick[ok]
            pending = pending[~ok]

        # Record arrivals (first orders in a brand) before returning picks.
        k = np.zeros(n, dtype=np.int64)
        for b in range(3):
            m = br == b
            flags = new_to_brand[m]
            k[m] = self.n_arrivals[b] + _excl_cumsum(flags)
            idx = np.flatnonzero(m & new_to_brand)
            a0, a1 = self.n_arrivals[b], self.n_arrivals[b] + len(idx)
            self.arrivals[b][a0:a1] = cust[idx]
            self.arrival_times[b][a0:a1] = t[idx]
            self.n_arrivals[b] = a1

        # Returning orders: an earlier customer of the brand, weighted to recent
        # ones and to those whose purpose we serve.
        for b in range(3):
            sel = np.flatnonzero(ret & (br == b))
            times = self.arrival_times[b][: self.n_arrivals[b]]
            custs = self.arrivals[b]
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
                ok = self.satisfied[c] | (rng.random(m) < UNSATISFIED_ACCEPT[b]) | (round_ == 7)
                cust[sel[pending[ok]]] = c[ok]
                pending = pending[~ok]
        return cust, customers

    def _new_customers(self, rng: np.random.Generator, first_t: np.ndarray, home: np.ndarray) -> pl.DataFrame:
        """Add customers whose first order (at first_t, of brand `home`) is
        new to the company; their rows of the customers table."""
        nb = len(first_t)
        new_idx = np.arange(self.n, self.n + nb)
        sl = slice(self.n, self.n + nb)
        self.home[sl] = home
        self.satisfied[sl] = rng.random(nb) < P_SATISFIED[home]
        self.opted_in[sl] = rng.random(nb) < P_OPT_IN[home]
        self.segment[sl] = choice(rng, SEGMENT_P, nb)
        self.region[sl] = choice(rng, REGION_P, nb)
        # Accounts are created minutes, weeks or up to two years before the first order.
        kind = rng.random(nb)
        offset = np.where(
            kind < 0.45,
            rng.integers(30, 1_800, nb),
            np.where(kind < 0.85, rng.integers(0, 90 * DAY, nb), rng.integers(0, 720 * DAY, nb)),
        )
        self.n += nb
        return pl.DataFrame(
            {
                "customer_id": customer_id(new_idx),
                "created_at": ts(first_t - offset),
                "segment": text(self.segment[sl], SEGMENTS),
                "region": text(self.region[sl], REGIONS),
                "marketing_opt_in": boolean(self.opted_in[sl]),
            }
        )
