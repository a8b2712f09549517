"""One SQL source for every dialect: the pushdown SQL carried to other engines by sqlglot.

The SQL of sql/facts/ and sql/drivers/ is written once and rendered for
DuckDB, SQLite and PostgreSQL by `sqltext.Dialect` (the engines it is
verified on here). For any other engine (Spark, Databricks, Snowflake,
BigQuery, Trino, or the dialect of another SQLAlchemy URL) `transpile`
carries the PostgreSQL rendering over with sqlglot:

    sql, params = pushdown.render_cohorts("postgresql", "week", ["company"])
    spark_sql = transpile.transpile(sql, "spark")

Why PostgreSQL as the source. Its rendering is the most standard of the
three: CAST(:p AS TIMESTAMP), INTERVAL '90 days', date_trunc, window
functions and CTEs as the SQL standard writes them, which is what sqlglot
reads most completely. Its semantics are stated and checked here (NULLs
sort last in an ascending order, integer arithmetic, ISO weeks from
date_trunc('week')), so sqlglot knows what to keep when a target differs
(it adds NULLS LAST where a target sorts NULLs first). The SQLite rendering
spells dates as text functions of SQLite's own; DuckDB's is nearly the same
text as PostgreSQL's but read by sqlglot less strictly.

Bound parameters stay `:name`: that is how SQLAlchemy's text() binds them
on every driver, and how Spark's spark.sql(args=...) takes named markers.

What sqlglot does not carry by itself, done here:
- the CTE hints MATERIALIZED / NOT MATERIALIZED (planner hints for
  PostgreSQL and DuckDB, no meaning to a result) are dropped for engines
  that do not know them;
- PostgreSQL's date_trunc('week') starts weeks on Monday (ISO). BigQuery's
  WEEK starts on Sunday: it becomes WEEK(MONDAY) there; MySQL has no
  date_trunc and sqlglot's stand-in counts weeks from 0000-01-01: the day
  minus its WEEKDAY (0 on Monday) there;
- MySQL multiplies no interval: `n * INTERVAL '1' SECOND` (a zone's UTC
  offset) becomes INTERVAL n SECOND there;
- Spark (and Databricks, Hive) refuse a frame on LAG and LEAD, which
  ignore it everywhere: such a window loses its frame there (a named
  window is spelled out in the call, without the frame);
- Snowflake's DATE_TRUNC('WEEK') follows the session's WEEK_START, whose
  default (0) starts weeks on Monday: left as it is.

A construct sqlglot cannot carry to the target raises TranspileError
naming the target and what failed (never SQL that means something else).
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp
from sqlglot import parse_one as _parse_one
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, SqlglotError

# The source dialect: the pushdown SQL as rendered for PostgreSQL.
SOURCE = "postgres"
# The engines the fact SQL is shown to transpile to (tests/test_transpile.py).
TARGETS = ("spark", "databricks", "snowflake", "bigquery", "trino")
# Engines whose CTEs take MATERIALIZED / NOT MATERIALIZED.
_CTE_HINTS = ("postgres", "duckdb", "sqlite")

# Engines that refuse a window frame on LAG and LEAD.
_NO_OFFSET_FRAMES = ("spark", "spark2", "databricks", "hive")

# sqlglot's dialect for a SQLAlchemy dialect name, where they differ.
_SQLGLOT_NAME = {
    "postgresql": "postgres",
    "mariadb": "mysql",
    "mssql": "tsql",
    "awsathena": "athena",
    "databricks": "databricks",
    "hive": "hive",
}


class TranspileError(ValueError):
    """SQL that sqlglot cannot carry to a target dialect; the message says which and why."""


def sqlglot_dialect(sqlalchemy_name: str) -> str | None:
    """sqlglot's name for the dialect of a SQLAlchemy engine (conn.dialect.name), None when sqlglot has none."""
    name = _SQLGLOT_NAME.get(sqlalchemy_name, sqlalchemy_name)
    try:
        Dialect.get_or_raise(name)
    except ValueError:
        return None
    return name


