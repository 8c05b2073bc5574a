"""Two staff members press "accept" at the same moment: the rules still hold (PostgreSQL only).

Each attempt runs in its own thread with its own app context, so its own database session and
connection; a Barrier releases both right before applications.accept(). SQLite serialises writers
anyway, so these tests run only on PostgreSQL (TEST_DATABASE_URL), where the guarded UPDATE on
shift.accepted_count and the row lock on the volunteer's profile are what keep the rules.
"""

from __future__ import annotations

import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Role
from app.models import Shift
from app.models import User
from app.services.applications import ApplicationError
from app.services.applications import accept

pytestmark = pytest.mark.postgres

ROUNDS = 30


def race(app, attempts: list[tuple[int, int]]) -> list[str]:
    """Run accept(assignment, actor) for each (assignment id, actor id) at the same moment."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(assignment_id: int, actor_id: int) -> None:
        with app.test_request_context():
            try:
                assignment = db.session.get(Assignment, assignment_id)
                actor = db.session.get(User, actor_id)
                _ = (assignment.shift.places, assignment.need.title, actor.memberships)
                barrier.wait(timeout=10)
                try:
                    accept(assignment, actor)
                    db.session.commit()
                    outcome = "accepted"
                except ApplicationError as exc:
                    db.session.rollback()
                    outcome = f"refused: {exc}"
            except Exception as exc:  # anything else is a failure the test should show
                db.session.rollback()
                outcome = f"error: {type(exc).__name__}: {exc}"
            finally:
                db.session.remove()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=pair) for pair in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == len(attempts), "a thread did not finish"
    return results


def test_two_applicants_for_the_last_place_only_one_gets_it(app, factory):
    inst = factory.institution("Muzeum Współbieżne", slug="muzeum-wspolbiezne")
    staff_1 = factory.user(Role.STAFF, institution=inst)
    staff_2 = factory.user(Role.STAFF, institution=inst)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    for round_no in range(ROUNDS):
        need = factory.need(
            inst, f"Ostatnie miejsce {round_no}", places=1, start=start + timedelta(days=round_no)
        )
        first = factory.application(factory.user(), need)
        second = factory.application(factory.user(), need)
        results = race(app, [(first.id, staff_1.id), (second.id, staff_2.id)])
        assert sorted(r.split(":")[0] for r in results) == ["accepted", "refused"], results
        assert any("nie ma już wolnych miejsc" in r for r in results), results
        with app.app_context():
            shift = db.session.get(Shift, need.shifts[0].id)
            accepted = db.session.scalar(
                select(func.count(Assignment.id)).where(
                    Assignment.shift_id == shift.id,
                    Assignment.status == AssignmentStatus.ACCEPTED,
                )
            )
            assert shift.accepted_count == 1 == accepted
            assert shift.accepted_count <= shift.places


def test_one_volunteer_on_overlapping_shifts_at_two_institutions_only_one_placement(app, factory):
    museum = factory.institution("Muzeum Równoległe", slug="muzeum-rownolegle")
    theatre = factory.institution("Teatr Równoległy", slug="teatr-rownolegly")
    staff_museum = factory.user(Role.STAFF, institution=museum)
    staff_theatre = factory.user(Role.STAFF, institution=theatre)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    for round_no in range(ROUNDS):
        when = start + timedelta(days=round_no)
        need_m = factory.need(museum, f"Noc muzeów {round_no}", places=5, start=when)
        need_t = factory.need(
            theatre, f"Premiera {round_no}", places=5, start=when + timedelta(hours=1)
        )
        person = factory.user()
        at_museum = factory.application(person, need_m)
        at_theatre = factory.application(person, need_t)
        results = race(app, [(at_museum.id, staff_museum.id), (at_theatre.id, staff_theatre.id)])
        assert sorted(r.split(":")[0] for r in results) == ["accepted", "refused"], results
        assert any("ma już w tym czasie inną zmianę" in r for r in results), results
        with app.app_context():
            placed = db.session.scalar(
                select(func.count(Assignment.id)).where(
                    Assignment.volunteer_id == person.id,
                    Assignment.status == AssignmentStatus.ACCEPTED,
                )
            )
            assert placed == 1
            counts = sorted(
                db.session.get(Shift, n.shifts[0].id).accepted_count for n in (need_m, need_t)
            )
            assert counts == [0, 1]
