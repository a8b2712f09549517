"""Validation of files against the data contract (SPEC sections 3 and 5).

Every rule is broken alone, starting from a hand-written valid row set per
table; the report must name the table, the column, the rule and the line
(CSV header = line 1, so data row i is line i + 2).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from purpose_metrics.validation import Failure, ValidationFailed, load_file

D = dt.date
T = dt.datetime

# --- a valid row set per table, written by hand ---------------------------------------

VALID: dict[str, str] = {
    "company": """\
name,purpose_statement,vision,mission,currency
Holdout Goods,"Help people buy less, better.",,Serve first.,EUR
""",
    "brands": """\
brand_id,name,purpose_statement
alpine,Alpine,Get outside
hearth,Hearth,
""",
    "customers": """\
customer_id,created_at,segment,region,marketing_opt_in
1000,2025-03-19 03:05:08,value,north,true
1001,2026-03-12 11:58:57,,,false
""",
    "orders": """\
order_id,customer_id,brand_id,ordered_at,channel,status,units,net_revenue,returned_units,refunded_amount,promised_delivery_date,delivered_at,shipping_co2e_kg,packaging_kg,packaging_recycled_kg,donation_amount,cause
500001,1000,alpine,2025-01-06 11:57:30,marketplace,completed,4,140.48,1,35.12,2025-01-11,2025-01-08 01:26:45,1.536,1.187,0.285,1.0,ocean
500002,,hearth,2025-01-07 03:18:34,web,cancelled,2,34.84,0,0.0,,,,,,0.0,
""",
    "customer_surveys": """\
response_id,customer_id,brand_id,order_id,submitted_at,nps_score,csat_score,effort_score,customer_purpose,purpose_achieved,comment
1,1000,hearth,500001,2025-02-05 19:40:02,4,5,6,replace,true,
2,,alpine,,2025-02-04 02:16:24,10,1,7,gift,,"fine, thanks"
""",
    "support_tickets": """\
ticket_id,customer_id,brand_id,order_id,opened_at,resolved_at,contacts
70008,,hearth,500001,2025-01-16 18:56:51,2025-01-20 03:06:53,1
70009,1000,alpine,,2025-02-11 06:03:10,,3
""",
    "marketing_messages": """\
message_id,customer_id,brand_id,sent_at,opened_at,clicked_at,unsubscribed_at
1,1000,alpine,2025-01-06 09:00:00,2025-01-06 10:00:00,2025-01-06 10:01:00,2025-01-07 09:00:00
2,1001,hearth,2025-01-06 09:00:00,,,
""",
    "employee_surveys": """\
response_id,submitted_at,brand_id,team,enps_score,engagement_score,purpose_alignment
1,2025-01-08 01:05:45,alpine,ops,0,4.65,1
2,2025-01-11 15:11:53,,finance,10,1.0,5
""",
    "workforce": """\
period_start,brand_id,team,headcount_start,headcount_end,hires,voluntary_leavers,involuntary_leavers,training_hours
2025-01-01,alpine,ops,23,25,2,0,0,9.6
2025-01-01,,ops,0,0,0,0,0,0
""",
    "impact_ledger": """\
period_start,brand_id,scope1_tco2e,scope2_tco2e,scope3_tco2e,energy_kwh,renewable_energy_kwh,waste_kg,waste_diverted_kg,community_investment,procurement_spend,local_procurement_spend,privacy_complaints
2025-01-01,alpine,3.668,3.173,9.911,19855.4,16998.6,1974.0,1539.6,605.79,21126.22,7212.3,0
2025-01-01,,0,0,0,0,0,0,0,0,0,0,2
""",
    "targets": """\
metric_id,brand_id,valid_from,valid_to,target_value
nps,,2025-01-01,2026-01-01,40
nps,alpine,2025-01-01,,-5.5
""",
    "initiatives": """\
