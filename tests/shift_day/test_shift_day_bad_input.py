"""Whatever staff, volunteers or robots type into the check-in, message and feedback forms:
a message at the field, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.shift_day.conftest import signed_in
from tests.test_bad_input import nasty_text

pytestmark = pytest.mark.clock

values = st.one_of(
    nasty_text,
    st.sampled_from(["25:00", "10:61", "-1:00", "1e400", "accepted", "waiting", "0" * 32, "6"]),
)


def _forms(d) -> dict[tuple[str, str], list[str]]:
    a = d.anna_now.id
    return {
        ("staff", f"/checkin/assignments/{a}/times"): [f"t{a}-arrived", f"t{a}-left"],
        ("staff", f"/checkin/assignments/{a}/present"): ["csrf_token"],
        ("anna", "/checkin/"): ["code"],
        ("staff", f"/messages/shifts/{d.shift.id}/write"): [
            "audiences",
            "subject",
            "body",
            "token",
        ],
        ("coordinator", f"/messages/needs/{d.running.id}/write"): [
            "audiences",
            "subject",
            "body",
            "token",
        ],
        ("anna", f"/feedback/assignments/{d.anna_now.id}"): ["rating", "comment"],
    }


@pytest.mark.parametrize("index", range(6))
def test_shift_day_forms_never_answer_with_a_server_error(app, day, index):
    (who, url), fields = sorted(_forms(day).items())[index]
    client = signed_in(app, getattr(day, who))

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.fixed_dictionaries({}, optional={f: values for f in fields}))
    def check(data):
        response = client.post(url, data=data)
        response.close()
        assert response.status_code < 500, (url, data, response.status_code)

    check()


def test_a_code_with_odd_characters_is_refused_at_the_field_in_polish(app, day):
    response = signed_in(app, day.anna).post("/checkin/", data={"code": "<b>ABC</b>"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="code-error"' in page and "Kod składa się z liter i cyfr." in page


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_code_is_required(app, day, value):
    response = signed_in(app, day.anna).post("/checkin/", data={"code": value})
    assert response.status_code == 422
    assert "To pole jest wymagane." in response.get_data(as_text=True)
