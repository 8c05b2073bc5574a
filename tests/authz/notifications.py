"""Routes of e-mail preferences, unsubscribe links and the outbox."""

from __future__ import annotations

from tests.authz.common import Routes
from tests.authz.common import admins
from tests.authz.common import everyone
from tests.authz.common import signed_in

ROUTES: Routes = {
    ("notifications.preferences", "GET"): (lambda w: "/account/notifications", signed_in(302, 200)),
    # An empty form turns every optional kind off: allowed for anyone signed in.
    ("notifications.preferences", "POST"): (
        lambda w: "/account/notifications",
        signed_in(302, 303),
    ),
    # The unsubscribe link works without a session; a forged token is unknown to everyone.
    ("notifications.unsubscribe", "GET"): (lambda w: "/unsubscribe/falszywy", everyone(404)),
    ("notifications.unsubscribe", "POST"): (lambda w: "/unsubscribe/falszywy", everyone(404)),
    ("notifications.outbox", "GET"): (lambda w: "/admin/outbox", admins(200)),
    ("notifications.retry_message", "POST"): (lambda w: "/admin/outbox/999999/retry", admins(404)),
}
