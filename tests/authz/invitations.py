"""Routes of invitations: staff see suggestions for their needs and invite; volunteers answer."""

from __future__ import annotations

from tests.authz.common import ROLES
from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import everyone
from tests.authz.common import staff_b_on_a
from tests.authz.common import staff_of_a
from tests.authz.common import volunteer_on_other

# Only the volunteer's own offer answers; anybody else's id looks like a missing one.
own_offer = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "volunteer": 200}
# An empty form: the accept button's form has only its token (off in tests), so it goes through
# (303); declining with no reason goes through too.
own_offer_post = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "volunteer": 303}

ROUTES: Routes = {
    ("invitations.suggestions", "GET"): (
        lambda w: f"/manage/needs/{w.need_a}/suggestions",
        staff_of_a(200),
    ),
    # An empty form names nobody: the page again with the message at the button (422).
    ("invitations.invite", "POST"): (
        lambda w: f"/manage/shifts/{w.shift_a}/invite",
        staff_of_a(422),
    ),
    ("invitations.accept", "GET"): (lambda w: f"/invitations/{w.offer}/accept", own_offer),
    ("invitations.confirm_accept", "POST"): (
        lambda w: f"/invitations/{w.other_offer}/accept",
        {**own_offer_post, "volunteer": 404},
    ),
    ("invitations.decline", "GET"): (lambda w: f"/invitations/{w.offer}/decline", own_offer),
    ("invitations.confirm_decline", "POST"): (
        lambda w: f"/invitations/{w.offer}/decline",
        own_offer_post,
    ),
    # A link nobody signed: 404 for everybody.
    ("invitations.stop_weekly", "GET"): (
        lambda w: "/suggestions/stop/nie-podpisany",
        everyone(404),
    ),
    ("invitations.stop_weekly", "POST"): (
        lambda w: "/suggestions/stop/nie-podpisany",
        everyone(404),
    ),
}

CROSS_OWNER: CrossOwnerRoutes = {
    ("invitations.suggestions", "GET"): staff_b_on_a(
        lambda w: f"/manage/needs/{w.need_a}/suggestions", 200
    ),
    ("invitations.invite", "POST"): staff_b_on_a(
        lambda w: f"/manage/shifts/{w.invite_shift_a}/invite",
        303,
        lambda w: {"volunteer_id": str(w.invitable)},
    ),
    ("invitations.accept", "GET"): volunteer_on_other(
        lambda w: f"/invitations/{w.other_offer}/accept", 200
    ),
    ("invitations.confirm_accept", "POST"): volunteer_on_other(
        lambda w: f"/invitations/{w.other_offer}/accept", 303
    ),
    ("invitations.decline", "GET"): volunteer_on_other(
        lambda w: f"/invitations/{w.other_offer}/decline", 200
    ),
    ("invitations.confirm_decline", "POST"): volunteer_on_other(
        lambda w: f"/invitations/{w.other_offer}/decline", 303, lambda w: {"note": "Nie mogę."}
    ),
}
