"""Check-in on the day: staff tick who came on a phone, volunteers check in with the code, and
the hours page then offers the hours the list gives."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.core.time import in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AttendanceMark
from app.models.hours import HoursEntry
from app.services import checkin
from tests.shift_day.conftest import signed_in

pytestmark = pytest.mark.clock


def marks(app):
    with app.app_context():
        return {
            m.assignment_id: (m.is_present, m.arrived_at, m.left_at, m.is_self_check_in)
            for m in db.session.scalars(select(AttendanceMark))
        }


def code_of(app, shift_id):
    with app.app_context():
        return checkin.shift_code(shift_id)


def test_staff_tick_people_present_and_absent_in_one_tap(app, day):
    staff = signed_in(app, day.staff)
    page = staff.get(f"/checkin/shifts/{day.shift.id}").get_data(as_text=True)
    assert "Anna Nowak" in page and "Piotr Zięba" in page
    assert "Olga Lis" not in page  # an open offer is no place yet
    assert code_of(app, day.shift.id) in page

    response = staff.post(f"/checkin/assignments/{day.anna_now.id}/present")
    assert response.status_code == 303
    staff.post(f"/checkin/assignments/{day.piotr_now.id}/absent")
    # A second tap changes the one mark, never adds another.
    staff.post(f"/checkin/assignments/{day.piotr_now.id}/absent")
    assert marks(app) == {
        day.anna_now.id: (True, None, None, False),
        day.piotr_now.id: (False, None, None, False),
    }
    page = staff.get(f"/checkin/shifts/{day.shift.id}").get_data(as_text=True)
    assert "Obecni: 1 · nieobecni: 1 · bez zaznaczenia: 0" in page
    # Nothing is final yet: both still hold their place, nobody is a no-show.
    with app.app_context():
        assert {
            a.status
            for a in db.session.scalars(
                select(Assignment).where(
                    Assignment.shift_id == day.shift.id,
                    Assignment.volunteer_id.in_([day.anna.id, day.piotr.id]),
                )
            )
        } == {AssignmentStatus.ACCEPTED}


def test_a_late_arrival_and_an_early_leave_fill_in_the_hours_to_confirm(app, day):
    staff = signed_in(app, day.staff)
    # Half an hour late and an hour early in real time, written as the Warsaw clock shows it
    # (on a daylight-saving night the clock's difference is not the time worked).
    arrived = in_warsaw(day.shift.starts_at + timedelta(minutes=30)).strftime("%H:%M")
    left = in_warsaw(day.shift.starts_at + timedelta(hours=3)).strftime("%H:%M")
    a = day.anna_now.id
    response = staff.post(
        f"/checkin/assignments/{a}/times", data={f"t{a}-arrived": arrived, f"t{a}-left": left}
    )
    assert response.status_code == 303
    staff.post(f"/checkin/assignments/{day.piotr_now.id}/present")

    page = staff.get(f"/hours/shifts/{day.shift.id}").get_data(as_text=True)
    assert re.search(rf'name="a{a}-hours"[^>]*value="2,5"', page)
    assert re.search(rf'name="a{day.piotr_now.id}-hours"[^>]*value="4"', page)
    assert f"Przyjście o {arrived}." in page

    staff.post(f"/hours/shifts/{day.shift.id}/confirm", data={"hours": "4"})
    with app.app_context():
        hours = {e.volunteer_id: float(e.hours) for e in db.session.scalars(select(HoursEntry))}
    assert hours == {day.anna.id: 2.5, day.piotr.id: 4.0}


def test_an_absence_becomes_a_no_show_only_when_staff_confirm_it_with_a_reason(app, day):
    staff = signed_in(app, day.staff)
    p = day.piotr_now.id
    staff.post(f"/checkin/assignments/{p}/absent")
    staff.post(f"/checkin/assignments/{day.anna_now.id}/present")
    # "Confirm everyone" confirms Anna and leaves Piotr, marked absent, to be decided.
    staff.post(f"/hours/shifts/{day.shift.id}/confirm", data={"hours": "4"})
    page = staff.get(f"/hours/shifts/{day.shift.id}").get_data(as_text=True)
    assert "Lista obecności: nieobecność." in page
    with app.app_context():
        assert db.session.get(Assignment, p).status == AssignmentStatus.ACCEPTED
    response = staff.post(f"/hours/assignments/{p}/no-show", data={f"n{p}-reason": ""})
    assert response.status_code == 422
    staff.post(
        f"/hours/assignments/{p}/no-show", data={f"n{p}-reason": "Nie przyszedł, nie dał znać."}
    )
    with app.app_context():
        piotr = db.session.get(Assignment, p)
        assert (piotr.status, piotr.decision_note) == (
            AssignmentStatus.NO_SHOW,
            "Nie przyszedł, nie dał znać.",
        )


def test_a_volunteer_checks_in_with_the_code_during_the_shift_only(app, day):
    anna = signed_in(app, day.anna)
    code = code_of(app, day.shift.id)
    # The QR code leads to the form with the code filled in.
    page = anna.get(f"/checkin/?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in page
    response = anna.post("/checkin/", data={"code": code.lower()})
    assert response.status_code == 303
    mark = marks(app)[day.anna_now.id]
    assert mark[0] is True and mark[3] is True
    assert mark[1] is not None  # she came after the start: a late arrival at that minute

    # The evening shift's code is refused until half an hour before it starts.
    response = anna.post("/checkin/", data={"code": code_of(app, day.later.shifts[0].id)})
    assert response.status_code == 422
    assert "Zameldować się można od" in response.get_data(as_text=True)
    with time_machine.travel(day.later.shifts[0].starts_at - timedelta(minutes=10), tick=False):
        response = anna.post("/checkin/", data={"code": code_of(app, day.later.shifts[0].id)})
        assert response.status_code == 303
    assert marks(app)[day.anna_later.id][1] is None  # before the start: on time


def test_a_code_of_someone_elses_shift_or_a_made_up_one_is_refused(app, day):
    olga = signed_in(app, day.olga)  # her offer is no place yet
    for code in (code_of(app, day.shift.id), "ABCDEF"):
        response = olga.post("/checkin/", data={"code": code})
        assert response.status_code == 422
        assert "Ten kod nie pasuje do żadnej Twojej zmiany" in response.get_data(as_text=True)
    assert marks(app) == {}


def test_the_list_cannot_be_filled_before_the_day_and_staff_of_another_institution_get_403(
    app, day
):
    staff = signed_in(app, day.staff)
    response = staff.post(f"/checkin/assignments/{day.anna_later.id}/present")
    assert response.status_code == 409
    other = signed_in(app, day.staff_b)
    assert other.get(f"/checkin/shifts/{day.shift.id}").status_code == 403
    assert other.post(f"/checkin/assignments/{day.anna_now.id}/present").status_code == 403
    assert marks(app) == {}


def test_the_qr_code_is_an_svg_drawn_by_the_server(app, day):
    staff = signed_in(app, day.staff)
    response = staff.get(f"/checkin/shifts/{day.shift.id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith(("<?xml", "<svg"))


def test_times_outside_the_shift_are_refused_at_the_field(app, day):
    staff = signed_in(app, day.staff)
    a = day.anna_now.id
    before = (in_warsaw(day.shift.starts_at) - timedelta(hours=2)).strftime("%H:%M")
    for data, message in [
        ({f"t{a}-arrived": "25:00"}, "Podaj poprawną godzinę, np. 10:15."),
        ({f"t{a}-arrived": before}, "Godzina przyjścia musi mieścić się w czasie zmiany."),
    ]:
        response = staff.post(f"/checkin/assignments/{a}/times", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert marks(app) == {}


def test_the_window_is_in_utc_and_shown_in_warsaw_time(app, day):
    with app.app_context():
        opens, closes = checkin.window(day.shift)
    assert opens == day.shift.starts_at - timedelta(minutes=30)
    assert closes.tzinfo is not None and closes.utcoffset() == datetime.now(UTC).utcoffset()
