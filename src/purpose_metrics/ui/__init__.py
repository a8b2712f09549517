"""The Streamlit adapter: the only package of the library that imports streamlit.

- state:    cached engine, data and computations; database errors; empty state
- page:     the sections a week-based page is built from (context, pickers, cards, trend, brands table)
- filters:  widgets bound to the URL (week, brand, metric, period, segments), validating what a link asks for
- cards:    KPI cards, needs attention, purpose statements, brand status
- charts:   a chart with its PNG / SVG downloads (rendered on click)
- importer: the data page's validated file import
- sidebar:  what every page shares

Pages import these modules and the pure `views` they wrap; a new page is a
thin file in pages/ composed from them and one line in dashboard.py.
"""

# Imported here, once, under Python's import lock, before any page runs:
# Plotly (through narwhals) looks pandas and pyarrow up in sys.modules, and a
# first import racing in two sessions' script threads handed one of them a
# half-initialised module ("partially initialized module 'pandas' has no
# attribute 'Series'", found by tests/browser/test_load.py).
import pandas  # noqa: E402, F401
import pyarrow  # noqa: E402, F401
from streamlit import delta_generator as _delta_generator  # noqa: E402

# Streamlit decides once per process whether to warn "run this with `streamlit
# run`": it walks the whole stack with source look-ups (inspect.stack), 0.4 s
# of the first run on a fresh server. This package only runs under
# `streamlit run` (or AppTest), where that warning has nothing to say.
if hasattr(_delta_generator, "_use_warning_has_been_displayed"):
    _delta_generator._use_warning_has_been_displayed = True
