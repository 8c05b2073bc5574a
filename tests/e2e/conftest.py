"""A live server and Debian's Chromium driven by Playwright, with axe-core for accessibility."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from app.extensions import db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# A browser drops connections it no longer needs (a favicon answered 304 while the page moves
# on); Werkzeug's development server then leaves the static file it opened to the garbage
# collector. That is the browser's and the server's business, not the app's: only that warning
# is let through, every other one still fails the test.
DROPPED_STATIC_FILE = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <_io\.FileIO name='.*/app/static/"
    ":pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(DROPPED_STATIC_FILE)
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(
            f"Chromium not found at {CHROMIUM}: run .ci/run or apt-get install chromium"
        )
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "pl-PL", "timezone_id": "Europe/Warsaw"}


@pytest.fixture(scope="session")
def live_app(database_url, smtp_server, app):
    """The app as a browser meets it: CSRF on, sending e-mail to the test SMTP server."""
    from app import create_app
    from tests.conftest import make_test_config

    live = create_app(make_test_config(database_url, smtp_server[1], WTF_CSRF_ENABLED=True))
    yield live
    with live.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core's WCAG 2.1 A and AA rules on the page and fail with a readable list."""

    def check(page) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = results.response["violations"]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in violations
        ]
        assert not violations, f"{page.url}\n" + "\n".join(details)

    return check
