"""The orders table, chunk by chunk, and what later tables draw from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .calendar import DAY, HOUR, Calendar, day_of_year
from .columns import Keys, choice, choice_rows, customer_id, date, integer, number, text, ts
from .customers import CustomerBook
from .story import (
    BRANDS,
    CAUSES,
    CHANNEL_MIX,
    CHANNELS,
    DONATION_P,
    DONATIONS,
    EXTRA_UNITS,
    GALA,
    GIFT_DATE_GUARANTEE,
    GIFT_GUARANTEE_LIFT,
    MARKETPLACE,
    ON_TIME_SATISFIED_LIFT,
    ON_TIME_UNSATISFIED_DROP,
    P_CANCEL,
    P_DONATE,
    P_ON_TIME,
    P_RETURN_UNIT,
    P_SATISFIED,
    PLASTIC_FREE,
    PLASTIC_FREE_LIFT,
    PROMISE_DAYS,
    RECYCLED_SHARE,
    REGION_ON_TIME,
    REGION_P,
    SEGMENT_P,
    SEGMENT_PRICE,
    SEGMENT_RETURN,
    SHIPPING_FACTOR,
    STORE,
    UNIT_PRICE,
    XMAS_ON_TIME_DROP,
)

ALL_CAUSES = tuple(c for pair in CAUSES for c in pair)  # brand b's causes at 2b, 2b + 1


@dataclass(frozen=True)
class OrderFacts:
    """Per order of a chunk, what surveys and tickets follow from."""

    t: np.ndarray  # ordered_at, seconds
    br: np.ndarray  # brand index
    cust: np.ndarray  # customer index, -1 for a guest
    sat: np.ndarray  # the customer's (or the guest's) latent satisfaction
    completed: np.ndarray
    late: np.ndarray  # delivered after the promised date
    delivered: np.ndarray  # delivered_at, seconds; -1 when undelivered
    order_ids: np.ndarray
    promise_day: np.ndarray  # the promised date, days since 1970; -1 without a promise


class MonthlyTotals:
    """Completed orders and revenue net of refunds per (month, brand): what
    the monthly impact ledger scales with."""

    def __init__(self, n_months: int) -> None:
        self.orders = np.zeros((n_months, 3))
        self.revenue = np.zeros((n_months, 3))

    def add(self, month: np.ndarray, br: np.ndarray, completed: np.ndarray, revenue: np.ndarray) -> None:
        n_months = len(self.orders)
        for b in range(3):
            m = completed & (br == b)
            self.orders[:, b] += np.bincount(month[m], minlength=n_months)[:n_months]
            self.revenue[:, b] += np.bincount(month[m], weights=revenue[m], minlength=n_months)[:n_months]


def orders(
    rng: np.random.Generator,
    cal: Calendar,
    t: np.ndarray,
    br: np.ndarray,
    cust: np.ndarray,
    book: CustomerBook,
    keys: Keys,
    monthly: MonthlyTotals,
) -> tuple[pl.DataFrame, OrderFacts]:
    """The orders placed at times `t` in brands `br` by customers `cust`."""
    n = len(t)
    known = cust >= 0
    cidx = np.where(known, cust, 0)
    seg = np.where(known, book.segment[cidx], choice(rng, SEGMENT_P, n))
    reg = np.where(known, book.region[cidx], choice(rng, REGION_P, n))
    sat = np.where(known, book.satisfied[cidx], rng.random(n) < P_SATISFIED[br])

    channel = choice_rows(rng, CHANNEL_MIX, br)
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
    doy = day_of_year(t.astype("datetime64[s]").astype("datetime64[D]"))
    p_on = P_ON_TIME[br] + REGION_ON_TIME[reg]
    p_on = p_on + np.where(sat, ON_TIME_SATISFIED_LIFT[br], -ON_TIME_UNSATISFIED_DROP[br])
    p_on = p_on - XMAS_ON_TIME_DROP * ((doy >= 330) & (doy <= 357))
    p_on = p_on + np.where(br == GALA, GIFT_GUARANTEE_LIFT * cal.ramp(t, GIFT_DATE_GUARANTEE), 0.0)
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

    # Footprint: shipping emissions fall a little each year; stores ship
    # nothing and pack in recycled paper.
    years = (t - cal.start_s) / (365.25 * DAY)
    ship = (0.35 + 0.12 * units) * SHIPPING_FACTOR[br] * (1 - 0.06 * years) * rng.lognormal(0.0, 0.25, n)
    ship_null = (
        cancelled | store | ((channel == MARKETPLACE) & (rng.random(n) < 0.4)) | (rng.random(n) < 0.02)
    )
    pack = np.where(store, 0.03, (0.12 + 0.09 * units) * rng.lognormal(0.0, 0.2, n))
    pack = np.round(pack, 3)
    pack_null = cancelled | (rng.random(n) < 0.03)
    share_mean = np.minimum(RECYCLED_SHARE[br] + PLASTIC_FREE_LIFT * cal.ramp(t, PLASTIC_FREE), 0.97)
    share = np.where(store, 1.0, rng.beta(20 * share_mean, 20 * (1 - share_mean)))
    recycled = np.minimum(np.round(pack * share, 3), pack)
    recycled_null = pack_null | (rng.random(n) < 0.02)

    donate = ~cancelled & (rng.random(n) < P_DONATE[br])
    donation = np.where(donate, DONATIONS[choice(rng, DONATION_P, n)], 0.0)
    cause_pick = (rng.random(n) < 0.6).astype(np.int64)
    cause = np.where(donate, 2 * br + cause_pick, -1)

    order_ids = keys.take("orders", n)
    frame = pl.DataFrame(
        {
            "order_id": integer(order_ids),
            "customer_id": customer_id(cust),
            "brand_id": text(br, BRANDS),
            "ordered_at": ts(t),
            "channel": text(channel, CHANNELS),
            "status": pl.Series(np.where(cancelled, "cancelled", "completed")),
            "units": integer(units),
            "net_revenue": number(net, 2),
            "returned_units": integer(returned),
            "refunded_amount": number(refund, 2),
            "promised_delivery_date": date(order_day + promise, no_promise),
            "delivered_at": ts(deliver_at, undelivered),
            "shipping_co2e_kg": number(ship, 3, ship_null),
            "packaging_kg": number(pack, 3, pack_null),
            "packaging_recycled_kg": number(recycled, 3, recycled_null),
            "donation_amount": number(donation, 2),
            "cause": text(cause, ALL_CAUSES),
        }
    )

    completed = ~cancelled
    monthly.add(cal.month_index(t), br, completed, net - refund)
    facts = OrderFacts(
        t=t,
        br=br,
        cust=cust,
        sat=sat,
        completed=completed,
        late=late,
        delivered=np.where(undelivered, -1, deliver_at),
        order_ids=order_ids,
        promise_day=np.where(no_promise, -1, order_day + promise),
    )
    return frame, facts
