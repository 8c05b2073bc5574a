"""Routes where administrators change the skill taxonomy and accounts.

Only administrators pass; coordinators are refused like everyone else. An empty form is refused
at its fields (422); the buttons act on the signed-in volunteer of the test world, whom nobody
else in that run needs: switching the account off answers 303, switching it on again says it was
on (303), and a confirmation link for an address already confirmed is refused (409).
"""

from __future__ import annotations

from tests.authz.common import Routes
from tests.authz.common import admins

ROUTES: Routes = {
    ("admin.new_skill", "GET"): (lambda w: "/admin/skills/new", admins(200)),
    ("admin.new_skill", "POST"): (lambda w: "/admin/skills/new", admins(422)),
    # The test world holds no skills: a missing one is 404 to administrators, refused to others.
    ("admin.edit_skill", "GET"): (lambda w: "/admin/skills/999999", admins(404)),
    ("admin.edit_skill", "POST"): (lambda w: "/admin/skills/999999", admins(404)),
    ("admin.retire_skill", "POST"): (lambda w: "/admin/skills/999999/retire", admins(404)),
    ("admin.restore_skill", "POST"): (lambda w: "/admin/skills/999999/restore", admins(404)),
    ("admin.user", "GET"): (lambda w: f"/admin/users/{w.volunteer}", admins(200)),
    ("admin.change_role", "POST"): (lambda w: f"/admin/users/{w.volunteer}/role", admins(422)),
    ("admin.deactivate_user", "POST"): (
        lambda w: f"/admin/users/{w.volunteer}/deactivate",
        admins(303),
    ),
    ("admin.reactivate_user", "POST"): (
        lambda w: f"/admin/users/{w.volunteer}/reactivate",
        admins(303),
    ),
    ("admin.resend_confirmation", "POST"): (
        lambda w: f"/admin/users/{w.volunteer}/resend-confirmation",
        admins(409),
    ),
    ("notifications.cancel_message", "POST"): (
        lambda w: "/admin/outbox/999999/cancel",
        admins(404),
    ),
}
