"""Staff accept or reject applicants; the rules that protect places and people are explained, with 409."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import VolunteerSkill
from tests.conftest import WARSAW


@pytest.fixture
def museum(factory):
    inst = factory.institution("Muzeum Testowe", slug="muzeum-testowe")
    staff = factory.user(Role.STAFF, institution=inst)
    return inst, staff


def decide(client, assignment_id: int, action: str, note: str = ""):
    return client.post(
        f"/manage/assignments/{assignment_id}/{action}",
        data={"seen_status": "applied", "note": note},
    )


def status_of(app, assignment_id: int) -> AssignmentStatus:
    return db.session.get(Assignment, assignment_id).status


def test_staff_accept_an_applicant_who_is_told(app, client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst, "Dyżur na wystawie", places=1)
    person = factory.user(first_name="Bożena")
    application = factory.application(person, need)
    auth.login(staff.email)
    page = client.get(f"/manage/needs/{need.id}").get_data(as_text=True)
    assert "Bożena" in page and "Przyjmij" in page
    response = decide(client, application.id, "accept", "Do zobaczenia!")
    assert response.status_code == 303
    a = factory.get(Assignment, application.id)
    assert a.status == AssignmentStatus.ACCEPTED
    assert a.decided_by_id == staff.id and a.decision_note == "Do zobaczenia!"
    assert factory.get(Shift, need.shifts[0].id).accepted_count == 1
    notice = factory.scalar(select(Notice).where(Notice.user_id == person.id))
    assert notice.kind == "application_accepted"


def test_staff_reject_with_a_note(app, client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst)
    person = factory.user()
    application = factory.application(person, need)
    auth.login(staff.email)
    assert decide(client, application.id, "reject", "Komplet na ten dzień.").status_code == 303
    assert status_of(app, application.id) == AssignmentStatus.REJECTED
    notice = factory.scalar(select(Notice).where(Notice.user_id == person.id))
    assert notice.kind == "application_rejected"
    assert notice.params["note"] == "Komplet na ten dzień."
    # Deciding again from a stale page changes nothing and says what was decided.
    again = decide(client, application.id, "accept")
    assert again.status_code == 303
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "To zgłoszenie zostało już odrzucone." in page
    assert status_of(app, application.id) == AssignmentStatus.REJECTED


def test_a_full_shift_refuses_the_next_applicant(app, client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst, places=1)
    first = factory.application(factory.user(), need)
    second = factory.application(factory.user(first_name="Tadeusz"), need)
    auth.login(staff.email)
    assert decide(client, first.id, "accept").status_code == 303
    response = decide(client, second.id, "accept")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Na tej zmianie nie ma już wolnych miejsc." in page
    assert 'role="alert"' in page
    assert status_of(app, second.id) == AssignmentStatus.APPLIED
    assert factory.get(Shift, need.shifts[0].id).accepted_count == 1


@pytest.mark.clock
def test_a_volunteer_placed_elsewhere_at_the_same_time_is_refused(
    app, client, auth, factory, museum
):
    inst, staff = museum
    theatre = factory.institution("Teatr Testowy", slug="teatr-testowy")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
    ours = factory.need(inst, "Noc muzeów", start=start)
    theirs = factory.need(theatre, "Premiera", start=start + timedelta(hours=2))
    person = factory.user()
    factory.application(person, theirs, status=AssignmentStatus.ACCEPTED)
    application = factory.application(person, ours)
    auth.login(staff.email)
    response = decide(client, application.id, "accept")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "ma już w tym czasie inną zmianę" in page and "Premiera" in page


@pytest.mark.clock
def test_a_minor_without_guardian_consent_is_refused(app, client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst)
    teen = factory.user(first_name="Kuba")
    factory.profile(teen, date_of_birth=date.today() - timedelta(days=365 * 15))
    application = factory.application(teen, need)
    auth.login(staff.email)
    page = client.get(f"/manage/institutions/{inst.slug}").get_data(as_text=True)
    assert "poniżej 18 lat" in page and "zgoda opiekuna prawnego: brak" in page
    response = decide(client, application.id, "accept")
    assert response.status_code == 409
    assert "czekamy na zgodę opiekuna prawnego" in response.get_data(as_text=True)
    factory.profile(teen, guardian_consent_at=datetime.now(UTC))
    assert decide(client, application.id, "accept").status_code == 303


def test_work_with_children_needs_recorded_checks(app, client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst, "Warsztaty dla dzieci", works_with_children=True)
    person = factory.user()
    application = factory.application(person, need)
    auth.login(staff.email)
    response = decide(client, application.id, "accept")
    assert response.status_code == 409
    assert "brak odnotowanego sprawdzenia" in response.get_data(as_text=True)
    factory.child_protection_check(person, checked_by=staff)
    assert decide(client, application.id, "accept").status_code == 303


@pytest.mark.clock
def test_applicants_show_only_relevant_data(app, client, auth, factory, museum):
    inst, staff = museum
    factory.reference_data()
    photo = factory.scalar(select(Skill).where(Skill.code == "photography"))
    german = factory.scalar(select(Skill).where(Skill.code == "lang_german"))
    photo_id, german_id = photo.id, german.id
    need = factory.need(inst, "Fotorelacja z wernisażu")
    from app.models import NeedSkill

    db.session.add(NeedSkill(need_id=need.id, skill_id=photo_id, min_level=2))
    db.session.commit()
    person = factory.user(first_name="Marta")
    factory.profile(
        person,
        date_of_birth=date(1990, 1, 1),
        phone="600 100 200",
        bio="Prywatny opis, którego instytucja nie potrzebuje.",
        city="Prywatne Miasto",
    )
    db.session.add(VolunteerSkill(user_id=person.id, skill_id=photo_id, level=3))
    db.session.add(VolunteerSkill(user_id=person.id, skill_id=german_id, level=1))
    db.session.commit()
    factory.application(person, need)
    auth.login(staff.email)
    page = client.get(f"/manage/institutions/{inst.slug}").get_data(as_text=True)
    age = datetime.now(WARSAW).year - 1990  # born on 1 January: this year's birthday is past
    assert f"wiek: {age} lat" in page
    assert "Fotografia: poziom 3" in page and "wymagany poziom 2" in page
    assert "niemiecki" not in page  # a skill the need does not ask for
    assert "Prywatny opis" not in page and "Prywatne Miasto" not in page
    assert person.email in page and "600 100 200" in page
    assert "sprawdzenie (rejestr i niekaralność): brak" in page


def test_contact_data_disappears_when_the_application_ends(app, client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst)
    person = factory.user()
    application = factory.application(person, need)
    auth.login(staff.email)
    assert client.get(f"/manage/volunteers/{person.id}").status_code == 200
    db.session.get(Assignment, application.id).status = AssignmentStatus.WITHDRAWN
    db.session.commit()
    assert client.get(f"/manage/volunteers/{person.id}").status_code == 403
