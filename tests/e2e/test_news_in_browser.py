"""In the browser, in Polish: staff of one institution post news that staff of another read."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e


def open_menu_link(page: Page, name: str) -> None:
    menu = page.locator("details.site-menu")
    if menu.get_attribute("open") is None and page.locator(".menu-button").is_visible():
        page.locator(".menu-button").click()
    page.get_by_role("link", name=name).first.click()


def test_staff_post_news_that_another_institutions_staff_read(
    page: Page, factory, assert_accessible
):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO", slug="muzeum")
    archive = factory.institution(
        "Archiwum Państwowe w Opolu", short_name="Archiwum", slug="archiwum"
    )
    factory.need(museum, "Noc Muzeów: obsługa gości")
    author = factory.user(Role.STAFF, institution=museum)
    reader = factory.user(Role.STAFF, institution=archive)

    sign_in(page, author.email)
    open_menu_link(page, "Wiadomości z koalicji")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wiadomości z koalicji")
    assert_accessible(page)
    page.get_by_role("link", name="Napisz wiadomość").click()
    assert_accessible(page)
    page.get_by_role("button", name="Opublikuj").click()  # empty: messages at the fields
    expect(page.locator("#title-error")).to_have_text("To pole jest wymagane.")
    assert_accessible(page)
    page.get_by_label("Rodzaj wiadomości").select_option(label="Prośba o pomoc innych instytucji")
    page.get_by_label("Tytuł").fill("Szukamy przewodników na Noc Muzeów")
    page.get_by_label("Treść").fill("Potrzebujemy osób z innych instytucji.")
    page.get_by_label("Potrzeba lub wydarzenie w giełdzie (opcjonalnie)").select_option(
        label="Noc Muzeów: obsługa gości"
    )
    page.get_by_label("Pokaż także publicznie").check()
    page.get_by_role("button", name="Opublikuj").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Wiadomość opublikowana na tablicy koalicji."
    )
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, reader.email)
    open_menu_link(page, "Wiadomości z koalicji")
    page.get_by_label("Wysyłaj mi co tydzień e-mail z nowymi wiadomościami").check()
    page.get_by_role("button", name="Zapisz ustawienie").click()
    expect(page.get_by_role("status").first).to_contain_text("Co tydzień wyślemy Ci e-mail")
    page.get_by_role("link", name="Szukamy przewodników na Noc Muzeów").click()
    expect(page.get_by_role("link", name="Noc Muzeów: obsługa gości")).to_be_visible()
    expect(page.get_by_role("link", name="Zmień wiadomość")).to_have_count(0)

    page.context.clear_cookies()
    page.goto("/news/public")
    expect(page.get_by_role("link", name="Szukamy przewodników na Noc Muzeów")).to_be_visible()
    assert_accessible(page)
