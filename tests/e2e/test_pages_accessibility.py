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


def test_shift_day_pages_pass_axe(page: Page, factory, coalition, assert_accessible):
    """The check-in list, messages and feedback, for staff and for a volunteer, with a message
    sent and a rating given, so that the lists are not empty."""
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    from app.models import AssignmentStatus

    staff = factory.user(Role.STAFF, institution=coalition)
    volunteer = factory.user(first_name="Alicja")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    running = factory.need(coalition, "Dyżur w galerii", start=now - timedelta(hours=1))
    over = factory.need(coalition, "Wernisaż", start=now - timedelta(days=2))
    factory.application(volunteer, running, status=AssignmentStatus.ACCEPTED)
    served = factory.application(volunteer, over, status=AssignmentStatus.COMPLETED)
    shift = running.shifts[0]

    sign_in(page, volunteer.email)
    for path in ("/checkin/", "/feedback/", f"/feedback/assignments/{served.id}"):
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
    page.get_by_label("4 – dobrze").check()
    page.get_by_role("button", name="Wyślij ocenę").click()
    expect(page.get_by_text("Dziękujemy za ocenę zmiany!")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, staff.email)
    page.goto(f"/messages/shifts/{shift.id}/write")
    page.get_by_label("Temat").fill("Zbiórka")
    page.get_by_label("Treść").fill("Przy wejściu.")
    page.get_by_role("button", name="Wyślij wiadomość").click()
    for path in (
        f"/checkin/shifts/{shift.id}",
        f"/messages/shifts/{shift.id}/write",
        f"/messages/needs/{running.id}/write",
        "/feedback/results",
    ):
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, volunteer.email)
    page.goto(f"/messages/needs/{running.id}")
    expect(page.get_by_text("Przy wejściu.")).to_be_visible()
    assert_accessible(page)
