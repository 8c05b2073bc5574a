"""Hours: staff confirm attendance on shifts, volunteers log time on long-term needs.

HoursEntry is the one ledger of worked time. A confirmed row is never changed silently: every
correction needs a reason and writes an audit entry with who, the old and new hours, and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.text import polish_sort_key
from app.core.time import WARSAW
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Need
from app.models import NeedKind
from app.models import Shift
from app.models import User
from app.models.base import utcnow
from app.models.hours import HoursEntry
from app.models.hours import HoursSource
from app.models.hours import HoursStatus
from app.services import audit
from app.services import checkin
from app.services.permissions import can_manage_need
from app.services.permissions import managed_need_ids_query
from app.services.status_messages import attendance_state

MAX_HOURS = 24.0


class HoursError(Exception):
    """A rule of the hours ledger was broken; the message is shown to the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AttendanceAlreadyRecorded(HoursError):
    """Someone recorded this person's attendance (or they left the shift) a moment ago: nothing
    changed, and the message says what the row holds now."""


def warsaw_date(moment: datetime) -> date:
    return moment.astimezone(WARSAW).date()


def shift_length(shift: Shift) -> float:
    """The default hours for a shift: its length, rounded to a quarter of an hour, at most 24."""
    hours = (shift.ends_at - shift.starts_at).total_seconds() / 3600
    return min(MAX_HOURS, max(0.25, round(hours * 4) / 4))


def check_hours(hours: float) -> float:
    """Hours are more than 0 and at most 24, kept with two decimals."""
    if not isinstance(hours, int | float) or not math.isfinite(hours):
        raise HoursError(_("Podaj liczbę godzin."), "hours")
    value = round(float(hours), 2)
    if not 0 < value <= MAX_HOURS:
        raise HoursError(_("Liczba godzin musi być większa od 0 i nie większa niż 24."), "hours")
    return value


def has_started(shift: Shift) -> bool:
    return shift.starts_at <= utcnow()


# --- shifts --------------------------------------------------------------------------------------


@dataclass
class ShiftSheet:
    """What staff see on a shift's attendance page."""

    shift: Shift
    started: bool
    default_hours: float
    to_confirm: list[Assignment] = field(default_factory=list)
    done: list[tuple[Assignment, HoursEntry | None]] = field(default_factory=list)


def shift_sheet(shift: Shift) -> ShiftSheet:
    rows = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.shift_id == shift.id,
            Assignment.status.in_(
                [AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED, AssignmentStatus.NO_SHOW]
            ),
        )
        .options(selectinload(Assignment.volunteer))
        .order_by(Assignment.id)
    ).all()
    entries = {
        e.assignment_id: e
        for e in db.session.scalars(
            select(HoursEntry).where(HoursEntry.assignment_id.in_([a.id for a in rows] or [-1]))
        )
    }
    sheet = ShiftSheet(shift, has_started(shift), shift_length(shift))
    for a in rows:
        if a.status == AssignmentStatus.ACCEPTED:
            sheet.to_confirm.append(a)
        else:
            sheet.done.append((a, entries.get(a.id)))
    sheet.done.sort(key=lambda pair: polish_sort_key(pair[0].volunteer.last_name))
    sheet.to_confirm.sort(key=lambda a: polish_sort_key(a.volunteer.last_name))
    return sheet


def _check_attendance(actor: User, assignment: Assignment) -> None:
    shift = assignment.shift
    if not can_manage_need(actor, assignment.need):
        raise PermissionError
    if shift.is_cancelled:
        raise HoursError(_("Ta zmiana została odwołana."))
    if not has_started(shift):
        raise HoursError(_("Obecność można potwierdzić dopiero po rozpoczęciu zmiany."))
    if assignment.status != AssignmentStatus.ACCEPTED:
        raise AttendanceAlreadyRecorded(attendance_state(assignment.status))


def _record_attendance(assignment: Assignment, status: AssignmentStatus, **values) -> None:
    """The compare-and-set of attendance; the place stays counted (see COUNTED_IN_PLACES)."""
    if not assignment.move_to(status, **values):
        raise AttendanceAlreadyRecorded(attendance_state(assignment.status))


def confirm_assignment(actor: User, assignment: Assignment, hours: float) -> HoursEntry:
    """The volunteer came: the place is completed and the hours go into the ledger, confirmed."""
    _check_attendance(actor, assignment)
    value = check_hours(hours)
    _record_attendance(assignment, AssignmentStatus.COMPLETED, decided_by_id=actor.id)
    entry = HoursEntry(
        volunteer_id=assignment.volunteer_id,
        institution_id=assignment.need.institution_id,
        need_id=assignment.need_id,
        assignment_id=assignment.id,
        worked_on=warsaw_date(assignment.shift.starts_at),
        hours=value,
        source=HoursSource.SHIFT,
        status=HoursStatus.CONFIRMED,
        confirmed_by_id=actor.id,
        confirmed_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "hours.confirmed", entry, assignment_id=assignment.id, hours=value)
    return entry


