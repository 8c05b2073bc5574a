"""Routes of the public exchange: search, need pages, applying, the calendar and the JSON API.

Everything here is public except applying, which only a volunteer may do: staff, coordinators and
administrators have no volunteer profile and are refused. Drafts stay hidden from everyone on
these pages (tests/needs/test_needs_detail.py checks 404 for drafts and cancelled needs).
"""

from __future__ import annotations

from tests.authz.common import Routes
from tests.authz.common import everyone
from tests.authz.common import volunteers_only

ROUTES: Routes = {
    ("needs.search", "GET"): (lambda w: "/needs/?q=muzeum&page=1", everyone(200)),
    ("needs.detail", "GET"): (lambda w: f"/needs/{w.need_a}", everyone(200)),
    # An empty form: the volunteer gets through to validation ("choose a shift").
    ("needs.apply", "POST"): (lambda w: f"/needs/{w.need_b}/apply", volunteers_only(422)),
    # The shift has free places: the volunteer is told to apply instead of waiting.
    ("needs.join_waitlist", "POST"): (
        lambda w: f"/needs/{w.need_b}/shifts/{w.shift_b}/waitlist",
        volunteers_only(409),
    ),
    # Not waiting: the volunteer is sent back to the need's page, which says so.
    ("needs.leave_waitlist", "POST"): (
        lambda w: f"/needs/{w.need_b}/shifts/{w.shift_b}/waitlist/leave",
        volunteers_only(302),
    ),
    ("calendar.month", "GET"): (lambda w: "/calendar/", everyone(200)),
    ("calendar.week", "GET"): (lambda w: "/calendar/week", everyone(200)),
    ("calendar.feed", "GET"): (
        lambda w: f"/calendar/feed.ics?institution={w.slug_a}",
        everyone(200),
    ),
    ("api.needs", "GET"): (lambda w: "/api/v1/needs", everyone(200)),
    ("api.need", "GET"): (lambda w: f"/api/v1/needs/{w.need_a}", everyone(200)),
    ("api.institutions", "GET"): (lambda w: "/api/v1/institutions", everyone(200)),
    ("api.openapi", "GET"): (lambda w: "/api/v1/openapi.json", everyone(200)),
}

# Drafts are not public anywhere on these routes, whoever asks (staff see them in /manage).
DRAFT_ROUTES: Routes = {
    ("needs.detail", "GET"): (lambda w: f"/needs/{w.need_a_draft}", everyone(404)),
    ("needs.apply", "POST"): (lambda w: f"/needs/{w.need_a_draft}/apply", volunteers_only(404)),
    ("needs.join_waitlist", "POST"): (
        lambda w: f"/needs/{w.need_a_draft}/shifts/{w.shift_a}/waitlist",
        volunteers_only(404),
    ),
    ("api.need", "GET"): (lambda w: f"/api/v1/needs/{w.need_a_draft}", everyone(404)),
}
