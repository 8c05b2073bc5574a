"""The weekly e-mail of new suggestions, as a scheduler job: select who asked, queue, commit."""

from __future__ import annotations

from datetime import datetime

from app.services.weekly_suggestions import send_weekly


def weekly_suggestions(now: datetime) -> int:
    return send_weekly(now)
