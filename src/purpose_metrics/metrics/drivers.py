"""Drivers: which experiences bring customers back (docs/metrics.md#drivers,
SPEC section 6).

For a period P and a scope, every known customer with a completed order in
scope in P has an *anchor*: the first such order by (ordered_at, order_id).
The customer *repurchased* when a later completed order in scope was placed
within 90 days (90 × 24 h) of the anchor. Each driver splits the anchors
into a good and a bad group by what happened to the anchor order; the gap
between the groups' repurchase rates, with Newcombe's interval, says
whether the experience goes with coming back, and the revenue at stake
what closing the gap would be worth.

`driver_frame` is the one entry point the CLI, the Drivers page, the board
pack and the brief use. It asks the Dataset's FactSource for the anchors'
counts per (scope, driver) (`driver_counts`, COUNTS_SCHEMA) and turns them
into rates, intervals and revenue at stake (`finish_drivers`). The store
and pushdown sources have the database count (sql/drivers/counts.sql); the
memory source counts here (`count_drivers`) from the rows of the window
[from, to + 90 days) only (`DriverInputs`). tests/test_driver_counts.py
holds the two to the same counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from ..calendars import local_date
from ..constants import REPURCHASE_WINDOW_DAYS, Z95_EXACT
from ..periods import Periods

if TYPE_CHECKING:
    from .dataset import Dataset

# The drivers, in the order the command line prints them.
DRIVERS: tuple[str, ...] = (
    "on_time_delivery",
    "purpose_achieved",
    "first_contact_resolution",
    "cause_participation",
)
DRIVER_LABELS: dict[str, str] = {
    "on_time_delivery": "On-time delivery",
    "purpose_achieved": "Purpose achieved",
    "first_contact_resolution": "First-contact resolution",
    "cause_participation": "Cause participation",
}
# What "good" and "bad" mean for each driver, as a person reads them.
DRIVER_GROUPS: dict[str, tuple[str, str]] = {
    "on_time_delivery": ("delivered on time", "delivered late"),
    "purpose_achieved": ("purpose achieved", "purpose not achieved"),
    "first_contact_resolution": ("every ticket resolved at first contact", "a ticket needed more"),
    "cause_participation": ("gave to a cause", "gave nothing"),
}
# Which anchors each driver leaves out, and how it judges the others.
DRIVER_RULES: dict[str, str] = {
    "on_time_delivery": "anchors with both a promised date and a delivery; on time when the date of "
    "`delivered_at` is on or before `promised_delivery_date`",
    "purpose_achieved": "anchors with a customer survey on the anchor order whose `purpose_achieved` is "
    "set; of several, the latest `submitted_at`, then the highest `response_id`",
    "first_contact_resolution": "anchors with at least one support ticket on the anchor order; good when "
    "every such ticket is resolved with `contacts` = 1",
    "cause_participation": "every anchor; good when the anchor's `donation_amount` > 0",
}
# Either group smaller than this: the row is suppressed (counts still shown).
DRIVER_GROUP_MIN = 10

DRIVER_COLUMNS = [
    "driver",
    "scope",
    "period_start",
    "period_end",
    "n_good",
    "repurchased_good",
    "n_bad",
    "repurchased_bad",
    "rate_good",
    "rate_bad",
    "difference_pp",
    "ci_low",
    "ci_high",
    "suppressed",
    "immature",
    "revenue_at_stake",
]
COUNT_COLUMNS = ("n_good", "repurchased_good", "n_bad", "repurchased_bad")
# What counting the anchors gives (`count_drivers`, a source's driver_counts):
# per (scope, driver), the groups' sizes and repurchasers, and the mean over
# the good group's repurchasers of their 90 days' revenue (NULL: none).
COUNTS_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "driver": pl.String(),
    **{c: pl.Int64() for c in COUNT_COLUMNS},
    "_revenue_per_customer": pl.Float64(),
}

WINDOW = dt.timedelta(days=REPURCHASE_WINDOW_DAYS)

# The columns each input needs.
ORDER_COLUMNS = [
    "order_id", "customer_id", "brand_id", "ordered_at", "promised_delivery_date", "delivered_at",
    "donation_amount", "net_revenue", "refunded_amount",
]  # fmt: skip
SURVEY_COLUMNS = ["order_id", "response_id", "submitted_at", "purpose_achieved"]
TICKET_COLUMNS = ["order_id", "resolved_at", "contacts"]


@dataclass(frozen=True)
class DriverInputs:
    """The rows drivers read for one window [start, end):

    - orders: completed orders of known customers placed in the window
      (ORDER_COLUMNS);
    - surveys: customer surveys with purpose_achieved set whose order_id is
      a completed order placed in [start, anchor_end) (SURVEY_COLUMNS);
    - tickets: support tickets whose order_id is such an order
      (TICKET_COLUMNS);
    - history (optional): the stored place of each order placed in
      [start, anchor_end) in its customer's history (HISTORY_COLUMNS, from
      order_history, which orders the same way as the Earlier rule): with
      it the anchors need no sort of the window's orders.
    """

    orders: pl.LazyFrame
    surveys: pl.LazyFrame
    tickets: pl.LazyFrame
    history: pl.LazyFrame | None = None


HISTORY_COLUMNS = ["order_id", "seq_c", "next_at_c", "seq_b", "next_at_b"]


def window(period: Periods) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(start, anchor end, window end) of a period, as stored (UTC) instants:
    anchors are placed in [start, anchor end) (local midnights in the
    period's zone); a repurchase can be placed until window end."""
    start, end = period.instant(period.start), period.instant(period.end)
    return start, end, end + WINDOW


