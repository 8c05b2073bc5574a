"""Is the scheduler alive? Its heartbeat job writes a row; web pages compare it with the clock.

Nothing else would tell: when the scheduler stops, the web server goes on serving and e-mail and
reminders simply stop going out.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import SchedulerHeartbeat
from app.models.base import rows_changed
from app.models.base import utcnow

HEARTBEAT_ROW = 1
# Late after this many missed beats: one slow beat (a busy database) is not an outage.
LATE_AFTER_BEATS = 3


def heartbeat_seconds() -> int:
    return int(current_app.config.get("SCHEDULER_HEARTBEAT_SECONDS", 60))


def beat(now: datetime) -> None:
    """Record that this process's jobs ran at `now` (the caller commits).

    The write comes first, without a read before it: on SQLite a transaction that reads and then
    writes cannot wait for another writer and fails at once, one that writes first waits its turn.
    """
    values = {"beat_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()}
    updated = db.session.execute(
        update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == HEARTBEAT_ROW).values(**values)
    )
    if rows_changed(updated) == 0:
        db.session.add(SchedulerHeartbeat(id=HEARTBEAT_ROW, **values))


@dataclass(frozen=True)
class SchedulerHealth:
    # "ok", "late" (no beat for LATE_AFTER_BEATS intervals) or "missing" (it never beat).
    state: str
    last_beat: datetime | None = None
    host: str = ""
    pid: int | None = None


def scheduler_health(now: datetime | None = None) -> SchedulerHealth:
    row = db.session.get(SchedulerHeartbeat, HEARTBEAT_ROW)
    if row is None:
        return SchedulerHealth("missing")
    late_after = timedelta(seconds=heartbeat_seconds() * LATE_AFTER_BEATS)
    state = "late" if (now or utcnow()) - row.beat_at > late_after else "ok"
    return SchedulerHealth(state, row.beat_at, row.host, row.pid)
