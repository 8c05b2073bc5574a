"""What each role finds on its dashboard after signing in: the few things waiting for them.

Each function answers one panel with a bounded query (a count and the first rows), so the page
stays quick however much the coalition holds. The rules are the app's own: the volunteer's
checklist asks what the matching loader asks before anyone may be proposed, the "Dla Ciebie"
list is the matcher's ranking for that one person, staff see what the documents feature counts
as missing, and the coordinator's unfilled shifts carry the last run's diagnoses.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.time import WARSAW
from app.core.time import utcnow
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import ConsentKind
from app.models import InstitutionRequest
from app.models import MatchRun
from app.models import Need
from app.models import NeedStatus
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import RequestStatus
from app.models import Shift
from app.models import StaffRequest
from app.models import User
from app.services import compliance
from app.services import hours
from app.services import korpus
from app.services import suggestions
from app.services.permissions import managed_need_ids_query
from app.services.staff_views import managed_institutions
from app.services.staff_views import pending_applications
from app.services.volunteers import current_consents
from app.services.volunteers import pending_birth_dates

S = AssignmentStatus
# Rows shown in one panel; the panel's count tells how many there are in all.
PANEL_ROWS = 5
WEEK = timedelta(days=7)


# --- the volunteer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    """One thing the profile has or lacks; `required` items decide whether one may be placed."""

    key: str
    done: bool
    required: bool
    endpoint: str | None  # where it is put right; None when it waits for someone else


@dataclass(frozen=True)
class Checklist:
    items: list[ChecklistItem]
    may_be_placed: bool  # what the matching loader decides: consent and `may_be_placed`

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]


def profile_checklist(user: User, today: date) -> Checklist:
    """What is missing before the volunteer can be placed, by the rules the matching loader
    applies (a current data-processing consent, `may_be_placed` for minors and a date of birth
    waiting for a coordinator), plus what the matcher needs to find anything at all (weekly
    availability, skills) and what needs with an age limit ask for (a date of birth)."""
    profile = user.profile
    if profile is None:  # staff and coordinators have none; the view never asks for them
        return Checklist([], False)
    consent = current_consents(user.id)[ConsentKind.DATA_PROCESSING]
    items = [
        ChecklistItem(
            "data_processing", bool(consent and consent.granted), True, "volunteers.consents"
        ),
        ChecklistItem("availability", bool(profile.availability), False, "volunteers.availability"),
        ChecklistItem("skills", bool(profile.skills), False, "volunteers.skills"),
        ChecklistItem(
            "date_of_birth", profile.date_of_birth is not None, False, "volunteers.edit_profile"
        ),
    ]
    if profile.is_minor_on(today):
        items.append(
            ChecklistItem(
                "guardian", profile.guardian_consent_at is not None, True, "volunteers.profile"
            )
        )
    if profile.birth_date_confirmation_pending:
        items.append(ChecklistItem("birth_date_pending", False, True, None))
    # The loader's own rule, so that the checklist never calls ready someone it leaves out.
    placeable = bool(consent and consent.granted) and profile.may_be_placed_on(today)
    return Checklist(items, placeable)


def next_shifts(user_id: int, now: datetime, limit: int = PANEL_ROWS) -> list[Assignment]:
    """The volunteer's accepted places on shifts that have not ended, soonest first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(
                Assignment.volunteer_id == user_id,
                Assignment.status == S.ACCEPTED,
                Shift.ends_at > now,
                Shift.is_cancelled.is_(False),
            )
            .options(
                selectinload(Assignment.shift),
                selectinload(Assignment.need).selectinload(Need.institution),
            )
            .order_by(Shift.starts_at, Assignment.id)
            .limit(limit)
        )
    )


def waiting_offers(user_id: int) -> list[Assignment]:
    """Offers the volunteer has not answered, the one that lapses first on top."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Assignment.volunteer_id == user_id, Assignment.status == S.OFFERED)
            .options(
                selectinload(Assignment.shift),
                selectinload(Assignment.need).selectinload(Need.institution),
            )
            .order_by(Assignment.expires_at, Shift.starts_at, Assignment.id)
        )
    )


def korpus_progress(user: User, today: date) -> korpus.Progress | None:
    """This month's confirmed hours against the Korpus threshold, for those who take part."""
    if user.profile is None or not user.profile.is_korpus:
        return None
    return korpus.progress(user, today)


