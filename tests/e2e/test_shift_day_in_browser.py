"""Dzień zmiany w przeglądarce, po polsku: pracownica na telefonie (390 × 844) zaznacza obecność
jednym dotknięciem i spóźnienie, a godziny do potwierdzenia są już wpisane; wiadomość do zmiany
trafia do każdej wolontariuszki raz. Każda strona przechodzi axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.core.time import in_warsaw
from app.models import AssignmentStatus
from app.models import Role
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shift_now(factory):
    museum = factory.institution("Muzeum Dnia Zmiany", short_name="MDZ", slug="mdz")
    staff = factory.user(Role.STAFF, institution=museum, first_name="Halina", last_name="Dyżurna")
    ala = factory.user(first_name="Alicja", last_name="Punktualna")
    bartek = factory.user(first_name="Bartosz", last_name="Spóźniony")
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    need = factory.need(
        museum,
        "Noc muzeów na telefonie",
        start=start,
        places=3,
        contact_email="halina.dyzurna@example.org",
    )
    factory.application(ala, need, status=AssignmentStatus.ACCEPTED)
    factory.application(bartek, need, status=AssignmentStatus.ACCEPTED)
    return museum, staff, ala, bartek, need


def test_pracownica_zaznacza_obecnosc_na_telefonie_a_godziny_sa_wpisane(
    page: Page, shift_now, assert_accessible
):
    _museum, staff, _ala, _bartek, need = shift_now
    shift = need.shifts[0]
    page.set_viewport_size(PHONE)
    sign_in(page, staff.email)
    page.goto(f"/checkin/shifts/{shift.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lista obecności")
    expect(page.get_by_role("img", name=re.compile("Kod QR"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("^Obecność.*Alicja Punktualna")).click()
    expect(page.get_by_text("Obecni: 1 · nieobecni: 0 · bez zaznaczenia: 1")).to_be_visible()
    # The one-tap button fits a thumb on the phone's screen.
    box = page.get_by_role(
        "button", name=re.compile("^Nieobecność.*Bartosz Spóźniony")
    ).bounding_box()
    assert box and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]

    arrived = (in_warsaw(shift.starts_at) + timedelta(minutes=30)).strftime("%H:%M")
    page.get_by_text("Spóźnienie lub wcześniejsze wyjście").filter(has_text="Bartosz").click()
    bartek_row = page.locator("li.checkin-row", has_text="Bartosz Spóźniony")
    bartek_row.get_by_label("Godzina przyjścia").fill(arrived)
    bartek_row.get_by_role("button", name=re.compile("Zapisz godziny")).click()
    expect(page.get_by_text("Zapisano godziny: Bartosz Spóźniony.")).to_be_visible()
    expect(page.locator("li.checkin-row", has_text="Bartosz Spóźniony")).to_contain_text(
        f"przyjście o {arrived}"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Potwierdź obecność i godziny po zmianie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Obecność i godziny")
    people = page.locator("ul.hours-people > li")
    expect(people.filter(has_text="Alicja Punktualna").get_by_label("Godziny")).to_have_value("4")
    expect(people.filter(has_text="Bartosz Spóźniony").get_by_label("Godziny")).to_have_value("3,5")
    assert_accessible(page)
    page.get_by_role("button", name="Potwierdź obecność wszystkich").click()
    expect(page.get_by_text("Potwierdzono godziny: 2 os.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Bartosz Spóźniony"))).to_contain_text("3,5")


def test_wiadomosc_do_zmiany_trafia_do_kazdej_osoby_raz(
    page: Page, shift_now, mailbox, assert_accessible
):
    _museum, staff, ala, bartek, need = shift_now
    sign_in(page, staff.email)
    page.goto(f"/manage/needs/{need.id}")
    page.get_by_role("link", name=re.compile("^Napisz do osób ze zmiany")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wiadomość do wolontariuszy")
    assert_accessible(page)
    page.get_by_role("button", name="Wyślij wiadomość").click()
    expect(page.locator("#subject-error")).to_contain_text("To pole jest wymagane.")
    assert_accessible(page)
    page.get_by_label("Temat").fill("Zbiórka przy wejściu od ogrodu")
    page.get_by_label("Treść").fill("Wejście główne jest dziś zamknięte. Do zobaczenia!")
    page.get_by_role("button", name="Wyślij wiadomość").dblclick()
    expect(page.get_by_text("Wysłano wiadomość do 2 os.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="Zbiórka przy wejściu od ogrodu")
    ).to_have_count(1)

    for person in (ala, bartek):
        [mail] = mailbox.wait_for(person.email)
        assert mail["Reply-To"] == "halina.dyzurna@example.org"
    assert [len(mailbox.to(p.email)) for p in (ala, bartek)] == [1, 1]

    page.context.clear_cookies()
    sign_in(page, ala.email)
    page.goto(f"/messages/needs/{need.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wiadomości od instytucji")
    expect(page.get_by_text("Wejście główne jest dziś zamknięte.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Zamelduj się").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zamelduj się na zmianie")
    assert_accessible(page)
