"""The rules of the exchange, straight through the services: lifecycle, applying, placing, cancelling."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.text import fold
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Need
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models import TransitionError
from app.models import User
from app.models import VolunteerProfile
from app.models.assignments import TRANSITIONS
from app.services import applications
from app.services import needs

S = AssignmentStatus


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_lifecycle_allows_exactly_the_listed_transitions(source, target):
    assignment = Assignment(status=source)
    allowed = target in TRANSITIONS[source]
    assert assignment.can_move_to(target) is allowed
    if allowed:
        assignment.move_to(target)
        assert assignment.status == target
    else:
        with pytest.raises(TransitionError):
            assignment.move_to(target)


def test_lifecycle_reads_as_the_product_describes():
    assert TRANSITIONS[S.PROPOSED] >= {S.OFFERED, S.REJECTED}
    assert TRANSITIONS[S.OFFERED] >= {S.ACCEPTED, S.DECLINED, S.EXPIRED}
    assert TRANSITIONS[S.ACCEPTED] >= {S.COMPLETED, S.NO_SHOW, S.CANCELLED}
    for final in (S.REJECTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN, S.CANCELLED):
        assert TRANSITIONS[final] == frozenset()


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Łódź Kaliska", "lodz"),
        ("Fotografia", "fotografia"),
        ("Żółw", "zolw"),
        ("ŚWIĘTO", "swieto"),
    ],
)
def test_fold_ignores_case_and_polish_diacritics(text, query):
    assert fold(query) in fold(text)


@pytest.mark.clock
def test_weekly_shifts_follow_warsaw_time_across_daylight_saving(app_context):
    shifts = needs.weekly_shifts(date(2026, 3, 21), time(10), time(14), date(2026, 4, 4), places=3)
    assert [s.starts_at.astimezone(UTC).hour for s in shifts] == [
        9,
        9,
        8,
    ]  # CET until 29 March 2026, then CEST
    assert all(s.places == 3 for s in shifts)
    with pytest.raises(needs.NeedError) as err:
        needs.weekly_shifts(date(2026, 3, 21), time(14), time(10), date(2026, 4, 4), places=1)
    assert err.value.field == "end_time"


@pytest.fixture
def app_context(app):
    yield


@pytest.fixture
def setting(app, factory):
    museum = factory.institution("Muzeum")
    theatre = factory.institution("Teatr")
    staff = factory.user(Role.STAFF, institution=museum)
    volunteer = factory.user(Role.VOLUNTEER)
    profile = db.session.get(VolunteerProfile, volunteer.id)
    profile.date_of_birth = date(1990, 1, 1)
    db.session.commit()
    return museum, theatre, staff, volunteer


def in_app(app, fn):
    with app.app_context():
        result = fn()
        db.session.commit()
        return result


@pytest.mark.clock
def test_volunteer_applies_to_two_shifts_and_is_refused_an_overlapping_third(app, factory, setting):
    museum, theatre, _staff, volunteer = setting
    need = factory.need(museum, "Dyżury", shifts=2)
    start = need.shifts[0].starts_at + timedelta(hours=2)
    other = factory.need(theatre, "Widownia", start=start)
    user = db.session.get(User, volunteer.id)
    made = applications.apply(user, db.session.get(Need, need.id), [s.id for s in need.shifts])
    db.session.commit()
    assert [a.status for a in made] == [S.APPLIED, S.APPLIED]
    with pytest.raises(applications.ApplicationError, match="nakłada się"):
        applications.apply(user, db.session.get(Need, other.id), [other.shifts[0].id])


@pytest.mark.parametrize(
    ("need_kw", "message"),
    [
        ({"status": "draft"}, "nie przyjmuje zgłoszeń"),
        ({"min_age": 99}, "Minimalny wiek"),
        ({"works_with_children": True}, "pracę z dziećmi"),
    ],
)
def test_application_is_refused_with_a_reason(app, factory, setting, need_kw, message):
    museum, _theatre, _staff, volunteer = setting
    need = factory.need(museum, **need_kw)
    with pytest.raises(applications.ApplicationError, match=message):
        applications.apply(
            db.session.get(User, volunteer.id), db.session.get(Need, need.id), [need.shifts[0].id]
        )


def test_work_with_children_is_open_once_checks_are_recorded(app, factory, setting):
    museum, _theatre, _staff, volunteer = setting
    need = factory.need(museum, works_with_children=True)
    factory.child_protection_check(volunteer)
    made = applications.apply(
        db.session.get(User, volunteer.id), db.session.get(Need, need.id), [need.shifts[0].id]
    )
    assert made[0].status == S.APPLIED


def test_accepting_never_fills_a_shift_beyond_its_places(app, factory, setting):
    museum, _theatre, staff, first = setting
    need = factory.need(museum, places=1)
    second = factory.user()
    a1 = factory.application(first, need)
    a2 = factory.application(second, need)
    actor = db.session.get(User, staff.id)
    applications.accept(db.session.get(Assignment, a1.id), actor)
    db.session.commit()
    with pytest.raises(applications.ApplicationError, match="nie ma już wolnych miejsc"):
        applications.accept(db.session.get(Assignment, a2.id), actor)
    db.session.rollback()
    shift = db.session.get(Shift, need.shifts[0].id)
    assert shift.accepted_count == 1
    assert db.session.get(Assignment, a2.id).status == S.APPLIED
    notice = db.session.scalar(select(Notice).where(Notice.user_id == first.id))
    assert notice.kind == "application_accepted"


def test_a_full_shift_refuses_new_applications(app, factory, setting):
    museum, _theatre, _staff, volunteer = setting
    need = factory.need(museum, places=1)
    factory.application(factory.user(), need, status=S.ACCEPTED)
    with (
        pytest.raises(applications.ApplicationError, match="nie ma już wolnych miejsc"),
    ):
        applications.apply(
            db.session.get(User, volunteer.id), db.session.get(Need, need.id), [need.shifts[0].id]
        )


@pytest.mark.clock
def test_minor_without_guardian_consent_can_apply_but_not_be_placed(app, factory, setting):
    museum, _theatre, staff, _volunteer = setting
    minor = factory.user()
    db.session.get(VolunteerProfile, minor.id).date_of_birth = date.today().replace(
        year=date.today().year - 16
    )
    db.session.commit()
    need = factory.need(museum)
    made = applications.apply(
        db.session.get(User, minor.id), db.session.get(Need, need.id), [need.shifts[0].id]
    )
    db.session.commit()
    with pytest.raises(applications.ApplicationError, match="zgodę opiekuna"):
        applications.accept(made[0], db.session.get(User, staff.id))


def test_withdrawing_a_place_frees_it(app, factory, setting):
    museum, _theatre, _staff, volunteer = setting
    need = factory.need(museum, places=1)
    placed = factory.application(volunteer, need, status=S.ACCEPTED)
    applications.withdraw(db.session.get(Assignment, placed.id), db.session.get(User, volunteer.id))
    db.session.commit()
    assert db.session.get(Shift, need.shifts[0].id).accepted_count == 0


@pytest.mark.clock
def test_places_cannot_drop_below_the_accepted_and_changes_are_announced(app, factory, setting):
    museum, _theatre, staff, volunteer = setting
    need = factory.need(museum, places=2)
    factory.application(volunteer, need, status=S.ACCEPTED)
    applicant = factory.user()
    factory.application(applicant, need)
    factory.application(factory.user(), need, status=S.ACCEPTED)
    shift = db.session.get(Shift, need.shifts[0].id)
    actor = db.session.get(User, staff.id)
    with pytest.raises(needs.NeedError, match="przyjęto już 2") as err:
        needs.update_shift(shift, actor, needs.ShiftSpec(shift.starts_at, shift.ends_at, 1))
    assert err.value.field == "places"
    later = shift.starts_at + timedelta(hours=1)
    assert needs.update_shift(
        shift, actor, needs.ShiftSpec(later, shift.ends_at + timedelta(hours=1), 3)
    )
    db.session.commit()
    told = set(db.session.scalars(select(Notice.user_id).where(Notice.kind == "shift_changed")))
    assert told == {volunteer.id, applicant.id} | told  # everyone live on it, nobody dropped
    assert len(told) == 3


def test_cancelling_a_need_cancels_every_live_assignment_and_tells_everyone(app, factory, setting):
    museum, _theatre, staff, volunteer = setting
    need = factory.need(museum, shifts=2)
    accepted = factory.application(volunteer, need, status=S.ACCEPTED)
    applicant = factory.user()
    applied = factory.application(applicant, need, shift_index=1)
    count = needs.cancel(
        db.session.get(Need, need.id), db.session.get(User, staff.id), "Remont sali"
    )
    db.session.commit()
    assert count == 2
    assert {db.session.get(Assignment, a.id).status for a in (accepted, applied)} == {S.CANCELLED}
    assert all(s.accepted_count == 0 for s in db.session.get(Need, need.id).shifts)
    kinds = db.session.scalars(select(Notice.kind).where(Notice.need_id == need.id)).all()
    assert sorted(kinds) == ["need_cancelled", "need_cancelled"]


@pytest.mark.clock
def test_publishing_needs_a_future_shift(app, factory, setting):
    museum, _theatre, staff, _volunteer = setting
    past = datetime.now(UTC) - timedelta(days=3)
    need = factory.need(museum, status="draft", start=past)
    with pytest.raises(needs.NeedError, match="przyszłą zmianę"):
        needs.publish(db.session.get(Need, need.id), db.session.get(User, staff.id))
