"""The data page's file import: the CLI's validation on an uploaded file.

An upload lives in memory; `validation.import_file` reads a path whose
suffix says CSV or Parquet. So the bytes go to a temporary file with the
uploaded file's suffix, and the same function the CLI calls does the rest:
every rule checked, nothing written unless all pass.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from .. import formatting, validation
from ..contract import TABLES
from . import access, state

SUFFIXES = ("csv", "parquet")
_DONE = "import_done_message"  # survives the rerun after a successful import


def run_import(table: str, file_name: str, content: bytes) -> validation.ImportResult:
    """Validate and append; raises validation.ValidationFailed with every
    problem, AccessDenied (audited) for anyone but an admin, whatever the
    page offered them."""
    if not access.current().admin:
        access.record("import", "denied", detail=f"{table} from {Path(file_name).name}"[:200])
        raise access.AccessDenied("only an admin may import")
    suffix = Path(file_name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory(prefix="pm-upload-") as tmp:
        # Keep the uploaded name (the import log records it as the source).
        path = Path(tmp) / (Path(file_name).name or f"{table}{suffix}")
        path.write_bytes(content)
        engine = state.current_engine()
        try:
            return validation.import_file(engine, table, path)
        finally:
            engine.dispose()  # hand the database file back (a DuckDB file admits one process)


def import_form() -> None:
    """Table, file, button; the outcome as a success line or an error table."""
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(done, icon=":material/task_alt:")
    tables = list(TABLES)
    left, right = st.columns([1, 2])
    table = left.selectbox(
        "Table", tables, key="import_table", help="The contract table the file holds rows for."
    )
    left.caption("Columns: " + ", ".join(f"`{c}`" for c in TABLES[table].column_names))
    upload = right.file_uploader(
        "CSV or Parquet file", type=list(SUFFIXES), key="import_file",
        help="UTF-8 CSV with a header row holding every column of the table, or Parquet.",
    )  # fmt: skip
    clicked = st.button(
        "Validate and import",
        type="primary",
        disabled=upload is None,
        key="import_go",
        icon=":material/upload:",
    )
    if not clicked or upload is None:
        return
    try:
        with st.spinner(f"Checking {formatting.plain(upload.name, 80)} against the {table} contract…"):
            result = run_import(table, upload.name, upload.getvalue())
    except validation.ValidationFailed as exc:
        problems = len(exc.failures)
        access.record("import", "failed", detail=f"{table} from {upload.name}: {problems} problems"[:200])
        st.error(
            f"{formatting.plain(upload.name, 80)}: {problems} problem{'s' if problems != 1 else ''} found in {table}; "
            "nothing was imported.",
            icon=":material/rule:",
        )
        st.dataframe(exc.as_frame(), hide_index=True, width="stretch")
        return
    except state.DATABASE_ERRORS as exc:
        access.record("import", "failed", detail=f"{table} from {upload.name}: {type(exc).__name__}"[:200])
        state.show_database_error(exc)
        return
    except access.AccessDenied:
        st.error("Only an admin may import files.", icon=":material/lock:")
        return
    # After the import has committed: a failed audit write cannot undo it.
    access.record("import", "ok", detail=f"{result.rows} rows into {table} from {result.source}"[:200])
    state.refresh()  # the next read sees the new rows
    rows = f"{result.rows:,} row{'s' if result.rows != 1 else ''}"
    st.session_state[_DONE] = f"Imported {rows} from {formatting.plain(result.source, 80)} into {table}."
    st.rerun()  # so the inventory above shows the new rows at once
