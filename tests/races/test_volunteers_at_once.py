"""Volunteers acting at the same moment: a double click, three tabs, staff deciding meanwhile.

Each scenario plays RACE_ROUNDS rounds over HTTP against gunicorn (tests/races/conftest.py) and
counts after each round what tests/races/harness.py describes; all counts but the rounds must be 0.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import HOLDS_PLACE
from app.models import AssignmentStatus
from tests.races.actions import accept
from tests.races.actions import apply
from tests.races.actions import decline
from tests.races.actions import fill
from tests.races.actions import withdraw

pytestmark = pytest.mark.postgres

S = AssignmentStatus


def test_a_double_clicked_withdraw_gives_the_place_back_once(world):
    volunteer, browser = world.volunteer("withdraws twice")
    staff = world.staff("museum staff", world.museum)

    def one_round(current):
        need = current.need(world.museum, places=2)
        place = current.application(volunteer, need, S.ACCEPTED)
        current.application(current.person(), need, S.ACCEPTED)
        for _ in range(2):
            current.application(current.person(), need)
        current.at_once([withdraw(browser, place.id)] * 2)
        fill(current, staff, need.shifts[0].id)

    world.play("double-clicked withdraw", one_round)


def test_three_declines_of_one_offer_give_its_place_back_once(world):
    volunteer, browser = world.volunteer("declines in three tabs")
    staff = world.staff("museum staff", world.museum)

    def one_round(current):
        need = current.need(world.museum, places=2)
        offer = current.application(volunteer, need, S.OFFERED)
        current.application(current.person(), need, S.ACCEPTED)
        for _ in range(2):
            current.application(current.person(), need)
        current.at_once([decline(browser, offer.id)] * 3)
        fill(current, staff, need.shifts[0].id)

    world.play("three declines of one offer", one_round)


def test_withdraw_against_accept_leaves_nobody_booked_who_was_told_otherwise(world):
    volunteer, browser = world.volunteer("withdraws while accepted")
    staff = world.staff("museum staff", world.museum)

    def one_round(current):
        need = current.need(world.museum, places=2)
        application = current.application(volunteer, need)
        told, _staff_answer = current.at_once(
            [withdraw(browser, application.id), accept(staff, application.id)]
        )
        withdrawn = [m for m in told.success_messages() if m.startswith("Wycofano")]
        status = current.status_of(application.id)
        if withdrawn and status in HOLDS_PLACE:
            current.misinformed_because(
                f"told {withdrawn[0]!r}, yet the application is {status.value}"
            )

    world.play("withdraw against accept", one_round)


def test_one_volunteer_applying_at_once_to_overlapping_shifts_is_booked_once(world):
    volunteer, browser = world.volunteer("applies twice at once")
    museum_staff = world.staff("museum staff", world.museum)
    theatre_staff = world.staff("theatre staff", world.theatre)

    def one_round(current):
        start = current.calendar.slot()
        at_museum = current.need(world.museum, places=2, start=start)
        at_theatre = current.need(world.theatre, places=2, start=start + timedelta(hours=1))
        current.people.add(volunteer.id)
        museum_shift, theatre_shift = at_museum.shifts[0].id, at_theatre.shifts[0].id
        current.at_once(
            [
                apply(browser, at_museum.id, museum_shift),
                apply(browser, at_theatre.id, theatre_shift),
            ]
        )
        # Staff at both institutions accept whatever arrived, at the same moment.
        current.at_once(
            [accept(museum_staff, a) for a in current.waiting(museum_shift)]
            + [accept(theatre_staff, a) for a in current.waiting(theatre_shift)]
        )

    world.play("overlapping shifts, two institutions", one_round)
