"""What people do in the races, as the form posts their browsers send (see the routes named)."""

from __future__ import annotations

from app.models import AssignmentStatus
from tests.live_server import Visitor
from tests.races.harness import WARSAW
from tests.races.harness import Call
from tests.races.harness import Round
from tests.races.harness import ask


def withdraw(volunteer: Visitor, assignment_id: int) -> Call:
    """volunteers.withdraw_assignment: "Tak, wycofuję się"."""
    return ask(volunteer, f"/me/assignments/{assignment_id}/withdraw", {})


def decline(volunteer: Visitor, assignment_id: int) -> Call:
    """proposals.decline_offer: the volunteer says no to an offer."""
    return ask(volunteer, f"/offers/{assignment_id}/decline", {"note": ""})


def apply(volunteer: Visitor, need_id: int, shift_id: int) -> Call:
    """needs.apply: the application form with one shift ticked."""
    return ask(volunteer, f"/needs/{need_id}/apply", {"shifts": str(shift_id), "message": ""})


def accept(staff: Visitor, assignment_id: int) -> Call:
    """manage.accept_assignment, from a page that showed the application as waiting."""
    return ask(
        staff,
        f"/manage/assignments/{assignment_id}/accept",
        {"seen_status": AssignmentStatus.APPLIED.value, "note": ""},
    )


def approve(coordinator: Visitor, assignment_id: int, run_id: int) -> Call:
    """proposals.decide: one proposal ticked on the run's page, "Zatwierdź zaznaczone"."""
    return ask(
        coordinator,
        "/proposals/decide",
        {"action": "approve", "ids": str(assignment_id), "back": f"/proposals/runs/{run_id}"},
    )


def change_places(staff: Visitor, shift, places: int) -> Call:
    """manage.edit_shift: the same day and times, another number of places."""
    start, end = shift.starts_at.astimezone(WARSAW), shift.ends_at.astimezone(WARSAW)
    return ask(
        staff,
        f"/manage/shifts/{shift.id}/edit",
        {
            "day": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"),
            "end_time": end.strftime("%H:%M"),
            "places": str(places),
        },
    )


def fill(current: Round, staff: Visitor, shift_id: int) -> None:
    """Afterwards, staff try to accept each waiting application in turn, as they would while the
    shift shows free places: a place given back twice is then taken twice."""
    for assignment_id in current.waiting(shift_id):
        current.send(accept(staff, assignment_id))


def join_waitlist(volunteer: Visitor, need_id: int, shift_id: int) -> Call:
    """needs.join_waitlist: "Czekam na miejsce" on a full shift."""
    return ask(volunteer, f"/needs/{need_id}/shifts/{shift_id}/waitlist", {})


def accept_offer(volunteer: Visitor, assignment_id: int) -> Call:
    """proposals.accept_offer: the volunteer takes the offered place."""
    return ask(volunteer, f"/offers/{assignment_id}/accept", {})
