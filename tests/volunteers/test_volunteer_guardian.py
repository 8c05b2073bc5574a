"""A minor volunteers with a guardian's consent, confirmed through an e-mailed, expiring link."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AuditLog
from app.models import Consent
from app.models import ConsentKind
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.services.applications import ApplicationError
from app.services.applications import accept

TODAY = date.today()
TEEN_DOB = date(TODAY.year - 16, 1, 1).isoformat()  # 15 or 16 years old
CHILD_DOB = date(TODAY.year - 11, 1, 1).isoformat()  # 10 or 11 years old


def profile_form(**changes) -> dict:
    return {
        "first_name": "Julek",
        "last_name": "Nowak",
        "max_hours_month": "8",
        "date_of_birth": TEEN_DOB,
        "guardian_name": "Anna Nowak",
        "guardian_email": "anna.nowak@example.org",
        **changes,
    }


@pytest.fixture
def julek(factory, auth):
    volunteer = factory.user(first_name="Julek", email="julek@example.org")
    auth.login(volunteer.email)
    return volunteer


def link_in(mailbox, address: str, count: int = 1) -> str:
    message = mailbox.wait_for(address, count)[-1]
    return re.search(r"http://\S+/guardian/\S+", mailbox.text_of(message)).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


@pytest.mark.clock
def test_a_minor_must_name_a_guardian(client, julek):
    response = client.post(
        "/me/profile/edit", data=profile_form(guardian_name="", guardian_email="")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Osoba niepełnoletnia podaje imię i nazwisko opiekuna." in page
    assert "Osoba niepełnoletnia podaje adres e-mail opiekuna." in page


def test_guardian_address_must_be_an_address_and_not_the_volunteers_own(client, julek):
    bad = client.post("/me/profile/edit", data=profile_form(guardian_email="anna-bez-malpy"))
    assert bad.status_code == 422
    assert "Podaj poprawny adres e-mail" in bad.get_data(as_text=True)
    own = client.post("/me/profile/edit", data=profile_form(guardian_email="julek@example.org"))
    assert "Adres opiekuna musi być inny niż Twój." in own.get_data(as_text=True)


@pytest.mark.clock
def test_guardian_confirms_by_link_and_then_the_minor_can_be_placed(
    app, client, factory, mailbox, julek
):
    museum = factory.institution("Muzeum Śląska Opolskiego")
    need = factory.need(museum, "Warsztaty dla rodzin")
    application = factory.application(julek, need)
    staff = factory.user(Role.STAFF, institution=museum)

    response = client.post("/me/profile/edit", data=profile_form())
    assert response.status_code == 302
    link = link_in(mailbox, "anna.nowak@example.org")
    email = mailbox.to("anna.nowak@example.org")[0]
    assert "Julek Nowak" in mailbox.text_of(email)
    assert "14 dni" in mailbox.text_of(email)
    assert email.get_body(preferencelist=("html",)) is not None

    page = client.get("/me/schedule").get_data(as_text=True)
    assert "Czekamy na zgodę Twojego opiekuna prawnego." in page
    assert "anna.nowak@example.org" in page
    profile = db.session.get(VolunteerProfile, julek.id)
    assert profile.guardian_requested_at is not None
    # Staff cannot accept the minor yet: the service refuses.
    with pytest.raises(ApplicationError, match="zgodę opiekuna"):
        accept(db.session.get(Assignment, application.id), db.session.get(User, staff.id))
    db.session.rollback()

    # The guardian, not signed in, reads what they agree to and confirms.
    guardian = app.test_client()
    explained = guardian.get(path_of(link)).get_data(as_text=True)
    assert "Na co wyraża Pan/Pani zgodę" in explained and "Julek Nowak" in explained
    assert "wizerunku" in explained  # image consent is separate
    done = guardian.post(path_of(link))
    assert done.status_code == 200
    assert "Zgoda potwierdzona" in done.get_data(as_text=True)
    # Clicking twice changes nothing.
    guardian.post(path_of(link))

    profile = db.session.get(VolunteerProfile, julek.id)
    assert profile.guardian_consent_at is not None
    rows = db.session.scalars(
        select(Consent).where(Consent.user_id == julek.id, Consent.kind == ConsentKind.GUARDIAN)
    ).all()
    assert [(r.granted, r.given_by) for r in rows] == [(True, "guardian")]
    assert db.session.scalar(
        select(AuditLog).where(AuditLog.action == "volunteer.guardian_consented")
    )
    accept(db.session.get(Assignment, application.id), db.session.get(User, staff.id))
    db.session.commit()
    assert "Czekamy na zgodę" not in client.get("/me/schedule").get_data(as_text=True)
    assert "Zgoda opiekuna prawnego" in client.get("/me/consents").get_data(as_text=True)


def test_a_new_guardian_address_asks_again_and_the_old_link_stops_working(
    app, client, mailbox, julek
):
    client.post("/me/profile/edit", data=profile_form())
    old_link = link_in(mailbox, "anna.nowak@example.org")
    client.post("/me/profile/edit", data=profile_form(guardian_email="piotr.nowak@example.org"))
    new_link = link_in(mailbox, "piotr.nowak@example.org")
    # Saving again with the same address sends nothing more.
    client.post("/me/profile/edit", data=profile_form(guardian_email="piotr.nowak@example.org"))
    time.sleep(0.2)
    assert len(mailbox.to("piotr.nowak@example.org")) == 1

    anonymous = app.test_client()
    assert anonymous.get(path_of(old_link)).status_code == 404
    assert anonymous.post(path_of(old_link)).status_code == 404
    assert anonymous.get(path_of(new_link)).status_code == 200


def test_volunteer_can_send_the_request_again(client, mailbox, julek):
    client.post("/me/profile/edit", data=profile_form())
    mailbox.wait_for("anna.nowak@example.org")
    assert client.post("/me/guardian/resend").status_code == 302
    mailbox.wait_for("anna.nowak@example.org", 2)


@pytest.mark.clock
def test_expired_or_forged_links_are_refused(app, client, julek, monkeypatch, factory):
    client.post("/me/profile/edit", data=profile_form())
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="guardian-consent")
    payload = {"uid": julek.id, "g": "anna.nowak@example.org"}
    fifteen_days_ago = int(time.time()) - 15 * 24 * 3600
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: fifteen_days_ago)
        expired = serializer.dumps(payload)
    forged = URLSafeTimedSerializer("zgadnij", salt="guardian-consent").dumps(payload)
    anonymous = app.test_client()
    for token in (expired, forged, "nie-token"):
        response = anonymous.get(f"/guardian/{token}")
        assert response.status_code == 404
        assert "Link nieważny" in response.get_data(as_text=True)
    assert factory.get(VolunteerProfile, julek.id).guardian_consent_at is None


@pytest.mark.clock
def test_a_child_under_13_is_told_the_guardian_runs_the_account(client, mailbox, julek):
    client.post("/me/profile/edit", data=profile_form(date_of_birth=CHILD_DOB))
    page = client.get("/me/profile").get_data(as_text=True)
    assert "Masz mniej niż 13 lat: to konto prowadzi Twój opiekun prawny." in page
    message = mailbox.wait_for("anna.nowak@example.org")[0]
    assert "mniej niż 13 lat" in mailbox.text_of(message)


def test_an_adult_needs_no_guardian(client, mailbox, julek):
    response = client.post(
        "/me/profile/edit",
        data=profile_form(date_of_birth="1990-01-01", guardian_name="", guardian_email=""),
    )
    assert response.status_code == 302
    assert "Czekamy na zgodę" not in client.get("/me/profile").get_data(as_text=True)
    assert mailbox.messages == []
