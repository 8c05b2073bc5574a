"""The one process that runs scheduled jobs; web processes never start it.

A second scheduler started by mistake does not run jobs: on PostgreSQL the process holds a
session-level advisory lock on a connection of its own; on SQLite it holds an exclusive lock on a
file next to the database. The loser says so in its log and waits as a standby, taking over only
when the holder is gone.

Nothing the database does may end the process. The job store swallows and logs its errors (the
jobs it could not save run again), the scheduler's loop is watched and started again if it stops,
and a lost lock (PostgreSQL restarted, so the lock's connection is gone) stops the jobs at once:
the process then takes the lock again or, if another scheduler was quicker, becomes the standby.
"""

from __future__ import annotations

import fcntl
import logging
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
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


class ResilientJobStore(SQLAlchemyJobStore):
    """The job table, read and written by the scheduler's own loop.

    APScheduler survives an error while it looks for due jobs, but not one while it saves a job's
    next run or asks for the next wake-up: one "database is locked" there ended the process. Here
    every such error is logged and the store rests for `retry_seconds` (no due jobs, wake up then).
    A job whose next run could not be saved is simply due again; jobs select what is due, so an
    extra run does no harm.

    Errors while jobs are registered at start are not swallowed: the supervisor starts again.
    """

    def __init__(self, *args, retry_seconds: float = 10, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.retry_seconds = retry_seconds
        self.tolerant = False
        self._rest_until = 0.0

    def _trouble(self, doing: str, exc: SQLAlchemyError) -> None:
        self._rest_until = time.monotonic() + self.retry_seconds
        log.warning(
            "Job store: %s failed (%s); trying again in %s s",
            doing,
            getattr(exc, "orig", None) or exc,
            self.retry_seconds,
        )

    def _resting(self) -> bool:
        return self.tolerant and time.monotonic() < self._rest_until

    def _wake_at(self) -> datetime:
        rest = max(self._rest_until - time.monotonic(), 0.5)
        return datetime.now(UTC) + timedelta(seconds=rest)

    def get_due_jobs(self, now):
        if self._resting():
            return []
        try:
            return super().get_due_jobs(now)
        except SQLAlchemyError as exc:
            if not self.tolerant:
                raise
            self._trouble("reading the due jobs", exc)
            return []

    def get_next_run_time(self):
        if self._resting():
            return self._wake_at()
        try:
            return super().get_next_run_time()
        except SQLAlchemyError as exc:
            if not self.tolerant:
                raise
            self._trouble("reading the next run time", exc)
            return self._wake_at()

    def update_job(self, job) -> None:
        try:
            super().update_job(job)
        except JobLookupError:
            raise
        except SQLAlchemyError as exc:
            if not self.tolerant:
                raise
            self._trouble(f"saving the next run of {job.id}", exc)

    def remove_job(self, job_id) -> None:
        try:
            super().remove_job(job_id)
        except JobLookupError:
            raise
        except SQLAlchemyError as exc:
            if not self.tolerant:
                raise
            self._trouble(f"removing {job_id}", exc)


class SupervisedScheduler(BackgroundScheduler):
    """Runs its loop in a thread and remembers why the loop ended, for the supervisor to see."""

    failure: BaseException | None = None

    def _process_jobs(self):
        # APScheduler's loop runs one more round after shutdown() woke it: its submissions fail
        # (the executor is gone) but the jobs' next runs are moved on, and those runs are lost.
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()

    def _main_loop(self) -> None:
        try:
            super()._main_loop()
        except Exception as exc:  # noqa: BLE001 - the supervisor starts a new scheduler
            self.failure = exc
            log.exception("The scheduler's loop failed")

    @property
    def loop_alive(self) -> bool:
        return self.failure is None and self._thread is not None and self._thread.is_alive()


def build_scheduler(
    app: Flask, scheduler_class: type[BaseScheduler] = SupervisedScheduler
) -> BaseScheduler:
    return scheduler_class(
        jobstores={
            "default": ResilientJobStore(
                url=app.config["SQLALCHEMY_DATABASE_URI"],
                tablename="scheduler_job",
                engine_options=dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}),
                retry_seconds=app.config.get("SCHEDULER_RESTART_SECONDS", 10),
            )
        },
        job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1},
        timezone=ZoneInfo(app.config["SCHEDULER_TIMEZONE"]),
        jobstore_retry_interval=app.config.get("SCHEDULER_RESTART_SECONDS", 10),
    )


def wait_for_lock(app: Flask, standby_seconds: float) -> SingletonLock:
    """Block until this process holds the lock, as a standby while another scheduler has it."""
    said_standby = False
    while True:
        try:
            lock = acquire_singleton_lock(app)
        except SQLAlchemyError as exc:
            log.warning(
                "The database does not answer (%s); asking again in %s s",
                getattr(exc, "orig", None) or exc,
                standby_seconds,
            )
        else:
            if lock is not None:
                if said_standby:
                    log.info("The other scheduler is gone: taking over.")
                return lock
            if not said_standby:
                log.warning(
                    "Another scheduler process holds the lock: this one runs no jobs and "
                    "waits as a standby."
                )
                said_standby = True
        time.sleep(standby_seconds)


def run_while_holding(app: Flask, lock: SingletonLock, check_seconds: float) -> None:
    """Run the jobs until the lock is lost or the scheduler's loop stops; returns then."""
    from app import jobs

    scheduler = build_scheduler(app)
    store = scheduler._jobstores["default"]
    jobs.set_guard(lock.owns_jobs)
    try:
        # Errors while starting and registering end this round, not the process.
        scheduler.start(paused=True)
        jobs.register_jobs(scheduler, app.config)
        store.tolerant = True
        scheduler.resume()
        log.info("Scheduler started with %d job(s)", len(scheduler.get_jobs()))
        while True:
            time.sleep(check_seconds)
            if not lock.held():
                log.error(
                    "The scheduler lock is lost (did the database restart?): jobs stop until "
                    "this process holds it again"
                )
                return
            if not scheduler.loop_alive:
                log.error("The scheduler's loop has stopped: starting a new one")
                return
    finally:
        jobs.set_guard(lambda session: False)  # jobs still queued do nothing
        if scheduler.running:
            scheduler.shutdown(wait=True)


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, honcho, the `make run` supervisor) ends the process like Ctrl-C does:
    running jobs finish and the lock is given back."""

    def stop(signum, frame) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def run_scheduler(app: Flask, standby_seconds: float | None = None) -> None:
    """The scheduler process: hold the lock, run jobs, and start again after anything but a stop."""
    from app import jobs

    if standby_seconds is None:
        standby_seconds = app.config.get("SCHEDULER_STANDBY_SECONDS", 30)
    pause = app.config.get("SCHEDULER_RESTART_SECONDS", 10)
    jobs.bind_app(app)
    _stop_on_sigterm()
    try:
        while True:
            lock = wait_for_lock(app, standby_seconds)
            try:
                run_while_holding(app, lock, check_seconds=min(standby_seconds, pause))
            except Exception:  # noqa: BLE001 - nothing the database does may end the process
                log.exception("The scheduler failed; starting it again in %s s", pause)
            finally:
                lock.release()
            time.sleep(pause)
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopped")
