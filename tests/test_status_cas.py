"""A request that acts on what it read a moment ago, after another request changed it: nothing
changes a second time (no second place, notice or audit row) and the error says the current state.

The "other request" runs in its own app context, so with its own session and connection, and
commits before the first one acts on the row it loaded earlier: the order in which two concurrent
requests end. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
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
from app.models import Need
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models import User
from app.models.hours import HoursEntry
from app.services import applications
from app.services import hours
from app.services import needs
from app.services import offers
from app.services.applications import ApplicationError

S = AssignmentStatus


@pytest.fixture
def museum(factory):
    inst = factory.institution("Muzeum Porównań", slug="muzeum-porownan")
    staff = factory.user(Role.STAFF, institution=inst)
    coordinator = factory.user(Role.COORDINATOR)
    return inst, staff, coordinator


@contextmanager
def first_request(app):
    """The request that read the row first and acts last."""
    with app.app_context(), app.test_request_context():
        try:
            yield
        finally:
            db.session.rollback()
            db.session.remove()


def meanwhile(app, action: Callable[[], None]) -> None:
    """Another request, in its own session, that acts and commits in between.

    The first request's read transaction ends first, keeping the objects as they were read (as
    between showing a page and the next click), so that a database which lets one writer in at a
    time is not held by a reader here.
    """
    loaded = list(db.session.identity_map.values())
    db.session.close()
    db.session.add_all(loaded)
    with app.app_context(), app.test_request_context():
        action()
        db.session.commit()
        db.session.remove()


def get(model, id_):
    return db.session.get(model, id_)


def counts(app, shift_id: int, action: str) -> tuple[int, int, int]:
    """The shift's counter, the rows holding one of its places, and the audit rows of `action`."""
    with app.app_context():
        counter = db.session.get(Shift, shift_id).accepted_count
        holders = db.session.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.shift_id == shift_id, Assignment.status.in_([S.OFFERED, S.ACCEPTED])
            )
        )
        audits = db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == action))
        return counter, holders, audits


def notices(app, user_id: int, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Notice.id)).where(Notice.user_id == user_id, Notice.kind == kind)
        )


def test_move_to_changes_only_the_status_it_saw_and_then_shows_the_current_one(
    app, factory, museum
):
    inst, staff, _ = museum
    need = factory.need(inst)
    application = factory.application(factory.user(), need)
    with first_request(app):
        row = get(Assignment, application.id)
        assert row.status == S.APPLIED
        meanwhile(app, lambda: get(Assignment, application.id).move_to(S.REJECTED))
        assert row.move_to(S.ACCEPTED, decided_by_id=staff.id) is False
        assert row.status == S.REJECTED and row.decided_by_id is None
        db.session.commit()
    with app.app_context():
        stored = db.session.get(Assignment, application.id)
        assert stored.status == S.REJECTED and stored.decided_by_id is None


def test_move_to_that_wins_writes_the_other_columns_with_the_status(app, factory, museum):
    inst, staff, _ = museum
    application = factory.application(factory.user(), factory.need(inst))
    with first_request(app):
        row = get(Assignment, application.id)
        assert row.move_to(S.REJECTED, decided_by_id=staff.id, decision_note="Komplet") is True
        assert row.status == S.REJECTED and row.decided_by.id == staff.id
        assert not db.session.dirty  # the object shows the row; nothing is left to flush
        db.session.commit()
    with app.app_context():
        stored = db.session.get(Assignment, application.id)
        assert (stored.status, stored.decided_by_id, stored.decision_note) == (
            S.REJECTED,
            staff.id,
            "Komplet",
        )


def test_a_repeated_withdraw_gives_the_place_back_once(app, factory, museum):
    inst, _, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    mine = factory.application(person, need, status=S.ACCEPTED)
    factory.application(factory.user(), need, status=S.ACCEPTED)
    shift_id = need.shifts[0].id
    with first_request(app):
        row, volunteer = get(Assignment, mine.id), get(User, person.id)
        _ = row.shift.starts_at
        meanwhile(
            app, lambda: applications.withdraw(get(Assignment, mine.id), get(User, person.id))
        )
        with pytest.raises(ApplicationError, match="To zgłoszenie zostało już wycofane."):
            applications.withdraw(row, volunteer)
    assert counts(app, shift_id, "application.withdrawn") == (1, 1, 1)


