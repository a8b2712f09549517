"""The workforce and employee_surveys tables: each team month by month
(headcount, hires, leavers, training) and its always-on pulse survey.

They are made together because a month's answers come from its headcount.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from ..contract import TABLES
from .calendar import Calendar, epoch
from .columns import Keys, choice_by, integer, number, text, ts
from .story import (
    ALIGN_P,
    BRANDS,
    ENPS_P,
    FIXED_TEAMS,
    PULSE_RESPONSE,
    TEAM_ENGAGED,
    TEAM_NAMES,
    TEAM_TRAINING,
    TEAM_VOLUNTARY,
    TEAMS,
    VERDE,
)


def _in_holiday_pause(seconds: np.ndarray) -> np.ndarray:
    """15 December - 4 January: the pulse pauses over the holidays."""
    d = seconds.astype("datetime64[s]").astype("datetime64[D]")
    month_day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return ((month == 12) & (month_day >= 15)) | ((month == 1) & (month_day <= 4))


def people(
    rng: np.random.Generator, cal: Calendar, n_orders: int, keys: Keys
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(employee_surveys, workforce). Teams grow with the business (slowly:
    the 0.35 power of orders), except the fixed ones; workforce has a row
    for every whole month of the history."""
    scale = max(1.0, (n_orders / 30_000) ** 0.35)
    whole = set(cal.whole_months)
    wf_rows: list[dict] = []
    resp: dict[str, list[np.ndarray]] = {"t": [], "b": [], "team": [], "engaged": []}
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
            lo, hi = max(epoch(ms), cal.start_s), min(epoch(me), cal.end_s)
            if k and hi > lo:
                resp["t"].append(rng.integers(lo, hi, k))
                resp["b"].append(np.full(k, -1 if brand is None else brand))
                resp["team"].append(np.full(k, TEAM_NAMES.index(team)))
                resp["engaged"].append(rng.random(k) < TEAM_ENGAGED[brand])
            h = h_end
    workforce = pl.DataFrame(wf_rows, schema=TABLES["workforce"].polars_schema)

    t = np.concatenate(resp["t"])
    b = np.concatenate(resp["b"])
    team = np.concatenate(resp["team"])
    engaged = np.concatenate(resp["engaged"])
    order = np.argsort(t, kind="stable")
    order = order[~_in_holiday_pause(t)[order]]
    t, b, team, engaged = t[order], b[order], team[order], engaged[order]
    n = len(t)
    enps = choice_by(rng, ENPS_P, engaged)
    engagement = np.clip(rng.normal(np.where(engaged, 4.0, 2.9), 0.55), 1.0, 5.0)
    align = 1 + choice_by(rng, ALIGN_P, engaged)
    align = np.where((b == VERDE) & (align < 5) & (rng.random(n) < 0.15), align + 1, align)
    employee = pl.DataFrame(
        {
            "response_id": integer(keys.take("employee_surveys", n)),
            "submitted_at": ts(t),
            "brand_id": text(b, BRANDS),
            "team": text(team, TEAM_NAMES),
            "enps_score": integer(enps, rng.random(n) < 0.03),
            "engagement_score": number(engagement, 2, rng.random(n) < 0.05),
            "purpose_alignment": integer(align, rng.random(n) < 0.04),
        }
    )
    return employee, workforce
