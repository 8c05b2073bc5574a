"""Staff invite a suggested volunteer, who accepts from the e-mail's link, in a real browser."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.time import WARSAW
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import Role
from app.models import VolunteerProfile
from tests.e2e.test_accounts_in_browser import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_staff_invite_a_suggested_volunteer_who_accepts_from_the_emails_link(
    page: Page, app, factory, mailbox, assert_accessible
):
    library = factory.institution("Miejska Biblioteka Publiczna w Opolu")
    start = datetime.combine(today_in_warsaw() + timedelta(days=4), time(10), WARSAW)
    need = factory.need(library, "Głośne czytanie dla dzieci", start=start, places=1)
    staff = factory.user(Role.STAFF, institution=library)
    reader = factory.user(first_name="Halina", last_name="Czytelnicza")
    with app.app_context():
        profile = db.session.get(VolunteerProfile, reader.id)
        profile.date_of_birth = date(1985, 3, 2)
        profile.availability = [
            AvailabilityWindow(weekday=d, start_time=time(8), end_time=time(20)) for d in range(7)
        ]
        db.session.add(Consent(user_id=reader.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
        db.session.commit()

    sign_in(page, staff.email)
    page.goto(f"/manage/needs/{need.id}")
    page.get_by_role("link", name="Polecani wolontariusze").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Polecani wolontariusze")
    card = page.locator("li.card", has_text="Halina Czytelnicza")
    expect(card).to_contain_text("pozna nową instytucję koalicji")
    assert_accessible(page)
    card.get_by_role("button", name=re.compile("^Zaproś")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Wysłano zaproszenie: Halina Czytelnicza."
    )
    page.get_by_role("button", name="Wyloguj").click()

    (message,) = mailbox.wait_for(reader.email)
    text = mailbox.text_of(message)
    link = re.search(r"Przyjmuję zaproszenie: (\S+)", text).group(1)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.goto(path)  # not signed in: the sign-in form first, then back to the link
    page.get_by_label("Adres e-mail").fill(reader.email)
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Zaproszenie: Głośne czytanie dla dzieci"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Przyjmuję zaproszenie").click()
    expect(page.get_by_role("status").first).to_contain_text("Przyjęto zaproszenie.")
    with app.app_context():
        assert db.session.scalar(select(Assignment.status)) == "accepted"
