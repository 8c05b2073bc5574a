"""Time as the coalition lives it: stored in UTC, read and shown in Warsaw.

The one place that names the zone, so that "today", the start of a month and quiet hours mean
the same day everywhere (the clock itself comes from `utcnow`, which the tests can pin).
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_warsaw(moment: datetime) -> datetime:
    """The same instant on a Warsaw clock (aware)."""
    return moment.astimezone(WARSAW)


def today_in_warsaw(now: datetime | None = None) -> date:
    """The calendar day in Warsaw at `now` (by default: this moment)."""
    return (now or utcnow()).astimezone(WARSAW).date()
