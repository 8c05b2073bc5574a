"""Every page of the foundation, as each role sees it, in both languages, passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e

PUBLIC = [
    "/",
    "/institutions/",
    "/institutions/galeria",
    "/login",
    "/register",
    "/register/check-email",
    "/confirm",
    "/reset",
    "/deklaracja-dostepnosci",
    "/nie-ma-takiej-strony",
]
BY_ROLE = {
    Role.VOLUNTEER: [
        "/account/",
        "/account/password",
        "/institutions/staff-request",
        "/institutions/join",
    ],
    Role.COORDINATOR: ["/coordination/requests", "/coordination/audit", "/account/"],
    Role.ADMIN: ["/admin/users", "/admin/skills", "/coordination/requests"],
}


@pytest.fixture
def coalition(factory):
    factory.reference_data()
    gallery = factory.institution("Galeria Testowa", slug="galeria", is_founder=True)
    applicant = factory.user(first_name="Piotr")
    factory.staff_request(applicant, gallery)
    factory.institution_request(applicant)
    return gallery


@pytest.mark.parametrize("language", ["pl", "en"])
def test_public_pages_pass_axe(page: Page, coalition, assert_accessible, language):
    if language == "en":
        page.goto("/")
        page.get_by_label("Język").select_option("en")
        page.get_by_role("button", name="Zmień język").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    for path in PUBLIC:
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_role_pages_pass_axe(page: Page, factory, coalition, assert_accessible, role):
    user = factory.user(role)
    sign_in(page, user.email)
    for path in BY_ROLE[role]:
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)


def test_form_errors_pass_axe(page: Page, factory, coalition, assert_accessible):
    page.goto("/login")
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    sign_in(page, factory.user().email)
    page.goto("/institutions/join")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(page.locator("#name-error")).to_contain_text("To pole jest wymagane.")
    assert_accessible(page)


def test_keyboard_user_can_skip_to_content(page: Page, coalition):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Przejdź do treści")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(page.url.split("#")[0] + "#main")
