"""Routes of the day of a shift: the check-in list and the code, messages, feedback.

Staff pages let through staff of A and coordinators and refuse staff of B (403); the volunteer's
pages refuse someone else's records with 404. Empty POSTs on the future shift of A stop at the
rules (409: the list opens on the day) or at validation (422). The cross-owner requests act on
the shift at A that is over, with complete forms, so that a missing check would change something.
"""

from __future__ import annotations

from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a
from tests.authz.common import volunteer_on_other
from tests.authz.common import volunteers_only

ALL_STAFF = {
    "anonymous": 302,
    "volunteer": 403,
    "staff_a": 200,
    "staff_b": 200,
    "coordinator": 200,
    "admin": 200,
}

ROUTES: Routes = {
    ("checkin.roster", "GET"): (lambda w: f"/checkin/shifts/{w.shift_a}", staff_of_a(200)),
    ("checkin.qr_code", "GET"): (lambda w: f"/checkin/shifts/{w.shift_a}/qr.svg", staff_of_a(200)),
    ("checkin.present", "POST"): (
        lambda w: f"/checkin/assignments/{w.assignment_a}/present",
        staff_of_a(409),
    ),
    ("checkin.absent", "POST"): (
        lambda w: f"/checkin/assignments/{w.assignment_a}/absent",
        staff_of_a(409),
    ),
    ("checkin.times", "POST"): (
        lambda w: f"/checkin/assignments/{w.assignment_a}/times",
        staff_of_a(422),
    ),
    ("checkin.self_check_in", "GET"): (lambda w: "/checkin/", volunteers_only(200)),
    ("checkin.check_in", "POST"): (lambda w: "/checkin/", volunteers_only(422)),
    ("shift_messages.to_need", "GET"): (
        lambda w: f"/messages/needs/{w.need_a}/write",
        staff_of_a(200),
    ),
    ("shift_messages.to_need", "POST"): (
        lambda w: f"/messages/needs/{w.need_a}/write",
        staff_of_a(422),
    ),
    ("shift_messages.to_shift", "GET"): (
        lambda w: f"/messages/shifts/{w.shift_a}/write",
        staff_of_a(200),
    ),
    ("shift_messages.to_shift", "POST"): (
        lambda w: f"/messages/shifts/{w.shift_a}/write",
        staff_of_a(422),
    ),
    ("shift_messages.received", "GET"): (
        lambda w: f"/messages/needs/{w.need_a}",
        volunteers_only(200),
    ),
    ("feedback.mine", "GET"): (lambda w: "/feedback/", volunteers_only(200)),
    ("feedback.give", "GET"): (
        lambda w: f"/feedback/assignments/{w.assignment_a}",
        volunteers_only(200),
    ),
    ("feedback.give", "POST"): (
        lambda w: f"/feedback/assignments/{w.assignment_a}",
        volunteers_only(422),
    ),
    ("feedback.results", "GET"): (lambda w: "/feedback/results", ALL_STAFF),
}


def _message(w) -> dict[str, str]:
    return {
        "audiences": "accepted",
        "subject": "Zbiórka przy kasie",
        "body": "Spotykamy się 15 minut przed zmianą.",
        "token": "0" * 32,
    }


CROSS_OWNER: CrossOwnerRoutes = {
    ("checkin.roster", "GET"): staff_b_on_a(lambda w: f"/checkin/shifts/{w.past_shift_a}", 200),
    ("checkin.qr_code", "GET"): staff_b_on_a(
        lambda w: f"/checkin/shifts/{w.past_shift_a}/qr.svg", 200
    ),
    ("checkin.present", "POST"): staff_b_on_a(
        lambda w: f"/checkin/assignments/{w.past_placement_a}/present", 303
    ),
    ("checkin.absent", "POST"): staff_b_on_a(
        lambda w: f"/checkin/assignments/{w.past_placement_a}/absent", 303
    ),
    # Both times empty: present for the whole shift, a complete form.
    ("checkin.times", "POST"): staff_b_on_a(
        lambda w: f"/checkin/assignments/{w.past_placement_a}/times", 303
    ),
    ("shift_messages.to_need", "GET"): staff_b_on_a(
        lambda w: f"/messages/needs/{w.past_need_a}/write", 200
    ),
    ("shift_messages.to_need", "POST"): staff_b_on_a(
        lambda w: f"/messages/needs/{w.past_need_a}/write", 303, _message
    ),
    ("shift_messages.to_shift", "GET"): staff_b_on_a(
        lambda w: f"/messages/shifts/{w.past_shift_a}/write", 200
    ),
    ("shift_messages.to_shift", "POST"): staff_b_on_a(
        lambda w: f"/messages/shifts/{w.past_shift_a}/write", 303, _message
    ),
    ("shift_messages.received", "GET"): volunteer_on_other(
        lambda w: f"/messages/needs/{w.need_b}", 200
    ),
    ("feedback.give", "GET"): volunteer_on_other(
        lambda w: f"/feedback/assignments/{w.past_placement_a}", 200
    ),
    ("feedback.give", "POST"): volunteer_on_other(
        lambda w: f"/feedback/assignments/{w.past_placement_a}",
        303,
        lambda w: {"rating": "4", "comment": "Dobrze zorganizowana zmiana."},
    ),
}
