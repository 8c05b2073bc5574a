"""The matcher's ranking on pages: volunteers suggested for a shift, shifts suggested to a person.

Both directions are answered by the matching library (`best_candidates_for_place`,
`best_places_for_volunteer`) over inputs built by the matching loader, so a suggestion follows
the same feasibility rules and scores as a run. Building the loader's inputs for the whole
coalition takes seconds at national scale, so each page first asks the database for a small
pool of rows that can possibly qualify, and the library decides within it:

- for a shift, the invitable, eligible volunteers holding every required skill at its level,
  with a weekly window on the shift's weekday that meets its hours, not away that day, old
  enough and checked where children are involved, and not on the shift already. They are read
  from the holders of the skill asked at the highest level, most skilled first, and the first
  POOL_VOLUNTEERS who pass are ranked by the library in full (nice-to-have skills, preferred
  hosts, history and the rest);
- for a person, the open shifts of the coming RECOMMEND_DAYS whose needs ask for no required
  skill the person lacks at its level, at most POOL_PLACES of them, soonest first, narrowed
  here to those that fall inside one of the person's weekly windows.

Every condition of a pool is one of the library's own rules, only looser (windows are checked
one by one, not merged), so a pool never holds back someone the library would accept, apart
from the order cut of the pool itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import not_
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

import matching
from app.core.sql import one_of
from app.core.time import WARSAW
from app.extensions import db
from app.models import ACTIVE
from app.models import HOLDS_PLACE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import ChildProtectionCheck
from app.models import Institution
from app.models import Need
from app.models import NeedSkill
from app.models import NeedStatus
from app.models import Role
from app.models import Shift
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.services import matching_inputs
from app.services.matching_run import Scope

S = AssignmentStatus
# Volunteers the library ranks in full for one shift: two and a half times the suggestions shown,
# so that its other weights (history, preferred hosts, interests) still choose among them.
POOL_VOLUNTEERS = 25
# Shifts read for one person's suggestions.
POOL_PLACES = 400
# How far ahead a person's suggestions look.
RECOMMEND_DAYS = 30
# Suggestions shown at once.
SUGGESTIONS = 10


def reason_rows(proposal: matching.Proposal) -> list[dict[str, Any]]:
    """The library's reasons in the shape the templates' `explained` filter reads."""
    return [
        {"code": r.code, "params": dict(r.params), "points": r.points} for r in proposal.reasons
    ]


def _coalition(institution_ids: set[int]) -> frozenset[int]:
    """Those of the given institutions that are active coalition members."""
    if not institution_ids:
        return frozenset()
    return frozenset(
        db.session.scalars(
            select(Institution.id).where(
                Institution.is_active.is_(True), one_of(Institution.id, sorted(institution_ids))
            )
        )
    )


def _ranked(
    volunteers: list[matching.Volunteer],
    places: list[matching.Place],
    limit: int | None,
    now: datetime,
) -> list[matching.Proposal]:
    """The library's feasible pairs, best first, over the few rows a page read."""
    hosts = {p.institution_id for p in places}
    return matching.rank_pairs(
        volunteers,
        places,
        matching.MatchingConfig(as_of=matching_inputs.local(now)),
        _coalition(hosts),
        limit,
    )


# --- volunteers for a shift ----------------------------------------------------------------------


@dataclass(frozen=True)
class SkillFit:
    skill_id: int
    level: int | None  # the volunteer's level, None when not declared
    min_level: int
    is_required: bool


@dataclass(frozen=True)
class Candidate:
    """A volunteer the ranking suggests for a shift, with what staff may know of them."""

    volunteer: User
    shift_id: int
    score: int
    reasons: list[dict[str, Any]]
    age: int | None
    has_checks: bool
    skills: list[SkillFit] = field(default_factory=list)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _clock_span(place: matching.Place) -> tuple[time, time] | None:
    """The shift's start and end as times of its day; None when it runs past midnight (no
    weekly window can cover it, by the library's rule)."""
    if place.end.date() == place.start.date():
        return place.start.time(), place.end.time()
    return None


def _row_by_row(query: Select) -> ColumnElement[bool]:
    """`query` finds a row, asked per candidate as a scalar subquery (see `_account_fits`)."""
    return query.limit(1).scalar_subquery().is_not(None)


def _account_fits(person: Any, place: matching.Place, today: date) -> ColumnElement[bool]:
    """The person's profile and account may be invited to `place`, decided row by row.

    A scalar subquery on purpose: PostgreSQL turns a join or an EXISTS into a hash join that
    reads all 100,000 profiles, while a scalar subquery stays a per-row lookup on the primary
    keys, which is what a pool driven by a skill's few holders wants.
    """
    fits = and_(
        VolunteerProfile.is_invitable.is_(True),
        User.role == Role.VOLUNTEER,
        User.is_active_account.is_(True),
        User.email_confirmed_at.is_not(None),
        matching_inputs.consents_now(),
    )
    if place.min_age:
        fits = and_(fits, VolunteerProfile.date_of_birth <= _years_before(today, place.min_age))
    return (
        select(fits)
        .select_from(VolunteerProfile)
        .join(User, User.id == VolunteerProfile.user_id)
        .where(VolunteerProfile.user_id == person)
        .scalar_subquery()
        .is_(True)
    )


