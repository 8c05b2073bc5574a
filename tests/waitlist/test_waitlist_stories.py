"""A full shift's waiting list: people join and leave it from the need's page, and a place that
frees up (a withdrawal, a declined or expired offer, places added by staff) goes to the first
person waiting as an offer with a short deadline, then to the next."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models import User
from app.models import WaitlistEntry
from app.services.offers import expire_offers
from app.services.waitlist import sweep
from tests.factories import PASSWORD

S = AssignmentStatus
WARSAW_TZ = ZoneInfo("Europe/Warsaw")


def db_user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def signed_in(app, user):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


@pytest.fixture
def museum(factory):
    return factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")


@pytest.fixture
def full_shift(factory, museum):
    """A published need whose only shift has two places, both taken."""
    need = factory.need(museum, "Noc Muzeów: szatnia", places=2)
    holders = [factory.application(factory.user(), need, status=S.ACCEPTED) for _ in range(2)]
    return need, need.shifts[0], holders


def join(client, need, shift):
    return client.post(f"/needs/{need.id}/shifts/{shift.id}/waitlist", follow_redirects=True)


def waiting(app, shift) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(WaitlistEntry.volunteer_id)
                .where(WaitlistEntry.shift_id == shift.id)
                .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
            )
        )


def offers_on(app, shift) -> list[Assignment]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Assignment).where(
                    Assignment.shift_id == shift.id, Assignment.source == AssignmentSource.WAITLIST
                )
            )
        )
        db.session.expunge_all()
        return rows


def test_a_volunteer_joins_the_list_of_a_full_shift_and_leaves_it(app, factory, full_shift):
    need, shift, _holders = full_shift
    ola = factory.user(first_name="Ola")
    client = signed_in(app, ola)

    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Lista oczekujących" in page and "Czekam na miejsce" in page

    page = join(client, need, shift).get_data(as_text=True)
    assert "Czekasz na miejsce" in page
    assert "Jesteś na liście: miejsce 1." in page
    assert waiting(app, shift) == [ola.id]

    again = join(client, need, shift)
    assert again.status_code == 200
    assert "Już czekasz na miejsce na tej zmianie." in again.get_data(as_text=True)
    assert waiting(app, shift) == [ola.id]

    left = client.post(f"/needs/{need.id}/shifts/{shift.id}/waitlist/leave", follow_redirects=True)
    assert "Nie czekasz już na miejsce" in left.get_data(as_text=True)
    assert waiting(app, shift) == []
    twice = client.post(f"/needs/{need.id}/shifts/{shift.id}/waitlist/leave", follow_redirects=True)
    assert "Nie czekasz już na miejsce na tej zmianie." in twice.get_data(as_text=True)


def test_nobody_waits_for_a_shift_with_free_places(app, factory, museum):
    need = factory.need(museum, "Warsztaty", places=2)
    client = signed_in(app, factory.user())
    response = join(client, need, need.shifts[0])
    assert response.status_code == 409
    assert "Na tej zmianie są wolne miejsca" in response.get_data(as_text=True)
    assert waiting(app, need.shifts[0]) == []


def test_a_shift_of_another_need_is_not_found(app, factory, museum, full_shift):
    need, _shift, _ = full_shift
    other = factory.need(museum, "Inna potrzeba", places=1)
    client = signed_in(app, factory.user())
    assert join(client, need, other.shifts[0]).status_code == 404
    assert client.post(f"/needs/{need.id}/shifts/999999/waitlist").status_code == 404


def test_staff_cannot_join_a_waiting_list(app, factory, museum, full_shift):
    need, shift, _ = full_shift
    staff = factory.user(Role.STAFF, institution=museum)
    assert join(signed_in(app, staff), need, shift).status_code == 403


def test_a_withdrawal_gives_the_place_to_the_first_person_waiting(
    app, factory, full_shift, mailbox
):
    need, shift, holders = full_shift
    first, second = factory.user(first_name="Ewa"), factory.user(first_name="Jan")
    for person in (first, second):
        join(signed_in(app, person), need, shift)

    holder = signed_in(app, db_user(app, holders[0].volunteer_id))
    response = holder.post(f"/me/assignments/{holders[0].id}/withdraw", data={"confirm": "1"})
    assert response.status_code in (302, 303)

    [offer] = offers_on(app, shift)
    assert offer.volunteer_id == first.id and offer.status == S.OFFERED
    hours = (offer.expires_at - offer.offered_at).total_seconds() / 3600
    assert hours == pytest.approx(12)
    assert waiting(app, shift) == [second.id]
    with app.app_context():
        assert db.session.get(Shift, shift.id).accepted_count == 2
        notice = db.session.scalar(select(Notice).where(Notice.user_id == first.id))
        assert notice.kind == "waitlist_offer"
    [mail] = mailbox.wait_for(first.email)
    assert mail["Subject"] == "Zwolniło się miejsce, na które czekasz"
    assert "Noc Muzeów: szatnia" in mailbox.text_of(mail)

    page = signed_in(app, second).get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Jesteś na liście: miejsce 1." in page


def test_a_declined_offer_goes_to_the_next_person(app, factory, full_shift):
    need, shift, holders = full_shift
    first, second = factory.user(), factory.user()
    for person in (first, second):
        join(signed_in(app, person), need, shift)
    signed_in(app, db_user(app, holders[0].volunteer_id)).post(
        f"/me/assignments/{holders[0].id}/withdraw", data={"confirm": "1"}
    )
    [offer] = offers_on(app, shift)

    signed_in(app, first).post(f"/offers/{offer.id}/decline", data={"note": ""})

    by_person = {o.volunteer_id: o.status for o in offers_on(app, shift)}
    assert by_person == {first.id: S.DECLINED, second.id: S.OFFERED}
    assert waiting(app, shift) == []


def test_an_expired_offer_goes_to_the_next_person(app, factory, full_shift):
    need, shift, holders = full_shift
    first, second = factory.user(), factory.user()
    for person in (first, second):
        join(signed_in(app, person), need, shift)
    signed_in(app, db_user(app, holders[0].volunteer_id)).post(
        f"/me/assignments/{holders[0].id}/withdraw", data={"confirm": "1"}
    )
    later = datetime.now(UTC) + timedelta(hours=13)
    with app.app_context():
        assert expire_offers(later) == 1
        db.session.commit()
        assert sweep(later) == 1
    by_person = {o.volunteer_id: o.status for o in offers_on(app, shift)}
    assert by_person == {first.id: S.EXPIRED, second.id: S.OFFERED}


def test_places_added_by_staff_go_to_as_many_people_waiting(app, factory, museum, full_shift):
    need, shift, _ = full_shift
    people = [factory.user() for _ in range(3)]
    for person in people:
        join(signed_in(app, person), need, shift)
    staff = signed_in(app, factory.user(Role.STAFF, institution=museum))
    start, end = shift.starts_at.astimezone(WARSAW_TZ), shift.ends_at.astimezone(WARSAW_TZ)
    response = staff.post(
        f"/manage/shifts/{shift.id}/edit",
        data={
            "day": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"),
            "end_time": end.strftime("%H:%M"),
            "places": "4",
        },
    )
    assert response.status_code in (302, 303)
    assert sorted(o.volunteer_id for o in offers_on(app, shift)) == sorted(p.id for p in people[:2])
    assert waiting(app, shift) == [people[2].id]
    with app.app_context():
        assert db.session.get(Shift, shift.id).accepted_count == 4


def test_the_deadline_never_runs_past_the_shift_start(app, factory, museum):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    need = factory.need(museum, "Koncert", places=1, start=soon)
    holder = factory.application(factory.user(), need, status=S.ACCEPTED)
    waiting_person = factory.user()
    join(signed_in(app, waiting_person), need, need.shifts[0])
    signed_in(app, db_user(app, holder.volunteer_id)).post(
        f"/me/assignments/{holder.id}/withdraw", data={"confirm": "1"}
    )
    [offer] = offers_on(app, need.shifts[0])
    assert offer.expires_at == need.shifts[0].starts_at


def test_someone_the_rest_limit_now_forbids_is_passed_over_and_keeps_waiting(app, factory, museum):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
    need = factory.need(museum, "Festiwal", places=1, start=start, min_rest_hours=11)
    holder = factory.application(factory.user(), need, status=S.ACCEPTED)
    tired, rested = factory.user(), factory.user()
    for person in (tired, rested):
        join(signed_in(app, person), need, need.shifts[0])
    # Meanwhile the first person took a shift that ends two hours before this one starts.
    earlier = factory.need(museum, "Próba", places=1, start=start - timedelta(hours=6))
    factory.application(tired, earlier, status=S.ACCEPTED)

    signed_in(app, db_user(app, holder.volunteer_id)).post(
        f"/me/assignments/{holder.id}/withdraw", data={"confirm": "1"}
    )

    [offer] = offers_on(app, need.shifts[0])
    assert offer.volunteer_id == rested.id
    assert waiting(app, need.shifts[0]) == [tired.id]
