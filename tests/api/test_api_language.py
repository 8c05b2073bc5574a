"""A program reading the API keeps no language cookie: the Accept-Language header it sends chooses
the language of the error messages its users read, and without one they are in Polish."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("accept", ["en", "en-GB,en;q=0.9,pl;q=0.5"])
def test_an_english_client_gets_english_error_messages(client, accept):
    response = client.get("/api/v1/needs?page=0", headers={"Accept-Language": accept})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "Bad request"
    assert body["errors"]["page"] == "The “page” parameter must be between 1 and 10000."
    assert response.headers["Content-Language"] == "en"
    assert "Accept-Language" in response.headers["Vary"]  # caches keep one copy per language

    missing = client.get("/api/v1/needs/2147483000", headers={"Accept-Language": accept})
    assert missing.status_code == 404 and missing.get_json()["error"] == "Page not found"
    unknown = client.get("/api/v1/nothing-here", headers={"Accept-Language": accept})
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "Page not found"


@pytest.mark.parametrize("headers", [{}, {"Accept-Language": "de"}, {"Accept-Language": "pl"}])
def test_without_a_language_it_knows_the_client_gets_polish(client, headers):
    response = client.get("/api/v1/needs?page=0", headers=headers)
    body = response.get_json()
    assert body["error"] == "Nieprawidłowe żądanie"
    assert body["errors"]["page"] == "Parametr „page” musi mieścić się między 1 a 10000."
    assert response.headers["Content-Language"] == "pl"
    assert client.get("/api/v1/nothing-here", headers=headers).get_json()["error"] == (
        "Nie znaleziono strony"
    )


def test_the_web_pages_keep_their_own_choice_whatever_the_browser_sends(client):
    """Pages are Polish until the person picks English: the browser's header does not decide."""
    page = client.get("/needs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="pl"' in page
