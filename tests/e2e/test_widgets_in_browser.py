"""A member's website shows the needs widget in an iframe; every other page refuses to be framed.

The member's website is a tiny static server on another port of 127.0.0.1, so the browser sees
a cross-origin page embedding the live app, as on the open web."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PORTS = range(5600, 5700)


def member_website(html: str) -> ThreadingHTTPServer:
    """A static page on the first free port of the range; it serves the same page at any path."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    for port in PORTS:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError:
            continue
    raise RuntimeError("no free port in 5600-5699")


@pytest.fixture
def museum(factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO", slug="muzeum")
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    factory.need(museum, "Oprowadzanie po wystawie", start=soon)
    factory.need(museum, "Noc Muzeów: obsługa gości", start=soon + timedelta(days=2))
    return museum


@pytest.fixture
def website(live_server, museum) -> Iterator[str]:
    page = f"""<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>Muzeum Śląska Opolskiego</title></head>
<body><main><h1>Wolontariat w muzeum</h1>
<iframe id="widget" src="{live_server}/widget/needs/muzeum?lang=pl"
        title="Wolontariat: MŚO" width="100%" height="420"></iframe>
<iframe id="refused" src="{live_server}/institutions/muzeum"
        title="Strona instytucji" width="100%" height="200"></iframe>
</main></body></html>"""
    server = member_website(page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_widget_renders_in_an_iframe_on_a_members_website(
    page: Page, website, live_server, assert_accessible
):
    assert not website.startswith(live_server)
    with page.expect_response(lambda r: r.url.endswith("/institutions/muzeum")) as answer:
        page.goto(website, wait_until="load")
    assert answer.value.headers["x-frame-options"] == "DENY"
    widget = page.frame_locator("#widget")
    expect(widget.get_by_role("heading", level=1)).to_have_text("Wolontariat: MŚO")
    expect(widget.get_by_role("link", name="Oprowadzanie po wystawie")).to_be_visible()
    expect(widget.get_by_role("link", name="Noc Muzeów: obsługa gości")).to_be_visible()
    # The institution page itself is refused: the browser shows nothing of it in the frame.
    refused = page.frame_locator("#refused")
    expect(refused.get_by_role("heading", name="Muzeum Śląska Opolskiego")).to_have_count(0)
    frames = {frame.url for frame in page.frames}
    assert f"{live_server}/widget/needs/muzeum?lang=pl" in frames
    assert f"{live_server}/institutions/muzeum" not in frames  # Chromium shows its error page
    assert_accessible(page)
    # The widget on its own passes axe too, and runs no script.
    page.goto(f"{live_server}/widget/needs/muzeum?lang=pl")
    assert page.evaluate("document.scripts.length") == 0
    assert_accessible(page)


def test_the_widget_follows_the_language_of_the_snippet(
    page: Page, live_server, museum, assert_accessible
):
    page.goto(f"{live_server}/widget/needs?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Volunteering at the OKIK coalition's institutions"
    )
    assert_accessible(page)


def test_the_institution_page_offers_the_snippet_to_copy(page: Page, live_server, museum):
    page.goto(f"{live_server}/institutions/muzeum")
    code = page.get_by_label("Kod do wklejenia na stronę (HTML)").first
    expect(code).to_have_value(
        f'<iframe src="{live_server}/widget/needs/muzeum?lang=pl" title="Wolontariat: MŚO" '
        'lang="pl" width="100%" height="420" loading="lazy" style="border:1px solid #c9c2bb">'
        "</iframe>"
    )
