"""A second click, a second tab, a decision someone made a moment earlier: the page says what
happened (a flash after a redirect, never an error page) and nothing changes twice. And nobody is
given a place on a shift that has already started."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models.hours import HoursEntry
from app.services import offers
from tests.factories import PASSWORD

S = AssignmentStatus


@pytest.fixture
def museum(factory):
    inst = factory.institution("Muzeum Dwóch Kliknięć", slug="muzeum-dwoch-klikniec")
    staff = factory.user(Role.STAFF, institution=inst)
    return inst, staff


def signed_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def landing(client, response) -> str:
    """The page a redirect leads to, where the flash is shown."""
    assert response.status_code in (302, 303), response.status_code
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def state(app, assignment_id: int, shift_id: int) -> tuple[AssignmentStatus, int]:
    return (
        db.session.get(Assignment, assignment_id).status,
        db.session.get(Shift, shift_id).accepted_count,
    )


def notices(app, user_id: int, kind: str) -> int:
    return db.session.scalar(
        select(func.count(Notice.id)).where(Notice.user_id == user_id, Notice.kind == kind)
    )


def started_need(factory, inst, **kw):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    return factory.need(inst, "Dyżur, który już trwa", start=start, **kw)


# --- staff ---------------------------------------------------------------------------------------


def test_staff_accepting_twice_are_told_it_is_accepted_and_one_place_is_taken(app, factory, museum):
    inst, staff = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    application = factory.application(person, need)
    client = signed_in(app, staff)
    url = f"/manage/assignments/{application.id}/accept"
    landing(client, client.post(url, data={"seen_status": "applied"}))
    page = landing(client, client.post(url, data={"seen_status": "applied"}))
    assert "To zgłoszenie zostało już przyjęte." in page
    assert state(app, application.id, need.shifts[0].id) == (S.ACCEPTED, 1)
    assert notices(app, person.id, "application_accepted") == 1


def test_a_proposal_approved_in_two_tabs_is_offered_once(app, factory, museum):
    inst, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    proposal = factory.application(person, need, status=S.PROPOSED)
    client = signed_in(app, factory.user(Role.COORDINATOR))
    form = {"ids": [proposal.id], "action": "approve"}
    landing(client, client.post("/proposals/decide", data=form))
    page = landing(client, client.post("/proposals/decide", data=form))
    assert "Ta propozycja została już zatwierdzona: wolontariusz dostał ofertę." in page
    assert state(app, proposal.id, need.shifts[0].id) == (S.OFFERED, 1)
    assert notices(app, person.id, "offer_made") == 1


def test_attendance_confirmed_twice_is_written_once(app, factory, museum):
    inst, staff = museum
    need = started_need(factory, inst)
    placement = factory.application(factory.user(), need, status=S.ACCEPTED)
    client = signed_in(app, staff)
    url = f"/hours/assignments/{placement.id}/confirm"
    data = {f"a{placement.id}-hours": "4"}
    landing(client, client.post(url, data=data))
    page = landing(client, client.post(url, data=data))
    assert "Obecność tej osoby została już potwierdzona." in page
    assert factory.scalar(select(func.count(HoursEntry.id))) == 1


# --- volunteers ----------------------------------------------------------------------------------


def test_withdrawing_after_staff_rejected_says_so(app, factory, museum):
    inst, staff = museum
    need = factory.need(inst)
    person = factory.user()
    application = factory.application(person, need)
    volunteer = signed_in(app, person)
    assert volunteer.get(f"/me/assignments/{application.id}/withdraw").status_code == 200
    signed_in(app, staff).post(
        f"/manage/assignments/{application.id}/reject", data={"seen_status": "applied"}
    )
    response = volunteer.post(f"/me/assignments/{application.id}/withdraw")
    assert "To zgłoszenie zostało już odrzucone." in landing(volunteer, response)
    assert state(app, application.id, need.shifts[0].id) == (S.REJECTED, 0)


def test_an_offer_accepted_twice_says_it_is_accepted(app, factory, museum):
    inst, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    offer = factory.application(person, need, status=S.OFFERED)
    client = signed_in(app, person)
    landing(client, client.post(f"/offers/{offer.id}/accept"))
    page = landing(client, client.post(f"/offers/{offer.id}/accept"))
    assert "Ta oferta została już przyjęta." in page
    assert state(app, offer.id, need.shifts[0].id) == (S.ACCEPTED, 1)


def test_declining_in_a_tab_after_accepting_in_another_keeps_the_place(app, factory, museum):
    inst, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    offer = factory.application(person, need, status=S.OFFERED)
    client = signed_in(app, person)
    landing(client, client.post(f"/offers/{offer.id}/accept"))
    page = landing(client, client.post(f"/offers/{offer.id}/decline", data={"note": ""}))
    assert "Ta oferta została już przyjęta." in page
    assert state(app, offer.id, need.shifts[0].id) == (S.ACCEPTED, 1)


def test_an_offer_declined_twice_gives_its_place_back_once(app, factory, museum):
    inst, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    offer = factory.application(person, need, status=S.OFFERED)
    factory.application(factory.user(), need, status=S.ACCEPTED)
    client = signed_in(app, person)
    landing(client, client.post(f"/offers/{offer.id}/decline", data={"note": ""}))
    page = landing(client, client.post(f"/offers/{offer.id}/decline", data={"note": ""}))
    assert "Tej oferty już odmówiono." in page
    assert state(app, offer.id, need.shifts[0].id) == (S.DECLINED, 1)


# --- shifts that have started --------------------------------------------------------------------


def test_an_offer_for_a_shift_that_has_started_cannot_be_accepted_and_lapses(app, factory, museum):
    inst, _ = museum
    need = started_need(factory, inst)
    person = factory.user()
    offer = factory.application(person, need, status=S.OFFERED)
    client = signed_in(app, person)
    page = landing(client, client.post(f"/offers/{offer.id}/accept"))
    assert "Ta oferta wygasła: zmiana już się rozpoczęła." in page
    assert state(app, offer.id, need.shifts[0].id) == (S.EXPIRED, 0)


def test_unanswered_offers_lapse_when_their_shift_starts(app, factory, museum):
    inst, _ = museum
    need = started_need(factory, inst)
    offer = factory.application(factory.user(), need, status=S.OFFERED)  # expires in 72 h
    with app.test_request_context():
        assert offers.expire_offers() == 1
        db.session.commit()
    assert state(app, offer.id, need.shifts[0].id) == (S.EXPIRED, 0)


def test_a_manual_assignment_to_a_shift_that_has_started_is_refused(app, factory, museum):
    inst, _ = museum
    need = started_need(factory, inst)
    person = factory.user()
    client = signed_in(app, factory.user(Role.COORDINATOR))
    response = client.post(
        "/proposals/override",
        data={
            "shift_id": need.shifts[0].id,
            "volunteer_email": person.email,
            "reason": "Przyszła na miejsce",
        },
    )
    assert "Ta zmiana już się rozpoczęła" in landing(client, response)
    assert factory.scalars(select(Assignment)) == []
    assert factory.get(Shift, need.shifts[0].id).accepted_count == 0


def test_staff_cannot_accept_an_application_once_the_shift_has_started(app, factory, museum):
    inst, staff = museum
    need = started_need(factory, inst)
    application = factory.application(factory.user(), need)
    client = signed_in(app, staff)
    response = client.post(
        f"/manage/assignments/{application.id}/accept", data={"seen_status": "applied"}
    )
    assert response.status_code == 409
    assert "już się rozpoczęła: nie można na nią przyjąć" in response.get_data(as_text=True)
    assert state(app, application.id, need.shifts[0].id) == (S.APPLIED, 0)
