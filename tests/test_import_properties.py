"""Garbage in random cells of a valid file (hypothesis): an import either
stores exactly what the file says or refuses the whole file with
ValidationFailed and writes nothing. Never another exception.

The base files are the first rows of the worked example's tables, imported
into a DuckDB or SQLite file that already holds its company, brands and
customers.
What a successful import stored is compared with the file parsed here,
independently of the importer, by Python's own int/float/date parsers.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from purpose_metrics import db
from purpose_metrics.contract import TABLES
from purpose_metrics.validation import ValidationFailed, import_file

TABLES_MUTATED = ["orders", "customer_surveys", "support_tickets", "employee_surveys", "workforce", "targets"]
BASE_ROWS = 12
# Unicode White_Space: what the importer strips from both ends of a field.
WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

NASTY = [
    "", " ", "NULL", "null", "None", "NaN", "nan", "inf", "-inf", "1e309", "-1", "0", "-0", "+7", "1.5",
    "1,5", "1_000", "0x10", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "2147483647", "2147483648", "99999999999999999999", "1e-320", "true", "FALSE", " True ", "yes", "2",
    "0001-01-01", "9999-12-31", "10000-01-01", "0001-01-01 00:00:00+05:00", "9999-12-31 23:59:59-05:00",
    "2026-02-30", "2026-13-01", "2026-3-2", "20260302", "2026-03-02T10:00:00Z", "2026-03-02 10:00:00.1234567",
    "2026-03-02 10:00", "2026-03-02 25:00:00", "2026-03-02 10:00:00+14:00", "2026-03-02 10:00:00 +0530",
    "'; DROP TABLE orders; --", "\x00", "a\x00b", '"', '""', ",", "\n", "\r\n", "a\rb", "é", "\ufeff",
    "\u202e", "web", "store", "alpine", "hearth", "nope", "completed", "cancelled", "gift", "ops",
    "nps", "enps", "2026-03-01", "2026-03-02 00:00:00",
]  # fmt: skip
garbage = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=24),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(repr),
    st.dates().map(str),
    st.datetimes().map(str),
)


@pytest.fixture(scope="module")
def templates(tmp_path_factory, example_dir) -> dict[str, Path]:
    """A DuckDB and a SQLite file holding the worked example's company,
    brands and customers (each example imports into a fresh copy)."""
    folder = tmp_path_factory.mktemp("mutate")
    out = {}
    for kind in ("duckdb", "sqlite"):
        path = folder / f"template.{kind}"
        engine = db.make_engine(f"{kind}:///{path}", create=True)
        db.create_schema(engine)
        for table in ("company", "brands", "customers"):
            import_file(engine, table, example_dir / "data" / f"{table}.csv")
        engine.dispose()
        out[kind] = path
    return out


@pytest.fixture(scope="module")
def base_rows(example_dir) -> dict[str, pl.DataFrame]:
    """The first rows of each mutated table, every column as text."""
    return {
        t: pl.read_csv(example_dir / "data" / f"{t}.csv", infer_schema=False, n_rows=BASE_ROWS)
        for t in TABLES_MUTATED
    }


# --- parsing the file here, independently of the importer ----------------------------------


def expected_value(text: str | None, kind: str):
    text = None if text is None else text.strip(WHITESPACE)
    if not text:
        return None
    if kind in ("id", "int"):
        return int(text)
    if kind == "num":
        return float(text)
    if kind == "bool":
        return {"true": True, "1": True, "false": False, "0": False}[text.lower()]
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "ts":
        stamp = dt.datetime.fromisoformat(text)
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
        return stamp
    return text


def expected_rows(table: str, frame: pl.DataFrame) -> list[tuple]:
    columns = TABLES[table].columns
    return sorted(
        (tuple(expected_value(row[c.name], c.type) for c in columns) for row in frame.iter_rows(named=True)),
        key=repr,
    )


def stored_rows(engine: sa.Engine, table: str) -> list[tuple]:
    frame = db.read_table(engine, table)
    return sorted((tuple(r) for r in frame.iter_rows()), key=repr)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


# --- the property ------------------------------------------------------------------------------


# Values of the column's own type in some other form or size: these often
# import, so what was stored gets compared with the file.
_OF_TYPE = {
    "id": st.integers(-(2**63), 2**63 - 1).map(str),
    "int": st.integers(-5, 2**31).map(lambda i: f" {i} " if i % 3 == 0 else str(i)),
    "num": st.floats(min_value=0, max_value=1e12).map(repr),
    "bool": st.sampled_from(["true", "false", "TRUE", "False", "1", "0", " true "]),
    "date": st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)).map(str),
    "ts": st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2999, 12, 31)).map(
        lambda t: t.isoformat(sep=" ", timespec="microseconds" if t.microsecond else "seconds")
    ),
    "text": st.text(max_size=24),
}


@st.composite
def mutations(draw, base_rows: dict[str, pl.DataFrame]):
    table = draw(st.sampled_from(TABLES_MUTATED))
    frame = base_rows[table]
    kinds = {c.name: c.type for c in TABLES[table].columns}
    cells = []
    for _ in range(draw(st.integers(1, 3))):
        column = draw(st.sampled_from(frame.columns))
        value = draw(st.one_of(garbage, _OF_TYPE[kinds[column]]))
        cells.append((draw(st.integers(0, frame.height - 1)), column, value))
    fmt = draw(st.sampled_from(["csv", "parquet"]))
    return table, cells, fmt


def mutated(frame: pl.DataFrame, cells) -> pl.DataFrame:
    rows = frame.rows()
    columns = frame.columns
    rows = [list(r) for r in rows]
    for i, column, value in cells:
        rows[i][columns.index(column)] = value
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def typed_parquet(table: str, frame: pl.DataFrame, changed: set[str], path: Path) -> None:
    """A Parquet file as a warehouse writes it: untouched columns typed, the
    mutated ones text."""
    from purpose_metrics.parsing import _parse_column

    kinds = {c.name: c.type for c in TABLES[table].columns}
    out = [s if s.name in changed else _parse_column(s, kinds[s.name]) for s in frame.get_columns()]
    pl.DataFrame(out).write_parquet(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_in_any_cell_is_stored_exactly_or_refused_whole(templates, base_rows, tmp_path_factory, data):
    table, cells, fmt = data.draw(mutations(base_rows))
    kind = data.draw(st.sampled_from(sorted(templates)))
    folder = tmp_path_factory.mktemp("example")
    shutil.copyfile(templates[kind], folder / f"pm.{kind}")
    engine = db.make_engine(f"{kind}:///{folder / f'pm.{kind}'}")
    try:
        frame = mutated(base_rows[table], cells)
        path = folder / f"{table}.{fmt}"
        if fmt == "csv":
            frame.write_csv(path)
        else:
            typed_parquet(table, frame, {c for _, c, _ in cells}, path)
        before = db.table_counts(engine)
        try:
            result = import_file(engine, table, path)
        except ValidationFailed as exc:
            assert exc.failures and str(exc)
            assert all(f.table == table and f.column and f.rule for f in exc.failures)
            assert db.table_counts(engine) == before
            event("refused")
            return
        event("imported")
        # Imported: the stored rows are the file's, value for value.
        assert result.rows == frame.height
        expected, stored = expected_rows(table, frame), stored_rows(engine, table)
        assert len(stored) == len(expected)
        for want, got in zip(expected, stored, strict=True):
            assert all(same(w, g) for w, g in zip(want, got, strict=True)), (want, got)
    finally:
        engine.dispose()
