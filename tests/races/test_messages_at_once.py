"""A message to a shift sent with a double click: one message, one e-mail per volunteer.

Each round puts three volunteers on a shift; a staff member opens the message form once and the
browser sends it twice at the same moment. Afterwards the outbox must hold exactly one e-mail per
volunteer and the database one message; a page saying "sent" twice would be misinformation.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import AssignmentStatus
from app.models import OutboxMessage
from app.models import ShiftMessage
from tests.races.harness import ask

pytestmark = pytest.mark.postgres

TOKEN = re.compile(r'name="token" type="hidden" value="([0-9a-f]{32})"')
PEOPLE = 3


def outbox_counts(app, need_id: int, people: list[int]) -> tuple[int, dict[int, int]]:
    with app.app_context():
        messages = db.session.scalar(
            select(func.count(ShiftMessage.id)).where(ShiftMessage.need_id == need_id)
        )
        rows = dict(
            db.session.execute(
                select(OutboxMessage.recipient_id, func.count(OutboxMessage.id))
                .where(
                    OutboxMessage.kind == "shift_message",
                    OutboxMessage.recipient_id.in_(people),
                )
                .group_by(OutboxMessage.recipient_id)
            ).all()
        )
        db.session.remove()
    return messages or 0, {person: rows.get(person, 0) for person in people}


def test_a_double_clicked_message_reaches_each_volunteer_once(world):
    staff = world.staff("museum staff", world.museum)

    def one_round(current):
        need = current.need(world.museum, places=PEOPLE)
        shift_id = need.shifts[0].id
        people = [current.person() for _ in range(PEOPLE)]
        for person in people:
            current.application(person, need, AssignmentStatus.ACCEPTED)
        url = f"/messages/shifts/{shift_id}/write"
        status, _path, page = staff.get(url)
        assert status == 200, page
        fields = {
            "token": TOKEN.search(page).group(1),
            "audiences": "accepted",
            "subject": "Zmiana miejsca zbiórki",
            "body": "Spotykamy się przy wejściu od ogrodu.",
        }
        answers = current.at_once([ask(staff, url, fields)] * 2)
        told_sent = sum(
            1 for a in answers for m in a.success_messages() if m.startswith("Wysłano wiadomość")
        )
        messages, mails = outbox_counts(current.factory.app, need.id, [p.id for p in people])
        if messages != 1 or set(mails.values()) != {1}:
            current.misinformed_because(f"{messages} messages, e-mails per person {mails}")
        if told_sent != messages:
            current.misinformed_because(f"{told_sent} pages said sent, {messages} message(s)")

    world.play("double-clicked message", one_round)
