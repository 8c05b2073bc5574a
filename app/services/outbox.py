"""Delivering the outbox: one message at a time, retried with growing pauses, never at night.

At-least-once, with a window of one message: a message is marked sent in its own commit right
after the SMTP server accepted it. If the process dies between those two steps, that single
message goes out again after the restart; every other message is either sent once or not yet.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from app.extensions import db
from app.mail import Courier, build_mime, has_opted_out
from app.models import OutboxMessage, OutboxStatus
from app.models.base import utcnow

log = logging.getLogger(__name__)
WARSAW = ZoneInfo("Europe/Warsaw")
QUIET_FROM, QUIET_UNTIL = 21, 8  # Warsaw wall-clock hours
MAX_ATTEMPTS = 6


def in_quiet_hours(now: datetime) -> bool:
    """Between 21:00 and 8:00 in Warsaw, whatever the season (zoneinfo handles DST)."""
    hour = now.astimezone(WARSAW).hour
    return hour >= QUIET_FROM or hour < QUIET_UNTIL


def backoff(attempts: int, first: timedelta = timedelta(minutes=1)) -> timedelta:
    """1, 2, 4, 8, 16 ... minutes after each failed attempt (by default), capped at 6 hours."""
    return min(first * 2 ** (attempts - 1), timedelta(hours=6))


def _due(now: datetime, limit: int):
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if in_quiet_hours(now):
        query = query.where(OutboxMessage.is_optional.is_(False))
    return query


def deliver_due(
    now: datetime | None = None, limit: int = 200, crash_after_send=None
) -> dict[str, int]:
    """Send what is due over one SMTP connection; returns counts. `crash_after_send` lets tests
    simulate a crash between sending and marking sent."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    with Courier() as courier:
        for _ in range(limit):
            message = db.session.scalar(_due(now, 1))
            if message is None:
                break
            if (
                message.is_optional
                and message.recipient_id
                and has_opted_out(message.recipient_id, message.kind)
            ):
                message.status = OutboxStatus.SKIPPED  # turned off after it was written
                db.session.commit()
                counts["skipped"] += 1
                continue
            try:
                mime = build_mime(message)
                message.message_id = mime["Message-ID"]
                courier.send(mime)
            except (smtplib.SMTPException, OSError) as exc:
                _record_failure(message, exc, now, counts)
                db.session.commit()
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    break  # the server is away: the rest waits for the next run
                continue
            if crash_after_send is not None:
                crash_after_send(message)
            message.status = OutboxStatus.SENT
            message.attempts += 1
            message.sent_at = utcnow()
            db.session.commit()
            counts["sent"] += 1
    return counts


def _record_failure(
    message: OutboxMessage, exc: Exception, now: datetime, counts: dict[str, int]
) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if message.attempts >= current_app.config.get("OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS):
        message.status = OutboxStatus.FAILED
        counts["failed"] += 1
        log.error("E-mail %s failed for good: %s", message.id, message.last_error)
    else:
        first = timedelta(seconds=current_app.config.get("OUTBOX_RETRY_SECONDS", 60))
        message.next_attempt_at = now + backoff(message.attempts, first)
        counts["retry"] += 1
        log.warning(
            "E-mail %s not sent (attempt %d): %s", message.id, message.attempts, message.last_error
        )


def retry(message: OutboxMessage) -> None:
    """An administrator sends a failed message again from the start."""
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.last_error = ""


def failed_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(or_(OutboxMessage.status == OutboxStatus.FAILED))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
