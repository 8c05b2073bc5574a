"""Database rows in, the matching library's inputs out, at the scale of the whole coalition.

A coalition-wide run reads every volunteer who may be proposed and every open shift. Building an
ORM object per person (with its skills, windows and absences) costs gigabytes at national scale,
and lists of ids sent back to the server outgrow what a database accepts in one statement. So each
kind of row is read with one Core query whose conditions stay on the server: the volunteers who
may be proposed (`_eligible`, written once to a temporary table) are joined into the queries for
their skills, availability, absences, bookings, month's hours (summed on the server), history,
preferences and checks, and the open shifts are a
subquery (`open_shift_ids`) for their needs' skills and co-hosts and for the cancellation of
proposals a run supersedes. No statement's parameters grow with the data; rows are grouped by
id in plain dicts and turned into the library's frozen dataclasses (in Warsaw wall-clock time).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Column
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import Select
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import type_coerce
from sqlalchemy.sql.elements import ColumnElement

import matching
from app.core.sql import one_of
from app.core.text import fold
from app.core.time import WARSAW
from app.extensions import db
from app.models import HOLDS_PLACE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import ChildProtectionCheck
from app.models import Consent
from app.models import ConsentKind
from app.models import Need
from app.models import NeedKind
from app.models import NeedSkill
from app.models import NeedStatus
from app.models import Role
from app.models import Shift
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.models import need_cohost
from app.models.volunteers import age_on
from app.models.volunteers import may_be_placed
from app.models.volunteers import volunteer_preferred_institution
from app.services.date_range import clamp
from app.services.limits import coalition_limits
from app.services.limits import overridden
from app.services.limits import place_limits
from app.services.qualifications import valid_for_matching

if TYPE_CHECKING:
    from app.services.matching_run import Scope

S = AssignmentStatus
# An assignment in these statuses keeps the volunteer's time busy, and its hours count this month.
BOOKING_STATUSES = HOLDS_PLACE | {S.APPLIED, S.COMPLETED}
# Rows converted by the driver at a time.
PARTITION = 10_000


def local(moment: datetime) -> datetime:
    """A stored UTC moment as the naive Warsaw wall-clock time the library reasons in."""
    return moment.astimezone(WARSAW).replace(tzinfo=None)


def tags(text: str) -> frozenset[str]:
    """Comma- or semicolon-separated words, folded so that "Łódź" and "lodz" are one interest."""
    return frozenset(
        t for t in (fold(part).strip() for part in text.replace(";", ",").split(",")) if t
    )


def _local_clock() -> Callable[[datetime], datetime]:
    """`local`, remembering its answers: many rows share a few thousand shift times."""
    return functools.lru_cache(maxsize=None)(local)


def _stream(query: Select) -> Iterator:
    """The rows of `query` as plain tuples, converted one by one as they are read.

    Executed on the session's connection as Core, without the ORM's result layer. A client-side
    cursor is used on purpose: on PostgreSQL the driver holds the result in its compact C form
    and each row becomes Python objects only when it is read, which costs little memory, while a
    server-side cursor (`yield_per`) measured twice as slow at national scale (a round trip per
    batch and plans tuned for the first rows).
    """
    result = db.session.connection().execute(query)
    for rows in result.partitions(PARTITION):  # fetchmany: the driver converts rows in bulk
        yield from rows


def _plain(query: Select) -> Iterator[tuple]:
    """The rows of `query` as the driver's own tuples, for columns it returns as they are meant
    on every database (integers, booleans, text coerced to `String`).

    The statement is compiled and its parameters bound by SQLAlchemy as usual; only the rows
    skip its result layer, which costs about four times the driver's own conversion on a
    million rows. Dates, times and enums still go through `_stream`: SQLite returns them as text.
    """
    result = db.session.connection().execute(query)
    cursor = result.cursor
    try:
        while rows := cursor.fetchmany(PARTITION):
            yield from rows
    finally:
        result.close()


# ---------------------------------------------------------------------------------------------
# Places


def _open_shift_conditions(scope: Scope, now: datetime) -> list[ColumnElement[bool]]:
    """What makes a shift one of the run's places, over `shift` joined to `need`."""
    conditions: list[ColumnElement[bool]] = [
        Need.status == NeedStatus.PUBLISHED,
        Shift.is_cancelled.is_(False),
        Shift.starts_at > now,
        Shift.accepted_count < Shift.places,
    ]
    if scope.institution_ids:
        cohosted = select(need_cohost.c.need_id).where(
            need_cohost.c.institution_id.in_(sorted(scope.institution_ids))
        )
        conditions.append(
            Need.institution_id.in_(sorted(scope.institution_ids)) | Need.id.in_(cohosted)
        )
    # The form takes only dates people mean; a scope built elsewhere is held to the same range,
    # so that the day after its last date exists.
    if scope.date_from:
        first = clamp(scope.date_from)
        conditions.append(Shift.starts_at >= datetime.combine(first, time.min, WARSAW))
    if scope.date_to:
        following = clamp(scope.date_to) + timedelta(days=1)
        conditions.append(Shift.starts_at < datetime.combine(following, time.min, WARSAW))
    return conditions


