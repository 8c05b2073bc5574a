"""Every notice a volunteer gets reads as a sentence in their language, never as a code."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from app.models import AssignmentStatus
from app.models import Notice
from app.models import Role
from app.services.notices import EMAIL_FOR_NOTICE
from app.services.notices import notice_text
from tests.factories import PASSWORD

PARAMS = {"title": "Noc Muzeów", "starts_at": datetime(2027, 5, 15, 16, tzinfo=UTC).isoformat()}


@pytest.mark.parametrize("kind", sorted(EMAIL_FOR_NOTICE))
@pytest.mark.parametrize("locale", ["pl", "en"])
def test_each_kind_of_notice_has_a_sentence_of_its_own(app, kind, locale):
    with app.test_request_context(headers={"Accept-Language": locale}):
        from flask_babel import force_locale

        with force_locale(locale):
            text = notice_text(Notice(user_id=1, kind=kind, params=PARAMS))
            subject = str(EMAIL_FOR_NOTICE[kind][1])
    assert kind not in text and text != subject
    assert "Noc Muzeów" in text


@pytest.mark.clock
def test_a_volunteer_reads_an_offer_and_its_lapse_in_words(app, factory):
    need = factory.need(factory.institution("Teatr im. Jana Kochanowskiego"), "Szatnia")
    volunteer = factory.user(first_name="Ola")
    coordinator = factory.user(Role.COORDINATOR)
    proposal = factory.application(volunteer, need, status=AssignmentStatus.PROPOSED, run_id=None)
    staff_client = app.test_client()
    staff_client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    approved = staff_client.post(
        "/proposals/decide", data={"ids": [proposal.id], "action": "approve"}
    )
    assert approved.status_code in (302, 303)
    client = app.test_client()
    client.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    page = client.get("/me/notices").get_data(as_text=True)
    assert "Masz ofertę: zmiana" in page and "„Szatnia”" in page
    assert "offer_made" not in page
