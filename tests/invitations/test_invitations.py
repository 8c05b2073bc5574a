"""Staff find the right person for a shift among the matcher's suggestions and invite them; the
volunteer answers from the e-mail; people who said no to invitations are never suggested."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.core.time import WARSAW
from app.core.time import today_in_warsaw
from app.core.time import utcnow
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import NeedSkill
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import SkillGroup
from app.models import VolunteerProfile
from app.models import VolunteerSkill

pytestmark = pytest.mark.clock

S = AssignmentStatus


def at_ten(days_from_today: int) -> datetime:
    """Ten in the morning in Warsaw: inside the windows below whatever hour the suite runs at."""
    return datetime.combine(today_in_warsaw() + timedelta(days=days_from_today), time(10), WARSAW)


def make_skill(app, code: str, name: str) -> int:
    with app.app_context():
        group = db.session.query(SkillGroup).filter_by(code="inv").one_or_none()
        if group is None:
            group = SkillGroup(code="inv", name_pl="Zaproszenia", name_en="Invitations")
            db.session.add(group)
        skill = Skill(code=code, group=group, name_pl=name, name_en=name + " (en)")
        db.session.add(skill)
        db.session.commit()
        return skill.id


def ready(app, user, skill_id: int | None = None, level: int = 2, invitable: bool = True):
    """Consent to data processing, free every day from 8 to 20, adult, perhaps one skill."""
    with app.app_context():
        profile = db.session.get(VolunteerProfile, user.id)
        profile.date_of_birth = date(1990, 5, 1)
        profile.is_invitable = invitable
        profile.availability = [
            AvailabilityWindow(weekday=d, start_time=time(8), end_time=time(20)) for d in range(7)
        ]
        if skill_id is not None:
            profile.skills = [VolunteerSkill(skill_id=skill_id, level=level)]
        db.session.add(Consent(user_id=user.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
        db.session.commit()


@pytest.fixture
def gallery(factory, app):
    """A gallery's need with one shift of one place asking for photography, its staff, and three
    volunteers: a good photographer, a beginner, and one who said no to invitations."""
    photography = make_skill(app, "inv-photo", "Fotografia")
    gallery = factory.institution("Galeria Sztuki Współczesnej", short_name="GSW")
    need = factory.need(gallery, "Zdjęcia z wernisażu", start=at_ten(5), places=1)
    with app.app_context():
        db.session.add(NeedSkill(need_id=need.id, skill_id=photography, min_level=1))
        db.session.commit()
    staff = factory.user(Role.STAFF, institution=gallery)
    best = factory.user(first_name="Anna", last_name="Fotograficzna")
    beginner = factory.user(first_name="Bartek", last_name="Początkujący")
    private = factory.user(first_name="Celina", last_name="Prywatna")
    ready(app, best, photography, level=3)
    ready(app, beginner, photography, level=1)
    ready(app, private, photography, level=3, invitable=False)
    return {
        "need": need,
        "shift": need.shifts[0],
        "staff": staff,
        "best": best,
        "beginner": beginner,
        "private": private,
        "gallery": gallery,
    }


def suggestions_page(client, need_id: int) -> str:
    response = client.get(f"/manage/needs/{need_id}/suggestions")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def invite(client, shift_id: int, volunteer_id: int):
    return client.post(f"/manage/shifts/{shift_id}/invite", data={"volunteer_id": volunteer_id})


def assignments_of(app, shift_id: int) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [
            (a.volunteer_id, a.status.value, a.source.value)
            for a in db.session.scalars(
                select(Assignment).where(Assignment.shift_id == shift_id).order_by(Assignment.id)
            )
        ]


def test_staff_see_suggestions_with_reasons_best_first_and_not_who_said_no(client, auth, gallery):
    auth.login(gallery["staff"].email)
    need_page = client.get(f"/manage/needs/{gallery['need'].id}").get_data(as_text=True)
    assert f'href="/manage/needs/{gallery["need"].id}/suggestions">Polecani wolontariusze' in (
        need_page
    )
    page = suggestions_page(client, gallery["need"].id)
    assert "<h1>Polecani wolontariusze</h1>" in page
    assert page.index("Anna Fotograficzna") < page.index("Bartek Początkujący")
    assert "umie: Fotografia, poziom 3 (wymagany 1)" in page
    assert "Celina Prywatna" not in page
    # Staff see what they see of applicants: age and checks, no contact before any placement.
    assert "wiek: " in page
    assert gallery["best"].email not in page


def test_staff_invite_and_the_volunteer_accepts_from_the_emails_link_after_signing_in(
    client, auth, gallery, mailbox, app
):
    auth.login(gallery["staff"].email)
    response = invite(client, gallery["shift"].id, gallery["best"].id)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wysłano zaproszenie: Anna Fotograficzna." in page
    assert assignments_of(app, gallery["shift"].id) == [
        (gallery["best"].id, "offered", "invitation")
    ]
    with app.app_context():
        shift = db.session.get(Shift, gallery["shift"].id)
        assert shift.accepted_count == 1  # the offer holds the one place
        offer = db.session.scalar(select(Assignment).where(Assignment.shift_id == shift.id))
        assert offer.expires_at is not None and offer.expires_at > utcnow()
        kinds = list(
            db.session.scalars(select(Notice.kind).where(Notice.user_id == gallery["best"].id))
        )
        assert kinds == ["invitation_made"]

    (message,) = mailbox.wait_for(gallery["best"].email)
    assert message["Subject"] == "Zaproszenie na zmianę wolontariatu"
    text = mailbox.text_of(message)
    assert "Galeria Sztuki Współczesnej zaprasza Cię na zmianę" in text
    accept_link = re.search(r"Przyjmuję zaproszenie: (\S+)", text).group(1)
    assert re.search(r"Nie mogę przyjść: (\S+)/decline", text)

    auth.logout()
    path = accept_link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(gallery["best"].email)
    page = client.get(f"/{path}").get_data(as_text=True)
    assert "Zaproszenie: Zdjęcia z wernisażu" in page
    response = client.post(f"/{path}")
    assert response.status_code == 303
    assert "Przyjęto zaproszenie" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert assignments_of(app, gallery["shift"].id) == [
        (gallery["best"].id, "accepted", "invitation")
    ]


def test_declining_an_invitation_gives_the_place_back(client, auth, gallery, app):
    auth.login(gallery["staff"].email)
    invite(client, gallery["shift"].id, gallery["beginner"].id)
    auth.logout()
    auth.login(gallery["beginner"].email)
    with app.app_context():
        offer_id = db.session.scalar(select(Assignment.id))
    assert client.get(f"/invitations/{offer_id}/decline").status_code == 200
    response = client.post(f"/invitations/{offer_id}/decline", data={"note": "Wyjeżdżam."})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Shift, gallery["shift"].id).accepted_count == 0
        assert db.session.get(Assignment, offer_id).status == S.DECLINED


def test_the_profile_says_whether_one_may_be_invited(client, auth, factory, app):
    volunteer = factory.user()
    auth.login(volunteer.email)
    form = client.get("/me/profile/edit").get_data(as_text=True)
    assert "Pracownicy instytucji mogą zapraszać mnie na zmiany" in form
    assert "Chcę raz w tygodniu dostawać e-mail z nowymi propozycjami" in form
    with app.app_context():
        profile = db.session.get(VolunteerProfile, volunteer.id)
        assert profile.is_invitable is True  # invitations are welcome until one says no
        assert profile.has_weekly_suggestions is False  # the e-mail is asked for, never assumed
    response = client.post(
        "/me/profile/edit",
        data={
            "first_name": "Ola",
            "last_name": "Testowa",
            "max_hours_month": "20",
            "has_weekly_suggestions": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.get(VolunteerProfile, volunteer.id)
        assert profile.is_invitable is False
        assert profile.has_weekly_suggestions is True


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("private", "Ta osoba nie przyjmuje zaproszeń od instytucji."),
        ("stranger", "Ta osoba nie pasuje do tej zmiany według zasad dopasowania"),
        ("staff", "Zapraszać można tylko wolontariuszy."),
        ("nobody", "Wybierz osobę z listy polecanych wolontariuszy."),
    ],
)
def test_staff_cannot_invite_who_is_no_candidate(client, auth, gallery, factory, app, who, message):
    stranger = factory.user(first_name="Damian", last_name="Bezumiejętności")
    ready(app, stranger)  # free and consenting, but without the required skill
    ids = {
        "private": gallery["private"].id,
        "stranger": stranger.id,
        "staff": gallery["staff"].id,
        "nobody": 2**31 - 1,
    }
    auth.login(gallery["staff"].email)
    response = invite(client, gallery["shift"].id, ids[who])
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert assignments_of(app, gallery["shift"].id) == []


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "99999999999", "1 OR 1=1"])
def test_a_broken_invitation_form_is_refused_in_polish(client, auth, gallery, app, value):
    auth.login(gallery["staff"].email)
    response = invite(client, gallery["shift"].id, value)
    assert response.status_code == 422
    assert "Wybierz osobę z listy polecanych wolontariuszy." in response.get_data(as_text=True)
    assert assignments_of(app, gallery["shift"].id) == []


def test_a_second_invitation_and_one_to_a_full_shift_are_refused(client, auth, gallery, app):
    auth.login(gallery["staff"].email)
    assert invite(client, gallery["shift"].id, gallery["best"].id).status_code == 303
    again = invite(client, gallery["shift"].id, gallery["best"].id)
    assert again.status_code == 409
    assert "ma już zgłoszenie, zaproszenie albo miejsce" in again.get_data(as_text=True)
    full = invite(client, gallery["shift"].id, gallery["beginner"].id)
    assert full.status_code == 409
    assert "Na tej zmianie nie ma już wolnych miejsc." in full.get_data(as_text=True)
    assert len(assignments_of(app, gallery["shift"].id)) == 1


def test_staff_of_another_institution_may_neither_see_nor_invite(client, auth, gallery, factory):
    theatre = factory.institution("Teatr im. Kochanowskiego")
    other_staff = factory.user(Role.STAFF, institution=theatre)
    auth.login(other_staff.email)
    assert client.get(f"/manage/needs/{gallery['need'].id}/suggestions").status_code == 403
    assert invite(client, gallery["shift"].id, gallery["best"].id).status_code == 403


def test_an_expired_invitation_cannot_be_accepted(client, auth, gallery, app):
    auth.login(gallery["staff"].email)
    invite(client, gallery["shift"].id, gallery["best"].id)
    with app.app_context():
        offer = db.session.scalar(select(Assignment))
        offer.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        offer_id = offer.id
    auth.logout()
    auth.login(gallery["best"].email)
    response = client.post(f"/invitations/{offer_id}/accept")
    assert response.status_code == 303
    assert "Ta oferta wygasła." in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, offer_id).status == S.EXPIRED
        assert db.session.get(Shift, gallery["shift"].id).accepted_count == 0


def test_for_you_and_the_staff_suggestions_come_from_one_ranking(client, auth, gallery, app):
    """The photographer sees the gallery's need in "Dla Ciebie"; the one who said no to
    invitations still gets suggestions for herself: the choice is about staff inviting."""
    auth.login(gallery["best"].email)
    page = client.get("/dashboard").get_data(as_text=True).split('id="dash-for-you"')[1]
    assert "Zdjęcia z wernisażu" in page
    auth.logout()
    auth.login(gallery["private"].email)
    page = client.get("/dashboard").get_data(as_text=True).split('id="dash-for-you"')[1]
    assert "Zdjęcia z wernisażu" in page


def test_the_weekly_email_goes_to_those_who_asked_and_stops_from_its_link(
    client, gallery, app, mailbox
):
    from app.services.weekly_suggestions import send_weekly

    with app.app_context():
        db.session.get(VolunteerProfile, gallery["best"].id).has_weekly_suggestions = True
        from app.models import Need

        db.session.get(Need, gallery["need"].id).published_at = utcnow() - timedelta(days=1)
        db.session.commit()
        assert send_weekly(utcnow()) == 1
        assert send_weekly(utcnow()) == 0  # once a week, however often the job runs
        db.session.commit()
    (message,) = mailbox.wait_for(gallery["best"].email)
    assert message["Subject"] == "Nowe propozycje wolontariatu dla Ciebie"
    text = mailbox.text_of(message)
    assert "Zdjęcia z wernisażu" in text
    assert mailbox.to(gallery["beginner"].email) == []  # the e-mail is off unless asked for
    link = re.search(r"Wyłącz je: (\S+)", text).group(1)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    # No sign-in needed: the link itself is the key.
    assert "Wyłącz cotygodniowe propozycje" in client.get(path).get_data(as_text=True)
    assert client.post(path).status_code == 200
    with app.app_context():
        assert db.session.get(VolunteerProfile, gallery["best"].id).has_weekly_suggestions is False
    assert client.get(path[:-3] + "xyz").status_code == 404  # a tampered link


def test_an_invitation_is_recorded_as_one(app, gallery):
    from app.services.invitations import invite as invite_rule

    with app.app_context():
        from app.models import User

        staff = db.session.get(User, gallery["staff"].id)
        volunteer = db.session.get(User, gallery["best"].id)
        invite_rule(db.session.get(Shift, gallery["shift"].id), volunteer, staff)
        db.session.commit()
        assert db.session.scalar(select(func.count(Assignment.id))) == 1
        assert db.session.scalar(select(Assignment.source)) == AssignmentSource.INVITATION


def test_a_shift_asking_no_skill_suggests_each_ready_volunteer_once(client, auth, factory, app):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO")
    need = factory.need(museum, "Dyżur przy szatni", start=at_ten(4), places=2)
    staff = factory.user(Role.STAFF, institution=museum)
    for first, last in (("Daria", "Szatniowa"), ("Emil", "Dyżurny")):
        ready(app, factory.user(first_name=first, last_name=last))
    factory.user(first_name="Filip", last_name="Bezzgody")  # no consent to data processing
    auth.login(staff.email)
    page = suggestions_page(client, need.id)
    headings = re.findall(r"<h3>([^<]+) <span", page)
    assert sorted(headings) == ["Daria Szatniowa", "Emil Dyżurny"]