def open_shift_ids(scope: Scope, now: datetime) -> Select:
    """The ids of the run's places as a subquery: the shifts `load_places` reads, for statements
    that act on all of them (cancelling the proposals a run supersedes) without a list of ids."""
    return (
        select(Shift.id)
        .join(Need, Need.id == Shift.need_id)
        .where(*_open_shift_conditions(scope, now))
    )


def load_places(
    scope: Scope, now: datetime, among: Select | Sequence[int] | None = None
) -> list[matching.Place]:
    """The open shifts in `scope` that start after `now`, with their needs' skills and co-hosts.

    `among` (a subquery or a short list of shift ids) narrows them further: a page that ranks a few shifts
    reads only those, under the same conditions as a run.
    """
    conditions = _open_shift_conditions(scope, now)
    if among is not None:
        conditions.append(one_of(Shift.id, among))
    needs = select(Shift.need_id).join(Need, Need.id == Shift.need_id).where(*conditions)
    required: dict[int, dict[int, int]] = defaultdict(dict)
    nice: dict[int, set[int]] = defaultdict(set)
    for need_id, skill_id, min_level, is_required in _plain(
        select(NeedSkill.need_id, NeedSkill.skill_id, NeedSkill.min_level, NeedSkill.is_required)
        .where(NeedSkill.need_id.in_(needs))
        .order_by(NeedSkill.need_id, NeedSkill.id)
    ):
        if is_required:
            required[need_id][skill_id] = min_level
        else:
            nice[need_id].add(skill_id)
    cohosts: dict[int, set[int]] = defaultdict(set)
    for need_id, institution_id in _plain(
        select(need_cohost.c.need_id, need_cohost.c.institution_id).where(
            need_cohost.c.need_id.in_(needs)
        )
    ):
        cohosts[need_id].add(institution_id)

    # The shifts of one need share its skills, interests and co-hosts: one object for all of them.
    shared: dict[int, tuple] = {}
    coalition = coalition_limits()
    to_local = _local_clock()
    places = []
    for row in _stream(
        select(
            Shift.id,
            Shift.need_id,
            Need.institution_id,
            Shift.starts_at,
            Shift.ends_at,
            Shift.places - Shift.accepted_count,
            Need.min_age,
            Need.works_with_children,
            Need.kind,
            Need.title,
            Need.required_qualification_id,
            Need.min_rest_hours,
            Need.max_days_in_row,
            Need.signup_opens_days,
        )
        .join(Need, Need.id == Shift.need_id)
        .where(*conditions)
        .order_by(Shift.id)
    ):
        (shift_id, need_id, institution_id, starts_at, ends_at, left, min_age, children, kind) = (
            row[:9]
        )
        need = shared.get(need_id)
        if need is None:
            need = shared[need_id] = (
                required.pop(need_id, {}),
                frozenset(nice.pop(need_id, ())),
                matching.NeedKind(NeedKind(kind).value),
                tags(row[9]),
                frozenset(cohosts.pop(need_id, ())),
                frozenset(() if row[10] is None else (row[10],)),
                overridden(coalition, *row[11:14]),
            )
        places.append(
            matching.Place(
                id=shift_id,
                need_id=need_id,
                institution_id=institution_id,
                start=to_local(starts_at),
                end=to_local(ends_at),
                places_left=left,
                required_skills=need[0],
                nice_skills=need[1],
                min_age=min_age,
                works_with_children=children,
                kind=need[2],
                interests=need[3],
                co_host_institution_ids=need[4],
                required_qualifications=need[5],
                **place_limits(starts_at, need[6]),
            )
        )
    return places


