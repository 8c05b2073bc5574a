"""Whatever a person types into a form, the answer is a page with a message, never a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.models import Role
from tests.factories import PASSWORD

# Text that people and robots send: empty, huge, any Unicode (also control and surrogate-free
# oddities), e-mail-like strings, numbers, and injection attempts.
nasty_text = st.one_of(
    st.just(""),
    st.text(max_size=30),
    st.text(min_size=200, max_size=5000),
    st.emails().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '" onmouseover="alert(1)',
            "' OR 1=1 --",
            "Zażółć gęślą jaźń",
            "\x00\x01",
            "😀" * 50,
            "ﷺ" * 300,
            "%(name)s {{ 7*7 }}",
        ]
    ),
)

# endpoint URL -> (role that may use it or None for anonymous, field names)
FORMS: dict[str, tuple[Role | None, list[str]]] = {
    "/login": (None, ["email", "password", "remember", "next"]),
    "/register": (
        None,
        ["first_name", "last_name", "email", "password", "password2", "accept_terms"],
    ),
    "/confirm": (None, ["email"]),
    "/reset": (None, ["email"]),
    "/reset/some-token": (None, ["password", "password2"]),
    "/language": (None, ["language", "next"]),
    "/account/password": (Role.VOLUNTEER, ["current_password", "password", "password2"]),
    "/institutions/staff-request": (Role.VOLUNTEER, ["institution_id", "position", "message"]),
    "/institutions/join": (
        Role.VOLUNTEER,
        [
            "name",
            "short_name",
            "kind",
            "address",
            "contact_email",
            "website",
            "position",
            "description",
        ],
    ),
    "/coordination/requests/staff/{staff_request}": (Role.COORDINATOR, ["decision", "note"]),
    "/coordination/requests/institution/{institution_request}": (
        Role.COORDINATOR,
        ["decision", "note"],
    ),
}

QUERY_PAGES = {
    "/coordination/audit": (Role.COORDINATOR, ["page"]),
    "/admin/users": (Role.ADMIN, ["q", "page"]),
}


@pytest.fixture
def signed_in_clients(app, factory):
    inst = factory.institution()
    applicant = factory.user()
    ids = {
        "staff_request": factory.staff_request(applicant, inst).id,
        "institution_request": factory.institution_request(applicant).id,
    }
    clients = {None: app.test_client()}
    for role in (Role.VOLUNTEER, Role.COORDINATOR, Role.ADMIN):
        client = app.test_client()
        client.post("/login", data={"email": factory.user(role).email, "password": PASSWORD})
        clients[role] = client
    return clients, ids


@pytest.mark.parametrize("url", sorted(FORMS))
def test_forms_never_answer_with_a_server_error(signed_in_clients, url):
    clients, ids = signed_in_clients
    role, fields = FORMS[url]
    client = clients[role]
    target = url.format(**ids)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(values=st.fixed_dictionaries({}, optional={f: nasty_text for f in fields}))
    def check(values):
        response = client.post(target, data=values)
        response.close()
        assert response.status_code < 500, (target, values, response.status_code)
        if 400 <= response.status_code < 500 and response.status_code != 404:
            assert response.mimetype == "text/html"

    check()


@pytest.mark.parametrize("url", sorted(QUERY_PAGES))
def test_query_parameters_never_answer_with_a_server_error(signed_in_clients, url):
    clients, _ids = signed_in_clients
    role, params = QUERY_PAGES[url]
    client = clients[role]

    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(values=st.fixed_dictionaries({}, optional={p: nasty_text for p in params}))
    def check(values):
        response = client.get(url, query_string=values)
        response.close()
        assert response.status_code < 500, (url, values, response.status_code)

    check()


def test_invalid_registration_keeps_what_was_typed(client):
    response = client.post(
        "/register",
        data={
            "first_name": "Zofia",
            "last_name": "Źdźbło",
            "email": "zła",
            "password": "x",
            "password2": "y",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Zofia"' in page and 'value="Źdźbło"' in page
    assert 'value="x"' not in page  # passwords are never sent back
