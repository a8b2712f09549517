"""One Pandera model per table: every rule of the data contract (contract.py).

Models check typed frames (validation.py turns files into typed frames).
Cross-column rules are dataframe checks named after the column they
constrain, so a failure report can name table, column and rule.
Rules that need the database (references, keys already stored) live in
`validation.py`.
"""

from __future__ import annotations

import warnings
import zoneinfo

import polars as pl

with warnings.catch_warnings():
    # Pandera imports pyspark.pandas when pyspark is installed (the Spark
    # engine, spark/), which warns about pandas 3 on every import; pandas on
    # Spark is not used here, and a person importing a file should not see it.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    import pandera.polars as pa

from .calendars import CALENDARS
from .catalog import METRIC_IDS
from .contract import CHANNELS, ORDER_STATUSES


def _not_before(later: str, earlier: str) -> pl.Expr:
    return pl.col(later).is_null() | (pl.col(later) >= pl.col(earlier))


def _at_most(small: str, big: str) -> pl.Expr:
    return pl.col(small).is_null() | pl.col(big).is_null() | (pl.col(small) <= pl.col(big))


def _first_of_month(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).dt.day() == 1)


def _unique_key(*cols: str) -> pl.Expr:
    # NULL compares equal to NULL here, as the contract says for keys.
    return ~pl.struct(*cols).is_duplicated()


def _finite(*cols: str) -> pl.Expr:
    return pl.all_horizontal([pl.col(c).is_null() | pl.col(c).is_finite() for c in cols])


class _Base(pa.DataFrameModel):
    class Config:
        strict = True  # an unknown column is an error
        coerce = False  # parsing.py types the frame; a wrong dtype is an error


class Company(_Base):
    name: pl.String = pa.Field()
    purpose_statement: pl.String = pa.Field()
    vision: pl.String = pa.Field(nullable=True)
    mission: pl.String = pa.Field(nullable=True)
    currency: pl.String = pa.Field(str_matches=r"^[A-Z]{3}$")
    timezone: pl.String = pa.Field(nullable=True)

    @pa.check("timezone", name="an IANA time zone such as Europe/Berlin")
    def known_zone(cls, data: pa.PolarsData) -> pl.LazyFrame:
        zones = sorted(zoneinfo.available_timezones() | {"UTC"})
        return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).is_in(zones))

    calendar: pl.String = pa.Field(nullable=True)

    @pa.check("calendar", name="iso or nrf (the calendar of weeks and months)")
    def known_calendar(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_null() | pl.col(data.key).is_in(list(CALENDARS)))

    @pa.dataframe_check(name="at most one row")
    def single_row(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.int_range(pl.len()) < 1)


class Brands(_Base):
    brand_id: pl.String = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    name: pl.String = pa.Field()
    purpose_statement: pl.String = pa.Field(nullable=True)


class Customers(_Base):
    customer_id: pl.Int64 = pa.Field(unique=True)
    created_at: pl.Datetime = pa.Field()
    segment: pl.String = pa.Field(nullable=True)
    region: pl.String = pa.Field(nullable=True)
    marketing_opt_in: pl.Boolean = pa.Field()


class Orders(_Base):
    order_id: pl.Int64 = pa.Field(unique=True)
    customer_id: pl.Int64 = pa.Field(nullable=True)
    brand_id: pl.String = pa.Field()
    ordered_at: pl.Datetime = pa.Field()
    channel: pl.String = pa.Field(isin=CHANNELS)
    status: pl.String = pa.Field(isin=ORDER_STATUSES)
    units: pl.Int64 = pa.Field(ge=1)
    net_revenue: pl.Float64 = pa.Field(ge=0)
    returned_units: pl.Int64 = pa.Field(ge=0)
    refunded_amount: pl.Float64 = pa.Field(ge=0)
    promised_delivery_date: pl.Date = pa.Field(nullable=True)
    delivered_at: pl.Datetime = pa.Field(nullable=True)
    shipping_co2e_kg: pl.Float64 = pa.Field(nullable=True, ge=0)
    packaging_kg: pl.Float64 = pa.Field(nullable=True, ge=0)
    packaging_recycled_kg: pl.Float64 = pa.Field(nullable=True, ge=0)
    donation_amount: pl.Float64 = pa.Field(ge=0)
    cause: pl.String = pa.Field(nullable=True)

    @pa.dataframe_check(name="returned_units <= units")
    def returned_units_le_units(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_at_most("returned_units", "units"))

    @pa.dataframe_check(name="refunded_amount <= net_revenue")
    def refunded_le_revenue(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_at_most("refunded_amount", "net_revenue"))

    @pa.dataframe_check(name="delivered_at >= ordered_at")
    def delivered_after_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_not_before("delivered_at", "ordered_at"))

    @pa.dataframe_check(name="packaging_recycled_kg <= packaging_kg")
    def recycled_le_packaging(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_at_most("packaging_recycled_kg", "packaging_kg"))

    @pa.dataframe_check(name="finite numbers")
    def finite(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            _finite(
                "net_revenue",
                "refunded_amount",
                "shipping_co2e_kg",
                "packaging_kg",
                "packaging_recycled_kg",
                "donation_amount",
            )
        )


