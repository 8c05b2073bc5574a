"""Whatever staff, volunteers or robots type into the hours forms: a message, never a 500."""

# ruff: noqa: F811  (the shared fixture is imported, then named as an argument)

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.hours.test_hours_flow import hours_world  # noqa: F401
from tests.hours.test_hours_flow import signed_in  # noqa: F401
from tests.test_bad_input import nasty_text

pytestmark = pytest.mark.clock

values = st.one_of(
    nasty_text,
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["2,5", "24", "24,01", "0,001", "1e400", "-0", "2026-02-30", "9999-12-31"]),
)


def _forms(w) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """(who, url) -> fields. The forms are posted by someone allowed to use them."""
    a, p = w.anna_on_shift.id, w.piotr_on_shift.id
    return {
        ("staff_a", f"/hours/shifts/{w.shift.id}/confirm"): ["hours"],
        ("staff_a", f"/hours/assignments/{a}/confirm"): [f"a{a}-hours"],
        ("staff_a", f"/hours/assignments/{p}/no-show"): [f"n{p}-reason"],
        ("staff_a", f"/hours/institutions/{w.a.slug}/coordinator"): ["person"],
        ("anna", "/hours/mine/log"): ["need", "worked_on", "hours", "description"],
    }


@pytest.mark.parametrize("index", range(5))
def test_hours_forms_never_answer_with_a_server_error(app, hours_world, index):
    w = hours_world
    (who, url), fields = sorted(_forms(w).items())[index]
    client = signed_in(app, getattr(w, who))

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.fixed_dictionaries({}, optional={f: values for f in fields}))
    def check(data):
        response = client.post(url, data=data)
        response.close()
        assert response.status_code < 500, (url, data, response.status_code)

    check()


def test_correction_and_rejection_forms_never_answer_with_a_server_error(app, hours_world):
    w = hours_world
    from datetime import date

    anna = signed_in(app, w.anna)
    anna.post(
        "/hours/mine/log",
        data={
            "need": str(w.long_term.id),
            "worked_on": date.today().isoformat(),
            "hours": "2",
            "description": "Opis",
        },
    )
    from tests.hours.test_hours_flow import entries

    entry = entries(app)[0]
    staff = signed_in(app, w.staff_a)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.fixed_dictionaries({}, optional={"hours": values, "reason": values}))
    def check(data):
        for url in (f"/hours/entries/{entry.id}/correct", f"/hours/entries/{entry.id}/reject"):
            response = staff.post(url, data=data)
            response.close()
            assert response.status_code < 500, (url, data, response.status_code)

    check()


@pytest.mark.parametrize(
    "url",
    [
        "/hours/shifts/{n}",
        "/hours/shifts/{n}/confirm",
        "/hours/assignments/{n}/confirm",
        "/hours/assignments/{n}/no-show",
        "/hours/entries/{n}/correct",
        "/hours/entries/{n}/confirm",
        "/hours/entries/{n}/reject",
    ],
)
def test_odd_ids_are_not_found_never_a_server_error(app, hours_world, url):
    staff = signed_in(app, hours_world.staff_a)
    for n in ("0", "-1", "99999999999999999999", "abc", "1.5", "%00"):
        for method in ("GET", "POST"):
            response = staff.open(url.format(n=n), method=method)
            response.close()
            assert response.status_code in (400, 404, 405), (url, n, method, response.status_code)
