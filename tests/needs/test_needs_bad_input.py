"""Whatever people and robots put in the search, the apply form, the calendar or the API:
an answer with a message, never a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.models import Role
from tests.factories import PASSWORD
from tests.test_bad_input import nasty_text

# NUL bytes are refused with 400 before any view runs (app/core/security.py); the rest reaches the views.
values = st.one_of(
    nasty_text,
    st.sampled_from(
        [
            "2026-03-29",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "one_off",
            "long_term",
            "true",
            "1",
            "-1",
            "0",
            "1e9",
            "２０２６-０１-０１",
            "%",
            "_",
            "\\",
        ]
    ),
)

SEARCH_PARAMS = [
    "q",
    "institution",
    "skill",
    "from",
    "to",
    "kind",
    "korpus",
    "minors",
    "accessible",
    "matches_profile",
    "page",
]
API_PARAMS = [p for p in SEARCH_PARAMS if p != "matches_profile"] + ["per_page"]
RULES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def world(app, factory):
    museum = factory.institution(slug="muzeum")
    need = factory.need(museum, "Dyżur w muzeum", shifts=2)
    volunteer = factory.user(Role.VOLUNTEER)
    signed_in = app.test_client()
    signed_in.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    return {"need": need, "anonymous": app.test_client(), "volunteer": signed_in}


@pytest.mark.parametrize("who", ["anonymous", "volunteer"])
def test_search_parameters_never_give_a_server_error(world, who):
    client = world[who]

    @RULES
    @given(params=st.fixed_dictionaries({}, optional={p: values for p in SEARCH_PARAMS}))
    def check(params):
        response = client.get("/needs/", query_string=params)
        response.close()
        assert response.status_code in (200, 400), (params, response.status_code)

    check()


def test_api_parameters_give_200_or_400_json(world):
    client = world["anonymous"]

    @RULES
    @given(params=st.fixed_dictionaries({}, optional={p: values for p in API_PARAMS}))
    def check(params):
        response = client.get("/api/v1/needs", query_string=params)
        assert response.status_code in (200, 400), (params, response.status_code)
        assert response.mimetype == "application/json"
        if response.status_code == 400:
            assert response.get_json()["message"]

    check()


@pytest.mark.parametrize(
    ("path", "params"),
    [("/calendar/", ["year", "month", "institution"]), ("/calendar/week", ["date", "institution"])],
)
def test_calendar_parameters_never_give_a_server_error(world, path, params):
    client = world["anonymous"]

    @RULES
    @given(query=st.fixed_dictionaries({}, optional={p: values for p in params}))
    def check(query):
        response = client.get(path, query_string=query)
        response.close()
        assert response.status_code in (200, 400), (query, response.status_code)

    check()


def test_feed_parameter_never_gives_a_server_error(world):
    client = world["anonymous"]

    @RULES
    @given(slug=values)
    def check(slug):
        response = client.get("/calendar/feed.ics", query_string={"institution": slug})
        response.close()
        assert response.status_code in (200, 400, 404)

    check()


def test_apply_form_never_gives_a_server_error(world):
    client = world["volunteer"]
    need = world["need"]
    shift_ids = [str(s.id) for s in need.shifts]

    @RULES
    @given(
        shifts=st.lists(st.one_of(values, st.sampled_from(shift_ids)), max_size=4),
        message=st.one_of(st.none(), nasty_text),
    )
    def check(shifts, message):
        data = {"shifts": shifts}
        if message is not None:
            data["message"] = message
        response = client.post(f"/needs/{need.id}/apply", data=data)
        response.close()
        assert response.status_code < 500, (data, response.status_code)
        if response.status_code >= 400 and response.status_code not in (400, 404):
            assert response.mimetype == "text/html"

    check()


@pytest.mark.parametrize(
    "url",
    [
        "/needs/0",
        "/needs/99999999999999999999",
        "/needs/-1",
        "/api/v1/needs/0",
        "/api/v1/needs/99999999999999999999",
    ],
)
def test_out_of_range_ids_are_not_found(client, url):
    assert client.get(url).status_code == 404