class CustomerSurveys(_Base):
    response_id: pl.Int64 = pa.Field(unique=True)
    customer_id: pl.Int64 = pa.Field(nullable=True)
    brand_id: pl.String = pa.Field()
    order_id: pl.Int64 = pa.Field(nullable=True)
    submitted_at: pl.Datetime = pa.Field()
    nps_score: pl.Int64 = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 10})
    csat_score: pl.Int64 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 5})
    effort_score: pl.Int64 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 7})
    customer_purpose: pl.String = pa.Field(nullable=True)
    purpose_achieved: pl.Boolean = pa.Field(nullable=True)
    comment: pl.String = pa.Field(nullable=True)


class SupportTickets(_Base):
    ticket_id: pl.Int64 = pa.Field(unique=True)
    customer_id: pl.Int64 = pa.Field(nullable=True)
    brand_id: pl.String = pa.Field()
    order_id: pl.Int64 = pa.Field(nullable=True)
    opened_at: pl.Datetime = pa.Field()
    resolved_at: pl.Datetime = pa.Field(nullable=True)
    contacts: pl.Int64 = pa.Field(ge=1)

    @pa.dataframe_check(name="resolved_at >= opened_at")
    def resolved_after_opened(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_not_before("resolved_at", "opened_at"))


class MarketingMessages(_Base):
    message_id: pl.Int64 = pa.Field(unique=True)
    customer_id: pl.Int64 = pa.Field()
    brand_id: pl.String = pa.Field()
    sent_at: pl.Datetime = pa.Field()
    opened_at: pl.Datetime = pa.Field(nullable=True)
    clicked_at: pl.Datetime = pa.Field(nullable=True)
    unsubscribed_at: pl.Datetime = pa.Field(nullable=True)

    @pa.dataframe_check(name="opened_at >= sent_at")
    def opened_after_sent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_not_before("opened_at", "sent_at"))

    @pa.dataframe_check(name="clicked_at >= sent_at")
    def clicked_after_sent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_not_before("clicked_at", "sent_at"))

    @pa.dataframe_check(name="unsubscribed_at >= sent_at")
    def unsubscribed_after_sent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_not_before("unsubscribed_at", "sent_at"))


class EmployeeSurveys(_Base):
    response_id: pl.Int64 = pa.Field(unique=True)
    submitted_at: pl.Datetime = pa.Field()
    brand_id: pl.String = pa.Field(nullable=True)
    team: pl.String = pa.Field()
    enps_score: pl.Int64 = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 10})
    engagement_score: pl.Float64 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 5})
    purpose_alignment: pl.Int64 = pa.Field(nullable=True, in_range={"min_value": 1, "max_value": 5})


class Workforce(_Base):
    period_start: pl.Date = pa.Field()
    brand_id: pl.String = pa.Field(nullable=True)
    team: pl.String = pa.Field()
    headcount_start: pl.Int64 = pa.Field(ge=0)
    headcount_end: pl.Int64 = pa.Field(ge=0)
    hires: pl.Int64 = pa.Field(ge=0)
    voluntary_leavers: pl.Int64 = pa.Field(ge=0)
    involuntary_leavers: pl.Int64 = pa.Field(ge=0)
    training_hours: pl.Float64 = pa.Field(ge=0)

    @pa.dataframe_check(name="first day of a month")
    def period_start_first_of_month(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_first_of_month("period_start"))

    @pa.dataframe_check(name="unique (period_start, brand_id, team)")
    def key_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_unique_key("period_start", "brand_id", "team"))


