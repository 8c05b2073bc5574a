"""Routes of the volunteer's own pages, the personal calendar feed and the guardian's consent page.

Only a volunteer has a profile: staff, coordinators and administrators get 403 on /me/*; anonymous
visitors are sent to sign in. The feed and the guardian page are public: the secret in the URL is
the key, and a wrong one gives 404. Records of another volunteer answer 404, as if there were
none (CROSS_OWNER).
"""

from __future__ import annotations

from tests.authz.common import CrossOwnerRoutes
from tests.authz.common import Routes
from tests.authz.common import everyone
from tests.authz.common import volunteer_on_other
from tests.authz.common import volunteers_only

MISSING = 987654321

ROUTES: Routes = {
    ("volunteers.profile", "GET"): (lambda w: "/me/profile", volunteers_only(200)),
    ("volunteers.edit_profile", "GET"): (lambda w: "/me/profile/edit", volunteers_only(200)),
    ("volunteers.edit_profile", "POST"): (lambda w: "/me/profile/edit", volunteers_only(422)),
    ("volunteers.resend_guardian", "POST"): (lambda w: "/me/guardian/resend", volunteers_only(302)),
    ("volunteers.guardian", "GET"): (lambda w: "/guardian/zly-token", everyone(404)),
    ("volunteers.guardian", "POST"): (lambda w: "/guardian/zly-token", everyone(404)),
    ("volunteers.skills", "GET"): (lambda w: "/me/skills", volunteers_only(200)),
    # The test world has no skill taxonomy, so an empty form is a valid "no skills".
    ("volunteers.skills", "POST"): (lambda w: "/me/skills", volunteers_only(302)),
    ("volunteers.availability", "GET"): (lambda w: "/me/availability", volunteers_only(200)),
    ("volunteers.add_window", "POST"): (
        lambda w: "/me/availability/windows",
        volunteers_only(422),
    ),
    ("volunteers.delete_window", "POST"): (
        lambda w: f"/me/availability/windows/{MISSING}/delete",
        volunteers_only(404),
    ),
    ("volunteers.add_absence", "POST"): (
        lambda w: "/me/availability/absences",
        volunteers_only(422),
    ),
    ("volunteers.delete_absence", "POST"): (
        lambda w: f"/me/availability/absences/{MISSING}/delete",
        volunteers_only(404),
    ),
    ("volunteers.consents", "GET"): (lambda w: "/me/consents", volunteers_only(200)),
    ("volunteers.consents", "POST"): (lambda w: "/me/consents", volunteers_only(422)),
    ("volunteers.schedule", "GET"): (lambda w: "/me/schedule", volunteers_only(200)),
    ("volunteers.withdraw_assignment", "GET"): (
        lambda w: f"/me/assignments/{w.assignment_a}/withdraw",
        volunteers_only(200),
    ),
    # Sorted last among these routes: the volunteer really withdraws the application on need A.
    ("volunteers.withdraw_assignment", "POST"): (
        lambda w: f"/me/assignments/{w.assignment_a}/withdraw",
        volunteers_only(302),
    ),
    ("volunteers.notices", "GET"): (lambda w: "/me/notices", volunteers_only(200)),
    ("volunteers.mark_notices_read", "POST"): (lambda w: "/me/notices/read", volunteers_only(302)),
    ("volunteers.feed", "GET"): (lambda w: f"/feeds/{w.feed_token}.ics", everyone(200)),
    ("volunteers.reset_feed", "POST"): (lambda w: "/me/feed/reset", volunteers_only(302)),
    ("volunteers.my_data", "GET"): (lambda w: "/me/data", volunteers_only(200)),
    ("volunteers.data_json", "GET"): (lambda w: "/me/data.json", volunteers_only(200)),
    ("volunteers.delete_account", "GET"): (lambda w: "/me/delete", volunteers_only(200)),
    ("volunteers.delete_account", "POST"): (lambda w: "/me/delete", volunteers_only(422)),
}

CROSS_OWNER: CrossOwnerRoutes = {
    ("volunteers.delete_window", "POST"): volunteer_on_other(
        lambda w: f"/me/availability/windows/{w.other_window}/delete", 302
    ),
    ("volunteers.delete_absence", "POST"): volunteer_on_other(
        lambda w: f"/me/availability/absences/{w.other_absence}/delete", 302
    ),
    ("volunteers.withdraw_assignment", "GET"): volunteer_on_other(
        lambda w: f"/me/assignments/{w.assignment_b}/withdraw", 200
    ),
    ("volunteers.withdraw_assignment", "POST"): volunteer_on_other(
        lambda w: f"/me/assignments/{w.assignment_b}/withdraw", 302
    ),
}