def _rewrite(tree: exp.Expr, target: str) -> exp.Expr:
    for cte in tree.find_all(exp.CTE):
        if target not in _CTE_HINTS:
            cte.set("materialized", None)
    for trunc in list(tree.find_all(exp.TimestampTrunc, exp.DateTrunc, exp.DatetimeTrunc)):
        unit = trunc.args.get("unit")
        if not (isinstance(unit, exp.Var) and unit.name.upper() == "WEEK"):
            continue
        if target == "bigquery":
            trunc.set("unit", exp.WeekStart(this=exp.var("MONDAY")))
        elif target == "mysql":  # sqlglot counts weeks from 0000-01-01, a Saturday: the day minus WEEKDAY
            day = trunc.this
            trunc.replace(
                exp.DateSub(
                    this=exp.cast(day.copy(), "DATE"),
                    expression=exp.Anonymous(this="WEEKDAY", expressions=[day.copy()]),
                    unit=exp.var("DAY"),
                )
            )
    if target == "mysql":  # no arithmetic on intervals: `n * INTERVAL '1' SECOND` is `INTERVAL n SECOND`
        for product in list(tree.find_all(exp.Mul)):
            for factor, interval in ((product.this, product.expression), (product.expression, product.this)):
                if isinstance(interval, exp.Interval) and interval.this.name == "1" and interval.unit:
                    product.replace(exp.Interval(this=factor.copy(), unit=interval.unit.copy()))
                    break
    if target in _NO_OFFSET_FRAMES:
        _drop_offset_frames(tree)
    for placeholder in tree.find_all(exp.Placeholder):  # `:name` on every target (see above)
        if placeholder.name:
            placeholder.replace(exp.var(f":{placeholder.name}"))
    return tree


def _drop_offset_frames(tree: exp.Expr) -> None:
    """LAG and LEAD without a window frame (they ignore it): a call over a
    named window gets that window's partition and order, spelled out."""
    for window in list(tree.find_all(exp.Window)):
        if not isinstance(window.this, (exp.Lag, exp.Lead)):
            continue
        name = window.args.get("alias")
        select = window.find_ancestor(exp.Select)
        if name is not None and select is not None:
            named = {w.this.name: w for w in select.args.get("windows") or []}.get(name.name)
            if named is not None:
                window.set("alias", None)
                window.set("partition_by", [p.copy() for p in named.args.get("partition_by") or []])
                order = named.args.get("order")
                window.set("order", order.copy() if order else None)
        window.set("spec", None)


@lru_cache(maxsize=256)
def transpile(sql: str, target: str, *, source: str = SOURCE, pretty: bool = False) -> str:
    """One statement of SQL (as rendered for `source`, PostgreSQL by
    default) in sqlglot dialect `target`. Raises TranspileError when sqlglot
    cannot read it or cannot write one of its constructs in `target`. Kept
    per text: a page's queries come back with the same text on every run
    whose inputs differ only in bound parameters."""
    try:
        dialect = Dialect.get_or_raise(target)
    except ValueError:
        raise TranspileError(f"sqlglot knows no dialect {target!r}") from None
    try:
        tree = _parse_one(sql, read=source, error_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise TranspileError(f"sqlglot cannot read the {source} SQL: {_first(exc)}") from None
    tree = _rewrite(tree, target)
    try:
        return dialect.generate(tree, unsupported_level=ErrorLevel.RAISE, pretty=pretty)
    except SqlglotError as exc:
        raise TranspileError(f"cannot carry the SQL to {target}: {_first(exc)}") from None
    except (AttributeError, KeyError, TypeError) as exc:  # sqlglot failed inside its generator
        raise TranspileError(
            f"cannot carry the SQL to {target}: sqlglot failed ({type(exc).__name__}: {_first(exc)})"
        ) from None


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