class ImpactLedger(_Base):
    period_start: pl.Date = pa.Field()
    brand_id: pl.String = pa.Field(nullable=True)
    scope1_tco2e: pl.Float64 = pa.Field(ge=0)
    scope2_tco2e: pl.Float64 = pa.Field(ge=0)
    scope3_tco2e: pl.Float64 = pa.Field(ge=0)
    energy_kwh: pl.Float64 = pa.Field(ge=0)
    renewable_energy_kwh: pl.Float64 = pa.Field(ge=0)
    waste_kg: pl.Float64 = pa.Field(ge=0)
    waste_diverted_kg: pl.Float64 = pa.Field(ge=0)
    community_investment: pl.Float64 = pa.Field(ge=0)
    procurement_spend: pl.Float64 = pa.Field(ge=0)
    local_procurement_spend: pl.Float64 = pa.Field(ge=0)
    privacy_complaints: pl.Int64 = pa.Field(ge=0)

    @pa.dataframe_check(name="first day of a month")
    def period_start_first_of_month(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_first_of_month("period_start"))

    @pa.dataframe_check(name="unique (period_start, brand_id)")
    def key_unique(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_unique_key("period_start", "brand_id"))

    @pa.dataframe_check(name="renewable_energy_kwh <= energy_kwh")
    def renewable_le_energy(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_at_most("renewable_energy_kwh", "energy_kwh"))

    @pa.dataframe_check(name="waste_diverted_kg <= waste_kg")
    def diverted_le_waste(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_at_most("waste_diverted_kg", "waste_kg"))

    @pa.dataframe_check(name="local_procurement_spend <= procurement_spend")
    def local_le_procurement(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_at_most("local_procurement_spend", "procurement_spend"))


def overlapping_windows(df: pl.DataFrame | pl.LazyFrame) -> pl.Expr:
    """True for target rows whose window overlaps another of the same metric
    and scope. Needs `valid_from`, `valid_to` (NULL = open end)."""
    end = pl.col("valid_to").fill_null(pl.date(9999, 12, 31))
    # Windows [a, b) and [c, d) overlap when a < d and c < b. Sorted by start,
    # a window overlaps a later one iff the running max of ends before it
    # exceeds its start.
    key = [pl.col("metric_id"), pl.col("brand_id").fill_null("\x00company")]
    prev_end = end.cum_max().shift(1).over(key, order_by="valid_from")
    next_start = pl.col("valid_from").shift(-1).over(key, order_by="valid_from")
    return (prev_end > pl.col("valid_from")).fill_null(False) | (next_start < end).fill_null(False)


class Targets(_Base):
    metric_id: pl.String = pa.Field(isin=METRIC_IDS)
    brand_id: pl.String = pa.Field(nullable=True)
    valid_from: pl.Date = pa.Field()
    valid_to: pl.Date = pa.Field(nullable=True)
    target_value: pl.Float64 = pa.Field()

    @pa.dataframe_check(name="valid_to after valid_from")
    def valid_to_after_from(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("valid_to").is_null() | (pl.col("valid_to") > pl.col("valid_from"))
        )

    @pa.dataframe_check(name="windows of a metric and scope must not overlap")
    def valid_from_no_overlap(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~overlapping_windows(data.lazyframe))

    @pa.dataframe_check(name="finite numbers")
    def target_value_finite(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_finite("target_value"))


class Initiatives(_Base):
    initiative_id: pl.Int64 = pa.Field(unique=True)
    brand_id: pl.String = pa.Field(nullable=True)
    name: pl.String = pa.Field()
    launched_at: pl.Date = pa.Field()
    metric_id: pl.String = pa.Field(nullable=True, isin=METRIC_IDS)
    expected_change: pl.Float64 = pa.Field(nullable=True)


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "company": Company,
    "brands": Brands,
    "customers": Customers,
    "orders": Orders,
    "customer_surveys": CustomerSurveys,
    "support_tickets": SupportTickets,
    "marketing_messages": MarketingMessages,
    "employee_surveys": EmployeeSurveys,
    "workforce": Workforce,
    "impact_ledger": ImpactLedger,
    "targets": Targets,
    "initiatives": Initiatives,
}

# Which column a dataframe-level check is about (for the report).
CHECK_COLUMNS: dict[str, str] = {
    "at most one row": "(table)",
    "returned_units <= units": "returned_units",
    "refunded_amount <= net_revenue": "refunded_amount",
    "delivered_at >= ordered_at": "delivered_at",
    "packaging_recycled_kg <= packaging_kg": "packaging_recycled_kg",
    "resolved_at >= opened_at": "resolved_at",
    "opened_at >= sent_at": "opened_at",
    "clicked_at >= sent_at": "clicked_at",
    "unsubscribed_at >= sent_at": "unsubscribed_at",
    "first day of a month": "period_start",
    "unique (period_start, brand_id, team)": "period_start, brand_id, team",
    "unique (period_start, brand_id)": "period_start, brand_id",
    "renewable_energy_kwh <= energy_kwh": "renewable_energy_kwh",
    "waste_diverted_kg <= waste_kg": "waste_diverted_kg",
    "local_procurement_spend <= procurement_spend": "local_procurement_spend",
    "valid_to after valid_from": "valid_to",
    "windows of a metric and scope must not overlap": "valid_from, valid_to",
    "finite numbers": "(numbers)",
}