def confirm_shift(actor: User, shift: Shift, hours: float) -> list[HoursEntry]:
    """Confirm everyone still marked as accepted on the shift with the same hours; people whose
    attendance someone recorded meanwhile keep what was recorded."""
    value = check_hours(hours)
    sheet = shift_sheet(shift)
    if not sheet.to_confirm:
        if sheet.done:
            raise AttendanceAlreadyRecorded(
                _("Obecność wszystkich osób na tej zmianie została już zapisana.")
            )
        raise HoursError(_("Na tej zmianie nie ma nikogo do potwierdzenia."))
    done = []
    # People ticked absent on the check-in list stay to be recorded one by one, with a reason;
    # those with a late arrival or an early leave get the hours the list gives them.
    marks = checkin.marks_by_assignment(shift.id)
    # By ascending id, as every batch of rows is changed, so that batches never deadlock.
    for assignment in sorted(sheet.to_confirm, key=lambda a: a.id):
        mark = marks.get(assignment.id)
        if mark is not None and not mark.is_present:
            continue
        try:
            done.append(
                confirm_assignment(actor, assignment, checkin.prefilled_hours(shift, mark, value))
            )
        except AttendanceAlreadyRecorded:
            continue
    if not done and any(not m.is_present for m in marks.values()):
        raise HoursError(
            _("Osoby z tej listy są zaznaczone jako nieobecne: zapisz ich nieobecność z powodem.")
        )
    if not done:
        raise AttendanceAlreadyRecorded(
            _("Obecność wszystkich osób na tej zmianie została już zapisana.")
        )
    return done


def mark_no_show(actor: User, assignment: Assignment, reason: str) -> None:
    """The volunteer did not come. A volunteer's own withdrawal is not this: it is WITHDRAWN."""
    _check_attendance(actor, assignment)
    reason = (reason or "").strip()
    if not reason:
        raise HoursError(_("Podaj powód."), "reason")
    _record_attendance(
        assignment, AssignmentStatus.NO_SHOW, decision_note=reason[:500], decided_by_id=actor.id
    )
    audit.record(actor, "assignment.no_show", assignment, reason=reason[:500])


def correct_entry(actor: User, entry: HoursEntry, hours: float, reason: str) -> HoursEntry:
    """Change the hours of an entry (confirmed or pending) with a reason; always audit-logged.

    A pending self-log that staff correct becomes confirmed with the corrected hours.
    """
    if entry.need is None or not can_manage_need(actor, entry.need):
        raise PermissionError
    if entry.status == HoursStatus.REJECTED:
        raise HoursError(_("Odrzuconego wpisu nie można poprawić."))
    value = check_hours(hours)
    reason = (reason or "").strip()
    if not reason:
        raise HoursError(_("Podaj powód poprawki."), "reason")
    old = float(entry.hours)
    old_status = entry.status
    entry.hours = value
    entry.correction_note = reason[:500]
    if entry.status == HoursStatus.PENDING:
        entry.status = HoursStatus.CONFIRMED
        entry.confirmed_by_id = actor.id
        entry.confirmed_at = utcnow()
    audit.record(
        actor,
        "hours.corrected",
        entry,
        old_hours=old,
        new_hours=value,
        old_status=str(old_status),
        reason=reason[:500],
    )
    return entry


# --- volunteers' own logs ------------------------------------------------------------------------


def self_log_needs(volunteer: User) -> list[Need]:
    """Long-term needs where the volunteer holds (or held) a place: they may log their own time."""
    return list(
        db.session.scalars(
            select(Need)
            .where(
                Need.kind == NeedKind.LONG_TERM,
                exists().where(
                    Assignment.need_id == Need.id,
                    Assignment.volunteer_id == volunteer.id,
                    Assignment.status.in_([AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED]),
                ),
            )
            .order_by(Need.title)
        )
    )


