"""The exchange end to end in a real browser, in Polish: the stories the product exists for."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import NeedSkill
from app.models import Role
from app.models import Skill
from app.models import SkillGroup
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.scheduling import jobs
from app.scheduling import reminders
from app.seed.demo import load_demo_data
from tests.e2e.test_accounts_in_browser import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e
WARSAW = reminders.WARSAW


def next_saturday() -> datetime:
    today = datetime.now(WARSAW).date()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def test_staff_post_a_recurring_need_and_a_volunteer_finds_it_applies_and_gets_the_feed(
    page: Page, browser, base_url, factory, mailbox, assert_accessible, app
):
    factory.reference_data()
    museum = factory.institution("Muzeum Łódzkich Fotografii", short_name="MŁF", slug="mlf")
    theatre = factory.institution("Teatr Testowy", short_name="TT", slug="tt")
    staff = factory.user(Role.STAFF, institution=museum, first_name="Joanna")
    saturday = next_saturday()
    # Elsewhere in the coalition, a shift on the first Saturday that overlaps 12:00-16:00.
    overlap_start = datetime.combine(saturday, time(12), tzinfo=WARSAW).astimezone(UTC)
    theatre_need = factory.need(theatre, "Obsługa widowni", start=overlap_start)

    # Staff create and publish "every Saturday 10-14 for three weeks".
    staff_page = browser.new_page(base_url=base_url, locale="pl-PL")
    sign_in(staff_page, staff.email)
    staff_page.get_by_role("link", name="Moja instytucja: MŁF").click()
    staff_page.get_by_role("link", name="Dodaj potrzebę").click()
    staff_page.get_by_label("Tytuł", exact=True).fill("Dyżury na wystawie „Łódź na starej kliszy”")
    staff_page.get_by_label("Opis", exact=True).fill("Pilnowanie sal i rozmowy ze zwiedzającymi.")
    staff_page.get_by_label("Rodzaj", exact=True).select_option("recurring")
    staff_page.get_by_label("Miejsce", exact=True).fill("ul. Piastowska 14, Opole")
    staff_page.get_by_label("Dzień", exact=True).fill(saturday.isoformat())
    staff_page.get_by_label("Początek", exact=True).fill("10:00")
    staff_page.get_by_label("Koniec", exact=True).fill("14:00")
    staff_page.get_by_label("Liczba miejsc").fill("2")
    staff_page.get_by_label("Powtarzaj co tydzień do dnia").fill(
        (saturday + timedelta(weeks=2)).isoformat()
    )
    staff_page.get_by_role("button", name="Zapisz szkic").click()
    staff_page.get_by_role("button", name="Opublikuj").click()
    expect(staff_page.get_by_role("status").first).to_contain_text("Potrzeba jest opublikowana.")

    # A volunteer registers, confirms the e-mail, completes the profile.
    page.goto("/register")
    page.get_by_label("Imię").fill("Zofia")
    page.get_by_label("Nazwisko").fill("Wolontariuszka")
    page.get_by_label("Adres e-mail").fill("zofia@example.org")
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_label(re.compile("Zgadzam się na przetwarzanie")).check()
    page.get_by_role("button", name="Załóż konto").click()
    link = re.search(
        r"http://\S+/confirm/\S+", mailbox.text_of(mailbox.wait_for("zofia@example.org")[0])
    ).group(0)
    page.goto(link)
    sign_in(page, "zofia@example.org")
    page.get_by_role("link", name="Mój profil").click()
    page.get_by_role("link", name="Edytuj profil").click()
    page.get_by_label("Data urodzenia").fill("1998-03-14")
    page.get_by_label("Miejscowość").fill("Opole")
    page.get_by_role("button", name="Zapisz profil").click()
    expect(page.get_by_role("status").first).to_contain_text("Profil zapisany.")

    # She finds the need by searching without Polish letters and applies to two shifts.
    page.get_by_role("link", name="Potrzeby", exact=True).click()
    page.get_by_label("Szukaj", exact=True).fill("lodz kliszy")
    page.get_by_role("button", name="Szukaj").click()
    page.get_by_role("link", name="Dyżury na wystawie „Łódź na starej kliszy”").click()
    assert_accessible(page)
    checkboxes = page.locator("input[type=checkbox][name=shifts]")
    expect(checkboxes).to_have_count(3)
    checkboxes.nth(0).check()
    checkboxes.nth(1).check()
    page.get_by_role("button", name="Zgłaszam się").click()
    expect(page.get_by_role("status").first).to_contain_text("Zgłoszenie wysłane")

    # The theatre shift overlaps her first Saturday: refused, with the reason.
    page.goto(f"/needs/{theatre_need.id}")
    page.locator(f"#shift-{theatre_need.shifts[0].id}").check()
    page.get_by_role("button", name="Zgłaszam się").click()
    expect(page.get_by_role("alert").first).to_contain_text("nakłada się")

    # Staff accept both applications.
    staff_page.reload()
    for _ in range(2):
        staff_page.get_by_role("button", name=re.compile("Przyjmij Zofia")).first.click()
        expect(staff_page.get_by_role("status").first).to_contain_text("Przyjęto zgłoszenie.")

    # Her schedule shows the places; the personal feed parses and keeps Warsaw time.
    page.get_by_role("link", name="Mój grafik").click()
    expect(page.get_by_role("main")).to_contain_text("Łódź na starej kliszy")
    assert_accessible(page)
    feed_url = page.get_by_label("Adres kalendarza").input_value()
    response = page.request.get(feed_url)
    assert response.status == 200
    events = sorted(
        Calendar.from_ical(response.body()).walk("VEVENT"), key=lambda e: e.decoded("DTSTART")
    )
    assert len(events) == 2
    first = events[0].decoded("DTSTART")
    assert str(first.tzinfo) == "Europe/Warsaw" and (first.hour, first.minute) == (10, 0)
    assert first.date() == saturday
    staff_page.close()


def _pinhole_scenario(app, factory):
    """On top of the demo: a rare skill, a need with a Saturday and a Sunday shift, two photographers."""
    museum = factory.institution("Muzeum Camera Obscura", short_name="MCO", slug="mco")
    saturday = next_saturday()
    sat = datetime.combine(saturday, time(10), tzinfo=WARSAW).astimezone(UTC)
    need = factory.need(museum, "Warsztaty fotografii otworkowej", start=sat, places=1)
    sun = datetime.combine(saturday + timedelta(days=1), time(10), tzinfo=WARSAW).astimezone(UTC)
    sunday_need_shift_need = factory.need(
        museum, "Warsztaty fotografii otworkowej – niedziela", start=sun, places=1
    )
    ala = factory.user(first_name="Ala", last_name="Otworkowa", email="ala.otworkowa@example.org")
    bartek = factory.user(
        first_name="Bartek", last_name="Otworkowy", email="bartek.otworkowy@example.org"
    )
    with app.app_context():
        group = db.session.scalar(select(SkillGroup).where(SkillGroup.code == "media"))
        pinhole = Skill(
            code="pinhole",
            name_pl="Fotografia otworkowa",
            name_en="Pinhole photography",
            group=group,
        )
        db.session.add(pinhole)
        db.session.flush()
        for n in (need, sunday_need_shift_need):
            db.session.add(NeedSkill(need_id=n.id, skill_id=pinhole.id, min_level=2))
        for level, person in ((3, ala), (2, bartek)):
            profile = db.session.get(VolunteerProfile, person.id)
            profile.date_of_birth = datetime(1990, 1, 1).date()
            profile.skills.append(VolunteerSkill(skill_id=pinhole.id, level=level))
            for weekday in (5, 6):
                profile.availability.append(
                    AvailabilityWindow(weekday=weekday, start_time=time(9), end_time=time(18))
                )
            db.session.add(
                Consent(user_id=person.id, kind=ConsentKind.DATA_PROCESSING, granted=True)
            )
        db.session.commit()
    return ala, bartek


def turn_proposal_pages_until(page: Page, text: str) -> None:
    """A run's proposals come a page at a time, as a coordinator reads them: turn until `text`."""
    for _ in range(30):
        if page.get_by_role("main").get_by_text(text).count():
            return
        page.get_by_role("navigation", name="Strony", exact=True).get_by_role(
            "link", name="Następna"
        ).click()
    raise AssertionError(f"{text!r} is on no page of the run")