def last_day_needed(places: list[matching.Place], today: date) -> date:
    """The last date on which any place starts: absences beyond it cannot matter to the run."""
    return max((p.start.date() for p in places), default=today)


# ---------------------------------------------------------------------------------------------
# Volunteers


def _consenting() -> Select:
    """Users whose newest data-processing consent row grants it."""
    latest = (
        select(Consent.user_id, func.max(Consent.id).label("last_id"))
        .where(Consent.kind == ConsentKind.DATA_PROCESSING)
        .group_by(Consent.user_id)
        .subquery()
    )
    return (
        select(Consent.user_id)
        .join(latest, latest.c.last_id == Consent.id)
        .where(Consent.granted.is_(True))
    )


def consents_now() -> ColumnElement[bool]:
    """The person's newest data-processing consent row grants it, asked row by row.

    The same rule as `_consenting`, correlated with the outer query's user: a page that reads a
    few people looks at their consent rows only (through the user/kind index) instead of
    grouping the whole table.
    """
    newest = (
        select(Consent.granted)
        .where(Consent.user_id == User.id, Consent.kind == ConsentKind.DATA_PROCESSING)
        .order_by(Consent.id.desc())
        .limit(1)
        .correlate(User)
        .scalar_subquery()
    )
    return newest.is_(True)


def _eligible(among: Select | Sequence[int] | None = None) -> Select:
    """Volunteers who may be proposed, as far as the server can tell: an active, confirmed
    volunteer account with a profile and a current data-processing consent. What depends on
    the day (a minor's guardian consent) is decided per row by `may_be_placed`.

    `among` (a subquery of user ids) narrows it to a few people, whose consent is then read
    row by row."""
    query = (
        select(VolunteerProfile.user_id)
        .join(User, User.id == VolunteerProfile.user_id)
        .where(
            User.role == Role.VOLUNTEER,
            User.is_active_account.is_(True),
            User.email_confirmed_at.is_not(None),
        )
    )
    if among is not None:
        return query.where(one_of(VolunteerProfile.user_id, among), consents_now())
    return query.where(User.id.in_(_consenting()))


