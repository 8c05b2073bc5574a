"""Staff and coordinators deciding at the same moment: a double click, two tabs, two colleagues.

Each scenario plays RACE_ROUNDS rounds over HTTP against gunicorn (tests/races/conftest.py) and
counts after each round what tests/races/harness.py describes; all counts but the rounds must be 0.
"""

from __future__ import annotations

import itertools

import pytest

from app.models import AssignmentStatus
from tests.races.actions import accept
from tests.races.actions import apply
from tests.races.actions import approve
from tests.races.actions import change_places
from tests.races.actions import fill

pytestmark = pytest.mark.postgres

S = AssignmentStatus
CROWD = 25  # people applying at once for the last place
# The shift edit reads the shift first thing and writes it soon after; the accept writes late in
# its request. Rounds hold the edit back by 0 to 90 ms, so that some land in the window between.
LAGS = [n / 100 for n in range(10)]
DECIDED_AT_ONCE = 9  # of their applications, accepted at the same moment by two staff members


def test_a_double_clicked_accept_takes_one_place(world):
    staff = world.staff("museum staff", world.museum)

    def one_round(current):
        need = current.need(world.museum, places=2)
        application = current.application(current.person(), need)
        current.application(current.person(), need)
        current.at_once([accept(staff, application.id)] * 2)
        fill(current, staff, need.shifts[0].id)

    world.play("double-clicked accept", one_round)


def test_one_proposal_approved_in_two_sessions_takes_one_place(world):
    coordinators = [world.coordinator("coordinator 1"), world.coordinator("coordinator 2")]
    staff = world.staff("museum staff", world.museum)

    def one_round(current):
        need = current.need(world.museum, places=2)
        run = current.factory.match_run()
        proposal = current.application(current.person(), need, S.PROPOSED, run_id=run.id)
        current.application(current.person(), need)
        current.at_once([approve(c, proposal.id, run.id) for c in coordinators])
        fill(current, staff, need.shifts[0].id)

    world.play("one proposal, two sessions", one_round)


def test_fewer_places_against_an_accept_never_leaves_more_people_than_places(world):
    editor = world.staff("museum staff", world.museum)
    colleague = world.staff("museum colleague", world.museum)

    lags = itertools.cycle(LAGS)

    def one_round(current):
        need = current.need(world.museum, places=2)
        current.application(current.person(), need, S.ACCEPTED)
        application = current.application(current.person(), need)
        current.at_once(
            [change_places(editor, need.shifts[0], 1), accept(colleague, application.id)],
            lags=[next(lags), 0.0],
        )

    world.play("fewer places against accept", one_round)


def test_a_crowd_applying_for_the_last_place_and_staff_accepting_at_once(world):
    crowd = [world.volunteer(f"crowd {n}") for n in range(CROWD)]
    staff = itertools.cycle(
        [world.staff("museum staff", world.museum), world.staff("museum colleague", world.museum)]
    )

    def one_round(current):
        need = current.need(world.museum, places=2)
        shift_id = need.shifts[0].id
        current.application(current.person(), need, S.ACCEPTED)
        current.people.update(volunteer.id for volunteer, _ in crowd)
        current.at_once([apply(browser, need.id, shift_id) for _, browser in crowd])
        waiting = current.waiting(shift_id)
        chosen = waiting[:: max(1, len(waiting) // DECIDED_AT_ONCE)][:DECIDED_AT_ONCE]
        current.at_once([accept(next(staff), a) for a in chosen])

    # Each round is some sixty requests: half as many rounds as the other scenarios.
    world.play("25 applicants, last place", one_round, rounds=max(1, world.rounds // 2))
