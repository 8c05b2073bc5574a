"""Routes of the hours pages: attendance on shifts, corrections, own logs, Korpus Solidarności.

Object routes point at institution A's shift and the volunteer's application on need A: staff of A
and coordinators get through (empty POSTs stop at validation, 422), staff of B get 403. Ledger
entries do not exist in the world, so those routes answer 404 to everyone allowed to ask; the IDOR
stories with real entries are in tests/test_hours_idor.py.
"""

from __future__ import annotations

from tests.authz.common import Routes, coordinators, staff_of_a, volunteers_only

MISSING = 987654321

ALL_STAFF = {
    "anonymous": 302,
    "volunteer": 403,
    "staff_a": 200,
    "staff_b": 200,
    "coordinator": 200,
    "admin": 200,
}
STAFF_404 = {**dict.fromkeys(ALL_STAFF, 404), "anonymous": 302, "volunteer": 403}

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
    ("hours.correct", "GET"): (lambda w: f"/hours/entries/{MISSING}/correct", STAFF_404),
    ("hours.correct", "POST"): (lambda w: f"/hours/entries/{MISSING}/correct", STAFF_404),
    ("hours.confirm_entry", "POST"): (lambda w: f"/hours/entries/{MISSING}/confirm", STAFF_404),
    ("hours.reject_entry", "POST"): (lambda w: f"/hours/entries/{MISSING}/reject", STAFF_404),
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