# The volunteers a coalition-wide run may propose, worked out once per load: every query below
# joins this table instead of evaluating the consent subquery again (it costs more than most of
# them). A temporary table lives on the loading connection only, in no model's metadata.
_ELIGIBLE = Table(
    "matching_eligible_volunteer",
    MetaData(),
    Column("user_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)


@contextmanager
def _eligible_once(eligible: Select) -> Iterator[Select]:
    """The ids of `eligible` written to a temporary table on the server, as a subquery on it.

    Nothing travels to the client: the rows go from the SELECT into the table in one statement.
    The table is dropped afterwards (and with the transaction, should the load fail on
    PostgreSQL); one left behind on a pooled SQLite connection is dropped by the next load.
    """
    conn = db.session.connection()
    conn.execute(text(f"DROP TABLE IF EXISTS {_ELIGIBLE.name}"))
    _ELIGIBLE.create(conn)
    conn.execute(_ELIGIBLE.insert().from_select(["user_id"], eligible))
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"ANALYZE {_ELIGIBLE.name}"))  # temporary tables get no autovacuum
    yield select(_ELIGIBLE.c.user_id)
    _ELIGIBLE.drop(conn)


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The current Warsaw calendar month, as UTC moments."""
    start = now.astimezone(WARSAW).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.astimezone(UTC), end.astimezone(UTC)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


class _History:
    """What earlier assignments say about each volunteer, keyed by user id.

    One pass over the assignments in the statuses that matter, grouped here rather than on the
    server: nearly every (volunteer, institution) pair is distinct at national scale, so a GROUP
    BY would sort a million rows to remove almost none.
    """

    def __init__(self, eligible: Select | list[int]) -> None:
        self.served: dict[int, set[int]] = defaultdict(set)
        self.long_term: dict[int, set[int]] = defaultdict(set)
        self.declined: dict[int, set[int]] = defaultdict(set)
        self.attended: dict[int, int] = defaultdict(int)
        self.missed: dict[int, int] = defaultdict(int)
        served_statuses = (S.COMPLETED.value, S.ACCEPTED.value)
        declined_statuses = (S.DECLINED.value, S.EXPIRED.value, S.REJECTED.value)
        completed, no_show, long_term = S.COMPLETED.value, S.NO_SHOW.value, NeedKind.LONG_TERM.value
        for volunteer_id, status, need_id, institution_id, kind in _plain(
            select(
                Assignment.volunteer_id,
                type_coerce(Assignment.status, String),
                Assignment.need_id,
                Need.institution_id,
                type_coerce(Need.kind, String),
            )
            .join(Need, Need.id == Assignment.need_id)
            .where(
                one_of(Assignment.volunteer_id, eligible),
                Assignment.status.in_(
                    (S.COMPLETED, S.ACCEPTED, S.NO_SHOW, S.DECLINED, S.EXPIRED, S.REJECTED)
                ),
            )
        ):
            if status in served_statuses:
                self.served[volunteer_id].add(institution_id)
                if kind == long_term:
                    self.long_term[volunteer_id].add(institution_id)
                if status == completed:
                    self.attended[volunteer_id] += 1
            elif status == no_show:
                self.missed[volunteer_id] += 1
            elif status in declined_statuses:
                self.declined[volunteer_id].add(need_id)


def load_volunteers(
    now: datetime,
    config: matching.MatchingConfig,
    until: date,
    only: int | None = None,
    among: Select | Sequence[int] | None = None,
) -> list[matching.Volunteer]:
    """Every volunteer who may be proposed on the Warsaw date of `now`, in user id order.

    `until` is the last date the run's places need: absences are expanded to dates up to it.
    `only` (one user id) or `among` (a subquery or list of user ids) narrows it (a page ranking
    shifts for one person, or people for one shift): their ids are read once and every
    statement reads those people's rows, so the same rules decide who may be proposed. For
    everyone, the subquery is evaluated once into a temporary table that the other statements
    join.
    """
    if only is not None:
        among = [only]
    if among is not None:
        # A few people: their ids, read once, keep every statement below on the indexes.
        few = list(db.session.scalars(_eligible(among)))
        if not few:
            return []
        return _read_volunteers(few, now, config, until)
    with _eligible_once(_eligible()) as eligible:
        return _read_volunteers(eligible, now, config, until)


def _month_hours(eligible: Select | list[int], now: datetime) -> dict[int, float]:
    """Hours of the shifts each volunteer holds or worked that start in the current Warsaw
    month, summed on the server (one row per volunteer rather than one per shift)."""
    month_start, month_end = _month_bounds(now)
    seconds = func.sum(extract("epoch", Shift.ends_at) - extract("epoch", Shift.starts_at))
    return {
        volunteer_id: float(total) / 3600
        for volunteer_id, total in _plain(
            select(Assignment.volunteer_id, seconds)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(
                one_of(Assignment.volunteer_id, eligible),
                Assignment.status.in_(BOOKING_STATUSES),
                Shift.starts_at >= month_start,
                Shift.starts_at < month_end,
            )
            .group_by(Assignment.volunteer_id)
        )
        if total
    }


def _read_volunteers(
    eligible: Select | list[int], now: datetime, config: matching.MatchingConfig, until: date
) -> list[matching.Volunteer]:
    today = now.astimezone(WARSAW).date()
    skills: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, skill_id, level in _plain(
        select(VolunteerSkill.user_id, VolunteerSkill.skill_id, VolunteerSkill.level).where(
            one_of(VolunteerSkill.user_id, eligible)
        )
    ):
        skills[user_id][skill_id] = level

    # Many people state the same weekly window: one object serves them all.
    windows: dict[tuple[int, int, int], matching.AvailabilityWindow] = {}
    availability: dict[int, list[matching.AvailabilityWindow]] = defaultdict(list)
    for user_id, weekday, start, end in _stream(
        select(
            AvailabilityWindow.user_id,
            AvailabilityWindow.weekday,
            AvailabilityWindow.start_time,
            AvailabilityWindow.end_time,
        )
        .where(one_of(AvailabilityWindow.user_id, eligible))
        .order_by(
            AvailabilityWindow.user_id,
            AvailabilityWindow.weekday,
            AvailabilityWindow.start_time,
            AvailabilityWindow.id,
        )
    ):
        key = (weekday, _minutes(start), _minutes(end))
        window = windows.get(key)
        if window is None:
            window = windows[key] = matching.AvailabilityWindow(*key)
        availability[user_id].append(window)

    away: dict[int, set[date]] = defaultdict(set)
    for user_id, starts_on, ends_on in _stream(
        select(
            VolunteerAbsence.user_id, VolunteerAbsence.starts_on, VolunteerAbsence.ends_on
        ).where(
            one_of(VolunteerAbsence.user_id, eligible),
            VolunteerAbsence.ends_on >= today,
            VolunteerAbsence.starts_on <= until,
        )
    ):
        day, last = max(starts_on, today), min(ends_on, until)
        dates = away[user_id]
        while day <= last:
            dates.add(day)
            day += timedelta(days=1)

    preferred: dict[int, set[int]] = defaultdict(set)
    for user_id, institution_id in _plain(
        select(
            volunteer_preferred_institution.c.user_id,
            volunteer_preferred_institution.c.institution_id,
        ).where(one_of(volunteer_preferred_institution.c.user_id, eligible))
    ):
        preferred[user_id].add(institution_id)

    checked = {
        user_id
        for (user_id,) in _plain(
            select(ChildProtectionCheck.user_id)
            .where(one_of(ChildProtectionCheck.user_id, eligible))
            .distinct()
        )
    }

    history = _History(eligible)
    qualified = valid_for_matching(eligible, today)

    # Only a booking that ends after `now` can overlap a place, which starts after it.
    bookings: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    to_local = _local_clock()
    for volunteer_id, starts_at, ends_at in _stream(
        select(Assignment.volunteer_id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            one_of(Assignment.volunteer_id, eligible),
            Assignment.status.in_(BOOKING_STATUSES),
            Shift.ends_at > now,
        )
        .order_by(Assignment.volunteer_id, Shift.starts_at, Assignment.id)
    ):
        bookings[volunteer_id].append((to_local(starts_at), to_local(ends_at)))
    month_hours = _month_hours(eligible, now)

    interests: dict[str, frozenset[str]] = {}
    empty: frozenset = frozenset()
    volunteers = []
    for (
        user_id,
        date_of_birth,
        guardian_consent_at,
        pending,
        max_hours_month,
        interest_text,
    ) in _stream(
        select(
            VolunteerProfile.user_id,
            VolunteerProfile.date_of_birth,
            VolunteerProfile.guardian_consent_at,
            VolunteerProfile.birth_date_confirmation_pending,
            VolunteerProfile.max_hours_month,
            VolunteerProfile.interests,
        )
        .where(one_of(VolunteerProfile.user_id, eligible))
        .order_by(VolunteerProfile.user_id)
    ):
        if not may_be_placed(
            today,
            date_of_birth=date_of_birth,
            guardian_consent_at=guardian_consent_at,
            birth_date_confirmation_pending=pending,
        ):
            continue
        their_interests = interests.get(interest_text)
        if their_interests is None:
            their_interests = interests[interest_text] = tags(interest_text)
        done, missed = history.attended.get(user_id, 0), history.missed.get(user_id, 0)
        served = history.served.get(user_id)
        long_term = history.long_term.get(user_id)
        declined = history.declined.get(user_id)
        dates_away = away.get(user_id)
        liked = preferred.get(user_id)
        volunteers.append(
            matching.Volunteer(
                id=user_id,
                skills=skills.get(user_id, {}),
                availability=tuple(availability.get(user_id, ())),
                dates_away=frozenset(dates_away) if dates_away else empty,
                age=age_on(date_of_birth, today),
                child_protection_checked=user_id in checked,
                capacity=config.max_shifts_per_volunteer,
                hours_left=max(0.0, max_hours_month - month_hours.get(user_id, 0.0)),
                preferred_institution_ids=frozenset(liked) if liked else empty,
                interests=their_interests,
                served_institution_ids=frozenset(served) if served else empty,
                long_term_institution_ids=frozenset(long_term) if long_term else empty,
                reliability=(done + 1) / (done + missed + 2),  # Laplace: newcomers start at 0.5
                shifts_on_record=done + missed,
                declined_need_ids=frozenset(declined) if declined else empty,
                bookings=tuple(bookings.get(user_id, ())),
                qualifications=qualified.get(user_id, {}),
            )
        )
    return volunteers


__all__ = [
    "consents_now",
    "last_day_needed",
    "load_places",
    "load_volunteers",
    "local",
    "open_shift_ids",
    "tags",
]
