"""Scheduled jobs: thin wrappers that open an app context, call the domain function, commit.

A job that fails (the database away, say) logs the error and leaves everything as it was; the
next run catches up, because each domain function selects what is due rather than what is new.
No error of a job may reach the scheduler: a job ends with its session rolled back and removed,
whatever happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.core.sqlite import write_lock_up_front
from app.extensions import db
from app.models.base import utcnow

log = logging.getLogger(__name__)
_app: Flask | None = None
# Asked in each job's own transaction whether this process may still run jobs (see
# app.scheduling.scheduler.AdvisoryLock); None outside the scheduler process.
_guard: Callable[[Session], bool] | None = None


def bind_app(app: Flask) -> None:
    global _app
    _app = app


def set_guard(guard: Callable[[Session], bool] | None) -> None:
    global _guard
    _guard = guard


def _discard_session() -> None:
    """Roll back and drop the session; on a dead connection even that may fail."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; removing the session is enough
        log.debug("Rollback failed", exc_info=True)
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001
        log.debug("Removing the session failed", exc_info=True)


def run_job(
    name: str, work: Callable[[datetime], object], now: datetime | None = None
) -> object | None:
    """Run one job in an app context; commit on success, roll back and log on failure."""
    if _app is None:
        raise RuntimeError("jobs.bind_app(app) must be called before jobs run")
    with _app.app_context(), write_lock_up_front():
        try:
            if _guard is not None and not _guard(db.session()):
                log.warning("Job %s skipped: this process no longer holds the scheduler lock", name)
                return None
            result = work(now or utcnow())
            db.session.commit()
            if result and (not isinstance(result, dict) or any(result.values())):
                log.info("Job %s: %s", name, result)
            return result
        except OperationalError as exc:
            log.warning(
                "Job %s: the database is unavailable (%s); the next run will catch up",
                name,
                exc.orig or exc,
            )
            return None
        except Exception:  # noqa: BLE001 - a failed run must not stop the scheduler
            log.exception("Job %s failed; the next run will catch up", name)
            return None
        finally:
            _discard_session()


def deliver_outbox() -> None:
    from app.services.mail import deliver_due

    run_job("deliver_outbox", lambda now: deliver_due(now))


def recover_outbox() -> None:
    """At start: messages a scheduler before this one was sending when it stopped go out again."""
    from app.services.mail import recover_in_flight

    run_job("recover_outbox", lambda now: recover_in_flight(now, older_than=timedelta(0)))


def shift_reminders() -> None:
    from app.scheduling.reminders import shift_reminders as work

    run_job("shift_reminders", work)


def offers() -> None:
    from app.scheduling.reminders import expire_due_offers
    from app.scheduling.reminders import offer_reminders

    run_job("offer_reminders", offer_reminders)
    run_job("expire_offers", expire_due_offers)


def waitlists() -> None:
    """Offer free places to the people waiting for them: places freed by offers that expired
    here, and any a web process freed but did not get to offer."""
    from app.services.waitlist import sweep

    run_job("waitlists", sweep)


def morning_digests() -> None:
    from app.scheduling.reminders import coordinator_digests
    from app.scheduling.reminders import staff_digests

    run_job("coordinator_digests", coordinator_digests)
    run_job("staff_digests", staff_digests)


def hours_confirmation() -> None:
    from app.scheduling.reminders import hours_confirmation_requests

    run_job("hours_confirmation", hours_confirmation_requests)


def guardian_reminders() -> None:
    from app.scheduling.reminders import guardian_reminders as work

    run_job("guardian_reminders", work)


def agreement_reminders() -> None:
    from app.scheduling.reminders import agreement_reminders as work

    run_job("agreement_reminders", work)


def korpus_summaries() -> None:
    from app.scheduling.reminders import korpus_summaries as work

    run_job("korpus_summaries", work)


def news_digests() -> None:
    from app.services.news import weekly_digests

    run_job("news_digests", weekly_digests)


def qualification_reminders() -> None:
    from app.scheduling.reminders import qualification_reminders as work

    run_job("qualification_reminders", work)


def weekly_suggestions() -> None:
    from app.scheduling.suggestions import weekly_suggestions as work

    run_job("weekly_suggestions", work)


def heartbeat() -> None:
    from app.scheduling.health import beat

    run_job("heartbeat", beat)


def register_jobs(scheduler: BaseScheduler, config: Mapping | None = None) -> None:
    """Jobs are stored in the database and found again after a restart.

    On a running (or paused) scheduler, a job already stored with the same schedule keeps its
    next run: a digest due at 8:00 while the scheduler was being started again still goes out
    (within the misfire grace time) instead of waiting for the next morning.
    """
    config = config or {}
    jobs = [
        # The first beat at once: a scheduler that just started is on time.
        (
            "heartbeat",
            IntervalTrigger(
                seconds=config.get("SCHEDULER_HEARTBEAT_SECONDS", 60), timezone=scheduler.timezone
            ),
            {"next_run_time": utcnow()},
        ),
        (
            "deliver_outbox",
            IntervalTrigger(
                seconds=config.get("OUTBOX_INTERVAL_SECONDS", 30), timezone=scheduler.timezone
            ),
            {},
        ),
        ("shift_reminders", IntervalTrigger(minutes=5, timezone=scheduler.timezone), {}),
        ("offers", IntervalTrigger(minutes=10, timezone=scheduler.timezone), {}),
        ("waitlists", IntervalTrigger(minutes=2, timezone=scheduler.timezone), {}),
        ("morning_digests", CronTrigger(hour=8, minute=0, timezone=scheduler.timezone), {}),
        ("hours_confirmation", CronTrigger(hour=8, minute=5, timezone=scheduler.timezone), {}),
        ("agreement_reminders", CronTrigger(hour=8, minute=10, timezone=scheduler.timezone), {}),
        ("guardian_reminders", CronTrigger(hour=9, minute=0, timezone=scheduler.timezone), {}),
        (
            "news_digests",
            CronTrigger(day_of_week="mon", hour=8, minute=15, timezone=scheduler.timezone),
            {},
        ),
        (
            "qualification_reminders",
            CronTrigger(hour=9, minute=15, timezone=scheduler.timezone),
            {},
        ),
        (
            "korpus_summaries",
            CronTrigger(day=1, hour=9, minute=30, timezone=scheduler.timezone),
            {},
        ),
        (
            "weekly_suggestions",
            CronTrigger(day_of_week="mon", hour=9, minute=15, timezone=scheduler.timezone),
            {},
        ),
    ]
    for name, trigger, extra in jobs:
        stored = scheduler.get_job(name) if scheduler.running else None
        if stored is not None and not extra and str(stored.trigger) == str(trigger):
            continue
        scheduler.add_job(
            f"app.scheduling.jobs:{name}", trigger, id=name, replace_existing=True, **extra
        )
