"""Messages to a need or a shift: each chosen volunteer gets one e-mail (Reply-To: the need's
contact person) and a notice; both sides see the history; a day has its limit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import Notice
from app.models import OutboxMessage
from app.models import ShiftMessage
from tests.shift_day.conftest import signed_in

pytestmark = pytest.mark.clock


def form_token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def write(
    client,
    url,
    audiences=("accepted",),
    subject="Zmiana godziny zbiórki",
    body="Zbieramy się 15 minut wcześniej przy kasie.",
):
    token = form_token(client.get(url).get_data(as_text=True))
    return client.post(
        url, data={"audiences": list(audiences), "subject": subject, "body": body, "token": token}
    ), token


def test_a_message_to_a_shift_reaches_each_chosen_volunteer_once_by_e_mail_and_notice(
    app, day, mailbox
):
    staff = signed_in(app, day.staff)
    url = f"/messages/shifts/{day.shift.id}/write"
    response, token = write(staff, url, audiences=("accepted", "offered"))
    assert response.status_code == 303
    # The same form sent again (a double click) sends nothing more.
    again = staff.post(
        url,
        data={"audiences": ["accepted"], "subject": "x", "body": "y", "token": token},
        follow_redirects=True,
    )
    assert "Ta wiadomość została już wysłana." in again.get_data(as_text=True)

    for person in (day.anna, day.piotr, day.olga):
        [mail] = mailbox.to(person.email)
        assert mail["Subject"] == "Zmiana godziny zbiórki"
        assert mail["Reply-To"] == "ewa.kustosz@example.org"
        assert "Zbieramy się 15 minut wcześniej przy kasie." in mailbox.text_of(mail)
    assert mailbox.to(day.marek.email) == []  # applications were not chosen
    with app.app_context():
        notices = db.session.scalars(
            select(Notice.user_id).where(Notice.kind == "shift_message")
        ).all()
        assert sorted(notices) == sorted([day.anna.id, day.piotr.id, day.olga.id])
        assert db.session.scalar(select(func.count(ShiftMessage.id))) == 1

    history = staff.get(f"/messages/needs/{day.running.id}/write").get_data(as_text=True)
    assert "Zmiana godziny zbiórki" in history and "odbiorców: 3" in history
    anna = signed_in(app, day.anna)
    page = anna.get(f"/messages/needs/{day.running.id}").get_data(as_text=True)
    assert "Zbieramy się 15 minut wcześniej przy kasie." in page
    assert "ewa.kustosz@example.org" in page
    assert "Wiadomość od instytucji w sprawie „Noc muzeów”" in anna.get("/me/notices").get_data(
        as_text=True
    )


def test_a_message_to_a_need_goes_to_its_applicants_when_chosen(app, day, mailbox):
    coordinator = signed_in(app, day.coordinator)
    response, _ = write(
        coordinator, f"/messages/needs/{day.running.id}/write", audiences=("applied",)
    )
    assert response.status_code == 303
    assert len(mailbox.to(day.marek.email)) == 1
    assert mailbox.to(day.anna.email) == []


def test_a_volunteer_without_a_place_on_the_need_sees_no_history(app, day):
    olga = signed_in(app, day.olga)
    assert olga.get(f"/messages/needs/{day.later.id}").status_code == 404


def test_the_daily_limit_refuses_in_polish(app, day, make_app):
    staff = signed_in(app, day.staff)
    url = f"/messages/shifts/{day.shift.id}/write"
    limit = app.config["SHIFT_MESSAGES_PER_DAY"]
    with app.app_context():
        for n in range(limit):
            db.session.add(
                ShiftMessage(
                    need_id=day.running.id,
                    sender_id=day.staff.id,
                    audiences=["accepted"],
                    subject=f"Nr {n}",
                    body="...",
                    form_token=f"{n:032x}",
                )
            )
        db.session.commit()
    response, _ = write(staff, url)
    assert response.status_code == 429
    assert f"Dzienny limit wiadomości ({limit}) jest już wyczerpany." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"audiences": [], "subject": "Temat", "body": "Treść"},
            "audiences",
            "Wybierz, do kogo ma trafić wiadomość.",
        ),
        (
            {"audiences": ["everyone"], "subject": "Temat", "body": "Treść"},
            "audiences",
            "Wybierz grupy z listy.",
        ),
        (
            {"audiences": ["accepted"], "subject": "   ", "body": "Treść"},
            "subject",
            "To pole jest wymagane.",
        ),
        (
            {"audiences": ["accepted"], "subject": "T" * 151, "body": "Treść"},
            "subject",
            "Najwyżej 150 znaków.",
        ),
        (
            {"audiences": ["accepted"], "subject": "Temat", "body": "Dzwonek \x07"},
            "body",
            "Pole zawiera niedozwolone znaki.",
        ),
        (
            {"audiences": ["accepted"], "subject": "Temat", "body": "Treść", "token": "nie-token"},
            "token",
            "Formularz wygasł.",
        ),
    ],
)
def test_bad_input_is_refused_at_the_field(app, day, data, field, message):
    staff = signed_in(app, day.staff)
    url = f"/messages/shifts/{day.shift.id}/write"
    token = form_token(staff.get(url).get_data(as_text=True))
    response = staff.post(url, data={"token": token, **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    if field != "token":
        assert f'id="{field}-error"' in page
    assert message in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ShiftMessage.id))) == 0


def test_a_group_with_nobody_in_it_is_refused(app, day):
    staff = signed_in(app, day.staff)
    response, _ = write(
        staff, f"/messages/shifts/{day.later.shifts[0].id}/write", audiences=("offered",)
    )
    assert response.status_code == 422
    assert "W wybranych grupach nie ma nikogo." in response.get_data(as_text=True)
