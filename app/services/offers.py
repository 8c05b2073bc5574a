"""Proposals become offers; volunteers accept or decline; unanswered offers expire.

An offer holds its place (like an acceptance), so two coordinators approving at once can never
promise more places than a shift has, and a volunteer is never offered two overlapping shifts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import Need
from app.models import Shift
from app.models import User
from app.models.base import utcnow
from app.services import audit
from app.services.applications import AlreadyDecided
from app.services.applications import ApplicationError
from app.services.applications import eligibility_problems
from app.services.applications import guardian_rule_refusal
from app.services.applications import lock_shift
from app.services.applications import lock_volunteer
from app.services.applications import place_volunteer
from app.services.applications import release_place
from app.services.notices import notify
from app.services.status_messages import offer_state
from app.services.status_messages import proposal_state

S = AssignmentStatus


def offer_ttl() -> timedelta:
    return timedelta(hours=current_app.config.get("OFFER_TTL_HOURS", 72))


def hold_as_offer(assignment: Assignment, actor: User, note: str = "") -> None:
    """Make a proposal an offer that holds its place until the deadline, under the rules of
    `place_volunteer`; whoever made the offer (a coordinator, staff inviting) tells the person."""
    now = utcnow()
    place_volunteer(
        assignment,
        actor,
        to=S.OFFERED,
        offered_at=now,
        expires_at=now + offer_ttl(),
        decided_by_id=actor.id,
        decision_note=note.strip(),
    )


def approve_proposal(assignment: Assignment, actor: User, note: str = "") -> None:
    """Turn a proposal into an offer that holds the place until the volunteer answers."""
    if assignment.status != S.PROPOSED:
        raise AlreadyDecided(proposal_state(assignment.status), assignment.status)
    hold_as_offer(assignment, actor, note)
    notify(
        [assignment.volunteer_id],
        "offer_made",
        assignment.need_id,
        title=assignment.need.title,
        starts_at=assignment.shift.starts_at.isoformat(),
    )
    audit.record(
        actor,
        "proposal.approved",
        assignment,
        need_id=assignment.need_id,
        volunteer_id=assignment.volunteer_id,
        score=assignment.score,
    )


def reject_proposal(assignment: Assignment, actor: User, note: str = "") -> None:
    if assignment.status != S.PROPOSED:
        raise AlreadyDecided(proposal_state(assignment.status), assignment.status)
    if not assignment.move_to(S.REJECTED, decided_by_id=actor.id, decision_note=note.strip()):
        raise AlreadyDecided(proposal_state(assignment.status), assignment.status)
    audit.record(
        actor,
        "proposal.rejected",
        assignment,
        need_id=assignment.need_id,
        volunteer_id=assignment.volunteer_id,
        note=assignment.decision_note,
    )


def _lock_in_order(assignments: Sequence[Assignment]) -> None:
    """Take the profile and shift locks of a batch up front, each kind by ascending id, so that
    two batches over the same people and shifts wait for each other instead of deadlocking."""
    for volunteer_id in sorted({a.volunteer_id for a in assignments}):
        lock_volunteer(volunteer_id)
    for shift_id in sorted({a.shift_id for a in assignments}):
        lock_shift(shift_id)


def decide_many(
    ids: Sequence[int], actor: User, approve: bool, allowed_need_ids: set[int] | None
) -> tuple[int, list[str]]:
    """Approve or reject several proposals; each one stands alone, so one refusal does not undo the rest."""
    done, problems = 0, []
    found: list[Assignment] = []
    for assignment_id in ids:
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None or (
            allowed_need_ids is not None and assignment.need_id not in allowed_need_ids
        ):
            problems.append(
                _(
                    "Propozycja %(id)s nie istnieje albo nie możesz jej rozpatrzyć.",
                    id=assignment_id,
                )
            )
            continue
        found.append(assignment)
    if approve:
        _lock_in_order(found)
    for assignment in sorted(found, key=lambda a: a.id):
        savepoint = db.session.begin_nested()
        try:
            if approve:
                approve_proposal(assignment, actor)
            else:
                reject_proposal(assignment, actor)
            savepoint.commit()
            done += 1
        except ApplicationError as exc:
            savepoint.rollback()
            # The savepoint undid the row in the database; read it again rather than trust memory.
            db.session.expire(assignment)
            problems.append(f"{assignment.volunteer.full_name}, {assignment.need.title}: {exc}")
    return done, problems


def override(shift: Shift, volunteer: User, actor: User, reason: str) -> Assignment:
    """Offer a place to someone the matcher did not propose; the reason is required and logged."""
    if not reason.strip():
        raise ApplicationError(_("Podaj powód przydziału poza propozycjami."))
    if shift.starts_at <= utcnow():
        raise ApplicationError(
            _("Ta zmiana już się rozpoczęła: przydział poza propozycjami nie jest już możliwy.")
        )
    need = shift.need
    problems = eligibility_problems(volunteer, need)
    if problems:
        raise ApplicationError(" ".join(problems))
    lock_volunteer(volunteer.id)
    lock_shift(shift.id)
    live = db.session.scalar(
        select(Assignment).where(
            Assignment.volunteer_id == volunteer.id,
            Assignment.shift_id == shift.id,
            Assignment.status.in_([S.APPLIED, S.PROPOSED, S.OFFERED, S.ACCEPTED]),
        )
    )
    if live is not None and live.status in (S.APPLIED, S.PROPOSED):
        # The override supersedes a pending proposal or application on the same shift. If the
        # volunteer withdrew it a moment ago there is nothing left to supersede.
        live.move_to(S.CANCELLED if live.status == S.PROPOSED else S.WITHDRAWN)
        db.session.flush()
    if live is not None and live.status in (S.OFFERED, S.ACCEPTED):
        raise ApplicationError(_("Ta osoba ma już miejsce albo ofertę na tej zmianie."))
    assignment = Assignment(
        volunteer_id=volunteer.id,
        shift_id=shift.id,
        need_id=need.id,
        status=S.PROPOSED,
        source=AssignmentSource.OVERRIDE,
        decision_note=reason.strip(),
    )
    db.session.add(assignment)
    db.session.flush()
    approve_proposal(assignment, actor, reason)
    audit.record(
        actor,
        "proposal.override",
        assignment,
        need_id=need.id,
        volunteer_id=volunteer.id,
        reason=reason.strip(),
    )
    return assignment


def accept_offer(assignment: Assignment, volunteer: User) -> None:
    """The volunteer takes the place the offer held; an offer past its time or its shift's start
    lapses instead (the caller commits that)."""
    if assignment.volunteer_id != volunteer.id:
        raise ApplicationError(_("To nie jest Twoja oferta."))
    if assignment.status != S.OFFERED:
        raise AlreadyDecided(offer_state(assignment.status), assignment.status)
    now = utcnow()
    started = assignment.shift.starts_at <= now
    if started or (assignment.expires_at is not None and assignment.expires_at <= now):
        if not expire(assignment):
            raise AlreadyDecided(offer_state(assignment.status), assignment.status)
        if started:
            raise ApplicationError(_("Ta oferta wygasła: zmiana już się rozpoczęła."))
        raise ApplicationError(_("Ta oferta wygasła."))
    profile = lock_volunteer(volunteer.id)
    refusal = (
        _("Ta osoba nie ma już profilu wolontariusza.")
        if profile is None
        else guardian_rule_refusal(profile, assignment.shift)
    )
    if refusal:
        raise ApplicationError(refusal)
    if not assignment.move_to(S.ACCEPTED):
        raise AlreadyDecided(offer_state(assignment.status), assignment.status)
    audit.record(volunteer, "offer.accepted", assignment, need_id=assignment.need_id)


def decline_offer(assignment: Assignment, volunteer: User, note: str = "") -> None:
    """The place goes back to matching; the volunteer is not proposed for this need again."""
    if assignment.volunteer_id != volunteer.id:
        raise ApplicationError(_("To nie jest Twoja oferta."))
    if assignment.status != S.OFFERED:
        raise AlreadyDecided(offer_state(assignment.status), assignment.status)
    lock_shift(assignment.shift_id)
    if not assignment.move_to(S.DECLINED, decision_note=note.strip()):
        raise AlreadyDecided(offer_state(assignment.status), assignment.status)
    release_place(assignment)
    audit.record(volunteer, "offer.declined", assignment, need_id=assignment.need_id)


def expire(assignment: Assignment) -> bool:
    """Let an unanswered offer lapse and give its place back; returns False (and changes
    nothing) when the offer was answered or ended meanwhile."""
    lock_shift(assignment.shift_id)
    if assignment.status != S.OFFERED or not assignment.move_to(S.EXPIRED):
        return False
    release_place(assignment)
    notify(
        [assignment.volunteer_id], "offer_expired", assignment.need_id, title=assignment.need.title
    )
    audit.record(None, "offer.expired", assignment, need_id=assignment.need_id)
    return True


def expire_offers(now: datetime | None = None) -> int:
    """Expire every offer past its time or its shift's start; safe to run twice, or in two
    processes at once: each offer lapses once."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Assignment)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            Assignment.status == S.OFFERED,
            or_(Assignment.expires_at <= now, Shift.starts_at <= now),
        )
        # Shifts are locked one by one as offers lapse: in ascending order, as everywhere.
        .order_by(Assignment.shift_id, Assignment.id)
    ).all()
    return sum(1 for assignment in due if expire(assignment))


def pending_offers(volunteer_id: int) -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Assignment.volunteer_id == volunteer_id, Assignment.status == S.OFFERED)
            .order_by(Shift.starts_at)
        )
    )


def proposals_for_institution(institution_id: int) -> list[Assignment]:
    """The proposals waiting for a decision on an institution's needs, by need, shift and score."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Need, Need.id == Assignment.need_id)
            .where(Assignment.status == S.PROPOSED, Need.institution_id == institution_id)
            .order_by(Assignment.need_id, Assignment.shift_id, Assignment.score.desc())
        )
    )
