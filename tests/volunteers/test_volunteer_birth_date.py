"""A minor cannot escape the guardian rule by typing another date of birth: a change that makes a
minor an adult is audited and keeps the person unplaceable (by staff, offers and the matcher)
until a coordinator confirms it."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import matching
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import Consent
from app.models import ConsentKind
from app.models import Role
from app.models import VolunteerProfile
from app.models.base import utcnow
from app.services.matching_inputs import load_volunteers
from app.services.volunteers import today_in_warsaw
from tests.factories import PASSWORD

TODAY = today_in_warsaw()
TEEN_DOB = date(TODAY.year - 16, 1, 1)  # 15 or 16 years old, whatever the day
ADULT_DOB = date(2000, 1, 1)
PENDING = "Nowa data urodzenia czeka na potwierdzenie koordynatora"
BANNER = "Twoja nowa data urodzenia czeka na potwierdzenie koordynatora."


def profile_form(**changes) -> dict:
    return {
        "first_name": "Julek",
        "last_name": "Nowak",
        "max_hours_month": "8",
        "date_of_birth": TEEN_DOB.isoformat(),
        "guardian_name": "Anna Nowak",
        "guardian_email": "anna.nowak@example.org",
        **changes,
    }


def as_adult(day: date | None = ADULT_DOB) -> dict:
    return profile_form(
        date_of_birth=day.isoformat() if day else "", guardian_name="", guardian_email=""
    )


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def world(app, factory):
    museum = factory.institution("Muzeum Wsi Opolskiej", slug="muzeum-wsi")
    need = factory.need(museum, "Warsztaty garncarskie")
    teen = factory.user(first_name="Julek", last_name="Nowak", email="julek@example.org")
    db.session.add(Consent(user_id=teen.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
    db.session.commit()
    world = SimpleNamespace(
        app=app,
        need=need,
        teen=teen,
        application=factory.application(teen, need),
        staff=signed_in(app, factory.user(Role.STAFF, institution=museum).email),
        coordinator_user=factory.user(Role.COORDINATOR),
        volunteer=signed_in(app, teen.email),
    )
    world.coordinator = signed_in(app, world.coordinator_user.email)
    assert world.volunteer.post("/me/profile/edit", data=profile_form()).status_code == 302
    return world


def profile_of(world) -> VolunteerProfile:
    with world.app.app_context():
        profile = db.session.get(VolunteerProfile, world.teen.id)
        db.session.expunge(profile)
        return profile


def audit_rows(world, action: str) -> list[AuditLog]:
    with world.app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def staff_accepts(world):
    return world.staff.post(
        f"/manage/assignments/{world.application.id}/accept", data={"seen_status": "applied"}
    )


def status_of(world) -> AssignmentStatus:
    with world.app.app_context():
        return db.session.get(Assignment, world.application.id).status


def in_matcher_input(world) -> bool:
    with world.app.test_request_context():
        now = utcnow()
        people = load_volunteers(now, matching.MatchingConfig(), until=now.date())
        return world.teen.id in {v.id for v in people}


def test_a_minor_who_types_an_adult_birth_date_waits_for_a_coordinator(world):
    saved = world.volunteer.post("/me/profile/edit", data=as_adult(), follow_redirects=True)
    assert saved.status_code == 200
    assert PENDING in saved.get_data(as_text=True)
    assert BANNER in world.volunteer.get("/me/schedule").get_data(as_text=True)

    profile = profile_of(world)
    assert profile.date_of_birth == ADULT_DOB and profile.birth_date_confirmation_pending
    assert not profile.may_be_placed_on(TODAY)
    [change] = audit_rows(world, "volunteer.birth_date_changed")[-1:]
    assert change.actor_id == world.teen.id and change.object_id == world.teen.id
    assert change.details == {
        "old": TEEN_DOB.isoformat(),
        "new": "2000-01-01",
        "needs_confirmation": True,
    }

    refused = staff_accepts(world)
    assert refused.status_code == 409
    assert "czeka na potwierdzenie koordynatora" in refused.get_data(as_text=True)
    assert status_of(world) == AssignmentStatus.APPLIED
    assert not in_matcher_input(world)

    desk = world.coordinator.get("/coordination/requests").get_data(as_text=True)
    section = desk.split('id="birth-heading"')[1]
    assert "Julek Nowak" in section and "julek@example.org" in section
    assert str(TEEN_DOB.year) in section and "2000" in section

    url = f"/coordination/birth-dates/{world.teen.id}/confirm"
    confirmed = world.coordinator.post(url, follow_redirects=True)
    assert "Potwierdzono datę urodzenia: Julek Nowak." in confirmed.get_data(as_text=True)
    again = world.coordinator.post(url, follow_redirects=True)
    assert "nie czeka już na potwierdzenie" in again.get_data(as_text=True)
    [confirmation] = audit_rows(world, "volunteer.birth_date_confirmed")
    assert confirmation.actor_id == world.coordinator_user.id
    assert confirmation.details == {"date_of_birth": "2000-01-01"}

    assert not profile_of(world).birth_date_confirmation_pending
    assert BANNER not in world.volunteer.get("/me/schedule").get_data(as_text=True)
    assert in_matcher_input(world)
    assert staff_accepts(world).status_code == 303
    assert status_of(world) == AssignmentStatus.ACCEPTED


def test_a_minor_who_clears_the_birth_date_waits_for_a_coordinator_too(world):
    assert world.volunteer.post("/me/profile/edit", data=as_adult(None)).status_code == 302
    profile = profile_of(world)
    assert profile.date_of_birth is None and profile.birth_date_confirmation_pending
    assert staff_accepts(world).status_code == 409


def test_a_minor_with_guardian_consent_still_waits_after_coming_of_age_by_typing(world):
    with world.app.app_context():
        db.session.get(VolunteerProfile, world.teen.id).guardian_consent_at = utcnow()
        db.session.commit()
    assert in_matcher_input(world)
    world.volunteer.post("/me/profile/edit", data=as_adult())
    assert not in_matcher_input(world)
    assert staff_accepts(world).status_code == 409


def test_back_to_a_minors_date_the_guardian_rule_applies_again(world):
    world.volunteer.post("/me/profile/edit", data=as_adult())
    assert world.volunteer.post("/me/profile/edit", data=profile_form()).status_code == 302
    profile = profile_of(world)
    assert not profile.birth_date_confirmation_pending
    assert profile.date_of_birth == TEEN_DOB and profile.guardian_consent_at is None
    assert staff_accepts(world).status_code == 409  # the guardian has not consented
    changes = audit_rows(world, "volunteer.birth_date_changed")
    assert [c.details["needs_confirmation"] for c in changes] == [False, True, False]


def test_other_changes_of_the_birth_date_are_audited_and_need_no_coordinator(app, factory):
    adult = factory.user(email="ola@example.org")
    client = signed_in(app, adult.email)
    for day in ("1990-05-05", "1991-06-06", "1991-06-06"):
        response = client.post(
            "/me/profile/edit",
            data={
                "first_name": "Ola",
                "last_name": "Nowak",
                "max_hours_month": "8",
                "date_of_birth": day,
            },
        )
        assert response.status_code == 302
    assert not factory.get(VolunteerProfile, adult.id).birth_date_confirmation_pending
    changes = factory.scalars(
        select(AuditLog)
        .where(AuditLog.action == "volunteer.birth_date_changed")
        .order_by(AuditLog.id)
    )
    assert [c.details for c in changes] == [
        {"old": None, "new": "1990-05-05", "needs_confirmation": False},
        {"old": "1990-05-05", "new": "1991-06-06", "needs_confirmation": False},
    ]


def test_staff_see_that_the_birth_date_waits(world):
    world.volunteer.post("/me/profile/edit", data=as_adult())
    page = world.staff.get(f"/manage/volunteers/{world.teen.id}").get_data(as_text=True)
    assert "czeka na potwierdzenie koordynatora" in page


def accept_own_offer(world, client, offer_id: int) -> str:
    answer = client.post(f"/offers/{offer_id}/accept", follow_redirects=True)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def offer_status(world, offer_id: int) -> AssignmentStatus:
    with world.app.app_context():
        return db.session.get(Assignment, offer_id).status


def test_an_offer_waits_too_when_a_minor_types_an_adult_birth_date(world, factory):
    with world.app.app_context():
        db.session.get(VolunteerProfile, world.teen.id).guardian_consent_at = utcnow()
        db.session.commit()
    museum_need = factory.need(factory.institution("Galeria Sztuki"), "Dyżur w galerii")
    offer = factory.application(world.teen, museum_need, status=AssignmentStatus.OFFERED)
    world.volunteer.post("/me/profile/edit", data=as_adult())

    page = accept_own_offer(world, world.volunteer, offer.id)
    assert "czeka na potwierdzenie koordynatora" in page
    assert offer_status(world, offer.id) == AssignmentStatus.OFFERED

    world.coordinator.post(f"/coordination/birth-dates/{world.teen.id}/confirm")
    assert "Przyjęto ofertę" in accept_own_offer(world, world.volunteer, offer.id)
    assert offer_status(world, offer.id) == AssignmentStatus.ACCEPTED


def test_an_adult_whose_corrected_birth_date_makes_a_minor_needs_the_guardian_first(world, factory):
    adult = factory.user(first_name="Ola", last_name="Wrona", email="ola@example.org")
    with world.app.app_context():
        db.session.add(Consent(user_id=adult.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
        db.session.commit()
    client = signed_in(world.app, adult.email)
    assert client.post("/me/profile/edit", data=as_adult()).status_code == 302
    library_need = factory.need(factory.institution("Biblioteka"), "Głośne czytanie")
    offer = factory.application(adult, library_need, status=AssignmentStatus.OFFERED)
    corrected = profile_form(first_name="Ola", last_name="Wrona")
    assert client.post("/me/profile/edit", data=corrected).status_code == 302

    page = accept_own_offer(world, client, offer.id)
    assert "czekamy na zgodę opiekuna prawnego" in page
    assert offer_status(world, offer.id) == AssignmentStatus.OFFERED
