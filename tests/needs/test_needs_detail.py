"""A volunteer reads a need's page and applies to its shifts; refusals are explained at the form."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import NeedStatus
from app.models import Role
from tests.factories import PASSWORD
from tests.needs.test_needs_helpers import add_cohost
from tests.needs.test_needs_helpers import add_skills
from tests.needs.test_needs_helpers import make_skill
from tests.needs.test_needs_helpers import set_profile

WARSAW = ZoneInfo("Europe/Warsaw")


def at_warsaw(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW).astimezone(UTC)


def future_day(days: int = 10) -> date:
    return datetime.now(WARSAW).date() + timedelta(days=days)


def adult(app, factory):
    """A volunteer aged 30 (needs with a minimum age ask for the date of birth)."""
    volunteer = factory.user()
    set_profile(app, volunteer, born=date(1996, 5, 5))
    return volunteer


def sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def museum(factory):
    return factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO", slug="muzeum")


@pytest.fixture
def need(app, factory, museum):
    theatre = factory.institution("Teatr im. Jana Kochanowskiego", slug="teatr")
    need = factory.need(
        museum,
        "Noc Muzeów: obsługa wystawy",
        shifts=3,
        start=at_warsaw(future_day(), 10),
        description="Witasz gości i opowiadasz o wystawie.\n\nDrugi akapit opisu.",
        place="Opole, ul. Ks. Kardynała Kominka 1a",
        is_accessible=True,
        accessibility_note="Winda przy wejściu od dziedzińca.",
        min_age=16,
        offers_training=True,
        offers_reimbursement=True,
        contact_name="Anna Kontaktowa",
        contact_email="anna@muzeum.example.org",
    )
    add_cohost(app, need, theatre)
    add_skills(
        app,
        need,
        [
            (make_skill(app, "Oprowadzanie"), 2, True),
            (make_skill(app, "Język angielski"), 1, False),
        ],
    )
    return need


def test_need_page_tells_everything_needed_to_decide(client, need):
    response = client.get(f"/needs/{need.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    for text in [
        "Noc Muzeów: obsługa wystawy",
        "Muzeum Śląska Opolskiego",
        "Teatr im. Jana Kochanowskiego",
        "Jednorazowa",
        "Witasz gości",
        "Opole, ul. Ks. Kardynała Kominka 1a",
        "Miejsce dostępne dla osób z niepełnosprawnościami.",
        "Winda przy wejściu od dziedzińca.",
        "16 lat",
        "szkolenie",
        "zaświadczenie o wolontariacie",
        "zwrot kosztów",
        "Anna Kontaktowa",
        "anna@muzeum.example.org",
        "Oprowadzanie",
        "poziom co najmniej: doświadczony",
        "Język angielski",
        "Mile widziane",
        "10:00–14:00",
        "2 z 2",
        "Zaloguj się, aby się zgłosić",
    ]:
        assert text in page, text


def next_spring_forward() -> date:
    """The next last Sunday of March, when Warsaw moves from UTC+1 to UTC+2."""
    year = datetime.now(WARSAW).year + 1
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


@pytest.mark.clock
def test_shift_times_are_shown_in_warsaw_time_across_daylight_saving(client, factory, museum):
    sunday = next_spring_forward()
    saturday = sunday - timedelta(days=1)
    # 9:00 UTC is 10:00 in Warsaw on Saturday (winter time) and 11:00 on Sunday (summer time).
    need = factory.need(
        museum, "Dyżur na przełomie czasu", start=datetime.combine(saturday, time(9), tzinfo=UTC)
    )
    from tests.needs.test_needs_helpers import add_shift

    add_shift(
        client.application,
        need,
        datetime.combine(sunday, time(9), tzinfo=UTC),
        datetime.combine(sunday, time(13), tzinfo=UTC),
    )
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "10:00–14:00" in page
    assert "11:00–15:00" in page


def test_open_graph_tags_describe_the_need(client, need):
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    assert '<meta property="og:title" content="Noc Muzeów: obsługa wystawy">' in head
    assert '<meta property="og:description" content="Witasz gości' in head
    assert '<meta property="og:type" content="website">' in head
    assert f'<meta property="og:url" content="http://localhost/needs/{need.id}">' in head
    assert '<meta property="og:site_name" content="Giełda Wolontariatu OKIK">' in head


@pytest.mark.parametrize("status", [NeedStatus.DRAFT, NeedStatus.CANCELLED])
def test_drafts_and_cancelled_needs_are_not_found(client, factory, museum, status):
    hidden = factory.need(museum, "Ukryta potrzeba", status=status)
    assert client.get(f"/needs/{hidden.id}").status_code == 404
    assert client.get("/needs/999999").status_code == 404


def test_closed_need_is_readable_but_takes_no_applications(client, factory, museum):
    closed = factory.need(museum, "Zakończony nabór", status=NeedStatus.CLOSED)
    volunteer = factory.user()
    sign_in(client, volunteer)
    page = client.get(f"/needs/{closed.id}").get_data(as_text=True)
    assert "Nabór na tę potrzebę jest zamknięty." in page
    assert "Ta potrzeba nie przyjmuje zgłoszeń." in page
    response = client.post(f"/needs/{closed.id}/apply", data={"shifts": closed.shifts[0].id})
    assert response.status_code == 409
    assert "Ta potrzeba nie przyjmuje zgłoszeń." in response.get_data(as_text=True)


def test_volunteer_applies_to_two_shifts_and_sees_the_status(app, client, factory, need):
    volunteer = adult(app, factory)
    sign_in(client, volunteer)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert 'name="shifts"' in page and "Zgłaszam się" in page
    response = client.post(
        f"/needs/{need.id}/apply",
        data={"shifts": [need.shifts[0].id, need.shifts[2].id], "message": "Znam angielski."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/needs/{need.id}")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Zgłoszenie wysłane" in page
    assert page.count("zgłoszenie czeka na decyzję instytucji") == 2
    with app.app_context():
        rows = db.session.scalars(
            select(Assignment).where(Assignment.volunteer_id == volunteer.id)
        ).all()
        assert {r.shift_id for r in rows} == {need.shifts[0].id, need.shifts[2].id}
        assert {r.status for r in rows} == {AssignmentStatus.APPLIED}
        assert rows[0].message == "Znam angielski."


def test_choosing_no_shift_is_refused_at_the_form(client, factory, need):
    sign_in(client, adult(client.application, factory))
    response = client.post(f"/needs/{need.id}/apply", data={"message": "Hej"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="shifts-error"' in page and "Wybierz co najmniej jedną zmianę." in page
    assert "Hej</textarea>" in page


def refusal_of(response) -> str:
    page = response.get_data(as_text=True)
    found = re.search(
        r'<div class="error-summary" role="alert" id="apply-refusal">(.*?)</div>', page, re.S
    )
    return found.group(1) if found else ""


def test_a_full_shift_is_refused(app, client, factory, museum):
    full = factory.need(museum, "Mała sala", shifts=2, places=1, start=at_warsaw(future_day(), 10))
    factory.application(factory.user(), full, 0, AssignmentStatus.ACCEPTED)
    sign_in(client, adult(client.application, factory))
    response = client.post(
        f"/needs/{full.id}/apply", data={"shifts": [full.shifts[1].id, full.shifts[0].id]}
    )
    assert response.status_code == 409
    assert "nie ma już wolnych miejsc" in refusal_of(response)
    # The open shift stays ticked; the full one is not offered at all.
    page = response.get_data(as_text=True)
    assert f'value="{full.shifts[1].id}" checked' in page
    assert f'value="{full.shifts[0].id}"' not in page


@pytest.mark.clock
def test_overlap_with_another_institutions_shift_is_refused(client, factory, need):
    theatre = factory.institution("Teatr Lalki i Aktora")
    same_time = factory.need(
        theatre, "Spektakl", start=need.shifts[0].starts_at + timedelta(hours=1)
    )
    volunteer = adult(client.application, factory)
    factory.application(volunteer, same_time)
    sign_in(client, volunteer)
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": need.shifts[0].id})
    assert response.status_code == 409
    assert "nakłada się na Twoją inną zmianę" in refusal_of(response)
    assert "Spektakl" in refusal_of(response)


@pytest.mark.clock
def test_too_young_volunteer_is_told_up_front_and_refused(app, client, factory, need):
    volunteer = factory.user()
    set_profile(app, volunteer, born=date.today() - timedelta(days=15 * 366))
    sign_in(client, volunteer)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Zanim się zgłosisz" in page and "Minimalny wiek dla tej potrzeby to 16 lat." in page
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": need.shifts[0].id})
    assert response.status_code == 409
    assert "Minimalny wiek" in response.get_data(as_text=True)


def test_work_with_children_needs_recorded_checks(client, factory, museum):
    kids = factory.need(museum, "Warsztaty dla dzieci", works_with_children=True)
    volunteer = factory.user()
    sign_in(client, volunteer)
    response = client.post(f"/needs/{kids.id}/apply", data={"shifts": kids.shifts[0].id})
    assert response.status_code == 409
    assert "Rejestrze Sprawców Przestępstw na Tle Seksualnym" in refusal_of(response) or (
        "Rejestrze Sprawców" in response.get_data(as_text=True)
    )
    factory.child_protection_check(volunteer)
    response = client.post(f"/needs/{kids.id}/apply", data={"shifts": kids.shifts[0].id})
    assert response.status_code == 302


def test_draft_need_cannot_be_applied_to(client, factory, museum):
    draft = factory.need(museum, "Szkic", status=NeedStatus.DRAFT)
    sign_in(client, adult(client.application, factory))
    assert (
        client.post(f"/needs/{draft.id}/apply", data={"shifts": draft.shifts[0].id}).status_code
        == 404
    )


def test_shift_of_another_need_is_refused(client, factory, need, museum):
    other = factory.need(museum, "Inna potrzeba")
    sign_in(client, adult(client.application, factory))
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": other.shifts[0].id})
    assert response.status_code == 409
    assert "nie należy do tej potrzeby" in refusal_of(response)


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "1.5"])
def test_malformed_shift_ids_are_refused_without_an_error(client, factory, need, value):
    sign_in(client, adult(client.application, factory))
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": value})
    assert response.status_code == 422


def test_staff_see_the_need_but_cannot_apply(client, factory, need, museum):
    staff = factory.user(Role.STAFF, institution=museum)
    sign_in(client, staff)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Zgłaszać się mogą tylko wolontariusze." in page
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": need.shifts[0].id})
    assert response.status_code == 403


def test_anonymous_apply_goes_to_login(client, need):
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": need.shifts[0].id})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
