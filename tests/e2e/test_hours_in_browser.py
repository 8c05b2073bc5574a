"""Pracownica muzeum potwierdza obecność całej zmiany (najpierw z błędną liczbą godzin),
wolontariuszka z Korpusu Solidarności widzi swoje godziny i postęp w miesiącu, koordynatorka
widzi listę miesiąca. Każda strona przechodzi axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.extensions import db
from app.models import AssignmentStatus
from app.models import Role
from app.models import VolunteerProfile
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e

WARSAW = ZoneInfo("Europe/Warsaw")


def test_pracownica_potwierdza_godziny_a_wolontariuszka_widzi_postep(
    page: Page, factory, app, assert_accessible
):
    museum = factory.institution("Muzeum Godzin w Opolu", short_name="MGO", slug="mgo")
    staff = factory.user(Role.STAFF, institution=museum, first_name="Halina")
    ala = factory.user(first_name="Alicja", last_name="Korpusowa")
    bartek = factory.user(first_name="Bartosz", last_name="Pomocny")
    with app.app_context():
        db.session.get(VolunteerProfile, ala.id).is_korpus = True
        db.session.commit()
    # Zmiana zaczęła się dziś o północy czasu polskiego: już się zaczęła i liczy się do tego miesiąca.
    today = datetime.now(WARSAW).date()
    start = datetime(today.year, today.month, today.day, tzinfo=WARSAW).astimezone(UTC)
    need = factory.need(museum, "Noc muzeów w przeglądarce", start=start, places=3)
    factory.application(ala, need, status=AssignmentStatus.ACCEPTED)
    factory.application(bartek, need, status=AssignmentStatus.ACCEPTED)

    sign_in(page, staff.email)
    page.goto("/hours/pending")
    expect(page.get_by_role("heading", level=1)).to_have_text("Godziny do potwierdzenia")
    assert_accessible(page)
    page.get_by_role("row", name="Noc muzeów w przeglądarce").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Obecność i godziny")
    assert_accessible(page)

    # Najpierw błąd: 30 godzin to więcej niż doba. Komunikat przy polu, nic nie zapisano.
    all_form = page.locator("form.hours-all")
    expect(all_form.get_by_label("Godziny")).to_have_value("4")
    all_form.get_by_label("Godziny").fill("30")
    page.get_by_role("button", name="Potwierdź obecność wszystkich").click()
    expect(page.get_by_text("nie większa niż 24").first).to_be_visible()
    expect(page.locator("form.hours-all").get_by_label("Godziny")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(page)

    page.locator("form.hours-all").get_by_label("Godziny").fill("3,5")
    page.get_by_role("button", name="Potwierdź obecność wszystkich").click()
    expect(page.get_by_text("Potwierdzono godziny: 2 os.")).to_be_visible()
    expect(page.get_by_role("row", name="Alicja Korpusowa")).to_contain_text("3,5")
    expect(page.get_by_text("Nikt na tej zmianie nie czeka na potwierdzenie.")).to_be_visible()
    assert_accessible(page)

    # Poprawka wymaga powodu.
    page.get_by_role("link", name=re.compile("Popraw godziny.*Bartosz Pomocny")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Poprawka godzin")
    assert_accessible(page)
    page.get_by_label("Poprawione godziny").fill("3")
    page.get_by_label("Powód poprawki").fill("Wyszedł pół godziny wcześniej")
    page.get_by_role("button", name="Zapisz poprawkę").click()
    expect(page.get_by_text("Zapisano poprawkę godzin.")).to_be_visible()
    expect(page.get_by_role("row", name="Bartosz Pomocny")).to_contain_text(
        "poprawiono: Wyszedł pół godziny wcześniej"
    )

    page.goto(f"/hours/institutions/{museum.slug}/coordinator")
    assert_accessible(page)
    page.get_by_label("Koordynator(ka) wolontariatu").select_option(str(staff.id))
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_text("Zapisano koordynatora wolontariatu.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, ala.email)
    page.get_by_role("link", name="Moje godziny").first.click()  # the menu; the dashboard links too
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje godziny")
    expect(page.get_by_text("Razem potwierdzonych godzin: 3,5")).to_be_visible()
    expect(page.get_by_text("W tym miesiącu: 3,5 z 16 godz.")).to_be_visible()
    expect(page.get_by_role("row", name="Muzeum Godzin w Opolu")).to_contain_text("3,5")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, factory.user(Role.COORDINATOR).email)
    page.goto("/hours/korpus")
    expect(page.get_by_role("row", name="Alicja Korpusowa")).to_contain_text("Muzeum Godzin")
    assert_accessible(page)
