"""Whatever a member types into the post form, the answer is the form again with a Polish
message at the field (422), never a server error; the buttons answer 400."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from app.models import Role
from tests.news.test_news_board import coalition
from tests.news.test_news_board import post_form
from tests.news.test_news_board import sign_in
from tests.test_bad_input import nasty_text

BAD_FIELDS = [
    ("title", "", "To pole jest wymagane."),
    ("title", "x" * 201, "Najwyżej 200 znaków."),
    ("title", "Noc\x07muzeów", "Pole zawiera niedozwolone znaki."),
    ("body", "", "To pole jest wymagane."),
    ("body", "y" * 3001, "Najwyżej 3000 znaków."),
    ("kind", "", "To pole jest wymagane."),
    ("kind", "plotka", "Nieprawidłowy wybór"),
    ("institution_id", "", "To pole jest wymagane."),
    ("institution_id", "abc", "Nieprawidłowy wybór"),
    ("need_id", "99999999", "Nieprawidłowy wybór"),
    ("event_url", "muzeum.opole", "Podaj pełny adres strony, np. https://example.org."),
    ("event_url", "javascript:alert(1)", "Podaj pełny adres strony, np. https://example.org."),
    (
        "event_url",
        "javascript://example.org/%0Aalert(1)",
        "Podaj pełny adres strony, np. https://example.org.",
    ),
    (
        "event_url",
        "ftp://archiwum.example.org/plik",
        "Podaj pełny adres strony, np. https://example.org.",
    ),
    ("event_url", "https://" + "a" * 500 + ".pl", "Najwyżej 500 znaków."),
]


def error_at(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


@pytest.mark.parametrize(("field", "value", "message"), BAD_FIELDS)
@pytest.mark.parametrize("path", ["/news/new", "edit"])
def test_a_bad_field_gets_a_polish_message_at_the_field(app, factory, field, value, message, path):
    c = coalition(factory)
    museum = sign_in(app, c["museum_staff"].email)
    if path == "edit":
        path = f"/news/{factory.news_post(c['museum'], c['museum_staff']).id}/edit"
    response = museum.post(path, data=post_form(c, **{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_at(page, field).count(message) == 1, error_at(page, field)
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("endpoint", ["pin", "hide"])
@pytest.mark.parametrize("value", [None, "", "2", "tak", "\u0000"])
def test_the_coordinators_buttons_refuse_what_no_button_sends(app, factory, endpoint, value):
    c = coalition(factory)
    post = factory.news_post(c["museum"])
    coordinator = sign_in(app, c["coordinator"].email)
    data = {} if value is None else {"on": value}
    assert coordinator.post(f"/news/{post.id}/{endpoint}", data=data).status_code == 400


def test_the_post_form_never_answers_with_a_server_error(app, factory):
    c = coalition(factory)
    client = sign_in(app, factory.user(Role.COORDINATOR).email)
    fields = ["institution_id", "kind", "title", "body", "need_id", "event_url", "is_public"]

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(values=st.fixed_dictionaries({}, optional={f: nasty_text for f in fields}))
    def check(values):
        response = client.post("/news/new", data=values)
        response.close()
        assert response.status_code < 500, (values, response.status_code)

    check()
    assert c  # the coalition the coordinator posts in


@pytest.mark.parametrize(
    "query", ["lang=xx", "lang=", "lang=%00", "lang=pl&lang=en", "lang=" + "e" * 300]
)
def test_widgets_ignore_a_language_they_do_not_speak(client, factory, query):
    inst = factory.institution(slug="muzeum")
    for path in ("/widget/needs", f"/widget/needs/{inst.slug}"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query)
