"""What an analyst would write: pandas over SQLite, period by period.

Computes a subset of the Monday view's metrics (the ones below), for the
company and each brand, for each period, so the benchmark can check the
numbers agree with the project's and time the difference.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pandas as pd

METRICS = [
    "orders",
    "net_revenue",
    "active_customers",
    "new_customers",
    "aov",
    "repeat_customer_rate",
    "returning_order_share",
    "return_rate",
    "on_time_delivery_rate",
    "nps",
    "csat",
    "message_click_rate",
]


def _pct(num: float, den: float) -> float | None:
    return None if den == 0 else 100.0 * num / den


def compute(sqlite_path: str, periods: list[tuple[dt.date, dt.date]]) -> pd.DataFrame:
    con = sqlite3.connect(sqlite_path)
    orders = pd.read_sql(
        "SELECT order_id, customer_id, brand_id, ordered_at, status, units, net_revenue, "
        "refunded_amount, returned_units, promised_delivery_date, delivered_at FROM orders",
        con,
    )
    surveys = pd.read_sql("SELECT brand_id, submitted_at, nps_score, csat_score FROM customer_surveys", con)
    messages = pd.read_sql("SELECT brand_id, sent_at, clicked_at FROM marketing_messages", con)
    brands = sorted(pd.read_sql("SELECT brand_id FROM brands", con)["brand_id"])
    con.close()

    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"], format="ISO8601")
    orders["delivered_at"] = pd.to_datetime(orders["delivered_at"], format="ISO8601")
    orders["promised_delivery_date"] = pd.to_datetime(orders["promised_delivery_date"], format="ISO8601")
    surveys["submitted_at"] = pd.to_datetime(surveys["submitted_at"], format="ISO8601")
    messages["sent_at"] = pd.to_datetime(messages["sent_at"], format="ISO8601")

    done = orders[orders["status"] == "completed"].sort_values(["customer_id", "ordered_at", "order_id"])
    known = done["customer_id"].notna()
    done["seq_c"] = np.nan
    done["seq_b"] = np.nan
    done.loc[known, "seq_c"] = done[known].groupby("customer_id").cumcount() + 1
    done.loc[known, "seq_b"] = done[known].groupby(["customer_id", "brand_id"]).cumcount() + 1

    rows = []
    for start, end in periods:
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        p_orders = done[(done["ordered_at"] >= s) & (done["ordered_at"] < e)]
        p_surveys = surveys[(surveys["submitted_at"] >= s) & (surveys["submitted_at"] < e)]
        p_messages = messages[(messages["sent_at"] >= s) & (messages["sent_at"] < e)]
        for scope in ["company", *brands]:
            if scope == "company":
                o, sv, m, seq = p_orders, p_surveys, p_messages, "seq_c"
            else:
                o = p_orders[p_orders["brand_id"] == scope]
                sv = p_surveys[p_surveys["brand_id"] == scope]
                m = p_messages[p_messages["brand_id"] == scope]
                seq = "seq_b"
            k = o[o["customer_id"].notna()]
            per_customer = k.groupby("customer_id")[seq].agg(["max", "min"])
            active = len(per_customer)
            delivered = o[o["promised_delivery_date"].notna() & o["delivered_at"].notna()]
            on_time = (delivered["delivered_at"].dt.normalize() <= delivered["promised_delivery_date"]).sum()
            nps = sv["nps_score"].dropna()
            csat = sv["csat_score"].dropna()
            values = {
                "orders": float(len(o)),
                "net_revenue": float(o["net_revenue"].sum() - o["refunded_amount"].sum()),
                "active_customers": float(active),
                "new_customers": float((k[seq] == 1).sum()),
                "aov": None if len(o) == 0 else float(o["net_revenue"].sum() / len(o)),
                "repeat_customer_rate": _pct(float((per_customer["max"] >= 2).sum()), active),
                "returning_order_share": _pct(float((k[seq] >= 2).sum()), len(k)),
                "return_rate": _pct(float(o["returned_units"].sum()), float(o["units"].sum())),
                "on_time_delivery_rate": _pct(float(on_time), len(delivered)),
                "nps": None if len(nps) < 10 else _pct(float((nps >= 9).sum() - (nps <= 6).sum()), len(nps)),
                "csat": None if len(csat) < 10 else _pct(float((csat >= 4).sum()), len(csat)),
                "message_click_rate": _pct(float(m["clicked_at"].notna().sum()), len(m)),
            }
            for metric_id, value in values.items():
                rows.append({"metric_id": metric_id, "scope": scope, "period_start": start, "value": value})
    return pd.DataFrame(rows)
