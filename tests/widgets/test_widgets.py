"""The widgets members paste into their websites: open needs in an iframe, in the page's
language, without scripts; the only pages that may be framed at all."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from app.models import NeedStatus
from app.models import Role
from tests.factories import PASSWORD
from tests.needs.test_needs_helpers import add_cohost
from tests.test_authorization import TABLE

FRAMEABLE = {"widgets.coalition", "widgets.institution"}


def frame_policy(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1)


def test_every_other_route_refuses_to_be_framed(app, authz_world):
    world, users = authz_world
    anonymous = app.test_client()
    coordinator = app.test_client()
    coordinator.post("/login", data={"email": users["coordinator"], "password": PASSWORD})
    seen = 0
    for (endpoint, method), (url_for_world, _expected) in sorted(TABLE.items()):
        url = url_for_world(world)
        clients = [anonymous] if method != "GET" else [anonymous, coordinator]
        for client in clients:
            response = client.open(url, method=method, data={})
            response.close()
            seen += 1
            where = f"{method} {url} ({endpoint}): {response.status_code}"
            if endpoint in FRAMEABLE:
                assert "X-Frame-Options" not in response.headers, where
                assert frame_policy(response) == "*", where
            else:
                assert response.headers.get("X-Frame-Options") == "DENY", where
                assert frame_policy(response) == "'none'", where
    assert seen > 2 * len(FRAMEABLE)
    missing = app.test_client().get("/nie-ma-takiej-strony")
    assert missing.status_code == 404 and missing.headers["X-Frame-Options"] == "DENY"


def test_the_sites_that_may_frame_widgets_can_be_listed(make_app, factory):
    listed = make_app(
        WIDGET_FRAME_ANCESTORS="https://muzeum.example.org  https://teatr.example.org"
    )
    client = listed.test_client()
    response = client.get("/widget/needs")
    assert frame_policy(response) == "https://muzeum.example.org https://teatr.example.org"
    assert frame_policy(client.get("/news/public")) == "'none'"


@pytest.fixture
def open_needs(app, factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO", slug="muzeum")
    theatre = factory.institution("Teatr im. Jana Kochanowskiego", short_name="Teatr", slug="teatr")
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    factory.need(museum, "Oprowadzanie po wystawie", start=soon)
    joint = factory.need(theatre, "Festiwal: obsługa widowni", start=soon + timedelta(days=1))
    add_cohost(app, joint, museum)
    factory.need(theatre, "Garderoba w teatrze", start=soon)
    factory.need(museum, "Szkic muzeum", start=soon, status=NeedStatus.DRAFT)
    factory.need(museum, "Dawna wystawa", start=soon - timedelta(days=20))
    factory.need(museum, "Pełna obsada", start=soon, places=1, shifts=1)
    return museum


def test_a_members_widget_lists_its_open_needs_and_joint_ones(client, open_needs):
    response = client.get("/widget/needs/muzeum")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Oprowadzanie po wystawie" in page and "Festiwal: obsługa widowni" in page
    assert "Garderoba w teatrze" not in page
    assert "Szkic muzeum" not in page and "Dawna wystawa" not in page
    assert '<html lang="pl">' in page
    assert "<script" not in page and "<form" not in page
    # Only the app's own stylesheet; links open the exchange in a new tab, absolute.
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert all(
        u.startswith("http://localhost/")
        for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    )
    assert 'target="_blank" rel="noopener"' in page
    assert len(response.data) < 10_000


def test_the_coalition_widget_speaks_the_language_of_the_snippet(client, open_needs):
    page = client.get("/widget/needs?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Volunteering at the OKIK coalition&#39;s institutions</h1>" in page
    assert '<span lang="pl">Garderoba w teatrze</span>' in page
    assert '<html lang="pl">' in client.get("/widget/needs").get_data(as_text=True)
    # Only widgets take the language from the address.
    assert '<html lang="pl">' in client.get("/news/public?lang=en").get_data(as_text=True)


def test_a_widget_of_an_unknown_institution_is_not_found(client):
    assert client.get("/widget/needs/nie-ma-takiej").status_code == 404


def test_the_institution_page_offers_the_snippets(client, open_needs):
    page = client.get("/institutions/muzeum").get_data(as_text=True)
    assert "&lt;iframe src=&#34;http://localhost/widget/needs/muzeum?lang=pl&#34;" in page or (
        '&lt;iframe src="http://localhost/widget/needs/muzeum?lang=pl"' in page
    )
    assert "http://localhost/widget/needs?lang=pl" in page
    assert '<label for="widget-code">' in page


def test_a_need_offers_ready_made_sharing_text_and_a_link(client, factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")
    need = factory.need(museum, "Oprowadzanie po wystawie")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    url = f"http://localhost/needs/{need.id}"
    assert (
        "Muzeum Śląska Opolskiego szuka wolontariuszy: Oprowadzanie po wystawie. "
        f"Zgłoś się przez Giełdę Wolontariatu OKIK: {url}"
    ) in page
    assert f'<a href="{url}">{url}</a>' in page
    assert 'href="mailto:?subject=' in page


def test_staff_see_the_widget_like_anyone(app, factory, open_needs):
    staff = factory.user(Role.STAFF, institution=open_needs)
    client = app.test_client()
    client.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert "Oprowadzanie po wystawie" in client.get("/widget/needs/muzeum").get_data(as_text=True)
