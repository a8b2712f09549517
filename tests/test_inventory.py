"""The Data page's inventory: every table's rows, dates and last import; on
PostgreSQL the large tables' rows come without a scan, exact where the fact
store's counter vouches for them and "about" where only the statistics know."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from purpose_metrics import db, inventory


def _counted(eng: sa.Engine) -> dict[str, int]:
    with eng.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar_one() for t in db.SA_TABLES}


def test_the_inventory_counts_every_table_and_dates_its_rows(example_engine):
    inv = inventory.table_inventory(example_engine)
    assert inv["table"].to_list() == list(db.SA_TABLES)
    assert dict(zip(inv["table"], inv["rows"], strict=True)) == _counted(example_engine)
    assert inv["rows_exact"].all()  # the example is small: counted, or vouched for by the store
    with example_engine.connect() as conn:
        first, last = conn.exec_driver_sql("SELECT MIN(ordered_at), MAX(ordered_at) FROM orders").one()
    orders = inv.row(by_predicate=pl.col("table") == "orders", named=True)
    assert (orders["first"], orders["last"]) == (str(first)[:10], str(last)[:10])
    shown = inventory.for_display(inv)
    assert shown.row(by_predicate=pl.col("table") == "orders", named=True)["rows"] == f"{orders['rows']:,}"
    assert shown.row(by_predicate=pl.col("table") == "company", named=True)["first"] == "—"


def test_postgresql_takes_large_tables_rows_from_the_store_or_the_statistics(
    pg_server, example_templates, monkeypatch
):
    url = example_templates.copy("postgresql", admin_url=pg_server)
    eng = db.make_engine(url)
    try:
        monkeypatch.setattr(inventory, "ESTIMATE_ABOVE", 1)  # every table is "large"
        with eng.begin() as conn:  # written behind the importer's back: the store no longer vouches
            conn.exec_driver_sql(
                "DELETE FROM support_tickets WHERE ticket_id IN (SELECT MIN(ticket_id) FROM support_tickets)"
            )
        with eng.connect() as conn:
            conn.exec_driver_sql("ANALYZE")  # the statistics the estimates come from
            conn.commit()
        exact = _counted(eng)
        with eng.connect() as conn:
            estimates = dict(conn.exec_driver_sql("SELECT relname, reltuples FROM pg_class").all())
        inv = inventory.table_inventory(eng)
        got = {r["table"]: (r["rows"], r["rows_exact"]) for r in inv.iter_rows(named=True)}
        # The store's tables (tickets aside): the count it recorded, exact.
        for table in ("orders", "customers", "customer_surveys", "marketing_messages"):
            assert got[table] == (exact[table], True), table
        # The others the statistics know: their estimate, which the display says is one.
        assert got["support_tickets"] == (int(estimates["support_tickets"]), False)
        assert got["brands"] == (int(estimates["brands"]), False)
        assert exact["support_tickets"] == estimates["support_tickets"]  # ANALYZE read it all: here exact
        shown = inventory.for_display(inv).row(by_predicate=pl.col("table") == "support_tickets", named=True)
        assert shown["rows"] == f"about {inventory_round(exact['support_tickets']):,}"
    finally:
        eng.dispose()
        admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def inventory_round(n: int) -> int:
    """n to three significant digits, by hand."""
    digits = len(str(n))
    if digits <= 3:
        return n
    step = 10 ** (digits - 3)
    return (n + step // 2) // step * step


def test_an_estimate_is_shown_to_three_significant_digits():
    assert inventory.rows_text(9_999_872, exact=False) == "about 10,000,000"
    assert inventory.rows_text(5_012_345, exact=False) == "about 5,010,000"
    assert inventory.rows_text(1_234, exact=False) == "about 1,230"
    assert inventory.rows_text(5_012_345, exact=True) == "5,012,345"
