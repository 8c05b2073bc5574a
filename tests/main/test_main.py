"""Public pages, language choice, health check and error pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.core.schema import build_from_migrations
from app.extensions import db
from app.models import User
from config import ProductionConfig


def test_home_page_explains_the_exchange_in_polish(client, factory):
    factory.institution("Muzeum Założycielskie", is_founder=True)
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Giełda Wolontariatu Opolskiej Koalicji Instytucji Kultury" in page
    assert "Muzeum Założycielskie" in page
    assert page.count("<h1") == 1
    assert 'href="#main"' in page


def test_directory_separates_founders_and_partners(client, factory):
    factory.institution("Galeria Założycielka", is_founder=True)
    factory.institution("Fundacja Partnerska")
    page = client.get("/institutions/").get_data(as_text=True)
    founders, partners = page.split("Instytucje partnerskie", 1)
    assert "Galeria Założycielka" in founders and "Fundacja Partnerska" not in founders
    assert "Fundacja Partnerska" in partners


def test_inactive_institution_is_not_listed(client, factory):
    inst = factory.institution("Muzeum Zamknięte", is_active=False)
    assert "Muzeum Zamknięte" not in client.get("/institutions/").get_data(as_text=True)
    assert client.get(f"/institutions/{inst.slug}").status_code == 404


def test_language_switch_is_remembered_by_cookie_and_account(client, factory, auth, app):
    response = client.post("/language", data={"language": "en", "next": "/institutions/"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/institutions/"
    page = client.get("/institutions/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Coalition institutions" in page

    user = factory.user()
    auth.login(user.email)
    client.post("/language", data={"language": "pl", "next": "/"})
    with app.app_context():
        assert db.session.get(User, user.id).locale == "pl"
    fresh = app.test_client()
    fresh.post("/login", data={"email": user.email, "password": "Wolontariat-2026!"})
    assert '<html lang="pl">' in fresh.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_language_and_unsafe_next(client):
    assert client.post("/language", data={"language": "xx"}).status_code == 303
    response = client.post("/language", data={"language": "en", "next": "https://evil.example.com"})
    assert response.headers["Location"] == "/"


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "scheduler": "missing",  # no scheduler runs beside the suite
        "scheduler_last_beat": None,
    }


def test_healthz_reports_database_error_when_unreachable(make_app):
    broken = make_app(database="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
    page = broken.test_client().get("/")
    assert page.status_code == 503
    assert "Baza danych jest chwilowo niedostępna" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "code", "title"),
    [("/nie-ma-takiej-strony", 404, "Nie znaleziono strony"), ("/healthz", 405, None)],
)
def test_error_pages_are_in_polish(client, path, code, title):
    response = client.get(path) if code == 404 else client.delete(path)
    assert response.status_code == code
    if title:
        assert title in response.get_data(as_text=True)


def test_error_pages_follow_the_language(client):
    client.post("/language", data={"language": "en"})
    assert "Page not found" in client.get("/nope").get_data(as_text=True)


def test_forbidden_page_for_a_volunteer_on_coordinator_pages(client, factory, auth):
    auth.login(factory.user().email)
    response = client.get("/coordination/requests")
    assert response.status_code == 403
    assert "Brak dostępu" in response.get_data(as_text=True)


def test_unexpected_error_gives_a_polish_500_page(make_app):
    app = make_app()

    @app.get("/__boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    assert "Błąd serwera" in response.get_data(as_text=True)


def test_accessibility_statement_exists(client):
    page = client.get("/deklaracja-dostepnosci").get_data(as_text=True)
    assert "Deklaracja dostępności" in page and "WCAG 2.1" in page


def test_security_headers(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_production_refuses_a_default_or_missing_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "dev-only-not-secret")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


@pytest.mark.own_contexts
def test_production_refuses_demo_data(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    in_memory = type(
        "InMemoryProduction", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    app = create_app(in_memory)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refused" in result.output
    with app.app_context():
        build_from_migrations()
        assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize(
    ("people", "said"), [(1, "1 wolontariusz"), (2, "2 wolontariusze"), (5, "5 wolontariuszy")]
)
def test_home_page_counts_active_volunteers_in_proper_polish(client, factory, app, people, said):
    for _ in range(people):
        factory.user()
    gone = factory.user()
    with app.app_context():
        db.session.get(User, gone.id).is_active_account = False
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert f"<li>{said}</li>" in page


def test_figures_follow_the_language_and_a_missing_one_is_blank(app):
    from flask_babel import force_locale
    from jinja2 import Undefined

    from app.core.templating import number

    with app.test_request_context():
        with force_locale("pl"):
            assert number(0.022, "0.###") == "0,022"
            assert number(1234.5) == "1234,5" or number(1234.5) == "1\xa0234,5"
        with force_locale("en"):
            assert number(0.022, "0.###") == "0.022"
        assert number(None) == "" and number(Undefined()) == "" and number("n/d") == "n/d"
