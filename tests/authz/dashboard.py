"""The dashboard: every signed-in person has one, showing only their own role's panels.

It has no identifier in its path; what each role finds on it (and that staff of B see nothing of
institution A) is told by tests/dashboard/test_dashboard.py.
"""

from __future__ import annotations

from tests.authz.common import Routes
from tests.authz.common import signed_in

ROUTES: Routes = {
    ("dashboard.index", "GET"): (lambda w: "/dashboard", signed_in(302, 200)),
}
