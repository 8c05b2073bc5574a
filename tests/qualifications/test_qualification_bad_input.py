"""Bad input on every qualification form: a Polish message at the field and a 4xx, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.core.time import today_in_warsaw
from tests.factories import PASSWORD

TOMORROW = (today_in_warsaw() + timedelta(days=1)).isoformat()
LAST_WEEK = (today_in_warsaw() - timedelta(days=7)).isoformat()


def signed_in(app, person):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    )
    return client


def field_error(page: str, field: str) -> str:
    marker = f'id="{field}-error">'
    assert marker in page, f"no message at {field}"
    return page.split(marker, 1)[1].split("</p>", 1)[0]


CATALOGUE_CASES = [
    ({"name_pl": ""}, "name_pl", "To pole jest wymagane."),
    ({"name_pl": "x" * 121}, "name_pl", "120"),
    ({"name_pl": "Kurs", "name_en": "y" * 121}, "name_en", "120"),
    ({"name_pl": "Kurs", "validity_months": "0"}, "validity_months", "od 1 do 600"),
    ({"name_pl": "Kurs", "validity_months": "601"}, "validity_months", "od 1 do 600"),
    ({"name_pl": "Kurs", "validity_months": "dwa"}, "validity_months", "liczbę całkowitą"),
    ({"name_pl": "Pierwsza pomoc"}, "name_pl", "już w katalogu"),
]


@pytest.mark.parametrize(("form", "field", "message"), CATALOGUE_CASES)
def test_the_catalogue_forms_say_what_is_wrong(app, coalition, form, field, message):
    client = signed_in(app, coalition.coordinator)
    for url in ("/qualifications/", "/qualifications/999999/edit"):
        if url.endswith("edit"):
            with app.app_context():
                from app.extensions import db
                from app.models import Qualification

                other = Qualification(name_pl="Szkolenie BHP")
                db.session.add(other)
                db.session.commit()
                url = f"/qualifications/{other.id}/edit"
        response = client.post(url, data=form)
        assert response.status_code in (409, 422), url
        assert message in field_error(response.get_data(as_text=True), field)


def _record(coalition, **changes) -> dict[str, str]:
    return {
        "qualification": str(coalition.first_aid),
        "institution": str(coalition.museum.id),
        "obtained_on": LAST_WEEK,
        **changes,
    }


RECORD_CASES = [
    ({"qualification": ""}, "qualification", "To pole jest wymagane."),
    ({"qualification": "987654"}, "qualification", "Nieprawidłowy wybór"),
    ({"institution": "abc"}, "institution", "Nieprawidłowy wybór"),
    ({"obtained_on": ""}, "obtained_on", "To pole jest wymagane."),
    ({"obtained_on": "32.13.2024"}, "obtained_on", "Podaj poprawną datę."),
    ({"obtained_on": TOMORROW}, "obtained_on", "przyszłości"),
    ({"expires_on": "2024-02-30"}, "expires_on", "Podaj poprawną datę."),
    (
        {"expires_on": (today_in_warsaw() - timedelta(days=30)).isoformat()},
        "expires_on",
        "wcześniejsza",
    ),
    ({"note": "x" * 301}, "note", "300"),
]


@pytest.mark.parametrize(("changes", "field", "message"), RECORD_CASES)
def test_the_record_form_says_what_is_wrong(app, factory, coalition, changes, field, message):
    factory.application(coalition.ala, factory.need(coalition.museum, "Dyżur"))
    client = signed_in(app, coalition.museum_staff)
    response = client.post(
        f"/qualifications/volunteers/{coalition.ala.id}", data=_record(coalition, **changes)
    )
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)


def test_another_institution_cannot_be_named_as_the_recorder(app, factory, coalition):
    factory.application(coalition.ala, factory.need(coalition.museum, "Dyżur"))
    client = signed_in(app, coalition.museum_staff)
    response = client.post(
        f"/qualifications/volunteers/{coalition.ala.id}",
        data=_record(coalition, institution=str(coalition.theatre.id)),
    )
    assert response.status_code == 422
    assert "Nieprawidłowy wybór" in field_error(response.get_data(as_text=True), "institution")


@pytest.mark.parametrize("confirm", ["", "abc", "0", "999999"])
def test_a_grant_with_a_stale_or_broken_form_changes_nothing(app, factory, coalition, confirm):
    client = signed_in(app, coalition.theatre_staff)
    response = client.post(
        f"/qualifications/needs/{coalition.show.id}/grant", data={"confirm": confirm}
    )
    assert response.status_code == 422
    assert "Odśwież stronę" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/qualifications/99999999999/edit", "/qualifications/volunteers/99999999999"]
)
def test_ids_beyond_the_database_range_are_not_found(app, coalition, url):
    assert signed_in(app, coalition.coordinator).get(url).status_code == 404


nasty = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.text(min_size=200, max_size=2000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["<script>alert(1)</script>", "\x00\x01", "2024-02-30", "%(name)s {{ 7*7 }}"]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.fixed_dictionaries({k: nasty for k in ("name_pl", "name_en", "validity_months")}))
def test_the_catalogue_form_never_fails_with_a_server_error(app, coalition, values):
    response = signed_in(app, coalition.coordinator).post("/qualifications/", data=values)
    assert response.status_code < 500


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.fixed_dictionaries(
        {k: nasty for k in ("qualification", "institution", "obtained_on", "expires_on", "note")}
    )
)
def test_the_record_form_never_fails_with_a_server_error(app, coalition, values):
    response = signed_in(app, coalition.coordinator).post(
        f"/qualifications/volunteers/{coalition.ala.id}", data=values
    )
    assert response.status_code < 500


NEED_FORM = {"title": "Widownia", "description": "Opis", "kind": "one_off", "place": "Sala"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"required_qualification": "987654"}, "required_qualification", "Nieprawidłowy wybór"),
        ({"grants_qualification": "abc"}, "grants_qualification", "Nieprawidłowy wybór"),
        (
            {"grants_qualification": "{first_aid}"},
            "grants_qualification",
            "Kwalifikację daje tylko potrzeba rodzaju „Szkolenie dla wolontariuszy”.",
        ),
    ],
)
def test_the_need_form_checks_the_qualifications(app, coalition, changes, field, message):
    data = {**NEED_FORM, **{k: v.format(first_aid=coalition.first_aid) for k, v in changes.items()}}
    response = signed_in(app, coalition.theatre_staff).post(
        f"/manage/needs/{coalition.show.id}/edit", data=data
    )
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)


def test_a_training_may_grant_a_qualification(app, coalition):
    data = {**NEED_FORM, "kind": "training", "grants_qualification": str(coalition.first_aid)}
    response = signed_in(app, coalition.theatre_staff).post(
        f"/manage/needs/{coalition.show.id}/edit", data=data
    )
    assert response.status_code == 303


def test_an_empty_institution_is_refused_even_for_staff_of_one(app, factory, coalition):
    factory.application(coalition.ala, factory.need(coalition.museum, "Dyżur"))
    client = signed_in(app, coalition.museum_staff)
    page = client.get(f"/qualifications/volunteers/{coalition.ala.id}").get_data(as_text=True)
    assert f'<option selected value="{coalition.museum.id}">' in page
    response = client.post(
        f"/qualifications/volunteers/{coalition.ala.id}", data=_record(coalition, institution="")
    )
    assert response.status_code == 422
    assert "To pole jest wymagane." in field_error(response.get_data(as_text=True), "institution")
