"""Lists of record ids sent by a form are bounded and checked: a huge number, a word or thousands
of ids get a Polish 400, never a server error or a session cookie too big for any browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Role
from tests.factories import PASSWORD

COOKIE_LIMIT = 4093  # what browsers keep; Werkzeug warns beyond it (and warnings are errors here)
MAX_IDS = 500  # the bound of app/core/forms.py


@pytest.fixture
def coordinator(app, factory):
    person = factory.user(Role.COORDINATOR)
    client = app.test_client()
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    return client


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["2147483648"], "Numer pozycji musi być liczbą całkowitą od 1 do 2147483647."),
        (["99999999999999999999"], "Numer pozycji musi być liczbą całkowitą od 1 do 2147483647."),
        (["0"], "Numer pozycji musi być liczbą całkowitą od 1 do 2147483647."),
        (["-1"], "Numer pozycji musi być liczbą całkowitą od 1 do 2147483647."),
        (["1", "abc"], "Numer pozycji musi być liczbą całkowitą od 1 do 2147483647."),
        (["١"], "Numer pozycji musi być liczbą całkowitą od 1 do 2147483647."),
        ([str(i) for i in range(1, MAX_IDS + 2)], f"Zaznacz najwyżej {MAX_IDS} pozycji naraz."),
        (["7"] * 5000, f"Zaznacz najwyżej {MAX_IDS} pozycji naraz."),
    ],
    ids=["2**31", "huge", "zero", "negative", "word", "arabic-digit", "501", "5000-repeats"],
)
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_decide_refuses_an_unreadable_or_oversized_id_list(coordinator, ids, message, action):
    response = coordinator.post("/proposals/decide", data={"ids": ids, "action": action})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_decide_on_many_missing_proposals_keeps_the_cookie_small(coordinator):
    ids = [str(i) for i in range(1_000_000, 1_000_000 + MAX_IDS)]
    response = coordinator.post("/proposals/decide", data={"ids": ids, "action": "approve"})
    assert response.status_code == 303
    assert len(response.headers.get("Set-Cookie", "")) < COOKIE_LIMIT
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Propozycja 1000000 nie istnieje albo nie możesz jej rozpatrzyć." in page
    assert f"Pozostałe propozycje, których nie udało się rozpatrzyć: {MAX_IDS - 5}." in page


def test_decide_still_decides_a_real_list(app, factory, coordinator):
    inst = factory.institution()
    need = factory.need(inst, "Oprowadzanie", shifts=2)
    people = [factory.user(), factory.user()]
    run = factory.match_run()
    proposals = [
        factory.application(p, need, shift_index=i, status=AssignmentStatus.PROPOSED, run_id=run.id)
        for i, p in enumerate(people)
    ]
    ids = [str(p.id) for p in proposals] + [str(proposals[0].id)]  # a repeat counts once
    response = coordinator.post("/proposals/decide", data={"ids": ids, "action": "approve"})
    assert response.status_code == 303
    statuses = factory.scalars(
        select(Assignment.status).where(Assignment.id.in_([p.id for p in proposals]))
    )
    assert statuses == [AssignmentStatus.OFFERED, AssignmentStatus.OFFERED]


def test_applying_with_thousands_of_shift_ids_is_refused_at_the_field(app, factory):
    inst = factory.institution()
    need = factory.need(inst, "Noc Muzeów")
    volunteer = factory.user()
    client = app.test_client()
    client.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    many = [str(need.shifts[0].id + n) for n in range(40_000)]
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": many})
    assert response.status_code == 422
    assert f"Zaznacz najwyżej {MAX_IDS} pozycji naraz." in response.get_data(as_text=True)
    assert factory.scalar(select(Assignment)) is None


@pytest.mark.parametrize(
    ("url", "field", "role"),
    [
        ("/me/profile/edit", "preferred_institutions", Role.VOLUNTEER),
        ("/proposals/run", "institutions", Role.COORDINATOR),
    ],
)
def test_every_checkbox_list_of_ids_is_bounded(app, factory, url, field, role):
    person = factory.user(role)
    client = app.test_client()
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    for values, message in (
        (["1"] * (MAX_IDS + 1), f"Zaznacz najwyżej {MAX_IDS} pozycji naraz."),
        (["2147483648"], "Numer pozycji musi być liczbą całkowitą od 1 do 2147483647."),
    ):
        response = client.post(
            url,
            data={field: values, "first_name": "Ola", "last_name": "Nowak", "max_hours_month": "8"},
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
