"""The fact store: what the pages read, kept current at import.

- `maintain`: the write side. Every import of orders, customers, surveys,
  tickets or messages updates, in its own transaction, the customer history
  and the facts those rows feed; `rebuild` (`purpose-metrics refresh`)
  makes everything from the tables.
- `state`: whether the store is current (fingerprints of its tables).
- `sets`: the customer sets (Roaring bitmaps) that keep distinct counts
  exact over any run of days.

The read side is `sources.store.StoreSource`; the tables are declared in
sql/store/schema.sql.
"""

from .maintain import after_import, ensure_schema, rebuild, refresh, refresh_if_stale, touched
from .state import STORE_VERSION, TRACKED, is_current, version_stamp

__all__ = [
    "STORE_VERSION", "TRACKED", "after_import", "ensure_schema", "is_current", "rebuild", "refresh",
    "refresh_if_stale", "touched", "version_stamp",
]  # fmt: skip
