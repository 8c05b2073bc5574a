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

import logging
import signal
import time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.scheduling.job_store import ResilientJobStore
from app.scheduling.lock import SingletonLock
from app.scheduling.lock import acquire_singleton_lock

log = logging.getLogger(__name__)


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
    from app.scheduling import jobs

    scheduler = build_scheduler(app)
    store = scheduler._jobstores["default"]
    jobs.set_guard(lock.owns_jobs)
    try:
        # Errors while starting and registering end this round, not the process.
        scheduler.start(paused=True)
        jobs.recover_outbox()  # what a scheduler before this one left in flight
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
    from app.scheduling import jobs

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
