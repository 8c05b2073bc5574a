"""Applying to shifts, withdrawing, and staff decisions: the rules that keep places and people safe.

Two rules must hold also when people act at the same moment:
- a shift never has more accepted volunteers than places: `accepted_count` changes only through a
  guarded UPDATE (`... WHERE accepted_count < places`), which the database applies one at a time;
- a volunteer is never booked on two overlapping shifts anywhere in the coalition: every booking
  change first locks the volunteer's profile row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
  allows one writer at a time anyway), then checks the overlap.

Every status change is a compare-and-set (`Assignment.move_to`); places are taken or given back,
and people told, only when it changed the row, so a repeated request changes nothing and says
why (`AlreadyDecided`). Whatever takes or gives back a place first locks the shift's row. Rows are
locked in one order everywhere, so that requests wait their turn rather than deadlock: volunteer
profiles, then shifts, then assignments, each kind by ascending id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from app.core.time import WARSAW
from app.extensions import db
from app.models import BOOKED
from app.models import COUNTED_IN_PLACES
from app.models import HOLDS_PLACE
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import ChildProtectionCheck
from app.models import Need
from app.models import NeedStatus
from app.models import Shift
from app.models import User
from app.models import VolunteerProfile
from app.models.base import rows_changed
from app.models.base import utcnow
from app.services import audit
from app.services import freed_places
from app.services import qualifications
from app.services.limits import breach
from app.services.limits import refusal_text
from app.services.notices import notify
from app.services.status_messages import application_state
from app.services.status_messages import proposal_state


class ApplicationError(Exception):
    """Refused, with the reason in the user's language."""


class AlreadyDecided(ApplicationError):
    """A repeated or late request: nothing changed, and the message says the row's current state.

    Pages show it as news, not as an error: someone (perhaps the same person a moment ago) did it.
    """

    def __init__(self, message: str, status: AssignmentStatus) -> None:
        super().__init__(message)
        self.status = status


def lock_volunteer(volunteer_id: int) -> VolunteerProfile | None:
    return db.session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.user_id == volunteer_id).with_for_update()
    )


def lock_shift(shift_id: int) -> None:
    """Hold the shift's row until the transaction ends, before taking or giving back its places.

    FOR NO KEY UPDATE, not FOR UPDATE: applications being inserted meanwhile only need the row to
    stay (their foreign key check), and must not wait.
    """
    db.session.execute(select(Shift.id).where(Shift.id == shift_id).with_for_update(key_share=True))


def recount_places(shift_id: int) -> None:
    """Set the shift's counter from the rows it counts; the caller holds the shift's lock."""
    counted = (
        select(func.count(Assignment.id))
        .where(Assignment.shift_id == shift_id, Assignment.status.in_(COUNTED_IN_PLACES))
        .scalar_subquery()
    )
    db.session.execute(
        update(Shift)
        .where(Shift.id == shift_id)
        .values(accepted_count=counted)
        .execution_options(synchronize_session=False)
    )


def has_child_protection_checks(volunteer_id: int) -> bool:
    return bool(
        db.session.scalar(select(exists().where(ChildProtectionCheck.user_id == volunteer_id)))
    )


def overlapping(
    volunteer_id: int,
    starts_at: datetime,
    ends_at: datetime,
    statuses=BOOKED,
    exclude_shift: int | None = None,
) -> Shift | None:
    """A shift of this volunteer, at any institution, whose time overlaps the given one."""
    query = (
        select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.status.in_(statuses),
            Shift.starts_at < ends_at,
            Shift.ends_at > starts_at,
        )
        .limit(1)
    )
    if exclude_shift is not None:
        query = query.where(Shift.id != exclude_shift)
    return db.session.scalar(query)


def _local(moment: datetime) -> str:
    return moment.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M")


