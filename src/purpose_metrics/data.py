"""Loading the engine's inputs from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import db
from .contract import TABLES
from .metrics.dataset import Dataset

# The columns the engine reads from each table (never comments or names it
# does not need).
ENGINE_COLUMNS: dict[str, list[str]] = {
    "brands": ["brand_id", "name", "purpose_statement"],
    "customers": ["customer_id", "segment", "region", "marketing_opt_in"],
    "orders": [
        "order_id", "customer_id", "brand_id", "ordered_at", "channel", "status", "units",
        "net_revenue", "returned_units", "refunded_amount", "promised_delivery_date",
        "delivered_at", "shipping_co2e_kg", "packaging_kg", "packaging_recycled_kg",
        "donation_amount",
    ],
    "customer_surveys": [
        "customer_id", "brand_id", "submitted_at", "nps_score", "csat_score", "effort_score",
        "customer_purpose", "purpose_achieved",
    ],
    "support_tickets": ["customer_id", "brand_id", "opened_at", "resolved_at", "contacts"],
    "marketing_messages": ["customer_id", "brand_id", "sent_at", "clicked_at", "unsubscribed_at"],
    "employee_surveys": ["submitted_at", "brand_id", "team", "enps_score", "engagement_score", "purpose_alignment"],
    "workforce": TABLES["workforce"].column_names,
    "impact_ledger": TABLES["impact_ledger"].column_names,
    "targets": TABLES["targets"].column_names,
    "initiatives": TABLES["initiatives"].column_names,
    "company": TABLES["company"].column_names,
}


def as_of(engine: Engine | sa.Connection) -> dt.datetime | None:
    """The latest ordered_at of any order, cancelled included."""
    orders = db.SA_TABLES["orders"]
    query = sa.select(sa.func.max(orders.c.ordered_at))
    if isinstance(engine, sa.Connection):
        value = engine.execute(query).scalar_one()
    else:
        with engine.connect() as conn:
            value = conn.execute(query).scalar_one()
    if isinstance(value, str):  # SQLite
        value = dt.datetime.fromisoformat(value)
    return value


def load_dataset(engine: Engine, tables: Iterable[str] | None = None) -> Dataset:
    """Every table the engine needs, typed, with the as-of instant."""
    names = list(tables) if tables is not None else list(ENGINE_COLUMNS)
    try:
        with engine.connect() as conn:  # one connection for the whole load
            frames = {name: db.read_table(conn, name, ENGINE_COLUMNS[name]).lazy() for name in names}
            instant = as_of(conn)
    except sa.exc.SQLAlchemyError as exc:
        raise db.DatabaseError(db.describe_db_error(exc)) from exc
    return Dataset(frames, as_of=instant)


def company(engine: Engine) -> dict | None:
    rows = db.read_table(engine, "company")
    return rows.row(0, named=True) if rows.height else None


def brands(engine: Engine) -> pl.DataFrame:
    return db.read_table(engine, "brands").sort("brand_id")
