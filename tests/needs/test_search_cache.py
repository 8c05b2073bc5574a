"""The needs search keeps its rendered results, and never shows them after needs changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Need
from app.models import Role
from app.models import Shift
from app.services import search_cache
from tests.conftest import free_port
from tests.factories import PASSWORD
from tests.needs.test_needs_helpers import count_queries


def titles(response) -> list[str]:
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return re.findall(r'<h3 class="need-title"><a href="/needs/\d+">([^<]+)</a>', page)


def searches_of_needs(statements: list[str]) -> int:
    return sum(1 for s in statements if "count(*) OVER ()" in s)


@pytest.fixture
def cached_app(make_app, tmp_path):
    return make_app(CACHE_TYPE="SimpleCache")


@pytest.fixture
def two_needs(factory):
    museum = factory.institution("Muzeum Pamięci Podręcznej")
    return factory.need(museum, "Fotografia wystawy"), factory.need(museum, "Szatnia w muzeum")


def test_the_same_question_is_answered_from_the_cache(cached_app, two_needs):
    client = cached_app.test_client()
    with count_queries(cached_app) as first:
        assert sorted(titles(client.get("/needs/?q=szatnia"))) == ["Szatnia w muzeum"]
    with count_queries(cached_app) as again:
        assert titles(client.get("/needs/?q=szatnia")) == ["Szatnia w muzeum"]
    assert searches_of_needs(first) == 1
    assert searches_of_needs(again) == 0
    # Another question, or the same in English, is its own entry.
    with count_queries(cached_app) as other:
        client.get("/needs/?q=fotografia")
        client.set_cookie("okik_lang", "en")
        assert "1 need found" in client.get("/needs/?q=szatnia").get_data(as_text=True)
    assert searches_of_needs(other) == 2


def test_an_edited_need_shows_at_once(cached_app, two_needs):
    client = cached_app.test_client()
    assert "Szatnia w muzeum" in titles(client.get("/needs/"))
    with cached_app.app_context():
        db.session.get(Need, two_needs[1].id).title = "Kasa biletowa"
        db.session.commit()
    assert sorted(titles(client.get("/needs/"))) == ["Fotografia wystawy", "Kasa biletowa"]


def test_a_bulk_update_of_shifts_shows_at_once(cached_app, two_needs):
    client = cached_app.test_client()
    assert len(titles(client.get("/needs/"))) == 2
    with cached_app.app_context():
        db.session.execute(
            update(Shift).where(Shift.need_id == two_needs[0].id).values(is_cancelled=True)
        )
        db.session.commit()
    assert titles(client.get("/needs/")) == ["Szatnia w muzeum"]


def test_a_change_rolled_back_keeps_the_cache(cached_app, two_needs):
    client = cached_app.test_client()
    client.get("/needs/")
    with cached_app.app_context():
        before = search_cache._version()
        db.session.get(Need, two_needs[0].id).title = "Nigdy nie zapisane"
        db.session.flush()
        db.session.rollback()
        assert search_cache._version() == before
    with count_queries(cached_app) as statements:
        assert "Nigdy nie zapisane" not in titles(client.get("/needs/"))
    assert searches_of_needs(statements) == 0


def test_profile_matches_are_never_shared(cached_app, factory, two_needs):
    volunteer = factory.user(Role.VOLUNTEER)
    client = cached_app.test_client()
    assert (
        client.post("/login", data={"email": volunteer.email, "password": PASSWORD}).status_code
        == 302
    )
    with count_queries(cached_app) as statements:
        client.get("/needs/?matches_profile=1")
        client.get("/needs/?matches_profile=1")
    assert searches_of_needs(statements) == 2


def test_search_works_when_the_cache_store_is_down(make_app, two_needs, caplog):
    down = make_app(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    client = down.test_client()
    assert len(titles(client.get("/needs/"))) == 2
    with down.app_context():
        db.session.get(Need, two_needs[0].id).title = "Zmieniona mimo awarii"
        db.session.commit()
    assert "Zmieniona mimo awarii" in titles(client.get("/needs/"))
    assert "search cache unreachable" in caplog.text


def test_a_large_coalition_gets_no_endless_list_of_institutions(client, factory, app):
    from app.needs.routes import INSTITUTION_SELECT_MAX

    for n in range(INSTITUTION_SELECT_MAX):
        factory.institution(f"Biblioteka gminna nr {n}", slug=f"biblioteka-{n}")
    chosen = factory.institution("Teatr Wybrany", slug="teatr-wybrany")
    factory.need(chosen, "Obsługa widowni")
    page = client.get("/needs/").get_data(as_text=True)
    assert 'id="institution"' not in page
    filtered = client.get("/needs/?institution=teatr-wybrany").get_data(as_text=True)
    assert "Teatr Wybrany" in filtered and 'name="institution" value="teatr-wybrany"' in filtered
    assert 'href="/needs/">wszystkie instytucje' in filtered


def test_the_api_list_shares_the_cache_and_its_freshness(cached_app, two_needs):
    client = cached_app.test_client()
    with count_queries(cached_app) as statements:
        first = client.get("/api/v1/needs").get_json()
        again = client.get("/api/v1/needs")
    assert searches_of_needs(statements) == 1
    assert again.get_json() == first and again.headers["ETag"]
    with cached_app.app_context():
        db.session.get(Need, two_needs[0].id).title = "Nowy tytuł w API"
        db.session.commit()
    titles_now = {item["title"] for item in client.get("/api/v1/needs").get_json()["items"]}
    assert "Nowy tytuł w API" in titles_now