def volunteer_pool(
    place: matching.Place, today: date, limit: int = POOL_VOLUNTEERS, only: int | None = None
) -> Select:
    """The ids of the first `limit` volunteers who may fit `place` (see the module's docstring);
    none of the library's rules is skipped, only loosened. `only` asks about one person.

    A shift asking for skills starts from the holders of the one asked at the highest level, in
    the index's order (most skilled first), and asks each of them about the others; a shift
    asking for none reads profiles in id order. Either way the scan stops after the first `limit`
    people who pass every condition, so a page usually reads a few hundred rows, not the 10,000
    holders a common skill has at national scale (all of them only when few qualify).
    """
    span = _clock_span(place)
    # The skill asked at the highest level has the fewest holders, as a rule: it leads.
    required = sorted(place.required_skills.items(), key=lambda item: (-item[1], item[0]))
    conditions: list[ColumnElement[bool]] = []
    order: list[Any]
    if required:
        (skill_id, min_level), *others = required
        lead = aliased(VolunteerSkill)
        person = lead.user_id
        query = select(person).where(lead.skill_id == skill_id, lead.level >= min_level)
        order = [lead.level.desc(), person.desc()]
        for skill_id, min_level in others:
            held = aliased(VolunteerSkill)
            conditions.append(
                _row_by_row(
                    select(held.id).where(
                        held.user_id == person, held.skill_id == skill_id, held.level >= min_level
                    )
                )
            )
    else:
        # An alias of its own, so that the per-row subqueries on profiles are correlated with it.
        driver = aliased(VolunteerProfile)
        person = driver.user_id
        query = select(person)
        order = [person]
    day = place.start.date()
    conditions += [
        _row_by_row(
            select(AvailabilityWindow.id).where(
                AvailabilityWindow.user_id == person,
                AvailabilityWindow.weekday == place.start.weekday(),
                AvailabilityWindow.start_time < span[1],
                AvailabilityWindow.end_time > span[0],
            )
        )
        if span is not None
        else person.is_(None),  # nobody: no weekly window covers a shift past midnight
        _account_fits(person, place, today),
        ~exists().where(
            VolunteerAbsence.user_id == person,
            VolunteerAbsence.starts_on <= day,
            VolunteerAbsence.ends_on >= day,
        ),
        ~exists().where(
            Assignment.volunteer_id == person,
            Assignment.shift_id == place.id,
            Assignment.status.in_(ACTIVE),
        ),
    ]
    if place.works_with_children:
        conditions.append(exists().where(ChildProtectionCheck.user_id == person))
    if only is not None:
        conditions.append(person == only)
    return query.where(*conditions).order_by(*order).limit(limit)


def _one_place(shift_id: int, now: datetime) -> matching.Place | None:
    places = matching_inputs.load_places(Scope(), now, among=[shift_id])
    return places[0] if places else None


def candidates_for_shift(shift: Shift, now: datetime, limit: int = SUGGESTIONS) -> list[Candidate]:
    """The volunteers the ranking finds best for an open shift, with their reasons.

    A shift that is full, cancelled, started or whose need is not published has none.
    """
    place = _one_place(shift.id, now)
    if place is None:
        return []
    today = now.astimezone(WARSAW).date()
    ids = list(db.session.scalars(volunteer_pool(place, today)))
    if not ids:
        return []
    volunteers = matching_inputs.load_volunteers(
        now,
        matching.MatchingConfig(as_of=matching_inputs.local(now)),
        until=place.start.date(),
        among=ids,
    )
    if not volunteers:
        return []
    best = _ranked(volunteers, [place], limit, now)
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(one_of(User.id, [p.volunteer_id for p in best]))
        )
    }
    by_id = {v.id: v for v in volunteers}
    asked = [
        (skill_id, min_level, True) for skill_id, min_level in sorted(place.required_skills.items())
    ] + [(skill_id, 0, False) for skill_id in sorted(place.nice_skills)]
    return [
        Candidate(
            volunteer=people[p.volunteer_id],
            shift_id=place.id,
            score=p.score,
            reasons=reason_rows(p),
            age=by_id[p.volunteer_id].age,
            has_checks=by_id[p.volunteer_id].child_protection_checked,
            skills=[SkillFit(s, by_id[p.volunteer_id].skills.get(s), m, r) for s, m, r in asked],
        )
        for p in best
        if p.volunteer_id in people
    ]