def recommendations(
    user: User, now: datetime, limit: int = PANEL_ROWS
) -> list[suggestions.Recommendation]:
    """The open needs the matcher ranks best for this volunteer, one entry per need: the same
    ranking as the staff's suggestions and the weekly e-mail (`services.suggestions`), so the
    page never suggests what a run would refuse. Someone the loader leaves out (no consent, a
    minor without the guardian's consent) gets nothing; the checklist says why."""
    return suggestions.recommendations_for(user, now, limit)


# --- staff of an institution --------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftFill:
    shift: Shift
    filled: int
    places: int


@dataclass
class StaffPanels:
    applicants: list[Assignment] = field(default_factory=list)
    week: list[ShiftFill] = field(default_factory=list)
    shifts_to_confirm: list[tuple[Shift, int]] = field(default_factory=list)
    logs_to_confirm: int = 0
    compliance: list[dict] = field(default_factory=list)


def _week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """From now to the end of the seventh Warsaw day from today."""
    today = now.astimezone(WARSAW).date()
    end = datetime.combine(today + WEEK, time.min, WARSAW)
    return now, end


def week_shifts(need_ids, now: datetime, limit: int = 50) -> list[ShiftFill]:
    """Shifts of the given needs (a subquery) starting within the coming seven days, with how
    many of their places are held."""
    start, end = _week_bounds(now)
    rows = db.session.scalars(
        select(Shift)
        .join(Need, Need.id == Shift.need_id)
        .where(
            Shift.need_id.in_(need_ids),
            Need.status == NeedStatus.PUBLISHED,
            Shift.is_cancelled.is_(False),
            Shift.starts_at >= start,
            Shift.starts_at < end,
        )
        .options(selectinload(Shift.need))
        .order_by(Shift.starts_at, Shift.id)
        .limit(limit)
    )
    return [ShiftFill(shift, shift.accepted_count, shift.places) for shift in rows]


def staff_panels(user: User, now: datetime) -> StaffPanels:
    """Applicants waiting at the user's institutions, the week's shifts with their fill, hours
    waiting for confirmation and placements lacking the records the documents feature asks."""
    panels = StaffPanels()
    seen: set[int] = set()
    for institution in managed_institutions(user):
        for assignment in pending_applications(institution):
            if assignment.id not in seen:  # a co-hosted need shows under both hosts
                seen.add(assignment.id)
                panels.applicants.append(assignment)
    managed = managed_need_ids_query(user)
    panels.week = week_shifts(managed, now)
    panels.shifts_to_confirm = hours.shifts_to_confirm(user)
    panels.logs_to_confirm = len(hours.pending_logs(user))
    panels.compliance = compliance.flagged_placements(user, now.astimezone(WARSAW).date())
    return panels


# --- the coordinator ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunWaiting:
    run_id: int
    count: int


@dataclass(frozen=True)
class Unfilled:
    fill: ShiftFill
    diagnosis: dict | None  # the last finished run's entry for this shift, if it had one


@dataclass
class CoordinatorPanels:
    staff_requests: int = 0
    institution_requests: int = 0
    birth_dates: int = 0
    proposals: list[RunWaiting] = field(default_factory=list)
    unfilled: list[Unfilled] = field(default_factory=list)
    last_run: MatchRun | None = None
    last_finished: MatchRun | None = None

    @property
    def requests_total(self) -> int:
        return self.staff_requests + self.institution_requests + self.birth_dates

    @property
    def proposals_total(self) -> int:
        return sum(item.count for item in self.proposals)


def _pending(model) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(model).where(model.status == RequestStatus.PENDING)
        )
        or 0
    )


