"""A person registers, confirms the e-mail from the real SMTP server, signs in, switches language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Adres e-mail").fill(email)
    page.get_by_label("Hasło", exact=True).fill(password)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("status").first).to_contain_text("Witaj")


def test_volunteer_registers_confirms_signs_in_and_switches_language(
    page: Page, mailbox, assert_accessible
):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Zostań wolontariuszem").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejestracja wolontariusza")
    assert_accessible(page)

    # Wrong input first: the messages appear at the fields, in Polish, and pass axe too.
    page.get_by_label("Imię").fill("Łucja")
    page.get_by_label("Adres e-mail").fill("lucja-bez-malpy")
    page.get_by_role("button", name="Załóż konto").click()
    expect(page.locator("#email-error")).to_contain_text("Podaj poprawny adres e-mail")
    expect(page.locator("#last_name-error")).to_contain_text("To pole jest wymagane.")
    expect(page.get_by_label("Imię")).to_have_value("Łucja")
    assert_accessible(page)

    page.get_by_label("Nazwisko").fill("Świerc")
    page.get_by_label("Adres e-mail").fill("lucja@example.org")
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_label(re.compile("Zgadzam się na przetwarzanie")).check()
    page.get_by_role("button", name="Załóż konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprawdź skrzynkę e-mail")
    assert_accessible(page)

    message = mailbox.wait_for("lucja@example.org")[0]
    link = re.search(r"http://\S+/confirm/\S+", mailbox.text_of(message)).group(0)
    page.goto(link)
    expect(page.get_by_role("status").first).to_contain_text("Adres e-mail potwierdzony")

    sign_in(page, "lucja@example.org")
    expect(page.get_by_role("navigation", name="Menu główne")).to_contain_text("Moje konto")
    page.get_by_role("link", name="Moje konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje konto")
    assert_accessible(page)

    page.get_by_label("Język").select_option("en")
    page.get_by_role("button", name="Zmień język").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    assert_accessible(page)
    # Remembered: a new page load stays in English.
    page.goto("/institutions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coalition institutions")


def test_coordinator_approves_a_staff_request_and_sees_it_in_the_audit_log(
    page: Page, factory, browser, base_url, assert_accessible
):
    gallery = factory.institution(
        "Galeria Sztuki Współczesnej w Opolu", short_name="GSW", slug="gsw"
    )
    person = factory.user(first_name="Joanna", last_name="Galeryjna")
    coordinator = factory.user(Role.COORDINATOR)

    sign_in(page, person.email)
    page.goto("/institutions/staff-request")
    assert_accessible(page)
    page.get_by_label("Instytucja").select_option(label=gallery.name)
    page.get_by_label("Stanowisko lub rola w instytucji").fill("Edukatorka")
    page.get_by_role("button", name="Wyślij wniosek").click()
    expect(page.get_by_role("status").first).to_contain_text("Wniosek wysłany")

    coord_page = browser.new_page(base_url=base_url, locale="pl-PL")
    sign_in(coord_page, coordinator.email)
    coord_page.get_by_role("link", name="Wnioski").click()
    expect(coord_page.get_by_role("heading", level=1)).to_have_text("Wnioski do rozpatrzenia")
    assert_accessible(coord_page)
    card = coord_page.locator(".card", has_text="Joanna Galeryjna")
    card.get_by_label("Uzasadnienie (opcjonalnie)").fill("Witamy w zespole")
    card.get_by_role("button", name="Zatwierdź").click()
    expect(coord_page.get_by_role("status").first).to_contain_text("Wniosek zatwierdzony")
    coord_page.get_by_role("link", name="Dziennik zdarzeń").click()
    expect(coord_page.locator("table")).to_contain_text("zatwierdzenie dostępu pracownika")
    assert_accessible(coord_page)
    coord_page.close()

    page.reload()
    expect(page.get_by_role("navigation", name="Menu główne")).to_contain_text(
        "Moja instytucja: GSW"
    )
