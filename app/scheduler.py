"""The one process that runs scheduled jobs; web processes never start it.

A second scheduler started by mistake does not run jobs: on PostgreSQL the process holds a
session-level advisory lock for its whole life; on SQLite it holds an exclusive lock on a file
next to the database. The loser says so in its log and waits as a standby, taking over only when
the holder is gone.
"""

from __future__ import annotations

import fcntl
import logging
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.sqlite_transactions import engine_options

log = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 0x4F4B494B  # "OKIK"


class SingletonLock:
    """Held for the life of the scheduler process; released when the process ends."""

    def __init__(self, release) -> None:
        self.release = release


def _lock_file(app: Flask) -> Path:
    """Beside the database file, so that one scheduler runs per database, not per checkout."""
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return Path(app.instance_path) / "scheduler.lock"
    path = Path(database)
    return path.with_name(f"{path.name}.scheduler.lock")


def acquire_singleton_lock(app: Flask) -> SingletonLock | None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url)
        conn = engine.connect()
        taken = conn.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        ).scalar()
        conn.commit()
        if not taken:
            conn.close()
            engine.dispose()
            return None

        def release() -> None:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            conn.close()
            engine.dispose()

        return SingletonLock(release)
    path = _lock_file(app)
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


def build_scheduler(
    app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler
) -> BaseScheduler:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # The job store's own engine waits for SQLite's write lock like the app's does.
    options = engine_options(url, {}, app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
    return scheduler_class(
        jobstores={
            "default": SQLAlchemyJobStore(
                url=url, tablename="scheduler_job", engine_options=options
            )
        },
        job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1},
        timezone=ZoneInfo(app.config["SCHEDULER_TIMEZONE"]),
    )


def run_scheduler(app: Flask, standby_seconds: float | None = None) -> None:
    from app import jobs

    if standby_seconds is None:
        standby_seconds = app.config.get("SCHEDULER_STANDBY_SECONDS", 30)
    lock = acquire_singleton_lock(app)
    if lock is None:
        log.warning(
            "Another scheduler process holds the lock: this one runs no jobs and waits as a standby."
        )
        while lock is None:
            time.sleep(standby_seconds)
            lock = acquire_singleton_lock(app)
        log.info("The other scheduler is gone: taking over.")
    jobs.bind_app(app)
    jobs.recover_outbox()  # what a scheduler before this one left in flight
    scheduler = build_scheduler(app)
    jobs.register_jobs(scheduler, app.config)
    log.info("Scheduler started with %d job(s)", len(scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopped")
    finally:
        lock.release()
