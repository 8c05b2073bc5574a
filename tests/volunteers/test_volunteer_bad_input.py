"""Whatever a volunteer (or a robot) types into the volunteer's forms: a message, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import Skill
from tests.factories import PASSWORD
from tests.test_bad_input import nasty_text

dates_and_times = st.one_of(
    nasty_text,
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "25:61", "10:00", "23:59:59"]),
)

# URL -> field names; {ids} are filled in by the fixture.
FORMS: dict[str, list[str]] = {
    "/me/profile/edit": [
        "first_name",
        "last_name",
        "date_of_birth",
        "phone",
        "city",
        "bio",
        "languages",
        "interests",
        "max_hours_month",
        "is_korpus",
        "has_disability",
        "access_needs",
        "preferred_institutions",
        "guardian_name",
        "guardian_email",
    ],
    "/me/skills": ["skill_{skill}", "skill_999999"],
    "/me/availability/windows": ["weekday", "start_time", "end_time"],
    "/me/availability/absences": ["starts_on", "ends_on"],
    "/me/consents": ["kind", "decision"],
    "/me/delete": ["password", "understood"],
    "/me/guardian/resend": ["csrf_token"],
    "/me/notices/read": ["csrf_token"],
    "/guardian/{token}": ["csrf_token"],
}


@pytest.fixture
def volunteer_client(app, factory):
    factory.reference_data()
    volunteer = factory.user()
    client = app.test_client()
    client.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    with app.app_context():
        skill = db.session.query(Skill.id).first()[0]
    return client, {"skill": skill, "token": "zly.token.podpis"}


@pytest.mark.parametrize("url", sorted(FORMS))
def test_volunteer_forms_never_answer_with_a_server_error(volunteer_client, url):
    client, ids = volunteer_client
    fields = [f.format(**ids) for f in FORMS[url]]
    target = url.format(**ids)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(values=st.fixed_dictionaries({}, optional={f: dates_and_times for f in fields}))
    def check(values):
        if url == "/me/delete":
            values.pop("password", None)  # never the real password: the account must stay
        response = client.post(target, data=values)
        response.close()
        assert response.status_code < 500, (target, values, response.status_code)
        if 400 <= response.status_code < 500 and response.status_code != 404:
            assert response.mimetype == "text/html"

    check()


@pytest.mark.parametrize(
    "url",
    [
        "/me/assignments/{n}/withdraw",
        "/me/availability/windows/{n}/delete",
        "/me/availability/absences/{n}/delete",
    ],
)
def test_odd_ids_are_not_found_never_a_server_error(volunteer_client, url):
    client, _ids = volunteer_client
    for n in ("0", "-1", "99999999999999999999", "abc", "1.5", "%00"):
        for method in ("GET", "POST"):
            response = client.open(url.format(n=n), method=method)
            response.close()
            assert response.status_code in (404, 405), (url, n, method, response.status_code)


@given(token=nasty_text)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_feed_and_guardian_tokens_never_answer_with_a_server_error(client, token):
    for path in (f"/feeds/{token}.ics", f"/guardian/{token}"):
        response = client.get(path)
        response.close()
        assert response.status_code < 500, (path, response.status_code)
