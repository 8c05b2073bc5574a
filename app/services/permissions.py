"""Who may manage which need and see which volunteer: the privacy rules in one place."""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy import select

from app.extensions import db
from app.models import ACTIVE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Need
from app.models import User
from app.models import need_cohost

# Staff keep seeing a volunteer's contact data while there is a live or finished placement
# at their institution (finished ones matter for hours and documents).
_VISIBLE_TO_STAFF = ACTIVE | {AssignmentStatus.COMPLETED, AssignmentStatus.NO_SHOW}


def can_manage_need(user: User, need: Need) -> bool:
    """Staff of the host or of any co-host, and coordinators."""
    if not user.is_authenticated:
        return False
    if user.is_coordinator:
        return True
    return user.is_staff and bool(need.host_ids() & user.institution_ids())


def speaks_for_host(user: User, need: Need) -> bool:
    """Staff of the host institution itself, and coordinators: an agreement binds the host, so a
    co-host, who may otherwise run the need, does not sign for it."""
    if not user.is_authenticated:
        return False
    if user.is_coordinator:
        return True
    return user.is_staff and need.institution_id in user.institution_ids()


def managed_need_ids_query(user: User):
    """A select of the ids of needs the user may manage (for filtering lists)."""
    if user.is_coordinator:
        return select(Need.id)
    ids = user.institution_ids() or {-1}
    cohosted = select(need_cohost.c.need_id).where(need_cohost.c.institution_id.in_(ids))
    return select(Need.id).where((Need.institution_id.in_(ids)) | Need.id.in_(cohosted))


def can_see_volunteer(user: User, volunteer_id: int) -> bool:
    """Staff see a volunteer only through a placement at their institution; coordinators always."""
    if not user.is_authenticated:
        return False
    if user.id == volunteer_id or user.is_coordinator:
        return True
    if not user.is_staff:
        return False
    managed = managed_need_ids_query(user)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Assignment.volunteer_id == volunteer_id,
                    Assignment.need_id.in_(managed),
                    Assignment.status.in_(_VISIBLE_TO_STAFF),
                )
            )
        )
    )
