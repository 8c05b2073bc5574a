"""Staff and coordinators record child-protection checks on the volunteer card; each is audit-logged."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models import ChildProtectionCheck
from app.models import Role
from app.models.base import utcnow

WARSAW = ZoneInfo("Europe/Warsaw")


def today():
    return utcnow().astimezone(WARSAW).date()


@pytest.fixture
def applicant(factory):
    inst = factory.institution("Biblioteka Testowa", slug="biblioteka-testowa")
    staff = factory.user(Role.STAFF, institution=inst, first_name="Irena")
    need = factory.need(inst, "Głośne czytanie dzieciom", works_with_children=True)
    person = factory.user(first_name="Kamil")
    factory.application(person, need)
    return inst, staff, person


@pytest.mark.clock
def test_staff_record_a_check_for_their_applicant(app, client, auth, applicant, factory):
    inst, staff, person = applicant
    auth.login(staff.email)
    card = client.get(f"/manage/volunteers/{person.id}").get_data(as_text=True)
    assert "Nie odnotowano sprawdzenia." in card and "Głośne czytanie dzieciom" in card
    assert person.email in card
    seen = today() - timedelta(days=3)
    response = client.post(
        f"/manage/volunteers/{person.id}/checks",
        data={
            "certificate_seen_on": seen.isoformat(),
            "register_checked_on": today().isoformat(),
            "note": "Zaświadczenie z 1 marca.",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Odnotowano sprawdzenie." in response.get_data(as_text=True)
    check = factory.scalar(select(ChildProtectionCheck))
    assert check.user_id == person.id and check.checked_by_id == staff.id
    assert check.institution_id == inst.id and check.certificate_seen_on == seen
    entry = factory.scalar(
        select(AuditLog).where(AuditLog.action == "child_protection_check.recorded")
    )
    assert entry.actor_id == staff.id and entry.details["volunteer_id"] == person.id
    card = client.get(f"/manage/volunteers/{person.id}").get_data(as_text=True)
    assert "Irena" in card and "Zaświadczenie z 1 marca." in card


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"register_checked_on": "2024-01-01"}, "certificate_seen_on", "To pole jest wymagane."),
        ({"certificate_seen_on": "2024-01-01"}, "register_checked_on", "To pole jest wymagane."),
        (
            {"certificate_seen_on": "wczoraj", "register_checked_on": "2024-01-01"},
            "certificate_seen_on",
            "Podaj poprawną datę.",
        ),
        (
            {
                "certificate_seen_on": "2024-01-01",
                "register_checked_on": (today() + timedelta(days=1)).isoformat(),
            },
            "register_checked_on",
            "Data nie może być w przyszłości.",
        ),
    ],
)
@pytest.mark.clock
def test_both_dates_are_required_and_not_in_the_future(
    app, client, auth, applicant, data, field, message
):
    _inst, staff, person = applicant
    auth.login(staff.email)
    response = client.post(f"/manage/volunteers/{person.id}/checks", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert db.session.query(ChildProtectionCheck).count() == 0


def test_a_coordinator_records_a_check_for_anyone(app, client, auth, factory):
    coordinator = factory.user(Role.COORDINATOR)
    person = factory.user()
    auth.login(coordinator.email)
    assert client.get(f"/manage/volunteers/{person.id}").status_code == 200
    response = client.post(
        f"/manage/volunteers/{person.id}/checks",
        data={"certificate_seen_on": "2024-05-01", "register_checked_on": "2024-05-02"},
    )
    assert response.status_code == 303
    check = factory.scalar(select(ChildProtectionCheck))
    assert check.checked_by_id == coordinator.id and check.institution_id is None


def test_a_recorded_check_lets_staff_accept_for_work_with_children(
    app, client, auth, factory, applicant
):
    _inst, staff, person = applicant
    auth.login(staff.email)
    client.post(
        f"/manage/volunteers/{person.id}/checks",
        data={"certificate_seen_on": "2024-05-01", "register_checked_on": "2024-05-02"},
    )
    from app.models import Assignment

    application = factory.scalar(select(Assignment))
    response = client.post(
        f"/manage/assignments/{application.id}/accept", data={"seen_status": "applied"}
    )
    assert response.status_code == 303
