"""Stories of the hours ledger: staff confirm attendance, volunteers log their own time."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import Institution
from app.models import NeedKind
from app.models import Role
from app.models.hours import HoursEntry
from app.models.hours import HoursSource
from app.models.hours import HoursStatus
from tests.factories import PASSWORD

pytestmark = pytest.mark.clock


def signed_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def hours_world(app, factory):
    """Muzeum A with a shift that started two days ago (two volunteers on it) and a long-term
    need; Teatr B with its own staff; a coordinator."""
    a = factory.institution("Muzeum A")
    b = factory.institution("Teatr B")
    staff_a = factory.user(Role.STAFF, institution=a, first_name="Ewa", last_name="Kustosz")
    staff_b = factory.user(Role.STAFF, institution=b)
    coordinator = factory.user(Role.COORDINATOR)
    anna = factory.user(first_name="Anna", last_name="Nowak")
    piotr = factory.user(first_name="Piotr", last_name="Zięba")
    # 23:30 UTC is already the next day in Warsaw: worked_on must be the Warsaw date.
    start = datetime.now(UTC).replace(hour=23, minute=30, second=0, microsecond=0) - timedelta(
        days=3
    )
    need = factory.need(a, "Noc muzeów", start=start, places=3)
    future = factory.need(a, "Przyszły dyżur")
    long_term = factory.need(a, "Katalogowanie zbiorów", kind=NeedKind.LONG_TERM, start=start)
    need_b = factory.need(b, "Obsługa widowni", start=start)
    return SimpleNamespace(
        a=a,
        b=b,
        staff_a=staff_a,
        staff_b=staff_b,
        coordinator=coordinator,
        anna=anna,
        piotr=piotr,
        need=need,
        shift=need.shifts[0],
        start=start,
        anna_on_shift=factory.application(anna, need, status=AssignmentStatus.ACCEPTED),
        piotr_on_shift=factory.application(piotr, need, status=AssignmentStatus.ACCEPTED),
        future=factory.application(anna, future, status=AssignmentStatus.ACCEPTED),
        long_term=long_term,
        anna_long_term=factory.application(anna, long_term, status=AssignmentStatus.ACCEPTED),
        need_b=need_b,
        b_on_shift=factory.application(piotr, need_b, status=AssignmentStatus.ACCEPTED),
    )


def entries(app, **where):
    with app.app_context():
        query = select(HoursEntry).order_by(HoursEntry.id)
        for key, value in where.items():
            query = query.where(getattr(HoursEntry, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def status_of(app, assignment_id):
    return db.session.get(Assignment, assignment_id).status


def test_staff_confirm_a_whole_shift_with_the_shift_length(app, hours_world):
    w = hours_world
    staff = signed_in(app, w.staff_a)
    page = staff.get(f"/hours/shifts/{w.shift.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Anna Nowak" in html and "Piotr Zięba" in html
    assert 'value="4"' in html  # the default is the shift's length

    response = staff.post(f"/hours/shifts/{w.shift.id}/confirm", data={"hours": "4"})
    assert response.status_code == 303

    rows = entries(app)
    assert [(r.volunteer_id, r.hours) for r in rows] == [(w.anna.id, 4.0), (w.piotr.id, 4.0)]
    warsaw_day = (w.start + timedelta(hours=1)).date()  # past midnight in Warsaw
    for r in rows:
        assert r.status == HoursStatus.CONFIRMED
        assert r.source == HoursSource.SHIFT
        assert r.institution_id == w.a.id
        assert r.worked_on == warsaw_day
        assert r.confirmed_by_id == w.staff_a.id
        assert r.assignment_id in (w.anna_on_shift.id, w.piotr_on_shift.id)
    assert status_of(app, w.anna_on_shift.id) == AssignmentStatus.COMPLETED
    # Nobody left to confirm: a second post (a double click) changes nothing and says so.
    again = staff.post(f"/hours/shifts/{w.shift.id}/confirm", data={"hours": "4"})
    assert again.status_code == 303
    page = staff.get(again.headers["Location"]).get_data(as_text=True)
    assert "Obecność wszystkich osób na tej zmianie została już zapisana." in page
    assert len(entries(app)) == 2


@pytest.mark.parametrize("hours", ["0", "-1", "24,5", "25", "cztery", "nan", "inf", ""])
def test_a_wrong_number_of_hours_is_refused_at_the_field(app, hours_world, hours):
    w = hours_world
    staff = signed_in(app, w.staff_a)
    response = staff.post(f"/hours/shifts/{w.shift.id}/confirm", data={"hours": hours})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert entries(app) == []
    assert status_of(app, w.anna_on_shift.id) == AssignmentStatus.ACCEPTED


def test_staff_confirm_one_person_with_their_own_hours_and_mark_a_no_show(app, hours_world):
    w = hours_world
    staff = signed_in(app, w.staff_a)
    a_id, p_id = w.anna_on_shift.id, w.piotr_on_shift.id
    ok = staff.post(f"/hours/assignments/{a_id}/confirm", data={f"a{a_id}-hours": "2,5"})
    assert ok.status_code == 303
    assert [r.hours for r in entries(app)] == [2.5]

    no_reason = staff.post(f"/hours/assignments/{p_id}/no-show", data={f"n{p_id}-reason": " "})
    assert no_reason.status_code == 422
    assert status_of(app, p_id) == AssignmentStatus.ACCEPTED

    marked = staff.post(
        f"/hours/assignments/{p_id}/no-show",
        data={f"n{p_id}-reason": "Nie przyszedł, brak kontaktu"},
    )
    assert marked.status_code == 303
    assert status_of(app, p_id) == AssignmentStatus.NO_SHOW
    assert len(entries(app)) == 1
    page = staff.get(f"/hours/shifts/{w.shift.id}").get_data(as_text=True)
    assert "Nie przyszedł, brak kontaktu" in page


def test_a_withdrawn_volunteer_is_never_a_no_show(app, hours_world):
    w = hours_world
    row = db.session.get(Assignment, w.piotr_on_shift.id)
    row.move_to(AssignmentStatus.WITHDRAWN)
    db.session.commit()
    staff = signed_in(app, w.staff_a)
    p_id = w.piotr_on_shift.id
    response = staff.post(f"/hours/assignments/{p_id}/no-show", data={f"n{p_id}-reason": "x"})
    assert response.status_code == 303
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ta osoba wycofała się z tej zmiany." in page
    assert status_of(app, p_id) == AssignmentStatus.WITHDRAWN


def test_attendance_waits_until_the_shift_has_started(app, hours_world):
    w = hours_world
    staff = signed_in(app, w.staff_a)
    f_id = w.future.id
    page = staff.get(f"/hours/shifts/{w.future.shift_id}").get_data(as_text=True)
    assert "dopiero po rozpoczęciu zmiany" in page
    response = staff.post(f"/hours/assignments/{f_id}/confirm", data={f"a{f_id}-hours": "4"})
    assert response.status_code == 409
    assert status_of(app, f_id) == AssignmentStatus.ACCEPTED


def test_a_correction_needs_a_reason_and_is_audit_logged(app, hours_world):
    w = hours_world
    staff = signed_in(app, w.staff_a)
    staff.post(f"/hours/shifts/{w.shift.id}/confirm", data={"hours": "4"})
    entry = entries(app, volunteer_id=w.anna.id)[0]

    assert staff.get(f"/hours/entries/{entry.id}/correct").status_code == 200
    silent = staff.post(f"/hours/entries/{entry.id}/correct", data={"hours": "3"})
    assert silent.status_code == 422
    assert entries(app, volunteer_id=w.anna.id)[0].hours == 4.0

    done = staff.post(
        f"/hours/entries/{entry.id}/correct",
        data={"hours": "3,5", "reason": "Wyszła pół godziny wcześniej"},
    )
    assert done.status_code == 303
    corrected = entries(app, volunteer_id=w.anna.id)[0]
    assert corrected.hours == 3.5
    assert corrected.status == HoursStatus.CONFIRMED
    assert corrected.correction_note == "Wyszła pół godziny wcześniej"
    with app.app_context():
        log = db.session.scalars(select(AuditLog).where(AuditLog.action == "hours.corrected")).one()
        assert log.actor_id == w.staff_a.id
        assert log.object_id == entry.id
        assert log.details["old_hours"] == 4.0
        assert log.details["new_hours"] == 3.5
        assert log.details["reason"] == "Wyszła pół godziny wcześniej"


def test_a_volunteer_on_a_long_term_need_logs_hours_that_staff_confirm(app, hours_world):
    w = hours_world
    anna = signed_in(app, w.anna)
    page = anna.get("/hours/mine").get_data(as_text=True)
    assert "Katalogowanie zbiorów" in page  # the only need she may log on
    assert "Noc muzeów</option>" not in page
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    form = {
        "need": str(w.long_term.id),
        "worked_on": yesterday,
        "hours": "3",
        "description": "Opis 40 obiektów",
    }
    assert anna.post("/hours/mine/log", data=form).status_code == 303
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    future = anna.post("/hours/mine/log", data={**form, "worked_on": tomorrow})
    assert future.status_code == 422
    assert "przyszłości" in future.get_data(as_text=True)
    other_need = anna.post("/hours/mine/log", data={**form, "need": str(w.need.id)})
    assert other_need.status_code == 422

    [entry] = entries(app)
    assert entry.status == HoursStatus.PENDING and entry.source == HoursSource.SELF_LOG
    mine = anna.get("/hours/mine").get_data(as_text=True)
    assert "Czekają na potwierdzenie" in mine and "Opis 40 obiektów" in mine
    assert "Razem potwierdzonych godzin: 0" in mine

    staff = signed_in(app, w.staff_a)
    pending = staff.get("/hours/pending").get_data(as_text=True)
    assert "Opis 40 obiektów" in pending and "Noc muzeów" in pending
    assert staff.post(f"/hours/entries/{entry.id}/confirm").status_code == 303
    assert entries(app)[0].status == HoursStatus.CONFIRMED
    assert "Razem potwierdzonych godzin: 3" in anna.get("/hours/mine").get_data(as_text=True)


def test_staff_correct_or_reject_a_volunteers_log(app, hours_world):
    w = hours_world
    anna = signed_in(app, w.anna)
    day = (date.today() - timedelta(days=1)).isoformat()
    for hours in ("5", "8"):
        anna.post(
            "/hours/mine/log",
            data={
                "need": str(w.long_term.id),
                "worked_on": day,
                "hours": hours,
                "description": "x",
            },
        )
    first, second = entries(app)
    staff = signed_in(app, w.staff_a)
    staff.post(f"/hours/entries/{first.id}/correct", data={"hours": "4", "reason": "Wg listy"})
    assert staff.post(f"/hours/entries/{second.id}/reject", data={}).status_code == 422
    staff.post(f"/hours/entries/{second.id}/reject", data={"reason": "Tego dnia było zamknięte"})
    first, second = entries(app)
    assert (first.status, first.hours) == (HoursStatus.CONFIRMED, 4.0)
    assert second.status == HoursStatus.REJECTED
    assert second.correction_note == "Tego dnia było zamknięte"
    # A rejected log is never confirmed afterwards by a stray click.
    assert staff.post(f"/hours/entries/{second.id}/confirm").status_code == 303
    assert entries(app)[1].status == HoursStatus.REJECTED


def test_my_hours_per_month_per_institution_and_in_total(app, hours_world):
    w = hours_world
    signed_in(app, w.staff_a).post(f"/hours/shifts/{w.shift.id}/confirm", data={"hours": "4"})
    staff_b = signed_in(app, w.staff_b)
    staff_b.post(f"/hours/shifts/{w.need_b.shifts[0].id}/confirm", data={"hours": "2"})
    piotr = signed_in(app, w.piotr).get("/hours/mine").get_data(as_text=True)
    assert "Razem potwierdzonych godzin: 6" in piotr
    assert "Muzeum A" in piotr and "Teatr B" in piotr
    anna = signed_in(app, w.anna).get("/hours/mine").get_data(as_text=True)
    assert "Razem potwierdzonych godzin: 4" in anna
    assert "Teatr B" not in anna


def test_an_institution_names_its_volunteer_coordinator_from_its_staff(app, hours_world, factory):
    w = hours_world
    staff = signed_in(app, w.staff_a)
    url = f"/hours/institutions/{w.a.slug}/coordinator"
    assert "Ewa Kustosz" in staff.get(url).get_data(as_text=True)
    outsider = staff.post(url, data={"person": str(w.staff_b.id)})
    assert outsider.status_code == 422
    assert staff.post(url, data={"person": str(w.staff_a.id)}).status_code == 303
    assert factory.get(Institution, w.a.id).volunteer_coordinator_id == w.staff_a.id
    coordinator = signed_in(app, w.coordinator)
    assert coordinator.get(url).status_code == 200


def test_two_staff_confirming_at_once_write_the_hours_once(app, hours_world):
    """The other click won the race: its entry exists while this request still saw ACCEPTED."""
    w = hours_world
    a_id = w.anna_on_shift.id
    db.session.add(
        HoursEntry(
            volunteer_id=w.anna.id,
            institution_id=w.a.id,
            need_id=w.need.id,
            assignment_id=a_id,
            worked_on=date.today(),
            hours=4,
            source=HoursSource.SHIFT,
            status=HoursStatus.CONFIRMED,
        )
    )
    db.session.commit()
    staff = signed_in(app, w.staff_a)
    response = staff.post(f"/hours/assignments/{a_id}/confirm", data={f"a{a_id}-hours": "3"})
    assert response.status_code == 409
    assert "Ktoś właśnie zapisał" in response.get_data(as_text=True)
    assert [e.hours for e in entries(app)] == [4.0]
    assert status_of(app, a_id) == AssignmentStatus.ACCEPTED
