"""Each role signs in through the form and lands on its dashboard, which passes axe and fits a
phone (375 x 812: nothing wider than the screen, every control a 44 px target), with rows in
its panels; an item on it leads where it says."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from app.extensions import db
from app.models import AssignmentStatus
from app.models import MatchRun
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import Role
from tests.dashboard.test_dashboard import at_ten
from tests.dashboard.test_dashboard import complete_profile
from tests.e2e.test_phone_layout import PHONE
from tests.e2e.test_phone_layout import axe_problems
from tests.e2e.test_phone_layout import layout_problems

pytestmark = pytest.mark.e2e

S = AssignmentStatus


@pytest.fixture
def dashboard_world(factory, app):
    """One person of each role with something waiting on each panel of their dashboard."""
    from app.core.time import utcnow

    gallery = factory.institution("Galeria Sztuki Współczesnej w Opolu", short_name="GSW")
    staff = factory.user(Role.STAFF, institution=gallery, first_name="Ewa")
    coordinator = factory.user(Role.COORDINATOR, first_name="Marek")
    admin = factory.user(Role.ADMIN, first_name="Jan")
    volunteer = factory.user(first_name="Łucja")
    complete_profile(app, volunteer)
    opening = factory.need(gallery, "Dyżur na wernisażu jesiennej wystawy", start=at_ten(1))
    fair = factory.need(gallery, "Kiermasz wydawnictw galerii", start=at_ten(3))
    factory.need(gallery, "Oprowadzanie po wystawie stałej dla seniorów", start=at_ten(5))
    factory.application(volunteer, opening, status=S.ACCEPTED)
    factory.application(volunteer, fair, status=S.OFFERED)
    factory.application(factory.user(first_name="Piotr"), opening)
    run = factory.match_run(coordinator)
    factory.application(factory.user(), fair, status=S.PROPOSED, run_id=run.id)
    factory.staff_request(factory.user(Role.STAFF), gallery)
    factory.user(confirmed=False, first_name="Zofia")
    with app.app_context():
        stored = db.session.get(MatchRun, run.id)
        stored.finished_at = utcnow()
        stored.diagnostics = [
            {
                "place_id": opening.shifts[0].id,
                "need_id": opening.id,
                "places_left": 1,
                "proposed": 0,
                "code": "no_one_available",
                "params": {"weekday": 0, "start": "10:00", "end": "14:00"},
            }
        ]
        db.session.add(
            OutboxMessage(
                dedup_key="e2e-dashboard-failed",
                to_address="nieistniejacy.adres.wolontariusza@example.org",
                kind="notice",
                subject="Przypomnienie o zmianie w Galerii Sztuki Współczesnej",
                body_text="-",
                body_html="-",
                status=OutboxStatus.FAILED,
                last_error="550 5.1.1 mailbox unavailable",
            )
        )
        db.session.commit()
    return {
        "volunteer": (volunteer.email, "Dla Ciebie"),
        "staff": (staff.email, "Zgłoszenia czekające na decyzję"),
        "coordinator": (coordinator.email, "Nieobsadzone zmiany w tym tygodniu"),
        "administrator": (admin.email, "E-maile z problemem"),
    }


@pytest.mark.parametrize("role", ["volunteer", "staff", "coordinator", "administrator"])
def test_each_role_lands_on_a_dashboard_that_passes_axe_and_fits_a_phone(
    browser: Browser, browser_context_args, base_url, axe, dashboard_world, role
):
    email, heading = dashboard_world[role]
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Adres e-mail").fill(email)
    page.get_by_label("Hasło", exact=True).fill("Wolontariat-2026!")
    page.get_by_role("button", name="Zaloguj się").click()

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    # The address changes before the page has its style sheet: measure the page once it has.
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pulpit")
    expect(page.get_by_role("heading", level=2, name=re.compile(heading))).to_be_visible()
    expect(page.locator(".dash-list li").first).to_be_visible()
    exempt: set[str] = set()
    problems = layout_problems(page, "/dashboard", exempt)
    problems += axe_problems(axe, page, "/dashboard")
    assert not problems, "\n".join(problems)

    # The first item of the first panel leads to the page where it is handled.
    link = page.locator(".dash-list li > a").first
    href = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    context.close()
