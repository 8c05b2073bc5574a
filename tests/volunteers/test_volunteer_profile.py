"""A volunteer describes themselves: profile, skills, weekly availability and dates away."""

from __future__ import annotations

from datetime import date
from datetime import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models import AvailabilityWindow
from app.models import Role
from app.models import Skill
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerProfile
from app.models import VolunteerSkill

PROFILE = {
    "first_name": "Zofia",
    "last_name": "Źdźbło",
    "date_of_birth": "1990-05-17",
    "phone": "+48 600 100 200",
    "city": "Opole",
    "bio": "Studiuję historię sztuki i lubię oprowadzać.",
    "languages": "polski, niemiecki",
    "interests": "muzea, fotografia",
    "max_hours_month": "16",
    "is_korpus": "y",
    "access_needs": "Wolę miejsca bez schodów.",
}


@pytest.fixture
def zofia(factory, auth):
    volunteer = factory.user(first_name="Zofia", email="zofia@example.org")
    auth.login(volunteer.email)
    return volunteer


def profile_of(app, user_id: int) -> VolunteerProfile:
    profile = db.session.get(VolunteerProfile, user_id)
    _ = profile.user, profile.preferred_institutions, profile.skills, profile.availability
    _ = profile.absences
    db.session.expunge_all()
    return profile


