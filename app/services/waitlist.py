"""Waiting lists of full shifts: joining, leaving, and offering freed places in turn.

When a shift is full a volunteer may wait for a place. A place that frees up (a withdrawal, a
declined or expired offer, places added by staff) is offered to the first person waiting, as
an ordinary offer (`Assignment`, source `waitlist`) that holds the place until they answer or
until WAITLIST_OFFER_HOURS pass, never past the shift's start; declined or expired, it frees the
place again and the next person is asked.

Offers are made under the same rules as every booking (`place_volunteer`: the guarded counter,
the volunteer's lock and overlap check, the minors' rules and the limits that protect people),
each in a transaction of its own that first locks the person's profile and then the shift, in
the order used everywhere. A person the rules do not allow now keeps their place in the queue
and is passed over; the next one is asked.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ACTIVE
from app.models import BOOKED
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import Shift
from app.models import User
from app.models import WaitlistEntry
from app.models.base import rows_changed
from app.models.base import utcnow
from app.services import audit
from app.services import freed_places
from app.services.applications import TIME_TAKEN_BY_APPLICATIONS
from app.services.applications import ApplicationError
from app.services.applications import eligibility_problems
from app.services.applications import lock_shift
from app.services.applications import lock_volunteer
from app.services.applications import overlapping
from app.services.applications import place_volunteer
from app.services.limits import breach
from app.services.limits import refusal_text
from app.services.notices import notify

S = AssignmentStatus


class WaitlistNews(ApplicationError):
    """A repeated request (a double click, a second tab): nothing changed, and it says why."""


def offer_hours() -> int:
    return int(current_app.config.get("WAITLIST_OFFER_HOURS", 12))


def offer_deadline(shift: Shift, now: datetime) -> datetime:
    """A short answer time, which never runs past the shift's start."""
    return min(now + timedelta(hours=offer_hours()), shift.starts_at)


def positions(volunteer_id: int, shift_ids: list[int]) -> dict[int, int]:
    """The volunteer's place in the queue (1 = next) on each of these shifts they wait for."""
    if not shift_ids:
        return {}
    mine = (
        select(WaitlistEntry.shift_id, WaitlistEntry.created_at, WaitlistEntry.id)
        .where(WaitlistEntry.volunteer_id == volunteer_id, WaitlistEntry.shift_id.in_(shift_ids))
        .subquery()
    )
    ahead = func.count(WaitlistEntry.id)
    rows = db.session.execute(
        select(mine.c.shift_id, ahead)
        .join(
            WaitlistEntry,
            (WaitlistEntry.shift_id == mine.c.shift_id)
            & (
                (WaitlistEntry.created_at < mine.c.created_at)
                | (
                    (WaitlistEntry.created_at == mine.c.created_at)
                    & (WaitlistEntry.id <= mine.c.id)
                )
            ),
        )
        .group_by(mine.c.shift_id)
    )
    return {shift_id: count for shift_id, count in rows}


def queue_lengths(shift_ids: list[int]) -> dict[int, int]:
    if not shift_ids:
        return {}
    rows = db.session.execute(
        select(WaitlistEntry.shift_id, func.count(WaitlistEntry.id))
        .where(WaitlistEntry.shift_id.in_(shift_ids))
        .group_by(WaitlistEntry.shift_id)
    )
    return {shift_id: count for shift_id, count in rows}


def _has_live_assignment(volunteer_id: int, shift_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Assignment.volunteer_id == volunteer_id,
                    Assignment.shift_id == shift_id,
                    Assignment.status.in_(ACTIVE),
                )
            )
        )
    )


def _join_refusal(volunteer: User, shift: Shift, now: datetime) -> str | None:
    """Why the volunteer may not wait for this shift now; checked under their lock."""
    if shift.is_cancelled:
        return _("Ta zmiana została odwołana.")
    if shift.starts_at <= now:
        return _("Ta zmiana już się rozpoczęła.")
    if shift.accepted_count < shift.places:
        return _("Na tej zmianie są wolne miejsca: zgłoś się na nią zamiast czekać.")
    live = _has_live_assignment(volunteer.id, shift.id)
    if live:
        return _("Masz już zgłoszenie albo miejsce na tej zmianie.")
    clash = overlapping(volunteer.id, shift.starts_at, shift.ends_at, statuses=BOOKED)
    if clash is not None:
        return _(
            "Ta zmiana nakłada się na Twoją inną zmianę („%(title)s”).", title=clash.need.title
        )
    found = breach(volunteer.id, shift, TIME_TAKEN_BY_APPLICATIONS, now=now)
    return None if found is None else refusal_text(found, own=True)


