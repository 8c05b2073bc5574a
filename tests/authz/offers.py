"""Routes of the volunteer's offers (app/offers/; their endpoints keep the proposals name)."""

from __future__ import annotations

from tests.authz.common import ROLES
from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import volunteer_on_other

# Signed-in non-volunteers are refused volunteer pages; only the owner sees an offer (404 otherwise).
own_offer = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "volunteer": 200}
own_offer_post = {**dict.fromkeys(ROLES, 404), "anonymous": 302, "volunteer": 303}
volunteer_list = {**dict.fromkeys(ROLES, 403), "anonymous": 302, "volunteer": 200}

ROUTES: Routes = {
    ("proposals.my_offers", "GET"): (lambda w: "/offers/", volunteer_list),
    ("proposals.offer", "GET"): (lambda w: f"/offers/{w.offer}", own_offer),
    # Accepting someone else's offer is a 404 for everybody, also for the signed-in volunteer.
    ("proposals.accept_offer", "POST"): (
        lambda w: f"/offers/{w.other_offer}/accept",
        {**own_offer_post, "volunteer": 404},
    ),
    ("proposals.decline_offer", "POST"): (lambda w: f"/offers/{w.offer}/decline", own_offer_post),
}

CROSS_OWNER: CrossOwnerRoutes = {
    ("proposals.offer", "GET"): volunteer_on_other(lambda w: f"/offers/{w.other_offer}", 200),
    ("proposals.accept_offer", "POST"): volunteer_on_other(
        lambda w: f"/offers/{w.other_offer}/accept", 303
    ),
    ("proposals.decline_offer", "POST"): volunteer_on_other(
        lambda w: f"/offers/{w.other_offer}/decline", 303, lambda w: {"note": "Nie mogę."}
    ),
}
