"""Import into the database (SPEC sections 3 and 5): all or nothing, keys
and references checked against what is stored, and the `import` / `init`
commands of the CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from purpose_metrics import cli, db
from purpose_metrics.cli import main
from purpose_metrics.contract import TABLES
from purpose_metrics.validation import ValidationFailed, import_file, import_folder

BRANDS = """\
brand_id,name,purpose_statement
alpine,Alpine,Get outside
hearth,Hearth,
"""
CUSTOMERS = """\
customer_id,created_at,segment,region,marketing_opt_in
1000,2025-03-19 03:05:08,value,north,true
1001,2026-03-12 11:58:57,,,false
"""
ORDERS_HEADER = (
    "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,"
    "refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,"
    "packaging_recycled_kg,donation_amount,cause\n"
)
ORDER_1 = "500001,1000,alpine,2025-01-06 11:57:30,web,completed,4,140.48,1,35.12,2025-01-11,2025-01-08 01:26:45,1.5,1.2,0.3,1.0,ocean\n"
ORDER_2 = "500002,,hearth,2025-01-07 03:18:34,app,cancelled,2,34.84,0,0.0,,,,,,0.0,\n"
ORDER_3 = "500003,1001,hearth,2025-01-08 10:00:00,store,completed,1,9.99,0,0.0,,,,,,0.0,\n"
ORDERS = ORDERS_HEADER + ORDER_1 + ORDER_2
COMPANY = (
    'name,purpose_statement,vision,mission,currency\nHoldout Goods,"Help people buy less, better.",,,EUR\n'
)
TARGETS_HEADER = "metric_id,brand_id,valid_from,valid_to,target_value\n"
WORKFORCE_HEADER = (
    "period_start,brand_id,team,headcount_start,headcount_end,hires,voluntary_leavers,"
    "involuntary_leavers,training_hours\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table (and in import_log), in one query."""
    names = [*TABLES, "import_log"]
    query = " UNION ALL ".join(f"SELECT '{n}', COUNT(*) FROM {n}" for n in names)
    with engine.connect() as conn:
        return {name: n for name, n in conn.execute(sa.text(query)).fetchall()}