@pytest.mark.clock
def test_volunteer_fills_in_the_profile_and_sees_it(app, client, factory, zofia):
    museum = factory.institution("Muzeum Śląska Opolskiego")
    closed = factory.institution("Dawna Galeria", is_active=False)
    form = client.get("/me/profile/edit").get_data(as_text=True)
    assert "Muzeum Śląska Opolskiego" in form
    assert "Dawna Galeria" not in form  # only active institutions can be preferred
    assert "Korpus Solidarności ma dla osób z niepełnosprawnością" in form  # why we ask

    response = client.post(
        "/me/profile/edit",
        data={**PROFILE, "preferred_institutions": [str(museum.id)], "has_disability": "y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/profile")

    profile = profile_of(app, zofia.id)
    assert profile.user.last_name == "Źdźbło"
    assert profile.date_of_birth == date(1990, 5, 17)
    assert profile.max_hours_month == 16
    assert profile.is_korpus and profile.has_disability
    assert [i.id for i in profile.preferred_institutions] == [museum.id]
    assert closed.id not in [i.id for i in profile.preferred_institutions]

    page = client.get("/me/profile").get_data(as_text=True)
    assert "Profil zapisany." in page
    assert "Zofia Źdźbło" in page and "muzea, fotografia" in page
    assert "Muzeum Śląska Opolskiego" in page
    assert factory.scalar(select(AuditLog).where(AuditLog.action == "volunteer.profile_updated"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "date_of_birth",
            (date.today() + timedelta(days=2)).isoformat(),
            "nie może być w przyszłości",
        ),
        ("date_of_birth", "1899-12-31", "nie może być wcześniejsza niż 1900"),
        ("date_of_birth", "31.02.2001", "Not a valid date value."),
        ("phone", "zadzwoń do mnie", "Podaj numer telefonu z samych cyfr"),
        ("max_hours_month", "0", "Podaj liczbę od 1 do 200."),
        ("max_hours_month", "201", "Podaj liczbę od 1 do 200."),
        ("first_name", "", "To pole jest wymagane."),
        ("city", "O" * 81, "Najwyżej 80 znaków."),
        ("bio", "a" * 1001, "Najwyżej 1000 znaków."),
    ],
)
def test_wrong_profile_input_is_explained_at_the_field(client, zofia, field, value, message):
    response = client.post("/me/profile/edit", data={**PROFILE, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = page.split(f'id="{field}-error"', 1)
    if message == "Not a valid date value.":
        assert len(error) == 2  # WTForms' own message; the lead translates it
    else:
        assert len(error) == 2 and message in error[1].split("</p>")[0]
    assert 'aria-describedby="' in page


def test_a_staff_member_has_no_volunteer_profile(client, factory, auth):
    staff = factory.user(Role.STAFF, institution=factory.institution())
    auth.login(staff.email)
    assert client.get("/me/profile").status_code == 403


def test_volunteer_sees_child_protection_checks_read_only(client, factory, zofia):
    coordinator = factory.user(Role.COORDINATOR, first_name="Kinga", last_name="Koordynatorka")
    factory.child_protection_check(zofia, checked_by=coordinator)
    page = client.get("/me/profile").get_data(as_text=True)
    assert "Sprawdzenia do pracy z dziećmi" in page
    assert "Kinga Koordynatorka" in page
    assert "/checks" not in page  # nothing to record here: staff do that


def test_volunteer_rates_skills_grouped_by_taxonomy(app, client, factory, zofia):
    factory.reference_data()
    with app.app_context():
        skills = db.session.scalars(select(Skill).order_by(Skill.id)).all()
        first, second = skills[0], skills[1]
        group_name = first.group.name_pl
    page = client.get("/me/skills").get_data(as_text=True)
    assert group_name in page and "<legend>" in page
    assert "2 – doświadczony" in page and "nie mam" in page

    assert client.post("/me/skills", data={f"skill_{first.id}": "3"}).status_code == 302
    client.post("/me/skills", data={f"skill_{first.id}": "2", f"skill_{second.id}": "1"})
    with app.app_context():
        levels = dict(
            db.session.execute(
                select(VolunteerSkill.skill_id, VolunteerSkill.level).where(
                    VolunteerSkill.user_id == zofia.id
                )
            ).all()
        )
    assert levels == {first.id: 2, second.id: 1}

    # "nie mam" removes it; a made-up level is refused at the field.
    client.post("/me/skills", data={f"skill_{second.id}": "1"})
    response = client.post("/me/skills", data={f"skill_{second.id}": "7"})
    assert response.status_code == 422
    with app.app_context():
        rows = db.session.scalars(
            select(VolunteerSkill).where(VolunteerSkill.user_id == zofia.id)
        ).all()
        assert [(r.skill_id, r.level) for r in rows] == [(second.id, 1)]


@pytest.mark.clock
def test_volunteer_adds_and_removes_weekly_availability(app, client, zofia, factory):
    wrong = client.post(
        "/me/availability/windows",
        data={"weekday": "5", "start_time": "14:00", "end_time": "10:00"},
    )
    assert wrong.status_code == 422
    assert "Koniec musi być później niż początek." in wrong.get_data(as_text=True)

    ok = client.post(
        "/me/availability/windows",
        data={"weekday": "5", "start_time": "10:00", "end_time": "14:00"},
    )
    assert ok.status_code == 302
    overlap = client.post(
        "/me/availability/windows",
        data={"weekday": "5", "start_time": "13:00", "end_time": "16:00"},
    )
    assert overlap.status_code == 422
    assert "nakłada się na już zapisany: 10:00–14:00" in overlap.get_data(as_text=True)
    # The same hours on another day are fine.
    client.post(
        "/me/availability/windows",
        data={"weekday": "6", "start_time": "10:00", "end_time": "14:00"},
    )
    page = client.get("/me/availability").get_data(as_text=True)
    assert "sobota" in page and "niedziela" in page and "10:00–14:00" in page

    windows = factory.scalars(
        select(AvailabilityWindow).where(AvailabilityWindow.user_id == zofia.id)
    )
    assert sorted((w.weekday, w.start_time) for w in windows) == [
        (5, time(10)),
        (6, time(10)),
    ]
    saturday = next(w.id for w in windows if w.weekday == 5)
    assert client.post(f"/me/availability/windows/{saturday}/delete").status_code == 302
    assert factory.get(AvailabilityWindow, saturday) is None


@pytest.mark.clock
def test_volunteer_records_dates_away_inclusive(app, client, zofia, factory):
    wrong = client.post(
        "/me/availability/absences", data={"starts_on": "2026-07-10", "ends_on": "2026-07-01"}
    )
    assert wrong.status_code == 422
    assert "nie może być wcześniejsza niż początkowa" in wrong.get_data(as_text=True)
    one_day = client.post(
        "/me/availability/absences", data={"starts_on": "2026-07-10", "ends_on": "2026-07-10"}
    )
    assert one_day.status_code == 302
    absence = factory.scalar(select(VolunteerAbsence).where(VolunteerAbsence.user_id == zofia.id))
    assert (absence.starts_on, absence.ends_on) == (date(2026, 7, 10), date(2026, 7, 10))
    assert client.post(f"/me/availability/absences/{absence.id}/delete").status_code == 302
    assert factory.get(VolunteerAbsence, absence.id) is None


def test_volunteer_cannot_delete_another_volunteers_availability(app, client, factory, zofia):
    other = factory.user()
    with app.app_context():
        profile = db.session.get(VolunteerProfile, other.id)
        profile.availability.append(
            AvailabilityWindow(weekday=1, start_time=time(9), end_time=time(12))
        )
        profile.absences.append(
            VolunteerAbsence(starts_on=date(2026, 8, 1), ends_on=date(2026, 8, 2))
        )
        db.session.commit()
        window_id = profile.availability[0].id
        absence_id = profile.absences[0].id
    assert client.post(f"/me/availability/windows/{window_id}/delete").status_code == 404
    assert client.post(f"/me/availability/absences/{absence_id}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(AvailabilityWindow, window_id) is not None
        assert db.session.get(VolunteerAbsence, absence_id) is not None
        assert db.session.get(User, other.id).profile.availability
