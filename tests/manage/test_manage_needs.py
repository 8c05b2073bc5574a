"""Staff post needs for their institution, generate weekly shifts, publish, edit and cancel them."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models import Need
from app.models import NeedKind
from app.models import NeedStatus
from app.models import Role
from app.models import Shift
from app.models import Skill

WARSAW = ZoneInfo("Europe/Warsaw")


def next_saturday(after_days: int = 3) -> date:
    day = datetime.now(WARSAW).date() + timedelta(days=after_days)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return day


def need_form(**overrides) -> dict:
    saturday = next_saturday()
    data = {
        "title": "Oprowadzanie po wystawie „Opole 1945”",
        "description": "Oprowadzasz grupy po wystawie stałej; szkolenie zapewniamy.",
        "kind": "recurring",
        "place": "Muzeum Śląska Opolskiego, ul. Mały Rynek 7",
        "min_age": "16",
        "is_accessible": "y",
        "accessibility_note": "Winda przy wejściu od ul. Ozimskiej.",
        "offers_training": "y",
        "offers_certificate": "y",
        "contact_name": "Anna Muzealna",
        "contact_email": "anna@muzeum.example.org",
        "day": saturday.isoformat(),
        "start_time": "10:00",
        "end_time": "14:00",
        "places": "3",
        "repeat_until": (saturday + timedelta(weeks=3)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def museum(factory):
    factory.reference_data()
    inst = factory.institution("Muzeum Testowe w Opolu", slug="mto")
    staff = factory.user(Role.STAFF, institution=inst, first_name="Anna")
    return inst, staff


@pytest.mark.clock
def test_staff_create_a_recurring_need_every_saturday_for_four_weeks(app, client, auth, museum):
    inst, staff = museum
    partner = None
    with app.app_context():
        skill = db.session.scalar(select(Skill).where(Skill.code == "guiding_tours"))
        nice = db.session.scalar(select(Skill).where(Skill.code == "reading_aloud"))
        from app.models import Institution

        partner = db.session.scalar(select(Institution).where(Institution.slug == "gsw"))
    auth.login(staff.email)
    page = client.get(f"/manage/needs/new?institution={inst.slug}")
    assert page.status_code == 200
    assert "Nowa potrzeba" in page.get_data(as_text=True)

    response = client.post(
        f"/manage/needs/new?institution={inst.slug}",
        data=need_form(
            **{f"skill_{skill.id}": "r2", f"skill_{nice.id}": "n"}, cohosts=str(partner.id)
        ),
    )
    assert response.status_code == 303
    with app.app_context():
        need = db.session.scalar(select(Need))
        assert need.status == NeedStatus.DRAFT
        assert need.kind == NeedKind.RECURRING
        assert need.min_age == 16 and need.is_accessible and need.offers_training
        assert [c.slug for c in need.cohosts] == ["gsw"]
        assert {(s.skill_id, s.min_level, s.is_required) for s in need.skills} == {
            (skill.id, 2, True),
            (nice.id, 1, False),
        }
        local = [
            (s.starts_at.astimezone(WARSAW), s.ends_at.astimezone(WARSAW)) for s in need.shifts
        ]
        assert len(local) == 4
        assert all(start.weekday() == 5 for start, _ in local)
        assert {(start.hour, end.hour) for start, end in local} == {(10, 14)}
        assert [start.date() for start, _ in local] == [
            next_saturday() + timedelta(weeks=w) for w in range(4)
        ]
        assert response.headers["Location"].endswith(f"/manage/needs/{need.id}")
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "need.created"))

    page = client.get(f"/manage/needs/{need.id}").get_data(as_text=True)
    assert "szkic" in page and "10:00" in page and "14:00" in page


@pytest.mark.clock
def test_a_single_shift_without_repetition(app, client, auth, museum):
    inst, staff = museum
    auth.login(staff.email)
    response = client.post(
        f"/manage/needs/new?institution={inst.slug}",
        data=need_form(kind="one_off", repeat_until=""),
    )
    assert response.status_code == 303
    assert db.session.query(Shift).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "Koniec zmiany musi być później niż jej początek."),
        ({"end_time": "10:00"}, "end_time", "Koniec zmiany musi być później niż jej początek."),
        ({"title": ""}, "title", "To pole jest wymagane."),
        ({"places": "0"}, "places", "Podaj liczbę od 1 do 500."),
        ({"places": "dużo"}, "places", "Podaj liczbę całkowitą."),
        ({"day": "31.02.2026"}, "day", "Podaj poprawną datę."),
        ({"start_time": "25:99"}, "start_time", "Podaj poprawną godzinę"),
        ({"day": "2001-01-06", "repeat_until": ""}, "day", "Data nie może być w przeszłości."),
        (
            {"repeat_until": "2001-01-01"},
            "repeat_until",
            "Data końcowa powtarzania nie może być wcześniejsza",
        ),
        ({"contact_email": "anna-bez-malpy"}, "contact_email", "Podaj poprawny adres e-mail"),
        ({"kind": "wieczna"}, "kind", ""),
        ({"min_age": "150"}, "min_age", "Podaj wiek od 0 do 99 lat."),
    ],
)
def test_wrong_input_is_explained_at_the_field(
    app, client, auth, museum, overrides, field, message
):
    inst, staff = museum
    auth.login(staff.email)
    response = client.post(
        f"/manage/needs/new?institution={inst.slug}", data=need_form(**overrides)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    assert db.session.query(Need).count() == 0


@pytest.mark.clock
def test_too_many_weekly_shifts_are_refused_at_the_until_field(app, client, auth, museum):
    inst, staff = museum
    auth.login(staff.email)
    response = client.post(
        f"/manage/needs/new?institution={inst.slug}",
        data=need_form(repeat_until=(next_saturday() + timedelta(weeks=300)).isoformat()),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="repeat_until-error"' in page and "Za dużo zmian naraz" in page


def test_a_skill_choice_outside_the_list_is_refused(app, client, auth, museum, factory):
    inst, staff = museum
    skill = factory.scalar(select(Skill))
    auth.login(staff.email)
    response = client.post(
        f"/manage/needs/new?institution={inst.slug}",
        data=need_form(**{f"skill_{skill.id}": "r9"}),
    )
    assert response.status_code == 422


def test_unknown_or_missing_institution_is_404(client, auth, museum):
    _inst, staff = museum
    auth.login(staff.email)
    assert client.get("/manage/needs/new").status_code == 404
    assert client.get("/manage/needs/new?institution=nie-ma").status_code == 404
    assert client.get("/manage/institutions/nie-ma").status_code == 404
    assert client.get("/manage/needs/999999").status_code == 404
    assert client.get("/manage/shifts/999999/edit").status_code == 404
    assert client.post("/manage/assignments/999999/accept").status_code == 404
    assert client.get("/manage/volunteers/999999").status_code == 404


def create_draft(client, inst, **overrides) -> int:
    response = client.post(
        f"/manage/needs/new?institution={inst.slug}", data=need_form(**overrides)
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_publish_close_reopen_and_the_status_seen_guard(app, client, auth, museum, factory):
    inst, staff = museum
    auth.login(staff.email)
    need_id = create_draft(client, inst)
    assert (
        client.post(f"/manage/needs/{need_id}/close", data={"seen_status": "draft"}).status_code
        == 409
    )
    response = client.post(f"/manage/needs/{need_id}/publish", data={"seen_status": "draft"})
    assert response.status_code == 303
    # A second click on the same (stale) page changes nothing and says why.
    again = client.post(f"/manage/needs/{need_id}/publish", data={"seen_status": "draft"})
    assert again.status_code == 409
    assert "zmienił stan tej potrzeby" in again.get_data(as_text=True)
    assert (
        client.post(f"/manage/needs/{need_id}/close", data={"seen_status": "published"}).status_code
        == 303
    )
    assert (
        client.post(f"/manage/needs/{need_id}/publish", data={"seen_status": "closed"}).status_code
        == 303
    )
    assert factory.get(Need, need_id).status == NeedStatus.PUBLISHED
    actions = factory.scalars(select(AuditLog.action).order_by(AuditLog.id))
    assert actions.count("need.published") == 2 and "need.closed" in actions


@pytest.mark.clock
def test_publishing_without_future_shifts_is_refused_with_409(app, client, auth, factory, museum):
    inst, staff = museum
    past = factory.need(
        inst,
        "Wczorajszy dyżur",
        status=NeedStatus.DRAFT,
        start=datetime.now(UTC) - timedelta(days=2),
    )
    auth.login(staff.email)
    response = client.post(f"/manage/needs/{past.id}/publish", data={"seen_status": "draft"})
    assert response.status_code == 409
    assert "Dodaj co najmniej jedną przyszłą zmianę" in response.get_data(as_text=True)


@pytest.mark.clock
def test_add_a_single_shift_and_a_weekly_series(app, client, auth, museum):
    inst, staff = museum
    auth.login(staff.email)
    need_id = create_draft(client, inst, repeat_until="")
    day = next_saturday() + timedelta(days=1)
    single = client.post(
        f"/manage/needs/{need_id}/shifts",
        data={
            "add-day": day.isoformat(),
            "add-start_time": "16:00",
            "add-end_time": "18:30",
            "add-places": "2",
        },
    )
    assert single.status_code == 303
    weekly = client.post(
        f"/manage/needs/{need_id}/shifts",
        data={
            "add-day": day.isoformat(),
            "add-start_time": "09:00",
            "add-end_time": "11:00",
            "add-places": "1",
            "add-repeat_until": (day + timedelta(weeks=2)).isoformat(),
        },
    )
    assert weekly.status_code == 303
    assert db.session.query(Shift).filter_by(need_id=need_id).count() == 1 + 1 + 3
    wrong = client.post(
        f"/manage/needs/{need_id}/shifts",
        data={
            "add-day": day.isoformat(),
            "add-start_time": "18:00",
            "add-end_time": "08:00",
            "add-places": "1",
        },
    )
    assert wrong.status_code == 422
    assert 'id="add-end_time-error"' in wrong.get_data(as_text=True)


@pytest.mark.clock
def test_times_are_entered_and_shown_in_warsaw_time_across_daylight_saving(
    app, client, auth, museum
):
    inst, staff = museum
    auth.login(staff.email)
    # A summer and a winter Saturday: the same wall-clock hour, a different UTC hour.
    year = datetime.now(WARSAW).year + 1
    summer, winter = date(year, 7, 4), date(year, 12, 5)
    need_id = create_draft(client, inst, day=summer.isoformat(), repeat_until="")
    client.post(
        f"/manage/needs/{need_id}/shifts",
        data={
            "add-day": winter.isoformat(),
            "add-start_time": "10:00",
            "add-end_time": "14:00",
            "add-places": "1",
        },
    )
    with app.app_context():
        hours = [s.starts_at.astimezone(UTC).hour for s in db.session.get(Need, need_id).shifts]
    assert hours == [8, 9]
    page = client.get(f"/manage/needs/{need_id}").get_data(as_text=True)
    assert page.count("10:00") >= 2


@pytest.mark.clock
def test_edit_a_shift_and_refuse_fewer_places_than_accepted(app, client, auth, factory, museum):
    inst, staff = museum
    # Noon in Warsaw a week ahead: the 4-hour shift never crosses midnight, whenever this runs.
    noon = datetime.combine(
        datetime.now(WARSAW).date() + timedelta(days=7), datetime.min.time().replace(hour=12)
    ).replace(tzinfo=WARSAW)
    need = factory.need(inst, "Dyżur w szatni", places=3, start=noon.astimezone(UTC))
    for _ in range(2):
        factory.application(factory.user(), need, status="accepted")
    shift_id = need.shifts[0].id
    auth.login(staff.email)
    form = client.get(f"/manage/shifts/{shift_id}/edit")
    assert form.status_code == 200
    local = need.shifts[0].starts_at.astimezone(WARSAW)
    data = {
        "day": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_time": (local + timedelta(hours=4)).strftime("%H:%M"),
        "places": "1",
    }
    response = client.post(f"/manage/shifts/{shift_id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="places-error"' in page
    assert "Na tę zmianę przyjęto już 2 osoby" in page
    assert factory.get(Shift, shift_id).places == 3
    response = client.post(f"/manage/shifts/{shift_id}/edit", data={**data, "places": "2"})
    assert response.status_code == 303
    assert factory.get(Shift, shift_id).places == 2


def test_edit_need_on_a_published_need_says_how_many_people_were_told(
    app, client, auth, factory, museum
):
    inst, staff = museum
    need = factory.need(inst, "Obsługa koncertu", shifts=2, place="Sala A")
    factory.application(factory.user(), need, 0)
    factory.application(factory.user(), need, 1, status="accepted")
    auth.login(staff.email)
    edit = client.get(f"/manage/needs/{need.id}/edit")
    assert edit.status_code == 200 and "Sala A" in edit.get_data(as_text=True)
    response = client.post(
        f"/manage/needs/{need.id}/edit",
        data={
            "title": "Obsługa koncertu",
            "description": "Pomoc przy wejściu.",
            "kind": "one_off",
            "place": "Amfiteatr Tysiąclecia",
            "offers_certificate": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Powiadomiono 2 os" in response.get_data(as_text=True)
    assert factory.get(Need, need.id).place == "Amfiteatr Tysiąclecia"


def test_editing_a_draft_tells_nobody(app, client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst, "Szkic", status=NeedStatus.DRAFT, place="Sala A")
    auth.login(staff.email)
    response = client.post(
        f"/manage/needs/{need.id}/edit",
        data={"title": "Szkic", "description": "Opis", "kind": "one_off", "place": "Sala B"},
        follow_redirects=True,
    )
    assert "Zapisano zmiany." in response.get_data(as_text=True)
    assert "Powiadomiono" not in response.get_data(as_text=True)


def test_institution_page_lists_needs_by_status_with_fill_state(app, client, auth, factory, museum):
    inst, staff = museum
    other = factory.institution("Teatr Testowy", slug="teatr-testowy")
    published = factory.need(inst, "Dyżur na wystawie", shifts=2, places=3)
    factory.need(inst, "Szkic warsztatów", status=NeedStatus.DRAFT)
    cohosted = factory.need(other, "Wspólny festiwal")
    need = db.session.get(Need, cohosted.id)
    from app.models import Institution

    need.cohosts.append(db.session.get(Institution, inst.id))
    db.session.commit()
    factory.application(factory.user(first_name="Zenon"), published, 0)
    factory.application(factory.user(), published, 1, status="accepted")
    factory.application(factory.user(first_name="Celina"), cohosted, 0)
    auth.login(staff.email)
    page = client.get(f"/manage/institutions/{inst.slug}").get_data(as_text=True)
    assert "Dyżur na wystawie" in page and "Szkic warsztatów" in page
    assert "Wspólny festiwal" in page and "współorganizacja" in page
    assert page.index("Szkice") < page.index("Szkic warsztatów") < page.index("Opublikowane")
    cells = re.sub(r"<td [^>]*>", "<td>", page)  # each cell names its column for phones
    assert "<td>2</td>\n        <td>6</td>\n        <td>1</td>\n        <td>1</td>" in cells
    assert "Zenon" in page and "Celina" in page

    overview = client.get("/manage/").get_data(as_text=True)
    assert inst.name in overview and "Teatr Testowy" not in overview
    cells = re.sub(r"<td [^>]*>", "<td>", overview)
    assert "<td>1</td>\n      <td>2</td>\n      <td>2</td>" in cells


def test_coordinators_see_every_institution_on_the_overview(client, auth, factory, museum):
    inst, _staff = museum
    coordinator = factory.user(Role.COORDINATOR)
    auth.login(coordinator.email)
    page = client.get("/manage/").get_data(as_text=True)
    assert inst.name in page and "Galeria Sztuki Współczesnej w Opolu" in page


@pytest.mark.clock
def test_a_pending_offer_holds_a_place_but_is_not_shown_as_accepted(client, auth, factory, museum):
    inst, staff = museum
    need = factory.need(inst, "Oprowadzanie po wystawie", places=3)
    factory.application(
        factory.user(first_name="Anna", last_name="Zielińska"), need, status="accepted"
    )
    factory.application(
        factory.user(first_name="Bartek", last_name="Nowak"), need, status="offered"
    )
    auth.login(staff.email)
    page = client.get(f"/manage/needs/{need.id}").get_data(as_text=True)

    cell = re.search(r'data-label="Przyjęci">(.*?)</td>', page, re.S).group(1)
    assert cell.startswith("1 ") and "1 oferta czeka" in cell
    people = page.split('id="people-heading"')[1]
    accepted, offered = people.split("Oferta czeka na odpowiedź:")
    assert "Anna Zielińska" in accepted and "Bartek Nowak" not in accepted
    assert "Bartek Nowak" in offered.split("</p>")[0]

    overview = client.get(f"/manage/institutions/{inst.slug}").get_data(as_text=True)
    assert re.search(r'data-label="Zajęte miejsca">\s*2\s*<', overview)
