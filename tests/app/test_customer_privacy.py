"""Customer-level data never appears on a page or in an export: aggregates only.

One customer with identifiers no aggregate could produce (a 12-digit id, an
order, a survey response with a comment, a ticket and a message, each with
its own 12-digit id) is added to the worked example, in the home page's week.
Every element of every page (text, tables, chart data, download labels) and
the board pack built for that week are searched for them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from conftest import cards

from purpose_metrics import db
from purpose_metrics.validation import import_file

CUSTOMER, ORDER, RESPONSE, TICKET, MESSAGE = (
    987654321012,
    876543210987,
    765432109876,
    654321098765,
    543210987654,
)
COMMENT = "PRIVATE-COMMENT-xyzzy: call me on 555-0199"
SECRETS = [str(CUSTOMER), str(ORDER), str(RESPONSE), str(TICKET), str(MESSAGE), "xyzzy", "555-0199"]
PAGES = [
    "pages/this_week.py", "pages/brands.py", "pages/loyalty.py", "pages/customer_purpose.py", "pages/drivers.py",
    "pages/people.py", "pages/impact.py", "pages/data.py",
]  # fmt: skip
# Tuesday and Wednesday of ISO week 2026-W25, before the data's latest order.
ROWS = {
    "customers": (
        "customer_id,created_at,segment,region,marketing_opt_in\n"
        f"{CUSTOMER},2026-06-16 09:00:00,value,north,true\n"
    ),
    "orders": (
        "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
        "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,"
        "packaging_recycled_kg,donation_amount,cause\n"
        f"{ORDER},{CUSTOMER},alpine,2026-06-16 09:30:00,web,completed,3,123.45,0,0.0,2026-06-19,"
        "2026-06-18 10:00:00,1.0,0.5,0.2,2.5,ocean\n"
    ),
    "customer_surveys": (
        "response_id,customer_id,brand_id,order_id,submitted_at,nps_score,csat_score,effort_score,"
        "customer_purpose,purpose_achieved,comment\n"
        f'{RESPONSE},{CUSTOMER},alpine,{ORDER},2026-06-17 08:00:00,10,5,7,gift,true,"{COMMENT}"\n'
    ),
    "support_tickets": (
        "ticket_id,customer_id,brand_id,order_id,opened_at,resolved_at,contacts\n"
        f"{TICKET},{CUSTOMER},alpine,{ORDER},2026-06-17 09:00:00,2026-06-17 10:00:00,1\n"
    ),
    "marketing_messages": (
        "message_id,customer_id,brand_id,sent_at,opened_at,clicked_at,unsubscribed_at\n"
        f"{MESSAGE},{CUSTOMER},alpine,2026-06-16 07:00:00,2026-06-16 08:00:00,,\n"
    ),
}


@pytest.fixture(scope="module")
def planted_db(small_db, tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("planted")
    path = folder / "planted.duckdb"
    shutil.copyfile(small_db.removeprefix("duckdb:///"), path)
    url = f"duckdb:///{path}"
    engine = db.make_engine(url)
    for table, text in ROWS.items():
        file = folder / f"{table}.csv"
        file.write_text(text)
        import_file(engine, table, file)
    engine.dispose()
    return url


def everything_shown(at) -> str:
    """Every element of the page as text: values, labels, table cells,
    chart data and layout, download labels."""

    def walk(node) -> Iterator[str]:
        for child in getattr(node, "children", {}).values():
            value = getattr(child, "value", None)
            if hasattr(value, "to_csv"):
                yield value.to_csv()
            elif value is not None:
                yield str(value)
            proto = getattr(child, "proto", None)
            if proto is not None:
                yield str(getattr(proto, "spec", "")) or ""
                yield str(getattr(proto, "label", "")) or ""
                yield str(getattr(proto, "body", "")) or ""
            yield from walk(child)

    return "\n".join(walk(at._tree))


@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_no_page_shows_customer_level_data(app, planted_db, page):
    at = app(planted_db, page)
    assert not at.exception
    shown = everything_shown(at)
    assert len(shown) > 1000  # the page did render
    if page == "pages/data.py":  # tables are searched cell by cell
        assert "orders.csv" in shown
    for secret in SECRETS:
        assert secret not in shown, f"{secret} on {page}"


def test_the_planted_customer_is_counted_in_the_aggregates(app, planted_db, small_db):
    """(So the searches above looked where the customer's data went.)"""
    before = next(c.value for c in cards(app(small_db)) if c.metric_id == "orders")
    after = next(c.value for c in cards(app(planted_db)) if c.metric_id == "orders")
    assert int(after) == int(before) + 1


def test_the_board_pack_holds_aggregates_only(planted_db):
    from purpose_metrics import reading
    from purpose_metrics.export.deck import build_pack

    engine = db.make_engine(planted_db)
    pack = build_pack(reading.load_dataset(engine), "2026-W25")
    engine.dispose()
    text = repr(pack) + "".join(fig.to_json() for pillar in pack.pillars for _, fig in pillar.charts)
    for secret in SECRETS:
        assert secret not in text
