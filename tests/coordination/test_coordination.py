"""Staff ask to join an institution, institutions ask to join the coalition; a coordinator decides."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models import Institution
from app.models import InstitutionRequest
from app.models import RequestStatus
from app.models import Role
from app.models import StaffMembership
from app.models import StaffRequest
from app.models import User


def test_person_asks_for_staff_access_and_coordinator_approves(client, factory, auth, mailbox, app):
    gallery = factory.institution("Galeria Testowa")
    person = factory.user(first_name="Joanna")
    coordinator = factory.user(Role.COORDINATOR)

    auth.login(person.email)
    response = client.post(
        "/institutions/staff-request",
        data={
            "institution_id": gallery.id,
            "position": "Edukatorka",
            "message": "Prowadzę warsztaty.",
        },
    )
    assert response.status_code == 302
    auth.logout()

    auth.login(coordinator.email)
    page = client.get("/coordination/requests").get_data(as_text=True)
    assert "Joanna" in page and "Galeria Testowa" in page
    with app.app_context():
        req = db.session.scalar(select(StaffRequest))
    response = client.post(
        f"/coordination/requests/staff/{req.id}", data={"decision": "approve", "note": "Witamy"}
    )
    assert response.status_code == 303

    with app.app_context():
        user = db.session.get(User, person.id)
        assert user.role == Role.STAFF
        assert [m.institution_id for m in user.memberships] == [gallery.id]
        entry = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "staff_request.approved")
        )
        assert entry.actor_id == coordinator.id
        assert entry.details["institution_id"] == gallery.id
    audit_page = client.get("/coordination/audit").get_data(as_text=True)
    assert "zatwierdzenie dostępu pracownika" in audit_page
    assert "zatwierdzony" in mailbox.text_of(mailbox.wait_for(person.email)[0])


def test_coordinator_rejects_staff_request_and_nothing_is_granted(client, factory, auth, app):
    gallery = factory.institution()
    person = factory.user()
    coordinator = factory.user(Role.COORDINATOR)
    req = factory.staff_request(person, gallery)
    auth.login(coordinator.email)
    response = client.post(f"/coordination/requests/staff/{req.id}", data={"decision": "reject"})
    assert response.status_code == 303
    assert factory.get(User, person.id).role == Role.VOLUNTEER
    assert factory.scalar(select(StaffMembership)) is None
    assert factory.get(StaffRequest, req.id).status == RequestStatus.REJECTED


def test_a_decided_request_cannot_be_decided_again(client, factory, auth, app):
    gallery = factory.institution()
    person = factory.user()
    req = factory.staff_request(person, gallery)
    auth.login(factory.user(Role.COORDINATOR).email)
    client.post(f"/coordination/requests/staff/{req.id}", data={"decision": "reject"})
    response = client.post(
        f"/coordination/requests/staff/{req.id}",
        data={"decision": "approve"},
        follow_redirects=True,
    )
    assert "Ten wniosek został już rozpatrzony." in response.get_data(as_text=True)
    assert factory.get(User, person.id).role == Role.VOLUNTEER


def test_decision_without_a_choice_is_refused_with_a_message(client, factory, auth):
    req = factory.staff_request(factory.user(), factory.institution())
    auth.login(factory.user(Role.COORDINATOR).email)
    response = client.post(f"/coordination/requests/staff/{req.id}", data={"decision": "maybe"})
    assert response.status_code == 422
    assert "Wybierz decyzję" in response.get_data(as_text=True)


def test_second_pending_request_to_the_same_institution_is_refused(client, factory, auth):
    gallery = factory.institution()
    person = factory.user()
    factory.staff_request(person, gallery)
    auth.login(person.email)
    response = client.post(
        "/institutions/staff-request", data={"institution_id": gallery.id, "position": "Kustosz"}
    )
    assert response.status_code == 422
    assert "czeka już na decyzję" in response.get_data(as_text=True)


def test_staff_request_for_unknown_institution_is_refused_at_the_field(client, factory, auth):
    auth.login(factory.user().email)
    response = client.post(
        "/institutions/staff-request", data={"institution_id": 999999, "position": "Kustosz"}
    )
    assert response.status_code == 422
    assert 'id="institution_id-error"' in response.get_data(as_text=True)


def test_new_institution_joins_the_coalition_after_approval(client, factory, auth, app):
    person = factory.user()
    auth.login(person.email)
    response = client.post(
        "/institutions/join",
        data={
            "name": "Fundacja Śpiewające Opole",
            "short_name": "Śpiewające Opole",
            "kind": "ngo",
            "contact_email": "biuro@spiewajace.example.org",
            "website": "https://spiewajace.example.org",
            "position": "Prezeska",
            "description": "Chóry i warsztaty wokalne dla mieszkańców.",
        },
    )
    assert response.status_code == 302
    auth.logout()
    req = factory.scalar(select(InstitutionRequest))
    auth.login(factory.user(Role.COORDINATOR).email)
    response = client.post(
        f"/coordination/requests/institution/{req.id}", data={"decision": "approve"}
    )
    assert response.status_code == 303
    inst = factory.scalar(
        select(Institution).where(Institution.name == "Fundacja Śpiewające Opole")
    )
    assert inst.slug == "spiewajace-opole"
    assert not inst.is_founder
    assert factory.get(User, person.id).role == Role.STAFF
    assert {e.action for e in factory.scalars(select(AuditLog))} >= {
        "institution_request.created",
        "institution_request.approved",
        "institution.created",
    }
    directory = client.get("/institutions/").get_data(as_text=True)
    assert "Fundacja Śpiewające Opole" in directory


def test_join_request_with_a_name_already_in_the_coalition_is_refused(client, factory, auth):
    factory.institution("Muzeum Testowe")
    auth.login(factory.user().email)
    response = client.post(
        "/institutions/join",
        data={
            "name": "Muzeum Testowe",
            "short_name": "MT",
            "kind": "museum",
            "contact_email": "a@example.org",
            "position": "Dyrektor",
            "description": "Opis",
        },
    )
    assert response.status_code == 422
    assert "już należy do koalicji" in response.get_data(as_text=True)
