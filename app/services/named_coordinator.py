"""The volunteer coordinator an institution names: one of its own staff, audit-logged."""

from __future__ import annotations

from sqlalchemy import select

from app.core.text import polish
from app.extensions import db
from app.models import Institution
from app.models import StaffMembership
from app.models import User
from app.services.audit import record


def institution_staff(institution: Institution) -> list[User]:
    """The people the institution may name: its staff, by surname."""
    return list(
        db.session.scalars(
            select(User)
            .join(StaffMembership, StaffMembership.user_id == User.id)
            .where(StaffMembership.institution_id == institution.id)
            .order_by(polish(User.last_name), polish(User.first_name))
        )
    )


def name_coordinator(actor: User, institution: Institution, person: User) -> None:
    """Make `person` the institution's volunteer coordinator; the audit log keeps the previous one."""
    old = institution.volunteer_coordinator_id
    institution.volunteer_coordinator_id = person.id
    record(actor, "institution.volunteer_coordinator", institution, old=old, new=person.id)
