"""The customer_surveys table: a one-tap survey after some completed orders."""

from __future__ import annotations

import numpy as np
import polars as pl

from .calendar import DAY, HOUR, WEEK, Calendar
from .columns import Keys, boolean, choice_by, choice_rows, customer_id, integer, text, ts
from .orders import OrderFacts
from .story import (
    ALL_COMMENTS,
    BRANDS,
    COMMENTS,
    CSAT_P,
    EFFORT_P,
    GALA,
    KERN,
    NPS_P,
    P_SURVEY,
    PURPOSE_P,
    PURPOSES,
    SPARSE_SURVEY_CAP,
)


class SparseWeeks:
    """Gala's survey-tool migration: how many more responses each of its
    sparse weeks lets through (SPARSE_SURVEY_CAP at first), across chunks."""

    def __init__(self, weeks: list[int]) -> None:
        self.left = {w: SPARSE_SURVEY_CAP for w in weeks}

    def drop_excess(self, keep: np.ndarray, week: np.ndarray, br: np.ndarray, submitted: np.ndarray) -> None:
        """Unset `keep` for gala's responses past each sparse week's allowance."""
        order = np.argsort(submitted, kind="stable")
        for w, allowed in self.left.items():
            hits = order[((week[order] == w) & (br[order] == GALA) & keep[order])]
            keep[hits[allowed:]] = False
            self.left[w] = max(0, allowed - len(hits))


def customer_surveys(
    rng: np.random.Generator, cal: Calendar, f: OrderFacts, keys: Keys, sparse: SparseWeeks
) -> pl.DataFrame:
    """Responses to some of a chunk's completed orders, submitted after
    delivery; answers follow the customer's satisfaction and a late delivery."""
    pick = np.flatnonzero(f.completed & (rng.random(len(f.t)) < P_SURVEY[f.br]))
    base = np.where(f.delivered[pick] >= 0, f.delivered[pick], f.t[pick] + 2 * DAY)
    submitted = base + 2 * HOUR + rng.exponential(36 * HOUR, len(pick)).astype(np.int64)
    keep = submitted < cal.end_s
    sparse.drop_excess(keep, (submitted - cal.start_s) // WEEK, f.br[pick], submitted)
    pick, submitted = pick[keep], submitted[keep]
    br, cust, sat, late = f.br[pick], f.cust[pick], f.sat[pick], f.late[pick]
    n = len(pick)

    purpose = choice_rows(rng, PURPOSE_P, br)  # 4: NULL
    p_ach = np.where(sat, 0.88, 0.22) * np.where(late & (purpose == 0), 0.35, np.where(late, 0.8, 1.0))
    achieved = rng.random(n) < p_ach
    nps = choice_by(rng, NPS_P, sat)
    nps = np.where(late, np.maximum(nps - rng.integers(0, 4, n), 0), nps)
    csat = 1 + choice_by(rng, CSAT_P, sat)
    csat = np.where(late, np.maximum(csat - 1, 1), csat)
    effort = 1 + choice_by(rng, EFFORT_P, sat)
    effort = np.where(br == KERN, np.minimum(effort + (rng.random(n) < 0.3), 7), effort)

    # A comment on some responses, in the mood of the NPS answer.
    mood = np.where(nps >= 9, 0, np.where(nps <= 6, 1, 2))
    has_comment = rng.random(n) < 0.15
    comment = np.full(n, -1, dtype=np.int64)
    first = 0
    for code, key in enumerate(("good", "bad", "neutral")):
        m = has_comment & (mood == code)
        comment[m] = first + rng.integers(0, len(COMMENTS[key]), int(m.sum()))
        first += len(COMMENTS[key])

    anonymous = rng.random(n) < 0.03
    no_order = rng.random(n) < 0.05
    return pl.DataFrame(
        {
            "response_id": integer(keys.take("customer_surveys", n)),
            "customer_id": customer_id(cust, anonymous),
            "brand_id": text(br, BRANDS),
            "order_id": integer(f.order_ids[pick], no_order),
            "submitted_at": ts(submitted),
            "nps_score": integer(nps, rng.random(n) < 0.04),
            "csat_score": integer(csat, rng.random(n) < 0.06),
            "effort_score": integer(effort, rng.random(n) < 0.12),
            "customer_purpose": text(purpose, PURPOSES),
            "purpose_achieved": boolean(achieved, rng.random(n) < 0.06),
            "comment": text(comment, ALL_COMMENTS),
        }
    )
