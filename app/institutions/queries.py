"""What the coalition pages read: active institutions, their published needs, a person's requests."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Institution
from app.models import InstitutionRequest
from app.models import Need
from app.models import NeedStatus
from app.models import RequestStatus
from app.models import StaffRequest
from app.models import User


def published_needs(institution: Institution) -> list[Need]:
    return list(
        db.session.scalars(
            select(Need)
            .where(Need.institution_id == institution.id, Need.status == NeedStatus.PUBLISHED)
            .order_by(Need.title)
        )
    )


def staff_requests_of(user: User) -> list[StaffRequest]:
    """The person's requests to join a staff, newest first, whatever their state."""
    return list(
        db.session.scalars(
            select(StaffRequest)
            .where(StaffRequest.user_id == user.id)
            .order_by(StaffRequest.created_at.desc())
        )
    )


def pending_institution_requests(user: User) -> list[InstitutionRequest]:
    """The person's requests for a new institution that a coordinator has not yet decided."""
    return list(
        db.session.scalars(
            select(InstitutionRequest).where(
                InstitutionRequest.requested_by_id == user.id,
                InstitutionRequest.status == RequestStatus.PENDING,
            )
        )
    )
