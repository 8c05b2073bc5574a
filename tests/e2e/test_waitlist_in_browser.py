"""In the browser, in Polish: a full shift's waiting list moves when someone withdraws, and an
application too close to another shift is refused with the rest limit named."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import AssignmentStatus
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e
WARSAW = ZoneInfo("Europe/Warsaw")


def at_warsaw(days: int, hour: int) -> datetime:
    day = datetime.now(WARSAW).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=WARSAW).astimezone(UTC)


def test_a_full_shift_s_waiting_list_moves_when_someone_withdraws(
    page: Page, browser, base_url, factory, mailbox, assert_accessible
):
    museum = factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")
    need = factory.need(museum, "Noc Muzeów: szatnia", places=1, start=at_warsaw(8, 18))
    kasia = factory.user(first_name="Kasia")
    place = factory.application(kasia, need, status=AssignmentStatus.ACCEPTED)
    ola = factory.user(first_name="Ola")

    # Ola finds the shift full and joins its waiting list.
    sign_in(page, ola.email)
    page.goto(f"/needs/{need.id}")
    expect(page.get_by_role("heading", name="Lista oczekujących")).to_be_visible()
    page.get_by_role("button", name="Czekam na miejsce").click()
    expect(page.get_by_role("status").first).to_contain_text("Czekasz na miejsce")
    expect(page.locator("#waitlist")).to_contain_text("Jesteś na liście: miejsce 1.")
    assert_accessible(page)

    # Kasia withdraws from her place.
    kasia_page = browser.new_page(base_url=base_url, locale="pl-PL")
    sign_in(kasia_page, kasia.email)
    kasia_page.goto(f"/me/assignments/{place.id}/withdraw")
    kasia_page.get_by_role("button", name="Tak, wycofuję się").click()
    expect(kasia_page.get_by_role("status").first).to_contain_text("Wycofano")
    kasia_page.close()

    # The place is offered to Ola at once, in the app and by e-mail; she accepts it.
    [mail] = mailbox.wait_for(ola.email)
    assert mail["Subject"] == "Zwolniło się miejsce, na które czekasz"
    assert "Noc Muzeów: szatnia" in mailbox.text_of(mail)
    page.goto("/offers/")
    page.get_by_role("link", name="Noc Muzeów: szatnia").first.click()
    page.get_by_role("button", name="Przyjmuję").click()
    expect(page.get_by_role("status").first).to_contain_text("Przyjęto ofertę")
    page.goto(f"/needs/{need.id}")
    expect(page.locator(".my-applications")).to_contain_text("przyjęto na zmianę")


def test_a_refused_application_names_the_rest_limit(page: Page, factory, assert_accessible):
    museum = factory.institution("Filharmonia Opolska", slug="filharmonia")
    ola = factory.user(first_name="Ola")
    morning = factory.need(museum, "Próba generalna", start=at_warsaw(9, 6))  # 6:00-10:00
    factory.application(ola, morning, status=AssignmentStatus.ACCEPTED)
    concert = factory.need(museum, "Koncert wieczorny", start=at_warsaw(9, 16), min_rest_hours=11)

    sign_in(page, ola.email)
    page.goto(f"/needs/{concert.id}")
    page.locator(f"#shift-{concert.shifts[0].id}").check()
    page.get_by_role("button", name="Zgłaszam się").click()

    refusal = page.locator("#apply-refusal")
    expect(refusal).to_contain_text(
        "Między dwiema zmianami potrzebujesz co najmniej 11 godzin odpoczynku."
    )
    assert_accessible(page)
