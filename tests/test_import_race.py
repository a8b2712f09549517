"""Two imports of the same rows racing each other: one wins, the others get
the usual "already in the database" refusal, and nothing is counted twice.
On every table and every backend, as the dashboard's sessions do it
(threads of one process) and as two command lines do it (processes)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from purpose_metrics import cli, db

RACERS = 4

# One new row per table, keyed so that it is not in the worked example;
# company races on a database without one.
NEW_ROWS: dict[str, str] = {
    "company": "name,purpose_statement,vision,mission,currency\nRacing Co,Be first,,,EUR\n",
    "brands": "brand_id,name,purpose_statement\nzeta,Zeta,\n",
    "customers": "customer_id,created_at,segment,region,marketing_opt_in\n999001,2026-01-01 00:00:00,,,false\n",
    "orders": (
        "order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,refunded_amount,"
        "promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,packaging_recycled_kg,donation_amount,cause\n"
        "99999001,,alpine,2026-03-03 10:00:00,web,completed,1,10.0,0,0.0,,,,,,0.0,\n"
    ),
    "customer_surveys": (
        "response_id,customer_id,brand_id,order_id,submitted_at,nps_score,csat_score,effort_score,customer_purpose,"
        "purpose_achieved,comment\n99999001,,alpine,,2026-03-03 10:00:00,9,,,,,\n"
    ),
    "support_tickets": "ticket_id,customer_id,brand_id,order_id,opened_at,resolved_at,contacts\n99999001,,alpine,,2026-03-03 10:00:00,,1\n",
    "marketing_messages": (
        "message_id,customer_id,brand_id,sent_at,opened_at,clicked_at,unsubscribed_at\n"
        "99999001,1001,alpine,2026-03-03 10:00:00,,,\n"
    ),
    "employee_surveys": (
        "response_id,submitted_at,brand_id,team,enps_score,engagement_score,purpose_alignment\n"
        "99999001,2026-03-03 10:00:00,,legal,9,,\n"
    ),
    "workforce": (
        "period_start,brand_id,team,headcount_start,headcount_end,hires,voluntary_leavers,involuntary_leavers,"
        "training_hours\n2031-01-01,,legal,3,3,0,0,0,1.0\n"
    ),
    "impact_ledger": None,  # six months, below
    "targets": "metric_id,brand_id,valid_from,valid_to,target_value\nnps,zeta,2031-01-01,,50\n",  # zeta: raced in above
    "initiatives": "initiative_id,brand_id,name,launched_at,metric_id,expected_change\n99999001,,Racing,2026-03-03,,\n",
}
LEDGER_HEADER = (
    "period_start,brand_id,scope1_tco2e,scope2_tco2e,scope3_tco2e,energy_kwh,renewable_energy_kwh,waste_kg,"
    "waste_diverted_kg,community_investment,procurement_spend,local_procurement_spend,privacy_complaints\n"
)
LEDGER_MONTHS = [f"2031-{m:02d}-01" for m in range(1, 7)]


def _count(url: str, table: str) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(db.SA_TABLES[table])).scalar_one()
    finally:
        engine.dispose()


def _race_threads(url: str, table: str, path: Path) -> list[int]:
    """RACERS threads of this process import the file at the same moment."""
    start = threading.Barrier(RACERS)
    codes: list[int] = []

    def racer() -> None:
        start.wait()
        codes.append(cli.main(["--db", url, "import", table, str(path)]))

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return codes


@pytest.fixture
def example_url(example_engine) -> str:
    return example_engine.url.render_as_string(hide_password=False)


def test_racing_imports_into_every_table_store_each_row_once(example_url, tmp_path, capsys):
    for table, text in NEW_ROWS.items():
        if text is None or table == "company":
            continue
        path = tmp_path / f"{table}.csv"
        path.write_text(text)
        before = _count(example_url, table)
        codes = _race_threads(example_url, table, path)
        assert sorted(codes) == [0] + [2] * (RACERS - 1), (table, codes)
        assert _count(example_url, table) == before + 1, table
    err = capsys.readouterr().err
    assert err.count("already in the database") >= RACERS - 1 and "Traceback" not in err


def test_racing_ledger_imports_with_no_brand_count_each_month_once(example_url, tmp_path, capsys):
    """The repro of the issue: a one-row impact_ledger file with brand_id
    NULL, imported by four threads at once, for six months."""
    before = _count(example_url, "impact_ledger")
    for month in LEDGER_MONTHS:
        path = tmp_path / f"ledger-{month}.csv"
        path.write_text(LEDGER_HEADER + f"{month},,1,1,1,10,5,10,5,1,10,5,0\n")
        codes = _race_threads(example_url, "impact_ledger", path)
        assert sorted(codes) == [0, 2, 2, 2], (month, codes)
    assert _count(example_url, "impact_ledger") == before + len(LEDGER_MONTHS)
    capsys.readouterr()


def test_racing_company_rows_leave_one(engine, tmp_path, capsys):
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "company.csv"
    path.write_text(NEW_ROWS["company"])
    codes = _race_threads(url, "company", path)
    assert sorted(codes) == [0, 2, 2, 2]
    assert _count(url, "company") == 1
    assert "at most one company row" in capsys.readouterr().err


def test_racing_command_lines_store_a_row_once(example_url, tmp_path):
    """Four processes (four `purpose-metrics import` at once)."""
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER_HEADER + "2032-01-01,,1,1,1,10,5,10,5,1,10,5,0\n")
    before = _count(example_url, "impact_ledger")
    console = str(Path(sys.executable).parent / "purpose-metrics")
    procs = [
        subprocess.Popen([console, "--db", example_url, "import", "impact_ledger", str(path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(RACERS)
    ]  # fmt: skip
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert sorted(code for code, _ in results) == [0, 2, 2, 2], results
    assert all("already in the database" in err for code, err in results if code == 2)
    assert _count(example_url, "impact_ledger") == before + 1


def test_the_database_itself_refuses_a_key_stored_twice(example_url):
    """Rows written past the importer (a second tool, a hand-written
    INSERT) cannot duplicate a key either: the keys are unique indexes,
    NULL brand included."""
    engine = db.make_engine(example_url)
    row = "('2033-01-01', NULL, 1, 1, 1, 10, 5, 10, 5, 1, 10, 5, 0)"
    insert = f"INSERT INTO impact_ledger VALUES {row}"
    with engine.begin() as conn:
        conn.exec_driver_sql(insert)
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
        conn.exec_driver_sql(insert)
    engine.dispose()
