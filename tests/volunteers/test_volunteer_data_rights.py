"""RODO in the volunteer's hands: separate consents with history, a copy of the data, erasure."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import AvailabilityWindow
from app.models import ChildProtectionCheck
from app.models import Consent
from app.models import ConsentKind
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.services.notices import notify
from app.services.passwords import verify_password
from tests.factories import PASSWORD


@pytest.fixture
def hanna(factory, auth, app):
    volunteer = factory.user(first_name="Hanna", last_name="Malinowska", email="hanna@example.org")
    # Registration records the data-processing consent (the lead's registration service).
    db.session.add(Consent(user_id=volunteer.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
    db.session.commit()
    auth.login(volunteer.email)
    return volunteer


def consents_of(app, user_id: int) -> list[tuple[str, bool]]:
    rows = db.session.scalars(
        select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)
    ).all()
    return [(ConsentKind(r.kind).value, r.granted) for r in rows]


@pytest.mark.clock
def test_volunteer_grants_withdraws_and_regrants_image_consent_with_history(
    app, client, hanna, factory
):
    page = client.get("/me/consents").get_data(as_text=True)
    assert "Stan: nie wyrażono zgody." in page  # image and newsletter: never asked yet

    client.post("/me/consents", data={"kind": "image", "decision": "grant"})
    client.post("/me/consents", data={"kind": "image", "decision": "withdraw"})
    response = client.post("/me/consents", data={"kind": "image", "decision": "grant"})
    assert response.status_code == 302
    # A repeated click records nothing new.
    client.post("/me/consents", data={"kind": "image", "decision": "grant"})
    client.post("/me/consents", data={"kind": "newsletter", "decision": "grant"})

    assert consents_of(app, hanna.id) == [
        ("data_processing", True),
        ("image", True),
        ("image", False),
        ("image", True),
        ("newsletter", True),
    ]
    page = client.get("/me/consents").get_data(as_text=True)
    history = page.split('id="history-heading"')[1]
    assert history.count("Wykorzystanie mojego wizerunku") == 3
    assert "wycofana" in history and "udzielona" in history
    recorded = factory.scalar(select(func.max(Consent.recorded_at)))
    warsaw = recorded.astimezone(ZoneInfo("Europe/Warsaw"))
    assert warsaw.strftime("%H:%M") in history  # timestamps in Warsaw time
    assert (
        factory.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "consent.withdrawn")
        )
        == 1
    )


def test_withdrawing_data_processing_consent_leads_to_account_deletion(app, client, hanna):
    page = client.get("/me/consents").get_data(as_text=True)
    assert "Jej wycofanie oznacza usunięcie konta" in page
    assert "/me/delete" in page
    response = client.post("/me/consents", data={"kind": "data_processing", "decision": "withdraw"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/delete")
    page = client.get("/me/delete").get_data(as_text=True)
    assert "Wycofanie tej zgody oznacza usunięcie konta" in page
    # Nothing was silently withdrawn: the account still works until deletion is confirmed.
    assert consents_of(app, hanna.id) == [("data_processing", True)]


def test_a_made_up_consent_kind_is_refused(app, client, hanna):
    for data in (
        {"kind": "guardian", "decision": "grant"},
        {"kind": "image", "decision": "maybe"},
        {},
    ):
        response = client.post("/me/consents", data=data)
        assert response.status_code == 422
    assert consents_of(app, hanna.id) == [("data_processing", True)]


def fill_everything(app, factory, volunteer, museum):
    """Profile, skills, availability, absences, consents, notices, checks, assignments."""
    factory.reference_data()
    coordinator = factory.user(Role.COORDINATOR, first_name="Kinga")
    factory.child_protection_check(volunteer, checked_by=coordinator)
    past = factory.need(museum, "Jarmark 2025", start=datetime(2025, 12, 6, 9, tzinfo=UTC))
    future = factory.need(museum, "Noc Muzeów 2027", start=datetime(2027, 5, 15, 16, tzinfo=UTC))
    applied = factory.need(museum, "Warsztaty 2027", start=datetime(2027, 6, 1, 8, tzinfo=UTC))
    done = factory.application(volunteer, past, status=AssignmentStatus.COMPLETED)
    place = factory.application(volunteer, future, status=AssignmentStatus.ACCEPTED)
    pending = factory.application(volunteer, applied)
    profile = db.session.get(VolunteerProfile, volunteer.id)
    profile.date_of_birth = date(1999, 3, 3)
    profile.phone = "600100200"
    profile.bio = "Lubię muzea."
    profile.has_disability = True
    profile.guardian_name = "Stara Opiekunka"
    profile.guardian_email = "opiekunka@example.org"
    profile.preferred_institutions = [db.session.get(type(museum), museum.id)]
    profile.skills.append(VolunteerSkill(skill_id=db.session.scalar(select(Skill.id)), level=2))
    profile.availability.append(
        AvailabilityWindow(weekday=5, start_time=time(10), end_time=time(14))
    )
    profile.absences.append(VolunteerAbsence(starts_on=date(2027, 8, 1), ends_on=date(2027, 8, 14)))
    db.session.add(Consent(user_id=volunteer.id, kind=ConsentKind.IMAGE, granted=True))
    notify([volunteer.id], "need_changed", future.id, title="Noc Muzeów 2027")
    db.session.get(Assignment, done.id).message = "Przyjdę z koleżanką Basią."
    db.session.commit()
    return done, place, pending


def test_volunteer_sees_and_downloads_everything_stored_about_them(app, client, factory, hanna):
    museum = factory.institution("Muzeum Śląska Opolskiego")
    fill_everything(app, factory, hanna, museum)
    page = client.get("/me/data").get_data(as_text=True)
    for expected in (
        "hanna@example.org",
        "Lubię muzea.",
        "Stara Opiekunka",
        "sobota 10:00–14:00",
        "Noc Muzeów 2027",
        "Jarmark 2025",
        "Kinga",
        "Wykorzystanie mojego wizerunku",
        "Zmieniły się szczegóły potrzeby",
    ):
        assert expected in page, expected

    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.data)
    assert data["account"]["email"] == "hanna@example.org"
    assert data["profile"]["date_of_birth"] == "1999-03-03"
    assert data["profile"]["has_disability"] is True
    assert data["profile"]["preferred_institutions"] == ["Muzeum Śląska Opolskiego"]
    assert len(data["skills"]) == 1 and data["skills"][0]["level"] == 2
    assert data["availability"] == [
        {"weekday": 5, "start_time": "10:00:00", "end_time": "14:00:00"}
    ]
    assert data["absences"] == [{"starts_on": "2027-08-01", "ends_on": "2027-08-14"}]
    assert [(c["kind"], c["granted"]) for c in data["consents"]][-1] == ("data_processing", True)
    titles = {a["need"]: a for a in data["assignments"]}
    assert titles["Noc Muzeów 2027"]["status"] == "accepted"
    assert titles["Noc Muzeów 2027"]["institution"] == "Muzeum Śląska Opolskiego"
    assert titles["Noc Muzeów 2027"]["shift_starts_at"].startswith("2027-05-15T16:00")
    assert data["child_protection_checks"][0]["checked_by"].startswith("Kinga")
    assert data["notices"][0]["kind"] == "need_changed"
    assert any(e["action"] == "user.logged_in" and e["by_me"] for e in data["audit_log"])


def test_another_persons_data_never_appears_in_my_copy(app, client, factory, hanna):
    museum = factory.institution()
    other = factory.user(first_name="Obcy", email="obcy@example.org")
    fill_everything(app, factory, other, museum)
    body = client.get("/me/data.json").get_data(as_text=True)
    assert "obcy@example.org" not in body and "Lubię muzea." not in body
    assert json.loads(body)["assignments"] == []


def test_deleting_the_account_needs_the_password(app, client, factory, hanna):
    page = client.get("/me/delete").get_data(as_text=True)
    assert "Minione zmiany i przepracowane godziny zostaną w statystykach" in page
    wrong = client.post("/me/delete", data={"password": "nie-to-haslo", "understood": "y"})
    assert wrong.status_code == 422
    assert "Hasło jest nieprawidłowe." in wrong.get_data(as_text=True)
    unticked = client.post("/me/delete", data={"password": PASSWORD})
    assert unticked.status_code == 422
    assert factory.get(User, hanna.id).is_active_account


def test_deleting_the_account_erases_personal_data_but_keeps_the_hours(app, client, factory, hanna):
    museum = factory.institution("Muzeum Śląska Opolskiego")
    done, place, pending = fill_everything(app, factory, hanna, museum)
    old_token = factory.feed_token(hanna)

    response = client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 302
    # Signed out: the volunteer pages send to the sign-in page.
    assert client.get("/me/profile").status_code == 302
    assert client.get(f"/feeds/{old_token}.ics").status_code == 404

    user = db.session.get(User, hanna.id)
    assert user.email == f"deleted-{hanna.id}@deleted.invalid"
    assert "Hanna" not in user.full_name and "Malinowska" not in user.full_name
    assert not user.is_active_account
    assert not verify_password(user.password_hash, PASSWORD)
    profile = user.profile
    assert profile.date_of_birth is None and profile.phone == "" and profile.bio == ""
    assert not profile.has_disability
    assert profile.guardian_name == "" and profile.guardian_email == ""
    assert profile.preferred_institutions == []
    assert profile.feed_token != old_token
    for model in (
        VolunteerSkill,
        AvailabilityWindow,
        VolunteerAbsence,
        Consent,
        Notice,
        ChildProtectionCheck,
    ):
        count = db.session.scalar(
            select(func.count()).select_from(model).where(model.user_id == hanna.id)
        )
        assert count == 0, model.__name__

    # The hours survive for coalition statistics, anonymously.
    kept = db.session.get(Assignment, done.id)
    assert kept.status == AssignmentStatus.COMPLETED
    assert kept.volunteer_id == hanna.id and kept.message == ""
    # Future places and applications were withdrawn through the service: places released.
    assert db.session.get(Assignment, place.id).status == AssignmentStatus.WITHDRAWN
    assert db.session.get(Assignment, pending.id).status == AssignmentStatus.WITHDRAWN
    assert db.session.get(Shift, place.shift_id).accepted_count == 0
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.deleted"))

    # No trace of the person anywhere in the text columns of the users table.
    leftovers = db.session.scalars(
        select(User).where(
            or_(
                User.email.ilike("%hanna%"),
                User.first_name == "Hanna",
                User.last_name == "Malinowska",
            )
        )
    ).all()
    assert leftovers == []

    # Nobody can sign in with the old address or password.
    assert (
        client.post("/login", data={"email": "hanna@example.org", "password": PASSWORD}).status_code
        == 422
    )


def test_the_address_of_a_deleted_account_can_register_again(app, client, factory, hanna):
    client.post("/me/delete", data={"password": PASSWORD, "understood": "y"})
    again = factory.user(email="hanna@example.org")
    assert again.id != hanna.id
