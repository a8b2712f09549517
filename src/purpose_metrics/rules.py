"""The rules a table's rows must pass: the contract's (its Pandera model,
over each chunk, every failure at once) and the ones that need the
database (keys already stored, references to other tables). Each failure
names the table, column, rule and rows; validation.py runs these inside
the import's transaction.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from . import db
from .contract import REFERENCES, TABLES
from .errors import MAX_ROWS_SHOWN, Failure
from .schemas import (
    CHECK_COLUMNS,
    MODELS,
    overlapping_windows,
    pa,  # Pandera, imported in one place (schemas.py)
)


def check_rules(
    table: str, df: pl.DataFrame, first_row: int = 2, unparsed: dict[str, set[int]] | None = None
) -> list[Failure]:
    """Every rule of the table's Pandera model, all failures at once.

    `unparsed` holds, per column, the row indexes whose value did not parse
    (already reported as a type failure): they are not reported again as
    missing values."""
    unparsed = unparsed or {}
    model = MODELS[table]
    try:
        model.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    except pa.errors.SchemaError as err:  # pragma: no cover - lazy=True raises SchemaErrors
        return [Failure(table, "(table)", str(err).splitlines()[0], (), 0)]
    out: list[Failure] = []
    grouped = (
        cases.with_columns(pl.col("index").cast(pl.Int64))
        .group_by("column", "check", maintain_order=True)
        .agg(pl.col("index").drop_nulls().unique().sort(), pl.col("failure_case").head(3))
    )
    for row in grouped.iter_rows(named=True):
        column, check = row["column"], row["check"]
        frame_level = column == model.__name__
        if frame_level:
            column = CHECK_COLUMNS.get(check, "(table)")
        rule = _rule_words(check)
        idx = [i for i in row["index"] if not (check == "not_nullable" and i in unparsed.get(column, ()))]
        if not idx and row["index"]:
            continue
        examples = () if frame_level else tuple(str(v)[:40] for v in row["failure_case"])
        out.append(
            Failure(
                table, column, rule, tuple(i + first_row for i in idx[:MAX_ROWS_SHOWN]), len(idx), examples
            )
        )
    return out


def _rule_words(check: str) -> str:
    words = {
        "field_uniqueness": "unique: the key appears more than once",
        "not_nullable": "not null: a value is required",
    }
    if check in words:
        return words[check]
    return (
        check.replace("greater_than_or_equal_to", ">=")
        .replace("less_than_or_equal_to", "<=")
        .replace("in_range", "in range")
        .replace("str_matches", "format")
    )


def check_against_database(
    conn: sa.Connection, table: str, df: pl.DataFrame, first_row: int, keys_stored: bool = True
) -> list[Failure]:
    """Rules that need what is already stored: keys (unless `keys_stored` is
    False: the table was empty), references, one company row, target
    windows. Inside the import's transaction (see _import), so nothing can
    slip in between this check and the insert."""
    meta = TABLES[table]
    out: list[Failure] = []
    if meta.key and keys_stored:
        clash = _stored_keys(conn, table, df)
        out += _rows_failure(
            table, ", ".join(meta.key), "key already in the database (import each row once)", clash, first_row
        )
    if table == "company":
        n = conn.execute(sa.select(sa.func.count()).select_from(db.SA_TABLES["company"])).scalar_one()
        if n + df.height > 1:
            out.append(
                Failure(
                    table,
                    "(table)",
                    "at most one company row (one is already stored)",
                    tuple(range(first_row, first_row + min(df.height, MAX_ROWS_SHOWN))),
                    df.height,
                )
            )
    if table == "targets":
        stored = db.read_table(conn, "targets").with_columns(_new=pl.lit(False))
        both = pl.concat([stored, df.with_columns(_new=pl.lit(True))])
        flags = both.select(overlapping_windows(both)).to_series()
        mask = flags.filter(both.get_column("_new"))
        new_only = overlapping_windows_in(df)
        out += _rows_failure(
            table,
            "valid_from, valid_to",
            "window overlaps a stored target of the same metric and scope",
            mask & ~new_only,
            first_row,
        )
    for column, ref_table, ref_column in REFERENCES.get(table, ()):
        missing = _missing_references(conn, df.get_column(column), ref_table, ref_column)
        if missing is not None:
            out += _rows_failure(
                table,
                column,
                f"reference: must exist in {ref_table}.{ref_column}",
                missing,
                first_row,
                df.get_column(column),
            )
    return out


def _stored_keys(conn: sa.Connection, table: str, df: pl.DataFrame) -> pl.Series:
    """Which rows of `df` have a key that is already stored (NULL equal to
    NULL, as the contract says). The keys go to a temporary table and the
    database joins them, so a week of orders is checked against ten million
    without reading them out."""
    meta = TABLES[table]
    keys = df.select(list(meta.key)).with_row_index("_row")
    columns = ", ".join(
        f"{c} {'TEXT' if meta.column(c).type == 'text' else 'DATE' if meta.column(c).type == 'date' else 'BIGINT'}"
        for c in meta.key
    )
    conn.exec_driver_sql("DROP TABLE IF EXISTS _pm_keys")
    conn.exec_driver_sql(f"CREATE TEMP TABLE _pm_keys (_row BIGINT NOT NULL, {columns})")
    db.insert_rows(conn, "_pm_keys", keys.with_columns(pl.col("_row").cast(pl.Int64)))
    same = " AND ".join(
        f"COALESCE(t.{c}, '') = COALESCE(k.{c}, '')" if meta.column(c).nullable else f"t.{c} = k.{c}"
        for c in meta.key
    )
    rows = db.fetch_sql(
        conn, f"SELECT k._row FROM _pm_keys k WHERE EXISTS (SELECT 1 FROM {table} t WHERE {same})"
    )
    conn.exec_driver_sql("DROP TABLE _pm_keys")
    clashing = rows.get_column("_row").cast(pl.Int64) if rows.height else pl.Series("_row", [], pl.Int64)
    return keys.get_column("_row").cast(pl.Int64).is_in(clashing.implode())


def _missing_references(
    conn: sa.Connection, values: pl.Series, ref_table: str, ref_column: str
) -> pl.Series | None:
    """Rows whose value is not in ref_table.ref_column (None: no value to check)."""
    distinct = values.drop_nulls().unique()
    if distinct.len() == 0:
        return None
    dtype = "TEXT" if distinct.dtype == pl.String else "BIGINT"
    conn.exec_driver_sql("DROP TABLE IF EXISTS _pm_refs")
    conn.exec_driver_sql(f"CREATE TEMP TABLE _pm_refs (value {dtype} NOT NULL)")
    db.insert_rows(conn, "_pm_refs", distinct.to_frame("value"))
    unknown = db.fetch_sql(
        conn,
        f"SELECT r.value FROM _pm_refs r WHERE NOT EXISTS (SELECT 1 FROM {ref_table} t WHERE t.{ref_column} = r.value)",
    )
    conn.exec_driver_sql("DROP TABLE _pm_refs")
    unknown_values = unknown.get_column("value").cast(distinct.dtype) if unknown.height else distinct.head(0)
    return values.is_not_null() & values.is_in(unknown_values.implode())


def overlapping_windows_in(df: pl.DataFrame) -> pl.Series:
    return df.select(overlapping_windows(df)).to_series()


def _rows_failure(
    table, column, rule, mask: pl.Series, first_row: int, values: pl.Series | None = None
) -> list[Failure]:
    if not mask.any():
        return []
    idx = mask.arg_true()
    examples = tuple(str(v)[:40] for v in values.gather(idx[:3]).to_list()) if values is not None else ()
    return [
        Failure(
            table, column, rule, tuple(int(i) + first_row for i in idx[:MAX_ROWS_SHOWN]), len(idx), examples
        )
    ]
