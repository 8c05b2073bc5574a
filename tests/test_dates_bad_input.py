"""Dates nobody means (year 0001, 9999) are refused where they are typed, and stored ones break
nothing: every date field of every form, the API, the matching run and both calendar feeds."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import DateField
from wtforms.fields.core import UnboundField

import app as app_package
from app.core.time import WARSAW
from app.extensions import db
from app.models import AssignmentStatus
from app.models import MatchRun
from app.models import Role
from tests.factories import PASSWORD

OUTSIDE = "Podaj datę z lat 2000–2100."
FUTURE = "Data nie może być w przyszłości."
BIRTH_TOO_EARLY = "Data urodzenia nie może być wcześniejsza niż 1900 rok."
BIRTH_FUTURE = "Data urodzenia nie może być w przyszłości."


def _form_classes() -> list[type[FlaskForm]]:
    for info in pkgutil.iter_modules(app_package.__path__):
        try:
            importlib.import_module(f"app.{info.name}.forms")
        except ModuleNotFoundError:
            continue
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("app.") and cls not in found:
            found.append(cls)
    return found


def _date_fields() -> list[tuple[type[FlaskForm], str]]:
    fields = set()
    for cls in _form_classes():
        for name in dir(cls):
            value = getattr(cls, name, None)
            if isinstance(value, UnboundField) and issubclass(value.field_class, DateField):
                fields.add((cls, name))
    return sorted(fields, key=lambda f: (f[0].__module__, f[0].__qualname__, f[1]))


DATE_FIELDS = _date_fields()


def _field_errors(app, cls, name: str, value: str) -> list[str]:
    with app.test_request_context():
        form = cls(formdata=MultiDict({name: value}), meta={"csrf": False})
        field = form[name]
        field.validate(form)
        return [str(e) for e in field.errors]


def test_the_forms_have_date_fields_to_check():
    names = {f"{cls.__name__}.{name}" for cls, name in DATE_FIELDS}
    assert {"ShiftForm.day", "ProfileForm.date_of_birth", "RunForm.date_to"} <= names
    assert len(DATE_FIELDS) >= 12


@pytest.mark.parametrize(
    ("cls", "name"), DATE_FIELDS, ids=[f"{c.__name__}.{n}" for c, n in DATE_FIELDS]
)
def test_every_date_field_refuses_years_nobody_means(app, cls, name):
    birth = name == "date_of_birth"
    expected = {
        "0001-01-01": BIRTH_TOO_EARLY if birth else OUTSIDE,
        "1899-12-31": BIRTH_TOO_EARLY if birth else OUTSIDE,
        "2101-01-01": BIRTH_FUTURE if birth else {OUTSIDE, FUTURE},
        "9999-12-31": BIRTH_FUTURE if birth else {OUTSIDE, FUTURE},
    }
    if not birth:
        expected["1999-12-31"] = OUTSIDE
    for value, message in expected.items():
        errors = _field_errors(app, cls, name, value)
        allowed = message if isinstance(message, set) else {message}
        assert errors and errors[0] in allowed, (value, errors)


@pytest.mark.parametrize(
    ("cls", "name"), DATE_FIELDS, ids=[f"{c.__name__}.{n}" for c, n in DATE_FIELDS]
)
def test_every_date_field_takes_a_date_people_mean(app, cls, name):
    recent = (datetime.now(WARSAW) - timedelta(days=10)).date().isoformat()
    assert _field_errors(app, cls, name, recent) == []
    if name == "date_of_birth":
        assert _field_errors(app, cls, name, "1950-05-05") == []


@pytest.fixture
def staff_world(app, factory):
    inst = factory.institution("Muzeum Dat", slug="muzeum-dat")
    staff = factory.user(Role.STAFF, institution=inst)
    need = factory.need(inst, "Dyżur w kasie")
    client = app.test_client()
    client.post("/login", data={"email": staff.email, "password": PASSWORD})
    return client, inst, need


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_shift_form_refuses_year_one_and_9999_at_the_day(staff_world, day):
    client, _inst, need = staff_world
    shift = need.shifts[0]
    edit = client.post(
        f"/manage/shifts/{shift.id}/edit",
        data={"day": day, "start_time": "00:00", "end_time": "00:30", "places": "2"},
    )
    assert edit.status_code == 422
    assert OUTSIDE in edit.get_data(as_text=True)
    added = client.post(
        f"/manage/needs/{need.id}/shifts",
        data={
            "add-day": day,
            "add-start_time": "00:00",
            "add-end_time": "00:30",
            "add-places": "2",
        },
    )
    assert added.status_code == 422
    assert OUTSIDE in added.get_data(as_text=True)


def test_a_new_need_refuses_a_repetition_until_9999(staff_world):
    client, inst, _need = staff_world
    day = (datetime.now(WARSAW) + timedelta(days=7)).date().isoformat()
    response = client.post(
        f"/manage/needs/new?institution={inst.slug}",
        data={
            "title": "Warsztaty",
            "description": "Pomoc przy warsztatach.",
            "kind": "recurring",
            "place": "Opole",
            "day": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "places": "2",
            "repeat_until": "9999-12-31",
        },
    )
    assert response.status_code == 422
    assert OUTSIDE in response.get_data(as_text=True)


def _far_need(factory, inst, title: str, start: datetime):
    return factory.need(inst, title, start=start)


def test_public_feed_answers_with_a_shift_stored_at_9999_12_31(app, factory, client):
    inst = factory.institution("Teatr Końca Czasu", slug="teatr-konca")
    factory.need(inst, "Obsługa widowni")
    # Stored directly, as older data or another tool could have: the last day the calendar holds,
    # once in the morning and once late in the evening (past midnight in Warsaw).
    _far_need(factory, inst, "Pokaz w roku 9999", datetime(9999, 12, 31, 8, tzinfo=UTC))
    _far_need(factory, inst, "Pokaz o północy", datetime(9999, 12, 31, 19, 30, tzinfo=UTC))
    _far_need(factory, inst, "Pokaz w roku 1", datetime(1, 1, 1, 0, 0, tzinfo=UTC))
    for url in ("/calendar/feed.ics", f"/calendar/feed.ics?institution={inst.slug}"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert "Obsługa widowni" in body
        assert "9999" not in body and "Pokaz" not in body
    assert client.get("/calendar/?year=9999&month=12").status_code == 200
    assert client.get("/calendar/week?date=9999-12-31").status_code == 200


def test_personal_feed_answers_with_a_shift_stored_at_9999_12_31(app, factory, client):
    inst = factory.institution("Archiwum Wieczności", slug="archiwum-wiecznosci")
    volunteer = factory.user()
    near = factory.need(inst, "Porządkowanie zbiorów")
    far = _far_need(factory, inst, "Dyżur w roku 9999", datetime(9999, 12, 31, 19, 30, tzinfo=UTC))
    factory.application(volunteer, near, status=AssignmentStatus.ACCEPTED)
    factory.application(volunteer, far, status=AssignmentStatus.ACCEPTED)
    response = client.get(f"/feeds/{factory.feed_token(volunteer)}.ics")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Porządkowanie zbiorów" in body and "9999" not in body


@pytest.mark.parametrize("parameter", ["from", "to"])
@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_api_refuses_dates_outside_2000_2100_naming_the_parameter(client, parameter, value):
    response = client.get(f"/api/v1/needs?{parameter}={value}")
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert errors == {parameter: f"Parametr „{parameter}” musi być datą z lat 2000–2100."}
    assert client.get(f"/api/v1/needs?{parameter}=2026-06-01").status_code == 200


def test_search_page_ignores_a_date_outside_the_range_and_says_so(client):
    response = client.get("/needs/?from=9999-12-31")
    assert response.status_code == 200
    assert "musi być datą z lat 2000–2100" in response.get_data(as_text=True)


@pytest.fixture
def coordinator_client(app, factory):
    coordinator = factory.user(Role.COORDINATOR)
    client = app.test_client()
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    return client


def test_matching_run_form_refuses_date_to_9999(app, coordinator_client):
    response = coordinator_client.post("/proposals/run", data={"date_to": "9999-12-31"})
    assert response.status_code == 422
    assert OUTSIDE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(MatchRun)) is None


def test_a_matching_run_over_a_scope_ending_in_9999_finishes(app, factory):
    from app.models import User
    from app.services.matching_run import Scope
    from app.services.matching_run import run_safely
    from app.services.matching_run import start_run

    inst = factory.institution("Biblioteka Dat")
    factory.need(inst, "Katalogowanie")
    coordinator = factory.user(Role.COORDINATOR)
    with app.test_request_context():
        run = start_run(
            db.session.get(User, coordinator.id),
            Scope(None, date(1, 1, 1), date(9999, 12, 31)),
        )
        run_safely(run.id)
        db.session.expire_all()
        run = db.session.get(MatchRun, run.id)
        assert (run.status, run.error) == ("done", "")
