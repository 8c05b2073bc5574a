"""The one process that runs scheduled jobs; web processes never start it."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

log = logging.getLogger(__name__)


def build_scheduler(app: Flask) -> BlockingScheduler:
    return BlockingScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(
                url=app.config["SQLALCHEMY_DATABASE_URI"], tablename="scheduler_job"
            )
        },
        job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1},
        timezone=ZoneInfo(app.config["SCHEDULER_TIMEZONE"]),
    )


def run_scheduler(app: Flask) -> None:
    from app.jobs import register_jobs

    scheduler = build_scheduler(app)
    register_jobs(scheduler)
    log.info("Scheduler started with %d job(s)", len(scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopped")
