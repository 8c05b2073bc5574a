"""Routes of the foundation: public pages, accounts, institutions, coordination, administration."""

from __future__ import annotations

from tests.authz.common import Routes
from tests.authz.common import admins
from tests.authz.common import coordinators
from tests.authz.common import everyone
from tests.authz.common import signed_in

# (endpoint, method) -> (url builder, expected status per role). POSTs send an empty form:
# 422 means the role got through to validation, 302/403 that it was turned away first.
ROUTES: Routes = {
    ("main.index", "GET"): (lambda w: "/", everyone(200)),
    ("main.accessibility", "GET"): (lambda w: "/deklaracja-dostepnosci", everyone(200)),
    ("main.healthz", "GET"): (lambda w: "/healthz", everyone(200)),
    ("main.set_language", "POST"): (lambda w: "/language", everyone(303)),
    ("static", "GET"): (lambda w: "/static/css/app.css", everyone(200)),
    ("auth.login", "GET"): (lambda w: "/login", signed_in(200, 302)),
    ("auth.login", "POST"): (lambda w: "/login", signed_in(422, 302)),
    ("auth.logout", "POST"): (lambda w: "/logout", everyone(302)),
    ("auth.register", "GET"): (lambda w: "/register", signed_in(200, 302)),
    ("auth.register", "POST"): (lambda w: "/register", signed_in(422, 302)),
    ("auth.check_email", "GET"): (lambda w: "/register/check-email", everyone(200)),
    ("auth.confirm", "GET"): (lambda w: "/confirm/zly-token", everyone(302)),
    ("auth.resend_confirmation", "GET"): (lambda w: "/confirm", everyone(200)),
    ("auth.resend_confirmation", "POST"): (lambda w: "/confirm", everyone(422)),
    ("auth.reset_request", "GET"): (lambda w: "/reset", everyone(200)),
    ("auth.reset_request", "POST"): (lambda w: "/reset", everyone(422)),
    ("auth.reset_password", "GET"): (lambda w: "/reset/zly-token", everyone(302)),
    ("auth.reset_password", "POST"): (lambda w: "/reset/zly-token", everyone(302)),
    ("account.overview", "GET"): (lambda w: "/account/", signed_in(302, 200)),
    ("account.change_password", "GET"): (lambda w: "/account/password", signed_in(302, 200)),
    ("account.change_password", "POST"): (lambda w: "/account/password", signed_in(302, 422)),
    ("institutions.directory", "GET"): (lambda w: "/institutions/", everyone(200)),
    ("institutions.detail", "GET"): (lambda w: f"/institutions/{w.slug_a}", everyone(200)),
    ("institutions.staff_request", "GET"): (
        lambda w: "/institutions/staff-request",
        signed_in(302, 200),
    ),
    ("institutions.staff_request", "POST"): (
        lambda w: "/institutions/staff-request",
        signed_in(302, 422),
    ),
    ("institutions.join_coalition", "GET"): (lambda w: "/institutions/join", signed_in(302, 200)),
    ("institutions.join_coalition", "POST"): (lambda w: "/institutions/join", signed_in(302, 422)),
    ("coordination.requests", "GET"): (lambda w: "/coordination/requests", coordinators(200)),
    ("coordination.decide_staff", "POST"): (
        lambda w: f"/coordination/requests/staff/{w.staff_request_id}",
        coordinators(422),
    ),
    ("coordination.decide_institution", "POST"): (
        lambda w: f"/coordination/requests/institution/{w.institution_request_id}",
        coordinators(422),
    ),
    ("coordination.confirm_birth_date_change", "POST"): (
        lambda w: f"/coordination/birth-dates/{w.volunteer}/confirm",
        coordinators(303),
    ),
    ("coordination.audit_log", "GET"): (lambda w: "/coordination/audit", coordinators(200)),
    ("admin.users", "GET"): (lambda w: "/admin/users", admins(200)),
    ("admin.skills", "GET"): (lambda w: "/admin/skills", admins(200)),
}