def eligibility_problems(volunteer: User, need: Need, today: date | None = None) -> list[str]:
    """What stops this volunteer from applying to this need at all (not shift-specific)."""
    today = today or utcnow().astimezone(WARSAW).date()
    problems = []
    if not volunteer.is_volunteer or volunteer.profile is None:
        return [_("Zgłaszać się mogą tylko wolontariusze.")]
    if need.status != NeedStatus.PUBLISHED:
        problems.append(_("Ta potrzeba nie przyjmuje zgłoszeń."))
    profile = volunteer.profile
    if need.min_age:
        age = profile.age_on(today)
        if age is None:
            problems.append(_("Uzupełnij datę urodzenia w profilu: ta potrzeba ma minimalny wiek."))
        elif age < need.min_age:
            problems.append(_("Minimalny wiek dla tej potrzeby to %(age)d lat.", age=need.min_age))
    if need.works_with_children and not has_child_protection_checks(volunteer.id):
        problems.append(
            _(
                "Ta potrzeba obejmuje pracę z dziećmi: wymaga sprawdzenia w Rejestrze Sprawców "
                "Przestępstw na Tle Seksualnym i zaświadczenia o niekaralności, odnotowanych przez "
                "koordynatora lub pracownika instytucji."
            )
        )
    return problems


def apply(
    volunteer: User, need: Need, shift_ids: Sequence[int], message: str = ""
) -> list[Assignment]:
    """Apply to chosen shifts of a need; all of them or none."""
    problems = eligibility_problems(volunteer, need)
    if problems:
        raise ApplicationError(" ".join(problems))
    if not shift_ids:
        raise ApplicationError(_("Wybierz co najmniej jedną zmianę."))
    lock_volunteer(volunteer.id)
    shifts = list(
        db.session.scalars(
            select(Shift)
            .where(Shift.id.in_(set(shift_ids)), Shift.need_id == need.id)
            .order_by(Shift.starts_at)
        )
    )
    if len(shifts) != len(set(shift_ids)):
        raise ApplicationError(_("Wybrana zmiana nie należy do tej potrzeby."))
    now = utcnow()
    created = []
    for i, shift in enumerate(shifts):
        when = _local(shift.starts_at)
        if shift.is_cancelled:
            raise ApplicationError(_("Zmiana %(when)s została odwołana.", when=when))
        if shift.starts_at <= now:
            raise ApplicationError(_("Zmiana %(when)s już się rozpoczęła.", when=when))
        if shift.accepted_count >= shift.places:
            raise ApplicationError(_("Na zmianę %(when)s nie ma już wolnych miejsc.", when=when))
        day = shift.starts_at.astimezone(WARSAW).date()
        lacking = qualifications.refusal_for(volunteer.id, need, day, to_volunteer=True)
        if lacking:
            raise ApplicationError(lacking)
        existing = db.session.scalar(
            select(Assignment).where(
                Assignment.volunteer_id == volunteer.id,
                Assignment.shift_id == shift.id,
                Assignment.status.in_(
                    [
                        AssignmentStatus.APPLIED,
                        AssignmentStatus.PROPOSED,
                        AssignmentStatus.OFFERED,
                        AssignmentStatus.ACCEPTED,
                    ]
                ),
            )
        )
        if existing is not None:
            raise ApplicationError(_("Masz już zgłoszenie na zmianę %(when)s.", when=when))
        clash = overlapping(volunteer.id, shift.starts_at, shift.ends_at)
        if clash is not None:
            raise ApplicationError(
                _(
                    "Zmiana %(when)s nakłada się na Twoją inną zmianę: %(other)s (%(title)s).",
                    when=when,
                    other=_local(clash.starts_at),
                    title=clash.need.title,
                )
            )
        for other in shifts[:i]:
            if other.starts_at < shift.ends_at and shift.starts_at < other.ends_at:
                raise ApplicationError(
                    _(
                        "Wybrane zmiany %(a)s i %(b)s nakładają się na siebie.",
                        a=_local(other.starts_at),
                        b=when,
                    )
                )
        found = breach(volunteer.id, shift, TIME_TAKEN_BY_APPLICATIONS, extra=shifts[:i], now=now)
        if found is not None:
            raise ApplicationError(
                _("Zmiana %(when)s: %(reason)s", when=when, reason=refusal_text(found, own=True))
            )
        assignment = Assignment(
            volunteer_id=volunteer.id,
            shift_id=shift.id,
            need_id=need.id,
            status=AssignmentStatus.APPLIED,
            source=AssignmentSource.APPLICATION,
            message=message.strip(),
        )
        db.session.add(assignment)
        created.append(assignment)
    db.session.flush()
    audit.record(volunteer, "application.created", need, shifts=[s.id for s in shifts])
    return created


