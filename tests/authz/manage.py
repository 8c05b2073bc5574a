"""Routes of the staff pages: needs, shifts, applicants and decisions, per institution.

Every object route points at a record of institution A: staff of A and coordinators get through,
staff of B get 403 (no IDOR), volunteers 403, anonymous visitors go to the sign-in page. POSTs are
sent empty: 422 means the person reached validation (action forms carry the status the person saw,
so an empty form changes nothing). CROSS_OWNER sends staff of B complete, valid forms.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a

ALL_STAFF = {
    "anonymous": 302,
    "volunteer": 403,
    "staff_a": 200,
    "staff_b": 200,
    "coordinator": 200,
    "admin": 200,
}

ROUTES: Routes = {
    ("manage.index", "GET"): (lambda w: "/manage/", ALL_STAFF),
    ("manage.institution", "GET"): (
        lambda w: f"/manage/institutions/{w.slug_a}",
        staff_of_a(200),
    ),
    ("manage.new_need", "GET"): (
        lambda w: f"/manage/needs/new?institution={w.slug_a}",
        staff_of_a(200),
    ),
    ("manage.new_need", "POST"): (
        lambda w: f"/manage/needs/new?institution={w.slug_a}",
        staff_of_a(422),
    ),
    ("manage.need", "GET"): (lambda w: f"/manage/needs/{w.need_a_draft}", staff_of_a(200)),
    ("manage.edit_need", "GET"): (lambda w: f"/manage/needs/{w.need_a}/edit", staff_of_a(200)),
    ("manage.edit_need", "POST"): (lambda w: f"/manage/needs/{w.need_a}/edit", staff_of_a(422)),
    ("manage.publish_need", "POST"): (
        lambda w: f"/manage/needs/{w.need_a_draft}/publish",
        staff_of_a(422),
    ),
    ("manage.close_need", "POST"): (lambda w: f"/manage/needs/{w.need_a}/close", staff_of_a(422)),
    ("manage.cancel_need", "POST"): (
        lambda w: f"/manage/needs/{w.need_a}/cancel",
        staff_of_a(422),
    ),
    ("manage.add_shifts", "POST"): (lambda w: f"/manage/needs/{w.need_a}/shifts", staff_of_a(422)),
    ("manage.edit_shift", "GET"): (lambda w: f"/manage/shifts/{w.shift_a}/edit", staff_of_a(200)),
    ("manage.edit_shift", "POST"): (
        lambda w: f"/manage/shifts/{w.shift_a}/edit",
        staff_of_a(422),
    ),
    ("manage.cancel_shift", "POST"): (
        lambda w: f"/manage/shifts/{w.shift_a}/cancel",
        staff_of_a(422),
    ),
    ("manage.accept_assignment", "POST"): (
        lambda w: f"/manage/assignments/{w.assignment_a}/accept",
        staff_of_a(422),
    ),
    ("manage.reject_assignment", "POST"): (
        lambda w: f"/manage/assignments/{w.assignment_a}/reject",
        staff_of_a(422),
    ),
    # The volunteer applied to need_a: staff of A see the card, staff of B do not.
    ("manage.volunteer", "GET"): (
        lambda w: f"/manage/volunteers/{w.volunteer}",
        staff_of_a(200),
    ),
    ("manage.record_check", "POST"): (
        lambda w: f"/manage/volunteers/{w.volunteer}/checks",
        staff_of_a(422),
    ),
}


def _shift_form() -> dict[str, str]:
    day = (date.today() + timedelta(days=10)).isoformat()
    return {"day": day, "start_time": "10:00", "end_time": "12:00", "places": "5"}


NEED_FORM = {
    "title": "Przejęta potrzeba",
    "description": "Opis",
    "kind": "one_off",
    "place": "Gdzie indziej",
}


CROSS_OWNER: CrossOwnerRoutes = {
    ("manage.institution", "GET"): staff_b_on_a(lambda w: f"/manage/institutions/{w.slug_a}", 200),
    # The institution comes in the query string, not in the rule: listed all the same.
    ("manage.new_need", "GET"): staff_b_on_a(
        lambda w: f"/manage/needs/new?institution={w.slug_a}", 200
    ),
    ("manage.new_need", "POST"): staff_b_on_a(
        lambda w: f"/manage/needs/new?institution={w.slug_a}",
        303,
        lambda w: {**NEED_FORM, **_shift_form()},
    ),
    ("manage.need", "GET"): staff_b_on_a(lambda w: f"/manage/needs/{w.need_a_draft}", 200),
    ("manage.edit_need", "GET"): staff_b_on_a(lambda w: f"/manage/needs/{w.need_a}/edit", 200),
    ("manage.edit_need", "POST"): staff_b_on_a(
        lambda w: f"/manage/needs/{w.need_a}/edit", 303, lambda w: NEED_FORM
    ),
    ("manage.publish_need", "POST"): staff_b_on_a(
        lambda w: f"/manage/needs/{w.need_a_draft}/publish",
        303,
        lambda w: {"seen_status": "draft"},
    ),
    ("manage.close_need", "POST"): staff_b_on_a(
        lambda w: f"/manage/needs/{w.need_a}/close", 303, lambda w: {"seen_status": "published"}
    ),
    ("manage.cancel_need", "POST"): staff_b_on_a(
        lambda w: f"/manage/needs/{w.need_a}/cancel", 303, lambda w: {"reason": "Remont sali."}
    ),
    ("manage.add_shifts", "POST"): staff_b_on_a(
        lambda w: f"/manage/needs/{w.need_a}/shifts",
        303,
        lambda w: {f"add-{k}": v for k, v in _shift_form().items()},
    ),
    ("manage.edit_shift", "GET"): staff_b_on_a(lambda w: f"/manage/shifts/{w.shift_a}/edit", 200),
    ("manage.edit_shift", "POST"): staff_b_on_a(
        lambda w: f"/manage/shifts/{w.shift_a}/edit", 303, lambda w: _shift_form()
    ),
    ("manage.cancel_shift", "POST"): staff_b_on_a(
        lambda w: f"/manage/shifts/{w.shift_a}/cancel", 303, lambda w: {"reason": "Remont sali."}
    ),
    ("manage.accept_assignment", "POST"): staff_b_on_a(
        lambda w: f"/manage/assignments/{w.other_application_a}/accept",
        303,
        lambda w: {"seen_status": "applied"},
    ),
    ("manage.reject_assignment", "POST"): staff_b_on_a(
        lambda w: f"/manage/assignments/{w.assignment_a}/reject",
        303,
        lambda w: {"seen_status": "applied"},
    ),
    ("manage.volunteer", "GET"): staff_b_on_a(lambda w: f"/manage/volunteers/{w.volunteer}", 200),
    ("manage.record_check", "POST"): staff_b_on_a(
        lambda w: f"/manage/volunteers/{w.volunteer}/checks",
        303,
        lambda w: {"certificate_seen_on": "2024-01-02", "register_checked_on": "2024-01-02"},
    ),
}
