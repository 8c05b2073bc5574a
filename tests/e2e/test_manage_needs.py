"""Pracownica muzeum dodaje cykliczną potrzebę (co sobotę 10–14 przez 4 tygodnie), najpierw z błędem,
publikuje ją, widzi zmiany w czasie polskim, przyjmuje zgłoszenia i próbuje zmniejszyć liczbę miejsc
poniżej liczby przyjętych osób. Każda strona przechodzi axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e

WARSAW = ZoneInfo("Europe/Warsaw")


def next_saturday():
    day = datetime.now(WARSAW).date() + timedelta(days=3)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return day


def test_pracownica_dodaje_cykliczna_potrzebe_i_zarzadza_zmianami(
    page: Page, factory, assert_accessible
):
    factory.reference_data()
    museum = factory.institution("Muzeum Przeglądarkowe w Opolu", short_name="MPO", slug="mpo")
    staff = factory.user(Role.STAFF, institution=museum, first_name="Halina")
    saturday = next_saturday()

    sign_in(page, staff.email)
    page.get_by_role("link", name="Moja instytucja: MPO").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Potrzeby: Muzeum Przeglądarkowe w Opolu"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Dodaj potrzebę").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nowa potrzeba: MPO")
    assert_accessible(page)

    # Najpierw błąd: koniec przed początkiem. Komunikat przy polu, wpisane dane zostają.
    page.get_by_label("Tytuł", exact=True).fill("Sobotnie dyżury na wystawie")
    page.get_by_label("Opis", exact=True).fill(
        "Pilnujesz sali i odpowiadasz na pytania zwiedzających."
    )
    page.get_by_label("Rodzaj", exact=True).select_option("recurring")
    page.get_by_label("Miejsce", exact=True).fill("ul. Ozimska 10, Opole")
    page.get_by_label("Dyżury na wystawach").select_option("r1")
    page.get_by_label("Dzień", exact=True).fill(saturday.isoformat())
    page.get_by_label("Początek", exact=True).fill("14:00")
    page.get_by_label("Koniec", exact=True).fill("10:00")
    page.get_by_label("Liczba miejsc").fill("2")
    page.get_by_label("Powtarzaj co tydzień do dnia").fill(
        (saturday + timedelta(weeks=3)).isoformat()
    )
    page.get_by_role("button", name="Zapisz szkic").click()
    expect(page.locator("#end_time-error")).to_contain_text(
        "Koniec zmiany musi być później niż jej początek."
    )
    expect(page.get_by_label("Koniec", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Tytuł", exact=True)).to_have_value("Sobotnie dyżury na wystawie")
    assert_accessible(page)

    page.get_by_label("Początek", exact=True).fill("10:00")
    page.get_by_label("Koniec", exact=True).fill("14:00")
    page.get_by_role("button", name="Zapisz szkic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sobotnie dyżury na wystawie")
    expect(page.get_by_role("status").first).to_contain_text("4 zmianami")
    assert_accessible(page)

    # Cztery soboty, 10:00–14:00 czasu polskiego.
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(4)
    for week in range(4):
        day = saturday + timedelta(weeks=week)
        row = rows.nth(week)
        expect(row.locator("th")).to_contain_text(f"{day.day}.{day.month:02d}.{day.year}")
        expect(row.locator("th")).to_contain_text("10:00")
        expect(row.locator("td").first).to_contain_text("14:00")

    page.get_by_role("button", name="Opublikuj").click()
    expect(page.get_by_role("status").first).to_contain_text("Potrzeba jest opublikowana.")
    expect(page.locator(".facts")).to_contain_text("opublikowana")
    need_id = int(re.search(r"/manage/needs/(\d+)", page.url).group(1))

    # Dwie osoby zgłaszają się na pierwszą sobotę; pracownica przyjmuje obie.
    from app.extensions import db
    from app.models import Need

    with factory.app.app_context():
        need = db.session.get(Need, need_id)
        _ = need.shifts
        db.session.expunge_all()
    for name in ("Zofia", "Jerzy"):
        factory.application(factory.user(first_name=name, last_name="Wolontariusz"), need, 0)
    page.reload()
    assert_accessible(page)
    for name in ("Zofia", "Jerzy"):
        page.get_by_role("button", name=f"Przyjmij {name} Wolontariusz").click()
        expect(page.get_by_role("status").first).to_contain_text("Przyjęto zgłoszenie.")
    expect(rows.first.locator("td").nth(2)).to_have_text("2")

    page.get_by_role("link", name="Zofia Wolontariusz").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zofia Wolontariusz")
    assert_accessible(page)
    page.go_back()

    # Zmniejszenie liczby miejsc poniżej liczby przyjętych: wyjaśnienie przy polu.
    rows.first.get_by_role("link", name=re.compile("Edytuj")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zmiana")
    assert_accessible(page)
    page.get_by_label("Liczba miejsc").fill("1")
    page.get_by_role("button", name="Zapisz zmianę").click()
    expect(page.locator("#places-error")).to_contain_text("Na tę zmianę przyjęto już 2 osoby")
    assert_accessible(page)

    page.get_by_role("link", name="Wróć do potrzeby").click()
    page.get_by_role("link", name="Edytuj opis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edycja")
    assert_accessible(page)
    page.get_by_label("Miejsce", exact=True).fill("ul. Ozimska 12, Opole")
    page.get_by_role("button", name="Zapisz zmiany").click()
    expect(page.get_by_role("status").first).to_contain_text("Powiadomiono 2 os")

    page.goto("/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Potrzeby instytucji")
    assert_accessible(page)
