"""Compliance records per engagement (volunteer x need) and what a placement still lacks.

What the law asks for (ustawa o wolontariacie art. 45-46, ustawa o przeciwdziałaniu zagrożeniom
przestępczością na tle seksualnym art. 21): a health and safety briefing for everyone; accident
(NNW) insurance for engagements of 30 days or less (longer ones are covered by the state scheme);
the cost reimbursement or a written waiver of it; the guardian's consent for minors; and the
child-protection checks for work with children. Staff record each with a date; a placement that
lacks one is flagged to them before the first shift.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from app.core.text import polish
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import ChildProtectionCheck
from app.models import ComplianceKind
from app.models import ComplianceRecord
from app.models import Document
from app.models import DocumentKind
from app.models import Need
from app.models import Shift
from app.models import User
from app.models import VolunteerProfile
from app.services.documents import AGREEMENT_REQUIRED_AFTER_DAYS
from app.services.documents import ENGAGED
from app.services.documents import WARSAW
from app.services.documents import Engagement
from app.services.documents import engagement
from app.services.permissions import managed_need_ids_query

KIND_ORDER = list(ComplianceKind)


class ComplianceError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def required_kinds(volunteer_id: int, need_id: int) -> list[ComplianceKind]:
    """The records this placement needs, from the need's terms and the volunteer's age."""
    need = db.session.get(Need, need_id)
    item: Engagement | None = engagement(volunteer_id, need_id)
    if need is None or item is None:
        return []
    kinds = [ComplianceKind.SAFETY_BRIEFING]
    if item.days <= AGREEMENT_REQUIRED_AFTER_DAYS:
        kinds.append(ComplianceKind.ACCIDENT_INSURANCE)
    if not need.offers_reimbursement:
        kinds.append(ComplianceKind.COST_WAIVER)
    profile = db.session.get(VolunteerProfile, volunteer_id)
    if profile is not None and profile.is_minor_on(item.first_day):
        kinds.append(ComplianceKind.GUARDIAN_CONSENT)
    if need.works_with_children:
        kinds.append(ComplianceKind.CHILD_PROTECTION)
    return kinds


def records_of(volunteer_id: int, need_id: int) -> list[ComplianceRecord]:
    return list(
        db.session.scalars(
            select(ComplianceRecord)
            .where(
                ComplianceRecord.volunteer_id == volunteer_id,
                ComplianceRecord.need_id == need_id,
            )
            .order_by(ComplianceRecord.done_on, ComplianceRecord.id)
        )
    )


def missing_compliance(volunteer_id: int, need_id: int) -> list[ComplianceKind]:
    """The required kinds with no record, in a fixed order.

    The guardian's consent confirmed through the e-mailed link and a child-protection check kept
    on the volunteer's file also count, so staff do not record the same thing twice.
    """
    done = {r.kind for r in records_of(volunteer_id, need_id)}
    profile = db.session.get(VolunteerProfile, volunteer_id)
    if profile is not None and profile.guardian_consent_at is not None:
        done.add(ComplianceKind.GUARDIAN_CONSENT)
    has_check = db.session.scalar(
        select(ChildProtectionCheck.id).where(ChildProtectionCheck.user_id == volunteer_id).limit(1)
    )
    if has_check is not None:
        done.add(ComplianceKind.CHILD_PROTECTION)
    return [k for k in required_kinds(volunteer_id, need_id) if k not in done]


def lacks_signed_agreement(volunteer_id: int, need_id: int) -> bool:
    """An engagement longer than 30 days with no signed agreement (the agreement is not a
    ComplianceRecord: it is a Document with signed_on)."""
    item = engagement(volunteer_id, need_id)
    if item is None or item.days <= AGREEMENT_REQUIRED_AFTER_DAYS:
        return False
    signed = db.session.scalar(
        select(Document.id).where(
            Document.kind == DocumentKind.AGREEMENT,
            Document.volunteer_id == volunteer_id,
            Document.need_id == need_id,
            Document.signed_on.is_not(None),
        )
    )
    return signed is None


def engaged_volunteers(need_id: int) -> list[User]:
    """Volunteers with accepted or completed shifts on the need, by surname."""
    ids = db.session.scalars(
        select(Assignment.volunteer_id)
        .where(Assignment.need_id == need_id, Assignment.status.in_(ENGAGED))
        .distinct()
    ).all()
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(ids))
            .order_by(polish(User.last_name), polish(User.first_name), User.id)
        )
    )


def record(
    volunteer_id: int,
    need_id: int,
    kind: ComplianceKind,
    done_on: date,
    note: str,
    recorded_by: User,
    today: date,
) -> ComplianceRecord:
    """Record that something the law asks for was done for this placement."""
    if engagement(volunteer_id, need_id) is None:
        raise ComplianceError(
            _l("Ta osoba nie ma przyjętych zmian przy tej potrzebie."), "volunteer_id"
        )
    if done_on > today:
        raise ComplianceError(_l("Data nie może być w przyszłości."), "done_on")
    row = ComplianceRecord(
        volunteer_id=volunteer_id,
        need_id=need_id,
        kind=kind,
        done_on=done_on,
        note=note.strip(),
        recorded_by_id=recorded_by.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def flagged_placements(user: User, today: date, horizon_days: int = 14) -> list[dict]:
    """Accepted placements on needs the user manages, with a shift starting within the horizon,
    that still lack a required record: staff see them before the shift starts."""
    start = datetime.combine(today, time.min, WARSAW)
    end = start + timedelta(days=horizon_days + 1)
    rows = db.session.execute(
        select(Assignment.volunteer_id, Assignment.need_id, func.min(Shift.starts_at))
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            Assignment.status == AssignmentStatus.ACCEPTED,
            Assignment.need_id.in_(managed_need_ids_query(user)),
            Shift.starts_at >= start,
            Shift.starts_at < end,
            Shift.is_cancelled.is_(False),
        )
        .group_by(Assignment.volunteer_id, Assignment.need_id)
        .order_by(func.min(Shift.starts_at))
        .limit(200)
    ).all()
    found = []
    for volunteer_id, need_id, next_start in rows:
        missing = missing_compliance(volunteer_id, need_id)
        no_agreement = lacks_signed_agreement(volunteer_id, need_id)
        if missing or no_agreement:
            found.append(
                {
                    "volunteer": db.session.get(User, volunteer_id),
                    "need": db.session.get(Need, need_id),
                    "next_start": next_start,
                    "missing": missing,
                    "no_agreement": no_agreement,
                }
            )
    return found


def needs_with_engagements(user: User, limit: int = 100) -> list[Need]:
    """Needs the user manages that have accepted or completed volunteers (links to their
    compliance pages), newest first."""
    ids = select(Assignment.need_id).where(
        Assignment.status.in_(ENGAGED), Assignment.need_id.in_(managed_need_ids_query(user))
    )
    return list(
        db.session.scalars(
            select(Need).where(Need.id.in_(ids)).order_by(Need.created_at.desc()).limit(limit)
        )
    )