def test_a_repeated_staff_accept_takes_one_place_and_tells_once(app, factory, museum):
    inst, staff, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    application = factory.application(person, need)
    shift_id = need.shifts[0].id
    with first_request(app):
        row, actor = get(Assignment, application.id), get(User, staff.id)
        _ = (row.shift.places, row.need.title)
        meanwhile(
            app, lambda: applications.accept(get(Assignment, application.id), get(User, staff.id))
        )
        with pytest.raises(ApplicationError, match="To zgłoszenie zostało już przyjęte."):
            applications.accept(row, actor)
    assert counts(app, shift_id, "application.accepted") == (1, 1, 1)
    assert notices(app, person.id, "application_accepted") == 1


def test_one_proposal_approved_in_two_tabs_holds_one_place(app, factory, museum):
    inst, _, coordinator = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    proposal = factory.application(person, need, status=S.PROPOSED)
    shift_id = need.shifts[0].id
    with first_request(app):
        row, actor = get(Assignment, proposal.id), get(User, coordinator.id)
        _ = (row.shift.places, row.need.title)
        meanwhile(
            app,
            lambda: offers.approve_proposal(
                get(Assignment, proposal.id), get(User, coordinator.id)
            ),
        )
        with pytest.raises(ApplicationError, match="Ta propozycja została już zatwierdzona"):
            offers.approve_proposal(row, actor)
    assert counts(app, shift_id, "proposal.approved") == (1, 1, 1)
    assert notices(app, person.id, "offer_made") == 1


def test_a_batch_approval_that_finds_a_proposal_approved_meanwhile_leaves_it_alone(
    app, factory, museum
):
    inst, _, coordinator = museum
    need = factory.need(inst, places=3)
    first = factory.application(factory.user(), need, status=S.PROPOSED)
    second = factory.application(factory.user(), need, status=S.PROPOSED)
    shift_id = need.shifts[0].id
    with first_request(app):
        actor = get(User, coordinator.id)
        _ = get(Assignment, first.id).status  # the page was loaded before the other approval
        meanwhile(
            app,
            lambda: offers.approve_proposal(get(Assignment, first.id), get(User, coordinator.id)),
        )
        done, problems = offers.decide_many([first.id, second.id], actor, True, None)
        db.session.commit()
    assert done == 1
    assert len(problems) == 1 and "Ta propozycja została już zatwierdzona" in problems[0]
    assert counts(app, shift_id, "proposal.approved") == (2, 2, 2)


def test_withdrawing_an_application_staff_accepted_meanwhile_changes_nothing(app, factory, museum):
    inst, staff, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    application = factory.application(person, need)
    shift_id = need.shifts[0].id
    with first_request(app):
        row, volunteer = get(Assignment, application.id), get(User, person.id)
        _ = row.shift.starts_at
        meanwhile(
            app, lambda: applications.accept(get(Assignment, application.id), get(User, staff.id))
        )
        with pytest.raises(ApplicationError, match="To zgłoszenie zostało już przyjęte."):
            applications.withdraw(row, volunteer)
    assert counts(app, shift_id, "application.withdrawn") == (1, 1, 0)


def test_accepting_an_application_withdrawn_meanwhile_takes_no_place(app, factory, museum):
    inst, staff, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    application = factory.application(person, need)
    shift_id = need.shifts[0].id
    with first_request(app):
        row, actor = get(Assignment, application.id), get(User, staff.id)
        _ = (row.shift.places, row.need.title)
        meanwhile(
            app,
            lambda: applications.withdraw(get(Assignment, application.id), get(User, person.id)),
        )
        with pytest.raises(ApplicationError, match="To zgłoszenie zostało już wycofane."):
            applications.accept(row, actor)
    assert counts(app, shift_id, "application.accepted") == (0, 0, 0)
    assert notices(app, person.id, "application_accepted") == 0


def test_rejecting_an_application_accepted_meanwhile_leaves_the_place_counted(app, factory, museum):
    inst, staff, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    application = factory.application(person, need)
    shift_id = need.shifts[0].id
    with first_request(app):
        row, actor = get(Assignment, application.id), get(User, staff.id)
        _ = row.need.title
        meanwhile(
            app, lambda: applications.accept(get(Assignment, application.id), get(User, staff.id))
        )
        with pytest.raises(ApplicationError, match="To zgłoszenie zostało już przyjęte."):
            applications.reject(row, actor, "Komplet")
    assert counts(app, shift_id, "application.rejected") == (1, 1, 0)
    assert notices(app, person.id, "application_rejected") == 0


