"""Errors a user may see, kept free of heavy imports (the CLI loads this
module on every run; Pandera is only imported when a file is validated)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

MAX_ROWS_SHOWN = 10


@dataclass(frozen=True)
class Failure:
    """One rule broken by one or more rows."""

    table: str
    column: str
    rule: str
    rows: tuple[int, ...]  # line numbers (CSV, header = line 1) or row numbers (Parquet)
    count: int
    examples: tuple[str, ...] = ()

    def describe(self, unit: str = "line") -> str:
        where = ""
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:MAX_ROWS_SHOWN])
            more = (
                f" and {self.count - len(self.rows[:MAX_ROWS_SHOWN])} more"
                if self.count > MAX_ROWS_SHOWN
                else ""
            )
            where = f" at {unit}{'s' if self.count > 1 else ''} {shown}{more}"
        ex = f" (e.g. {', '.join(self.examples[:3])})" if self.examples else ""
        n = f"{self.count} row{'s' if self.count != 1 else ''}" if self.count else "the file"
        return f"{self.table}.{self.column}: {self.rule} — {n}{where}{ex}"


class ValidationFailed(Exception):
    """Bad input: the message names table, column, rule and rows."""

    def __init__(self, table: str, failures: list[Failure], unit: str = "line"):
        self.table = table
        self.failures = failures
        self.unit = unit
        total = len(failures)
        lines = [f"{table}: {total} problem{'s' if total != 1 else ''} found; nothing was imported"]
        lines += ["  " + f.describe(unit) for f in failures]
        super().__init__("\n".join(lines))

    def as_frame(self) -> pl.DataFrame:
        """The report as a table (for the dashboard's data page)."""
        return pl.DataFrame(
            {
                "table": [f.table for f in self.failures],
                "column": [f.column for f in self.failures],
                "rule": [f.rule for f in self.failures],
                "rows": [f.count for f in self.failures],
                f"first {self.unit}s": [", ".join(map(str, f.rows[:MAX_ROWS_SHOWN])) for f in self.failures],
                "examples": [", ".join(f.examples[:3]) for f in self.failures],
            }
        )


class UsageError(Exception):
    """Bad input from the command line or the configuration: exit 2."""
