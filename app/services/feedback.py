"""Feedback after a shift: from the morning after, a volunteer who served rates it 1 to 5.

Staff read the results of their institutions, coordinators those of the whole coalition. Where a
shift has fewer than ANONYMOUS_BELOW answers, nobody is named next to a comment: with two or three
answers the institution would otherwise know who said what.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.time import WARSAW
from app.core.time import in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AttendanceMark
from app.models import Need
from app.models import Shift
from app.models import ShiftFeedback
from app.models import User
from app.models.base import utcnow
from app.services import audit

ANONYMOUS_BELOW = 5
OPENS_AT = time(6)  # Warsaw, the day after the shift ends
OPEN_DAYS = 30  # how long after the shift an answer is still taken
# Places whose holder served (or was still marked as serving when the shift ended).
SERVED = (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED)


class FeedbackError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def opens_at(shift: Shift) -> datetime:
    """The morning after the shift, Warsaw time."""
    day = in_warsaw(shift.ends_at).date() + timedelta(days=1)
    return datetime.combine(day, OPENS_AT, tzinfo=WARSAW)


def is_open(shift: Shift, now: datetime | None = None) -> bool:
    now = now or utcnow()
    start = opens_at(shift)
    return start <= now < start + timedelta(days=OPEN_DAYS)


def to_give(volunteer: User) -> list[Assignment]:
    """The volunteer's served shifts that are open for an answer and not yet rated."""
    now = utcnow()
    rated = select(ShiftFeedback.shift_id).where(ShiftFeedback.volunteer_id == volunteer.id)
    rows = db.session.scalars(
        select(Assignment)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            Assignment.volunteer_id == volunteer.id,
            Assignment.status.in_(SERVED),
            Shift.is_cancelled.is_(False),
            Shift.ends_at < now,
            Shift.ends_at > now - timedelta(days=OPEN_DAYS + 2),
            Assignment.shift_id.not_in(rated),
        )
        .options(selectinload(Assignment.shift), selectinload(Assignment.need))
        .order_by(Shift.starts_at.desc())
    ).all()
    return [a for a in rows if is_open(a.shift, now)]


def check(volunteer: User, assignment: Assignment) -> None:
    """May this volunteer rate this place's shift now? Raises with the reason."""
    if assignment.volunteer_id != volunteer.id:
        raise PermissionError
    marked_absent = db.session.scalar(
        select(AttendanceMark.id).where(
            AttendanceMark.assignment_id == assignment.id, AttendanceMark.is_present.is_(False)
        )
    )
    if assignment.status not in SERVED or assignment.shift.is_cancelled or marked_absent:
        raise FeedbackError(_("Ocenić można tylko zmianę, w której brało się udział."))
    now = utcnow()
    if now < opens_at(assignment.shift):
        raise FeedbackError(_("Zmianę można ocenić od rana następnego dnia."))
    if not is_open(assignment.shift, now):
        raise FeedbackError(_("Czas na ocenę tej zmiany minął."))


def give(volunteer: User, assignment: Assignment, rating: int, comment: str) -> ShiftFeedback:
    check(volunteer, assignment)
    if rating not in range(1, 6):
        raise FeedbackError(_("Wybierz ocenę od 1 do 5."), "rating")
    answer = ShiftFeedback(
        shift_id=assignment.shift_id,
        institution_id=assignment.need.institution_id,
        volunteer_id=volunteer.id,
        rating=rating,
        comment=(comment or "").strip()[:1000],
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(answer)
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        raise FeedbackError(_("Ta zmiana ma już Twoją ocenę. Dziękujemy!")) from None
    audit.record(volunteer, "shift_feedback.given", assignment, rating=rating)
    return answer


def already_given(volunteer: User, shift_id: int) -> ShiftFeedback | None:
    return db.session.scalar(
        select(ShiftFeedback).where(
            ShiftFeedback.volunteer_id == volunteer.id, ShiftFeedback.shift_id == shift_id
        )
    )


# --- results -------------------------------------------------------------------------------------


@dataclass
class ShiftResult:
    shift: Shift
    ratings: list[int] = field(default_factory=list)
    # (name or None, comment): names only where enough people answered.
    comments: list[tuple[str | None, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ratings)

    @property
    def average(self) -> float:
        return round(sum(self.ratings) / len(self.ratings), 1) if self.ratings else 0.0

    @property
    def names_hidden(self) -> bool:
        return self.count < ANONYMOUS_BELOW


def results(actor: User, limit: int = 200) -> list[ShiftResult]:
    """Per shift, newest first: staff see their institutions', coordinators the coalition's."""
    query = select(ShiftFeedback).options(
        selectinload(ShiftFeedback.shift).selectinload(Shift.need).selectinload(Need.institution),
        selectinload(ShiftFeedback.volunteer),
    )
    if not actor.is_coordinator:
        query = query.where(ShiftFeedback.institution_id.in_(actor.institution_ids() or {-1}))
    answers = db.session.scalars(query.order_by(ShiftFeedback.id)).all()
    by_shift: dict[int, ShiftResult] = {}
    for answer in answers:
        result = by_shift.setdefault(answer.shift_id, ShiftResult(answer.shift))
        result.ratings.append(answer.rating)
    for answer in answers:
        result = by_shift[answer.shift_id]
        if answer.comment:
            person = answer.volunteer if not result.names_hidden else None
            result.comments.append((person.full_name if person else None, answer.comment))
    ordered = sorted(by_shift.values(), key=lambda r: r.shift.starts_at, reverse=True)
    return ordered[:limit]
