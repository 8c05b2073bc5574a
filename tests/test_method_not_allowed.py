"""A request with a method a page does not take gets 405 with an Allow header naming the methods
it does take (RFC 9110), on every route, through the app's own error page."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import Rule

PROBES = ("GET", "POST", "PUT", "DELETE")


def example_url(app, rule: Rule) -> str:
    """The rule's URL with a made-up value for each part: routing answers 405 before any view
    looks the value up."""
    values = {name: 1 if rule._converters[name].regex == r"\d+" else "x" for name in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def test_every_route_answers_a_wrong_method_with_405_and_allow(app, client):
    checked = 0
    # A page and its form may be two rules on one path (GET and POST views): a method is wrong
    # only when no rule of the path serves it.
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        served.setdefault(rule.rule, set()).update(rule.methods or ())
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = example_url(app, rule)
        for method in PROBES:
            if method in served[rule.rule]:
                continue
            response = client.open(url, method=method)
            assert response.status_code == 405, (method, url)
            allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            assert set(rule.methods or ()) <= allowed, (method, url, allowed)
            checked += 1
    assert checked > 100


def test_the_405_page_is_the_apps_own_in_polish_and_json_for_the_api(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Niedozwolona operacja" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"

    api = client.post("/api/v1/needs")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
    assert api.get_json()["status"] == 405
