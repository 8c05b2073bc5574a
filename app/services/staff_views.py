"""What institution staff see: their institutions, needs with fill state, applicants, volunteer cards.

Read-only queries for the staff pages. They apply the privacy rules of app.services.permissions
(who may manage which need, whose contact data a person may see) and show only what a staff member
needs to decide on an application: no address, bio or other profile fields.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import selectinload

from app.core.text import polish
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import ACTIVE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import ChildProtectionCheck
from app.models import Institution
from app.models import Need
from app.models import NeedSkill
from app.models import NeedStatus
from app.models import Shift
from app.models import User
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.models import need_cohost
from app.services.permissions import can_see_volunteer
from app.services.permissions import managed_need_ids_query


def managed_institutions(user: User) -> list[Institution]:
    """The institutions whose needs this person manages: their own, or all for coordinators."""
    query = (
        select(Institution)
        .where(Institution.is_active.is_(True))
        .order_by(polish(Institution.name))
    )
    if not user.is_coordinator:
        query = query.where(Institution.id.in_(user.institution_ids() or {-1}))
    return list(db.session.scalars(query))


def can_manage_institution(user: User, institution: Institution) -> bool:
    """Staff of the institution and coordinators post and manage its needs."""
    if not user.is_authenticated:
        return False
    if user.is_coordinator:
        return True
    return user.is_staff and institution.id in user.institution_ids()


def _host_links():
    """(need_id, institution_id) for hosts and co-hosts alike: a co-hosted need is also theirs."""
    return union_all(
        select(Need.id.label("need_id"), Need.institution_id.label("institution_id")),
        select(
            need_cohost.c.need_id.label("need_id"),
            need_cohost.c.institution_id.label("institution_id"),
        ),
    ).subquery()


@dataclass
class InstitutionSummary:
    institution: Institution
    drafts: int = 0
    published: int = 0
    pending: int = 0


def institution_summaries(user: User) -> list[InstitutionSummary]:
    """Each managed institution with its draft and published needs and pending applications."""
    institutions = managed_institutions(user)
    summaries = {i.id: InstitutionSummary(i) for i in institutions}
    if not summaries:
        return []
    links = _host_links()
    by_status = db.session.execute(
        select(links.c.institution_id, Need.status, func.count())
        .join(Need, Need.id == links.c.need_id)
        .where(links.c.institution_id.in_(summaries.keys()))
        .group_by(links.c.institution_id, Need.status)
    )
    for institution_id, status, count in by_status:
        if status == NeedStatus.DRAFT:
            summaries[institution_id].drafts = count
        elif status == NeedStatus.PUBLISHED:
            summaries[institution_id].published = count
    pending = db.session.execute(
        select(links.c.institution_id, func.count(Assignment.id))
        .join(Assignment, Assignment.need_id == links.c.need_id)
        .where(
            links.c.institution_id.in_(summaries.keys()),
            Assignment.status == AssignmentStatus.APPLIED,
        )
        .group_by(links.c.institution_id)
    )
    for institution_id, count in pending:
        summaries[institution_id].pending = count
    return list(summaries.values())


@dataclass
class NeedFill:
    need: Need
    shifts: int = 0
    places: int = 0
    applied: int = 0
    accepted: int = 0
    is_cohosted: bool = False


STATUS_ORDER = (NeedStatus.DRAFT, NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.CANCELLED)


def institution_needs(institution: Institution) -> dict[NeedStatus, list[NeedFill]]:
    """The institution's own and co-hosted needs, grouped by status, each with its fill state."""
    cohosted = select(need_cohost.c.need_id).where(need_cohost.c.institution_id == institution.id)
    needs = list(
        db.session.scalars(
            select(Need)
            .where(or_(Need.institution_id == institution.id, Need.id.in_(cohosted)))
            .options(selectinload(Need.institution))
            .order_by(Need.created_at.desc(), Need.id.desc())
        )
    )
    fills = {n.id: NeedFill(n, is_cohosted=n.institution_id != institution.id) for n in needs}
    if fills:
        for need_id, shifts, places, accepted in db.session.execute(
            select(
                Shift.need_id,
                func.count(Shift.id),
                func.coalesce(func.sum(Shift.places), 0),
                func.coalesce(func.sum(Shift.accepted_count), 0),
            )
            .where(Shift.need_id.in_(fills.keys()), Shift.is_cancelled.is_(False))
            .group_by(Shift.need_id)
        ):
            fills[need_id].shifts = shifts
            fills[need_id].places = int(places)
            fills[need_id].accepted = int(accepted)
        for need_id, applied in db.session.execute(
            select(Assignment.need_id, func.count(Assignment.id))
            .where(
                Assignment.need_id.in_(fills.keys()),
                Assignment.status == AssignmentStatus.APPLIED,
            )
            .group_by(Assignment.need_id)
        ):
            fills[need_id].applied = applied
    grouped: dict[NeedStatus, list[NeedFill]] = {s: [] for s in STATUS_ORDER}
    for fill in fills.values():
        grouped[NeedStatus(fill.need.status)].append(fill)
    return grouped


@dataclass
class SkillMatch:
    name: str
    level: int | None  # the volunteer's level, None when they did not declare the skill
    min_level: int
    is_required: bool


@dataclass
class ApplicantView:
    """What a staff member may know about a person who applied: enough to decide, no more."""

    assignment: Assignment
    user: User
    age: int | None
    is_minor: bool
    guardian_consent: bool
    has_checks: bool
    skills: list[SkillMatch] = field(default_factory=list)
    email: str | None = None
    phone: str | None = None


