"""Administrators find people the way they remember them: without Polish letters, in any case,
by either name first."""

from __future__ import annotations

import pytest

from app.models import Role
from tests.factories import PASSWORD


@pytest.fixture
def admin_client(app, factory):
    factory.user(first_name="Zofia", last_name="Żółkiewska", email="zofia.z@example.org")
    factory.user(first_name="Łukasz", last_name="Ślęzak", email="lukasz.s@example.org")
    factory.user(first_name="Anna", last_name="Nowak", email="anna.n@example.org")
    admin = factory.user(Role.ADMIN, first_name="Adam", last_name="Admin")
    client = app.test_client()
    assert (
        client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    )
    return client


def found(client, phrase: str) -> set[str]:
    page = client.get("/admin/users", query_string={"q": phrase}).get_data(as_text=True)
    return {e for e in ("zofia.z@", "lukasz.s@", "anna.n@") if e in page}


@pytest.mark.parametrize(
    ("phrase", "who"),
    [
        ("zolkiewska", {"zofia.z@"}),
        ("ŻÓŁKIEWSKA", {"zofia.z@"}),
        ("lukasz slezak", {"lukasz.s@"}),
        ("Slezak Lukasz", {"lukasz.s@"}),
        ("ANNA", {"anna.n@"}),
        ("anna.n@example", {"anna.n@"}),
        ("kowalczyk", set()),
    ],
)
def test_the_user_search_ignores_polish_letters_and_case(admin_client, phrase, who):
    assert found(admin_client, phrase) == who
