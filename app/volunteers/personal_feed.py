"""The volunteer's personal iCalendar feed, read by calendar apps from a secret URL."""

from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.time import WARSAW
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Need
from app.models import Shift
from app.models import VolunteerProfile
from app.models.base import utcnow
from app.services.date_range import END_INSTANT
from app.services.date_range import FIRST_INSTANT

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
UID_DOMAIN = "okik.example.org"
# Recent shifts stay in the feed for a while so that the calendar keeps a short history.
RECENT_DAYS = 60
IN_FEED = (AssignmentStatus.ACCEPTED, AssignmentStatus.OFFERED)


def profile_by_token(token: str) -> VolunteerProfile | None:
    # Tokens are URL-safe base64; anything else (NUL bytes, other scripts) cannot match.
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    profile = db.session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.feed_token == token)
    )
    if profile is None or not profile.user.is_active:
        return None
    return profile


def assignment_uid(assignment_id: int) -> str:
    """Stable per assignment, so that calendar apps update an event instead of duplicating it."""
    return f"assignment-{assignment_id}@{UID_DOMAIN}"


def personal_calendar(profile: VolunteerProfile) -> bytes:
    """Accepted and offered shifts from RECENT_DAYS ago onwards, in Europe/Warsaw time; a shift
    stored with a year nobody means (older data) is left out rather than breaking the feed."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    assignments = db.session.scalars(
        select(Assignment)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            Assignment.volunteer_id == profile.user_id,
            Assignment.status.in_(IN_FEED),
            Shift.ends_at >= since,
            Shift.starts_at >= FIRST_INSTANT,
            Shift.ends_at < END_INSTANT,
            Shift.is_cancelled.is_(False),
        )
        .options(
            selectinload(Assignment.shift),
            selectinload(Assignment.need).selectinload(Need.institution),
        )
        .order_by(Shift.starts_at)
    ).all()
    with force_locale(profile.user.locale or "pl"):
        return _build(assignments)


def _build(assignments) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//OKIK//Gielda Wolontariatu//PL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Mój grafik – Giełda Wolontariatu OKIK"))
    cal.add("x-wr-timezone", "Europe/Warsaw")
    stamp = utcnow()
    for a in assignments:
        event = Event()
        event.add("uid", assignment_uid(a.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", a.shift.starts_at.astimezone(WARSAW))
        event.add("dtend", a.shift.ends_at.astimezone(WARSAW))
        title = a.need.title
        if a.status == AssignmentStatus.OFFERED:
            title = _("%(title)s (propozycja – czeka na Twoją odpowiedź)", title=title)
            event.add("status", "TENTATIVE")
        else:
            event.add("status", "CONFIRMED")
        event.add("summary", title)
        if a.need.place:
            event.add("location", a.need.place)
        event.add("description", a.need.institution.name)
        event.add("last-modified", a.updated_at)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
