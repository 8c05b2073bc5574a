"""Two requests on one row at the same moment, in two transactions on PostgreSQL (READ COMMITTED):
a double-clicked withdraw or decline, a double-clicked accept, one proposal approved in two tabs,
withdraw against accept, fewer places against accept, cancelling a shift against accept.

Each attempt runs in its own thread and app context, so with its own session and connection; it
reads its rows first, as a page did, and a Barrier releases both into the service together. After
every round the database must hold: counter == people holding a place <= places, and exactly one
of two identical requests did anything. Bounded: a few rounds per case, a 30 s timeout per thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import Role
from app.models import Shift
from app.models import User
from app.services import applications
from app.services import needs
from app.services import offers
from app.services.applications import ApplicationError
from app.services.needs import NeedError
from app.services.needs import ShiftSpec

pytestmark = pytest.mark.postgres

S = AssignmentStatus
ROUNDS = 8
Attempt = Callable[[Callable[[], None]], None]


def race(app, *attempts: Attempt) -> list[str]:
    """Run the attempts at once; each loads what it needs, calls `go()`, then acts.

    Outcomes: "done", "refused: <message>" (nothing changed; the message says why, e.g. the
    current state), or "error: ..." for anything else (a deadlock, a constraint).
    """
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(attempt: Attempt) -> None:
        with app.app_context(), app.test_request_context():
            try:
                attempt(lambda: barrier.wait(timeout=10))
                db.session.commit()
                outcome = "done"
            except (ApplicationError, NeedError) as exc:
                db.session.rollback()
                outcome = f"refused: {exc}"
            except Exception as exc:  # noqa: BLE001 - shown by the assertion below
                db.session.rollback()
                outcome = f"error: {type(exc).__name__}: {exc}"
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == len(attempts), "an attempt did not finish"
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    return sorted(outcomes)


def kinds(outcomes: list[str]) -> list[str]:
    return sorted(o.split(":")[0] for o in outcomes)


def holds(app, shift_id: int) -> tuple[int, int, int]:
    """(counter, people holding a place, places) of the shift, from the database."""
    with app.app_context():
        shift = db.session.get(Shift, shift_id)
        holders = db.session.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.shift_id == shift_id, Assignment.status.in_([S.OFFERED, S.ACCEPTED])
            )
        )
        return shift.accepted_count, holders, shift.places


def audit_rows(app, action: str, object_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.action == action, AuditLog.object_id == object_id
            )
        )


@pytest.fixture
def world(factory):
    inst = factory.institution("Muzeum Równoczesne", slug="muzeum-rownoczesne")
    staff = [factory.user(Role.STAFF, institution=inst) for _ in range(2)]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    return inst, staff, start


def _need(factory, world, round_no: int, places: int):
    inst, _, start = world
    return factory.need(
        inst, f"Runda {round_no}", places=places, start=start + timedelta(days=round_no)
    )


def withdrawing(assignment_id: int, volunteer_id: int) -> Attempt:
    def attempt(go):
        row, volunteer = (
            db.session.get(Assignment, assignment_id),
            db.session.get(User, volunteer_id),
        )
        _ = row.shift.starts_at
        go()
        applications.withdraw(row, volunteer)

    return attempt


def accepting(assignment_id: int, actor_id: int) -> Attempt:
    def attempt(go):
        row, actor = db.session.get(Assignment, assignment_id), db.session.get(User, actor_id)
        _ = (row.shift.places, row.need.title, row.status)
        go()
        applications.accept(row, actor)

    return attempt


def test_a_double_clicked_withdraw_gives_one_place_back(app, factory, world):
    for round_no in range(ROUNDS):
        need = _need(factory, world, round_no, places=3)
        person = factory.user()
        mine = factory.application(person, need, status=S.ACCEPTED)
        factory.application(factory.user(), need, status=S.ACCEPTED)
        outcomes = race(app, withdrawing(mine.id, person.id), withdrawing(mine.id, person.id))
        assert kinds(outcomes) == ["done", "refused"], outcomes
        assert "To zgłoszenie zostało już wycofane." in outcomes[1]
        assert holds(app, need.shifts[0].id) == (1, 1, 3)
        assert audit_rows(app, "application.withdrawn", mine.id) == 1


def test_a_double_clicked_decline_gives_one_place_back(app, factory, world):
    def declining(assignment_id: int, volunteer_id: int) -> Attempt:
        def attempt(go):
            row = db.session.get(Assignment, assignment_id)
            volunteer = db.session.get(User, volunteer_id)
            go()
            offers.decline_offer(row, volunteer)

        return attempt

    for round_no in range(ROUNDS):
        need = _need(factory, world, round_no, places=3)
        person = factory.user()
        offer = factory.application(person, need, status=S.OFFERED)
        factory.application(factory.user(), need, status=S.ACCEPTED)
        outcomes = race(app, declining(offer.id, person.id), declining(offer.id, person.id))
        assert kinds(outcomes) == ["done", "refused"], outcomes
        assert "Tej oferty już odmówiono." in outcomes[1]
        assert holds(app, need.shifts[0].id) == (1, 1, 3)


def test_a_double_clicked_accept_takes_one_place(app, factory, world):
    _, staff, _ = world
    for round_no in range(ROUNDS):
        need = _need(factory, world, round_no, places=3)
        application = factory.application(factory.user(), need)
        outcomes = race(
            app, accepting(application.id, staff[0].id), accepting(application.id, staff[1].id)
        )
        assert kinds(outcomes) == ["done", "refused"], outcomes
        assert "To zgłoszenie zostało już przyjęte." in outcomes[1]
        assert holds(app, need.shifts[0].id) == (1, 1, 3)
        assert audit_rows(app, "application.accepted", application.id) == 1


def test_one_proposal_approved_in_two_sessions_takes_one_place(app, factory, world):
    coordinators = [factory.user(Role.COORDINATOR) for _ in range(2)]

    def approving(assignment_id: int, actor_id: int) -> Attempt:
        def attempt(go):
            row, actor = db.session.get(Assignment, assignment_id), db.session.get(User, actor_id)
            _ = (row.shift.places, row.need.title, row.status)
            go()
            offers.decide_many([assignment_id], actor, True, None)

        return attempt

    for round_no in range(ROUNDS):
        need = _need(factory, world, round_no, places=3)
        proposal = factory.application(factory.user(), need, status=S.PROPOSED)
        race(
            app,
            approving(proposal.id, coordinators[0].id),
            approving(proposal.id, coordinators[1].id),
        )
        assert holds(app, need.shifts[0].id) == (1, 1, 3)
        assert audit_rows(app, "proposal.approved", proposal.id) == 1


def test_withdraw_against_accept_one_of_them_wins_and_the_counter_follows(app, factory, world):
    _, staff, _ = world
    for round_no in range(ROUNDS):
        need = _need(factory, world, round_no, places=3)
        person = factory.user()
        application = factory.application(person, need)
        outcomes = race(
            app, withdrawing(application.id, person.id), accepting(application.id, staff[0].id)
        )
        assert kinds(outcomes) == ["done", "refused"], outcomes
        counter, holders, _ = holds(app, need.shifts[0].id)
        assert counter == holders
        with app.app_context():
            status = db.session.get(Assignment, application.id).status
        assert (status, holders) in ((S.WITHDRAWN, 0), (S.ACCEPTED, 1)), (status, outcomes)
        told = "przyjęte" if status == S.ACCEPTED else "wycofane"
        assert f"To zgłoszenie zostało już {told}." in outcomes[1], outcomes


def test_fewer_places_against_accept_never_leaves_more_people_than_places(app, factory, world):
    _, staff, _ = world

    def lowering(shift_id: int, actor_id: int, places: int) -> Attempt:
        def attempt(go):
            shift, actor = db.session.get(Shift, shift_id), db.session.get(User, actor_id)
            spec = ShiftSpec(shift.starts_at, shift.ends_at, places)
            go()
            needs.update_shift(shift, actor, spec)

        return attempt

    for round_no in range(ROUNDS):
        need = _need(factory, world, round_no, places=2)
        shift_id = need.shifts[0].id
        factory.application(factory.user(), need, status=S.ACCEPTED)
        application = factory.application(factory.user(), need)
        outcomes = race(
            app, lowering(shift_id, staff[0].id, 1), accepting(application.id, staff[1].id)
        )
        assert kinds(outcomes) == ["done", "refused"], outcomes
        counter, holders, places = holds(app, shift_id)
        assert counter == holders <= places, outcomes


def test_cancelling_a_shift_against_accept_leaves_nobody_holding_a_place(app, factory, world):
    _, staff, _ = world

    def cancelling(shift_id: int, actor_id: int) -> Attempt:
        def attempt(go):
            shift, actor = db.session.get(Shift, shift_id), db.session.get(User, actor_id)
            _ = shift.need.title
            go()
            needs.cancel_shift(shift, actor, "Awaria ogrzewania")

        return attempt

    for round_no in range(ROUNDS):
        need = _need(factory, world, round_no, places=3)
        shift_id = need.shifts[0].id
        application = factory.application(factory.user(), need)
        race(app, cancelling(shift_id, staff[0].id), accepting(application.id, staff[1].id))
        assert holds(app, shift_id) == (0, 0, 3)
        with app.app_context():
            assert db.session.get(Assignment, application.id).status == S.CANCELLED
