"""The `kpis` and `cohorts` commands' output format (SPEC section 5), on the
worked example (`example_db`), plus `render` on a tiny hand-built frame.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re

import pytest
from builders import SECTION4_ORDER, dataset, day, order

from purpose_metrics.cli import main
from purpose_metrics.metrics import compute_kpis
from purpose_metrics.output import render

HEADER = (
    "metric_id,scope,period_start,period_end,value,numerator,denominator,n,suppressed,"
    "immature,ci_low,ci_high,target,status"
)
KPI_COLUMNS = HEADER.split(",")
COHORT_COLUMNS = ["scope", "cohort", "period_index", "cohort_size", "customers", "retention"]
SCOPES = ["company", "alpine", "hearth", "stride", "tiny"]  # brands.csv, by brand_id
COUNT_METRICS = {"orders", "active_customers", "new_customers", "privacy_complaints"}
# Metrics whose numerator and denominator count records (shares of counted records, nps, enps).
COUNTED = {
    "repeat_customer_rate",
    "returning_order_share",
    "repurchase_90d",
    "purpose_achieved_rate",
    "on_time_delivery_rate",
    "first_contact_resolution",
    "csat",
    "message_click_rate",
    "unsubscribe_rate",
    "marketing_opt_in_rate",
    "cause_participation_rate",
    "purpose_alignment",
    "nps",
    "enps",
    "purchase_frequency",
    "return_rate",
}
INT = re.compile(r"^-?\d+$")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def week10_csv(example_db):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["--db", example_db, "kpis", "--week", "2026-W10"]) == 0
    return buf.getvalue()


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


# --- kpis, CSV ------------------------------------------------------------------------------


def test_kpis_csv_header(week10_csv):
    assert week10_csv.split("\n", 1)[0] == HEADER


def test_kpis_csv_line_ends_are_newlines(week10_csv):
    assert "\r" not in week10_csv
    assert week10_csv.endswith("\n") and not week10_csv.endswith("\n\n")
    lines = week10_csv.split("\n")[:-1]
    assert len(lines) == 1 + len(SCOPES) * 38
    assert all(line.count(",") == 13 for line in lines)  # no quoting needed, 14 fields


def test_kpis_rows_ordered_by_scope_then_section_4(week10_csv):
    rows = csv_rows(week10_csv)
    assert [(r["scope"], r["metric_id"]) for r in rows] == [(s, m) for s in SCOPES for m in SECTION4_ORDER]


def test_kpis_period_columns_are_the_week(week10_csv):
    rows = csv_rows(week10_csv)
    assert {(r["period_start"], r["period_end"]) for r in rows} == {("2026-03-02", "2026-03-09")}


def test_kpis_n_and_counts_print_as_integers(week10_csv):
    for r in csv_rows(week10_csv):
        assert INT.match(r["n"]), r
        if r["metric_id"] in COUNT_METRICS and r["value"]:
            assert INT.match(r["value"]), r
            assert INT.match(r["numerator"]), r
        if r["metric_id"] in COUNTED:
            for field in ("numerator", "denominator"):
                assert r[field] == "" or INT.match(r[field]), (field, r)
    rows = {(r["metric_id"], r["scope"]): r for r in csv_rows(week10_csv)}
    assert rows[("orders", "company")]["value"] == "16"


def test_kpis_booleans_are_lowercase(week10_csv):
    for r in csv_rows(week10_csv):
        assert r["suppressed"] in ("true", "false")
        assert r["immature"] in ("true", "false")
    assert "True" not in week10_csv and "False" not in week10_csv


def test_kpis_null_is_an_empty_field(week10_csv):
    rows = {(r["metric_id"], r["scope"]): r for r in csv_rows(week10_csv)}
    assert rows[("orders", "company")]["denominator"] == ""
    assert rows[("orders", "company")]["ci_low"] == ""
    for field in ("None", "null", "nan", "NaN", "inf"):
        assert field not in week10_csv.split(",")


def test_kpis_floats_in_shortest_round_trip_form(week10_csv):
    seen = 0
    for r in csv_rows(week10_csv):
        for column in ("value", "numerator", "denominator", "ci_low", "ci_high", "target"):
            field = r[column]
            if field and not INT.match(field):
                assert repr(float(field)) == field, (column, r)
                seen += 1
    assert seen > 100


def test_kpis_json_is_a_list_of_objects_with_json_types(example_db, capsys):
    code, out, _ = run(capsys, "--db", example_db, "kpis", "--week", "2026-W10", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert isinstance(rows, list) and len(rows) == len(SCOPES) * 38
    assert all(list(r) == KPI_COLUMNS for r in rows)
    by = {(r["metric_id"], r["scope"]): r for r in rows}
    orders = by[("orders", "company")]
    assert orders["value"] == 16 and isinstance(orders["value"], int)
    assert orders["denominator"] is None
    assert orders["suppressed"] is False and orders["immature"] is False
    assert all(isinstance(r["n"], int) and not isinstance(r["n"], bool) for r in rows)
    assert all(isinstance(r["suppressed"], bool) and isinstance(r["immature"], bool) for r in rows)
    assert any(r["suppressed"] is True for r in rows)
    assert re.search(r'"suppressed": true', out) and re.search(r": null", out)


def test_kpis_json_and_csv_agree(example_db, capsys, week10_csv):
    _, out, _ = run(capsys, "--db", example_db, "kpis", "--week", "2026-W10", "--format", "json")
    for j, c in zip(json.loads(out), csv_rows(week10_csv), strict=True):
        for column in KPI_COLUMNS:
            value = j[column]
            if value is None:
                assert c[column] == ""
            elif isinstance(value, bool):
                assert c[column] == str(value).lower()
            elif isinstance(value, (int, float)):
                assert float(c[column]) == pytest.approx(value, rel=1e-9)
            else:
                assert c[column] == value


def test_kpis_brand_keeps_only_that_brand(example_db, capsys):
    code, out, _ = run(capsys, "--db", example_db, "kpis", "--week", "2026-W10", "--brand", "alpine")
    assert code == 0
    rows = csv_rows(out)
    assert {r["scope"] for r in rows} == {"alpine"}
    assert [r["metric_id"] for r in rows] == SECTION4_ORDER


def test_kpis_from_to_period(example_db, capsys):
    code, out, _ = run(capsys, "--db", example_db, "kpis", "--from", "2026-03-02", "--to", "2026-03-04")
    assert code == 0
    assert {(r["period_start"], r["period_end"]) for r in csv_rows(out)} == {("2026-03-02", "2026-03-04")}


@pytest.mark.parametrize(
    "args",
    [
        ["kpis", "--week", "2026-W10", "--brand", "nosuchbrand"],
        ["kpis", "--week", "2026-W60"],
        ["kpis", "--week", "2026-10"],
        ["kpis", "--week", "2025-W53"],  # 2025 has 52 ISO weeks
        ["kpis", "--week", "2026-W00"],
        ["kpis", "--from", "2026-03-09", "--to", "2026-03-02"],
        ["kpis", "--from", "2026-03-02", "--to", "2026-03-02"],
        ["kpis", "--from", "2026-3-x", "--to", "2026-03-09"],
        ["cohorts", "--grain", "week", "--brand", "nosuchbrand"],
        ["drivers", "--week", "2026-W10", "--brand", "nosuchbrand"],
        ["drivers", "--week", "2025-W53"],
        ["drivers", "--from", "2026-03-09", "--to", "2026-03-02"],
        ["drivers", "--from", "2026-03-02"],
        ["drivers", "--week", "2026-W10", "--to", "2026-03-09"],
    ],
)
def test_bad_input_exits_2_with_a_message(example_db, capsys, args):
    code, out, err = run(capsys, "--db", example_db, *args)
    assert code == 2
    assert out == ""
    assert err.strip()
    assert "Traceback" not in err


# --- drivers ---------------------------------------------------------------------------------


def test_drivers_csv_columns_integers_and_brand(example_db, capsys):
    code, out, _ = run(
        capsys,
        "--db",
        example_db,
        "drivers",
        "--from",
        "2025-10-01",
        "--to",
        "2026-01-01",
        "--brand",
        "alpine",
    )
    assert code == 0
    lines = out.split("\n")
    assert lines[0] == (
        "driver,scope,period_start,period_end,n_good,repurchased_good,n_bad,repurchased_bad,rate_good,"
        "rate_bad,difference_pp,ci_low,ci_high,suppressed,immature,revenue_at_stake"
    )
    rows = csv_rows(out)
    assert [(r["scope"], r["driver"]) for r in rows] == [
        ("alpine", d)
        for d in ("on_time_delivery", "purpose_achieved", "first_contact_resolution", "cause_participation")
    ]
    for r in rows:
        for c in ("n_good", "repurchased_good", "n_bad", "repurchased_bad"):
            assert r[c].isdigit(), (c, r[c])  # integers, never 27.0
        assert r["suppressed"] in ("true", "false") and r["immature"] == "false"
    # purpose_achieved of alpine has 3 and 3 anchors: suppressed, NULL as an empty field.
    assert (rows[1]["suppressed"], rows[1]["rate_good"], rows[1]["revenue_at_stake"]) == ("true", "", "")


def test_drivers_of_a_recent_week_are_immature(example_db, capsys):
    # The example's data end in 2026; a week less than 90 days before its end has no verdict yet.
    code, out, _ = run(capsys, "--db", example_db, "drivers", "--week", "2026-W40", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(r["immature"] and not r["suppressed"] and r["repurchased_good"] is None for r in rows)


# --- cohorts ---------------------------------------------------------------------------------


def test_cohorts_month_json_columns_and_types(example_db, capsys):
    code, out, _ = run(capsys, "--db", example_db, "cohorts", "--grain", "month", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(list(r) == COHORT_COLUMNS for r in rows)
    for r in rows:
        assert re.match(r"^\d{4}-\d{2}$", r["cohort"]), r
        for column in ("period_index", "cohort_size", "customers"):
            assert isinstance(r[column], int) and not isinstance(r[column], bool), r
        assert isinstance(r["retention"], (int, float))
        assert 0 <= r["retention"] <= 100
        if r["period_index"] == 0:
            assert r["retention"] == 100 and r["customers"] == r["cohort_size"]


def test_cohorts_ordered_by_scope_cohort_period_index(example_db, capsys):
    _, out, _ = run(capsys, "--db", example_db, "cohorts", "--grain", "month", "--format", "json")
    rows = json.loads(out)
    keys = [(SCOPES.index(r["scope"]), r["cohort"], r["period_index"]) for r in rows]
    assert keys == sorted(keys)
    assert rows[0]["scope"] == "company"


def test_cohorts_week_csv(example_db, capsys):
    code, out, _ = run(capsys, "--db", example_db, "cohorts", "--grain", "week", "--brand", "hearth")
    assert code == 0
    assert out.split("\n", 1)[0] == ",".join(COHORT_COLUMNS)
    rows = csv_rows(out)
    assert rows and {r["scope"] for r in rows} == {"hearth"}
    assert all(re.match(r"^\d{4}-W\d{2}$", r["cohort"]) for r in rows)
    assert all(INT.match(r[c]) for r in rows for c in ("period_index", "cohort_size", "customers"))


# --- render on a hand-built frame ---------------------------------------------------------------


def _tiny_frame():
    data = dataset(
        brands=("a", "b"),
        orders=[
            order(1, 1, "a", "2026-03-03 10:00", units=3, returned_units=1),
            order(2, None, "a", "2026-03-04 10:00"),
        ],
    )
    return compute_kpis(data, day("2026-03-02"), day("2026-03-09"))


def test_render_csv_exact_lines():
    lines = render(_tiny_frame(), "kpis", "csv").split("\n")
    assert lines[0] == HEADER
    assert "orders,company,2026-03-02,2026-03-09,2,2,,2,false,false,,,," in lines
    # return_rate of a: 1 returned of 3 + 1 units = 25 %
    assert "return_rate,a,2026-03-02,2026-03-09,25.0,1,4,2,false,false,,,," in lines
    # brand b: no orders -> 0 / 0 is NULL, the counts still print
    assert "return_rate,b,2026-03-02,2026-03-09,,0,0,0,false,false,,,," in lines
    assert "orders,b,2026-03-02,2026-03-09,0,0,,0,false,false,,,," in lines


def test_render_json_types():
    rows = json.loads(render(_tiny_frame(), "kpis", "json"))
    by = {(r["metric_id"], r["scope"]): r for r in rows}
    assert by[("orders", "company")] == {
        "metric_id": "orders",
        "scope": "company",
        "period_start": "2026-03-02",
        "period_end": "2026-03-09",
        "value": 2,
        "numerator": 2,
        "denominator": None,
        "n": 2,
        "suppressed": False,
        "immature": False,
        "ci_low": None,
        "ci_high": None,
        "target": None,
        "status": None,
    }
    assert by[("nps", "b")]["suppressed"] is True and by[("nps", "b")]["n"] == 0
