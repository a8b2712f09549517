"""From numpy arrays to a table's columns: keys, typed Series with NULLs,
and the categorical draws every table makes."""

from __future__ import annotations

import numpy as np
import polars as pl

# Identifiers. Order and message ids are above 2**31 on purpose: they are
# 64-bit integers, and the data should prove it. Customer ids are
# CUSTOMER_ID0 + the customer's index in the customer book.
CUSTOMER_ID0 = 100_000
FIRST_KEY = {
    "orders": 3_000_000_001,
    "customer_surveys": 1,
    "support_tickets": 700_001,
    "marketing_messages": 5_000_000_001,
    "employee_surveys": 1,
}


class Keys:
    """Hands out each table's keys, consecutive from FIRST_KEY, chunk after chunk."""

    def __init__(self) -> None:
        self._taken = dict.fromkeys(FIRST_KEY, 0)

    def take(self, table: str, n: int) -> np.ndarray:
        ids = FIRST_KEY[table] + self._taken[table] + np.arange(n)
        self._taken[table] += n
        return ids


def _with_nulls(s: pl.Series, null: np.ndarray | None) -> pl.Series:
    if null is not None and null.any():
        s = s.scatter(np.flatnonzero(null), None)
    return s


def ts(seconds: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    """Timestamps (microseconds) from whole seconds."""
    micros = np.asarray(seconds, dtype=np.int64) * 1_000_000
    return _with_nulls(pl.Series(micros).cast(pl.Datetime("us")), null)


def date(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    """Dates from days since 1970-01-01."""
    return _with_nulls(pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date), null)


def integer(values: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    return _with_nulls(pl.Series(np.asarray(values, dtype=np.int64)), null)


def boolean(values: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    return _with_nulls(pl.Series(np.asarray(values, dtype=bool)), null)


def number(values: np.ndarray, decimals: int, null: np.ndarray | None = None) -> pl.Series:
    """Floats rounded to `decimals` (money 2, kilograms 3)."""
    v = np.round(np.asarray(values, dtype=np.float64), decimals)
    if null is not None:
        v = np.where(null, np.nan, v)
    return pl.Series(v, nan_to_null=True)


def text(codes: np.ndarray, labels: tuple[str, ...]) -> pl.Series:
    """Labels by code; a code equal to len(labels) (or negative) is NULL."""
    codes = np.asarray(codes, dtype=np.int64)
    null = (codes < 0) | (codes >= len(labels))
    cat = pl.Series(np.where(null, 0, codes).astype(np.uint32)).replace_strict(
        list(range(len(labels))), list(labels), return_dtype=pl.String
    )
    return _with_nulls(cat, null)


def customer_id(index: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    """customer_id from customer indexes; an index of -1 (a guest) is NULL, as is any row of `null`."""
    index = np.asarray(index, dtype=np.int64)
    missing = index < 0 if null is None else (index < 0) | null
    return integer(CUSTOMER_ID0 + np.maximum(index, 0), missing)


def choice(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Categorical draws from one probability vector."""
    cum = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(p) - 1)


def choice_rows(rng: np.random.Generator, p: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Categorical draws, row `rows[i]` of probability matrix `p` for draw i."""
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    out = (u[:, None] >= cum[rows]).sum(axis=1)
    return np.minimum(out, p.shape[1] - 1)


def choice_by(rng: np.random.Generator, p: dict[bool, np.ndarray], flag: np.ndarray) -> np.ndarray:
    """Categorical draws from p[True] where `flag`, else from p[False] (both
    drawn for every row, True first)."""
    n = len(flag)
    return np.where(flag, choice(rng, p[True], n), choice(rng, p[False], n))
