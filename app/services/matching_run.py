"""Running the matcher for the coalition: database rows in, explained proposals out.

`matching/` knows nothing about the database; this module is the one place that turns rows into
its frozen dataclasses (in Warsaw wall-clock time) and its proposals back into Assignment rows.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

import matching
from app.extensions import db
from app.models import (
    HOLDS_PLACE,
    Assignment,
    AssignmentSource,
    AssignmentStatus,
    ChildProtectionCheck,
    Consent,
    ConsentKind,
    Institution,
    MatchRun,
    Need,
    NeedStatus,
    Role,
    Shift,
    User,
    VolunteerProfile,
    need_cohost,
)
from app.models.base import utcnow
from app.services import audit
from app.services.date_range import clamp
from app.services.offers import expire_offers
from app.services.text import fold

log = logging.getLogger(__name__)
WARSAW = ZoneInfo("Europe/Warsaw")
S = AssignmentStatus


@dataclass(frozen=True)
class Scope:
    institution_ids: frozenset[int] | None = None  # None: the whole coalition
    date_from: date | None = None
    date_to: date | None = None

    def as_params(self) -> dict:
        return {
            "institution_ids": sorted(self.institution_ids) if self.institution_ids else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }

    @classmethod
    def from_params(cls, params: dict) -> Scope:
        ids = params.get("institution_ids")
        return cls(
            frozenset(ids) if ids else None,
            date.fromisoformat(params["date_from"]) if params.get("date_from") else None,
            date.fromisoformat(params["date_to"]) if params.get("date_to") else None,
        )


def _local(moment: datetime) -> datetime:
    return moment.astimezone(WARSAW).replace(tzinfo=None)


def _tags(text: str) -> frozenset[str]:
    return frozenset(
        t for t in (fold(part).strip() for part in text.replace(";", ",").split(",")) if t
    )


def _open_places(scope: Scope, now: datetime) -> list[matching.Place]:
    query = (
        select(Shift)
        .join(Need, Need.id == Shift.need_id)
        .where(
            Need.status == NeedStatus.PUBLISHED,
            Shift.is_cancelled.is_(False),
            Shift.starts_at > now,
        )
        .where(Shift.accepted_count < Shift.places)
        .options(
            selectinload(Shift.need).selectinload(Need.skills),
            selectinload(Shift.need).selectinload(Need.cohosts),
        )
        .order_by(Shift.id)
    )
    if scope.institution_ids:
        cohosted = select(need_cohost.c.need_id).where(
            need_cohost.c.institution_id.in_(scope.institution_ids)
        )
        query = query.where(Need.institution_id.in_(scope.institution_ids) | Need.id.in_(cohosted))
    # The form takes only dates people mean; a scope built elsewhere is held to the same range,
    # so that the day after its last date exists.
    if scope.date_from:
        first = clamp(scope.date_from)
        query = query.where(Shift.starts_at >= datetime.combine(first, datetime.min.time(), WARSAW))
    if scope.date_to:
        following = clamp(scope.date_to) + timedelta(days=1)
        query = query.where(
            Shift.starts_at < datetime.combine(following, datetime.min.time(), WARSAW)
        )
    places = []
    for shift in db.session.scalars(query):
        need = shift.need
        places.append(
            matching.Place(
                id=shift.id,
                need_id=need.id,
                institution_id=need.institution_id,
                start=_local(shift.starts_at),
                end=_local(shift.ends_at),
                places_left=shift.places - shift.accepted_count,
                required_skills={s.skill_id: s.min_level for s in need.skills if s.is_required},
                nice_skills=frozenset(s.skill_id for s in need.skills if not s.is_required),
                min_age=need.min_age,
                works_with_children=need.works_with_children,
                kind=matching.NeedKind(need.kind.value),
                interests=_tags(need.title),
                co_host_institution_ids=frozenset(i.id for i in need.cohosts),
            )
        )
    return places


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    local = now.astimezone(WARSAW)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.astimezone(UTC), end.astimezone(UTC)


def _volunteers(now: datetime, config: matching.MatchingConfig) -> list[matching.Volunteer]:
    """Every volunteer who may be proposed: active, confirmed, consenting to data processing."""
    today = now.astimezone(WARSAW).date()
    latest_consent = (
        select(Consent.user_id, func.max(Consent.id).label("last_id"))
        .where(Consent.kind == ConsentKind.DATA_PROCESSING)
        .group_by(Consent.user_id)
        .subquery()
    )
    consenting = (
        select(Consent.user_id)
        .join(latest_consent, latest_consent.c.last_id == Consent.id)
        .where(Consent.granted.is_(True))
    )
    users = db.session.scalars(
        select(User)
        .where(
            User.role == Role.VOLUNTEER,
            User.is_active_account.is_(True),
            User.email_confirmed_at.is_not(None),
            User.id.in_(consenting),
        )
        .options(
            selectinload(User.profile).selectinload(VolunteerProfile.skills),
            selectinload(User.profile).selectinload(VolunteerProfile.availability),
            selectinload(User.profile).selectinload(VolunteerProfile.absences),
            selectinload(User.profile).selectinload(VolunteerProfile.preferred_institutions),
        )
        .order_by(User.id)
    ).all()
    ids = [u.id for u in users]
    checked = set(
        db.session.scalars(
            select(ChildProtectionCheck.user_id).where(ChildProtectionCheck.user_id.in_(ids))
        )
    )

    history = db.session.execute(
        select(
            Assignment.volunteer_id,
            Assignment.status,
            Assignment.need_id,
            Assignment.shift_id,
            Need.institution_id,
            Need.kind,
        )
        .join(Need, Need.id == Assignment.need_id)
        .where(Assignment.volunteer_id.in_(ids))
    ).all()
    served: dict[int, set[int]] = defaultdict(set)
    long_term: dict[int, set[int]] = defaultdict(set)
    declined: dict[int, set[int]] = defaultdict(set)
    attended: dict[int, int] = defaultdict(int)
    missed: dict[int, int] = defaultdict(int)
    for volunteer_id, status, need_id, _shift_id, institution_id, kind in history:
        if status in (S.COMPLETED, S.ACCEPTED):
            served[volunteer_id].add(institution_id)
            if kind.value == "long_term":
                long_term[volunteer_id].add(institution_id)
        if status == S.COMPLETED:
            attended[volunteer_id] += 1
        if status == S.NO_SHOW:
            missed[volunteer_id] += 1
        if status in (S.DECLINED, S.EXPIRED) or (status == S.REJECTED):
            declined[volunteer_id].add(need_id)

    bookings: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    month_hours: dict[int, float] = defaultdict(float)
    month_start, month_end = _month_bounds(now)
    for volunteer_id, starts_at, ends_at in db.session.execute(
        select(Assignment.volunteer_id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            Assignment.volunteer_id.in_(ids),
            Assignment.status.in_(HOLDS_PLACE | {S.APPLIED, S.COMPLETED}),
            Shift.ends_at > now - timedelta(days=31),
        )
    ):
        bookings[volunteer_id].append((_local(starts_at), _local(ends_at)))
        if month_start <= starts_at < month_end:
            month_hours[volunteer_id] += (ends_at - starts_at).total_seconds() / 3600

    volunteers = []
    horizon = today + timedelta(days=400)
    for user in users:
        profile = user.profile
        if profile is None or not profile.may_be_placed_on(today):
            continue
        away = set()
        for absence in profile.absences:
            day = max(absence.starts_on, today)
            while day <= min(absence.ends_on, horizon):
                away.add(day)
                day += timedelta(days=1)
        done, no_show = attended[user.id], missed[user.id]
        volunteers.append(
            matching.Volunteer(
                id=user.id,
                skills={s.skill_id: s.level for s in profile.skills},
                availability=tuple(
                    matching.AvailabilityWindow(
                        w.weekday,
                        w.start_time.hour * 60 + w.start_time.minute,
                        w.end_time.hour * 60 + w.end_time.minute,
                    )
                    for w in profile.availability
                ),
                dates_away=frozenset(away),
                age=profile.age_on(today),
                child_protection_checked=user.id in checked,
                capacity=config.max_shifts_per_volunteer,
                hours_left=max(0.0, profile.max_hours_month - month_hours[user.id]),
                preferred_institution_ids=frozenset(i.id for i in profile.preferred_institutions),
                interests=_tags(profile.interests),
                served_institution_ids=frozenset(served[user.id]),
                long_term_institution_ids=frozenset(long_term[user.id]),
                reliability=(done + 1) / (done + no_show + 2),  # Laplace: newcomers start at 0.5
                declined_need_ids=frozenset(declined[user.id]),
                bookings=tuple(bookings[user.id]),
            )
        )
    return volunteers


def _set_stage(run: MatchRun, stage: str) -> None:
    """Say where the run is, with when it got there (the figures per stage come from these
    marks), and that its worker is alive."""
    now = utcnow()
    run.stage = stage
    run.stages = [*(run.stages or []), {"stage": stage, "at": now.isoformat()}]
    if run.status == "running":
        run.heartbeat_at = now
    db.session.commit()


def execute_run(run: MatchRun, now: datetime | None = None) -> MatchRun:
    """Build the problem, solve it, and store the proposals of this run; earlier pending
    proposals in the same scope are replaced, so the newest run is the one to review."""
    now = now or utcnow()
    scope = Scope.from_params(run.params)
    config = matching.MatchingConfig()
    run.status = "running"
    _set_stage(run, "expiring_offers")
    expire_offers(now)
    _set_stage(run, "loading")
    places = _open_places(scope, now)
    volunteers = _volunteers(now, config)
    coalition = frozenset(
        db.session.scalars(select(Institution.id).where(Institution.is_active.is_(True)))
    )
    _set_stage(run, "solving")
    result = matching.match(matching.Problem(volunteers, places, config, coalition))

    _set_stage(run, "saving")
    place_ids = [p.id for p in places]
    pending = db.session.scalars(
        select(Assignment)
        .where(Assignment.status == S.PROPOSED, Assignment.shift_id.in_(place_ids))
        .order_by(Assignment.id)
    ).all()
    # A proposal someone approved or rejected while the run was solving keeps that decision.
    superseded = [
        old
        for old in pending
        if old.move_to(S.CANCELLED, decision_note=f"superseded by run {run.id}")
    ]
    db.session.flush()
    for proposal in result.proposals:
        db.session.add(
            Assignment(
                volunteer_id=proposal.volunteer_id,
                shift_id=proposal.place_id,
                need_id=proposal.need_id,
                status=S.PROPOSED,
                source=AssignmentSource.MATCHING,
                score=proposal.score,
                reasons=[
                    {"code": r.code, "params": dict(r.params), "points": r.points}
                    for r in proposal.reasons
                ],
                match_run_id=run.id,
            )
        )
    stats = result.stats
    run.stats = {
        "volunteers": stats.volunteers,
        "places": stats.places,
        "needs": stats.needs,
        "pairs": stats.pairs,
        "proposals": stats.proposals,
        "needs_with_proposal": stats.needs_with_proposal,
        "objective": result.objective,
        "score_total": result.score_total,
        "seconds_total": round(stats.seconds_total, 3),
        "superseded": len(superseded),
    }
    run.diagnostics = [
        {
            "place_id": d.place_id,
            "need_id": d.need_id,
            "places_left": d.places_left,
            "proposed": d.proposed,
            "code": d.code,
            "params": _jsonable(d.params),
        }
        for d in result.unfilled
    ]
    run.status = "done"
    run.stage = ""
    run.finished_at = utcnow()
    audit.record(run.created_by, "matching.run", run, **run.stats)
    db.session.commit()
    return run


def _jsonable(params) -> dict:
    out = {}
    for key, value in dict(params).items():
        if isinstance(value, frozenset | set | tuple):
            value = sorted(value) if all(isinstance(v, int | str) for v in value) else list(value)
        out[key] = value
    return out


def start_run(actor: User, scope: Scope) -> MatchRun:
    """Queue a run over `scope` for a worker (or the run already waiting over the same scope)."""
    from app.services.matching_queue import enqueue

    return enqueue(actor, scope)


def run_safely(
    run_id: int, worker: str | None = None, on_lost: Callable[[], None] | None = None
) -> MatchRun | None:
    """Execute a run taken from the queue and record a failure instead of losing it.

    A run still queued is first taken by the queue's own rules (it may have to wait for an
    overlapping run: then nothing happens and None is returned). While it executes, a heartbeat
    thread tells the other processes that this worker is alive.
    """
    from app.services import matching_queue as queue

    worker = worker or queue.worker_id()
    run = db.session.get(MatchRun, run_id)
    if run is None:
        return None
    if run.status == "queued":
        run = queue.claim_next(worker, only=run_id)
        if run is None:
            return None
    if run.status != "running" or run.claimed_by != worker:
        return run  # another worker's, or already over
    seconds = current_app.config["MATCHING_HEARTBEAT_SECONDS"]
    with queue.Heartbeat(db.engine, run_id, worker, seconds, on_lost):
        try:
            execute_run(run)
        except Exception as exc:  # noqa: BLE001 - any failure is shown to the coordinator
            log.exception("Matching run %s failed", run_id)
            db.session.rollback()
            queue.record_failure(run_id, worker, str(exc) or type(exc).__name__)
    db.session.expire_all()
    return db.session.get(MatchRun, run_id)


def latest_runs(limit: int = 10) -> list[MatchRun]:
    return list(db.session.scalars(select(MatchRun).order_by(MatchRun.id.desc()).limit(limit)))


def _proposals_query(run: MatchRun, need_ids: Iterable[int] | None):
    query = select(Assignment).where(Assignment.match_run_id == run.id)
    if need_ids is not None:
        query = query.where(Assignment.need_id.in_(list(need_ids)))
    return query


def proposals_of(
    run: MatchRun,
    need_ids: Iterable[int] | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[Assignment]:
    """A run's proposals by need, shift and score; `limit`/`offset` give one page of them.

    The page's ids come first from the index alone, then their rows with everything the page
    shows in one joined query: cheaper than joining thousands of rows to skip most of them.
    """
    ids = list(
        db.session.scalars(
            _proposals_query(run, need_ids)
            .with_only_columns(Assignment.id)
            .order_by(
                Assignment.need_id, Assignment.shift_id, Assignment.score.desc(), Assignment.id
            )
            .offset(offset)
            .limit(limit)
        )
    )
    if not ids:
        return []
    loaded = {
        a.id: a
        for a in db.session.scalars(
            select(Assignment)
            .where(Assignment.id.in_(ids))
            .options(
                # All many-to-one: one joined query instead of four.
                joinedload(Assignment.volunteer, innerjoin=True),
                joinedload(Assignment.shift, innerjoin=True),
                joinedload(Assignment.need, innerjoin=True).joinedload(
                    Need.institution, innerjoin=True
                ),
            )
        ).unique()
    }
    return [loaded[i] for i in ids]


@functools.lru_cache(maxsize=8)
def _finished_unfilled(run_id: int, finished_at: datetime) -> tuple[dict, ...]:
    return tuple(db.session.scalar(select(MatchRun.diagnostics).where(MatchRun.id == run_id)) or ())


def unfilled_of(run: MatchRun) -> tuple[dict, ...]:
    """Why a finished run left shifts unfilled.

    A finished run never changes, and decoding its list at national scale costs more than the
    rest of its page, so each process keeps the last few it read (the finishing time in the key
    tells a run from an earlier one with the same number).
    """
    if run.status != "done" or run.finished_at is None:
        return ()
    return _finished_unfilled(run.id, run.finished_at)


def proposal_counts(run: MatchRun, need_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """(all proposals of the run, those still waiting for a decision), in one query."""
    query = _proposals_query(run, need_ids).with_only_columns(
        func.count(),
        func.count().filter(Assignment.status == AssignmentStatus.PROPOSED),
    )
    total, pending = db.session.execute(query).one()
    return total, pending


__all__ = [
    "Scope",
    "execute_run",
    "latest_runs",
    "proposal_counts",
    "unfilled_of",
    "proposals_of",
    "run_safely",
    "start_run",
]
