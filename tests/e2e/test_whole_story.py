"""The whole story in one browser run, in Polish, from an empty coalition to the coordinator's report.

Each step saves a screenshot in test-results/story/ (scripts/screenshots.py is for the demo server;
these show the story itself).
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from app.models import Role
from app.models import Shift
from app.scheduling import jobs
from app.scheduling import reminders
from tests.e2e.test_accounts_in_browser import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
WARSAW = reminders.WARSAW
SHOTS = Path(__file__).resolve().parent.parent.parent / "test-results" / "story"


def shot(page: Page, name: str) -> None:
    """Save the page as the README shows it, once it has settled.

    Headless Chromium now and then refuses a capture taken while a page is still being laid out
    ("Unable to capture screenshot"); the picture is illustration, so it is tried a few times.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    for attempt in range(3):
        try:
            page.screenshot(path=str(SHOTS / f"{name}.png"))
            return
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(300)


def test_the_whole_story(page: Page, browser, base_url, factory, app, mailbox, assert_accessible):
    factory.reference_data()  # the coalition's institutions and skills; no people, no needs
    staff = factory.user(
        Role.STAFF,
        first_name="Joanna",
        last_name="Galeryjna",
        institution=factory.institution("Galeria Opowieści", short_name="GO", slug="go"),
    )
    coordinator = factory.user(Role.COORDINATOR, first_name="Katarzyna")
    day = datetime.now(WARSAW).date() + timedelta(days=3)

    # 1. Staff post a need.
    staff_page = browser.new_page(base_url=base_url, locale="pl-PL")
    sign_in(staff_page, staff.email)
    staff_page.get_by_role("link", name="Moja instytucja: GO").click()
    staff_page.get_by_role("link", name="Dodaj potrzebę").click()
    staff_page.get_by_label("Tytuł", exact=True).fill(
        "Oprowadzanie po wystawie „Opowieści znad Odry”"
    )
    staff_page.get_by_label("Rodzaj", exact=True).select_option("one_off")
    staff_page.get_by_label("Opis", exact=True).fill("Krótkie oprowadzanie grup po nowej wystawie.")
    staff_page.get_by_label("Miejsce", exact=True).fill("ul. Muzealna 1, Opole")
    staff_page.get_by_label("Dzień", exact=True).fill(day.isoformat())
    staff_page.get_by_label("Początek", exact=True).fill("10:00")
    staff_page.get_by_label("Koniec", exact=True).fill("14:00")
    staff_page.get_by_label("Liczba miejsc").fill("1")
    staff_page.get_by_role("button", name="Zapisz szkic").click()
    staff_page.get_by_role("button", name="Opublikuj").click()
    expect(staff_page.get_by_role("status").first).to_contain_text("Potrzeba jest opublikowana.")
    shot(staff_page, "01-staff-post-a-need")

    # 2. A volunteer registers and confirms the e-mail from the real SMTP server.
    page.goto("/register")
    page.get_by_label("Imię").fill("Zuzanna")
    page.get_by_label("Nazwisko").fill("Żółkiewska")
    page.get_by_label("Adres e-mail").fill("zuzanna@example.org")
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_label(re.compile("Zgadzam się na przetwarzanie")).check()
    page.get_by_role("button", name="Załóż konto").click()
    shot(page, "02-volunteer-registers")
    link = re.search(
        r"http://\S+/confirm/\S+", mailbox.text_of(mailbox.wait_for("zuzanna@example.org")[0])
    ).group(0)
    page.goto(link)
    sign_in(page, "zuzanna@example.org")

    # 3. She completes the profile and says when she is free.
    page.get_by_role("link", name="Mój profil").click()
    page.get_by_role("link", name="Edytuj profil").click()
    page.get_by_label("Data urodzenia").fill("1999-09-09")
    page.get_by_label("Miejscowość").fill("Opole")
    page.get_by_role("button", name="Zapisz profil").click()
    page.get_by_role("link", name="Dostępność", exact=True).click()
    weekday = ["poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"][
        day.weekday()
    ]
    page.get_by_label("Dzień tygodnia").select_option(label=weekday)
    page.get_by_label("Od godziny").fill("08:00")
    page.get_by_label("Do godziny").fill("18:00")
    page.get_by_role("button", name="Dodaj godziny").click()
    expect(page.get_by_role("status").first).to_contain_text("Dodano przedział dostępności.")
    shot(page, "03-volunteer-profile")

    # 4. The coordinator runs matching and approves the proposal.
    coord = browser.new_page(base_url=base_url, locale="pl-PL")
    sign_in(coord, coordinator.email)
    coord.get_by_role("link", name="Dopasowania").click()
    coord.get_by_role("button", name="Uruchom dopasowanie").click()
    coord.get_by_label("Zuzanna Żółkiewska").check()
    shot(coord, "04-coordinator-matching")
    coord.get_by_role("button", name="Zatwierdź zaznaczone").click()
    expect(coord.get_by_role("status").first).to_contain_text("Zatwierdzono propozycje: 1")

    # 5. The volunteer accepts the offer.
    page.get_by_role("link", name="Oferty").click()
    page.get_by_role("link", name="Oprowadzanie po wystawie „Opowieści znad Odry”").click()
    page.get_by_role("button", name="Przyjmuję").click()
    expect(page.get_by_role("status").first).to_contain_text("Przyjęto ofertę")
    shot(page, "05-volunteer-accepts")

    # 6. The day before, the reminder arrives (the scheduler's job with its clock set to then).
    shift_start = datetime.combine(day, time(10), tzinfo=WARSAW).astimezone(UTC)
    jobs.bind_app(app)
    jobs.run_job("shift_reminders", reminders.shift_reminders, shift_start - timedelta(hours=20))
    reminder = next(
        m
        for m in mailbox.wait_for("zuzanna@example.org", count=2)
        if "Przypomnienie" in m["Subject"]
    )
    assert "Opowieści znad Odry" in reminder["Subject"]

    # 7. The shift takes place (we move it into the past), and staff confirm the hours.
    with app.app_context():
        past = datetime.combine(
            date.today() - timedelta(days=1), time(10), tzinfo=WARSAW
        ).astimezone(UTC)
        db.session.execute(update(Shift).values(starts_at=past, ends_at=past + timedelta(hours=4)))
        db.session.commit()
    staff_page.get_by_role("link", name="Godziny do potwierdzenia").click()
    staff_page.get_by_role("row", name=re.compile("Opowieści znad Odry")).get_by_role(
        "link"
    ).first.click()
    staff_page.get_by_role("button", name="Potwierdź obecność wszystkich").click()
    expect(staff_page.get_by_text("Potwierdzono godziny: 1 os.")).to_be_visible()
    shot(staff_page, "07-staff-confirm-hours")

    # 8. The volunteer downloads a certificate of her hours.
    page.get_by_role("link", name="Dokumenty").first.click()
    page.get_by_label("Od dnia").fill((date.today() - timedelta(days=30)).isoformat())
    page.get_by_label("Do dnia").fill(date.today().isoformat())
    page.get_by_role("button", name="Wystaw zaświadczenie").click()
    expect(page.get_by_role("status").first).to_contain_text("Wystawiono zaświadczenie")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"Pobierz PDF OKIK.ZAS")).click()
    text = subprocess.run(
        ["pdftotext", info.value.path(), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Zuzanna Żółkiewska" in text and "Galeria Opowieści" in text
    assert "Potwierdzone godziny: 4" in text
    shot(page, "08-volunteer-certificate")

    # 9. The coordinator sees the hours on the dashboard.
    coord.get_by_role("link", name="Raporty").click()
    expect(coord.get_by_role("main")).to_contain_text("Galeria Opowieści")
    assert_accessible(coord)
    shot(coord, "09-coordinator-dashboard")
    staff_page.close()
    coord.close()
