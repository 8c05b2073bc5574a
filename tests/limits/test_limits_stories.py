"""Limits that protect volunteers: the coalition sets them, a need may override them, and
applications, staff decisions and the matcher's inputs all respect them; a refusal names the
limit that applied."""

from __future__ import annotations

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
from app.models import Need
from app.models import Role
from app.services import matching_inputs
from app.services.matching_run import Scope
from tests.factories import PASSWORD
from tests.manage.test_manage_needs import need_form

S = AssignmentStatus
WARSAW = ZoneInfo("Europe/Warsaw")


def at_warsaw(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WARSAW).astimezone(UTC)


def in_days(days: int) -> date:
    return datetime.now(WARSAW).date() + timedelta(days=days)


def signed_in(app, user):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


def apply(client, need):
    return client.post(
        f"/needs/{need.id}/apply", data={"shifts": str(need.shifts[0].id), "message": ""}
    )


def applications(app, need) -> int:
    with app.app_context():
        return len(
            db.session.scalars(select(Assignment).where(Assignment.need_id == need.id)).all()
        )


@pytest.fixture
def museum(factory):
    return factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")


def test_an_application_too_close_to_another_shift_names_the_rest_limit(app, factory, museum):
    ola = factory.user()
    morning = factory.need(museum, "Poranny dyżur", start=at_warsaw(in_days(6), 6))  # 6-10
    factory.application(ola, morning, status=S.ACCEPTED)
    evening = factory.need(
        museum, "Wieczorny koncert", start=at_warsaw(in_days(6), 15), min_rest_hours=11
    )

    response = apply(signed_in(app, ola), evening)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Między dwiema zmianami potrzebujesz co najmniej 11 godzin odpoczynku." in page
    assert applications(app, evening) == 0


def test_the_next_morning_after_enough_rest_is_fine(app, factory, museum):
    ola = factory.user()
    evening = factory.need(museum, "Koncert", start=at_warsaw(in_days(6), 16))  # 16-20
    factory.application(ola, evening, status=S.ACCEPTED)
    morning = factory.need(museum, "Sprzątanie", start=at_warsaw(in_days(7), 8), min_rest_hours=11)
    assert apply(signed_in(app, ola), morning).status_code in (302, 303)
    assert applications(app, morning) == 1


def test_the_coalition_limits_days_in_a_row_and_a_need_may_lift_it(
    app, factory, museum, monkeypatch
):
    monkeypatch.setitem(app.config, "LIMIT_MAX_DAYS_IN_ROW", 2)
    ola = factory.user()
    for day in (6, 7):
        factory.application(
            ola,
            factory.need(museum, f"Dzień {day}", start=at_warsaw(in_days(day), 10)),
            status=S.ACCEPTED,
        )
    third = factory.need(museum, "Trzeci dzień", start=at_warsaw(in_days(8), 10))
    client = signed_in(app, ola)

    response = apply(client, third)
    assert response.status_code == 409
    assert "Możesz mieć zmiany najwyżej 2 dni z rzędu." in response.get_data(as_text=True)

    unlimited = factory.need(
        museum, "Bez limitu", start=at_warsaw(in_days(8), 15), max_days_in_row=0
    )
    assert apply(client, unlimited).status_code in (302, 303)


def test_sign_up_opens_a_set_number_of_days_before_the_shift(app, factory, museum):
    later = factory.need(museum, "Festiwal", start=at_warsaw(in_days(9), 10), signup_opens_days=3)
    soon = factory.need(museum, "Jutro", start=at_warsaw(in_days(2), 10), signup_opens_days=3)
    client = signed_in(app, factory.user())

    response = apply(client, later)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Zapisy na tę zmianę otwierają się" in page and "(3 dni przed zmianą)" in page
    assert apply(client, soon).status_code in (302, 303)


