"""The matcher's inputs read with Core queries at national scale, and its proposals saved in bulk.

The loaders are compared with a reference that reads the same rows the plain ORM way (one object
per person, relationships loaded per profile), on data that exercises every rule; a statement
recorder shows that no statement grows with the number of volunteers; and a run whose proposals
are decided on while it solves keeps those decisions.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import matching
from app.extensions import db
from app.models import HOLDS_PLACE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import ChildProtectionCheck
from app.models import Consent
from app.models import ConsentKind
from app.models import Institution
from app.models import MatchRun
from app.models import Need
from app.models import NeedKind
from app.models import NeedSkill
from app.models import NeedStatus
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import SkillGroup
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.models.base import utcnow
from app.services import matching_inputs
from app.services import offers
from app.services.matching_run import Scope
from app.services.matching_run import _cancel_superseded
from app.services.matching_run import _store_proposals
from app.services.matching_run import execute_run
from app.services.matching_run import start_run

S = AssignmentStatus
WARSAW = ZoneInfo("Europe/Warsaw")
PASSWORD_HASH = "not-a-real-hash"  # noqa: S105 - these accounts never sign in


# ---------------------------------------------------------------------------------------------
# The reference: the same inputs read through ORM objects, one per person.


def reference_places(scope: Scope, now: datetime) -> list[matching.Place]:
    shifts = db.session.scalars(
        select(Shift)
        .join(Need, Need.id == Shift.need_id)
        .where(
            Need.status == NeedStatus.PUBLISHED,
            Shift.is_cancelled.is_(False),
            Shift.starts_at > now,
            Shift.accepted_count < Shift.places,
        )
        .options(selectinload(Shift.need).selectinload(Need.skills))
        .options(selectinload(Shift.need).selectinload(Need.cohosts))
        .order_by(Shift.id)
    ).all()
    places = []
    for shift in shifts:
        need = shift.need
        if scope.institution_ids and not (need.host_ids() & scope.institution_ids):
            continue
        places.append(
            matching.Place(
                id=shift.id,
                need_id=need.id,
                institution_id=need.institution_id,
                start=matching_inputs.local(shift.starts_at),
                end=matching_inputs.local(shift.ends_at),
                places_left=shift.places - shift.accepted_count,
                required_skills={s.skill_id: s.min_level for s in need.skills if s.is_required},
                nice_skills=frozenset(s.skill_id for s in need.skills if not s.is_required),
                min_age=need.min_age,
                works_with_children=need.works_with_children,
                kind=matching.NeedKind(need.kind.value),
                interests=matching_inputs.tags(need.title),
                co_host_institution_ids=frozenset(i.id for i in need.cohosts),
            )
        )
    return places


def reference_volunteers(now: datetime, until: date) -> list[matching.Volunteer]:
    today = now.astimezone(WARSAW).date()
    config = matching.MatchingConfig()
    users = db.session.scalars(
        select(User)
        .where(
            User.role == Role.VOLUNTEER,
            User.is_active_account.is_(True),
            User.email_confirmed_at.is_not(None),
        )
        .options(
            selectinload(User.profile).selectinload(VolunteerProfile.skills),
            selectinload(User.profile).selectinload(VolunteerProfile.availability),
            selectinload(User.profile).selectinload(VolunteerProfile.absences),
            selectinload(User.profile).selectinload(VolunteerProfile.preferred_institutions),
        )
        .order_by(User.id)
    ).all()
    month_start = now.astimezone(WARSAW).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    volunteers = []
    for user in users:
        consents = db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user.id, Consent.kind == ConsentKind.DATA_PROCESSING)
            .order_by(Consent.id.desc())
        ).first()
        profile = user.profile
        if consents is None or not consents.granted or profile is None:
            continue
        if not profile.may_be_placed_on(today):
            continue
        mine = db.session.scalars(select(Assignment).where(Assignment.volunteer_id == user.id))
        served, long_term, declined, done, missed = set(), set(), set(), 0, 0
        bookings, seconds = [], 0.0
        for a in mine:
            if a.status in (S.COMPLETED, S.ACCEPTED):
                served.add(a.need.institution_id)
                if a.need.kind == NeedKind.LONG_TERM:
                    long_term.add(a.need.institution_id)
            done += a.status == S.COMPLETED
            missed += a.status == S.NO_SHOW
            if a.status in (S.DECLINED, S.EXPIRED, S.REJECTED):
                declined.add(a.need_id)
            if a.status not in HOLDS_PLACE | {S.APPLIED, S.COMPLETED}:
                continue
            # Only a booking still to end can overlap a place, which starts after `now`.
            if a.shift.ends_at > now:
                bookings.append(
                    (
                        matching_inputs.local(a.shift.starts_at),
                        matching_inputs.local(a.shift.ends_at),
                    )
                )
            if month_start <= a.shift.starts_at < month_end:
                seconds += (a.shift.ends_at - a.shift.starts_at).total_seconds()
        hours = seconds / 3600
        away = set()
        for absence in profile.absences:
            day = max(absence.starts_on, today)
            while day <= min(absence.ends_on, until):
                away.add(day)
                day += timedelta(days=1)
        checked = db.session.scalar(
            select(ChildProtectionCheck.id).where(ChildProtectionCheck.user_id == user.id)
        )
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
                child_protection_checked=checked is not None,
                capacity=config.max_shifts_per_volunteer,
                hours_left=max(0.0, profile.max_hours_month - hours),
                preferred_institution_ids=frozenset(i.id for i in profile.preferred_institutions),
                interests=matching_inputs.tags(profile.interests),
                served_institution_ids=frozenset(served),
                long_term_institution_ids=frozenset(long_term),
                reliability=(done + 1) / (done + missed + 2),
                shifts_on_record=done + missed,
                declined_need_ids=frozenset(declined),
                bookings=tuple(sorted(bookings)),
            )
        )
    return volunteers


# ---------------------------------------------------------------------------------------------
# A coalition that exercises every rule of the loaders.


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), WARSAW).astimezone(UTC)


@pytest.fixture
def varied(app, factory):
    """Institutions, needs with skills and co-hosts, and volunteers on both sides of each rule.

    Returns the names of the people the loader must read, the ids of everyone, and `now`.
    """
    now = utcnow()
    today = now.astimezone(WARSAW).date()
    museum, theatre, library = (
        factory.institution("Muzeum"),
        factory.institution("Teatr"),
        factory.institution("Biblioteka"),
    )
    ahead = [today + timedelta(days=d) for d in (3, 10, 40)]
    guided = factory.need(
        museum, "Oprowadzanie, historia; Łódź", start=_at(ahead[0], 10), shifts=3, places=3
    )
    workshop = factory.need(
        theatre,
        "Warsztaty dla dzieci",
        start=_at(ahead[1], 16),
        works_with_children=True,
        min_age=16,
        kind=NeedKind.LONG_TERM,
    )
    factory.need(library, "Szkic", status=NeedStatus.DRAFT, start=_at(ahead[0], 9))
    past = factory.need(library, "Kiermasz", start=now - timedelta(days=3), places=5)
    month_start = today.replace(day=1)
    this_month = factory.need(
        library,
        "Inwentaryzacja",
        start=_at(month_start, 1),
        places=5,
        status=NeedStatus.CLOSED,
    )
    long_ago = factory.need(theatre, "Dawna premiera", start=now - timedelta(days=60), places=5)
    full = factory.need(museum, "Noc muzeów", start=_at(ahead[2], 18), places=1)
    cancelled = factory.need(theatre, "Odwołany spektakl", start=_at(ahead[2], 19))

    names = [
        "adult",
        "teen_with_guardian",
        "teen_alone",
        "pending",
        "no_birth_date",
        "revoked",
        "granted_again",
        "no_consent",
        "inactive",
        "unconfirmed",
        "staff",
    ]
    group = SkillGroup(code="g", name_pl="Grupa", name_en="Group")
    photo = Skill(code="photo", name_pl="Fotografia", name_en="Photo", group=group)
    english = Skill(code="en", name_pl="Angielski", name_en="English", group=group)
    db.session.add_all([group, photo, english])
    db.session.flush()
    db.session.add_all(
        [
            NeedSkill(need_id=guided.id, skill_id=photo.id, min_level=2),
            NeedSkill(need_id=guided.id, skill_id=english.id, is_required=False),
            NeedSkill(need_id=workshop.id, skill_id=english.id, min_level=1),
        ]
    )
    guided_row = db.session.get(Need, guided.id)
    guided_row.cohosts.append(db.session.get(Institution, library.id))
    db.session.get(Shift, full.shifts[0].id).accepted_count = 1
    db.session.get(Shift, cancelled.shifts[0].id).is_cancelled = True
    ids = {}
    for n, name in enumerate(names):
        user = User(
            email=f"{name}@example.org",
            password_hash=PASSWORD_HASH,
            role=Role.STAFF if name == "staff" else Role.VOLUNTEER,
            first_name=name,
            last_name="Testowa",
            is_active_account=name != "inactive",
            email_confirmed_at=None if name == "unconfirmed" else now,
        )
        user.profile = VolunteerProfile(
            date_of_birth=None if name == "no_birth_date" else date(1990, 1 + n % 12, 1),
            interests="Muzea, teatr; Łódź" if n % 2 else "fotografia",
            max_hours_month=10 + n,
        )
        db.session.add(user)
        db.session.flush()
        ids[name] = user.id
        if name != "no_consent":
            db.session.add(Consent(user_id=user.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
        db.session.add(Consent(user_id=user.id, kind=ConsentKind.IMAGE, granted=True))
    db.session.flush()
    teen_born = date(today.year - 15, 1, 1)
    for name in ("teen_with_guardian", "teen_alone"):
        db.session.get(VolunteerProfile, ids[name]).date_of_birth = teen_born
    db.session.get(VolunteerProfile, ids["teen_with_guardian"]).guardian_consent_at = now
    db.session.get(VolunteerProfile, ids["pending"]).birth_date_confirmation_pending = True
    db.session.add(Consent(user_id=ids["revoked"], kind=ConsentKind.DATA_PROCESSING, granted=False))
    db.session.add_all(
        Consent(user_id=ids["granted_again"], kind=ConsentKind.DATA_PROCESSING, granted=g)
        for g in (False, True)
    )

    adult, teen = ids["adult"], ids["teen_with_guardian"]
    profile = db.session.get(VolunteerProfile, adult)
    profile.skills = [
        VolunteerSkill(skill_id=photo.id, level=3),
        VolunteerSkill(skill_id=english.id, level=1),
    ]
    profile.availability = [
        AvailabilityWindow(weekday=5, start_time=time(13), end_time=time(18)),
        AvailabilityWindow(weekday=5, start_time=time(9), end_time=time(12, 30)),
        AvailabilityWindow(weekday=1, start_time=time(17), end_time=time(21)),
    ]
    profile.absences = [
        VolunteerAbsence(starts_on=today - timedelta(days=20), ends_on=today - timedelta(1)),
        VolunteerAbsence(starts_on=today - timedelta(days=2), ends_on=today + timedelta(2)),
        VolunteerAbsence(starts_on=ahead[1], ends_on=ahead[1] + timedelta(days=1)),
        VolunteerAbsence(
            starts_on=ahead[2] + timedelta(days=200), ends_on=ahead[2] + timedelta(days=210)
        ),
    ]
    profile.preferred_institutions = [
        db.session.get(Institution, museum.id),
        db.session.get(Institution, theatre.id),
    ]
    db.session.get(VolunteerProfile, teen).skills = [VolunteerSkill(skill_id=english.id, level=2)]
    db.session.get(VolunteerProfile, teen).availability = [
        AvailabilityWindow(weekday=today.weekday(), start_time=time(8), end_time=time(20))
    ]
    for user_id in (adult, adult, ids["no_birth_date"], ids["no_consent"]):
        db.session.add(
            ChildProtectionCheck(
                user_id=user_id, certificate_seen_on=today, register_checked_on=today
            )
        )
    db.session.commit()

    def assign(who: str, need, status, index: int = 0):
        with app.app_context():
            shift = need.shifts[index]
            db.session.add(
                Assignment(volunteer_id=ids[who], shift_id=shift.id, need_id=need.id, status=status)
            )
            db.session.commit()

    # The adult's history: served the theatre on a long-term need, the library; attended twice,
    # missed once; declined, let expire and was rejected; booked ahead and earlier this month.
    assign("adult", workshop, S.ACCEPTED)
    assign("adult", this_month, S.COMPLETED)
    assign("adult", past, S.COMPLETED)
    assign("adult", long_ago, S.NO_SHOW)
    assign("adult", long_ago, S.COMPLETED)
    assign("adult", guided, S.DECLINED, 0)
    assign("adult", guided, S.EXPIRED, 1)
    assign("adult", full, S.REJECTED)
    assign("adult", guided, S.APPLIED, 2)
    assign("adult", cancelled, S.WITHDRAWN)
    assign("teen_with_guardian", guided, S.OFFERED, 1)
    assign("teen_with_guardian", this_month, S.CANCELLED)
    assign("no_birth_date", past, S.NO_SHOW)
    assign("revoked", past, S.COMPLETED)
    return {"now": now, "ids": ids, "guided": guided, "workshop": workshop, "library": library}


@pytest.mark.clock
def test_loaded_volunteers_and_places_equal_the_orm_reading(app, varied):
    now, ids = varied["now"], varied["ids"]
    today = now.astimezone(WARSAW).date()
    places = matching_inputs.load_places(Scope(), now)
    until = matching_inputs.last_day_needed(places, today)
    volunteers = matching_inputs.load_volunteers(now, matching.MatchingConfig(), until)
    assert places == reference_places(Scope(), now)
    assert volunteers == reference_volunteers(now, until)

    scoped = Scope(institution_ids=frozenset({varied["library"].id}))
    cohosted = matching_inputs.load_places(scoped, now)
    assert cohosted == reference_places(scoped, now)
    assert {p.need_id for p in cohosted} == {varied["guided"].id}

    # The same outcome spelled out, so that agreeing on nothing cannot pass.
    # Three guided shifts and the workshop: not the draft, the full, the cancelled or the past.
    assert [p.need_id for p in places].count(varied["guided"].id) == 3
    assert {p.need_id for p in places} == {varied["guided"].id, varied["workshop"].id}
    assert len(places) == 4
    guided = next(p for p in places if p.need_id == varied["guided"].id)
    assert guided.co_host_institution_ids == {varied["library"].id}
    assert guided.interests == {"oprowadzanie", "historia", "lodz"}
    assert len(guided.required_skills) == 1 and len(guided.nice_skills) == 1
    assert until == max(p.start.date() for p in places)

    by_id = {v.id: v for v in volunteers}
    expected = {"adult", "teen_with_guardian", "no_birth_date", "granted_again"}
    assert set(by_id) == {ids[name] for name in expected}
    adult = by_id[ids["adult"]]
    assert adult.reliability == (3 + 1) / (3 + 1 + 2)
    assert len(adult.served_institution_ids) == 2 and len(adult.long_term_institution_ids) == 1
    assert len(adult.declined_need_ids) == 2
    assert adult.child_protection_checked and by_id[ids["no_birth_date"]].child_protection_checked
    assert [w.start_minute for w in adult.availability] == [17 * 60, 9 * 60, 13 * 60]
    assert min(adult.dates_away) == today and max(adult.dates_away) <= until
    # Ahead: accepted and applied; worked shifts are over and cannot overlap a place, though
    # this month's still count against the monthly hours.
    # The month's stocktaking (01:00-05:00 on the 1st) counts too while it has not ended: a
    # run just after midnight on the 1st.
    stocktaking_ends = _at(today.replace(day=1), 5)
    assert len(adult.bookings) == 2 + (stocktaking_ends > now)
    assert all(end > matching_inputs.local(now) for _, end in adult.bookings)
    assert adult.hours_left <= 10 - 4  # at least this month's four-hour stocktaking
    assert by_id[ids["teen_with_guardian"]].age == 15
    assert by_id[ids["no_birth_date"]].age is None
    assert by_id[ids["no_birth_date"]].reliability == 1 / 3


# ---------------------------------------------------------------------------------------------
# No statement grows with the data.


def build_population(app, factory, size: int) -> None:
    """`size` volunteers with everything the loader reads, a need per ten of them with an old
    pending proposal for each volunteer: the rows per volunteer stay the same at any size."""
    now = utcnow()
    today = now.astimezone(WARSAW).date()
    museum_id = factory.institution("Muzeum").id
    group = SkillGroup(code="g", name_pl="Grupa", name_en="Group")
    skill = Skill(code="s", name_pl="Umiejętność", name_en="Skill", group=group)
    museum = db.session.get(Institution, museum_id)
    db.session.add_all([group, skill])
    db.session.flush()
    old_run = MatchRun(params={}, status="done")
    db.session.add(old_run)
    needs = []
    for n in range(size // 10):
        start = _at(today + timedelta(days=1 + n % 20), 10)
        need = Need(
            institution_id=museum.id,
            title=f"Dyżur {n}, historia",
            status=NeedStatus.PUBLISHED,
            shifts=[
                Shift(starts_at=start, ends_at=start + timedelta(hours=3), places=4),
                Shift(
                    starts_at=start + timedelta(days=7),
                    ends_at=start + timedelta(days=7, hours=3),
                    places=4,
                ),
            ],
            skills=[NeedSkill(skill_id=skill.id, min_level=1)],
        )
        past_start = now - timedelta(days=5 + n % 10)
        need.shifts.append(
            Shift(starts_at=past_start, ends_at=past_start + timedelta(hours=2), places=20)
        )
        needs.append(need)
    db.session.add_all(needs)
    db.session.flush()
    for n in range(size):
        user = User(
            email=f"v{n}@example.org",
            password_hash=PASSWORD_HASH,
            role=Role.VOLUNTEER,
            first_name="V",
            last_name=str(n),
            email_confirmed_at=now,
        )
        user.profile = VolunteerProfile(
            date_of_birth=date(1960 + n % 30, 1, 1),
            interests="historia, teatr",
            skills=[VolunteerSkill(skill_id=skill.id, level=1 + n % 3)],
            availability=[
                AvailabilityWindow(weekday=d, start_time=time(8), end_time=time(20))
                for d in range(7)
            ],
            absences=[
                VolunteerAbsence(
                    starts_on=today + timedelta(days=n % 9), ends_on=today + timedelta(n % 9)
                )
            ],
            preferred_institutions=[museum],
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(Consent(user_id=user.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
        db.session.add(
            ChildProtectionCheck(
                user_id=user.id, certificate_seen_on=today, register_checked_on=today
            )
        )
        need = needs[n % len(needs)]
        for shift, status in ((need.shifts[2], S.COMPLETED), (need.shifts[2], S.NO_SHOW)):
            db.session.add(
                Assignment(volunteer_id=user.id, shift_id=shift.id, need_id=need.id, status=status)
            )
        db.session.add(
            Assignment(
                volunteer_id=user.id,
                shift_id=need.shifts[1].id,
                need_id=need.id,
                status=S.PROPOSED,
                match_run_id=old_run.id,
            )
        )
    db.session.commit()


def record_statements(app, work) -> list[int]:
    """Run `work` and return the number of bind parameters of each statement it sent (for an
    executemany, those of one row: each row is its own statement on the wire)."""
    counts: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        rows = parameters if executemany else [parameters]
        counts.append(max((len(r) for r in rows), default=0) if rows else 0)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return counts


def load_solve_and_save(app, now) -> dict:
    scope = Scope()
    outcome = {}

    def work():
        run = MatchRun(params={}, status="running")
        db.session.add(run)
        db.session.commit()
        today = now.astimezone(WARSAW).date()
        places = matching_inputs.load_places(scope, now)
        config = matching.MatchingConfig()
        volunteers = matching_inputs.load_volunteers(
            now, config, matching_inputs.last_day_needed(places, today)
        )
        result = matching.match(matching.Problem(volunteers, places, config))
        outcome["superseded"] = _cancel_superseded(run, scope, now)
        outcome["saved"], _ = _store_proposals(run, result.proposals)
        outcome["volunteers"] = len(volunteers)
        db.session.commit()

    outcome["parameters"] = record_statements(app, work)
    return outcome


def test_no_statement_grows_with_the_number_of_volunteers(app, factory):
    small, large = 15, 150
    build_population(app, factory, small)
    now = utcnow()
    few = load_solve_and_save(app, now)
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    build_population(app, factory, large)
    many = load_solve_and_save(app, now)

    assert (few["volunteers"], many["volunteers"]) == (small, large)
    assert (few["superseded"], many["superseded"]) == (small, large)
    assert many["saved"] >= 5 * few["saved"] > 0
    assert len(many["parameters"]) == len(few["parameters"])
    assert max(many["parameters"]) == max(few["parameters"])


# ---------------------------------------------------------------------------------------------
# Saving keeps what people decided while the run was solving.


@pytest.mark.clock
def test_decisions_made_while_the_run_solves_survive_its_save(app, factory, monkeypatch):
    museum = factory.institution("Muzeum Decyzji")
    coordinator = factory.user(Role.COORDINATOR)
    # Ten in the morning in Warsaw, five days ahead: a shift the matcher can cover whatever the
    # hour the test runs at (an evening start would end after midnight, on another day).
    morning = datetime.combine(
        utcnow().astimezone(WARSAW).date() + timedelta(days=5), time(10), WARSAW
    )
    need = factory.need(museum, "Dyżur w szatni", start=morning.astimezone(UTC), places=3)
    people = [factory.user(first_name=f"Osoba{n}") for n in range(4)]
    for person in people:
        profile = db.session.get(VolunteerProfile, person.id)
        profile.date_of_birth = date(1990, 1, 1)
        profile.availability = [
            AvailabilityWindow(weekday=d, start_time=time(0), end_time=time(23, 59))
            for d in range(7)
        ]
        db.session.add(Consent(user_id=person.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
    db.session.commit()
    first = execute_run(start_run(db.session.get(User, coordinator.id), Scope()))
    earlier = db.session.scalars(
        select(Assignment).where(Assignment.match_run_id == first.id).order_by(Assignment.id)
    ).all()
    assert len(earlier) == 3
    approved, rejected, left = (a.id for a in earlier)
    first_run_id = first.id

    solve = matching.match

    def decide_while_solving(problem):
        result = solve(problem)
        actor = db.session.get(User, coordinator.id)
        offers.approve_proposal(db.session.get(Assignment, approved), actor)
        offers.reject_proposal(db.session.get(Assignment, rejected), actor)
        db.session.commit()
        # The run solved with what it had read: it proposes the approved pair again.
        assert {(p.volunteer_id, p.place_id) for p in result.proposals} >= {
            (a.volunteer_id, a.shift_id) for a in earlier
        }
        return result

    monkeypatch.setattr(matching, "match", decide_while_solving)
    second = execute_run(start_run(db.session.get(User, coordinator.id), Scope()))
    assert second.status == "done"
    rows = {a.id: a for a in db.session.scalars(select(Assignment))}
    assert rows[approved].status == S.OFFERED and rows[approved].match_run_id == first_run_id
    assert rows[rejected].status == S.REJECTED
    assert rows[left].status == S.CANCELLED
    assert rows[left].decision_note == f"superseded by run {second.id}"
    assert second.stats["superseded"] == 1
    new = [a for a in rows.values() if a.match_run_id == second.id]
    # The offered volunteer keeps one live row on the shift: the run's proposal for the same
    # pair is not stored next to the offer.
    assert rows[approved].volunteer_id not in {a.volunteer_id for a in new}
    assert new and all(a.status == S.PROPOSED and a.reasons for a in new)
    assert second.stats["proposals"] == len(new)
    assert second.stats["needs_with_proposal"] == 1
    assert all(a.need_id == need.id for a in new)