# The other shifts a limit counts: those an application or an offer may still give the volunteer,
# those they hold, and those they served (yesterday's shift is part of a run of days).
TIME_TAKEN_BY_APPLICATIONS = BOOKED | {AssignmentStatus.COMPLETED}
TIME_TAKEN_BY_PLACES = HOLDS_PLACE | {AssignmentStatus.COMPLETED}


def withdraw(assignment: Assignment, volunteer: User) -> None:
    """The volunteer steps back from an application, an offer or a place on a future shift."""
    if assignment.volunteer_id != volunteer.id:
        raise ApplicationError(_("To nie jest Twoje zgłoszenie."))
    if assignment.shift.starts_at <= utcnow():
        raise ApplicationError(_("Zmiana już się rozpoczęła: napisz do instytucji."))
    if not assignment.can_move_to(AssignmentStatus.WITHDRAWN):
        if assignment.is_active:
            raise ApplicationError(_("Tego zgłoszenia nie można już wycofać."))
        raise AlreadyDecided(application_state(assignment.status), assignment.status)
    lock_shift(assignment.shift_id)
    held_place = assignment.status in HOLDS_PLACE
    if not assignment.move_to(AssignmentStatus.WITHDRAWN):
        raise AlreadyDecided(application_state(assignment.status), assignment.status)
    if held_place:
        _release_place(assignment.shift_id)
    audit.record(volunteer, "application.withdrawn", assignment, need_id=assignment.need_id)


def release_place(assignment: Assignment) -> None:
    """Give back the place an offer or an acceptance held, after the status change that let go of
    it; the caller holds the shift's lock (`lock_shift`)."""
    _release_place(assignment.shift_id)


