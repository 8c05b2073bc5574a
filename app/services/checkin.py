"""Check-in on the day: staff tick who came, volunteers check themselves in with the shift's code.

A mark says present or absent, and for a late arrival or an early leave the time. It changes no
assignment: staff confirm attendance and hours afterwards on the hours page, where the marks fill
in the hours of each person and an absence waits for staff to record it as a no-show, with a
reason. Marking someone twice changes the one mark (a unique row per place), so a double tap or
two phones at once leave one mark, the last one written.

The shift's code is derived from the app's secret and the shift's id (an HMAC), so it needs no
column and cannot be guessed from the id; it is accepted only while the shift's window is open
and only from someone holding a place on that shift.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import current_app
from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.text import polish_sort_key
from app.core.time import WARSAW
from app.core.time import in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AttendanceMark
from app.models import Shift
from app.models import User
from app.models.base import utcnow
from app.services.permissions import can_manage_need

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones
CODE_LENGTH = 6
# Who appears on the check-in list: people holding a place, and those whose attendance staff
# already confirmed (so that the list still reads right after the hours page).
ON_LIST = (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED, AssignmentStatus.NO_SHOW)


class CheckInError(Exception):
    """A rule of checking in was broken; the message is shown to the person, at `field` if given."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- the shift's code ----------------------------------------------------------------------------


