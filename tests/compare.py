"""Comparing two KPI frames the way the spec does: numbers to a relative 1e-9;
and the CLI's output on one database with its output on another (an engine
read in pushdown mode against the worked example on DuckDB)."""

from __future__ import annotations

import json

import polars as pl

from purpose_metrics import cli

KPI_KEY = ["metric_id", "scope", "period_start"]

FLOATS = ["value", "numerator", "denominator", "ci_low", "ci_high", "target"]
EXACT = ["n", "suppressed", "immature", "status"]


def kpi_mismatches(a: pl.DataFrame, b: pl.DataFrame) -> list[tuple]:
    """Rows (by metric, scope, period) whose fields differ; [] when they agree."""
    j = a.join(b, on=["metric_id", "scope", "period_start"], suffix="_b", how="full", coalesce=True)
    out = []
    for c in FLOATS:
        x, y = pl.col(c), pl.col(f"{c}_b")
        same = (x.is_null() & y.is_null()) | ((x - y).abs() <= 1e-9 * x.abs() + 1e-12)
        out += (
            j.filter(~same.fill_null(False)).select("metric_id", "scope", "period_start", c, f"{c}_b").rows()
        )
    for c in EXACT:
        out += (
            j.filter(pl.col(c).ne_missing(pl.col(f"{c}_b"))).select("metric_id", "scope", c, f"{c}_b").rows()
        )
    return out


def run(capsys, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the CLI."""
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def kpis(capsys, url: str, *args: str, mode: str | None = None) -> tuple[pl.DataFrame, str]:
    options = ["--mode", mode] if mode else []
    code, out, err = run(capsys, "--db", url, *options, "kpis", *args, "--format", "json")
    assert code == 0, err
    return pl.DataFrame(json.loads(out), infer_schema_length=None), err


def assert_same_kpis(
    capsys, url: str, reference: str, period: tuple[str, ...], mode: str | None = "pushdown"
) -> str:
    """`kpis` of `period` on `url` (in `mode`; None: auto) equal the in-memory
    path on `reference`; returns the command's stderr on `url`."""
    expected, _ = kpis(capsys, reference, *period, mode="memory")
    got, err = kpis(capsys, url, *period, mode=mode)
    assert got.height == expected.height > 0
    assert sorted(got.select(KPI_KEY).rows()) == sorted(expected.select(KPI_KEY).rows())
    assert kpi_mismatches(got, expected) == []
    return err


def assert_same_output(
    capsys, url: str, reference: str, command: tuple[str, ...], reference_mode: str = "memory"
) -> None:
    """A command (cohorts, drivers) prints on `url` what it prints on `reference` in `reference_mode`."""
    code, expected, _ = run(capsys, "--db", reference, "--mode", reference_mode, *command)
    assert code == 0
    code, got, err = run(capsys, "--db", url, *command)
    assert code == 0, err
    assert got == expected
    assert len(got.splitlines()) > 10
