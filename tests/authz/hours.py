"""Routes of the hours pages: attendance on shifts, corrections, own logs, Korpus Solidarności.

Object routes point at institution A's shift, the volunteer's application on need A and the other
volunteer's own log at A: staff of A and coordinators get through (empty POSTs stop at validation,
422), staff of B get 403. The cross-owner requests send complete forms on a shift at A that is
over, so that a missing check would confirm hours; more stories in tests/hours/test_hours_idor.py.
"""

from __future__ import annotations

from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import coordinators
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a
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
    ("hours.shift", "GET"): (lambda w: f"/hours/shifts/{w.shift_a}", staff_of_a(200)),
    ("hours.confirm_all", "POST"): (
        lambda w: f"/hours/shifts/{w.shift_a}/confirm",
        staff_of_a(422),
    ),
    ("hours.confirm_one", "POST"): (
        lambda w: f"/hours/assignments/{w.assignment_a}/confirm",
        staff_of_a(422),
    ),
    ("hours.no_show", "POST"): (
        lambda w: f"/hours/assignments/{w.assignment_a}/no-show",
        staff_of_a(422),
    ),
    ("hours.correct", "GET"): (lambda w: f"/hours/entries/{w.entry_a}/correct", staff_of_a(200)),
    ("hours.correct", "POST"): (lambda w: f"/hours/entries/{w.entry_a}/correct", staff_of_a(422)),
    # Confirming needs no form: whoever gets through confirms the log (sorted before the others).
    ("hours.confirm_entry", "POST"): (
        lambda w: f"/hours/entries/{w.entry_a}/confirm",
        staff_of_a(303),
    ),
    ("hours.reject_entry", "POST"): (
        lambda w: f"/hours/entries/{w.entry_a}/reject",
        staff_of_a(422),
    ),
    ("hours.pending", "GET"): (lambda w: "/hours/pending", ALL_STAFF),
    ("hours.mine", "GET"): (lambda w: "/hours/mine", volunteers_only(200)),
    ("hours.log", "POST"): (lambda w: "/hours/mine/log", volunteers_only(422)),
    ("hours.korpus_month", "GET"): (lambda w: "/hours/korpus?month=2026-05", coordinators(200)),
    ("hours.korpus_csv", "GET"): (lambda w: "/hours/korpus.csv?month=2026-05", coordinators(200)),
    ("hours.korpus_xlsx", "GET"): (lambda w: "/hours/korpus.xlsx", coordinators(200)),
    ("hours.volunteer_coordinator", "GET"): (
        lambda w: f"/hours/institutions/{w.slug_a}/coordinator",
        staff_of_a(200),
    ),
    ("hours.volunteer_coordinator", "POST"): (
        lambda w: f"/hours/institutions/{w.slug_a}/coordinator",
        staff_of_a(422),
    ),
}


CROSS_OWNER: CrossOwnerRoutes = {
    ("hours.shift", "GET"): staff_b_on_a(lambda w: f"/hours/shifts/{w.past_shift_a}", 200),
    ("hours.confirm_all", "POST"): staff_b_on_a(
        lambda w: f"/hours/shifts/{w.past_shift_a}/confirm", 303, lambda w: {"hours": "4"}
    ),
    ("hours.confirm_one", "POST"): staff_b_on_a(
        lambda w: f"/hours/assignments/{w.past_placement_a}/confirm",
        303,
        lambda w: {f"a{w.past_placement_a}-hours": "4"},
    ),
    ("hours.no_show", "POST"): staff_b_on_a(
        lambda w: f"/hours/assignments/{w.past_placement_a}/no-show",
        303,
        lambda w: {f"n{w.past_placement_a}-reason": "Nie przyszła i nie dała znać."},
    ),
    ("hours.correct", "GET"): staff_b_on_a(lambda w: f"/hours/entries/{w.entry_a}/correct", 200),
    ("hours.correct", "POST"): staff_b_on_a(
        lambda w: f"/hours/entries/{w.entry_a}/correct",
        303,
        lambda w: {"hours": "1", "reason": "Wpisano za dużo."},
    ),
    ("hours.confirm_entry", "POST"): staff_b_on_a(
        lambda w: f"/hours/entries/{w.entry_a}/confirm", 303
    ),
    ("hours.reject_entry", "POST"): staff_b_on_a(
        lambda w: f"/hours/entries/{w.entry_a}/reject",
        303,
        lambda w: {"reason": "Tego dnia muzeum było zamknięte."},
    ),
    ("hours.volunteer_coordinator", "GET"): staff_b_on_a(
        lambda w: f"/hours/institutions/{w.slug_a}/coordinator", 200
    ),
    ("hours.volunteer_coordinator", "POST"): staff_b_on_a(
        lambda w: f"/hours/institutions/{w.slug_a}/coordinator",
        303,
        lambda w: {"person": str(w.staff_a_user)},
    ),
}
