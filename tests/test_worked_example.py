"""The spec's worked example: `kpis` and `drivers` must print exactly the
expected rows.

The expected files were computed by an implementation independent of this
project (shared/examples); numbers agree to a relative 1e-9.
"""

from __future__ import annotations

import json
import math

import pytest

from purpose_metrics.cli import main

PERIODS = [("2026-03-02", "2026-03-09"), ("2025-10-01", "2026-01-01")]
FIELDS = [
    "metric_id",
    "scope",
    "value",
    "numerator",
    "denominator",
    "n",
    "suppressed",
    "immature",
    "ci_low",
    "ci_high",
    "target",
    "status",
]


def _same(expected, got) -> bool:
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return expected == got
    if got is None or isinstance(got, (bool, str)):
        return False
    # Relative 1e-9; an interval bound that is 0 up to rounding (1e-15) is 0.
    return math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("start,end", PERIODS)
def test_kpis_match_the_worked_example(example_db, example_dir, capsys, start, end):
    expected = json.loads((example_dir / "expected" / f"kpis_{start}_{end}.json").read_text())
    assert main(["--db", example_db, "kpis", "--from", start, "--to", end, "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [(r["scope"], r["metric_id"]) for r in got] == [(r["scope"], r["metric_id"]) for r in expected]
    mismatches = [
        (e["scope"], e["metric_id"], f, e[f], g[f])
        for e, g in zip(expected, got, strict=True)
        for f in FIELDS
        if not _same(e[f], g[f])
    ]
    assert mismatches == []
    assert all(g["period_start"] == start and g["period_end"] == end for g in got)


DRIVER_PERIODS = [("2025-01-01", "2025-07-01"), ("2025-10-01", "2026-01-01"), ("2026-01-05", "2026-01-12")]


def _driver_mismatches(expected: list[dict], got: list[dict]) -> list[tuple]:
    assert [(r["scope"], r["driver"]) for r in got] == [(r["scope"], r["driver"]) for r in expected]
    return [
        (e["scope"], e["driver"], f, e[f], g[f])
        for e, g in zip(expected, got, strict=True)
        for f in e
        if not _same(e[f], g[f])
    ]


@pytest.mark.parametrize("start,end", DRIVER_PERIODS)
def test_drivers_match_the_worked_example(example_db, example_dir, capsys, start, end):
    expected = json.loads((example_dir / "expected" / f"drivers_{start}_{end}.json").read_text())
    assert main(["--db", example_db, "drivers", "--from", start, "--to", end, "--format", "json"]) == 0
    assert _driver_mismatches(expected, json.loads(capsys.readouterr().out)) == []


@pytest.mark.parametrize("mode", ["memory", "pushdown", "store"])
def test_drivers_match_the_worked_example_on_every_backend_and_mode(
    example_engine, example_dir, capsys, mode
):
    url = example_engine.url.render_as_string(hide_password=False)
    for start, end in DRIVER_PERIODS:
        expected = json.loads((example_dir / "expected" / f"drivers_{start}_{end}.json").read_text())
        args = ["--db", url, "--mode", mode, "drivers", "--from", start, "--to", end, "--format", "json"]
        assert main(args) == 0
        assert _driver_mismatches(expected, json.loads(capsys.readouterr().out)) == [], (start, end)
