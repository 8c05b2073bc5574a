"""Staff invite a volunteer the ranking suggests: an offer with a deadline, as a coordinator's.

An invitation is an assignment that starts as a proposal made by staff (source "invitation")
and becomes an offer at once, through `place_volunteer`: the offer holds its place, so two staff
members inviting two people to the last place at the same moment never promise more places than
the shift has, and a person is never offered two overlapping shifts. The offer is made by
`offers.hold_as_offer`, as a coordinator's approval makes it. The person's row is locked
before the live assignments on the shift are read, so a second click on "invite" waits for the
first and then finds its offer.

Only people the ranking would suggest may be invited: they said in their profile that staff may
invite them, and the matching library finds the pair feasible. The volunteer answers as to any
offer (`offers.accept_offer` / `offers.decline_offer`); the e-mail carries links to both answers.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.models import ACTIVE
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import Shift
from app.models import User
from app.services import audit
from app.services import suggestions
from app.services.applications import ApplicationError
from app.services.applications import lock_volunteer
from app.services.mail import queue_email
from app.services.notices import notify
from app.services.offers import hold_as_offer
from app.services.permissions import can_manage_need

S = AssignmentStatus
SUBJECT = _l("Zaproszenie na zmianę wolontariatu")


def _refusal(shift: Shift, volunteer: User, actor: User, now: datetime) -> str | None:
    """Why this invitation cannot be made, before any lock is taken."""
    if not can_manage_need(actor, shift.need):
        return _("Nie możesz zapraszać na zmiany tej potrzeby.")
    profile = volunteer.profile
    if not volunteer.is_volunteer or profile is None or not volunteer.is_active_account:
        return _("Zapraszać można tylko wolontariuszy.")
    if not profile.is_invitable:
        return _("Ta osoba nie przyjmuje zaproszeń od instytucji.")
    if shift.is_cancelled:
        return _("Ta zmiana została odwołana.")
    if shift.starts_at <= now:
        return _("Ta zmiana już się rozpoczęła: nie można na nią zapraszać.")
    return None


def invite(shift: Shift, volunteer: User, actor: User) -> Assignment:
    """Offer the shift to a suggested volunteer; raises ApplicationError with the reason."""
    now = utcnow()
    refusal = _refusal(shift, volunteer, actor, now)
    if refusal:
        raise ApplicationError(refusal)
    lock_volunteer(volunteer.id)
    live = db.session.scalar(
        select(Assignment.id).where(
            Assignment.volunteer_id == volunteer.id,
            Assignment.shift_id == shift.id,
            Assignment.status.in_(ACTIVE),
        )
    )
    if live is not None:
        raise ApplicationError(
            _("Ta osoba ma już zgłoszenie, zaproszenie albo miejsce na tej zmianie.")
        )
    db.session.refresh(shift, ["places", "accepted_count"])
    if shift.accepted_count >= shift.places:
        raise ApplicationError(_("Na tej zmianie nie ma już wolnych miejsc."))
    if not suggestions.is_candidate(shift, volunteer.id, now):
        raise ApplicationError(
            _("Ta osoba nie pasuje do tej zmiany według zasad dopasowania: nie można jej zaprosić.")
        )
    assignment = Assignment(
        volunteer_id=volunteer.id,
        shift_id=shift.id,
        need_id=shift.need_id,
        status=S.PROPOSED,
        source=AssignmentSource.INVITATION,
    )
    db.session.add(assignment)
    db.session.flush()
    hold_as_offer(assignment, actor)
    _tell(assignment, volunteer)
    audit.record(
        actor,
        "invitation.sent",
        assignment,
        need_id=assignment.need_id,
        volunteer_id=volunteer.id,
        shift_id=shift.id,
    )
    return assignment


def _tell(assignment: Assignment, volunteer: User) -> None:
    """The in-app notice and the e-mail with both answers, in the same transaction."""
    from app.core.urls import absolute_url

    notify(
        [volunteer.id],
        "invitation_made",
        assignment.need_id,
        title=assignment.need.title,
        starts_at=assignment.shift.starts_at.isoformat(),
    )
    queue_email(
        volunteer.email,
        SUBJECT,
        "invitation",
        volunteer.locale,
        kind="offer",
        recipient=volunteer,
        dedup_key=f"invitation:{assignment.id}",
        user=volunteer,
        assignment=assignment,
        accept_url=absolute_url("invitations.accept", assignment_id=assignment.id),
        decline_url=absolute_url("invitations.decline", assignment_id=assignment.id),
    )


def invitation_of(assignment_id: int, volunteer: User) -> Assignment | None:
    """The volunteer's own offer with this id (any status), or None. The links answer any offer
    alike: an invitation is an offer like a coordinator's."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.volunteer_id != volunteer.id:
        return None
    return assignment