initiative_id,brand_id,name,launched_at,metric_id,expected_change
1,alpine,Repair service,2025-10-01,returning_order_share,5
2,,Plastic-free packaging,2026-01-15,,
""",
}

ROWS = {"company": 1}  # every other table: 2 rows


def _rows(table: str) -> tuple[list[str], list[list[str]]]:
    import csv
    import io

    reader = list(csv.reader(io.StringIO(VALID[table])))
    return reader[0], reader[1:]


def _to_csv(header: list[str], rows: list[list[str]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def edited(table: str, edits: dict[tuple[int, str], str]) -> str:
    """The valid CSV of `table` with cells replaced: {(row index, column): text}."""
    header, rows = _rows(table)
    for (i, col), value in edits.items():
        rows[i][header.index(col)] = value
    return _to_csv(header, rows)


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def failures_of(table: str, path: Path) -> list[Failure]:
    with pytest.raises(ValidationFailed) as info:
        load_file(table, path)
    err = info.value
    assert err.failures, "a ValidationFailed must carry at least one failure"
    assert str(err).strip(), "the message must not be empty"
    return err.failures


def names(failure: Failure) -> list[str]:
    """The columns a failure names (a key failure may name several)."""
    return [c.strip() for c in re.split(r"[,()]", failure.column) if c.strip()]


# --- the valid sets are valid -------------------------------------------------------


@pytest.mark.parametrize("table", sorted(VALID))
def test_the_valid_row_set_loads(tmp_path, table):
    df, unit, first = load_file(table, write(tmp_path, VALID[table]))
    assert df.height == ROWS.get(table, 2)
    assert unit == "line"
    assert first == 2


# --- every rule, broken alone ----------------------------------------------------------

NOT_NULL = r"null|required|missing|empty"
RANGE = r">=|<=|≥|≤|range|greater|less|at least|at most|negative|between|min|max|before|after"
ALLOWED = r"isin|allowed|one of|must be|value"
UNIQUE = r"unique|duplicate|more than once|key"
MONTH = r"first|month"

# (table, {(row, column): new text}, expected column, rule pattern, expected lines)
CASES = [
    # NOT NULL on required columns
    ("company", {(0, "name"): ""}, "name", NOT_NULL, {2}),
    ("company", {(0, "purpose_statement"): ""}, "purpose_statement", NOT_NULL, {2}),
    ("company", {(0, "currency"): ""}, "currency", NOT_NULL, {2}),
    ("brands", {(1, "brand_id"): ""}, "brand_id", NOT_NULL, {3}),
    ("brands", {(1, "name"): ""}, "name", NOT_NULL, {3}),
    ("customers", {(1, "created_at"): ""}, "created_at", NOT_NULL, {3}),
    ("customers", {(1, "marketing_opt_in"): ""}, "marketing_opt_in", NOT_NULL, {3}),
    ("orders", {(1, "brand_id"): ""}, "brand_id", NOT_NULL, {3}),
    ("orders", {(1, "ordered_at"): ""}, "ordered_at", NOT_NULL, {3}),
    ("orders", {(0, "channel"): ""}, "channel", NOT_NULL, {2}),
    ("orders", {(1, "status"): ""}, "status", NOT_NULL, {3}),
    ("orders", {(1, "units"): ""}, "units", NOT_NULL, {3}),
    ("orders", {(1, "net_revenue"): ""}, "net_revenue", NOT_NULL, {3}),
    ("orders", {(1, "returned_units"): ""}, "returned_units", NOT_NULL, {3}),
    ("orders", {(1, "refunded_amount"): ""}, "refunded_amount", NOT_NULL, {3}),
    ("orders", {(1, "donation_amount"): ""}, "donation_amount", NOT_NULL, {3}),
    ("orders", {(1, "order_id"): ""}, "order_id", NOT_NULL, {3}),
    ("customer_surveys", {(1, "brand_id"): ""}, "brand_id", NOT_NULL, {3}),
    ("customer_surveys", {(1, "submitted_at"): ""}, "submitted_at", NOT_NULL, {3}),
    ("support_tickets", {(1, "contacts"): ""}, "contacts", NOT_NULL, {3}),
    ("support_tickets", {(1, "opened_at"): ""}, "opened_at", NOT_NULL, {3}),
    ("marketing_messages", {(1, "customer_id"): ""}, "customer_id", NOT_NULL, {3}),
    ("marketing_messages", {(1, "sent_at"): ""}, "sent_at", NOT_NULL, {3}),
    ("employee_surveys", {(1, "team"): ""}, "team", NOT_NULL, {3}),
    ("employee_surveys", {(1, "submitted_at"): ""}, "submitted_at", NOT_NULL, {3}),
    ("workforce", {(1, "team"): ""}, "team", NOT_NULL, {3}),
    ("workforce", {(1, "period_start"): ""}, "period_start", NOT_NULL, {3}),
    ("workforce", {(1, "hires"): ""}, "hires", NOT_NULL, {3}),
    ("impact_ledger", {(1, "scope1_tco2e"): ""}, "scope1_tco2e", NOT_NULL, {3}),
    ("impact_ledger", {(1, "privacy_complaints"): ""}, "privacy_complaints", NOT_NULL, {3}),
    ("targets", {(1, "target_value"): ""}, "target_value", NOT_NULL, {3}),
    ("targets", {(1, "metric_id"): ""}, "metric_id", NOT_NULL, {3}),
    ("targets", {(1, "valid_from"): ""}, "valid_from", NOT_NULL, {3}),
    ("initiatives", {(1, "name"): ""}, "name", NOT_NULL, {3}),
    ("initiatives", {(1, "launched_at"): ""}, "launched_at", NOT_NULL, {3}),
    # orders ranges
    ("orders", {(1, "units"): "0"}, "units", RANGE, {3}),
    ("orders", {(0, "net_revenue"): "-0.01", (0, "refunded_amount"): "0"}, "net_revenue", RANGE, {2}),
    ("orders", {(0, "returned_units"): "5"}, "returned_units", RANGE + "|units", {2}),
    ("orders", {(1, "returned_units"): "-1"}, "returned_units", RANGE, {3}),
    ("orders", {(0, "refunded_amount"): "140.49"}, "refunded_amount", RANGE + "|net_revenue", {2}),
    ("orders", {(1, "refunded_amount"): "-0.5"}, "refunded_amount", RANGE, {3}),
    ("orders", {(0, "delivered_at"): "2025-01-06 11:57:29"}, "delivered_at", RANGE + "|ordered_at", {2}),
    ("orders", {(0, "shipping_co2e_kg"): "-0.001"}, "shipping_co2e_kg", RANGE, {2}),
    ("orders", {(0, "packaging_kg"): "-1", (0, "packaging_recycled_kg"): ""}, "packaging_kg", RANGE, {2}),
    (
        "orders",
        {(0, "packaging_recycled_kg"): "1.188"},
        "packaging_recycled_kg",
        RANGE + "|packaging_kg",
        {2},
    ),
    ("orders", {(0, "packaging_recycled_kg"): "-0.1"}, "packaging_recycled_kg", RANGE, {2}),
    ("orders", {(1, "donation_amount"): "-1"}, "donation_amount", RANGE, {3}),
    # allowed values
    ("orders", {(1, "channel"): "email"}, "channel", ALLOWED, {3}),
    ("orders", {(1, "status"): "returned"}, "status", ALLOWED, {3}),
    # customer surveys
    ("customer_surveys", {(1, "nps_score"): "11"}, "nps_score", RANGE, {3}),
    ("customer_surveys", {(0, "nps_score"): "-1"}, "nps_score", RANGE, {2}),
    ("customer_surveys", {(1, "csat_score"): "0"}, "csat_score", RANGE, {3}),
    ("customer_surveys", {(0, "csat_score"): "6"}, "csat_score", RANGE, {2}),
    ("customer_surveys", {(1, "effort_score"): "0"}, "effort_score", RANGE, {3}),
    ("customer_surveys", {(1, "effort_score"): "8"}, "effort_score", RANGE, {3}),
    # support tickets
    ("support_tickets", {(1, "contacts"): "0"}, "contacts", RANGE, {3}),
    (
        "support_tickets",
        {(0, "resolved_at"): "2025-01-16 18:56:50"},
        "resolved_at",
        RANGE + "|opened_at",
        {2},
    ),
    # marketing messages: every timestamp not before sent_at
    ("marketing_messages", {(0, "opened_at"): "2025-01-06 08:59:59"}, "opened_at", RANGE + "|sent_at", {2}),
    ("marketing_messages", {(0, "clicked_at"): "2025-01-05 10:01:00"}, "clicked_at", RANGE + "|sent_at", {2}),
    (
        "marketing_messages",
        {(1, "unsubscribed_at"): "2024-12-31 23:00:00"},
        "unsubscribed_at",
        RANGE + "|sent_at",
        {3},
    ),
    # employee surveys
    ("employee_surveys", {(1, "enps_score"): "11"}, "enps_score", RANGE, {3}),
    ("employee_surveys", {(0, "enps_score"): "-1"}, "enps_score", RANGE, {2}),
    ("employee_surveys", {(1, "engagement_score"): "0.99"}, "engagement_score", RANGE, {3}),
    ("employee_surveys", {(0, "engagement_score"): "5.01"}, "engagement_score", RANGE, {2}),
    ("employee_surveys", {(1, "purpose_alignment"): "0"}, "purpose_alignment", RANGE, {3}),
    ("employee_surveys", {(1, "purpose_alignment"): "6"}, "purpose_alignment", RANGE, {3}),
    # workforce
    *[
        ("workforce", {(1, col): "-1"}, col, RANGE, {3})
        for col in ["headcount_start", "headcount_end", "hires", "voluntary_leavers", "involuntary_leavers"]
    ],
    ("workforce", {(0, "training_hours"): "-0.5"}, "training_hours", RANGE, {2}),
    ("workforce", {(1, "period_start"): "2025-01-02"}, "period_start", MONTH, {3}),
    ("workforce", {(0, "period_start"): "2025-02-28"}, "period_start", MONTH, {2}),
    # impact ledger
    *[
        ("impact_ledger", {(0, col): "-1"}, col, RANGE, {2})
        for col in [
            "scope1_tco2e",
            "scope2_tco2e",
            "scope3_tco2e",
            "waste_diverted_kg",
            "community_investment",
            "local_procurement_spend",
            "privacy_complaints",
        ]
    ],
    ("impact_ledger", {(0, "energy_kwh"): "-1", (0, "renewable_energy_kwh"): "0"}, "energy_kwh", RANGE, {2}),
    ("impact_ledger", {(0, "renewable_energy_kwh"): "-1"}, "renewable_energy_kwh", RANGE, {2}),
    ("impact_ledger", {(0, "waste_kg"): "-1", (0, "waste_diverted_kg"): "0"}, "waste_kg", RANGE, {2}),
    (
        "impact_ledger",
        {(0, "procurement_spend"): "-1", (0, "local_procurement_spend"): "0"},
        "procurement_spend",
        RANGE,
        {2},
    ),
    (
        "impact_ledger",
        {(0, "renewable_energy_kwh"): "19855.5"},
        "renewable_energy_kwh",
        RANGE + "|energy_kwh",
        {2},
    ),
    ("impact_ledger", {(0, "waste_diverted_kg"): "1974.1"}, "waste_diverted_kg", RANGE + "|waste_kg", {2}),
    (
        "impact_ledger",
        {(0, "local_procurement_spend"): "21126.23"},
        "local_procurement_spend",
        RANGE + "|procurement_spend",
        {2},
    ),
    ("impact_ledger", {(1, "period_start"): "2025-01-15"}, "period_start", MONTH, {3}),
    # uniqueness of keys
    ("brands", {(1, "brand_id"): "alpine"}, "brand_id", UNIQUE, {3}),
    ("customers", {(1, "customer_id"): "1000"}, "customer_id", UNIQUE, {3}),
    ("orders", {(1, "order_id"): "500001"}, "order_id", UNIQUE, {3}),
    ("customer_surveys", {(1, "response_id"): "1"}, "response_id", UNIQUE, {3}),
    ("support_tickets", {(1, "ticket_id"): "70008"}, "ticket_id", UNIQUE, {3}),
    ("marketing_messages", {(1, "message_id"): "1"}, "message_id", UNIQUE, {3}),
    ("employee_surveys", {(1, "response_id"): "1"}, "response_id", UNIQUE, {3}),
    ("initiatives", {(1, "initiative_id"): "1"}, "initiative_id", UNIQUE, {3}),
    # composite keys; a NULL brand_id equals another NULL
    ("workforce", {(1, "brand_id"): "alpine"}, "team", UNIQUE, {3}),
    ("workforce", {(0, "brand_id"): ""}, "team", UNIQUE, {3}),
    ("impact_ledger", {(1, "brand_id"): "alpine"}, "period_start", UNIQUE, {3}),
    ("impact_ledger", {(0, "brand_id"): ""}, "period_start", UNIQUE, {3}),
    # targets
    ("targets", {(0, "valid_to"): "2025-01-01"}, "valid_to", r"after|valid_from|>", {2}),
    ("targets", {(0, "valid_to"): "2024-12-31"}, "valid_to", r"after|valid_from|>", {2}),
    ("targets", {(1, "brand_id"): "", (1, "valid_from"): "2025-12-31"}, "valid_from", r"overlap", {2, 3}),
    (
        "targets",
        {(0, "brand_id"): "alpine", (0, "valid_from"): "2030-01-01", (0, "valid_to"): ""},
        "valid_from",
        r"overlap",
        {2, 3},
    ),
    ("targets", {(1, "metric_id"): "happiness"}, "metric_id", r"isin|metric|unknown|allowed|one of", {3}),
    ("initiatives", {(0, "metric_id"): "happiness"}, "metric_id", r"isin|metric|unknown|allowed|one of", {2}),
    # company
    ("company", {(0, "currency"): "eur"}, "currency", r"format|ISO|letter|A-Z|currency", {2}),
    ("company", {(0, "currency"): "EURO"}, "currency", r"format|ISO|letter|A-Z|currency", {2}),
    ("company", {(0, "currency"): "E1"}, "currency", r"format|ISO|letter|A-Z|currency", {2}),
]


def _case_id(case) -> str:
    table, edits, column, _, _ = case
    what = "+".join(f"{c}={v or 'empty'}" for (_, c), v in edits.items())
    return f"{table}-{what}"[:80]


@pytest.mark.parametrize("table,edits,column,rule,lines", CASES, ids=[_case_id(c) for c in CASES])
def test_each_rule_broken_alone_is_reported(tmp_path, table, edits, column, rule, lines):
    failures = failures_of(table, write(tmp_path, edited(table, edits)))
    assert all(f.table == table for f in failures)
    hits = [f for f in failures if column in names(f) and re.search(rule, f.rule, re.IGNORECASE)]
    assert hits, f"no failure names {table}.{column} with a rule like {rule!r}: {failures}"
    got_lines = set().union(*(set(f.rows) for f in hits))
    # A duplicate key may also point at the first occurrence (line 2).
    if rule == UNIQUE:
        assert lines <= got_lines <= lines | {2}
    else:
        assert got_lines == lines
    assert all(f.count == len(f.rows) for f in hits)


def test_a_second_company_row_is_refused(tmp_path):
    header, rows = _rows("company")
    text = _to_csv(header, rows + [["Other Co", "Another purpose", "", "", "USD"]])
    failures = failures_of("company", write(tmp_path, text))
    hits = [f for f in failures if re.search(r"one|single", f.rule, re.IGNORECASE)]
    assert hits, failures
    assert 3 in hits[0].rows


def test_a_duplicate_key_with_a_null_brand_names_every_key_column(tmp_path):
    failures = failures_of("workforce", write(tmp_path, edited("workforce", {(0, "brand_id"): ""})))
    [f] = [f for f in failures if re.search(UNIQUE, f.rule, re.IGNORECASE)]
    assert {"period_start", "brand_id", "team"} <= set(names(f)) | set(re.findall(r"\w+", f.rule))


# --- accepted edge cases of the rules ----------------------------------------------------


@pytest.mark.parametrize(
    "table,edits",
    [
        # boundaries of every range are included
        ("orders", {(0, "returned_units"): "4", (0, "refunded_amount"): "140.48"}),
        ("orders", {(0, "delivered_at"): "2025-01-06 11:57:30"}),
        ("orders", {(0, "packaging_recycled_kg"): "1.187", (0, "units"): "1", (0, "returned_units"): "0"}),
        ("orders", {(0, "net_revenue"): "0", (0, "refunded_amount"): "0"}),
        ("orders", {(1, "channel"): "app"}),
        ("orders", {(1, "channel"): "store"}),
        ("customer_surveys", {(0, "nps_score"): "0", (0, "csat_score"): "1", (0, "effort_score"): "1"}),
        ("support_tickets", {(0, "resolved_at"): "2025-01-16 18:56:51"}),
        (
            "marketing_messages",
            {(0, "opened_at"): "2025-01-06 09:00:00", (0, "clicked_at"): "2025-01-06 09:00:00"},
        ),
        ("employee_surveys", {(0, "engagement_score"): "5", (0, "purpose_alignment"): "5"}),
        (
            "impact_ledger",
            {
                (0, "renewable_energy_kwh"): "19855.4",
                (0, "waste_diverted_kg"): "1974.0",
                (0, "local_procurement_spend"): "21126.22",
            },
        ),
        # keys differing in one part
        ("workforce", {(1, "brand_id"): "hearth"}),
        ("workforce", {(1, "brand_id"): "alpine", (1, "team"): "cx"}),
        ("workforce", {(1, "brand_id"): "alpine", (1, "period_start"): "2025-02-01"}),
        ("impact_ledger", {(1, "period_start"): "2025-02-01", (1, "brand_id"): "alpine"}),
        # targets: adjacent windows [a, b) [b, c) of one metric and scope
        ("targets", {(1, "brand_id"): "", (1, "valid_from"): "2026-01-01"}),
        ("targets", {(1, "brand_id"): "", (1, "valid_from"): "2026-01-01", (1, "valid_to"): "2027-01-01"}),
        # the same window for the company and for a brand
        ("targets", {(1, "valid_to"): "2026-01-01"}),
        # the same window and scope for two different metrics
        ("targets", {(1, "brand_id"): "", (1, "metric_id"): "csat"}),
        ("company", {(0, "vision"): "A vision", (0, "currency"): "USD"}),
    ],
    ids=lambda v: str(v)[:60],
)
def test_valid_edge_cases_are_accepted(tmp_path, table, edits):
    df, _, _ = load_file(table, write(tmp_path, edited(table, edits)))
    assert df.height == ROWS.get(table, 2)


def test_adjacent_and_later_target_windows_in_one_file(tmp_path):
    text = """\
