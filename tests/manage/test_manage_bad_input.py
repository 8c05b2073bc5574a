"""Whatever staff type into the staff forms (or robots send), the answer is a page, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.models import Role
from tests.factories import PASSWORD
from tests.test_bad_input import nasty_text

dates = st.one_of(
    nasty_text,
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "-1-01-01"]),
)
times = st.one_of(nasty_text, st.sampled_from(["00:00", "23:59", "24:00", "10:60", "7:5", "10:00"]))
numbers = st.one_of(nasty_text, st.integers(min_value=-(2**64), max_value=2**64).map(str))

NEED_FIELDS = {
    "title": nasty_text,
    "description": nasty_text,
    "kind": st.one_of(nasty_text, st.sampled_from(["one_off", "recurring", "long_term"])),
    "place": nasty_text,
    "min_age": numbers,
    "works_with_children": nasty_text,
    "is_accessible": nasty_text,
    "accessibility_note": nasty_text,
    "offers_training": nasty_text,
    "contact_name": nasty_text,
    "contact_email": nasty_text,
    "cohosts": numbers,
    "min_rest_hours": numbers,
    "max_days_in_row": numbers,
    "signup_opens_days": numbers,
    "skill_1": st.one_of(nasty_text, st.sampled_from(["r1", "r3", "n", "r9"])),
}
SHIFT_FIELDS = {
    "day": dates,
    "start_time": times,
    "end_time": times,
    "places": numbers,
    "repeat_until": dates,
}

# url template -> fields with their strategies
FORMS = {
    "/manage/needs/new?institution={slug}": {**NEED_FIELDS, **SHIFT_FIELDS},
    "/manage/needs/{need}/edit": NEED_FIELDS,
    "/manage/needs/{need}/publish": {"seen_status": nasty_text},
    "/manage/needs/{need}/close": {"seen_status": nasty_text},
    "/manage/needs/{need}/cancel": {"reason": nasty_text},
    "/manage/needs/{need}/shifts": {f"add-{k}": v for k, v in SHIFT_FIELDS.items()},
    "/manage/shifts/{shift}/edit": {k: v for k, v in SHIFT_FIELDS.items() if k != "repeat_until"},
    "/manage/shifts/{shift}/cancel": {"reason": nasty_text},
    "/manage/assignments/{assignment}/accept": {"seen_status": nasty_text, "note": nasty_text},
    "/manage/assignments/{assignment}/reject": {"seen_status": nasty_text, "note": nasty_text},
    "/manage/volunteers/{volunteer}/checks": {
        "certificate_seen_on": dates,
        "register_checked_on": dates,
        "note": nasty_text,
    },
}


@pytest.fixture
def staff_client(app, factory):
    factory.reference_data()
    inst = factory.institution("Muzeum Odporne", slug="muzeum-odporne")
    staff = factory.user(Role.STAFF, institution=inst)
    need = factory.need(inst, "Dyżur", shifts=2)
    person = factory.user()
    assignment = factory.application(person, need)
    client = app.test_client()
    client.post("/login", data={"email": staff.email, "password": PASSWORD})
    ids = {
        "slug": inst.slug,
        "need": need.id,
        "shift": need.shifts[0].id,
        "assignment": assignment.id,
        "volunteer": person.id,
    }
    return client, ids


@pytest.mark.parametrize("url", sorted(FORMS))
def test_staff_forms_never_answer_with_a_server_error(staff_client, url):
    client, ids = staff_client
    target = url.format(**ids)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(values=st.fixed_dictionaries({}, optional=FORMS[url]))
    def check(values):
        response = client.post(target, data=values)
        response.close()
        assert response.status_code < 500, (target, values, response.status_code)
        if 400 <= response.status_code < 500 and response.status_code != 404:
            assert response.mimetype == "text/html"

    check()


@pytest.mark.parametrize(
    "path",
    [
        "/manage/needs/new",
        "/manage/institutions/{slug}",
        "/manage/needs/{need}",
        "/manage/volunteers/{volunteer}",
    ],
)
def test_query_parameters_never_answer_with_a_server_error(staff_client, path):
    client, ids = staff_client
    target = path.format(**ids)

    @settings(
        max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        values=st.fixed_dictionaries({}, optional={"institution": nasty_text, "page": nasty_text})
    )
    def check(values):
        response = client.get(target, query_string=values)
        response.close()
        assert response.status_code < 500, (target, values, response.status_code)

    check()


@pytest.mark.parametrize(
    "path",
    [
        "/manage/needs/0",
        "/manage/needs/-1",
        "/manage/needs/99999999999999999999999",
        "/manage/shifts/abc/edit",
        "/manage/assignments/99999999999999999999/accept",
        "/manage/volunteers/1e3",
    ],
)
def test_strange_ids_are_404(staff_client, path):
    client, _ids = staff_client
    method = "POST" if path.endswith("accept") else "GET"
    assert client.open(path, method=method).status_code == 404
