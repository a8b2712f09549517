"""The "Data" page: inventory, definitions, and the validated file import."""

from __future__ import annotations

from purpose_metrics import catalog, db
from purpose_metrics.validation import import_file

PAGE = "pages/data.py"
INITIATIVES_HEADER = "initiative_id,brand_id,name,launched_at,metric_id,expected_change\n"


def test_inventory_lists_every_table_with_its_rows(app, small_db, example_dir):
    at = app(small_db, PAGE)
    assert not at.exception
    inventory = at.dataframe[0].value.set_index("table")
    assert len(inventory) == 12
    lines = (example_dir / "data" / "orders.csv").read_text().strip().splitlines()
    assert inventory.loc["orders", "rows"] == f"{len(lines) - 1:,}"  # minus the header; counted, exact
    assert inventory.loc["orders", "first"] == "2025-01-06"
    assert inventory.loc["orders", "last_import_source"] == "orders.csv"
    assert inventory.loc["company", "first"] == "—"


def test_definitions_cover_every_metric_of_the_catalog(app, small_db):
    at = app(small_db, PAGE)
    shown = [label for table in at.table for label in table.value["Metric"].tolist()]
    assert sorted(shown) == sorted(m.label for m in catalog.METRICS)


def _fresh_db(tmp_path, example_dir) -> str:
    url = f"duckdb:///{tmp_path / 'import.duckdb'}"
    engine = db.make_engine(url, create=True)
    db.create_schema(engine)
    for table in ("company", "brands"):
        import_file(engine, table, example_dir / "data" / f"{table}.csv")
    engine.dispose()
    return url


def test_a_bad_file_is_rejected_with_its_errors_as_a_table(app, tmp_path, example_dir):
    at = app(_fresh_db(tmp_path, example_dir), PAGE)
    at.selectbox(key="import_table").set_value("initiatives").run()
    bad = INITIATIVES_HEADER + "1,alpine,Repair,01/10/2025,returning_order_share,5\n"
    at.file_uploader(key="import_file").upload("initiatives.csv", bad.encode(), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert "1 problem found in initiatives; nothing was imported" in at.error[0].value
    report = at.dataframe[-1].value
    assert report["column"].tolist() == ["launched_at"]
    assert at.dataframe[0].value.set_index("table").loc["initiatives", "rows"] == "0"


def test_a_good_file_is_imported_and_the_inventory_shows_it(app, tmp_path, example_dir):
    at = app(_fresh_db(tmp_path, example_dir), PAGE)
    at.selectbox(key="import_table").set_value("initiatives").run()
    good = INITIATIVES_HEADER + "1,alpine,Repair service,2025-10-01,returning_order_share,5\n"
    at.file_uploader(key="import_file").upload("my-initiatives.csv", good.encode(), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported 1 row from my-initiatives.csv into initiatives."
    inventory = at.dataframe[0].value.set_index("table")
    assert inventory.loc["initiatives", "rows"] == "1"
    assert inventory.loc["initiatives", "last_import_source"] == "my-initiatives.csv"


def test_an_empty_database_still_shows_the_inventory_and_the_import(app, empty_db):
    at = app(empty_db, PAGE)
    assert not at.exception
    assert "The database is empty" in at.info[0].value
    assert set(at.dataframe[0].value["rows"]) == {"0"}
    assert at.button(key="import_go").disabled


def test_a_bad_parquet_file_shows_every_problem_with_table_column_rule_and_rows(app, tmp_path, example_dir):
    import io

    import polars as pl

    at = app(_fresh_db(tmp_path, example_dir), PAGE)
    at.selectbox(key="import_table").set_value("initiatives").run()
    buffer = io.BytesIO()
    pl.DataFrame(
        {
            "initiative_id": [1, 1, 2],  # a duplicate key on rows 1 and 2
            "brand_id": ["alpine", "alpine", "nowhere"],  # row 3: not a brand
            "name": ["Repair", None, "Swap"],  # row 2: required
            "launched_at": ["2025-10-01", "2025-10-02", "soon"],  # row 3: not a date
            "metric_id": ["returning_order_share", None, None],
            "expected_change": [5.0, None, None],
        }
    ).write_parquet(buffer)
    parquet = buffer.getvalue()
    at.file_uploader(key="import_file").upload("initiatives.parquet", parquet, "application/octet-stream")
    at.run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert "problems found in initiatives; nothing was imported" in at.error[0].value
    report = at.dataframe[-1].value
    assert list(report.columns) == ["table", "column", "rule", "rows", "first rows", "examples"]
    problems = {(r["column"], r["first rows"]) for _, r in report.iterrows()}
    assert ("launched_at", "3") in problems
    assert ("name", "2") in problems
    assert ("initiative_id", "1, 2") in problems
    assert set(report["table"]) == {"initiatives"}
    assert at.dataframe[0].value.set_index("table").loc["initiatives", "rows"] == "0"


def test_a_file_that_is_not_utf8_is_rejected_as_a_table_not_an_exception(app, tmp_path, example_dir):
    at = app(_fresh_db(tmp_path, example_dir), PAGE)
    at.selectbox(key="import_table").set_value("initiatives").run()
    latin1 = (INITIATIVES_HEADER + "1,alpine,Réparation,2025-10-01,,\n").encode("latin-1")
    at.file_uploader(key="import_file").upload("initiatives.csv", latin1, "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    report = at.dataframe[-1].value
    assert report.iloc[0]["column"] == "(file)"
    assert "UTF-8" in report.iloc[0]["rule"]
    assert report.iloc[0]["first lines"] == "2"