def _take_place(shift_id: int) -> bool:
    result = db.session.execute(
        update(Shift)
        .where(
            Shift.id == shift_id, Shift.accepted_count < Shift.places, Shift.is_cancelled.is_(False)
        )
        .values(accepted_count=Shift.accepted_count + 1)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


def _release_place(shift_id: int) -> None:
    freed_places.note(db.session(), shift_id)
    db.session.execute(
        update(Shift)
        .where(Shift.id == shift_id, Shift.accepted_count > 0)
        .values(accepted_count=Shift.accepted_count - 1)
        .execution_options(synchronize_session=False)
    )


def guardian_rule_refusal(profile: VolunteerProfile, shift: Shift) -> str | None:
    """Why this person may not hold a place on the shift under the rules for minors, if so.

    Checked wherever a place is taken, an offer's acceptance included: a date of birth can change
    between the offer and the answer.
    """
    if profile.birth_date_confirmation_pending:
        return _(
            "Zmieniona data urodzenia tej osoby czeka na potwierdzenie koordynatora. Do tego czasu nie można jej przyjąć."
        )
    if not profile.may_be_placed_on(shift.starts_at.astimezone(WARSAW).date()):
        return _(
            "Osoba niepełnoletnia: czekamy na zgodę opiekuna prawnego. Do tego czasu nie można jej przyjąć."
        )
    return None


def place_volunteer(
    assignment: Assignment,
    actor: User,
    to: AssignmentStatus = AssignmentStatus.ACCEPTED,
    **values,
) -> None:
    """Hold a place on the shift for the volunteer (accepted, or offered), under both concurrency
    rules, writing `values` with the new status; raises when refused.

    When the place cannot be taken after the status changed, the error leaves the change in the
    transaction: the caller rolls back, as after any ApplicationError.
    """
    seen = AssignmentStatus(assignment.status)
    describe = proposal_state if to == AssignmentStatus.OFFERED else application_state
    profile = lock_volunteer(assignment.volunteer_id)
    if profile is None:
        raise ApplicationError(_("Ta osoba nie ma już profilu wolontariusza."))
    shift = assignment.shift
    if shift.starts_at <= utcnow():
        raise ApplicationError(
            _(
                "Zmiana %(when)s już się rozpoczęła: nie można na nią przyjąć.",
                when=_local(shift.starts_at),
            )
        )
    refusal = guardian_rule_refusal(profile, shift)
    if refusal:
        raise ApplicationError(refusal)
    need = assignment.need
    if need.works_with_children and not has_child_protection_checks(assignment.volunteer_id):
        raise ApplicationError(
            _(
                "Praca z dziećmi: brak odnotowanego sprawdzenia w rejestrze i zaświadczenia o niekaralności."
            )
        )
    day = shift.starts_at.astimezone(WARSAW).date()
    lacking = qualifications.refusal_for(assignment.volunteer_id, need, day, to_volunteer=False)
    if lacking:
        raise ApplicationError(lacking)
    clash = overlapping(
        assignment.volunteer_id,
        shift.starts_at,
        shift.ends_at,
        statuses=HOLDS_PLACE,
        exclude_shift=shift.id,
    )
    if clash is not None:
        raise ApplicationError(
            _(
                "Ta osoba ma już w tym czasie inną zmianę: %(when)s (%(title)s).",
                when=_local(clash.starts_at),
                title=clash.need.title,
            )
        )
    found = breach(assignment.volunteer_id, shift, TIME_TAKEN_BY_PLACES)
    if found is not None:
        raise ApplicationError(refusal_text(found, own=False))
    lock_shift(shift.id)
    # Whoever held these locks before us has committed: read what they left.
    db.session.refresh(assignment, ["status"])
    if assignment.status != seen:
        raise AlreadyDecided(describe(assignment.status), assignment.status)
    db.session.refresh(shift, ["places", "accepted_count", "is_cancelled"])
    if shift.is_cancelled:
        raise ApplicationError(_("Ta zmiana została odwołana."))
    if shift.accepted_count >= shift.places:
        raise ApplicationError(_("Na tej zmianie nie ma już wolnych miejsc."))
    if not assignment.move_to(to, **values):
        raise AlreadyDecided(describe(assignment.status), assignment.status)
    if not _take_place(shift.id):
        raise ApplicationError(_("Na tej zmianie nie ma już wolnych miejsc."))
    db.session.refresh(shift, ["accepted_count"])


def accept(assignment: Assignment, actor: User, note: str = "") -> None:
    """Staff accept an application."""
    if assignment.status != AssignmentStatus.APPLIED:
        raise AlreadyDecided(application_state(assignment.status), assignment.status)
    place_volunteer(assignment, actor, decided_by_id=actor.id, decision_note=note.strip())
    notify(
        [assignment.volunteer_id],
        "application_accepted",
        assignment.need_id,
        title=assignment.need.title,
        starts_at=assignment.shift.starts_at.isoformat(),
    )
    audit.record(
        actor,
        "application.accepted",
        assignment,
        need_id=assignment.need_id,
        volunteer_id=assignment.volunteer_id,
    )


def reject(assignment: Assignment, actor: User, note: str = "") -> None:
    if assignment.status != AssignmentStatus.APPLIED:
        raise AlreadyDecided(application_state(assignment.status), assignment.status)
    if not assignment.move_to(
        AssignmentStatus.REJECTED, decided_by_id=actor.id, decision_note=note.strip()
    ):
        raise AlreadyDecided(application_state(assignment.status), assignment.status)
    notify(
        [assignment.volunteer_id],
        "application_rejected",
        assignment.need_id,
        title=assignment.need.title,
        starts_at=assignment.shift.starts_at.isoformat(),
        note=assignment.decision_note,
    )
    audit.record(
        actor,
        "application.rejected",
        assignment,
        need_id=assignment.need_id,
        volunteer_id=assignment.volunteer_id,
    )
