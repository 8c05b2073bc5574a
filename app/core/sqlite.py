"""How transactions begin on SQLite, so that the web server and the scheduler share one file.

SQLite lets many read at once (in WAL mode, even while one writes) but only one write at a time.
A connection waiting for the write lock sleeps up to the busy timeout, with one exception that
matters here: a transaction that has already read and only then wants to write is refused at once
with "database is locked" (waiting could deadlock), whatever the timeout. With plain deferred
BEGINs that is the usual case: a sign-in reads the account, then records the sign-in.

So a transaction begins deferred and reads beside the writer without waiting; just before its
first write, or its first SELECT ... FOR UPDATE, its read snapshot is ended and the write lock
taken with BEGIN IMMEDIATE, which waits its turn. Nothing has been written at that point, so
nothing is lost, and from then on the transaction holds the only write lock and reads the latest
data. That is PostgreSQL's behaviour, which the code is written for: each statement sees what was
committed before it (READ COMMITTED), and `with_for_update()` takes a lock before reading, so the
guarded UPDATEs and row locks that keep places and bookings right on PostgreSQL keep them right
here too. The write lock is held only from the first write to the commit, not while a password is
hashed or a page is read, so signed-in people browsing do not queue behind each other.

Inside `write_lock_up_front()` (each scheduler job) every transaction takes the lock when it
begins: a job is short and writes anyway.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine import make_url

from app.core.text import SQLITE_FOLD
from app.core.text import SQLITE_POLISH
from app.core.text import compare_polish
from app.core.text import fold_or_none

log = logging.getLogger(__name__)

# Statements that need the write lock; a savepoint is taken only to write, and ending the read
# snapshot later would end the savepoint with it.
WRITING_VERBS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER"}
)
SLOW_LOCK_SECONDS = 2.0  # a longer wait is logged: the one writer is the bottleneck then
_STATE = "okik_sqlite_transaction"
_DEFERRED, _WRITING = "deferred", "writing"
_up_front: ContextVar[bool] = ContextVar("sqlite_write_lock_up_front", default=False)


def engine_options(url: str, options: dict, busy_timeout: float) -> dict:
    """Engine options for `url`: on SQLite, wait up to `busy_timeout` seconds for a lock."""
    if make_url(url).get_backend_name() != "sqlite":
        return dict(options)
    connect_args = {**options.get("connect_args", {}), "timeout": busy_timeout}
    return {**options, "connect_args": connect_args}


@contextmanager
def write_lock_up_front() -> Iterator[None]:
    """Every transaction begun inside takes the write lock at once (work that writes anyway)."""
    token = _up_front.set(True)
    try:
        yield
    finally:
        _up_front.reset(token)


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, connection_record) -> None:
    """WAL lets readers go on while one writes; SQLAlchemy, not the sqlite3 module, begins
    transactions (the module opens none before SAVEPOINT, so a savepoint's work would commit on
    its own: with this an outbox row commits or rolls back with the change around it)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    # Searches that ignore Polish letters and case compare folded text (app/core/text.py).
    dbapi_connection.create_function(SQLITE_FOLD, 1, fold_or_none, deterministic=True)
    dbapi_connection.create_collation(SQLITE_POLISH, compare_polish)
    try:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")  # "memory" for in-memory databases
    except sqlite3.OperationalError as exc:  # another process holds the file in the old mode
        log.warning("SQLite stays in its journal mode for now: %s", exc)


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    conn.info[_STATE] = None  # the BEGIN itself passes the statement hook untouched
    if _up_front.get():
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        conn.info[_STATE] = _WRITING
    else:
        conn.exec_driver_sql("BEGIN")
        conn.info[_STATE] = _DEFERRED


def _needs_write_lock(statement: str, context) -> bool:
    words = statement.split(None, 1)
    if words and words[0].upper() in WRITING_VERBS:
        return True
    compiled = getattr(context, "compiled", None)
    # SQLite's compiler leaves FOR UPDATE out of the SQL; the statement still asks for it.
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


@event.listens_for(Engine, "before_cursor_execute")
def _take_write_lock_before_first_write(
    conn, cursor, statement, parameters, context, executemany
) -> None:
    if conn.dialect.name != "sqlite":
        return
    state = conn.info.get(_STATE)
    if state is None or state == _WRITING:
        return
    if not _needs_write_lock(statement, context):
        return
    # Nothing written yet: ending the deferred transaction loses nothing, and a fresh
    # BEGIN IMMEDIATE waits for the lock instead of failing at once.
    dbapi_connection = cursor.connection
    dbapi_connection.execute("COMMIT")
    conn.info[_STATE] = None
    began = time.monotonic()
    dbapi_connection.execute("BEGIN IMMEDIATE")
    conn.info[_STATE] = _WRITING
    waited = time.monotonic() - began
    if waited > SLOW_LOCK_SECONDS:
        log.warning("Waited %.1f s for SQLite's write lock", waited)
