"""Staff inviting at the same moment: two colleagues inviting two people to the last place, and a
double click on "Zaproś". Counted from the database after each round, as the harness does."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from tests.live_server import Visitor
from tests.races.harness import Call
from tests.races.harness import Round
from tests.races.harness import ask

pytestmark = pytest.mark.postgres

INVITED = "Wysłano zaproszenie"


def invite(staff: Visitor, shift_id: int, volunteer_id: int) -> Call:
    """invitations.invite: "Zaproś" beside a suggested volunteer."""
    return ask(staff, f"/manage/shifts/{shift_id}/invite", {"volunteer_id": str(volunteer_id)})


def suggested(current: Round):
    """A volunteer the ranking suggests for any daytime shift: consenting, free all day."""
    volunteer = current.person()
    with current.factory.app.app_context():
        db.session.add(
            Consent(user_id=volunteer.id, kind=ConsentKind.DATA_PROCESSING, granted=True)
        )
        db.session.add_all(
            AvailabilityWindow(
                user_id=volunteer.id, weekday=d, start_time=time(6), end_time=time(23)
            )
            for d in range(7)
        )
        db.session.commit()
        db.session.remove()
    return volunteer


def offers_on(current: Round, shift_id: int) -> int:
    with current.factory.app.app_context():
        count = db.session.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.shift_id == shift_id, Assignment.status == AssignmentStatus.OFFERED
            )
        )
        db.session.remove()
        return count


def told_invited(answers) -> int:
    return sum(1 for a in answers if any(INVITED in m for m in a.success_messages()))


def test_two_colleagues_inviting_two_people_to_the_last_place_promise_it_once(world):
    colleagues = [
        world.staff("museum staff", world.museum),
        world.staff("museum colleague", world.museum),
    ]

    def one_round(current):
        shift_id = current.need(world.museum, places=1).shifts[0].id
        people = [suggested(current), suggested(current)]
        answers = current.at_once(
            [
                invite(staff, shift_id, person.id)
                for staff, person in zip(colleagues, people, strict=True)
            ]
        )
        offers = offers_on(current, shift_id)
        if offers != 1:
            current.misinformed_because(f"shift {shift_id}: {offers} offers for one place")
        if told_invited(answers) != offers:
            current.misinformed_because(
                f"shift {shift_id}: {told_invited(answers)} told invited, {offers} offers"
            )

    world.play("two invitations, last place", one_round)


def test_a_double_clicked_invitation_makes_one_offer(world):
    staff = world.staff("museum staff", world.museum)

    def one_round(current):
        shift_id = current.need(world.museum, places=2).shifts[0].id
        person = suggested(current)
        answers = current.at_once([invite(staff, shift_id, person.id)] * 2)
        offers = offers_on(current, shift_id)
        if offers != 1:
            current.misinformed_because(f"shift {shift_id}: {offers} offers after a double click")
        if told_invited(answers) != 1:
            current.misinformed_because(f"shift {shift_id}: {told_invited(answers)} told invited")

    world.play("double-clicked invitation", one_round)
