"""The data contract: every table and column, declared once.

Every other module (SQL reads, CSV parsing, Pandera models, the generator)
takes column names, logical types and nullability from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Logical type -> Polars dtype of a typed frame.
DTYPES: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "int": pl.Int64(),
    "text": pl.String(),
    "num": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "ts": pl.Datetime("us"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of DTYPES
    nullable: bool = False
    # A column added to the contract later: a file or a database made
    # before it may lack it, and it then reads as NULL.
    optional: bool = False

    @property
    def dtype(self) -> pl.DataType:
        return DTYPES[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # The column that places a row in time, for date-range reads.
    time_column: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}


def _c(name: str, type_: str, nullable: bool = False, optional: bool = False) -> Column:
    return Column(name, type_, nullable, optional)


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "company",
            (
                _c("name", "text"),
                _c("purpose_statement", "text"),
                _c("vision", "text", True),
                _c("mission", "text", True),
                _c("currency", "text"),
                # IANA zone of the company's dates (SPEC 7); NULL or absent: UTC.
                _c("timezone", "text", True, optional=True),
                # The calendar of its weeks and months (SPEC 7): iso or nrf; NULL or absent: iso.
                _c("calendar", "text", True, optional=True),
            ),
        ),
        Table(
            "brands",
            (_c("brand_id", "text"), _c("name", "text"), _c("purpose_statement", "text", True)),
            key=("brand_id",),
        ),
        Table(
            "customers",
            (
                _c("customer_id", "id"),
                _c("created_at", "ts"),
                _c("segment", "text", True),
                _c("region", "text", True),
                _c("marketing_opt_in", "bool"),
            ),
            key=("customer_id",),
        ),
        Table(
            "orders",
            (
                _c("order_id", "id"),
                _c("customer_id", "id", True),
                _c("brand_id", "text"),
                _c("ordered_at", "ts"),
                _c("channel", "text"),
                _c("status", "text"),
                _c("units", "int"),
                _c("net_revenue", "num"),
                _c("returned_units", "int"),
                _c("refunded_amount", "num"),
                _c("promised_delivery_date", "date", True),
                _c("delivered_at", "ts", True),
                _c("shipping_co2e_kg", "num", True),
                _c("packaging_kg", "num", True),
                _c("packaging_recycled_kg", "num", True),
                _c("donation_amount", "num"),
                _c("cause", "text", True),
            ),
            key=("order_id",),
            time_column="ordered_at",
        ),
        Table(
            "customer_surveys",
            (
                _c("response_id", "id"),
                _c("customer_id", "id", True),
                _c("brand_id", "text"),
                _c("order_id", "id", True),
                _c("submitted_at", "ts"),
                _c("nps_score", "int", True),
                _c("csat_score", "int", True),
                _c("effort_score", "int", True),
                _c("customer_purpose", "text", True),
                _c("purpose_achieved", "bool", True),
                _c("comment", "text", True),
            ),
            key=("response_id",),
            time_column="submitted_at",
        ),
        Table(
            "support_tickets",
            (
                _c("ticket_id", "id"),
                _c("customer_id", "id", True),
                _c("brand_id", "text"),
                _c("order_id", "id", True),
                _c("opened_at", "ts"),
                _c("resolved_at", "ts", True),
                _c("contacts", "int"),
            ),
            key=("ticket_id",),
            time_column="opened_at",
        ),
        Table(
            "marketing_messages",
            (
                _c("message_id", "id"),
                _c("customer_id", "id"),
                _c("brand_id", "text"),
                _c("sent_at", "ts"),
                _c("opened_at", "ts", True),
                _c("clicked_at", "ts", True),
                _c("unsubscribed_at", "ts", True),
            ),
            key=("message_id",),
            time_column="sent_at",
        ),
        Table(
            "employee_surveys",
            (
                _c("response_id", "id"),
                _c("submitted_at", "ts"),
                _c("brand_id", "text", True),
                _c("team", "text"),
                _c("enps_score", "int", True),
                _c("engagement_score", "num", True),
                _c("purpose_alignment", "int", True),
            ),
            key=("response_id",),
            time_column="submitted_at",
        ),
        Table(
            "workforce",
            (
                _c("period_start", "date"),
                _c("brand_id", "text", True),
                _c("team", "text"),
                _c("headcount_start", "int"),
                _c("headcount_end", "int"),
                _c("hires", "int"),
                _c("voluntary_leavers", "int"),
                _c("involuntary_leavers", "int"),
                _c("training_hours", "num"),
            ),
            key=("period_start", "brand_id", "team"),
            time_column="period_start",
        ),
        Table(
            "impact_ledger",
            (
                _c("period_start", "date"),
                _c("brand_id", "text", True),
                _c("scope1_tco2e", "num"),
                _c("scope2_tco2e", "num"),
                _c("scope3_tco2e", "num"),
                _c("energy_kwh", "num"),
                _c("renewable_energy_kwh", "num"),
                _c("waste_kg", "num"),
                _c("waste_diverted_kg", "num"),
                _c("community_investment", "num"),
                _c("procurement_spend", "num"),
                _c("local_procurement_spend", "num"),
                _c("privacy_complaints", "int"),
            ),
            key=("period_start", "brand_id"),
            time_column="period_start",
        ),
        Table(
            "targets",
            (
                _c("metric_id", "text"),
                _c("brand_id", "text", True),
                _c("valid_from", "date"),
                _c("valid_to", "date", True),
                _c("target_value", "num"),
            ),
        ),
        Table(
            "initiatives",
            (
                _c("initiative_id", "id"),
                _c("brand_id", "text", True),
                _c("name", "text"),
                _c("launched_at", "date"),
                _c("metric_id", "text", True),
                _c("expected_change", "num", True),
            ),
            key=("initiative_id",),
        ),
    ]
}

# The order in which tables can be loaded so that references resolve.
LOAD_ORDER: tuple[str, ...] = tuple(TABLES)

# Which tables each reference points at: (column, table, column).
REFERENCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "orders": (("brand_id", "brands", "brand_id"), ("customer_id", "customers", "customer_id")),
    "customer_surveys": (("brand_id", "brands", "brand_id"),),
    "support_tickets": (("brand_id", "brands", "brand_id"),),
    "marketing_messages": (("brand_id", "brands", "brand_id"),),
    "employee_surveys": (("brand_id", "brands", "brand_id"),),
    "workforce": (("brand_id", "brands", "brand_id"),),
    "impact_ledger": (("brand_id", "brands", "brand_id"),),
    "targets": (("brand_id", "brands", "brand_id"),),
    "initiatives": (("brand_id", "brands", "brand_id"),),
}

CHANNELS = ("web", "app", "marketplace", "store")
ORDER_STATUSES = ("completed", "cancelled")
