"""One database connection per dashboard run, kept warm for the next run.

A page run makes a dozen small reads; inside `one_connection_per_engine()`
they share one connection per engine (opened at first use) instead of
opening one each: a DuckDB file opened anew costs tens of milliseconds, and
some 0.1-0.24 s at ten million orders.

A person changing filters makes a burst of runs. With `linger` the run's
connection is not closed at its end but parked (its transaction rolled
back, so the next run sees what was imported since) and handed to the next
run that asks within `linger` seconds; after that a timer closes it. A
DuckDB file therefore stays open at most `linger` seconds after the last
run, and an import from the command line, which waits up to 30 s for the
file, still gets it.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

_RUN = threading.local()
# id(engine) -> (the parked connection, when it was parked)
_PARKED: dict[int, tuple[Connection, float]] = {}
_PARKED_LOCK = threading.Lock()


def _close(conn: Connection) -> None:
    try:
        conn.close()
    except Exception:  # a connection the database dropped: nothing to hand back
        pass


def _unpark(engine: Engine) -> Connection | None:
    with _PARKED_LOCK:
        parked = _PARKED.pop(id(engine), None)
    if parked is None:
        return None
    conn = parked[0]
    if conn.closed or conn.invalidated or _file_gone(engine):
        _close(conn)
        return None
    return conn


def _file_gone(engine: Engine) -> bool:
    """Whether the engine's database file was moved away since the
    connection was parked (a new connection then says so: db.py)."""
    path = engine.url.database
    if engine.url.get_backend_name() not in ("duckdb", "sqlite") or path in (None, "", ":memory:"):
        return False
    return not Path(path).exists()


# The timers that will close parked connections, cancelled at exit.
_TIMERS: dict[int, threading.Timer] = {}


def _park(key: int, conn: Connection, linger: float) -> None:
    """Keep `conn` for the next run (one per engine), closing it when no run
    took it within `linger` seconds."""
    try:
        conn.rollback()  # a read transaction left open would pin an old snapshot
    except Exception:
        _close(conn)
        return
    with _PARKED_LOCK:
        if key in _PARKED:  # another run parked one first: keep one
            spare = conn
        else:
            _PARKED[key] = (conn, time.monotonic())
            spare = None
    if spare is not None:
        _close(spare)
        return
    timer = threading.Timer(linger, _expire, args=(key, conn))
    timer.daemon = True
    with _PARKED_LOCK:
        _TIMERS[key] = timer
    timer.start()


def _expire(key: int, conn: Connection) -> None:
    # Closed under the lock: close_parked (at exit) waits for it, so the
    # interpreter never tears a connection down while this thread closes it
    # (DuckDB aborts the process on that).
    with _PARKED_LOCK:
        parked = _PARKED.get(key)
        if parked is None or parked[0] is not conn:  # taken by a run (or replaced) meanwhile
            return
        del _PARKED[key]
        _TIMERS.pop(key, None)
        _close(conn)


@atexit.register
def close_parked() -> None:
    """Close every parked connection now, and stop their timers (tests; a
    server shutting down; registered to run at exit)."""
    with _PARKED_LOCK:
        for timer in _TIMERS.values():
            timer.cancel()
        _TIMERS.clear()
        for conn, _ in _PARKED.values():
            _close(conn)
        _PARKED.clear()


@contextmanager
def one_connection_per_engine(linger: float = 0.0) -> Iterator[None]:
    """Within this block (on this thread), `connect(engine)` hands out one
    connection per engine, opened at first use (or taken from the previous
    run when it parked one) and, at the end, closed or parked for `linger`
    seconds."""
    if getattr(_RUN, "connections", None) is not None:  # nested: the outer block owns them
        yield
        return
    _RUN.connections = {}
    try:
        yield
    finally:
        connections, _RUN.connections = _RUN.connections, None
        for key, conn in connections.items():
            if linger > 0 and not (conn.closed or conn.invalidated):
                _park(key, conn, linger)
            else:
                _close(conn)


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
        conn = shared[id(engine)] = _unpark(engine) or engine.connect()
    try:
        yield conn
    except Exception:
        # A failed statement can leave the transaction aborted (PostgreSQL):
        # the next read of this run starts on a new connection.
        shared.pop(id(engine), None)
        _close(conn)
        raise
