"""Staff access and new coalition members: requests and the coordinator's decisions."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Institution
from app.models import InstitutionKind
from app.models import InstitutionRequest
from app.models import RequestStatus
from app.models import Role
from app.models import StaffMembership
from app.models import StaffRequest
from app.models import User
from app.models.base import utcnow
from app.services import audit
from app.services.mail import send_email


class RequestError(Exception):
    """A request that cannot be made or decided; the message is shown to the user."""


def slugify(text: str) -> str:
    # "ł" has no decomposition, so it is mapped by hand before the accents are dropped.
    text = text.replace("ł", "l").replace("Ł", "L")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "instytucja"


def unique_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(select(Institution.id).where(Institution.slug == slug)) is not None:
        slug = f"{base[:76]}-{n}"
        n += 1
    return slug


def ask_to_join_staff(
    user: User, institution: Institution, position: str, message: str
) -> StaffRequest:
    if not institution.is_active:
        raise RequestError(_("Ta instytucja nie należy już do koalicji."))
    if institution.id in user.institution_ids():
        raise RequestError(_("Już należysz do zespołu tej instytucji."))
    pending = db.session.scalar(
        select(StaffRequest).where(
            StaffRequest.user_id == user.id,
            StaffRequest.institution_id == institution.id,
            StaffRequest.status == RequestStatus.PENDING,
        )
    )
    if pending is not None:
        raise RequestError(_("Twój wniosek do tej instytucji czeka już na decyzję."))
    req = StaffRequest(
        user_id=user.id,
        institution_id=institution.id,
        position=position.strip(),
        message=message.strip(),
    )
    db.session.add(req)
    db.session.flush()
    audit.record(user, "staff_request.created", req, institution_id=institution.id)
    return req


def _ensure_pending(req: StaffRequest | InstitutionRequest) -> None:
    if req.status != RequestStatus.PENDING:
        raise RequestError(_("Ten wniosek został już rozpatrzony."))


def decide_staff_request(
    req: StaffRequest, coordinator: User, approve: bool, note: str = ""
) -> None:
    _ensure_pending(req)
    req.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    req.decided_at = utcnow()
    req.decided_by_id = coordinator.id
    req.decision_note = note.strip()
    user = req.user
    if approve:
        db.session.add(
            StaffMembership(
                user_id=user.id, institution_id=req.institution_id, position=req.position
            )
        )
        if user.is_volunteer:
            user.role = Role.STAFF
    audit.record(
        coordinator,
        "staff_request.approved" if approve else "staff_request.rejected",
        req,
        user_id=user.id,
        institution_id=req.institution_id,
        note=req.decision_note,
    )
    send_email(
        user.email,
        _("Decyzja w sprawie dostępu do konta instytucji"),
        "staff_request_decided",
        locale=user.locale,
        user=user,
        req=req,
        approved=approve,
    )


def _text(data: dict, key: str) -> str:
    return (data.get(key) or "").strip()


def ask_to_join_coalition(user: User, data: dict) -> InstitutionRequest:
    name = _text(data, "name")
    taken = db.session.scalar(select(Institution.id).where(Institution.name == name))
    if taken is not None:
        raise RequestError(_("Instytucja o tej nazwie już należy do koalicji."))
    req = InstitutionRequest(
        requested_by_id=user.id,
        name=name,
        short_name=_text(data, "short_name"),
        kind=InstitutionKind(data["kind"]),
        address=_text(data, "address"),
        contact_email=_text(data, "contact_email"),
        website=_text(data, "website"),
        description=_text(data, "description"),
        position=_text(data, "position"),
    )
    db.session.add(req)
    db.session.flush()
    audit.record(user, "institution_request.created", req, name=req.name)
    return req


def decide_institution_request(
    req: InstitutionRequest, coordinator: User, approve: bool, note: str = ""
) -> Institution | None:
    """Approving creates the institution as a partner and makes the requester its staff."""
    _ensure_pending(req)
    req.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    req.decided_at = utcnow()
    req.decided_by_id = coordinator.id
    req.decision_note = note.strip()
    institution = None
    if approve:
        if db.session.scalar(select(Institution.id).where(Institution.name == req.name)):
            raise RequestError(_("Instytucja o tej nazwie już należy do koalicji."))
        institution = Institution(
            name=req.name,
            short_name=req.short_name,
            slug=unique_slug(req.short_name or req.name),
            kind=req.kind,
            is_founder=False,
            address=req.address,
            contact_email=req.contact_email,
            website=req.website,
            description=req.description,
        )
        db.session.add(institution)
        db.session.flush()
        req.institution_id = institution.id
        requester = req.requested_by
        db.session.add(
            StaffMembership(
                user_id=requester.id, institution_id=institution.id, position=req.position
            )
        )
        if requester.is_volunteer:
            requester.role = Role.STAFF
        audit.record(coordinator, "institution.created", institution, request_id=req.id)
    audit.record(
        coordinator,
        "institution_request.approved" if approve else "institution_request.rejected",
        req,
        name=req.name,
        note=req.decision_note,
    )
    send_email(
        req.requested_by.email,
        _("Decyzja w sprawie przystąpienia do koalicji OKIK"),
        "institution_request_decided",
        locale=req.requested_by.locale,
        user=req.requested_by,
        req=req,
        approved=approve,
    )
    return institution