def inputs_from_frames(frames: Mapping[str, pl.LazyFrame], period: Periods) -> DriverInputs:
    """DriverInputs from whole tables held as frames (the memory source)."""
    start, anchor_end, window_end = window(period)
    orders = frames["orders"]
    completed = orders.filter(
        (pl.col("status") == "completed")
        & pl.col("customer_id").is_not_null()
        & (pl.col("ordered_at") >= start)
        & (pl.col("ordered_at") < window_end)
    ).select(ORDER_COLUMNS)
    anchored = completed.filter(pl.col("ordered_at") < anchor_end).select("order_id")
    surveys = (
        frames["customer_surveys"]
        .filter(pl.col("purpose_achieved").is_not_null())
        .join(anchored, on="order_id", how="semi")
        .select(SURVEY_COLUMNS)
    )
    tickets = frames["support_tickets"].join(anchored, on="order_id", how="semi").select(TICKET_COLUMNS)
    return DriverInputs(completed, surveys, tickets)


def _wilson(successes: pl.Expr, n: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """95 % Wilson score interval of successes/n, as fractions (the
    quantile at full precision: constants.Z95_EXACT)."""
    z = Z95_EXACT
    p = successes / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    adj = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt()
    return (centre - adj) / denom, (centre + adj) / denom


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The same 95 % Wilson interval as `_wilson`, for one group (fractions)."""
    z = Z95_EXACT
    p = successes / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    adj = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return (centre - adj) / denom, (centre + adj) / denom


def anchor_groups(inputs: DriverInputs, period: Periods, scopes: Sequence[str]) -> pl.LazyFrame:
    """One row per (scope, anchor customer): whether they repurchased, the
    revenue of their repurchases, and their group under every driver
    (`<driver>` true for good, false for bad, NULL when left out)."""
    if inputs.history is not None:
        anchors, later = _anchors_from_history(inputs, period, scopes)
    else:
        anchors, later = _anchors_by_sorting(inputs, period, scopes)
    return _with_groups(anchors, later, inputs, period)


def _repurchase_revenue(found: pl.LazyFrame, orders: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """What each repurchaser of `found` spent in their 90 days after the
    anchor (later by the Earlier rule), per (scope, customer)."""
    revenue = (pl.col("net_revenue") - pl.col("refunded_amount")).alias("_revenue")
    return (
        found.filter(pl.col("repurchased"))
        .select("scope", *keys, pl.col("order_id").alias("a_id"), pl.col("ordered_at").alias("a_at"))
        .join(orders.select(*keys, "order_id", "ordered_at", revenue), on=keys)
        .filter(
            ((pl.col("ordered_at") > pl.col("a_at")) | ((pl.col("ordered_at") == pl.col("a_at")) & (pl.col("order_id") > pl.col("a_id"))))
            & (pl.col("ordered_at") <= pl.col("a_at") + WINDOW)
        )
        .group_by("scope", "customer_id")
        .agg(pl.col("_revenue").sum().alias("repurchase_revenue"))
    )  # fmt: skip


def _anchors_from_history(
    inputs: DriverInputs, period: Periods, scopes: Sequence[str]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Anchors from the stored history: a customer's first order of the
    period is their order there with the lowest seq (seq follows the Earlier
    rule), and next_at is when their next order in scope was placed. Hash
    joins and group-bys only: no sort of the window's orders."""
    assert inputs.history is not None
    start, anchor_end, _ = window(period)
    orders = inputs.orders
    placed = orders.filter((pl.col("ordered_at") >= start) & (pl.col("ordered_at") < anchor_end)).join(
        inputs.history, on="order_id"
    )
    brands = [s for s in scopes if s != "company"]
    parts, spends = [], []
    for wanted, keys, seq, next_at, scope, rows in (
        ("company" in scopes, ["customer_id"], "seq_c", "next_at_c", pl.lit("company"), placed),
        (bool(brands), ["brand_id", "customer_id"], "seq_b", "next_at_b", pl.col("brand_id"),
         placed.filter(pl.col("brand_id").is_in(brands))),
    ):  # fmt: skip
        if not wanted:
            continue
        firsts = rows.group_by(keys).agg(pl.col(seq).min())
        found = (
            rows.join(firsts, on=[*keys, seq])
            .with_columns(
                scope=scope,
                next_at=pl.col(next_at),
                repurchased=pl.col(next_at).is_not_null()
                & (pl.col(next_at) <= pl.col("ordered_at") + WINDOW),
            )
            .drop(HISTORY_COLUMNS[1:])
            .collect()
            .lazy()
        )
        parts.append(found)
        spends.append(_repurchase_revenue(found, orders, keys))
    return _joined(parts, spends, orders)


def _joined(
    parts: list[pl.LazyFrame], spends: list[pl.LazyFrame], orders: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(the anchors of every scope, what the repurchasers spent), empty
    frames of the right shape when no scope asked for either."""
    empty = orders.head(0).with_columns(
        scope=pl.lit(None, pl.String), next_at=pl.col("ordered_at"), repurchased=pl.lit(False)
    )
    anchors = pl.concat(parts, how="vertical_relaxed") if parts else empty
    later = (
        pl.concat(spends)
        if spends
        else pl.LazyFrame(
            schema={"scope": pl.String, "customer_id": pl.Int64, "repurchase_revenue": pl.Float64}
        )
    )
    return anchors, later


def _anchors_by_sorting(
    inputs: DriverInputs, period: Periods, scopes: Sequence[str]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Anchors when no stored history is at hand (the memory source's own
    frames): the window's orders sorted by customer and the Earlier rule."""
    start, anchor_end, _ = window(period)
    # Sorted by customer and the Earlier rule, a customer's next order is the
    # next row of the same customer; a stable sort on the brand then groups
    # each brand's customers the same way. (No `.over()`: a shift over a
    # million groups costs seconds; no sort on a text key: ten times more.)
    by_customer = inputs.orders.sort("customer_id", "ordered_at", "order_id").collect()
    brands = [s for s in scopes if s != "company"]
    codes = {b: i for i, b in enumerate(brands)}
    by_brand = (
        by_customer.lazy()
        .filter(pl.col("brand_id").is_in(brands))
        .with_columns(_brand=pl.col("brand_id").replace_strict(codes, return_dtype=pl.UInt16))
        .sort("_brand", maintain_order=True)
        .collect()
    )
    in_period = (pl.col("ordered_at") >= start) & (pl.col("ordered_at") < anchor_end)

    def same_group(keys: list[str], step: int) -> pl.Expr:
        return pl.all_horizontal([pl.col(k) == pl.col(k).shift(step) for k in keys]).fill_null(False)

    parts, spends = [], []
    for frame, keys, scope in (
        (by_customer if "company" in scopes else None, ["customer_id"], pl.lit("company")),
        (by_brand if brands else None, ["_brand", "customer_id"], pl.col("brand_id")),
    ):
        if frame is None:
            continue
        found = (
            frame.lazy()
            .with_columns(next_at=pl.when(same_group(keys, -1)).then(pl.col("ordered_at").shift(-1)))
            .filter(in_period)
            .filter(~same_group(keys, 1))  # the period's first row of the group
            .with_columns(
                scope=scope,
                repurchased=pl.col("next_at").is_not_null()
                & (pl.col("next_at") <= pl.col("ordered_at") + WINDOW),
            )
            .collect()
            .lazy()
        )
        parts.append(found.drop("_brand", strict=False))
        # What the repurchasers spent in their 90 days (only they need the join).
        spends.append(_repurchase_revenue(found, frame.lazy(), keys))
    return _joined(parts, spends, by_customer.lazy())


def _with_groups(
    anchors: pl.LazyFrame, later: pl.LazyFrame, inputs: DriverInputs, period: Periods
) -> pl.LazyFrame:
    """The anchors with their repurchase revenue and their group under every driver."""
    # The latest survey with an answer per order (then the highest response_id).
    survey = (
        inputs.surveys.sort("submitted_at", "response_id")
        .group_by("order_id", maintain_order=True)
        .last()
        .select("order_id", pl.col("purpose_achieved").alias("_survey"))
    )
    tickets = inputs.tickets.group_by("order_id").agg(
        (pl.col("resolved_at").is_not_null() & (pl.col("contacts") == 1)).all().alias("_tickets")
    )
    on_time = (
        pl.when(pl.col("promised_delivery_date").is_not_null() & pl.col("delivered_at").is_not_null())
        .then(local_date(pl.col("delivered_at"), period.zone) <= pl.col("promised_delivery_date"))
        .otherwise(None)
    )
    return (
        anchors.join(later, on=["scope", "customer_id"], how="left")
        .join(survey, on="order_id", how="left")
        .join(tickets, on="order_id", how="left")
        .select(
            "scope",
            "customer_id",
            "repurchased",
            pl.col("repurchase_revenue").fill_null(0.0),
            on_time.alias("on_time_delivery"),
            pl.col("_survey").alias("purpose_achieved"),
            pl.col("_tickets").alias("first_contact_resolution"),
            (pl.col("donation_amount") > 0).alias("cause_participation"),
        )
    )


def driver_frame(data: Dataset, period: Periods, scopes: Sequence[str] | None = None) -> pl.DataFrame:
    """Every driver for every scope over one period, from a Dataset (its
    FactSource counts the anchors: in the database for the store and
    pushdown sources, here for the memory source). `scopes` defaults to the
    company then every brand by brand_id. See `finish_drivers`."""
    scopes = list(scopes) if scopes is not None else ["company", *data.brand_ids]
    period = period.in_zone(data.timezone)  # dates are the company's local dates
    return finish_drivers(data.source.driver_counts(period, scopes), period, scopes, data.as_of)


def count_drivers(inputs: DriverInputs, period: Periods, scopes: Sequence[str]) -> pl.DataFrame:
    """The anchors of every driver counted from the window's rows, in Polars
    (the memory source; the database sources run sql/drivers/counts.sql).

    Grain: one row per (scope, driver) with at least one anchor in a group.
    Columns: COUNTS_SCHEMA (the four counts, and the mean over the good
    group's repurchasers of what they spent in their 90 days).
    """
    groups = anchor_groups(inputs, period, scopes)
    long = pl.concat(
        [
            groups.filter(pl.col(d).is_not_null()).select(
                "scope",
                pl.lit(d).alias("driver"),
                pl.col(d).alias("good"),
                "repurchased",
                "repurchase_revenue",
            )
            for d in DRIVERS
        ]
    )
    good, rep = pl.col("good"), pl.col("repurchased")
    return (
        long.group_by("scope", "driver")
        .agg(
            good.sum().alias("n_good"),
            (good & rep).sum().alias("repurchased_good"),
            (~good).sum().alias("n_bad"),
            (~good & rep).sum().alias("repurchased_bad"),
            pl.col("repurchase_revenue").filter(good & rep).mean().alias("_revenue_per_customer"),
        )
        .collect()
        .cast(COUNTS_SCHEMA)  # type: ignore[arg-type]
        .select(list(COUNTS_SCHEMA))
    )


def finish_drivers(
    counts: pl.DataFrame,
    period: Periods,
    scopes: Sequence[str],
    as_of: dt.datetime | None,
) -> pl.DataFrame:
    """Every driver for every scope over one period, from the anchors'
    counts (`count_drivers` or a source's `driver_counts`: COUNTS_SCHEMA).

    Grain: one row per (scope, driver), scopes as given, drivers in DRIVERS
    order. Columns: DRIVER_COLUMNS (rates, difference and interval in
    percent / percentage points; revenue in the company's currency).
    """
    grid = pl.DataFrame(
        [(s, d) for s in scopes for d in DRIVERS],
        schema={"scope": pl.String, "driver": pl.String},
        orient="row",
    )
    immature = as_of is None or period.instant(period.end) + WINDOW > as_of
    n_good, n_bad = pl.col("n_good"), pl.col("n_bad")
    r_good, r_bad = pl.col("repurchased_good"), pl.col("repurchased_bad")
    shown = pl.lit(not immature) & (n_good >= DRIVER_GROUP_MIN) & (n_bad >= DRIVER_GROUP_MIN)
    low_good, high_good = _wilson(r_good, n_good)
    low_bad, high_bad = _wilson(r_bad, n_bad)
    p_good, p_bad = r_good / n_good, r_bad / n_bad
    out = (
        grid.join(counts, on=["scope", "driver"], how="left", maintain_order="left")
        .with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNT_COLUMNS])
        .with_columns(
            pl.when(shown).then(100 * p_good).alias("rate_good"),
            pl.when(shown).then(100 * p_bad).alias("rate_bad"),
            # Newcombe's hybrid score interval (method 10) of p_good − p_bad.
            pl.when(shown)
            .then(100 * (p_good - p_bad - ((p_good - low_good) ** 2 + (high_bad - p_bad) ** 2).sqrt()))
            .alias("ci_low"),
            pl.when(shown)
            .then(100 * (p_good - p_bad + ((high_good - p_good) ** 2 + (p_bad - low_bad) ** 2).sqrt()))
            .alias("ci_high"),
        )
        .with_columns((pl.col("rate_good") - pl.col("rate_bad")).alias("difference_pp"))
        .with_columns(
            (
                n_bad
                * pl.max_horizontal(pl.col("difference_pp"), pl.lit(0.0))
                / 100
                * pl.col("_revenue_per_customer")
            ).alias("revenue_at_stake"),
            pl.lit(immature).alias("immature"),
            (pl.lit(not immature) & ~shown).alias("suppressed"),
            pl.lit(period.start).alias("period_start"),
            pl.lit(period.end).alias("period_end"),
        )  # fmt: skip
    )
    if immature:  # the window is not over: no repurchase count yet
        out = out.with_columns(
            pl.lit(None, pl.Int64).alias(c) for c in ("repurchased_good", "repurchased_bad")
        )
    # max_horizontal ignores a NULL: keep the revenue NULL with the difference.
    out = out.with_columns(pl.when(pl.col("difference_pp").is_not_null()).then(pl.col("revenue_at_stake")))
    return out.select(DRIVER_COLUMNS)
