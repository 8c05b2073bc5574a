"""Koordynatorka otwiera raporty koalicji: widzi wykresy SVG, a pod każdym tabelę z danymi;
pracownik muzeum widzi raport swojej instytucji. Strony przechodzą axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.extensions import db
from app.models import Role
from app.models.hours import HoursEntry
from app.models.hours import HoursSource
from app.models.hours import HoursStatus
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e

WARSAW = ZoneInfo("Europe/Warsaw")


def test_koordynatorka_widzi_wykresy_i_tabele_raportow(page: Page, factory, app, assert_accessible):
    museum = factory.institution("Muzeum Raportów w Opolu", slug="muzeum-raportow")
    theatre = factory.institution("Teatr Raportów", slug="teatr-raportow")
    ewa = factory.user(first_name="Ewa", last_name="Wymienna")
    jan = factory.user(first_name="Jan", last_name="Stały")
    coordinator = factory.user(Role.COORDINATOR, first_name="Krystyna")
    staff = factory.user(Role.STAFF, institution=museum, first_name="Halina")
    today = datetime.now(WARSAW).date()
    with app.app_context():
        for who, where, hours in ((ewa, museum, 3), (ewa, theatre, 4), (jan, museum, 5)):
            db.session.add(
                HoursEntry(
                    volunteer_id=who.id,
                    institution_id=where.id,
                    worked_on=today,
                    hours=hours,
                    source=HoursSource.SHIFT,
                    status=HoursStatus.CONFIRMED,
                )
            )
        db.session.commit()

    sign_in(page, coordinator.email)
    page.get_by_role("link", name="Raporty", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raporty koalicji")
    expect(page.get_by_role("img", name="Potwierdzone godziny w miesiącach")).to_be_visible()
    expect(page.locator("svg[role=img]")).to_have_count(4)
    hours = page.get_by_role("table", name="Potwierdzone godziny według instytucji i miesięcy")
    expect(hours.get_by_role("row", name="Muzeum Raportów w Opolu")).to_contain_text("8")
    expect(page.get_by_text("w tym w więcej niż jednej instytucji: 1")).to_be_visible()
    matrix = page.get_by_role("table", name="Liczba osób z potwierdzonymi godzinami w obu")
    theatre_row = matrix.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Teatr Raportów")
    )
    expect(theatre_row.get_by_role("cell")).to_have_text(["1", "–"])
    assert_accessible(page)

    page.get_by_label("Liczba miesięcy (1–36)").fill("3")
    page.get_by_role("button", name="Pokaż").click()
    hours = page.get_by_role("table", name="Potwierdzone godziny według instytucji i miesięcy")
    expect(hours.get_by_role("columnheader")).to_have_count(1 + 3 + 1)
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, staff.email)
    page.goto("/reports/institutions/muzeum-raportow")
    expect(page.get_by_role("heading", level=1)).to_have_text("Raport: Muzeum Raportów w Opolu")
    assert_accessible(page)
