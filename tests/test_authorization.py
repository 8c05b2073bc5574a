"""Every route, every role: who may see and change what.

The table below lists each (endpoint, method) of the app's URL map with the status each role
gets. A route added without an entry here makes `test_every_route_is_in_the_table` fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from app.models import Role
from tests.factories import PASSWORD

ROLES = ("anonymous", "volunteer", "staff_a", "staff_b", "coordinator", "admin")


@dataclass
class World:
    staff_request_id: int
    institution_request_id: int
    slug_a: str
    slug_b: str


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def signed_in(anonymous: int, others: int) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], others)}


def coordinators(allowed: int) -> dict[str, int]:
    return {
        "anonymous": 302,
        "volunteer": 403,
        "staff_a": 403,
        "staff_b": 403,
        "coordinator": allowed,
        "admin": allowed,
    }


def admins(allowed: int) -> dict[str, int]:
    return {**coordinators(403), "anonymous": 302, "admin": allowed}


Url = Callable[[World], str]

# (endpoint, method) -> (url builder, expected status per role). POSTs send an empty form:
# 422 means the role got through to validation, 302/403 that it was turned away first.
TABLE: dict[tuple[str, str], tuple[Url, dict[str, int]]] = {
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
    ("coordination.audit_log", "GET"): (lambda w: "/coordination/audit", coordinators(200)),
    ("admin.users", "GET"): (lambda w: "/admin/users", admins(200)),
    ("admin.skills", "GET"): (lambda w: "/admin/skills", admins(200)),
}


def routes_of(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method))
    return found


def test_every_route_is_in_the_table(app):
    routes = routes_of(app)
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert not missing, f"routes without an authorisation entry: {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"


@pytest.fixture
def world(factory) -> tuple[World, dict[str, str | None]]:
    inst_a = factory.institution("Muzeum A")
    inst_b = factory.institution("Teatr B")
    applicant = factory.user()
    users = {
        "anonymous": None,
        "volunteer": factory.user(Role.VOLUNTEER).email,
        "staff_a": factory.user(Role.STAFF, institution=inst_a).email,
        "staff_b": factory.user(Role.STAFF, institution=inst_b).email,
        "coordinator": factory.user(Role.COORDINATOR).email,
        "admin": factory.user(Role.ADMIN).email,
    }
    w = World(
        staff_request_id=factory.staff_request(applicant, inst_a).id,
        institution_request_id=factory.institution_request(applicant).id,
        slug_a=inst_a.slug,
        slug_b=inst_b.slug,
    )
    return w, users


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_on_every_route(app, world, role):
    w, users = world
    client = app.test_client()

    def sign_in() -> None:
        if users[role]:
            response = client.post("/login", data={"email": users[role], "password": PASSWORD})
            assert response.status_code == 302, f"{role} could not sign in"

    sign_in()
    wrong = []
    for (endpoint, method), (url_for_world, expected) in sorted(TABLE.items()):
        url = url_for_world(w)
        response = client.open(url, method=method, data={})
        response.close()
        if response.status_code != expected[role]:
            wrong.append(
                f"{method} {url} ({endpoint}): got {response.status_code}, want {expected[role]}"
            )
        if endpoint == "auth.logout" or (endpoint == "auth.login" and method == "POST"):
            sign_in()
    assert not wrong, "\n".join(wrong)