metric_id,brand_id,valid_from,valid_to,target_value
nps,,2025-01-01,2025-04-01,10
nps,,2025-04-01,2025-07-01,20
nps,,2025-07-01,,30
nps,alpine,2025-01-01,,30
nps,hearth,2025-02-01,2025-03-01,30
nps,hearth,2025-03-01,,30
"""
    df, _, _ = load_file("targets", write(tmp_path, text))
    assert df.height == 6


def test_an_open_window_overlaps_every_later_window(tmp_path):
    text = """\
metric_id,brand_id,valid_from,valid_to,target_value
nps,,2025-01-01,,10
nps,,2025-04-01,2025-07-01,20
csat,,2025-01-01,,80
"""
    failures = failures_of("targets", write(tmp_path, text))
    hits = [f for f in failures if "overlap" in f.rule.lower()]
    assert hits
    assert set().union(*(set(f.rows) for f in hits)) == {2, 3}


# --- several rules at once ---------------------------------------------------------------


def test_all_broken_rules_are_reported_together(tmp_path):
    text = edited(
        "orders",
        {
            (0, "units"): "0",
            (0, "returned_units"): "0",
            (1, "channel"): "fax",
            (1, "status"): "lost",
            (1, "donation_amount"): "-3",
            (0, "promised_delivery_date"): "soon",
        },
    )
    failures = failures_of("orders", write(tmp_path, text))
    got = {(f.column, f.rows) for f in failures}
    assert got == {
        ("units", (2,)),
        ("channel", (3,)),
        ("status", (3,)),
        ("donation_amount", (3,)),
        ("promised_delivery_date", (2,)),
    }
    assert len(failures) == 5


def test_one_rule_broken_on_many_lines_is_one_failure_with_every_line(tmp_path):
    header, rows = _rows("customer_surveys")
    many = [
        [str(100 + i), "", "alpine", "", "2025-02-04 02:16:24", "12", "", "", "", "", ""] for i in range(4)
    ]
    text = _to_csv(header, rows + many)
    failures = failures_of("customer_surveys", write(tmp_path, text))
    [f] = failures
    assert f.column == "nps_score"
    assert f.rows == (4, 5, 6, 7)
    assert f.count == 4


def test_the_report_lists_line_numbers_past_the_tenth_as_a_count(tmp_path):
    header, rows = _rows("brands")
    many = [[f"b{i}", "", ""] for i in range(25)]
    with pytest.raises(ValidationFailed) as info:
        load_file("brands", write(tmp_path, _to_csv(header, rows + many)))
    [f] = info.value.failures
    assert f.column == "name"
    assert f.count == 25
    assert f.rows[:3] == (4, 5, 6)
    assert "25" in str(info.value)


def test_the_report_as_a_frame(tmp_path):
    text = edited("orders", {(0, "units"): "0", (0, "returned_units"): "0", (1, "channel"): "fax"})
    with pytest.raises(ValidationFailed) as info:
        load_file("orders", write(tmp_path, text))
    frame = info.value.as_frame()
    assert isinstance(frame, pl.DataFrame)
    assert frame.height == 2
    assert sorted(frame.get_column("column").to_list()) == ["channel", "units"]
    assert set(frame.get_column("table").to_list()) == {"orders"}


# --- type errors ---------------------------------------------------------------------------

TYPE_CASES = [
    ("orders", 1, "units", "two"),
    ("orders", 1, "units", "2.5"),
    ("orders", 0, "order_id", "A-17"),
    ("orders", 1, "customer_id", "12x"),
    ("orders", 1, "net_revenue", "12,50"),
    ("orders", 1, "net_revenue", "NaN"),
    ("orders", 0, "promised_delivery_date", "2025-13-01"),
    ("orders", 0, "promised_delivery_date", "2025-02-30"),
    ("orders", 0, "promised_delivery_date", "11/01/2025"),
    ("orders", 1, "ordered_at", "yesterday"),
    ("orders", 1, "ordered_at", "2025-01-07 25:00:00"),
    ("orders", 0, "delivered_at", "2025-01-08 01:26"),
    ("customers", 1, "marketing_opt_in", "yes"),
    ("customers", 0, "marketing_opt_in", "2"),
    ("customer_surveys", 0, "purpose_achieved", "maybe"),
    ("customer_surveys", 0, "nps_score", "ten"),
    ("workforce", 1, "period_start", "2025-01"),
    ("targets", 0, "target_value", "forty"),
]


@pytest.mark.parametrize("table,row,column,value", TYPE_CASES, ids=lambda v: str(v))
def test_a_value_of_the_wrong_type_is_a_type_failure(tmp_path, table, row, column, value):
    failures = failures_of(table, write(tmp_path, edited(table, {(row, column): value})))
    on_column = [f for f in failures if f.column == column]
    assert len(on_column) == 1, failures  # reported once: not again as "not null"
    [f] = on_column
    assert "type" in f.rule.lower()
    assert f.rows == (row + 2,)
    assert f.count == 1


def test_an_unparsable_required_value_is_not_also_reported_as_missing(tmp_path):
    text = edited("orders", {(0, "ordered_at"): "not a time", (1, "ordered_at"): ""})
    failures = failures_of("orders", write(tmp_path, text))
    on_column = {f.rule.split(":")[0].lower(): f.rows for f in failures if f.column == "ordered_at"}
    type_rows = [rows for rule, rows in on_column.items() if "type" in rule]
    null_rows = [rows for rule, rows in on_column.items() if re.search(NOT_NULL, rule)]
    assert type_rows == [(2,)]
    assert null_rows == [(3,)]


# --- CSV conventions -------------------------------------------------------------------------

CUSTOMERS_HEADER = "customer_id,created_at,segment,region,marketing_opt_in\n"


def _customers(tmp_path: Path, body: str) -> pl.DataFrame:
    df, _, _ = load_file("customers", write(tmp_path, CUSTOMERS_HEADER + body))
    return df.sort("customer_id")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-01-06 11:57:30", T(2025, 1, 6, 11, 57, 30)),
        ("2025-01-06T11:57:30", T(2025, 1, 6, 11, 57, 30)),
        ("2025-01-06 11:57:30.25", T(2025, 1, 6, 11, 57, 30, 250000)),
        ("2025-01-06T11:57:30.123456", T(2025, 1, 6, 11, 57, 30, 123456)),
        ("2025-01-06T11:57:30Z", T(2025, 1, 6, 11, 57, 30)),
        ("2025-01-06T11:57:30.5Z", T(2025, 1, 6, 11, 57, 30, 500000)),
        ("2025-01-06 11:57:30+02:00", T(2025, 1, 6, 9, 57, 30)),
        ("2025-01-06 01:30:00+02:00", T(2025, 1, 5, 23, 30, 0)),
        ("2025-01-06T22:00:00-05:00", T(2025, 1, 7, 3, 0, 0)),
        ("2025-01-06T12:00:00+05:30", T(2025, 1, 6, 6, 30, 0)),
        ("2025-01-06T12:00:00+00:00", T(2025, 1, 6, 12, 0, 0)),
        ("2024-12-31T23:30:00-01:00", T(2025, 1, 1, 0, 30, 0)),
    ],
)
def test_timestamp_forms(tmp_path, text, expected):
    df = _customers(tmp_path, f"1,{text},,,true\n")
    assert df.get_column("created_at").to_list() == [expected]
    assert df.schema["created_at"] == pl.Datetime("us")


def test_booleans_in_any_case_and_as_digits(tmp_path):
    body = (
        "1,2025-01-01 00:00:00,,,TRUE\n2,2025-01-01 00:00:00,,,False\n3,2025-01-01 00:00:00,,,1\n"
        "4,2025-01-01 00:00:00,,,0\n5,2025-01-01 00:00:00,,,true\n6,2025-01-01 00:00:00,,,FALSE\n"
    )
    df = _customers(tmp_path, body)
    assert df.get_column("marketing_opt_in").to_list() == [True, False, True, False, True, False]


def test_an_empty_field_is_null(tmp_path):
    df = _customers(tmp_path, "1,2025-01-01 00:00:00,,north,true\n")
    assert df.get_column("segment").to_list() == [None]
    assert df.get_column("region").to_list() == ["north"]


def test_an_empty_field_is_null_in_every_type(tmp_path):
    df, _, _ = load_file("orders", write(tmp_path, VALID["orders"]))
    guest = df.filter(pl.col("order_id") == 500002).row(0, named=True)
    for col in [
        "customer_id",
        "promised_delivery_date",
        "delivered_at",
        "shipping_co2e_kg",
        "packaging_kg",
        "packaging_recycled_kg",
        "cause",
    ]:
        assert guest[col] is None, col


def test_columns_in_any_order(tmp_path):
    text = "marketing_opt_in,region,created_at,segment,customer_id\nfalse,east,2025-02-03 04:05:06,loyal,42\n"
    df, _, _ = load_file("customers", write(tmp_path, text))
    assert df.row(0, named=True) == {
        "customer_id": 42,
        "created_at": T(2025, 2, 3, 4, 5, 6),
        "segment": "loyal",
        "region": "east",
        "marketing_opt_in": False,
    }


def test_values_are_parsed_to_the_contract_types(tmp_path):
    df, _, _ = load_file("orders", write(tmp_path, VALID["orders"]))
    assert dict(df.schema) == {
        "order_id": pl.Int64(),
        "customer_id": pl.Int64(),
        "brand_id": pl.String(),
        "ordered_at": pl.Datetime("us"),
        "channel": pl.String(),
        "status": pl.String(),
        "units": pl.Int64(),
        "net_revenue": pl.Float64(),
        "returned_units": pl.Int64(),
        "refunded_amount": pl.Float64(),
        "promised_delivery_date": pl.Date(),
        "delivered_at": pl.Datetime("us"),
        "shipping_co2e_kg": pl.Float64(),
        "packaging_kg": pl.Float64(),
        "packaging_recycled_kg": pl.Float64(),
        "donation_amount": pl.Float64(),
        "cause": pl.String(),
    }
    first = df.filter(pl.col("order_id") == 500001).row(0, named=True)
    assert first["net_revenue"] == 140.48
    assert first["promised_delivery_date"] == D(2025, 1, 11)
    assert first["delivered_at"] == T(2025, 1, 8, 1, 26, 45)
    assert first["units"] == 4


def test_a_quoted_field_keeps_commas_quotes_and_unicode(tmp_path):
    text = 'brand_id,name,purpose_statement\nété,"Été, ""le"" café ☕",\n'
    df, _, _ = load_file("brands", write(tmp_path, text))
    assert df.row(0) == ("été", 'Été, "le" café ☕', None)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    data = ("\ufeff" + VALID["brands"]).encode("utf-8")
    df, _, _ = load_file("brands", write(tmp_path, data))
    assert df.get_column("brand_id").to_list() == ["alpine", "hearth"]


def test_windows_line_ends_are_accepted(tmp_path):
    data = VALID["customers"].replace("\n", "\r\n").encode("utf-8")
    df, _, _ = load_file("customers", write(tmp_path, data))
    assert df.get_column("marketing_opt_in").to_list() == [True, False]
    assert df.get_column("created_at").to_list() == [T(2025, 3, 19, 3, 5, 8), T(2026, 3, 12, 11, 58, 57)]


def test_line_numbers_count_from_the_header_on_windows_line_ends(tmp_path):
    data = edited("brands", {(1, "name"): ""}).replace("\n", "\r\n").encode("utf-8")
    failures = failures_of("brands", write(tmp_path, data))
    assert [(f.column, f.rows) for f in failures] == [("name", (3,))]


offsets = st.integers(min_value=-56, max_value=56).map(lambda quarters: quarters * 15)  # -14:00 .. +14:00
instants = st.datetimes(min_value=T(1970, 1, 2), max_value=T(2100, 1, 1))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(instants, offsets), min_size=1, max_size=20))
def test_an_offset_timestamp_is_converted_to_utc(tmp_path, stamps):
    lines = []
    for i, (local, minutes) in enumerate(stamps):
        sign = "-" if minutes < 0 else "+"
        hh, mm = divmod(abs(minutes), 60)
        lines.append(f"{i},{local.isoformat(sep='T')}{sign}{hh:02d}:{mm:02d},,,true\n")
    df = _customers(tmp_path, "".join(lines))
    expected = [local - dt.timedelta(minutes=m) for local, m in stamps]
    assert df.get_column("created_at").to_list() == expected


# --- file-level problems ---------------------------------------------------------------------


def _file_error(table: str, path: Path) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        load_file(table, path)
    err = info.value
    assert err.failures
    assert str(err).strip()
    return err


def test_an_empty_file(tmp_path):
    err = _file_error("orders", write(tmp_path, b""))
    assert "empty" in str(err).lower()
    assert "orders" in str(err)


def test_a_file_of_blank_lines_is_empty(tmp_path):
    err = _file_error("orders", write(tmp_path, "\n\n  \n"))
    assert "empty" in str(err).lower()


def test_a_header_without_rows(tmp_path):
    err = _file_error("orders", write(tmp_path, VALID["orders"].splitlines()[0] + "\n"))
    assert re.search(r"no rows|no data|empty", str(err), re.IGNORECASE)


def test_bytes_that_are_not_utf8(tmp_path):
    data = VALID["brands"].encode("utf-8") + "caf\u00e9,Caf\u00e9,\n".encode("latin-1")
    err = _file_error("brands", write(tmp_path, data))
    assert "utf-8" in str(err).lower()
    [f] = err.failures
    assert f.rows == (4,)


def test_a_semicolon_delimited_file(tmp_path):
    err = _file_error("brands", write(tmp_path, VALID["brands"].replace(",", ";")))
    assert "brands" in str(err)
    # nothing in it can be read as the contract's columns
    assert any("missing" in f.rule.lower() or "delimit" in f.rule.lower() for f in err.failures)


def test_a_missing_column(tmp_path):
    header, rows = _rows("orders")
    i = header.index("cause")
    text = _to_csv(header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])
    err = _file_error("orders", write(tmp_path, text))
    assert [(f.column, "missing" in f.rule.lower()) for f in err.failures] == [("cause", True)]


def test_an_unknown_extra_column(tmp_path):
    header, rows = _rows("brands")
    text = _to_csv(header + ["colour"], [r + ["red"] for r in rows])
    err = _file_error("brands", write(tmp_path, text))
    assert [(f.column, "unknown" in f.rule.lower()) for f in err.failures] == [("colour", True)]


def test_a_column_twice(tmp_path):
    header, rows = _rows("brands")
    text = _to_csv(header + ["name"], [r + [r[1]] for r in rows])
    err = _file_error("brands", write(tmp_path, text))
    assert any(f.column.startswith("name") for f in err.failures)


def test_an_unknown_table(tmp_path):
    err = _file_error("nosuchtable", write(tmp_path, VALID["brands"]))
    assert "nosuchtable" in str(err)
    assert "unknown" in str(err).lower()


def test_a_missing_path(tmp_path):
    err = _file_error("brands", tmp_path / "nope.csv")
    assert "nope.csv" in str(err)


def test_a_folder_instead_of_a_file(tmp_path):
    folder = tmp_path / "brands.csv"
    folder.mkdir()
    _file_error("brands", folder)


def test_an_unsupported_extension(tmp_path):
    err = _file_error("brands", write(tmp_path, VALID["brands"], "brands.xlsx"))
    assert ".xlsx" in str(err)


def test_a_truncated_parquet_file(tmp_path):
    path = tmp_path / "brands.parquet"
    pl.DataFrame(
        {"brand_id": ["a"] * 100, "name": ["b"] * 100, "purpose_statement": ["c"] * 100}
    ).write_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    err = _file_error("brands", path)
    assert "parquet" in str(err).lower()


def test_a_csv_named_parquet(tmp_path):
    err = _file_error("brands", write(tmp_path, VALID["brands"], "brands.parquet"))
    assert "parquet" in str(err).lower()


def test_a_row_with_too_many_fields(tmp_path):
    text = VALID["brands"] + "stride,Stride,,extra\n"
    err = _file_error("brands", write(tmp_path, text))
    assert "brands" in str(err)


def test_an_unclosed_quote(tmp_path):
    text = VALID["brands"] + 'stride,"Stride,\n'
    _file_error("brands", write(tmp_path, text))


def test_no_traceback_text_in_the_message(tmp_path):
    err = _file_error("orders", write(tmp_path, edited("orders", {(0, "units"): "x", (1, "channel"): "fax"})))
    assert "Traceback" not in str(err)
    assert "orders" in str(err) and "units" in str(err) and "channel" in str(err)


# --- Parquet -----------------------------------------------------------------------------------

ORDERS_TYPED = pl.DataFrame(
    {
        "order_id": [500001, 500002],
        "customer_id": [1000, None],
        "brand_id": ["alpine", "hearth"],
        "ordered_at": [T(2025, 1, 6, 11, 57, 30), T(2025, 1, 7, 3, 18, 34)],
        "channel": ["marketplace", "web"],
        "status": ["completed", "cancelled"],
        "units": [4, 2],
        "net_revenue": [140.48, 34.84],
        "returned_units": [1, 0],
        "refunded_amount": [35.12, 0.0],
        "promised_delivery_date": [D(2025, 1, 11), None],
        "delivered_at": [T(2025, 1, 8, 1, 26, 45), None],
        "shipping_co2e_kg": [1.536, None],
        "packaging_kg": [1.187, None],
        "packaging_recycled_kg": [0.285, None],
        "donation_amount": [1.0, 0.0],
        "cause": ["ocean", None],
    },
    schema_overrides={
        "customer_id": pl.Int64,
        "ordered_at": pl.Datetime("us"),
        "delivered_at": pl.Datetime("us"),
        "promised_delivery_date": pl.Date,
        "shipping_co2e_kg": pl.Float64,
        "packaging_kg": pl.Float64,
        "packaging_recycled_kg": pl.Float64,
        "cause": pl.String,
    },
)


def test_parquet_loads_like_the_same_csv(tmp_path):
    pq = tmp_path / "orders.parquet"
    ORDERS_TYPED.write_parquet(pq)
    from_parquet, unit, _ = load_file("orders", pq)
    from_csv, _, _ = load_file("orders", write(tmp_path, VALID["orders"]))
    assert unit == "row"
    assert from_parquet.columns == from_csv.columns
    assert from_parquet.equals(from_csv)
    assert from_parquet.sort("order_id").to_dicts() == ORDERS_TYPED.select(from_parquet.columns).to_dicts()


def test_parquet_with_narrower_integer_and_timezone_types(tmp_path):
    pq = tmp_path / "orders.parquet"
    ORDERS_TYPED.with_columns(
        pl.col("units").cast(pl.Int32),
        pl.col("ordered_at").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Berlin"),
    ).write_parquet(pq)
    df, _, _ = load_file("orders", pq)
    assert df.get_column("units").to_list() == [4, 2]
    assert df.schema["ordered_at"] == pl.Datetime("us")
    assert df.get_column("ordered_at").to_list() == [T(2025, 1, 6, 11, 57, 30), T(2025, 1, 7, 3, 18, 34)]


def test_parquet_with_text_in_a_number_column(tmp_path):
    pq = tmp_path / "orders.parquet"
    ORDERS_TYPED.with_columns(units=pl.Series(["4", "two"])).write_parquet(pq)
    with pytest.raises(ValidationFailed) as info:
        load_file("orders", pq)
    [f] = info.value.failures
    assert f.column == "units"
    assert "type" in f.rule.lower()
    assert f.rows == (2,)  # the second row


def test_parquet_with_fractions_in_an_integer_column(tmp_path):
    pq = tmp_path / "orders.parquet"
    ORDERS_TYPED.with_columns(units=pl.Series([4.0, 2.5])).write_parquet(pq)
    with pytest.raises(ValidationFailed) as info:
        load_file("orders", pq)
    assert [f.column for f in info.value.failures] == ["units"]
    assert "type" in info.value.failures[0].rule.lower()


def test_parquet_rules_are_checked_too(tmp_path):
    pq = tmp_path / "orders.parquet"
    ORDERS_TYPED.with_columns(channel=pl.Series(["web", "fax"])).write_parquet(pq)
    with pytest.raises(ValidationFailed) as info:
        load_file("orders", pq)
    [f] = info.value.failures
    assert (f.column, f.rows) == ("channel", (2,))


def test_parquet_with_a_missing_column(tmp_path):
    pq = tmp_path / "orders.parquet"
    ORDERS_TYPED.drop("cause").write_parquet(pq)
    with pytest.raises(ValidationFailed) as info:
        load_file("orders", pq)
    assert [f.column for f in info.value.failures] == ["cause"]


# --- values no backend (or Python) can hold, found by tests/test_import_properties.py ----------


@pytest.mark.parametrize(
    "stamp",
    ["0001-01-01 00:00:00+05:00", "9999-12-31 23:59:59-05:00", "0000-06-01 00:00:00", "+2025-01-06 11:57:30",
     "2025-1-6 11:57:30", "2025-01-06 11:57:30.1234567", "2025-01-06 11:57"],
)  # fmt: skip
def test_a_timestamp_outside_years_1_to_9999_or_of_another_shape_is_a_type_failure(tmp_path, stamp):
    failures = failures_of("customers", write(tmp_path, CUSTOMERS_HEADER + f"1,{stamp},,,true\n"))
    assert [(f.column, f.rule, f.rows) for f in failures] == [
        ("created_at", "type: must be a timestamp YYYY-MM-DD HH:MM:SS (years 1-9999)", (2,))
    ]


@pytest.mark.parametrize("day", ["0000-01-01", "+2025-01-06", "2025-1-6", "20250106"])
def test_a_date_of_another_shape_or_year_0_is_a_type_failure(tmp_path, day):
    text = "initiative_id,brand_id,name,launched_at,metric_id,expected_change\n" + f"1,,Repair,{day},,\n"
    failures = failures_of("initiatives", write(tmp_path, text))
    assert [(f.column, f.rows) for f in failures] == [("launched_at", (2,))]


def test_a_nul_character_in_text_is_a_type_failure(tmp_path):
    # PostgreSQL cannot store it: refused on every backend alike.
    failures = failures_of("brands", write(tmp_path, 'brand_id,name,purpose_statement\nx,"a\x00b",\n'))
    assert [(f.column, f.rule, f.rows) for f in failures] == [
        ("name", "type: must be text without NUL characters", (2,))
    ]


def test_parquet_with_nanosecond_timestamps_loads_to_the_microsecond(tmp_path):
    pq = tmp_path / "customers.parquet"
    pl.DataFrame(
        {
            "customer_id": [1],
            # 2025-01-06 11:57:30.123456789 in nanoseconds since 1970.
            "created_at": pl.Series([1736164650123456789], dtype=pl.Int64).cast(pl.Datetime("ns")),
            "segment": [None],
            "region": [None],
            "marketing_opt_in": [True],
        },
        schema_overrides={"segment": pl.String, "region": pl.String},
    ).write_parquet(pq)
    df, _, _ = load_file("customers", pq)
    assert df.get_column("created_at").to_list() == [T(2025, 1, 6, 11, 57, 30, 123456)]