def coordinator_panels(now: datetime) -> CoordinatorPanels:
    """Requests and proposals waiting for a decision, this week's unfilled shifts with why the
    last finished run left them so, and the newest run."""
    panels = CoordinatorPanels(
        staff_requests=_pending(StaffRequest),
        institution_requests=_pending(InstitutionRequest),
        birth_dates=len(pending_birth_dates()),
    )
    panels.proposals = [
        RunWaiting(run_id, count)
        for run_id, count in db.session.execute(
            select(Assignment.match_run_id, func.count())
            .where(Assignment.status == S.PROPOSED, Assignment.match_run_id.is_not(None))
            .group_by(Assignment.match_run_id)
            .order_by(Assignment.match_run_id.desc())
        )
        if run_id is not None  # the query asks for none; the check tells the type checker
    ]
    panels.last_run = db.session.scalar(select(MatchRun).order_by(MatchRun.id.desc()).limit(1))
    panels.last_finished = db.session.scalar(
        select(MatchRun).where(MatchRun.status == "done").order_by(MatchRun.id.desc()).limit(1)
    )
    open_needs = select(Need.id).where(Need.status == NeedStatus.PUBLISHED)
    unfilled = [f for f in week_shifts(open_needs, now, limit=200) if f.filled < f.places]
    diagnoses: dict[int, dict] = {}
    if unfilled and panels.last_finished is not None:
        wanted = {f.shift.id for f in unfilled}
        for entry in panels.last_finished.diagnostics or ():
            if entry.get("place_id") in wanted:
                diagnoses[entry["place_id"]] = entry
    panels.unfilled = [Unfilled(f, diagnoses.get(f.shift.id)) for f in unfilled]
    return panels


# --- the administrator --------------------------------------------------------------------------


@dataclass
class AdminPanels:
    failed: list[OutboxMessage] = field(default_factory=list)
    failed_total: int = 0
    repeated: list[OutboxMessage] = field(default_factory=list)
    repeated_total: int = 0
    unconfirmed: list[User] = field(default_factory=list)
    unconfirmed_total: int = 0


def admin_panels(limit: int = PANEL_ROWS) -> AdminPanels:
    """E-mails that failed for good or were sent more than once, and accounts that were never
    confirmed (their owners cannot sign in)."""

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    def newest(model, *where, order=None) -> list:
        return list(
            db.session.scalars(
                select(model)
                .where(*where)
                .order_by(model.id.desc() if order is None else order)
                .limit(limit)
            )
        )

    failed = (OutboxMessage.status == OutboxStatus.FAILED,)
    repeated = (OutboxMessage.repeats > 0,)
    unconfirmed = (User.email_confirmed_at.is_(None), User.is_active_account.is_(True))
    return AdminPanels(
        failed=newest(OutboxMessage, *failed),
        failed_total=count(OutboxMessage, *failed),
        repeated=newest(OutboxMessage, *repeated),
        repeated_total=count(OutboxMessage, *repeated),
        unconfirmed=newest(User, *unconfirmed, order=User.created_at.desc()),
        unconfirmed_total=count(User, *unconfirmed),
    )


def panels_for(user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything the user's dashboard shows, by role (administrators see the coordinator's
    panels too, as they may do everything a coordinator does)."""
    now = now or utcnow()
    today = now.astimezone(WARSAW).date()
    context: dict[str, Any] = {"now": now}
    if user.is_volunteer and user.profile is not None:
        context.update(
            checklist=profile_checklist(user, today),
            shifts=next_shifts(user.id, now),
            offers=waiting_offers(user.id),
            korpus=korpus_progress(user, today),
            recommended=recommendations(user, now),
        )
    if user.is_staff:
        context["staff"] = staff_panels(user, now)
    if user.is_coordinator:
        context["coordinator"] = coordinator_panels(now)
    if user.is_admin:
        context["admin"] = admin_panels()
    return context


__all__ = [
    "Checklist",
    "ChecklistItem",
    "admin_panels",
    "coordinator_panels",
    "next_shifts",
    "panels_for",
    "profile_checklist",
    "recommendations",
    "staff_panels",
    "waiting_offers",
    "week_shifts",
]
