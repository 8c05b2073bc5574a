"""Kwalifikacja, która podróżuje: koordynatorka dodaje „Pierwszą pomoc” do katalogu, pracownica
muzeum odnotowuje ją wolontariuszce, wolontariuszka wyraża zgodę, teatr widzi kwalifikację na
karcie zgłoszonej osoby, potrzeba, która jej wymaga, przyjmuje wolontariuszkę i odmawia innej
osobie z podaniem powodu, a dopasowanie proponuje tylko osobę z kwalifikacją i mówi dlaczego.
Każda strona przechodzi axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.time import WARSAW
from app.extensions import db
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import Qualification
from app.models import Role
from app.models import VolunteerProfile
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e


def ready_to_volunteer(app, *people) -> None:
    """Dorośli, wolni w soboty, ze zgodą na przetwarzanie danych."""
    with app.app_context():
        for person in people:
            profile = db.session.get(VolunteerProfile, person.id)
            profile.date_of_birth = date(1996, 4, 2)
            profile.availability.append(
                AvailabilityWindow(weekday=5, start_time=time(8), end_time=time(18))
            )
            db.session.add(
                Consent(user_id=person.id, kind=ConsentKind.DATA_PROCESSING, granted=True)
            )
        db.session.commit()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Wyloguj").click()


def test_pierwsza_pomoc_z_muzeum_otwiera_drzwi_w_teatrze(
    page: Page, app, factory, assert_accessible
):
    museum = factory.institution("Muzeum Ratownicze w Opolu", short_name="MRO", slug="mro")
    theatre = factory.institution("Teatr Bezpieczny w Opolu", short_name="TBO", slug="tbo")
    coordinator = factory.user(Role.COORDINATOR)
    museum_staff = factory.user(Role.STAFF, institution=museum, first_name="Maria")
    theatre_staff = factory.user(Role.STAFF, institution=theatre, first_name="Tadeusz")
    ala = factory.user(first_name="Alicja", last_name="Ratownicza")
    bartek = factory.user(first_name="Bartosz", last_name="Bezkursowy")
    ready_to_volunteer(app, ala, bartek)
    factory.application(ala, factory.need(museum, "Dyżur w muzeum"))

    # Koordynatorka dodaje kwalifikację do katalogu; najpierw z błędną ważnością.
    sign_in(page, coordinator.email)
    page.get_by_role("link", name="Kwalifikacje").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Katalog kwalifikacji")
    page.get_by_label("Nazwa", exact=True).fill("Pierwsza pomoc")
    page.get_by_label("Ważność w miesiącach (opcjonalnie)").fill("0")
    page.get_by_role("button", name="Dodaj do katalogu").click()
    expect(page.locator("#validity_months-error")).to_have_text(
        "Podaj liczbę miesięcy od 1 do 600."
    )
    assert_accessible(page)
    page.get_by_label("Ważność w miesiącach (opcjonalnie)").fill("24")
    page.get_by_role("button", name="Dodaj do katalogu").click()
    expect(page.get_by_role("status").first).to_contain_text("Dodano do katalogu: Pierwsza pomoc.")
    expect(page.get_by_role("row", name=re.compile("Pierwsza pomoc"))).to_contain_text(
        "24 miesiące"
    )
    assert_accessible(page)
    sign_out(page)
    with app.app_context():
        first_aid = db.session.scalar(select(Qualification.id))
    saturday = datetime.now(WARSAW).date()
    saturday += timedelta(days=(5 - saturday.weekday()) % 7 or 7)
    show = factory.need(
        theatre,
        "Widownia z apteczką",
        shifts=2,
        places=2,
        start=datetime.combine(saturday, time(10), tzinfo=WARSAW).astimezone(UTC),
        required_qualification_id=first_aid,
    )

    # Pracownica muzeum odnotowuje kwalifikację na karcie wolontariuszki.
    sign_in(page, museum_staff.email)
    page.goto(f"/manage/volunteers/{ala.id}")
    page.get_by_role("link", name="Kwalifikacje: szczegóły i odnotowanie nowej").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kwalifikacje: Alicja Ratownicza")
    page.get_by_label("Kwalifikacja", exact=True).select_option(label="Pierwsza pomoc")
    tomorrow = datetime.now(WARSAW).date() + timedelta(days=1)
    page.get_by_label("Data uzyskania lub sprawdzenia").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Zapisz kwalifikację").click()
    expect(page.locator("#obtained_on-error")).to_contain_text("przyszłości")
    assert_accessible(page)
    obtained = datetime.now(WARSAW).date() - timedelta(days=10)
    page.get_by_label("Data uzyskania lub sprawdzenia").fill(obtained.isoformat())
    page.get_by_role("button", name="Zapisz kwalifikację").click()
    expect(page.get_by_role("status").first).to_contain_text("Odnotowano kwalifikację.")
    row = page.get_by_role("row", name=re.compile("Pierwsza pomoc"))
    expect(row).to_contain_text("MRO")
    expect(row).to_contain_text(str(obtained.year + 2))
    assert_accessible(page)
    sign_out(page)

    # Wolontariuszka widzi kwalifikację z datą ważności i wyraża zgodę na jej pokazywanie.
    sign_in(page, ala.email)
    page.goto("/qualifications/mine")
    expect(page.get_by_role("row", name=re.compile("Pierwsza pomoc"))).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("widzi tylko instytucja, która je odnotowała")
    assert_accessible(page)
    page.get_by_role("link", name="Zmień to w zgodach").click()
    page.get_by_role(
        "button", name=re.compile("Wyrażam zgodę.*Pokazywanie moich kwalifikacji")
    ).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Zgoda udzielona: Pokazywanie moich kwalifikacji innym instytucjom koalicji."
    )
    assert_accessible(page)
    page.goto(f"/needs/{show.id}")
    expect(page.get_by_role("main")).to_contain_text("Wymagana kwalifikacja")
    page.locator(f"#shift-{show.shifts[0].id}").check()
    page.get_by_role("button", name="Zgłaszam się").click()
    expect(page.get_by_role("status").first).to_contain_text("Zgłoszenie wysłane")
    sign_out(page)

    # Osoba bez kwalifikacji dostaje odmowę z powodem.
    sign_in(page, bartek.email)
    page.goto(f"/needs/{show.id}")
    page.locator(f"#shift-{show.shifts[0].id}").check()
    page.get_by_role("button", name="Zgłaszam się").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Ta potrzeba wymaga kwalifikacji „Pierwsza pomoc”, ważnej w dniu zmiany"
    )
    assert_accessible(page)
    sign_out(page)

    # Teatr widzi kwalifikację na karcie zgłoszonej osoby i przyjmuje ją.
    sign_in(page, theatre_staff.email)
    page.goto(f"/manage/volunteers/{ala.id}")
    qualifications = page.get_by_role("region", name="Kwalifikacje")
    expect(qualifications.get_by_role("row", name=re.compile("Pierwsza pomoc"))).to_contain_text(
        "MRO"
    )
    assert_accessible(page)
    page.goto(f"/manage/needs/{show.id}")
    expect(page.get_by_role("main")).to_contain_text("Pierwsza pomoc: przyjąć można tylko osoby")
    page.get_by_role("button", name="Przyjmij Alicja Ratownicza").click()
    expect(page.get_by_role("status").first).to_contain_text("Przyjęto zgłoszenie.")
    sign_out(page)

    # Dopasowanie proponuje na drugą zmianę tylko osobę z kwalifikacją i podaje powód.
    sign_in(page, coordinator.email)
    page.get_by_role("link", name="Dopasowania").click()
    page.get_by_role("button", name="Uruchom dopasowanie").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("ma wymaganą kwalifikację: Pierwsza pomoc")
    expect(page.get_by_label(re.compile("Alicja Ratownicza"))).to_have_count(1)
    expect(page.get_by_label(re.compile("Bartosz Bezkursowy"))).to_have_count(0)
    assert_accessible(page)
