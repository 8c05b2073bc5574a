"""Only one scheduler runs jobs: the lock it holds for as long as it runs them.

On PostgreSQL a session-level advisory lock on a connection of its own; on SQLite an exclusive
lock on a file next to the database.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

ADVISORY_LOCK_KEY = 0x4F4B494B  # "OKIK"

# pg_try_advisory_lock(bigint) shows in pg_locks as classid (high half), objid (low half) and
# objsubid 1. The backend's start time tells a new backend that got the same pid after a restart
# from the one that took the lock.
_LOCK_HELD_BY = text(
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key"
    " AND l.objsubid = 1 AND l.pid = :pid AND a.backend_start = :started"
)


class SingletonLock:
    """The file lock of SQLite: the kernel keeps it as long as the process lives."""

    def __init__(self, release) -> None:
        self._release = release

    def held(self) -> bool:
        return True

    def owns_jobs(self, session: Session) -> bool:
        return True

    def release(self) -> None:
        self._release()


class AdvisoryLock(SingletonLock):
    """PostgreSQL's advisory lock lives as long as its connection, and a server restart ends that
    connection without telling anyone. So the process asks whether it still holds the lock, and
    every job asks again in its own transaction before it does anything: if the server restarts
    after that question, the job's transaction dies with it."""

    def __init__(self, engine: Engine, conn: Connection) -> None:
        self._engine = engine
        self._conn = conn
        self.backend_pid, self._started = conn.execute(
            text("SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        ).one()

    def _held_on(self, conn: Connection | Session) -> bool:
        params = {"key": ADVISORY_LOCK_KEY, "pid": self.backend_pid, "started": self._started}
        return bool(conn.execute(_LOCK_HELD_BY, params).scalar())

    def held(self) -> bool:
        try:
            return self._held_on(self._conn)
        except SQLAlchemyError:
            return False

    def owns_jobs(self, session: Session) -> bool:
        return self._held_on(session)

    def release(self) -> None:
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        except SQLAlchemyError:
            pass  # the connection is gone, and the lock with it
        finally:
            try:
                self._conn.close()
            finally:
                self._engine.dispose()


def _lock_engine(url) -> Engine:
    """One connection, never reused from a pool, that notices a dead server within seconds."""
    return create_engine(
        url,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": 20000,
        },
    )


def lock_file_path(app: Flask) -> Path:
    """Next to the database file: schedulers of one database share it, other databases don't."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        database = Path(url.database)
        return database.with_name(database.name + ".scheduler-lock")
    return Path(app.instance_path) / "scheduler.lock"


def acquire_singleton_lock(app: Flask) -> SingletonLock | None:
    """The lock, or None when another scheduler holds it. Raises SQLAlchemyError when the
    database does not answer."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        engine = _lock_engine(url)
        try:
            conn = engine.connect()
            taken = conn.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            if taken:
                return AdvisoryLock(engine, conn)
            conn.close()
        except SQLAlchemyError:
            engine.dispose()
            raise
        engine.dispose()
        return None
    path = lock_file_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None

    def release_file() -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    return SingletonLock(release_file)