def log_own_hours(
    volunteer: User, need_id: int, worked_on: date, hours: float, description: str
) -> HoursEntry:
    """A pending entry that the host institution's staff confirm, correct or reject."""
    need = next((n for n in self_log_needs(volunteer) if n.id == need_id), None)
    if need is None:
        raise HoursError(
            _(
                "Godziny możesz wpisać tylko przy długoterminowej współpracy, do której Cię przyjęto."
            ),
            "need",
        )
    if worked_on > today_in_warsaw():
        raise HoursError(_("Data nie może być z przyszłości."), "worked_on")
    value = check_hours(hours)
    description = (description or "").strip()
    if not description:
        raise HoursError(_("Opisz krótko wykonaną pracę."), "description")
    entry = HoursEntry(
        volunteer_id=volunteer.id,
        institution_id=need.institution_id,
        need_id=need.id,
        worked_on=worked_on,
        hours=value,
        description=description[:1000],
        source=HoursSource.SELF_LOG,
        status=HoursStatus.PENDING,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def confirm_entry(actor: User, entry: HoursEntry) -> None:
    if entry.need is None or not can_manage_need(actor, entry.need):
        raise PermissionError
    if entry.status != HoursStatus.PENDING:
        raise HoursError(_("Ten wpis nie czeka już na potwierdzenie."))
    entry.status = HoursStatus.CONFIRMED
    entry.confirmed_by_id = actor.id
    entry.confirmed_at = utcnow()
    audit.record(actor, "hours.confirmed", entry, hours=float(entry.hours))


def reject_entry(actor: User, entry: HoursEntry, reason: str) -> None:
    if entry.need is None or not can_manage_need(actor, entry.need):
        raise PermissionError
    if entry.status != HoursStatus.PENDING:
        raise HoursError(_("Ten wpis nie czeka już na potwierdzenie."))
    reason = (reason or "").strip()
    if not reason:
        raise HoursError(_("Podaj powód."), "reason")
    entry.status = HoursStatus.REJECTED
    entry.correction_note = reason[:500]
    entry.confirmed_by_id = actor.id
    entry.confirmed_at = utcnow()
    audit.record(actor, "hours.rejected", entry, hours=float(entry.hours), reason=reason[:500])


# --- staff's list --------------------------------------------------------------------------------


def shifts_to_confirm(actor: User, limit: int = 200) -> list[tuple[Shift, int]]:
    """Started, not cancelled shifts of the actor's needs with people still marked as accepted."""
    rows = db.session.execute(
        select(Shift, db.func.count(Assignment.id))
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.status == AssignmentStatus.ACCEPTED,
            Shift.need_id.in_(managed_need_ids_query(actor)),
            Shift.starts_at <= utcnow(),
            Shift.is_cancelled.is_(False),
        )
        .group_by(Shift.id)
        .order_by(Shift.starts_at)
        .limit(limit)
    ).all()
    return [(shift, count) for shift, count in rows]


def pending_logs(actor: User, limit: int = 200) -> list[HoursEntry]:
    return list(
        db.session.scalars(
            select(HoursEntry)
            .where(
                HoursEntry.status == HoursStatus.PENDING,
                HoursEntry.need_id.in_(managed_need_ids_query(actor)),
            )
            .options(selectinload(HoursEntry.volunteer), selectinload(HoursEntry.need))
            .order_by(HoursEntry.worked_on, HoursEntry.id)
            .limit(limit)
        )
    )


# --- the volunteer's summary ---------------------------------------------------------------------


@dataclass
class Summary:
    total: float
    per_month: list[tuple[str, float]]  # ("2026-05", hours), newest first
    per_institution: list[tuple[str, float]]  # (name, hours), most first
    pending: list[HoursEntry]
    confirmed: list[HoursEntry]


def summary(volunteer_id: int) -> Summary:
    entries = list(
        db.session.scalars(
            select(HoursEntry)
            .where(HoursEntry.volunteer_id == volunteer_id)
            .options(selectinload(HoursEntry.institution), selectinload(HoursEntry.need))
            .order_by(HoursEntry.worked_on.desc(), HoursEntry.id.desc())
        )
    )
    confirmed = [e for e in entries if e.status == HoursStatus.CONFIRMED]
    months: dict[str, float] = {}
    institutions: dict[str, float] = {}
    for e in confirmed:
        key = e.worked_on.strftime("%Y-%m")
        months[key] = months.get(key, 0) + float(e.hours)
        institutions[e.institution.name] = institutions.get(e.institution.name, 0) + float(e.hours)
    return Summary(
        total=round(sum(months.values()), 2),
        per_month=sorted(((k, round(v, 2)) for k, v in months.items()), reverse=True),
        per_institution=sorted(
            ((k, round(v, 2)) for k, v in institutions.items()), key=lambda kv: (-kv[1], kv[0])
        ),
        pending=[e for e in entries if e.status == HoursStatus.PENDING],
        confirmed=confirmed,
    )
