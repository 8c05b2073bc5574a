"""An administrator at work in the browser: a skill added (after a mistake), renamed and retired,
a volunteer's account switched off and on, and the audit log read as sentences and filtered.
The forms carry their CSRF tokens (the live server checks them) and every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e


def test_an_administrator_changes_skills_and_accounts_and_reads_it_in_the_log(
    page: Page, browser: Browser, base_url, factory, assert_accessible
):
    factory.reference_data()
    admin = factory.user(Role.ADMIN, first_name="Adam", last_name="Admin")
    person = factory.user(first_name="Anna", last_name="Nowak")
    sign_in(page, admin.email)

    page.goto("/admin/skills/new")
    page.get_by_label("Nazwa po angielsku").fill("Calligraphy")
    page.get_by_role("button", name="Dodaj", exact=True).click()
    expect(page.locator("#name_pl-error")).to_contain_text("To pole jest wymagane.")
    assert_accessible(page)
    page.get_by_label("Nazwa po polsku").fill("Kaligrafia")
    page.get_by_label("Grupa").select_option(index=1)
    page.get_by_role("button", name="Dodaj", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Dodano umiejętność „Kaligrafia”.")
    assert_accessible(page)

    page.get_by_role("link", name="Zmień Kaligrafia").click()
    page.get_by_label("Nazwa po polsku").fill("Kaligrafia i liternictwo")
    page.get_by_role("button", name="Zapisz nazwy").click()
    page.get_by_role("link", name="Zmień Kaligrafia i liternictwo").click()
    assert_accessible(page)
    page.get_by_role("button", name="Wycofaj umiejętność").click()
    expect(page.locator("li", has_text="Kaligrafia i liternictwo")).to_contain_text("wycofana")

    page.goto(f"/admin/users/{person.id}")
    assert_accessible(page)
    page.get_by_role("button", name="Wyłącz konto").click()
    expect(page.get_by_role("status").first).to_contain_text("jest wyłączone")

    other = browser.new_page(base_url=base_url)
    other.goto("/login")
    other.get_by_label("Adres e-mail").fill(person.email)
    other.get_by_label("Hasło", exact=True).fill("Wolontariat-2026!")
    other.get_by_role("button", name="Zaloguj się").click()
    expect(other.locator("#email-error")).to_contain_text(
        "To konto zostało wyłączone przez administratora."
    )
    other.close()

    page.get_by_role("button", name="Włącz konto").click()
    page.get_by_label("Rola").select_option("coordinator")
    page.get_by_role("button", name="Zmień rolę").click()
    expect(page.get_by_role("status").first).to_contain_text("ma teraz rolę: koordynator OKIK")

    page.goto("/coordination/audit")
    log = page.locator("table")
    expect(log).to_contain_text(
        "Adam Admin zmienia rolę osoby Anna Nowak: z „wolontariusz” na „koordynator OKIK”."
    )
    expect(log).to_contain_text("Adam Admin wyłącza konto osoby Anna Nowak.")
    expect(log).to_contain_text("Adam Admin wycofuje umiejętność „Kaligrafia i liternictwo”.")
    expect(log).not_to_contain_text("user.role_changed")
    assert_accessible(page)
    page.get_by_label("Rodzaj zdarzenia").select_option(label="wyłączenie konta")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("Od dnia").fill("2026-12-10")
    page.get_by_label("Do dnia").fill("2026-12-01")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.locator("#date_to-error")).to_contain_text("nie może być wcześniejsza")
    assert_accessible(page)
