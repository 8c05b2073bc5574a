"""Routes of matching in the app: runs and decisions for coordinators (offers: offers.py)."""

from __future__ import annotations

from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import coordinators
from tests.authz.common import staff_b_on_a

staff_a_pages = {
    "anonymous": 302,
    "volunteer": 403,
    "staff_a": 200,
    "staff_b": 403,
    "coordinator": 200,
    "admin": 200,
}
# Deciding: coordinators get through (303 with a message for an empty choice); staff only when their
# institution delegated approval (not in this world: 403); volunteers 403.
decide = {
    "anonymous": 302,
    "volunteer": 403,
    "staff_a": 403,
    "staff_b": 403,
    "coordinator": 303,
    "admin": 303,
}

ROUTES: Routes = {
    ("proposals.index", "GET"): (lambda w: "/proposals/", coordinators(200)),
    ("proposals.run", "POST"): (lambda w: "/proposals/run", coordinators(303)),
    ("proposals.run_detail", "GET"): (lambda w: f"/proposals/runs/{w.run_id}", coordinators(200)),
    # The world's run is done: coordinators are told only failed runs start again (303).
    ("proposals.retry_run", "POST"): (
        lambda w: f"/proposals/runs/{w.run_id}/retry",
        coordinators(303),
    ),
    ("proposals.decide", "POST"): (lambda w: "/proposals/decide", decide),
    ("proposals.override", "POST"): (lambda w: "/proposals/override", coordinators(303)),
    ("proposals.for_institution", "GET"): (
        lambda w: f"/proposals/institution/{w.slug_a}",
        staff_a_pages,
    ),
    ("proposals.delegation", "POST"): (
        lambda w: f"/proposals/institution/{w.slug_b}/delegation",
        coordinators(303),
    ),
}

CROSS_OWNER: CrossOwnerRoutes = {
    ("proposals.for_institution", "GET"): staff_b_on_a(
        lambda w: f"/proposals/institution/{w.slug_a}", 200
    ),
}
