"""The public JSON API: filters like the search page, caching headers, CORS, and no personal data."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from app.models import AssignmentStatus
from app.models import NeedKind
from app.models import NeedStatus
from app.models import Role
from tests.needs.test_needs_helpers import add_cohost
from tests.needs.test_needs_helpers import add_skills
from tests.needs.test_needs_helpers import make_skill


@pytest.fixture
def feed(app, factory):
    museum = factory.institution(
        "Muzeum Śląska Opolskiego",
        short_name="MŚO",
        slug="muzeum",
        website="https://muzeum.example.org",
        is_founder=True,
        description="Muzeum regionu.",
    )
    theatre = factory.institution("Teatr im. Jana Kochanowskiego", short_name="Teatr", slug="teatr")
    factory.institution("Zamknięta fundacja", slug="zamknieta", is_active=False)
    # 5 April is summer time in Warsaw: 8:00 UTC is 10:00+02:00.
    year = datetime.now(UTC).year + 1
    start = datetime(year, 4, 5, 8, 0, tzinfo=UTC)
    photo = factory.need(
        museum,
        "Fotografia wydarzeń",
        shifts=2,
        places=3,
        start=start,
        place="Łódź",
        description="Zdjęcia z wernisaży.",
        contact_name="Anna Kontaktowa",
        contact_email="anna.kontakt@example.org",
    )
    skill = make_skill(app, "Fotografia", "Photography")
    add_skills(app, photo, [(skill, 2, True)])
    add_cohost(app, photo, theatre)
    korpus = factory.need(
        theatre, "Stała pomoc", kind=NeedKind.LONG_TERM, start=start + timedelta(days=1)
    )
    factory.need(museum, "Szkic", status=NeedStatus.DRAFT, start=start)
    volunteer = factory.user(
        Role.VOLUNTEER,
        first_name="Zuzanna",
        last_name="Wolontariuszowa",
        email="zuzanna.w@example.org",
    )
    factory.application(volunteer, photo, 0, AssignmentStatus.ACCEPTED)
    return {"photo": photo, "korpus": korpus, "skill": skill, "volunteer": volunteer, "year": year}


def test_list_of_needs_with_everything_an_embedder_shows(client, feed):
    response = client.get("/api/v1/needs")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    first = body["items"][0]
    assert first["title"] == "Fotografia wydarzeń"
    assert first["institution"] == {
        "id": first["institution"]["id"],
        "name": "Muzeum Śląska Opolskiego",
        "short_name": "MŚO",
        "slug": "muzeum",
    }
    assert [c["slug"] for c in first["cohosts"]] == ["teatr"]
    assert first["kind"] == "one_off" and first["place"] == "Łódź"
    assert first["skills"] == [
        {
            "id": feed["skill"],
            "name_pl": "Fotografia",
            "name_en": "Photography",
            "min_level": 2,
            "required": True,
        }
    ]
    year = feed["year"]
    assert first["shifts"][0]["starts_at"] == f"{year}-04-05T10:00:00+02:00"
    assert first["shifts"][0]["ends_at"] == f"{year}-04-05T14:00:00+02:00"
    assert first["shifts"][0]["places"] == 3 and first["shifts"][0]["places_left"] == 2
    assert first["url"] == f"http://localhost/needs/{feed['photo'].id}"


def test_no_personal_data_anywhere(client, feed):
    photo = feed["photo"].id
    bodies = [
        client.get(url).get_data(as_text=True)
        for url in [
            "/api/v1/needs",
            f"/api/v1/needs/{photo}",
            "/api/v1/institutions",
            "/api/v1/openapi.json",
            "/api/v1/needs?per_page=100&q=fotografia",
        ]
    ]
    for body in bodies:
        for secret in [
            "zuzanna.w@example.org",
            "Zuzanna",
            "Wolontariuszowa",
            "anna.kontakt@example.org",
            "Anna Kontaktowa",
            "volunteer_id",
        ]:
            assert secret not in body


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("q=lodz", ["Fotografia wydarzeń"]),
        ("q=FOTOGRAFIA", ["Fotografia wydarzeń"]),
        ("institution=teatr", ["Fotografia wydarzeń", "Stała pomoc"]),
        ("institution=muzeum", ["Fotografia wydarzeń"]),
        ("korpus=true", ["Stała pomoc"]),
        ("kind=long_term", ["Stała pomoc"]),
        ("minors=true", ["Fotografia wydarzeń", "Stała pomoc"]),
        ("accessible=true", []),
        ("from=2000-01-01&to=2000-12-31", []),
        ("per_page=1", ["Fotografia wydarzeń"]),
        ("per_page=1&page=2", ["Stała pomoc"]),
        ("page=50", []),
    ],
)
def test_list_filters(client, feed, query, titles):
    response = client.get(f"/api/v1/needs?{query}")
    assert response.status_code == 200
    assert [n["title"] for n in response.get_json()["items"]] == titles


def test_skill_filter(client, feed):
    items = client.get(f"/api/v1/needs?skill={feed['skill']}").get_json()["items"]
    assert [n["title"] for n in items] == ["Fotografia wydarzeń"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=abc", "page"),
        ("page=99999999999999999999", "page"),
        ("kind=picnic", "kind"),
        ("from=31.12.2026", "from"),
        ("to=2026-02-30", "to"),
        ("korpus=yes-please", "korpus"),
        ("skill=-3", "skill"),
        ("q=" + "a" * 201, "q"),
    ],
)
def test_invalid_parameters_get_400_with_a_message(client, feed, query, parameter):
    response = client.get(f"/api/v1/needs?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and body["message"]
    assert parameter in body["errors"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_one_need_and_404_for_unknown_or_unpublished(client, feed, factory):
    photo = feed["photo"]
    response = client.get(f"/api/v1/needs/{photo.id}")
    assert response.status_code == 200
    assert response.get_json()["title"] == "Fotografia wydarzeń"
    closed = factory.need(factory.institution(), "Zamknięta", status=NeedStatus.CLOSED)
    for url in [
        "/api/v1/needs/999999",
        f"/api/v1/needs/{closed.id}",
        "/api/v1/needs/99999999999999999999",
        "/api/v1/needs/abc",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        assert response.get_json()["status"] == 404


def test_institutions(client, feed):
    body = client.get("/api/v1/institutions").get_json()
    assert [i["slug"] for i in body] == ["muzeum", "teatr"]
    assert body[0] == {
        "id": body[0]["id"],
        "slug": "muzeum",
        "name": "Muzeum Śląska Opolskiego",
        "short_name": "MŚO",
        "kind": "museum",
        "is_founder": True,
        "website": "https://muzeum.example.org",
        "description": "Muzeum regionu.",
    }


@pytest.mark.parametrize("path", ["/api/v1/needs", "/api/v1/needs/{id}", "/api/v1/institutions"])
def test_etag_and_304(client, feed, path):
    url = path.format(id=feed["photo"].id)
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    if "institutions" not in url:
        assert first.headers["Last-Modified"].endswith("GMT")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_etag_changes_when_places_are_taken(client, feed, factory):
    url = f"/api/v1/needs/{feed['photo'].id}"
    before = client.get(url).headers["ETag"]
    factory.application(factory.user(), feed["photo"], 1, AssignmentStatus.ACCEPTED)
    response = client.get(url, headers={"If-None-Match": before})
    assert response.status_code == 200
    assert response.headers["ETag"] != before


@pytest.mark.parametrize(
    "url", ["/api/v1/needs", "/api/v1/institutions", "/api/v1/openapi.json", "/api/v1/needs/424242"]
)
def test_cors_lets_any_site_read_the_feed(client, feed, url):
    response = client.get(url, headers={"Origin": "https://muzeum.example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        url, headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_openapi_document_lists_the_filters(client):
    document = client.get("/api/v1/openapi.json").get_json()
    names = [p["name"] for p in document["paths"]["/needs"]["get"]["parameters"]]
    assert names == [
        "q",
        "institution",
        "skill",
        "from",
        "to",
        "kind",
        "korpus",
        "minors",
        "accessible",
        "page",
        "per_page",
    ]
    assert document["components"]["schemas"]["NeedPage"]["required"] == [
        "items",
        "page",
        "per_page",
        "total",
    ]
