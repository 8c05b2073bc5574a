"""Recording child-protection checks: the certificate seen and the register checked, by whom, where.

A need that involves work with children accepts only volunteers whose checks are recorded
(app.services.applications). The record says which staff member saw the documents and for which
institution, so that the coalition can show who vouched for the check if asked.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.time import WARSAW
from app.extensions import db
from app.models import Assignment
from app.models import ChildProtectionCheck
from app.models import Need
from app.models import User
from app.models.base import utcnow
from app.services import audit
from app.services.permissions import can_see_volunteer
from app.services.permissions import managed_need_ids_query


class CheckError(Exception):
    """A check that cannot be recorded; the message says why, and `field` where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def may_record_check(actor: User, volunteer: User) -> bool:
    """Coordinators for anyone; staff for volunteers who applied to or serve at their institution."""
    if not volunteer.is_volunteer or actor.id == volunteer.id:
        return False
    if actor.is_coordinator:
        return True
    return actor.is_staff and can_see_volunteer(actor, volunteer.id)


def _institution_for(actor: User, volunteer_id: int) -> int | None:
    """The staff member's institution that the volunteer applied to (the host of the newest need)."""
    if not actor.is_staff:
        return None
    mine = actor.institution_ids()
    rows = db.session.execute(
        select(Need.institution_id, Need.id)
        .join(Assignment, Assignment.need_id == Need.id)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.need_id.in_(managed_need_ids_query(actor)),
        )
        .order_by(Assignment.created_at.desc())
    ).all()
    for host_id, _need_id in rows:
        if host_id in mine:
            return host_id
    # A co-hosted need: the staff member's own institution vouches.
    return min(mine) if mine else None


def record_check(
    volunteer: User,
    actor: User,
    certificate_seen_on: date,
    register_checked_on: date,
    note: str = "",
) -> ChildProtectionCheck:
    """Record that the criminal-record certificate was seen and the register checked on these dates."""
    if not may_record_check(actor, volunteer):
        raise CheckError(_("Nie możesz odnotować sprawdzenia dla tej osoby."))
    today = utcnow().astimezone(WARSAW).date()
    if certificate_seen_on > today:
        raise CheckError(_("Data nie może być w przyszłości."), "certificate_seen_on")
    if register_checked_on > today:
        raise CheckError(_("Data nie może być w przyszłości."), "register_checked_on")
    check = ChildProtectionCheck(
        user_id=volunteer.id,
        certificate_seen_on=certificate_seen_on,
        register_checked_on=register_checked_on,
        checked_by_id=actor.id,
        institution_id=_institution_for(actor, volunteer.id),
        note=note.strip(),
    )
    db.session.add(check)
    db.session.flush()
    audit.record(
        actor,
        "child_protection_check.recorded",
        check,
        volunteer_id=volunteer.id,
        institution_id=check.institution_id,
        certificate_seen_on=certificate_seen_on.isoformat(),
        register_checked_on=register_checked_on.isoformat(),
    )
    return check
