"""The scheduler's job table, kept by APScheduler, made to outlive the database's bad moments."""

from __future__ import annotations

import logging
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


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