def test_coordinator_matches_the_demo_coalition_and_a_declined_place_goes_to_someone_else(
    page: Page, browser, base_url, factory, app, assert_accessible
):
    with app.app_context():
        load_demo_data()
    ala, bartek = _pinhole_scenario(app, factory)

    sign_in(page, "koordynator@example.org", "okik-demo")
    page.get_by_role("link", name="Dopasowania").click()
    assert_accessible(page)
    page.get_by_role("button", name="Uruchom dopasowanie").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Przebieg dopasowania")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Dlaczego niektóre zmiany zostają nieobsadzone")
    turn_proposal_pages_until(page, "Ala Otworkowa")
    expect(main).to_contain_text("umie: Fotografia otworkowa, poziom 3 (wymagany 2)")
    assert_accessible(page)

    # Approve Ala's two proposals and two more from this page in one go.
    page.get_by_label("Ala Otworkowa").first.check()
    page.get_by_label("Ala Otworkowa").nth(1).check()
    unchecked = page.locator("input[name=ids]:not(:checked)")
    others = min(2, unchecked.count())
    for _ in range(others):
        unchecked.first.check()  # the locator is live: after a check the next unchecked is first
    page.get_by_role("button", name="Zatwierdź zaznaczone").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Zatwierdzono propozycje: {2 + others}"
    )

    # Ala accepts Saturday and declines Sunday.
    volunteer = browser.new_page(base_url=base_url, locale="pl-PL")
    sign_in(volunteer, ala.email)
    volunteer.get_by_role("link", name="Oferty").click()
    assert_accessible(volunteer)
    volunteer.get_by_role("link", name="Warsztaty fotografii otworkowej", exact=True).click()
    expect(volunteer.get_by_role("main")).to_contain_text("Dlaczego Ty?")
    volunteer.get_by_role("button", name="Przyjmuję").click()
    expect(volunteer.get_by_role("status").first).to_contain_text("Przyjęto ofertę")
    volunteer.get_by_role("link", name="Warsztaty fotografii otworkowej – niedziela").click()
    volunteer.get_by_label("Powód (opcjonalnie)").fill("W niedzielę jestem u rodziny.")
    volunteer.get_by_role("button", name="Odmawiam").click()
    expect(volunteer.get_by_role("status").first).to_contain_text("Odmówiono")
    volunteer.close()

    # The next run proposes the Sunday place to Bartek.
    page.get_by_role("link", name="Dopasowania").click()
    page.get_by_role("button", name="Uruchom dopasowanie").click()
    turn_proposal_pages_until(page, "Bartek Otworkowy")
    with app.app_context():
        proposed = db.session.scalars(
            select(Assignment).where(
                Assignment.volunteer_id == bartek.id, Assignment.status == AssignmentStatus.PROPOSED
            )
        ).all()
        assert "Warsztaty fotografii otworkowej – niedziela" in {a.need.title for a in proposed}
        ala_again = db.session.scalars(
            select(Assignment).where(
                Assignment.volunteer_id == ala.id, Assignment.status == AssignmentStatus.PROPOSED
            )
        ).all()
        assert "Warsztaty fotografii otworkowej – niedziela" not in {
            a.need.title for a in ala_again
        }


