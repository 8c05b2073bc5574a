"""The dashboard ("Pulpit"): after signing in, each role lands on a page of what waits for it,
and every item there leads to the page where it is handled."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest

from app.core.time import WARSAW
from app.core.time import today_in_warsaw
from app.core.time import utcnow
from app.extensions import db
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import MatchRun
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import Role
from app.models import Skill
from app.models import SkillGroup
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.models.hours import HoursEntry
from app.models.hours import HoursSource
from app.models.hours import HoursStatus
from tests.factories import PASSWORD

pytestmark = pytest.mark.clock

S = AssignmentStatus


def at_ten(days_from_today: int) -> datetime:
    """Ten in the morning in Warsaw, some days from today: inside any weekday window below,
    and never across midnight, whatever hour the suite runs at."""
    return datetime.combine(today_in_warsaw() + timedelta(days=days_from_today), time(10), WARSAW)


def polish_short(moment: datetime) -> str:
    """How the pages write a moment in Polish: day without a leading zero, Warsaw time."""
    local = moment.astimezone(WARSAW)
    return f"{local.day}.{local:%m.%Y, %H:%M}"


def page_of(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def make_skill(app, code: str, name: str) -> int:
    group = db.session.query(SkillGroup).filter_by(code="dash").one_or_none()
    if group is None:
        group = SkillGroup(code="dash", name_pl="Testowe", name_en="Test")
        db.session.add(group)
    skill = Skill(code=code, group=group, name_pl=name, name_en=name + " (en)")
    db.session.add(skill)
    db.session.commit()
    return skill.id


def complete_profile(app, user, skill_id: int | None = None, born: date = date(1990, 5, 1)):
    """Consent to data processing, free every day from 8 to 20, a date of birth and a skill."""
    profile = db.session.get(VolunteerProfile, user.id)
    profile.date_of_birth = born
    profile.availability = [
        AvailabilityWindow(weekday=d, start_time=time(8), end_time=time(20)) for d in range(7)
    ]
    if skill_id is not None:
        profile.skills = [VolunteerSkill(skill_id=skill_id, level=2)]
    db.session.add(Consent(user_id=user.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
    db.session.commit()


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (Role.VOLUNTEER, "Dla Ciebie"),
        (Role.STAFF, "Zmiany w najbliższych 7 dniach"),
        (Role.COORDINATOR, "Nieobsadzone zmiany w tym tygodniu"),
        (Role.ADMIN, "E-maile z problemem"),
    ],
)
def test_each_role_lands_on_its_dashboard_after_signing_in(client, factory, auth, role, heading):
    institution = factory.institution()
    user = factory.user(role, institution=institution if role == Role.STAFF else None)
    response = auth.login(user.email)
    assert response.headers["Location"] == "/dashboard"
    page = page_of(client)
    assert "<h1>Pulpit</h1>" in page
    assert heading in page
    # The menu leads back to it from anywhere, the home page included.
    assert '<a href="/dashboard" aria-current="page">Pulpit</a>' in page
    assert '<a href="/dashboard">Pulpit</a>' in client.get("/").get_data(as_text=True)
    # Signing in again while signed in leads there too.
    assert client.get("/login").headers["Location"] == "/dashboard"


def test_a_guest_is_sent_to_sign_in_first_and_comes_back_to_the_dashboard(client, factory):
    user = factory.user()
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login?next=%2Fdashboard" in response.headers["Location"]
    back = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": "/dashboard"}
    )
    assert back.headers["Location"] == "/dashboard"
    client.post("/logout")
    # A sign-in that names another page still goes there.
    back = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": "/needs/"}
    )
    assert back.headers["Location"] == "/needs/"


def test_a_new_volunteer_sees_what_is_missing_before_being_placed(client, factory, auth):
    volunteer = factory.user()
    auth.login(volunteer.email)
    page = page_of(client)
    assert "Zanim zaproponujemy Ci miejsce" in page
    assert '<a href="/me/consents">Zgoda na przetwarzanie danych osobowych</a>' in page
    assert '<a href="/me/availability">Dostępność w tygodniu</a>' in page
    assert '<a href="/me/skills">Umiejętności</a>' in page
    assert '<a href="/me/profile/edit">Data urodzenia</a>' in page
    assert "Gdy uzupełnisz wymagane dane profilu" in page
    assert "Nie masz nadchodzących zmian." in page


def test_a_minor_without_the_guardians_consent_is_told_so_and_gets_no_suggestions(
    client, factory, auth, app
):
    institution = factory.institution()
    factory.need(institution, "Warsztaty dla dzieci", start=at_ten(5))
    volunteer = factory.user()
    fifteen = today_in_warsaw().replace(year=today_in_warsaw().year - 15, day=1)
    complete_profile(app, volunteer, born=fifteen)
    auth.login(volunteer.email)
    page = page_of(client)
    assert '<a href="/me/profile">Zgoda opiekuna prawnego</a>' in page
    assert "brakuje: wymagane" in page
    assert "Warsztaty dla dzieci" not in page  # the loader leaves the minor out, as a run does

    db.session.get(VolunteerProfile, volunteer.id).guardian_consent_at = utcnow()
    db.session.commit()
    page = page_of(client)
    assert "Możesz otrzymywać propozycje miejsc." in page
    assert "Warsztaty dla dzieci" in page


def test_for_you_lists_the_needs_the_matcher_ranks_for_the_volunteer_with_reasons(
    client, factory, auth, app
):
    photography = make_skill(app, "dash-photo", "Fotografia")
    sign_language = make_skill(app, "dash-pjm", "Polski język migowy")
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO")
    photos = factory.need(museum, "Zdjęcia z wernisażu", start=at_ten(6))
    signing = factory.need(museum, "Tłumaczenie na PJM", start=at_ten(6))
    from app.models import NeedSkill

    db.session.add(NeedSkill(need_id=photos.id, skill_id=photography, min_level=1))
    db.session.add(NeedSkill(need_id=signing.id, skill_id=sign_language, min_level=2))
    db.session.commit()
    volunteer = factory.user()
    complete_profile(app, volunteer, skill_id=photography)
    auth.login(volunteer.email)

    page = page_of(client)
    assert "Możesz otrzymywać propozycje miejsc." in page
    assert f'<a href="/needs/{photos.id}">Zdjęcia z wernisażu</a>' in page
    assert "umie: Fotografia, poziom 2 (wymagany 1)" in page
    assert "Tłumaczenie na PJM" not in page  # needs a skill the volunteer does not have
    when = polish_short(at_ten(6))
    assert when in page  # the shift's time in Warsaw

    # Once applied for, the need is theirs already and leaves the suggestions.
    factory.application(volunteer, photos)
    assert "Zdjęcia z wernisażu" not in page_of(client).split('id="dash-for-you"')[1]


def test_the_volunteer_sees_next_shifts_offers_with_their_deadline_and_korpus_hours(
    client, factory, auth, app
):
    library = factory.institution("Miejska Biblioteka Publiczna", short_name="MBP")
    reading = factory.need(library, "Głośne czytanie", start=at_ten(2))
    fair = factory.need(library, "Kiermasz książek", start=at_ten(4))
    volunteer = factory.user()
    complete_profile(app, volunteer)
    factory.application(volunteer, reading, status=S.ACCEPTED)
    offer = factory.application(volunteer, fair, status=S.OFFERED)
    db.session.get(VolunteerProfile, volunteer.id).is_korpus = True
    db.session.add(
        HoursEntry(
            volunteer_id=volunteer.id,
            institution_id=library.id,
            need_id=reading.id,
            worked_on=today_in_warsaw(),
            hours=4,
            source=HoursSource.SHIFT,
            status=HoursStatus.CONFIRMED,
        )
    )
    db.session.commit()
    deadline = polish_short(offer.expires_at)
    auth.login(volunteer.email)
    page = page_of(client)
    shifts = page.split('id="dash-shifts"')[1].split("</section>")[0]
    assert f'<a href="/needs/{reading.id}">Głośne czytanie</a>' in shifts
    assert polish_short(at_ten(2)) in shifts
    offers = page.split('id="dash-offers"')[1].split("</section>")[0]
    assert "(1)" in offers
    assert f'<a href="/offers/{offer.id}">Kiermasz książek</a>' in offers
    assert f"Odpowiedz do {deadline}" in offers
    assert "W tym miesiącu: 4 z 16 godz." in page
    assert '<progress id="dash-korpus-progress" max="100" value="25">' in page


def test_staff_see_applicants_the_weeks_fill_hours_and_missing_records_of_their_own_only(
    client, factory, auth
):
    gallery = factory.institution("Galeria Sztuki Współczesnej", short_name="GSW")
    theatre = factory.institution("Teatr im. Kochanowskiego", short_name="TK")
    staff = factory.user(Role.STAFF, institution=gallery)
    other_staff = factory.user(Role.STAFF, institution=theatre)
    opening = factory.need(gallery, "Dyżur na wernisażu", start=at_ten(1), places=2)
    past = factory.need(gallery, "Sprzątanie po festiwalu", start=at_ten(-1))
    anna = factory.user(first_name="Anna", last_name="Nowak")
    piotr = factory.user(first_name="Piotr", last_name="Wiśniewski")
    factory.application(anna, opening, status=S.ACCEPTED)
    factory.application(piotr, opening)
    factory.application(anna, past, status=S.ACCEPTED)

    auth.login(staff.email)
    page = page_of(client)
    applicants = page.split('id="dash-applicants"')[1].split("</section>")[0]
    assert f'<a href="/manage/needs/{opening.id}">Piotr Wiśniewski: Dyżur na wernisażu</a>' in (
        applicants
    )
    week = page.split('id="dash-week"')[1].split("</section>")[0]
    assert "Dyżur na wernisażu" in week and "zajęte 1 z 2 miejsc" in week
    hours = page.split('id="dash-hours"')[1].split("</section>")[0]
    assert f'<a href="/hours/shifts/{past.shifts[0].id}">Sprzątanie po festiwalu</a>' in hours
    assert "1 osoba" in hours
    records = page.split('id="dash-compliance"')[1].split("</section>")[0]
    assert f'<a href="/documents/compliance/{opening.id}">Anna Nowak: Dyżur na wernisażu</a>' in (
        records
    )
    assert "Szkolenie BHP" in records

    auth.logout()
    auth.login(other_staff.email)
    page = page_of(client)
    assert "Dyżur na wernisażu" not in page
    assert "Piotr Wiśniewski" not in page
    assert "Anna Nowak" not in page
    assert "Nikt nie czeka na decyzję." in page


def test_the_coordinator_sees_requests_proposals_unfilled_shifts_with_reasons_and_the_last_run(
    client, factory, auth, app
):
    museum = factory.institution("Muzeum Polskiej Piosenki", short_name="MPP")
    coordinator = factory.user(Role.COORDINATOR)
    applicant = factory.user(Role.STAFF)
    factory.staff_request(applicant, museum)
    factory.institution_request(applicant)
    concert = factory.need(museum, "Obsługa koncertu", start=at_ten(3), places=3)
    later = factory.need(museum, "Noc muzeów", start=at_ten(20))
    run = factory.match_run(coordinator)
    volunteer = factory.user()
    factory.application(volunteer, later, status=S.PROPOSED, run_id=run.id)
    stored = db.session.get(MatchRun, run.id)
    stored.finished_at = utcnow()
    stored.diagnostics = [
        {
            "place_id": concert.shifts[0].id,
            "need_id": concert.id,
            "places_left": 3,
            "proposed": 0,
            "code": "candidates_taken",
            "params": {"count": 3, "proposed": 0},
        }
    ]
    db.session.commit()

    auth.login(coordinator.email)
    page = page_of(client)
    requests = page.split('id="dash-requests"')[1].split("</section>")[0]
    assert '<a href="/coordination/requests">1 wniosek o dostęp pracownika</a>' in requests
    assert '<a href="/coordination/requests">1 zgłoszenie nowej instytucji</a>' in requests
    proposals = page.split('id="dash-proposals"')[1].split("</section>")[0]
    assert f'<a href="/proposals/runs/{run.id}">Dopasowanie nr {run.id}</a>' in proposals
    assert "1 propozycja" in proposals
    unfilled = page.split('id="dash-unfilled"')[1].split("</section>")[0]
    assert f'<a href="/manage/needs/{concert.id}">Obsługa koncertu</a>' in unfilled
    assert "zajęte 0 z 3 miejsc" in unfilled
    assert "3 kandydaci, wszyscy mają już propozycje tam, gdzie pasują lepiej" in unfilled
    assert "Noc muzeów" not in unfilled  # not this week
    last = page.split('id="dash-run"')[1].split("</section>")[0]
    assert f'<a href="/proposals/runs/{run.id}">Dopasowanie nr {run.id}</a>' in last
    assert "gotowy" in last


def test_the_administrator_sees_failed_and_repeated_emails_and_unconfirmed_accounts(
    client, factory, auth, app
):
    admin = factory.user(Role.ADMIN)
    factory.user(first_name="Zofia", last_name="Niepotwierdzona", confirmed=False)
    for key, status, repeats in (("a", OutboxStatus.FAILED, 0), ("b", OutboxStatus.SENT, 2)):
        db.session.add(
            OutboxMessage(
                dedup_key=f"dash-{key}",
                to_address=f"{key}@example.org",
                kind="notice",
                subject=f"Wiadomość {key}",
                body_text="-",
                body_html="-",
                status=status,
                repeats=repeats,
                last_error="550 mailbox unavailable" if key == "a" else "",
            )
        )
    db.session.commit()
    auth.login(admin.email)
    page = page_of(client)
    outbox = page.split('id="dash-outbox"')[1].split("</section>")[0]
    assert "(2)" in outbox
    assert '<a href="/admin/outbox">Wiadomość a</a>' in outbox
    assert "550 mailbox unavailable" in outbox
    assert "wysłano ponownie 2 razy" in outbox
    accounts = page.split('id="dash-accounts"')[1].split("</section>")[0]
    assert "Zofia Niepotwierdzona" in accounts and "(1)" in accounts
    # An administrator may do what a coordinator does: those panels are there too.
    assert 'id="dash-requests"' in page


def test_the_dashboard_speaks_english_with_english_plurals(client, factory, auth):
    library = factory.institution()
    staff = factory.user(Role.STAFF, institution=library, locale="en")
    need = factory.need(library, "Reading aloud", start=at_ten(1), places=1)
    factory.application(factory.user(), need)
    auth.login(staff.email)
    page = page_of(client)
    assert "<h1>Dashboard</h1>" in page
    assert "Applications waiting for a decision" in page
    assert "0 of 1 place filled" in page


def test_the_loader_scoped_to_one_volunteer_reads_them_exactly_as_a_run_does(factory, app):
    """ "Dla Ciebie" reads one person through the run's loader: the same record as the
    coalition-wide load holds for them, and nobody else."""
    import matching
    from app.services import matching_inputs

    photography = make_skill(app, "dash-scope", "Fotografia ślubna")
    first, second = factory.user(), factory.user()
    complete_profile(app, first, skill_id=photography)
    complete_profile(app, second)
    now, config = utcnow(), matching.MatchingConfig()
    until = today_in_warsaw() + timedelta(days=30)
    everyone = matching_inputs.load_volunteers(now, config, until)
    scoped = matching_inputs.load_volunteers(now, config, until, only=first.id)
    assert [v.id for v in everyone] == [first.id, second.id]
    assert scoped == [everyone[0]]
