"""The generator: the state every table draws on while a data set is made
chunk of weeks by chunk of weeks, and the order the tables are made in.

One random stream feeds every table in a fixed order: each chunk's
customers, orders, customer surveys, tickets and messages, then the people
tables and the ledger. The data are therefore a function of (orders, seed,
end) and the chunk size; a different chunk size gives other, equally valid,
data.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from . import reference
from .calendar import Calendar, order_times, weekly_orders
from .columns import Keys
from .customers import CustomerBook
from .ledger import impact_ledger
from .messages import marketing_messages
from .orders import MonthlyTotals, orders
from .people import people
from .surveys import SparseWeeks, customer_surveys
from .tickets import support_tickets


class TableGenerator:
    def __init__(self, n_orders: int, seed: int, end: dt.date) -> None:
        self.n_orders = int(n_orders)
        self.rng = np.random.default_rng(seed)
        self.cal = Calendar(end)
        self.counts = weekly_orders(self.cal, self.rng, self.n_orders)  # (week, brand)
        self.book = CustomerBook(max(self.n_orders, 1), self.counts.sum(axis=0))
        self.keys = Keys()
        self.sparse = SparseWeeks(self.cal.sparse_weeks)
        self.monthly = MonthlyTotals(self.cal.n_months)

    def chunks(self, max_orders: int) -> list[tuple[int, int]]:
        """Consecutive week ranges [w0, w1), each closed once it holds
        `max_orders` orders or more."""
        per_week = self.counts.sum(axis=1)
        out, lo, acc = [], 0, 0
        for w in range(self.cal.n_weeks):
            acc += int(per_week[w])
            if acc >= max_orders:
                out.append((lo, w + 1))
                lo, acc = w + 1, 0
        if lo < self.cal.n_weeks:
            out.append((lo, self.cal.n_weeks))
        return out

    def chunk(self, w0: int, w1: int) -> dict[str, pl.DataFrame]:
        """The rows of weeks [w0, w1) of the tables that grow with orders."""
        rng, cal = self.rng, self.cal
        t, br = order_times(rng, cal, self.counts, w0, w1)
        cust, customers = self.book.assign(rng, cal, t, br)
        order_rows, facts = orders(rng, cal, t, br, cust, self.book, self.keys, self.monthly)
        return {
            "customers": customers,
            "orders": order_rows,
            "customer_surveys": customer_surveys(rng, cal, facts, self.keys, self.sparse),
            "support_tickets": support_tickets(rng, cal, facts, self.keys),
            "marketing_messages": marketing_messages(rng, cal, self.counts, self.book, self.keys, w0, w1),
        }

    def once(self) -> dict[str, pl.DataFrame]:
        """The tables made once, after every chunk (the ledger scales with
        the orders of each month)."""
        employee_surveys, workforce = people(self.rng, self.cal, self.n_orders, self.keys)
        return {
            "company": reference.company(),
            "brands": reference.brands(),
            "employee_surveys": employee_surveys,
            "workforce": workforce,
            "impact_ledger": impact_ledger(self.rng, self.cal, self.monthly),
            "targets": reference.targets(self.cal),
            "initiatives": reference.initiatives(self.cal),
        }