def test_staff_are_told_which_limit_stops_an_acceptance(app, factory, museum):
    ola = factory.user()
    concert = factory.need(museum, "Koncert", start=at_warsaw(in_days(6), 15), min_rest_hours=11)
    application = factory.application(ola, concert)
    # After applying she took a morning shift elsewhere the same day.
    factory.application(
        ola, factory.need(museum, "Poranek", start=at_warsaw(in_days(6), 6)), status=S.ACCEPTED
    )
    staff = signed_in(app, factory.user(Role.STAFF, institution=museum))

    response = staff.post(
        f"/manage/assignments/{application.id}/accept",
        data={"seen_status": "applied", "note": ""},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "Między dwiema zmianami tej osoby musi minąć co najmniej 11 godzin odpoczynku." in page
    with app.app_context():
        assert db.session.get(Assignment, application.id).status == S.APPLIED


def test_the_matcher_reads_each_need_s_limits(app, factory, museum, monkeypatch):
    monkeypatch.setitem(app.config, "LIMIT_MIN_REST_HOURS", 11)
    own = factory.need(
        museum,
        "Własne limity",
        start=at_warsaw(in_days(10), 10),
        max_days_in_row=3,
        signup_opens_days=7,
    )
    coalition = factory.need(museum, "Limity koalicji", start=at_warsaw(in_days(10), 15))
    with app.app_context():
        places = {p.need_id: p for p in matching_inputs.load_places(Scope(), datetime.now(UTC))}
    assert places[own.id].min_rest_minutes == 660
    assert places[own.id].max_days_in_row == 3
    assert places[own.id].signup_opens_at == datetime.combine(in_days(3), time.min)
    assert places[coalition.id].min_rest_minutes == 660
    assert places[coalition.id].max_days_in_row == 0
    assert places[coalition.id].signup_opens_at is None


def test_staff_set_a_need_s_limits_in_its_form(app, factory, museum):
    factory.reference_data()
    staff = signed_in(app, factory.user(Role.STAFF, institution=museum))
    page = staff.get(f"/manage/needs/new?institution={museum.slug}").get_data(as_text=True)
    assert "Limity chroniące wolontariuszy" in page
    response = staff.post(
        f"/manage/needs/new?institution={museum.slug}",
        data=need_form(min_rest_hours="11", max_days_in_row="0", signup_opens_days=""),
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        need = db.session.scalar(select(Need))
        assert (need.min_rest_hours, need.max_days_in_row, need.signup_opens_days) == (11, 0, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_rest_hours", "49", "Podaj liczbę godzin od 0 do 48 albo zostaw puste."),
        ("min_rest_hours", "-1", "Podaj liczbę godzin od 0 do 48 albo zostaw puste."),
        ("max_days_in_row", "32", "Podaj liczbę dni od 0 do 31 albo zostaw puste."),
        ("signup_opens_days", "366", "Podaj liczbę dni od 0 do 365 albo zostaw puste."),
        ("signup_opens_days", "tydzień", "Podaj liczbę całkowitą."),
    ],
)
def test_wrong_limits_are_explained_at_the_field(app, factory, museum, field, value, message):
    factory.reference_data()
    staff = signed_in(app, factory.user(Role.STAFF, institution=museum))
    response = staff.post(
        f"/manage/needs/new?institution={museum.slug}", data=need_form(**{field: value})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    with app.app_context():
        assert db.session.query(Need).count() == 0


@pytest.mark.parametrize(
    ("code", "params", "expected"),
    [
        (
            "blocked_rest",
            {"count": 2, "rest_hours": 11.0},
            "2 pasujące osoby mają inne zmiany zbyt blisko (odpoczynek co najmniej 11 h)",
        ),
        (
            "blocked_days_in_row",
            {"count": 1, "days": 5},
            "1 pasująca osoba przekroczyłaby limit 5 dni z rzędu",
        ),
        (
            "signup_not_open",
            {"count": 3, "opens": "2026-12-20"},
            "Zapisy na tę zmianę otwierają się dopiero 2026-12-20",
        ),
    ],
)
def test_staff_read_why_the_matcher_left_a_shift_unfilled_by_a_limit(app, code, params, expected):
    from app.proposals.texts import Names
    from app.proposals.texts import diagnostic_text

    with app.test_request_context():
        assert diagnostic_text({"code": code, "params": params}, Names([])) == expected
