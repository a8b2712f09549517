"""The support_tickets table: some orders (late ones three times as often,
cancelled ones too) lead to a ticket."""

from __future__ import annotations

import numpy as np
import polars as pl

from .calendar import DAY, HOUR, Calendar
from .columns import Keys, customer_id, integer, text, ts
from .orders import OrderFacts
from .story import BRANDS, EXPERT_CHAT, EXPERT_CHAT_LIFT, KERN, P_FCR, P_TICKET, RESOLUTION_HOURS


def support_tickets(rng: np.random.Generator, cal: Calendar, f: OrderFacts, keys: Keys) -> pl.DataFrame:
    """Tickets about a chunk's orders: opened the day after a missed promise,
    or within 12 days of the order; resolved in one contact or several."""
    p = P_TICKET[f.br] * np.where(f.late, 3.0, 1.0) + np.where(f.completed, 0.0, 0.08)
    pick = np.flatnonzero(rng.random(len(f.t)) < p)
    t, late, promise_day = f.t[pick], f.late[pick], f.promise_day[pick]
    n = len(pick)
    opened = np.where(
        late,
        (promise_day + 1) * DAY + rng.integers(7 * HOUR, 22 * HOUR, n),
        t + rng.integers(HOUR, 12 * DAY, n),
    )
    opened = np.maximum(opened, t + 60)
    keep = opened < cal.end_s
    pick, opened = pick[keep], opened[keep]
    br, cust = f.br[pick], f.cust[pick]
    n = len(pick)
    fcr = P_FCR[br] + np.where(br == KERN, EXPERT_CHAT_LIFT * cal.ramp(opened, EXPERT_CHAT), 0.0)
    first = rng.random(n) < fcr
    contacts = np.where(first, 1, 2 + np.minimum(rng.poisson(0.6, n), 6))
    resolved = opened + (
        rng.lognormal(0.0, 0.9, n) * RESOLUTION_HOURS[br] * HOUR * (1 + 0.5 * (contacts - 1))
    ).astype(np.int64)
    resolved = np.maximum(resolved, opened + 120)
    unresolved = (rng.random(n) < 0.03) | (resolved >= cal.end_s)
    return pl.DataFrame(
        {
            "ticket_id": integer(keys.take("support_tickets", n)),
            "customer_id": customer_id(cust),
            "brand_id": text(br, BRANDS),
            "order_id": integer(f.order_ids[pick], rng.random(n) < 0.06),
            "opened_at": ts(opened),
            "resolved_at": ts(resolved, unresolved),
            "contacts": integer(contacts),
        }
    )