def is_candidate(shift: Shift, volunteer_id: int, now: datetime) -> bool:
    """Whether the ranking would suggest this person for this shift at all (any rank)."""
    place = _one_place(shift.id, now)
    if place is None:
        return False
    today = now.astimezone(WARSAW).date()
    pool = volunteer_pool(place, today, limit=1, only=volunteer_id)
    if db.session.scalar(pool) is None:
        return False
    volunteers = matching_inputs.load_volunteers(
        now,
        matching.MatchingConfig(as_of=matching_inputs.local(now)),
        until=place.start.date(),
        only=volunteer_id,
    )
    return bool(volunteers) and matching.is_feasible(
        volunteers[0], place, matching.MatchingConfig(as_of=matching_inputs.local(now))
    )


# --- shifts for a volunteer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    """A need the matcher ranks well for the volunteer, with its best shift and the reasons."""

    need: Need
    shift: Shift
    score: int
    reasons: list[dict[str, Any]]


def _lacks_required_skill(user_id: int) -> Any:
    """The need asks for a required skill the person does not hold at its level."""
    return exists().where(
        NeedSkill.need_id == Need.id,
        NeedSkill.is_required.is_(True),
        ~exists().where(
            VolunteerSkill.user_id == user_id,
            VolunteerSkill.skill_id == NeedSkill.skill_id,
            VolunteerSkill.level >= NeedSkill.min_level,
        ),
    )


def _in_windows(starts_at: datetime, ends_at: datetime, windows: dict[int, list]) -> bool:
    start, end = matching_inputs.local(starts_at), matching_inputs.local(ends_at)
    if end.date() != start.date():
        return False  # no weekly window covers a shift past midnight
    return any(s < end.time() and e > start.time() for s, e in windows.get(start.weekday(), ()))


def place_pool(user_id: int, now: datetime, newer_than: datetime | None = None) -> list[int]:
    """The ids of the open shifts of the coming RECOMMEND_DAYS that may fit the person (see the
    module's docstring), on needs they do not hold or wait for yet; with `newer_than`, only
    needs published since then."""
    taken = select(Assignment.need_id).where(
        Assignment.volunteer_id == user_id,
        Assignment.status.in_(HOLDS_PLACE | {S.APPLIED, S.PROPOSED}),
    )
    conditions = [
        Need.status == NeedStatus.PUBLISHED,
        Shift.is_cancelled.is_(False),
        Shift.starts_at > now,
        Shift.starts_at < now + timedelta(days=RECOMMEND_DAYS),
        Shift.accepted_count < Shift.places,
        not_(_lacks_required_skill(user_id)),
        Need.id.not_in(taken),
    ]
    if newer_than is not None:
        conditions.append(Need.published_at >= newer_than)
    rows = db.session.execute(
        select(Shift.id, Shift.starts_at, Shift.ends_at)
        .join(Need, Need.id == Shift.need_id)
        .where(*conditions)
        .order_by(Shift.starts_at, Shift.id)
        .limit(POOL_PLACES)
    ).all()
    windows: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in db.session.execute(
        select(
            AvailabilityWindow.weekday, AvailabilityWindow.start_time, AvailabilityWindow.end_time
        ).where(AvailabilityWindow.user_id == user_id)
    ):
        windows.setdefault(weekday, []).append((start, end))
    return [shift_id for shift_id, start, end in rows if _in_windows(start, end, windows)]


def recommendations_for(
    user: User, now: datetime, limit: int = SUGGESTIONS, newer_than: datetime | None = None
) -> list[Recommendation]:
    """The open needs the matcher ranks best for this volunteer, one entry per need (its best
    shift). Someone the loader leaves out (no consent, a minor without the guardian's consent)
    gets nothing."""
    ids = place_pool(user.id, now, newer_than)
    if not ids:
        return []
    places = matching_inputs.load_places(Scope(), now, among=ids)
    today = now.astimezone(WARSAW).date()
    volunteers = matching_inputs.load_volunteers(
        now,
        matching.MatchingConfig(as_of=matching_inputs.local(now)),
        until=matching_inputs.last_day_needed(places, today),
        only=user.id,
    )
    if not places or not volunteers:
        return []
    best: dict[int, matching.Proposal] = {}
    for proposal in _ranked(volunteers, places, None, now):
        if proposal.need_id not in best:
            best[proposal.need_id] = proposal
            if len(best) == limit:
                break
    if not best:
        return []
    shifts = {
        shift.id: shift
        for shift in db.session.scalars(
            select(Shift)
            .where(one_of(Shift.id, sorted(p.place_id for p in best.values())))
            .options(selectinload(Shift.need).selectinload(Need.institution))
        )
    }
    return [
        Recommendation(shifts[p.place_id].need, shifts[p.place_id], p.score, reason_rows(p))
        for p in best.values()
        if p.place_id in shifts
    ]


__all__ = [
    "Candidate",
    "Recommendation",
    "candidates_for_shift",
    "is_candidate",
    "place_pool",
    "recommendations_for",
    "volunteer_pool",
]
