"""What search engines read: every public page describes itself in a sentence in the reader's
language, and nothing a signed-in person sees, or a private link from an e-mail, is indexed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.models import Role
from app.services.mail import unsubscribe_token
from tests.hours.test_hours_flow import signed_in


class MetaTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name"):
            self.meta.setdefault(values["name"], []).append(values.get("content") or "")


def meta_of(response) -> dict[str, list[str]]:
    parser = MetaTags()
    parser.feed(response.get_data(as_text=True))
    return parser.meta


@pytest.fixture
def public_urls(factory) -> list[str]:
    museum = factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")
    need = factory.need(museum, "Oprowadzanie po wystawie")
    return [
        "/",
        "/needs/",
        "/needs/?q=muzeum",
        f"/needs/{need.id}",
        "/institutions/",
        "/institutions/muzeum",
        "/calendar/",
        "/calendar/week",
        "/deklaracja-dostepnosci",
        "/login",
        "/register",
        "/reset",
        "/confirm",
    ]


POLISH_LETTERS = set("ąćęłńóśźż")


def test_every_public_page_has_a_description_and_may_be_indexed(client, public_urls):
    descriptions = {}
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        meta = meta_of(response)
        (description,) = meta["description"]
        assert 40 <= len(description) <= 200, (url, description)
        descriptions[url] = description
        assert "robots" not in meta and "X-Robots-Tag" not in response.headers, url
    # The main lists say what they hold rather than repeat one sentence everywhere.
    assert len({descriptions[u] for u in ("/", "/needs/", "/institutions/", "/login")}) == 4
    assert "Oprowadzanie po wystawie" in descriptions[public_urls[3]]  # the need speaks of itself
    assert all(POLISH_LETTERS & set(d.lower()) for d in descriptions.values())


def test_descriptions_are_in_english_for_an_english_reader(client, public_urls):
    client.set_cookie("okik_lang", "en")
    for url in ("/", "/needs/", "/institutions/", "/calendar/", "/login", "/register"):
        (description,) = meta_of(client.get(url))["description"]
        assert not POLISH_LETTERS & set(description.lower()), (url, description)
    (home,) = meta_of(client.get("/"))["description"]
    assert home.startswith("The volunteer exchange of the Opole Coalition")


@pytest.mark.parametrize(
    ("role", "urls"),
    [
        (Role.VOLUNTEER, ["/", "/needs/", "/account/notifications", "/me/profile"]),
        (Role.COORDINATOR, ["/", "/reports/", "/hours/korpus", "/institutions/"]),
        (Role.ADMIN, ["/admin/outbox"]),
    ],
)
def test_signed_in_pages_are_never_indexed(app, factory, role, urls):
    client = signed_in(app, factory.user(role))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert meta_of(response)["robots"] == ["noindex"], url
        assert response.headers["X-Robots-Tag"] == "noindex", url


def test_private_links_from_e_mails_are_not_indexed_either(app, client, factory):
    volunteer = factory.user()
    with app.test_request_context():
        token = unsubscribe_token(volunteer.id, "digest")
    assert meta_of(client.get(f"/unsubscribe/{token}"))["robots"] == ["noindex"]
    # Static files are not pages: serving them to a signed-in person loads nobody from the database.
    with signed_in(app, volunteer).get("/static/css/app.css") as stylesheet:
        assert "X-Robots-Tag" not in stylesheet.headers