def shift_code(shift_id: int) -> str:
    digest = hmac.new(
        str(current_app.config["SECRET_KEY"]).encode(),
        f"check-in:{shift_id}".encode(),
        hashlib.sha256,
    ).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def normalised_code(raw: str) -> str:
    """What people type: lower case, spaces and dashes between groups are all fine."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def window(shift: Shift) -> tuple[datetime, datetime]:
    """When volunteers may check themselves in: a little before the start until the end."""
    opens = shift.starts_at - timedelta(minutes=current_app.config["CHECK_IN_OPENS_MINUTES"])
    return opens, shift.ends_at


# --- the list ------------------------------------------------------------------------------------


@dataclass
class RosterRow:
    assignment: Assignment
    mark: AttendanceMark | None

    @property
    def state(self) -> str:
        """ "present", "absent" or "unknown", for the page and its styles."""
        if self.mark is None:
            return "unknown"
        return "present" if self.mark.is_present else "absent"


def marks_by_assignment(shift_id: int) -> dict[int, AttendanceMark]:
    return {
        m.assignment_id: m
        for m in db.session.scalars(
            select(AttendanceMark).where(AttendanceMark.shift_id == shift_id)
        )
    }


def roster(shift: Shift) -> list[RosterRow]:
    people = db.session.scalars(
        select(Assignment)
        .where(Assignment.shift_id == shift.id, Assignment.status.in_(ON_LIST))
        .options(selectinload(Assignment.volunteer))
    ).all()
    marks = marks_by_assignment(shift.id)
    rows = [RosterRow(a, marks.get(a.id)) for a in people]
    rows.sort(
        key=lambda r: polish_sort_key(
            f"{r.assignment.volunteer.last_name} {r.assignment.volunteer.first_name}"
        )
    )
    return rows


def counts(rows: list[RosterRow]) -> dict[str, int]:
    found = {"present": 0, "absent": 0, "unknown": 0}
    for row in rows:
        found[row.state] += 1
    return found


# --- marking -------------------------------------------------------------------------------------


def _check_staff(actor: User, assignment: Assignment, now: datetime) -> None:
    if not can_manage_need(actor, assignment.need):
        raise PermissionError
    shift = assignment.shift
    if shift.is_cancelled:
        raise CheckInError(_("Ta zmiana została odwołana."))
    if now < window(shift)[0]:
        raise CheckInError(
            _("Listę obecności można wypełniać od dnia zmiany, tuż przed jej początkiem.")
        )
    if assignment.status != AssignmentStatus.ACCEPTED:
        raise CheckInError(
            _("Obecność tej osoby jest już zatwierdzona na stronie godzin; tam możesz ją zmienić.")
        )


def _save(assignment: Assignment, actor: User, **values) -> AttendanceMark:
    """Write the one mark of this place: insert it, or change it when it is there (also when a
    colleague inserted it a moment ago: the unique key sends us to the update)."""
    for _attempt in range(2):
        mark = db.session.scalar(
            select(AttendanceMark)
            .where(AttendanceMark.assignment_id == assignment.id)
            .with_for_update()
        )
        if mark is not None:
            for key, value in values.items():
                setattr(mark, key, value)
            mark.recorded_by_id = actor.id
            mark.updated_at = utcnow()
            db.session.flush()
            return mark
        savepoint = db.session.begin_nested()
        try:
            mark = AttendanceMark(
                assignment_id=assignment.id,
                shift_id=assignment.shift_id,
                recorded_by_id=actor.id,
                **values,
            )
            db.session.add(mark)
            savepoint.commit()
            return mark
        except IntegrityError:
            savepoint.rollback()
    raise CheckInError(_("Ktoś właśnie zapisał obecność tej osoby. Odśwież listę."))


def mark_present(
    actor: User, assignment: Assignment, now: datetime | None = None
) -> AttendanceMark:
    """One tap: the person is here, for the whole shift unless times are given later."""
    _check_staff(actor, assignment, now or utcnow())
    return _save(assignment, actor, is_present=True, is_self_check_in=False)


def mark_absent(actor: User, assignment: Assignment, now: datetime | None = None) -> AttendanceMark:
    """One tap: not here. Only staff recording a no-show on the hours page makes it final."""
    _check_staff(actor, assignment, now or utcnow())
    return _save(
        assignment, actor, is_present=False, arrived_at=None, left_at=None, is_self_check_in=False
    )


def moment_on_shift(shift: Shift, clock: time) -> datetime:
    """A wall-clock time typed in Warsaw, on the shift's day (or the next one for a shift that
    runs past midnight), in UTC."""
    start = in_warsaw(shift.starts_at)
    moment = datetime.combine(start.date(), clock, tzinfo=WARSAW)
    if moment < start - timedelta(hours=12):
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


def set_times(
    actor: User,
    assignment: Assignment,
    arrived: time | None,
    left: time | None,
    now: datetime | None = None,
) -> AttendanceMark:
    """A late arrival and/or an early leave; either may be left empty (the shift's own time)."""
    _check_staff(actor, assignment, now or utcnow())
    shift = assignment.shift
    arrived_at = moment_on_shift(shift, arrived) if arrived else None
    left_at = moment_on_shift(shift, left) if left else None
    if arrived_at is not None and not shift.starts_at <= arrived_at < shift.ends_at:
        raise CheckInError(_("Godzina przyjścia musi mieścić się w czasie zmiany."), "arrived")
    if left_at is not None and not shift.starts_at < left_at <= shift.ends_at:
        raise CheckInError(_("Godzina wyjścia musi mieścić się w czasie zmiany."), "left")
    if arrived_at is not None and left_at is not None and left_at <= arrived_at:
        raise CheckInError(_("Godzina wyjścia musi być późniejsza niż godzina przyjścia."), "left")
    if arrived_at == shift.starts_at:
        arrived_at = None
    if left_at == shift.ends_at:
        left_at = None
    return _save(assignment, actor, is_present=True, arrived_at=arrived_at, left_at=left_at)


# --- the volunteer with the code -----------------------------------------------------------------


def _own_places(volunteer: User) -> list[Assignment]:
    """The volunteer's places on shifts that are about to start, running, or ended today."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(
                Assignment.volunteer_id == volunteer.id,
                Assignment.status == AssignmentStatus.ACCEPTED,
                Shift.is_cancelled.is_(False),
                Shift.ends_at >= now - timedelta(days=1),
                Shift.starts_at <= now + timedelta(days=1),
            )
            .order_by(Shift.starts_at)
        )
    )


def self_check_in(volunteer: User, raw_code: str, now: datetime | None = None) -> Assignment:
    """Check the volunteer in on the shift whose code they typed, during its window only. A
    check-in after the start is a late arrival at that minute."""
    now = now or utcnow()
    code = normalised_code(raw_code)
    place = next(
        (a for a in _own_places(volunteer) if hmac.compare_digest(shift_code(a.shift_id), code)),
        None,
    )
    if place is None:
        raise CheckInError(
            _("Ten kod nie pasuje do żadnej Twojej zmiany. Sprawdź go u osoby prowadzącej."), "code"
        )
    opens, closes = window(place.shift)
    if not opens <= now <= closes:
        raise CheckInError(
            _(
                "Zameldować się można od %(opens)s do %(closes)s (czas warszawski).",
                opens=format_time(opens, "short"),
                closes=format_time(closes, "short"),
            ),
            "code",
        )
    existing = marks_by_assignment(place.shift_id).get(place.id)
    if existing is not None and existing.is_present:
        return place  # checked in already: the first time stands
    late = now.replace(second=0, microsecond=0)
    arrived_at = late if late > place.shift.starts_at else None
    _save(
        place,
        volunteer,
        is_present=True,
        arrived_at=arrived_at,
        left_at=None,
        is_self_check_in=True,
    )
    return place


# --- what the hours page takes from the marks ----------------------------------------------------


def prefilled_hours(shift: Shift, mark: AttendanceMark | None, default: float) -> float:
    """The hours to offer for confirmation: from arrival to leaving, to the quarter hour, where
    the list notes a late arrival or an early leave; otherwise `default` (the shift's length, or
    what staff typed for everyone)."""
    if mark is None or not mark.is_present or (mark.arrived_at is None and mark.left_at is None):
        return default
    start = mark.arrived_at or shift.starts_at
    end = mark.left_at or shift.ends_at
    hours = (end - start).total_seconds() / 3600
    return min(24.0, max(0.25, round(hours * 4) / 4))
