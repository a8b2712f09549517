"""The spec's worked example: `kpis` must print exactly the expected rows.

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