def log_rows(engine: sa.Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT table_name, row_count FROM import_log")).fetchall()
    return sorted((r[0], r[1]) for r in rows)


@pytest.fixture
def with_brands(engine, tmp_path):
    """The engine (every backend) holding two brands and two customers."""
    import_file(engine, "brands", write(tmp_path, "brands.csv", BRANDS))
    import_file(engine, "customers", write(tmp_path, "customers.csv", CUSTOMERS))
    return engine


@pytest.fixture(scope="module")
def _duck_template(tmp_path_factory) -> Path:
    """A DuckDB file with the schema, two brands and two customers, built once."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.duckdb"
    engine = db.make_engine(f"duckdb:///{path}", create=True)
    db.create_schema(engine)
    import_file(engine, "brands", write(folder, "brands.csv", BRANDS))
    import_file(engine, "customers", write(folder, "customers.csv", CUSTOMERS))
    engine.dispose()
    return path


@pytest.fixture
def duck_with_brands(_duck_template, tmp_path):
    """A copy of the template: DuckDB holding two brands and two customers."""
    path = tmp_path / "pm.duckdb"
    shutil.copyfile(_duck_template, path)
    engine = db.make_engine(f"duckdb:///{path}")
    yield engine
    engine.dispose()


# --- the worked example ----------------------------------------------------------------


def test_the_worked_example_folder_imports_completely(engine, example_dir):
    folder = example_dir / "data"
    expected = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            expected[path.stem] = sum(1 for _ in csv.reader(fh)) - 1
    assert set(expected) == set(TABLES)

    results = import_folder(engine, folder)

    got = counts(engine)
    assert {t: got[t] for t in expected} == expected
    assert {r.table: r.rows for r in results} == expected
    assert got["import_log"] == len(expected)
    assert log_rows(engine) == sorted(expected.items())


# --- all or nothing -----------------------------------------------------------------------


def test_a_file_that_fails_validation_writes_nothing(with_brands, tmp_path):
    before = counts(with_brands)
    bad = ORDERS_HEADER + ORDER_1 + ORDER_2.replace(",app,", ",fax,")
    with pytest.raises(ValidationFailed) as info:
        import_file(with_brands, "orders", write(tmp_path, "orders.csv", bad))
    assert [(f.column, f.rows) for f in info.value.failures] == [("channel", (3,))]
    assert counts(with_brands) == before


def test_an_unknown_brand_is_refused_at_the_database_step(with_brands, tmp_path):
    before = counts(with_brands)
    bad = ORDERS_HEADER + ORDER_1 + ORDER_2.replace(",hearth,", ",nordic,")
    with pytest.raises(ValidationFailed) as info:
        import_file(with_brands, "orders", write(tmp_path, "orders.csv", bad))
    [f] = info.value.failures
    assert (f.table, f.column, f.rows) == ("orders", "brand_id", (3,))
    assert "brands" in f.rule
    assert counts(with_brands) == before


def test_an_unknown_customer_is_refused_at_the_database_step(duck_with_brands, tmp_path):
    before = counts(duck_with_brands)
    bad = ORDERS_HEADER + ORDER_1.replace("500001,1000,", "500001,4242,") + ORDER_2
    with pytest.raises(ValidationFailed) as info:
        import_file(duck_with_brands, "orders", write(tmp_path, "orders.csv", bad))
    [f] = info.value.failures
    assert (f.table, f.column, f.rows) == ("orders", "customer_id", (2,))
    assert "customers" in f.rule
    assert counts(duck_with_brands) == before


def test_references_to_brands_from_every_table_are_checked(duck_with_brands, tmp_path):
    text = WORKFORCE_HEADER + "2025-01-01,alpine,ops,1,1,0,0,0,0\n2025-01-01,Alpine,ops,1,1,0,0,0,0\n"
    with pytest.raises(ValidationFailed) as info:
        import_file(duck_with_brands, "workforce", write(tmp_path, "workforce.csv", text))
    assert [(f.column, f.rows) for f in info.value.failures] == [("brand_id", (3,))]
    assert counts(duck_with_brands)["workforce"] == 0


def test_a_guest_order_and_a_company_level_row_need_no_reference(duck_with_brands, tmp_path):
    import_file(duck_with_brands, "orders", write(tmp_path, "orders.csv", ORDERS))
    text = WORKFORCE_HEADER + "2025-01-01,,ops,1,1,0,0,0,0\n"
    import_file(duck_with_brands, "workforce", write(tmp_path, "workforce.csv", text))
    got = counts(duck_with_brands)
    assert (got["orders"], got["workforce"]) == (2, 1)


def test_an_integer_beyond_the_integer_column_is_a_validation_error(with_brands, tmp_path):
    # units is INTEGER in the contract (32-bit in DuckDB and PostgreSQL):
    # 3 000 000 000 cannot be stored, so the import must be refused as bad
    # input, not fail inside the database.
    before = counts(with_brands)
    bad = ORDERS_HEADER + ORDER_1.replace(",4,140.48,", ",3000000000,140.48,")
    with pytest.raises(ValidationFailed) as info:
        import_file(with_brands, "orders", write(tmp_path, "orders.csv", bad))
    assert [(f.column, f.rows) for f in info.value.failures] == [("units", (2,))]
    assert counts(with_brands) == before


# --- keys against what is stored ---------------------------------------------------------


def test_reimporting_a_file_is_refused_and_nothing_is_counted_twice(with_brands, tmp_path):
    path = write(tmp_path, "orders.csv", ORDERS)
    import_file(with_brands, "orders", path)
    after_first = counts(with_brands)
    with pytest.raises(ValidationFailed) as info:
        import_file(with_brands, "orders", path)
    [f] = info.value.failures
    assert f.column == "order_id"
    assert f.rows == (2, 3)
    assert counts(with_brands) == after_first
    assert after_first["orders"] == 2
    assert log_rows(with_brands) == [("brands", 2), ("customers", 2), ("orders", 2)]


def test_one_stored_key_refuses_the_whole_file(duck_with_brands, tmp_path):
    import_file(duck_with_brands, "orders", write(tmp_path, "first.csv", ORDERS_HEADER + ORDER_1))
    with pytest.raises(ValidationFailed) as info:
        import_file(
            duck_with_brands, "orders", write(tmp_path, "second.csv", ORDERS_HEADER + ORDER_3 + ORDER_1)
        )
    assert [(f.column, f.rows) for f in info.value.failures] == [("order_id", (3,))]
    got = db.read_table(duck_with_brands, "orders", ["order_id"])
    assert got.get_column("order_id").to_list() == [500001]


def test_new_keys_are_appended(duck_with_brands, tmp_path):
    import_file(duck_with_brands, "orders", write(tmp_path, "first.csv", ORDERS))
    result = import_file(duck_with_brands, "orders", write(tmp_path, "second.csv", ORDERS_HEADER + ORDER_3))
    assert result.rows == 1
    got = db.read_table(duck_with_brands, "orders", ["order_id"])
    assert sorted(got.get_column("order_id").to_list()) == [500001, 500002, 500003]


def test_a_stored_composite_key_with_a_null_brand_is_refused(with_brands, tmp_path):
    row = "2025-01-01,,ops,1,1,0,0,0,0\n"
    import_file(with_brands, "workforce", write(tmp_path, "w1.csv", WORKFORCE_HEADER + row))
    with pytest.raises(ValidationFailed) as info:
        import_file(
            with_brands,
            "workforce",
            write(tmp_path, "w2.csv", WORKFORCE_HEADER + "2025-01-01,,cx,1,1,0,0,0,0\n" + row),
        )
    [f] = info.value.failures
    assert f.rows == (3,)
    assert "team" in f.column or "brand_id" in f.column or "period_start" in f.column
    assert counts(with_brands)["workforce"] == 1


def test_a_stored_ledger_key_is_refused(duck_with_brands, tmp_path):
    header = (
        "period_start,brand_id,scope1_tco2e,scope2_tco2e,scope3_tco2e,energy_kwh,renewable_energy_kwh,"
        "waste_kg,waste_diverted_kg,community_investment,procurement_spend,local_procurement_spend,"
        "privacy_complaints\n"
    )
    first = header + "2025-01-01,alpine,1,1,1,10,5,10,5,1,10,5,0\n2025-01-01,,1,1,1,10,5,10,5,1,10,5,0\n"
    import_file(duck_with_brands, "impact_ledger", write(tmp_path, "l1.csv", first))
    for i, row in enumerate(
        ["2025-01-01,alpine,2,2,2,20,5,10,5,1,10,5,1\n", "2025-01-01,,2,2,2,20,5,10,5,1,10,5,1\n"]
    ):
        with pytest.raises(ValidationFailed):
            import_file(duck_with_brands, "impact_ledger", write(tmp_path, f"l2_{i}.csv", header + row))
    import_file(
        duck_with_brands,
        "impact_ledger",
        write(tmp_path, "l3.csv", header + "2025-02-01,,2,2,2,20,5,10,5,1,10,5,1\n"),
    )
    assert counts(duck_with_brands)["impact_ledger"] == 3


def test_a_second_company_row_is_refused_when_one_is_stored(duck_with_brands, tmp_path):
    import_file(duck_with_brands, "company", write(tmp_path, "company.csv", COMPANY))
    other = "name,purpose_statement,vision,mission,currency\nOther Co,Another purpose,,,USD\n"
    with pytest.raises(ValidationFailed) as info:
        import_file(duck_with_brands, "company", write(tmp_path, "company2.csv", other))
    assert info.value.failures[0].table == "company"
    rows = db.read_table(duck_with_brands, "company")
    assert rows.get_column("name").to_list() == ["Holdout Goods"]


def test_a_target_window_overlapping_a_stored_one_is_refused(with_brands, tmp_path):
    import_file(
        with_brands, "targets", write(tmp_path, "t1.csv", TARGETS_HEADER + "nps,,2025-01-01,2026-01-01,40\n")
    )
    with pytest.raises(ValidationFailed) as info:
        import_file(
            with_brands,
            "targets",
            write(tmp_path, "t2.csv", TARGETS_HEADER + "csat,,2025-01-01,,80\nnps,,2025-12-01,,45\n"),
        )
    [f] = info.value.failures
    assert "overlap" in f.rule.lower()
    assert f.rows == (3,)
    assert counts(with_brands)["targets"] == 1


def test_an_open_stored_target_window_overlaps_any_later_one(duck_with_brands, tmp_path):
    import_file(
        duck_with_brands, "targets", write(tmp_path, "t1.csv", TARGETS_HEADER + "nps,alpine,2025-01-01,,40\n")
    )
    with pytest.raises(ValidationFailed):
        import_file(
            duck_with_brands,
            "targets",
            write(tmp_path, "t2.csv", TARGETS_HEADER + "nps,alpine,2030-01-01,2031-01-01,45\n"),
        )
    assert counts(duck_with_brands)["targets"] == 1


def test_adjacent_and_other_scope_target_windows_are_accepted(duck_with_brands, tmp_path):
    import_file(
        duck_with_brands,
        "targets",
        write(tmp_path, "t1.csv", TARGETS_HEADER + "nps,,2025-01-01,2026-01-01,40\n"),
    )
    import_file(
        duck_with_brands,
        "targets",
        write(
            tmp_path, "t2.csv", TARGETS_HEADER + "nps,,2026-01-01,,45\nnps,alpine,2025-01-01,2026-01-01,30\n"
        ),
    )
    import_file(
        duck_with_brands,
        "targets",
        write(tmp_path, "t3.csv", TARGETS_HEADER + "nps,,2024-01-01,2025-01-01,35\n"),
    )
    assert counts(duck_with_brands)["targets"] == 4


def test_a_target_for_an_unknown_brand_is_refused(duck_with_brands, tmp_path):
    with pytest.raises(ValidationFailed) as info:
        import_file(
            duck_with_brands,
            "targets",
            write(tmp_path, "t.csv", TARGETS_HEADER + "nps,nordic,2025-01-01,,40\n"),
        )
    assert [f.column for f in info.value.failures] == ["brand_id"]


def test_the_imported_values_read_back_as_written(duck_with_brands, tmp_path):
    import_file(duck_with_brands, "orders", write(tmp_path, "orders.csv", ORDERS))
    row = db.read_table(duck_with_brands, "orders").sort("order_id").row(0, named=True)
    assert row["net_revenue"] == 140.48
    assert row["refunded_amount"] == 35.12
    assert str(row["ordered_at"]) == "2025-01-06 11:57:30"
    assert str(row["promised_delivery_date"]) == "2025-01-11"


def test_a_parquet_file_imports_like_its_csv(duck_with_brands, tmp_path):
    import polars as pl

    frame = pl.read_csv(ORDERS.encode(), infer_schema=False)  # text, as a user might export it
    frame.write_parquet(tmp_path / "orders.parquet")
    result = import_file(duck_with_brands, "orders", tmp_path / "orders.parquet")
    assert result.rows == 2
    got = db.read_table(
        duck_with_brands, "orders", ["order_id", "customer_id", "net_revenue", "delivered_at"]
    )
    assert got.sort("order_id").rows() == [
        (500001, 1000, 140.48, dt.datetime(2025, 1, 8, 1, 26, 45)),
        (500002, None, 34.84, None),
    ]


def test_the_import_log_records_table_rows_and_source(duck_with_brands, tmp_path):
    import_file(duck_with_brands, "orders", write(tmp_path, "march_orders.csv", ORDERS))
    with duck_with_brands.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT table_name, row_count, source, imported_at FROM import_log WHERE table_name = 'orders'"
            )
        ).fetchall()
    assert len(rows) == 1
    assert (rows[0][0], rows[0][1], rows[0][2]) == ("orders", 2, "march_orders.csv")
    assert rows[0][3] is not None


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def duck_url(tmp_path) -> str:
    return f"duckdb:///{tmp_path / 'cli.duckdb'}"


@pytest.fixture
def db_url(tmp_path) -> str:
    # SQLite: each CLI call opens the database afresh, which is much faster
    # than with DuckDB; the embedded default (DuckDB) has its own tests.
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


def _cli_counts(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    try:
        return counts(engine)
    finally:
        engine.dispose()


def _cli_setup(url: str, tmp_path: Path) -> None:
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "import", "brands", str(write(tmp_path, "brands.csv", BRANDS))]) == 0
    assert main(["--db", url, "import", "customers", str(write(tmp_path, "customers.csv", CUSTOMERS))]) == 0


def test_cli_import_refuses_an_invalid_file_with_exit_2(duck_url, tmp_path, capsys):
    db_url = duck_url
    _cli_setup(db_url, tmp_path)
    capsys.readouterr()
    bad = write(tmp_path, "orders.csv", ORDERS_HEADER + ORDER_1 + ORDER_2.replace(",2,34.84,", ",0,34.84,"))
    assert main(["--db", db_url, "import", "orders", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "orders" in err
    assert "units" in err
    assert ">=" in err or "at least" in err or "greater" in err
    assert "3" in err
    assert "Traceback" not in err
    assert _cli_counts(db_url)["orders"] == 0


def test_cli_import_reports_an_unknown_brand_with_exit_2(db_url, tmp_path, capsys):
    _cli_setup(db_url, tmp_path)
    capsys.readouterr()
    bad = write(tmp_path, "orders.csv", ORDERS_HEADER + ORDER_1.replace(",alpine,", ",nordic,"))
    assert main(["--db", db_url, "import", "orders", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "brand_id" in err and "orders" in err and "Traceback" not in err
    assert _cli_counts(db_url)["orders"] == 0


def test_cli_import_succeeds_with_exit_0(db_url, tmp_path, capsys):
    _cli_setup(db_url, tmp_path)
    capsys.readouterr()
    assert main(["--db", db_url, "import", "orders", str(write(tmp_path, "orders.csv", ORDERS))]) == 0
    out = capsys.readouterr()
    assert "2" in out.out
    assert out.err == ""
    assert _cli_counts(db_url)["orders"] == 2


def test_cli_import_twice_is_refused_the_second_time(db_url, tmp_path, capsys):
    _cli_setup(db_url, tmp_path)
    path = str(write(tmp_path, "orders.csv", ORDERS))
    assert main(["--db", db_url, "import", "orders", path]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "import", "orders", path]) == 2
    assert "order_id" in capsys.readouterr().err
    assert _cli_counts(db_url)["orders"] == 2


def test_cli_import_of_an_unknown_table_exits_2(db_url, tmp_path, capsys):
    assert main(["--db", db_url, "init"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "import", "nosuchtable", str(write(tmp_path, "x.csv", BRANDS))]) == 2
    err = capsys.readouterr().err
    assert "nosuchtable" in err
    assert "Traceback" not in err


def test_cli_import_of_a_missing_file_exits_2(db_url, tmp_path, capsys):
    assert main(["--db", db_url, "init"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "import", "brands", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err
    assert "Traceback" not in err


def test_cli_import_without_a_file_argument_exits_2(db_url, capsys):
    assert main(["--db", db_url, "import", "brands"]) == 2


def test_cli_import_of_a_too_large_integer_exits_2(duck_url, tmp_path, capsys):
    db_url = duck_url  # the embedded default, whose INTEGER is 32-bit
    _cli_setup(db_url, tmp_path)
    capsys.readouterr()
    bad = write(tmp_path, "orders.csv", ORDERS_HEADER + ORDER_1.replace(",4,140.48,", ",3000000000,140.48,"))
    assert main(["--db", db_url, "import", "orders", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "units" in err
    assert _cli_counts(db_url)["orders"] == 0


def test_cli_uses_the_environment_database(monkeypatch, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    monkeypatch.setenv("PURPOSE_METRICS_DATABASE_URL", url)
    assert main(["init"]) == 0
    assert main(["import", "brands", str(write(tmp_path, "brands.csv", BRANDS))]) == 0
    assert _cli_counts(url)["brands"] == 2


def test_cli_db_option_wins_over_the_environment(monkeypatch, tmp_path, capsys):
    env_url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    opt_url = f"sqlite:///{tmp_path / 'opt.sqlite'}"
    monkeypatch.setenv("PURPOSE_METRICS_DATABASE_URL", env_url)
    assert main(["--db", opt_url, "init"]) == 0
    assert main(["--db", opt_url, "import", "brands", str(write(tmp_path, "brands.csv", BRANDS))]) == 0
    assert _cli_counts(opt_url)["brands"] == 2
    assert not (tmp_path / "env.sqlite").exists() or _cli_counts(env_url)["brands"] == 0


def test_cli_init_creates_the_database_folder(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'new' / 'sub' / 'pm.sqlite'}"
    assert main(["--db", url, "init"]) == 0
    assert (tmp_path / "new" / "sub" / "pm.sqlite").exists()
    assert _cli_counts(url)["orders"] == 0


def test_cli_init_twice_is_harmless(db_url, tmp_path, capsys):
    assert main(["--db", db_url, "init"]) == 0
    assert main(["--db", db_url, "import", "brands", str(write(tmp_path, "brands.csv", BRANDS))]) == 0
    assert main(["--db", db_url, "init"]) == 0
    assert _cli_counts(db_url)["brands"] == 2


def test_cli_init_sample_loads_an_empty_database_once(db_url, example_dir, monkeypatch, capsys):
    monkeypatch.setattr(cli, "SAMPLE_DIR", example_dir / "data")
    assert main(["--db", db_url, "init", "--sample"]) == 0
    first = _cli_counts(db_url)
    with (example_dir / "data" / "orders.csv").open(newline="", encoding="utf-8") as fh:
        assert first["orders"] == sum(1 for _ in csv.reader(fh)) - 1
    capsys.readouterr()
    assert main(["--db", db_url, "init", "--sample"]) == 0
    assert _cli_counts(db_url) == first
    assert "Traceback" not in capsys.readouterr().err


def test_cli_init_sample_does_not_load_into_a_database_with_data(
    db_url, tmp_path, example_dir, monkeypatch, capsys
):
    monkeypatch.setattr(cli, "SAMPLE_DIR", example_dir / "data")
    assert main(["--db", db_url, "init"]) == 0
    assert main(["--db", db_url, "import", "brands", str(write(tmp_path, "brands.csv", BRANDS))]) == 0
    assert main(["--db", db_url, "init", "--sample"]) == 0
    got = _cli_counts(db_url)
    assert got["brands"] == 2
    assert got["orders"] == 0


def test_import_of_a_folder_loads_each_table_file_in_the_contracts_order(tmp_path, example_dir, capsys):
    """`purpose-metrics import FOLDER`: a week's files in one command (company
    and brands before what refers to them, whatever the file names' order)."""
    url = f"sqlite:///{tmp_path / 'folder.sqlite'}"
    assert main(["--db", url, "init"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "import", str(example_dir / "data")]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = {t: sum(1 for _ in csv.reader((example_dir / "data" / f"{t}.csv").open())) - 1 for t in TABLES}
    assert lines == [f"imported {expected[t]:,} rows into {t}" for t in TABLES]
    assert _cli_counts(url) == {**expected, "import_log": len(TABLES)}


def test_import_of_a_folder_without_table_files_is_a_usage_error(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'folder.sqlite'}"
    assert main(["--db", url, "init"]) == 0
    (tmp_path / "notes.txt").write_text("nothing to import")
    assert main(["--db", url, "import", str(tmp_path)]) == 2
    assert "holds no TABLE.csv or TABLE.parquet file" in capsys.readouterr().err
    assert main(["--db", url, "import", "orders"]) == 2  # neither a folder nor TABLE FILE
    assert "is no folder" in capsys.readouterr().err


def test_an_import_that_runs_duckdb_out_of_memory_says_which_setting_to_raise(
    duck_url, example_dir, monkeypatch, capsys
):
    """DuckDB may use PURPOSE_METRICS_IMPORT_MEMORY during an import; when
    that is too little (the keys' unique indexes must fit), the CLI names the
    setting, exits 1, and nothing is written."""
    engine = db.make_engine(duck_url, create=True)
    db.create_schema(engine)
    import_file(engine, "brands", example_dir / "data" / "brands.csv")
    import_file(engine, "customers", example_dir / "data" / "customers.csv")
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar_one()
    engine.dispose()
    monkeypatch.setenv(db.ENV_IMPORT_MEMORY, "1MB")
    code = cli.main(["--db", duck_url, "import", "orders", str(example_dir / "data" / "orders.csv")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Out of Memory" in err and "PURPOSE_METRICS_IMPORT_MEMORY" in err and "1MB" in err
    assert "Traceback" not in err
    monkeypatch.delenv(db.ENV_IMPORT_MEMORY)
    engine = db.make_engine(duck_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar_one() == before
    engine.dispose()


@pytest.mark.parametrize(
    ("value", "expected"), [("", "1GB"), ("4GB", "4GB"), (" 512 mb", "512MB"), ("lots", "1GB"), ("4", "1GB")]
)
def test_the_import_memory_setting_takes_sizes_and_ignores_anything_else(value, expected, monkeypatch):
    monkeypatch.setenv(db.ENV_IMPORT_MEMORY, value)
    assert db.import_memory() == expected


def test_a_blank_text_cell_in_parquet_is_null_as_in_csv(duck, example_dir, tmp_path):
    # Found by the import property test: Parquet kept '' where a CSV stores NULL.
    data = example_dir / "data"
    import_file(duck, "brands", data / "brands.csv")
    import_file(duck, "customers", data / "customers.csv")
    orders = pl.read_csv(data / "orders.csv", infer_schema_length=0).head(3)
    orders = orders.with_columns(
        cause=pl.Series(["", "  ocean ", None]), order_id=pl.col("order_id").cast(pl.Int64)
    )
    orders.write_parquet(tmp_path / "orders.parquet")
    assert import_file(duck, "orders", tmp_path / "orders.parquet").rows == 3
    stored = db.read_table(duck, "orders", ["order_id", "cause"]).sort("order_id")["cause"].to_list()
    assert stored == [None, "ocean", None]