def test_a_volunteer_changes_e_mail_preferences_and_unsubscribes_from_a_reminder(
    page: Page, factory, app, mailbox, assert_accessible
):
    museum = factory.institution("Muzeum Przypomnień")
    volunteer = factory.user(first_name="Olga")
    need = factory.need(
        museum,
        "Jutrzejszy dyżur",
        start=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=20),
    )
    factory.application(volunteer, need, status=AssignmentStatus.ACCEPTED)

    sign_in(page, volunteer.email)
    page.get_by_role("link", name="Moje konto").click()
    page.get_by_role("link", name="Powiadomienia e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Powiadomienia e-mail")
    assert_accessible(page)
    page.get_by_label("Codzienne podsumowanie dla koordynatorów i pracowników").uncheck()
    page.get_by_role("button", name="Zapisz ustawienia").click()
    expect(page.get_by_role("status").first).to_contain_text("Zapisano ustawienia powiadomień.")
    expect(
        page.get_by_label("Codzienne podsumowanie dla koordynatorów i pracowników")
    ).not_to_be_checked()
    expect(page.get_by_label("Przypomnienia przed zmianą")).to_be_checked()

    jobs.bind_app(app)
    jobs.run_job("shift_reminders", reminders.shift_reminders)
    message = mailbox.wait_for(volunteer.email)[0]
    link = re.search(r"http://\S+/unsubscribe/\S+", mailbox.text_of(message)).group(0)
    page.goto(link.replace("http://127.0.0.1:5000", ""))
    assert_accessible(page)
    page.get_by_role("button", name="Wypisz mnie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wypisano z powiadomień")
    page.goto("/account/notifications")
    expect(page.get_by_label("Przypomnienia przed zmianą")).not_to_be_checked()
