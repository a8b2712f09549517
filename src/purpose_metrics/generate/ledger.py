"""The impact_ledger table: one row per whole month for each brand and one
for shared operations (brand_id NULL), scaled by that month's completed
orders and revenue."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..contract import TABLES
from .calendar import DAY, Calendar, epoch
from .orders import MonthlyTotals
from .story import (
    BRANDS,
    COMMUNITY_SHARE,
    DIVERSION,
    GOODS_KG,
    GRID_KG_PER_KWH,
    KWH_PER_ORDER,
    LOCAL_SHARE,
    PACKAGING_KG_CO2,
    PLASTIC_FREE,
    PLASTIC_FREE_PACKAGING_CUT,
    RENEWABLE,
    SCOPE1_KG,
    SHARED_RENEWABLE,
    TRANSPORT_KG,
    WASTE_KG,
)


def _along(start_end, frac: float):
    """From start to end as the history goes by (frac 0 at its start, 1 at its end)."""
    return start_end[0] + frac * (start_end[1] - start_end[0])


def _part(total, share, decimals: int):
    """A part of a total (renewable of all energy, diverted of all waste ...):
    rounded, and never more than the total."""
    return min(round(total * min(share, 1.0), decimals), total)


def _brand_month(b: int, o, rev, mean_orders, heating: float, frac: float, plastic: float) -> dict:
    """What a brand's month is made of, before noise: `o` completed orders, `rev` revenue."""
    pack = PACKAGING_KG_CO2 * (1 - PLASTIC_FREE_PACKAGING_CUT * plastic)
    return {
        "energy": KWH_PER_ORDER[b] * (0.7 * o + 0.3 * mean_orders[b]) * heating,
        "renewable": _along(RENEWABLE[b], frac),
        "s1": SCOPE1_KG[b] * o / 1000,
        "s3": (GOODS_KG[b] + TRANSPORT_KG + pack) * o / 1000,
        "waste": WASTE_KG[b] * o,
        "diverted": _along(DIVERSION[b], frac),
        "community": COMMUNITY_SHARE[b] * rev,
        "procurement": 0.52 * rev,
        "local": LOCAL_SHARE[b],
        "complaints": 0.15 + 1e-5 * o,
    }


def _shared_month(o, rev, mean_orders, heating: float, frac: float) -> dict:
    """Shared operations (head office, technology) for a month of `o`
    completed orders and `rev` revenue across the brands."""
    return {
        "energy": (0.35 * o + 0.15 * mean_orders.sum()) * heating,
        "renewable": _along(SHARED_RENEWABLE, frac),
        "s1": 0.02 * o / 1000,
        "s3": 0.25 * o / 1000,
        "waste": 0.03 * o,
        "diverted": 0.80,
        "community": 0.002 * rev,
        "procurement": 0.06 * rev,
        "local": 0.30,
        "complaints": 0.3,
    }


def impact_ledger(rng: np.random.Generator, cal: Calendar, monthly: MonthlyTotals) -> pl.DataFrame:
    rows: list[dict] = []
    whole = cal.whole_months
    mean_orders = np.maximum(monthly.orders[whole].mean(axis=0), 1.0) if whole else np.ones(3)
    span = max((cal.end - cal.start).days, 1)
    for i in whole:
        ms = cal.month_starts[i]
        frac = (ms - cal.start).days / span
        heating = 1.15 if ms.month in (12, 1, 2) else (0.9 if ms.month in (6, 7, 8) else 1.0)
        plastic = float(cal.ramp(np.array([epoch(ms) + 15 * DAY]), PLASTIC_FREE)[0])
        for b in (0, 1, 2, None):
            if b is None:
                o, rev = monthly.orders[i].sum(), monthly.revenue[i].sum()
                m = _shared_month(o, rev, mean_orders, heating, frac)
            else:
                o, rev = monthly.orders[i, b], monthly.revenue[i, b]
                m = _brand_month(b, o, rev, mean_orders, heating, frac, plastic)
            jitter = rng.lognormal(0.0, 0.04, 6)
            energy = round(m["energy"] * jitter[0], 1)
            renewable = _part(energy, m["renewable"] * jitter[1], 1)
            s2 = (energy - renewable) * GRID_KG_PER_KWH / 1000
            waste = round(m["waste"] * jitter[2], 1)
            diverted = _part(waste, m["diverted"] * jitter[3], 1)
            procurement = round(m["procurement"] * jitter[4], 2)
            local = _part(procurement, m["local"] * jitter[5], 2)
            rows.append(
                {
                    "period_start": ms,
                    "brand_id": None if b is None else BRANDS[b],
                    "scope1_tco2e": round(m["s1"], 3),
                    "scope2_tco2e": round(s2, 3),
                    "scope3_tco2e": round(m["s3"], 3),
                    "energy_kwh": energy,
                    "renewable_energy_kwh": renewable,
                    "waste_kg": waste,
                    "waste_diverted_kg": diverted,
                    "community_investment": round(max(m["community"], 0.0), 2),
                    "procurement_spend": max(procurement, 0.0),
                    "local_procurement_spend": max(local, 0.0),
                    "privacy_complaints": int(rng.poisson(m["complaints"])),
                }
            )
    return pl.DataFrame(rows, schema=TABLES["impact_ledger"].polars_schema)