def test_a_repeated_decline_gives_the_place_back_once(app, factory, museum):
    inst, _, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    offer = factory.application(person, need, status=S.OFFERED)
    factory.application(factory.user(), need, status=S.ACCEPTED)
    shift_id = need.shifts[0].id
    with first_request(app):
        row, volunteer = get(Assignment, offer.id), get(User, person.id)
        meanwhile(
            app, lambda: offers.decline_offer(get(Assignment, offer.id), get(User, person.id))
        )
        with pytest.raises(ApplicationError, match="Tej oferty już odmówiono."):
            offers.decline_offer(row, volunteer)
    assert counts(app, shift_id, "offer.declined") == (1, 1, 1)


def test_an_offer_accepted_meanwhile_does_not_expire(app, factory, museum):
    inst, _, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    offer = factory.application(person, need, status=S.OFFERED)
    shift_id = need.shifts[0].id
    with first_request(app):
        row = get(Assignment, offer.id)
        _ = row.need.title
        meanwhile(app, lambda: offers.accept_offer(get(Assignment, offer.id), get(User, person.id)))
        assert offers.expire(row) is False
        db.session.commit()
    assert counts(app, shift_id, "offer.expired") == (1, 1, 0)
    assert notices(app, person.id, "offer_expired") == 0
    with app.app_context():
        assert db.session.get(Assignment, offer.id).status == S.ACCEPTED


def test_lowering_places_below_people_accepted_meanwhile_is_refused_at_the_field(
    app, factory, museum
):
    inst, staff, _ = museum
    need = factory.need(inst, places=2)
    first = factory.application(factory.user(), need)
    second = factory.application(factory.user(), need)
    shift_id = need.shifts[0].id

    def accept_both() -> None:
        for application in (first, second):
            applications.accept(get(Assignment, application.id), get(User, staff.id))

    with first_request(app):
        shift, actor = get(Shift, shift_id), get(User, staff.id)
        assert shift.accepted_count == 0
        meanwhile(app, accept_both)
        spec = needs.ShiftSpec(shift.starts_at, shift.ends_at, 1)
        with pytest.raises(needs.NeedError, match="przyjęto już 2 osoby") as refused:
            needs.update_shift(shift, actor, spec)
        assert refused.value.field == "places"
    with app.app_context():
        stored = db.session.get(Shift, shift_id)
        assert (stored.places, stored.accepted_count) == (2, 2)


def test_a_need_cancelled_twice_tells_everyone_once(app, factory, museum):
    inst, staff, _ = museum
    need = factory.need(inst, places=3)
    person = factory.user()
    factory.application(person, need, status=S.ACCEPTED)
    shift_id = need.shifts[0].id
    with first_request(app):
        stale, actor = get(Need, need.id), get(User, staff.id)
        _ = [s.id for s in stale.shifts]
        meanwhile(app, lambda: needs.cancel(get(Need, need.id), get(User, staff.id), "Burza"))
        with pytest.raises(needs.NeedError, match="Ta potrzeba jest już odwołana."):
            needs.cancel(stale, actor, "Burza")
    assert counts(app, shift_id, "need.cancelled") == (0, 0, 1)
    assert notices(app, person.id, "need_cancelled") == 1


def test_cancelling_a_shift_recounts_its_places_from_the_rows(app, factory, museum):
    """Attendance recorded on a shift stays counted; the counter is rebuilt, not zeroed."""
    inst, staff, _ = museum
    started = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    need = factory.need(inst, start=started, places=3)
    factory.application(factory.user(), need, status=S.ACCEPTED)
    came = factory.application(factory.user(), need, status=S.ACCEPTED)
    shift_id = need.shifts[0].id
    with app.test_request_context():
        hours.confirm_assignment(get(User, staff.id), get(Assignment, came.id), 4)
        needs.cancel_shift(get(Shift, shift_id), get(User, staff.id), "Awaria")
        db.session.commit()
        assert get(Shift, shift_id).accepted_count == 1


def test_a_repeated_attendance_confirmation_writes_one_entry(app, factory, museum):
    inst, staff, _ = museum
    started = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    need = factory.need(inst, start=started)
    person = factory.user()
    placement = factory.application(person, need, status=S.ACCEPTED)
    with first_request(app):
        row, actor = get(Assignment, placement.id), get(User, staff.id)
        _ = (row.shift.starts_at, row.need.institution_id)
        meanwhile(
            app,
            lambda: hours.confirm_assignment(get(User, staff.id), get(Assignment, placement.id), 4),
        )
        with pytest.raises(hours.HoursError, match="Obecność tej osoby została już potwierdzona."):
            hours.confirm_assignment(actor, row, 3)
    with app.app_context():
        entries = db.session.scalars(select(HoursEntry)).all()
        assert [float(e.hours) for e in entries] == [4.0]
