"""The weekly e-mail of new suggestions: asked for in the profile, stopped by a signed link.

Off unless the volunteer ticks it. Each Monday the scheduler ranks, for every volunteer who asked,
the needs published in the past week with the same ranking as "Dla Ciebie"; a week without
anything new sends nothing. The link at the bottom turns the e-mail off without signing in: it
carries the person's id signed with the app's secret, so nobody can stop someone else's e-mail.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from app.core.time import WARSAW
from app.extensions import db
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.services import audit
from app.services.mail import queue_email
from app.services.suggestions import recommendations_for

SALT = "weekly-suggestions"
SUBJECT = _l("Nowe propozycje wolontariatu dla Ciebie")
WEEK = timedelta(days=7)
# Suggestions in one e-mail.
PER_EMAIL = 5


def stop_token(user_id: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps(user_id)


def read_stop_token(token: str) -> User | None:
    """The person whose e-mail the link stops, or None for a link nobody signed."""
    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    return db.session.get(User, user_id)


def stop(user: User) -> bool:
    """Turn the weekly e-mail off; False when it was off already."""
    profile = user.profile
    if profile is None or not profile.has_weekly_suggestions:
        return False
    profile.has_weekly_suggestions = False
    audit.record(None, "suggestions.weekly_stopped", user)
    return True


def send_weekly(now: datetime) -> int:
    """Queue this week's e-mail for everyone who asked and has something new; returns how many.

    The deduplication key names the person and the Warsaw week, so a job run twice in one week
    queues nothing twice.
    """
    from app.core.urls import absolute_url

    year, week, _day = now.astimezone(WARSAW).isocalendar()
    people = db.session.scalars(
        select(User)
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(
            VolunteerProfile.has_weekly_suggestions.is_(True),
            User.role == Role.VOLUNTEER,
            User.is_active_account.is_(True),
        )
        .order_by(User.id)
    ).all()
    queued = 0
    for person in people:
        found = recommendations_for(person, now, limit=PER_EMAIL, newer_than=now - WEEK)
        if not found:
            continue
        message = queue_email(
            person.email,
            SUBJECT,
            "weekly_suggestions",
            person.locale,
            kind="suggestions",
            recipient=person,
            dedup_key=f"suggestions:{person.id}:{year}-{week:02d}",
            user=person,
            suggestions=found,
            links={r.need.id: absolute_url("needs.detail", need_id=r.need.id) for r in found},
            stop_url=absolute_url("invitations.stop_weekly", token=stop_token(person.id)),
        )
        queued += message is not None
    return queued