def _skill_levels(volunteer_ids: set[int]) -> dict[int, dict[int, int]]:
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    if volunteer_ids:
        for user_id, skill_id, level in db.session.execute(
            select(VolunteerSkill.user_id, VolunteerSkill.skill_id, VolunteerSkill.level).where(
                VolunteerSkill.user_id.in_(volunteer_ids)
            )
        ):
            levels[user_id][skill_id] = level
    return levels


def _checked(volunteer_ids: set[int]) -> set[int]:
    if not volunteer_ids:
        return set()
    return set(
        db.session.scalars(
            select(ChildProtectionCheck.user_id)
            .where(ChildProtectionCheck.user_id.in_(volunteer_ids))
            .distinct()
        )
    )


def describe_applicants(
    viewer: User, assignments: list[Assignment], locale: str = "pl"
) -> list[ApplicantView]:
    """Relevant profile data for each assignment: age, the need's skills, checks, consent, contact."""
    volunteer_ids = {a.volunteer_id for a in assignments}
    levels = _skill_levels(volunteer_ids)
    checked = _checked(volunteer_ids)
    visible: dict[int, bool] = {}
    today = today_in_warsaw()
    views = []
    for a in assignments:
        user = a.volunteer
        profile: VolunteerProfile | None = user.profile
        age = profile.age_on(today) if profile else None
        if a.volunteer_id not in visible:
            visible[a.volunteer_id] = can_see_volunteer(viewer, a.volunteer_id)
        skills = [
            SkillMatch(
                name=ns.skill.name(locale),
                level=levels[a.volunteer_id].get(ns.skill_id),
                min_level=ns.min_level,
                is_required=ns.is_required,
            )
            for ns in a.need.skills
        ]
        views.append(
            ApplicantView(
                assignment=a,
                user=user,
                age=age,
                is_minor=age is not None and age < 18,
                guardian_consent=bool(profile and profile.guardian_consent_at),
                has_checks=a.volunteer_id in checked,
                skills=skills,
                email=user.email if visible[a.volunteer_id] else None,
                phone=(profile.phone or None) if visible[a.volunteer_id] and profile else None,
            )
        )
    return views


def _assignment_options():
    return (
        selectinload(Assignment.volunteer).selectinload(User.profile),
        selectinload(Assignment.shift),
        selectinload(Assignment.need).selectinload(Need.skills).selectinload(NeedSkill.skill),
    )


def pending_applications(institution: Institution) -> list[Assignment]:
    """Applications waiting for a decision on the institution's own and co-hosted needs."""
    cohosted = select(need_cohost.c.need_id).where(need_cohost.c.institution_id == institution.id)
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Need, Need.id == Assignment.need_id)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(
                or_(Need.institution_id == institution.id, Need.id.in_(cohosted)),
                Assignment.status == AssignmentStatus.APPLIED,
            )
            .options(*_assignment_options())
            .order_by(Shift.starts_at, Assignment.created_at)
        )
    )


@dataclass
class ShiftRow:
    shift: Shift
    applied: list[ApplicantView] = field(default_factory=list)
    accepted: list[ApplicantView] = field(default_factory=list)
    # Offers hold a place while the volunteer decides: counted in the shift's taken places,
    # never shown as people accepted.
    offered: list[ApplicantView] = field(default_factory=list)


SHOWN_ON_SHIFT = (AssignmentStatus.APPLIED, AssignmentStatus.ACCEPTED, AssignmentStatus.OFFERED)


def shift_rows(viewer: User, need: Need, locale: str = "pl") -> list[ShiftRow]:
    """The need's shifts in time order, each with its applicants and accepted volunteers."""
    rows = {s.id: ShiftRow(s) for s in need.shifts}
    assignments = list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.need_id == need.id, Assignment.status.in_(SHOWN_ON_SHIFT))
            .options(*_assignment_options())
            .order_by(Assignment.created_at, Assignment.id)
        )
    )
    for view in describe_applicants(viewer, assignments, locale):
        row = rows.get(view.assignment.shift_id)
        if row is None:
            continue
        if view.assignment.status == AssignmentStatus.APPLIED:
            row.applied.append(view)
        elif view.assignment.status == AssignmentStatus.OFFERED:
            row.offered.append(view)
        else:
            row.accepted.append(view)
    return sorted(rows.values(), key=lambda r: r.shift.starts_at)


def volunteer_assignments(viewer: User, volunteer_id: int) -> list[Assignment]:
    """The volunteer's applications and placements on needs this person manages."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(
                Assignment.volunteer_id == volunteer_id,
                Assignment.need_id.in_(managed_need_ids_query(viewer)),
            )
            .options(*_assignment_options())
            .order_by(Shift.starts_at.desc())
        )
    )


def people_on_need(need_id: int) -> int:
    """How many people have a live application or place on the need (those told about changes)."""
    return (
        db.session.scalar(
            select(func.count(func.distinct(Assignment.volunteer_id))).where(
                Assignment.need_id == need_id, Assignment.status.in_(ACTIVE)
            )
        )
        or 0
    )


def volunteer_checks(volunteer_id: int) -> list[ChildProtectionCheck]:
    return list(
        db.session.scalars(
            select(ChildProtectionCheck)
            .where(ChildProtectionCheck.user_id == volunteer_id)
            .options(
                selectinload(ChildProtectionCheck.checked_by),
                selectinload(ChildProtectionCheck.institution),
            )
            .order_by(ChildProtectionCheck.recorded_at.desc())
        )
    )
