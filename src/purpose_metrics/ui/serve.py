"""Starting the dashboard: `streamlit run`, with the libraries already loaded.

    python -m purpose_metrics.ui.serve dashboard.py [streamlit run options]

`streamlit run dashboard.py` imports what the pages need (Polars, Plotly,
pandas, PyArrow, DuckDB, SQLAlchemy, pyroaring and this package) when the
first person opens a page: about a second and a half of their wait on this
machine. This launcher imports them first and then hands over to
Streamlit's own `streamlit run`, with the same options and behaviour, so
the server's first page costs what every later one does. (What the pages
compute is not done ahead: the first view still reads the database.)
"""

from __future__ import annotations

import sys


def warm() -> None:
    """Import every module a page uses."""
    import duckdb  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import polars
    import pyroaring  # noqa: F401
    import sqlalchemy

    from .. import catalog, formatting, reading, reports, sources, views  # noqa: F401
    from ..charts import cohorts, compare, relevance, retention, service, trends  # noqa: F401
    from ..sources import store  # noqa: F401
    from . import boardpack, cards, charts, filters, importer, page, scorecards, sidebar, state  # noqa: F401

    # The engines' own first-use costs (DuckDB's first connection, Polars'
    # thread pool): a query on nothing each, no data read.
    with sqlalchemy.create_engine("duckdb:///:memory:").connect() as conn:
        conn.exec_driver_sql("SELECT 1").all()
    polars.DataFrame({"k": [1, 1], "v": [1.0, 2.0]}).lazy().group_by("k").agg(polars.col("v").sum()).collect()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    warm()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    cli.main()


if __name__ == "__main__":
    main()
