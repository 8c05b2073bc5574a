"""When staff change or cancel a published need, everyone applied or accepted is told; nobody is
silently dropped, and people who already left are not bothered."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Notice
from app.models import Role
from app.models import Shift

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def crowd(factory):
    """A published need with two shifts: applied, accepted, rejected and withdrawn people on it."""
    inst = factory.institution("Filharmonia Testowa", slug="filharmonia-testowa")
    staff = factory.user(Role.STAFF, institution=inst)
    need = factory.need(inst, "Koncert plenerowy", shifts=2, places=3, place="Rynek")
    people = {name: factory.user(first_name=name) for name in ("Ala", "Bartek", "Cezary", "Dorota")}
    rows = {
        "Ala": factory.application(people["Ala"], need, 0),
        "Bartek": factory.application(people["Bartek"], need, 1, status=AssignmentStatus.ACCEPTED),
        "Cezary": factory.application(people["Cezary"], need, 0, status=AssignmentStatus.REJECTED),
        "Dorota": factory.application(people["Dorota"], need, 1, status=AssignmentStatus.WITHDRAWN),
    }
    return staff, need, people, rows


def notices(app) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for n in db.session.scalars(select(Notice).order_by(Notice.id)):
        found.setdefault(n.user_id, []).append(n.kind)
    return found


def test_changing_the_place_tells_applied_and_accepted_only(app, client, auth, crowd):
    staff, need, people, _rows = crowd
    auth.login(staff.email)
    response = client.post(
        f"/manage/needs/{need.id}/edit",
        data={"title": need.title, "description": "Opis", "kind": "one_off", "place": "Amfiteatr"},
        follow_redirects=True,
    )
    assert "Powiadomiono 2 os" in response.get_data(as_text=True)
    told = notices(app)
    assert told == {people["Ala"].id: ["need_changed"], people["Bartek"].id: ["need_changed"]}


def test_changing_only_the_title_tells_nobody(app, client, auth, crowd):
    staff, need, _people, _rows = crowd
    auth.login(staff.email)
    client.post(
        f"/manage/needs/{need.id}/edit",
        data={"title": "Nowy tytuł", "description": "", "kind": "one_off", "place": "Rynek"},
    )
    # Description is required: the form is refused and nothing is sent.
    assert notices(app) == {}
    client.post(
        f"/manage/needs/{need.id}/edit",
        data={"title": "Nowy tytuł", "description": "Opis", "kind": "one_off", "place": "Rynek"},
    )
    assert notices(app) == {}


@pytest.mark.clock
def test_moving_a_shift_tells_the_people_on_that_shift(app, client, auth, crowd):
    staff, need, people, _rows = crowd
    shift = need.shifts[1]
    # Moved to another hour of the same day, never across midnight, whenever the suite runs.
    was = shift.starts_at.astimezone(WARSAW)
    local = was.replace(hour=10 if was.hour != 10 else 14, minute=0, second=0, microsecond=0)
    auth.login(staff.email)
    response = client.post(
        f"/manage/shifts/{shift.id}/edit",
        data={
            "day": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "end_time": (local + timedelta(hours=2)).strftime("%H:%M"),
            "places": "3",
        },
    )
    assert response.status_code == 303
    assert notices(app) == {people["Bartek"].id: ["shift_changed"]}


def test_cancelling_a_shift_cancels_its_places_and_tells_the_people(
    app, client, auth, crowd, factory
):
    staff, need, people, rows = crowd
    auth.login(staff.email)
    assert client.post(f"/manage/shifts/{need.shifts[1].id}/cancel", data={}).status_code == 422
    response = client.post(
        f"/manage/shifts/{need.shifts[1].id}/cancel", data={"reason": "Burza w prognozie."}
    )
    assert response.status_code == 303
    assert notices(app) == {people["Bartek"].id: ["shift_cancelled"]}
    shift = factory.get(Shift, need.shifts[1].id)
    assert shift.is_cancelled and shift.accepted_count == 0
    bartek = factory.get(Assignment, rows["Bartek"].id)
    assert bartek.status == AssignmentStatus.CANCELLED
    assert bartek.decision_note == "Burza w prognozie."
    assert factory.get(Assignment, rows["Ala"].id).status == AssignmentStatus.APPLIED
    again = client.post(f"/manage/shifts/{need.shifts[1].id}/cancel", data={"reason": "Znowu."})
    assert again.status_code == 409


def test_cancelling_the_need_cancels_everyone_and_tells_everyone(app, client, auth, crowd, factory):
    staff, need, people, rows = crowd
    auth.login(staff.email)
    empty = client.post(f"/manage/needs/{need.id}/cancel", data={})
    assert empty.status_code == 422
    assert 'id="reason-error"' in empty.get_data(as_text=True)
    response = client.post(
        f"/manage/needs/{need.id}/cancel",
        data={"reason": "Koncert przeniesiony na przyszły rok."},
        follow_redirects=True,
    )
    assert "Powiadomiono 2 os" in response.get_data(as_text=True)
    assert notices(app) == {
        people["Ala"].id: ["need_cancelled"],
        people["Bartek"].id: ["need_cancelled"],
    }
    statuses = {name: factory.get(Assignment, row.id).status for name, row in rows.items()}
    assert statuses == {
        "Ala": AssignmentStatus.CANCELLED,
        "Bartek": AssignmentStatus.CANCELLED,
        "Cezary": AssignmentStatus.REJECTED,
        "Dorota": AssignmentStatus.WITHDRAWN,
    }
    assert all(s.accepted_count == 0 for s in factory.scalars(select(Shift)))
    # Nobody with a live application or place is left behind on a cancelled need.
    live = factory.scalars(
        select(Assignment).where(
            Assignment.need_id == need.id,
            Assignment.status.in_([AssignmentStatus.APPLIED, AssignmentStatus.ACCEPTED]),
        )
    )
    assert live == []
    again = client.post(f"/manage/needs/{need.id}/cancel", data={"reason": "Jeszcze raz."})
    assert again.status_code == 409
