"""Drafts of institution A are hidden on the public routes from every role, staff of A included."""

from __future__ import annotations

import pytest

from tests.authz.common import ROLES
from tests.authz.public import DRAFT_ROUTES
from tests.factories import PASSWORD


@pytest.mark.parametrize("role", ROLES)
def test_drafts_are_hidden_from_every_role(app, authz_world, role):
    world, users = authz_world
    client = app.test_client()
    if users[role]:
        assert (
            client.post("/login", data={"email": users[role], "password": PASSWORD}).status_code
            == 302
        )
    wrong = []
    for (endpoint, method), (url_for_world, expected) in DRAFT_ROUTES.items():
        url = url_for_world(world)
        status = client.open(url, method=method, data={}).status_code
        if status != expected[role]:
            wrong.append(f"{method} {url} ({endpoint}): got {status}, want {expected[role]}")
    assert not wrong, "\n".join(wrong)
