"""Scheduled jobs: thin functions that select due rows, call the domain code and commit."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)


def heartbeat() -> None:
    """Log that the scheduler is alive, so an operator can see it in the logs."""
    log.info("Scheduler heartbeat")


def register_jobs(scheduler: BaseScheduler) -> None:
    scheduler.add_job(
        "app.jobs:heartbeat", "interval", minutes=15, id="heartbeat", replace_existing=True
    )
