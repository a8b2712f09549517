"""Customer history in Polars: each order's place among its customer's orders.

The fact store keeps this history in the database (order_history, kept by
every import); the memory source computes it here when it reads raw orders
(tests, tiny data, a database whose store is not current).

Grain: one row per completed order. For company scope (`_c`) and brand
scope (`_b`): `seq` (1 for the customer's first completed order in scope, by
(ordered_at, order_id), the Earlier rule) and `next_at` (when their next one
in scope was placed). Guests have NULLs.
"""

from __future__ import annotations

import polars as pl


def _sequence(lf: pl.LazyFrame, keys: list[str], suffix: str) -> pl.LazyFrame:
    """Add seq{suffix} and next_at{suffix} within `keys`, by (ordered_at, order_id).

    Sorted once, a group's rows are contiguous: the sequence is the row's
    distance from its group's first row, the next order is the next row when
    it belongs to the same group. (Plain arithmetic on sorted data; window
    expressions `.over(...)` hash every row and cost several times more.)
    """
    same_as_previous = pl.all_horizontal([pl.col(k) == pl.col(k).shift(1) for k in keys]).fill_null(False)
    same_as_next = pl.all_horizontal([pl.col(k) == pl.col(k).shift(-1) for k in keys]).fill_null(False)
    row = pl.int_range(pl.len(), dtype=pl.UInt32)
    group_start = pl.when(~same_as_previous).then(row).forward_fill()
    return lf.sort(*keys, "ordered_at", "order_id").with_columns(
        (row - group_start + 1).alias(f"seq{suffix}"),
        pl.when(same_as_next).then(pl.col("ordered_at").shift(-1)).alias(f"next_at{suffix}"),
    )


def order_history(orders: pl.LazyFrame) -> pl.LazyFrame:
    completed = orders.filter(pl.col("status") == "completed").drop("status")
    known = completed.filter(pl.col("customer_id").is_not_null())
    known = _sequence(known, ["customer_id"], "_c")
    known = _sequence(known, ["customer_id", "brand_id"], "_b")
    guests = completed.filter(pl.col("customer_id").is_null())
    return pl.concat([known, guests], how="diagonal")
