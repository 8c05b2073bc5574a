"""Zofia, a volunteer, describes herself, sets her hours, manages consents and takes her calendar.

Every page she visits passes axe-core's WCAG 2.1 A/AA rules, also with error messages showing.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime

import pytest
from icalendar import Calendar
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.extensions import db
from app.models import AssignmentStatus
from app.models import Skill
from app.models import VolunteerProfile
from app.services.volunteers import make_guardian_token
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e

# 10:00 in Warsaw on a summer Saturday is 08:00 UTC.
SUMMER_MORNING = datetime(2027, 7, 10, 8, 0, tzinfo=UTC)


def test_volunteer_fills_profile_skills_availability_consents_and_takes_the_feed(
    page: Page, app, factory, assert_accessible
):
    factory.reference_data()
    museum = factory.institution("Galeria Próbna Śląska")
    zofia = factory.user(first_name="Zofia", last_name="Kowalczyk", email="zofia@example.org")
    festival = factory.need(
        museum, "Noc Muzeów: obsługa gości", start=SUMMER_MORNING, place="Opole, Mały Rynek 7"
    )
    factory.application(zofia, festival, status=AssignmentStatus.ACCEPTED)
    with app.app_context():
        first_skill = db.session.scalars(select_skills()).first()
        skill_name = first_skill.name_pl

    sign_in(page, zofia.email)

    # Profile: a wrong phone number first, explained at the field.
    page.get_by_role("link", name="Mój profil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mój profil")
    assert_accessible(page)
    page.get_by_role("link", name="Edytuj profil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edycja profilu")
    assert_accessible(page)
    page.get_by_label("Data urodzenia").fill("1995-04-12")
    page.get_by_label("Telefon").fill("zadzwoń wieczorem")
    page.get_by_label("Miejscowość").fill("Opole")
    page.get_by_label("Języki").fill("polski, angielski")
    page.get_by_label("Ile godzin w miesiącu najwyżej").fill("12")
    page.get_by_label("Biorę udział w programie Korpus Solidarności").check()
    page.get_by_label("Galeria Próbna Śląska").check()
    page.get_by_role("button", name="Zapisz profil").click()
    expect(page.locator("#phone-error")).to_contain_text("Podaj numer telefonu z samych cyfr")
    expect(page.get_by_label("Miejscowość")).to_have_value("Opole")
    assert_accessible(page)
    page.get_by_label("Telefon").fill("+48 600 100 200")
    page.get_by_role("button", name="Zapisz profil").click()
    expect(page.get_by_role("status").first).to_contain_text("Profil zapisany.")
    expect(page.locator("main")).to_contain_text("+48 600 100 200")
    expect(page.locator("main")).to_contain_text("Galeria Próbna Śląska")

    # Skills: one level for one skill.
    page.get_by_role("link", name="Umiejętności", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje umiejętności")
    assert_accessible(page)
    page.get_by_label(skill_name, exact=True).select_option(label="2 – doświadczony")
    page.get_by_role("button", name="Zapisz umiejętności").click()
    expect(page.get_by_role("status").first).to_contain_text("Umiejętności zapisane.")
    expect(page.get_by_label(skill_name, exact=True)).to_have_value("2")

    # Availability: the end before the start first, then right.
    page.get_by_role("link", name="Dostępność", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moja dostępność")
    assert_accessible(page)
    page.get_by_label("Dzień tygodnia").select_option(label="sobota")
    page.get_by_label("Od godziny").fill("14:00")
    page.get_by_label("Do godziny").fill("10:00")
    page.get_by_role("button", name="Dodaj godziny").click()
    expect(page.locator("#end_time-error")).to_contain_text("Koniec musi być później")
    assert_accessible(page)
    page.get_by_label("Od godziny").fill("10:00")
    page.get_by_label("Do godziny").fill("14:00")
    page.get_by_role("button", name="Dodaj godziny").click()
    expect(page.get_by_role("status").first).to_contain_text("Dodano przedział dostępności.")
    expect(page.locator("table").first).to_contain_text("sobota")
    page.get_by_label("Od dnia").fill("2027-08-01")
    page.get_by_label("Do dnia (włącznie)").fill("2027-08-14")
    page.get_by_role("button", name="Dodaj nieobecność").click()
    expect(page.get_by_role("status").first).to_contain_text("Dodano nieobecność.")
    assert_accessible(page)

    # Consents: image consent given, withdrawn and given again; the history shows all three.
    page.get_by_role("link", name="Zgody", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje zgody")
    assert_accessible(page)
    image = page.locator("section", has=page.get_by_role("heading", name=re.compile("wizerunku")))
    image.get_by_role("button", name=re.compile("Wyrażam zgodę")).click()
    expect(page.get_by_role("status").first).to_contain_text("Zgoda udzielona")
    image.get_by_role("button", name=re.compile("Wycofuję zgodę")).click()
    expect(page.get_by_role("status").first).to_contain_text("Zgoda wycofana")
    image.get_by_role("button", name=re.compile("Wyrażam zgodę")).click()
    expect(page.get_by_role("status").first).to_contain_text("Zgoda udzielona")
    history = page.locator("section", has=page.get_by_role("heading", name="Historia zgód"))
    expect(history.locator("tbody tr", has_text="wizerunku")).to_have_count(3)
    expect(history).to_contain_text("wycofana")
    assert_accessible(page)

    # Schedule and the personal calendar feed.
    page.get_by_role("navigation", name="Menu główne").get_by_role(
        "link", name="Mój grafik"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mój grafik")
    expect(page.locator("main")).to_contain_text("Noc Muzeów: obsługa gości")
    expect(page.locator("main")).to_contain_text("10.07.2027, 10:00")
    assert_accessible(page)
    feed_url = page.get_by_label("Adres kalendarza").input_value()
    response = page.request.get(feed_url)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.body()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Noc Muzeów: obsługa gości"]
    assert events[0].decoded("DTSTART").hour == 10

    # The other pages of the volunteer, each accessible.
    page.get_by_role("link", name="Wycofaj").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wycofanie zgłoszenia")
    assert_accessible(page)
    for link, heading in (
        ("Powiadomienia", "Powiadomienia"),
        ("Moje dane", "Moje dane"),
    ):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
    page.get_by_role("link", name="Usuń konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usunięcie konta")
    page.get_by_role("button", name="Usuń moje konto na zawsze").click()
    expect(page.locator("#password-error")).to_contain_text("To pole jest wymagane.")
    assert_accessible(page)


def test_guardian_reads_and_confirms_consent_on_an_accessible_page(
    page: Page, app, factory, assert_accessible
):
    julek = factory.user(first_name="Julek", last_name="Nowak")
    with app.app_context():
        profile = db.session.get(VolunteerProfile, julek.id)
        profile.date_of_birth = datetime(datetime.now(UTC).year - 15, 1, 1).date()
        profile.guardian_name = "Anna Nowak"
        profile.guardian_email = "anna.nowak@example.org"
        db.session.commit()
        with app.test_request_context():
            token = make_guardian_token(profile)
    page.goto(f"/guardian/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zgoda opiekuna prawnego")
    expect(page.locator("main")).to_contain_text("Julek Nowak")
    assert_accessible(page)
    page.get_by_role("button", name="Jako opiekun prawny wyrażam zgodę").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zgoda potwierdzona")
    assert_accessible(page)
    page.goto("/guardian/zly-token")
    expect(page.get_by_role("heading", level=1)).to_have_text("Link nieważny")
    assert_accessible(page)


def select_skills():
    from sqlalchemy import select

    from app.models import SkillGroup

    return select(Skill).join(SkillGroup).order_by(SkillGroup.position, Skill.position)
