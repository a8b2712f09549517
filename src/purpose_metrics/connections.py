"""One database connection per dashboard run.

A page run makes a dozen small reads; inside `one_connection_per_engine()`
they share one connection per engine (opened at first use, closed when the
run ends) instead of opening one each: a DuckDB file opened anew costs
tens of milliseconds, and the run still holds the file no longer than it
runs, so an import from the command line waits at most that long.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

_RUN = threading.local()


@contextmanager
def one_connection_per_engine() -> Iterator[None]:
    """Within this block (on this thread), `connect(engine)` hands out one
    connection per engine, opened at first use and closed at the end: a page
    run's dozen small reads pay for one connection, not a dozen (a DuckDB
    file opened anew costs some 50 ms), and hold the file no longer than the
    run."""
    if getattr(_RUN, "connections", None) is not None:  # nested: the outer block owns them
        yield
        return
    _RUN.connections = {}
    try:
        yield
    finally:
        connections, _RUN.connections = _RUN.connections, None
        for conn in connections.values():
            try:
                conn.close()
            except Exception:  # a connection the database dropped: nothing to hand back
                pass


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection for reading: the run's shared one inside
    `one_connection_per_engine`, else a new one for this block."""
    shared = getattr(_RUN, "connections", None)
    if shared is None:
        with engine.connect() as conn:
            yield conn
        return
    conn = shared.get(id(engine))
    if conn is None or conn.closed or conn.invalidated:
        conn = shared[id(engine)] = engine.connect()
    try:
        yield conn
    except Exception:
        # A failed statement can leave the transaction aborted (PostgreSQL):
        # the next read of this run starts on a new connection.
        shared.pop(id(engine), None)
        conn.close()
        raise
