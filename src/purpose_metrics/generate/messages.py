"""The marketing_messages table: each brand's weekly campaign to customers
who opted in, about half a message per order."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from ..contract import TABLES
from .calendar import DAY, HOUR, WEEK, Calendar
from .columns import Keys, customer_id, integer, text, ts
from .customers import CustomerBook
from .story import (
    BRANDS,
    GALA,
    MESSAGES_PER_ORDER,
    P_CLICK_GIVEN_OPEN,
    P_OPEN,
    P_UNSUB_GIVEN_OPEN,
    SEND_SLOT,
)


def marketing_messages(
    rng: np.random.Generator,
    cal: Calendar,
    counts: np.ndarray,
    book: CustomerBook,
    keys: Keys,
    w0: int,
    w1: int,
) -> pl.DataFrame:
    """The campaigns of weeks [w0, w1): each goes to distinct opted-in
    customers who had ordered from the brand before it was sent; satisfied
    customers open and click more, and unsubscribe less."""
    parts_c, parts_b, parts_t = [], [], []
    for w in range(w0, w1):
        for b in range(3):
            day, hour = SEND_SLOT[b]
            sends = [(day, hour)]
            week_start = cal.start + dt.timedelta(weeks=w)
            if b == GALA and week_start.month == 12 and week_start.day <= 21:
                sends.append((0, 17))  # extra gift-guide mailing in December
            want = MESSAGES_PER_ORDER * counts[w, b] / len(sends)
            for day, hour in sends:
                send = cal.start_s + w * WEEK + day * DAY + hour * HOUR
                if send + HOUR >= cal.end_s:
                    continue
                k = book.arrived_before(b, send)
                m = int(round(want))
                if k == 0 or m == 0:
                    continue
                draw = rng.integers(0, k, int(m / 0.55) + 8)
                c = book.arrivals[b][draw].astype(np.int64)
                _, first = np.unique(c, return_index=True)
                c = c[np.sort(first)]
                c = c[book.opted_in[c]][:m]
                parts_c.append(c)
                parts_b.append(np.full(len(c), b))
                parts_t.append(send + rng.integers(0, HOUR, len(c)))
    if not parts_c:
        return pl.DataFrame(schema=TABLES["marketing_messages"].polars_schema)
    c, br, sent = np.concatenate(parts_c), np.concatenate(parts_b), np.concatenate(parts_t)
    n = len(c)
    engaged = np.where(book.satisfied[c], 1.2, 0.75)
    opened = rng.random(n) < P_OPEN[br] * engaged
    opened_at = sent + (rng.lognormal(0.0, 1.3, n) * 3 * HOUR).astype(np.int64)
    clicked = opened & (rng.random(n) < P_CLICK_GIVEN_OPEN[br] * engaged)
    clicked_at = opened_at + 5 + rng.exponential(240, n).astype(np.int64)
    unsub = opened & ~clicked & (rng.random(n) < P_UNSUB_GIVEN_OPEN[br] / engaged)
    unsub_at = opened_at + 10 + rng.integers(0, 600, n)
    return pl.DataFrame(
        {
            "message_id": integer(keys.take("marketing_messages", n)),
            "customer_id": customer_id(c),
            "brand_id": text(br, BRANDS),
            "sent_at": ts(sent),
            "opened_at": ts(opened_at, ~opened | (opened_at >= cal.end_s)),
            "clicked_at": ts(clicked_at, ~clicked | (clicked_at >= cal.end_s)),
            "unsubscribed_at": ts(unsub_at, ~unsub | (unsub_at >= cal.end_s)),
        }
    )
