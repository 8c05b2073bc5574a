"""Wolontariuszka szuka potrzeby bez polskich znaków, zgłasza się na dwie zmiany i dostaje odmowę
na trzecią, która nakłada się na już wybraną. Każda strona przechodzi axe-core."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.test_accounts_in_browser import sign_in
from tests.needs.test_needs_helpers import add_shift
from tests.needs.test_needs_helpers import add_skills
from tests.needs.test_needs_helpers import make_skill

pytestmark = pytest.mark.e2e
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def jarmark(app, factory):
    museum = factory.institution("Muzeum Wsi Opolskiej", short_name="Muzeum Wsi", slug="muzeum-wsi")
    day = datetime.now(WARSAW).date() + timedelta(days=5)
    first = datetime.combine(day, time(10), tzinfo=WARSAW).astimezone(UTC)
    need = factory.need(
        museum,
        "Fotografowanie jarmarku w Łodzi",
        shifts=2,
        start=first,
        place="Łódź, skansen",
        description="Robisz zdjęcia stoisk i pokazów rzemiosła.",
        is_accessible=True,
    )
    add_skills(app, need, [(make_skill(app, "Fotografia"), 1, False)])
    # A third shift that overlaps the first one (12:00-16:00 the same day).
    overlapping = add_shift(app, need, first + timedelta(hours=2), first + timedelta(hours=6))
    factory.need(museum, "Oprowadzanie po skansenie", start=first + timedelta(days=2))
    return need, overlapping, day


def test_wolontariuszka_szuka_zglasza_sie_i_dostaje_odmowe(
    page: Page, factory, jarmark, assert_accessible
):
    need, overlapping, day = jarmark
    volunteer = factory.user(first_name="Łucja", last_name="Żółkiewska")
    sign_in(page, volunteer.email)

    page.goto("/needs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Potrzeby wolontariackie")
    assert_accessible(page)

    # Bez polskich znaków i małymi literami: "lodz" znajduje "Łódź".
    page.get_by_label("Szukaj", exact=True).fill("lodz")
    page.get_by_role("button", name="Szukaj").click()
    expect(page.get_by_role("status")).to_have_text("Znaleziono 1 potrzebę")
    expect(page.get_by_role("link", name="Fotografowanie jarmarku w Łodzi")).to_be_visible()
    assert_accessible(page)

    # Brak wyników też jest czytelny i dostępny.
    page.get_by_label("Szukaj", exact=True).fill("zolw")
    page.get_by_role("button", name="Szukaj").click()
    expect(page.get_by_text("Nie znaleziono potrzeb")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Szukaj", exact=True).fill("fotografowanie lodz")
    page.get_by_role("button", name="Szukaj").click()
    page.get_by_role("link", name="Fotografowanie jarmarku w Łodzi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fotografowanie jarmarku w Łodzi")
    expect(page.locator("dl.facts")).to_contain_text("Łódź, skansen")
    assert_accessible(page)

    # Dwie zmiany, które się nie nakładają.
    page.locator(f"#shift-{need.shifts[0].id}").check()
    page.locator(f"#shift-{need.shifts[1].id}").check()
    page.get_by_label("Wiadomość do instytucji (opcjonalnie)").fill("Mam własny aparat.")
    page.get_by_role("button", name="Zgłaszam się").click()
    expect(page.get_by_role("status").first).to_contain_text("Zgłoszenie wysłane")
    expect(page.locator(".my-applications li")).to_have_count(2)
    expect(page.locator(".my-applications")).to_contain_text(
        "zgłoszenie czeka na decyzję instytucji"
    )
    assert_accessible(page)

    # Trzecia zmiana nakłada się na pierwszą: odmowa przy formularzu, wybór zostaje zaznaczony.
    page.locator(f"#shift-{overlapping}").check()
    page.get_by_role("button", name="Zgłaszam się").click()
    refusal = page.locator("#apply-refusal")
    expect(refusal).to_contain_text("nakłada się na Twoją inną zmianę")
    expect(page.locator(f"#shift-{overlapping}")).to_be_checked()
    expect(page.locator(".my-applications li")).to_have_count(2)
    assert_accessible(page)


def test_kalendarz_miesiac_i_tydzien_sa_dostepne(page: Page, jarmark, assert_accessible):
    need, _overlapping, day = jarmark
    page.goto(f"/calendar/?year={day.year}&month={day.month}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kalendarz:")
    expect(page.get_by_role("table")).to_contain_text("Fotografowanie jarmarku w Łodzi")
    expect(page.get_by_role("columnheader", name="poniedziałek")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Widok tygodnia").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tydzień")
    assert_accessible(page)
    page.goto(f"/calendar/week?date={day.isoformat()}")
    expect(page.locator(".week-list")).to_contain_text(
        "10:00–14:00: Fotografowanie jarmarku w Łodzi"
    )
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Następny tydzień")).click()
    assert_accessible(page)


def test_strona_potrzeby_dla_niezalogowanych(page: Page, jarmark, assert_accessible):
    need, _overlapping, _day = jarmark
    page.goto(f"/needs/{need.id}")
    expect(page.get_by_role("link", name="Zaloguj się, aby się zgłosić")).to_be_visible()
    assert_accessible(page)
