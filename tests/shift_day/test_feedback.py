"""Feedback after a shift: from the morning after, those who served rate it; staff read their
institution's results, coordinators the coalition's, without names where fewer than five answered."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import AssignmentStatus
from app.models import ShiftFeedback
from tests.shift_day.conftest import signed_in

pytestmark = pytest.mark.clock
S = AssignmentStatus


@pytest.fixture
def served(factory, day):
    """Six volunteers who served on the shift two days ago, and one on a theatre's shift."""
    people = [factory.user(first_name=f"Osoba{n}", last_name=f"Nazwisko{n}") for n in range(6)]
    places = [factory.application(p, day.over, status=S.COMPLETED) for p in people]
    theatre_need = factory.need(day.theatre, "Spektakl", start=day.over.shifts[0].starts_at)
    theatre_person = factory.user(first_name="Teatralna", last_name="Osoba")
    theatre_place = factory.application(theatre_person, theatre_need, status=S.ACCEPTED)
    return people, places, theatre_person, theatre_place


def rate(app, person, place, rating, comment=""):
    return signed_in(app, person).post(
        f"/feedback/assignments/{place.id}", data={"rating": str(rating), "comment": comment}
    )


def test_a_volunteer_rates_a_shift_the_morning_after_once(app, day, served):
    people, places, *_ = served
    client = signed_in(app, people[0])
    assert f"/feedback/assignments/{places[0].id}" in client.get("/feedback/").get_data(
        as_text=True
    )
    response = rate(app, people[0], places[0], 5, "Świetna organizacja.")
    assert response.status_code == 303
    again = rate(app, people[0], places[0], 1)
    assert again.status_code == 409
    assert "Ta zmiana ma już Twoją ocenę." in again.get_data(as_text=True)
    assert f"/feedback/assignments/{places[0].id}" not in client.get("/feedback/").get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalars(select(ShiftFeedback.rating)).all() == [5]


def test_a_shift_still_running_cannot_be_rated_yet(app, day):
    response = rate(app, day.anna, day.anna_now, 4)
    assert response.status_code == 409
    assert "Zmianę można ocenić od rana następnego dnia." in response.get_data(as_text=True)


def test_someone_elses_place_looks_missing(app, day, served):
    people, places, *_ = served
    assert rate(app, people[1], places[0], 4).status_code == 404


@pytest.mark.parametrize("rating", ["", "0", "6", "pięć", "3.5"])
def test_a_bad_rating_is_refused_at_the_field(app, day, served, rating):
    people, places, *_ = served
    response = signed_in(app, people[0]).post(
        f"/feedback/assignments/{places[0].id}", data={"rating": rating}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="rating-error"' in page and "Wybierz ocenę od 1 do 5." in page


def test_a_too_long_comment_is_refused_at_the_field(app, day, served):
    people, places, *_ = served
    response = signed_in(app, people[0]).post(
        f"/feedback/assignments/{places[0].id}", data={"rating": "4", "comment": "x" * 1001}
    )
    assert response.status_code == 422
    assert "Najwyżej 1000 znaków." in response.get_data(as_text=True)


def test_results_hide_names_below_five_answers_and_show_them_from_five(app, day, served):
    people, places, theatre_person, theatre_place = served
    for n in range(4):
        rate(app, people[n], places[n], 4, f"Komentarz {n}")
    rate(app, theatre_person, theatre_place, 2, "Za zimno w foyer.")
    staff = signed_in(app, day.staff)
    page = staff.get("/feedback/results").get_data(as_text=True)
    assert "Komentarz 0" in page and "Osoba0" not in page
    assert "Za zimno w foyer." not in page  # another institution's shift
    rate(app, people[4], places[4], 5, "Komentarz 4")
    page = staff.get("/feedback/results").get_data(as_text=True)
    assert "Osoba0 Nazwisko0" in page and "4,2" in page
    coordinator = signed_in(app, day.coordinator).get("/feedback/results").get_data(as_text=True)
    assert "Za zimno w foyer." in coordinator and "Teatralna" not in coordinator
    with app.app_context():
        assert db.session.scalar(select(func.count(ShiftFeedback.id))) == 6


def test_a_volunteer_marked_absent_cannot_rate_the_shift(app, day, served):
    from app.models import AttendanceMark

    people, places, *_ = served
    with app.app_context():
        db.session.add(
            AttendanceMark(
                assignment_id=places[0].id, shift_id=places[0].shift_id, is_present=False
            )
        )
        db.session.commit()
    response = rate(app, people[0], places[0], 5)
    assert response.status_code == 409
    assert "Ocenić można tylko zmianę, w której brało się udział." in response.get_data(
        as_text=True
    )


def test_the_rating_is_in_the_data_export_and_stays_without_the_person_after_deletion(
    app, day, served
):
    from tests.factories import PASSWORD

    people, places, *_ = served
    rate(app, people[0], places[0], 3, "Za mało krzeseł.")
    client = signed_in(app, people[0])
    exported = client.get("/me/data.json").get_json()
    assert [(f["rating"], f["comment"]) for f in exported["shift_feedback"]] == [
        (3, "Za mało krzeseł.")
    ]
    assert (
        client.post("/me/delete", data={"password": PASSWORD, "understood": "y"}).status_code == 302
    )
    with app.app_context():
        assert db.session.execute(
            select(ShiftFeedback.rating, ShiftFeedback.volunteer_id)
        ).all() == [(3, None)]
