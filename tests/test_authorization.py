"""Every route, every role: who may see and change what.

The tables in tests/authz/ list each (endpoint, method) of the app's URL map with the status each
role gets, on records of their own institution and of another one. A route added without an entry
makes `test_every_route_is_in_the_table` fail.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.authz
from tests.authz.common import ROLES
from tests.factories import PASSWORD


def merged_table() -> dict:
    table: dict = {}
    for module_info in pkgutil.iter_modules(tests.authz.__path__):
        module = importlib.import_module(f"tests.authz.{module_info.name}")
        routes = getattr(module, "ROUTES", None)
        if routes is None:
            continue
        clash = table.keys() & routes.keys()
        assert not clash, f"routes listed twice: {clash}"
        table.update(routes)
    return table


TABLE = merged_table()


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


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_on_every_route(app, authz_world, role):
    world, users = authz_world
    client = app.test_client()

    def sign_in() -> None:
        if users[role]:
            response = client.post("/login", data={"email": users[role], "password": PASSWORD})
            assert response.status_code == 302, f"{role} could not sign in"

    sign_in()
    wrong = []
    for (endpoint, method), (url_for_world, expected) in sorted(TABLE.items()):
        url = url_for_world(world)
        response = client.open(url, method=method, data={})
        response.close()
        if response.status_code != expected[role]:
            wrong.append(
                f"{method} {url} ({endpoint}): got {response.status_code}, want {expected[role]}"
            )
        if endpoint in ("auth.logout", "auth.login", "volunteers.delete_account"):
            sign_in()
    assert not wrong, "\n".join(wrong)
