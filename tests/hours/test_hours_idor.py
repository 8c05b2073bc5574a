# ruff: noqa: F811  (the shared fixture is imported, then named as an argument)
"""No IDOR on hours: staff of B never read or change A's attendance or logs, and a volunteer sees
only their own hours."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from app.models import AssignmentStatus
from app.models.hours import HoursStatus
from tests.hours.test_hours_flow import entries  # noqa: F401
from tests.hours.test_hours_flow import hours_world  # noqa: F401
from tests.hours.test_hours_flow import signed_in  # noqa: F401
from tests.hours.test_hours_flow import status_of  # noqa: F401

pytestmark = pytest.mark.clock


def _logged_and_confirmed(app, w):
    """Anna logs time at A (pending); staff of A confirm the shift (confirmed entries)."""
    day = (date.today() - timedelta(days=1)).isoformat()
    signed_in(app, w.anna).post(
        "/hours/mine/log",
        data={"need": str(w.long_term.id), "worked_on": day, "hours": "3", "description": "Opis"},
    )
    signed_in(app, w.staff_a).post(f"/hours/shifts/{w.shift.id}/confirm", data={"hours": "4"})
    log = next(e for e in entries(app) if e.status == HoursStatus.PENDING)
    confirmed = next(e for e in entries(app) if e.status == HoursStatus.CONFIRMED)
    return log, confirmed


def test_staff_of_b_cannot_read_or_confirm_a_shift_of_a(app, hours_world):
    w = hours_world
    staff_b = signed_in(app, w.staff_b)
    a_id = w.anna_on_shift.id
    assert staff_b.get(f"/hours/shifts/{w.shift.id}").status_code == 403
    assert (
        staff_b.post(f"/hours/shifts/{w.shift.id}/confirm", data={"hours": "4"}).status_code == 403
    )
    assert (
        staff_b.post(f"/hours/assignments/{a_id}/confirm", data={f"a{a_id}-hours": "4"}).status_code
        == 403
    )
    assert (
        staff_b.post(
            f"/hours/assignments/{a_id}/no-show", data={f"n{a_id}-reason": "x"}
        ).status_code
        == 403
    )
    assert status_of(app, a_id) == AssignmentStatus.ACCEPTED
    assert entries(app) == []
    assert "Noc muzeów" not in staff_b.get("/hours/pending").get_data(as_text=True)


def test_staff_of_b_cannot_read_correct_confirm_or_reject_entries_of_a(app, hours_world):
    w = hours_world
    log, confirmed = _logged_and_confirmed(app, w)
    staff_b = signed_in(app, w.staff_b)
    assert "Opis" not in staff_b.get("/hours/pending").get_data(as_text=True)
    for entry in (log, confirmed):
        assert staff_b.get(f"/hours/entries/{entry.id}/correct").status_code == 403
        response = staff_b.post(
            f"/hours/entries/{entry.id}/correct", data={"hours": "1", "reason": "Bo tak"}
        )
        assert response.status_code == 403
    assert staff_b.post(f"/hours/entries/{log.id}/confirm").status_code == 403
    assert staff_b.post(f"/hours/entries/{log.id}/reject", data={"reason": "x"}).status_code == 403
    after = {e.id: (e.status, e.hours) for e in entries(app)}
    assert after[log.id] == (HoursStatus.PENDING, 3.0)
    assert after[confirmed.id] == (HoursStatus.CONFIRMED, 4.0)


def test_a_volunteer_sees_only_their_own_hours_and_no_staff_pages(app, hours_world):
    w = hours_world
    log, confirmed = _logged_and_confirmed(app, w)
    piotr = signed_in(app, w.piotr)
    page = piotr.get("/hours/mine").get_data(as_text=True)
    assert "Opis" not in page  # Anna's pending log
    assert "Razem potwierdzonych godzin: 4" in page  # his own shift only
    assert piotr.get(f"/hours/entries/{log.id}/correct").status_code == 403
    assert piotr.post(f"/hours/entries/{log.id}/confirm").status_code == 403
    assert piotr.get(f"/hours/shifts/{w.shift.id}").status_code == 403
    assert piotr.get("/hours/korpus").status_code == 403
    # A volunteer cannot log time on a long-term need where they have no place.
    response = piotr.post(
        "/hours/mine/log",
        data={
            "need": str(w.long_term.id),
            "worked_on": date.today().isoformat(),
            "hours": "2",
            "description": "Nie moje",
        },
    )
    assert response.status_code == 422
    assert len(entries(app, volunteer_id=w.piotr.id)) == 1


def test_staff_of_b_cannot_name_the_volunteer_coordinator_of_a(app, hours_world):
    w = hours_world
    staff_b = signed_in(app, w.staff_b)
    url = f"/hours/institutions/{w.a.slug}/coordinator"
    assert staff_b.get(url).status_code == 403
    assert staff_b.post(url, data={"person": str(w.staff_b.id)}).status_code == 403
    assert staff_b.get("/hours/institutions/nie-ma-takiej/coordinator").status_code == 404