def join(volunteer: User, shift: Shift) -> WaitlistEntry:
    """Put the volunteer at the end of the shift's waiting list; refused with the reason."""
    problems = eligibility_problems(volunteer, shift.need)
    if problems:
        raise ApplicationError(" ".join(problems))
    lock_volunteer(volunteer.id)
    # Under the lock a second click sees what the first one wrote.
    if db.session.scalar(
        select(
            exists().where(
                WaitlistEntry.shift_id == shift.id, WaitlistEntry.volunteer_id == volunteer.id
            )
        )
    ):
        raise WaitlistNews(_("Już czekasz na miejsce na tej zmianie."))
    db.session.refresh(shift, ["places", "accepted_count", "is_cancelled"])
    refusal = _join_refusal(volunteer, shift, utcnow())
    if refusal:
        raise ApplicationError(refusal)
    entry = WaitlistEntry(shift_id=shift.id, volunteer_id=volunteer.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise WaitlistNews(_("Już czekasz na miejsce na tej zmianie.")) from None
    audit.record(volunteer, "waitlist.joined", shift, need_id=shift.need_id)
    return entry


def leave(volunteer: User, shift: Shift) -> None:
    """Take the volunteer off the shift's waiting list."""
    result = db.session.execute(
        delete(WaitlistEntry)
        .where(WaitlistEntry.shift_id == shift.id, WaitlistEntry.volunteer_id == volunteer.id)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise WaitlistNews(_("Nie czekasz już na miejsce na tej zmianie."))
    audit.record(volunteer, "waitlist.left", shift, need_id=shift.need_id)


def _head(shift_id: int, passed_over: set[int]) -> WaitlistEntry | None:
    query = (
        select(WaitlistEntry)
        .where(WaitlistEntry.shift_id == shift_id)
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .limit(1)
    )
    if passed_over:
        query = query.where(WaitlistEntry.id.not_in(sorted(passed_over)))
    return db.session.scalar(query)


def _has_room(shift: Shift | None, now: datetime) -> bool:
    return (
        shift is not None
        and not shift.is_cancelled
        and shift.starts_at > now
        and shift.accepted_count < shift.places
    )


def _offer_to(entry_id: int, volunteer: User, shift: Shift, now: datetime) -> bool | None:
    """Offer the shift to the person of this entry: True when offered, None when the entry was
    taken meanwhile (by another process), False when the rules do not allow it now."""
    lock_volunteer(volunteer.id)
    lock_shift(shift.id)
    savepoint = db.session.begin_nested()
    taken = db.session.execute(
        delete(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(taken) != 1:
        savepoint.rollback()
        return None
    live = _has_live_assignment(volunteer.id, shift.id)
    if live:  # they applied or were offered the shift another way: no longer waiting
        savepoint.commit()
        return None
    assignment = Assignment(
        volunteer_id=volunteer.id,
        shift_id=shift.id,
        need_id=shift.need_id,
        status=S.PROPOSED,
        source=AssignmentSource.WAITLIST,
    )
    db.session.add(assignment)
    try:
        db.session.flush()
    except IntegrityError:  # they applied to the shift a moment ago: no longer waiting
        savepoint.rollback()
        return False
    deadline = offer_deadline(shift, now)
    try:
        place_volunteer(assignment, volunteer, to=S.OFFERED, offered_at=now, expires_at=deadline)
    except ApplicationError:
        savepoint.rollback()
        return False
    savepoint.commit()
    notify(
        [volunteer.id],
        "waitlist_offer",
        shift.need_id,
        title=shift.need.title,
        starts_at=shift.starts_at.isoformat(),
        expires_at=deadline.isoformat(),
    )
    audit.record(
        None, "waitlist.offered", assignment, need_id=shift.need_id, volunteer_id=volunteer.id
    )
    return True


def advance(shift_id: int, now: datetime | None = None) -> int:
    """Offer the shift's free places to the people waiting, in turn; returns the offers made.

    Runs after the change that freed the place has been committed, and commits each attempt
    itself, so that every attempt takes its locks in the usual order. Bounded: each attempt
    either fills a place or takes one entry out of consideration.
    """
    now = now or utcnow()
    offered = 0
    passed_over: set[int] = set()
    for _attempt in range(10_000):
        shift = db.session.get(Shift, shift_id, populate_existing=True)
        entry = (
            _head(shift_id, passed_over) if shift is not None and _has_room(shift, now) else None
        )
        if shift is None or entry is None:
            break
        outcome = _offer_to(entry.id, entry.volunteer, shift, now)
        db.session.commit()
        if outcome:
            offered += 1
        elif outcome is False:
            passed_over.add(entry.id)
    db.session.rollback()
    return offered


def advance_freed(now: datetime | None = None) -> int:
    """Move the lists of the shifts that committed transactions of this session freed."""
    offered = 0
    for _round in range(100):
        shift_ids = freed_places.take_committed(db.session())
        if not shift_ids:
            break
        offered += sum(advance(shift_id, now) for shift_id in shift_ids)
    return offered


def sweep(now: datetime | None = None) -> int:
    """Move every list whose shift has a free place (the scheduler's safety net)."""
    now = now or utcnow()
    shift_ids = list(
        db.session.scalars(
            select(Shift.id)
            .where(
                Shift.is_cancelled.is_(False),
                Shift.starts_at > now,
                Shift.accepted_count < Shift.places,
                exists().where(WaitlistEntry.shift_id == Shift.id),
            )
            .order_by(Shift.id)
        )
    )
    db.session.rollback()
    return sum(advance(shift_id, now) for shift_id in shift_ids)
