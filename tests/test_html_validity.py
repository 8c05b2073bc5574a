"""Every page the authorisation table reaches is valid HTML, for every role that may see it.

Pages are read in Polish and in English: each GET that answers the role 200, and each POST that
answers 422 to an empty form (the page with its error messages), plus a few pages of records
that are filled in.

Screen readers, browsers in their strict corners and the accessibility checks all lean on
well-formed markup: a required list whose first option is a real choice, an `autocomplete` token
no browser knows, an id used twice. The Nu Html Checker (vnu.jar from the npm package vnu-jar,
installed by `make install-test` into .cache/vnu) reads each page that answers 200 and reports
what the HTML standard forbids. All pages go to one Java run, so the check costs one JVM start.

Without Java or the jar the test is skipped with the reason; under CI (CI or REQUIRE_BROWSER
set) it fails instead, so that a run which checked nothing cannot pass as green.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.extensions import db
from tests.authz.common import ROLES
from tests.factories import PASSWORD
from tests.test_authorization import TABLE

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ("pl", "en")

# Pages whose forms and tables show only once records are there: the table points at need_a,
# which has no accepted volunteer yet; past_need_a has one, with hours and documents.
FILLED_PAGES = {
    role: [
        lambda w: f"/documents/compliance/{w.past_need_a}",
        lambda w: f"/hours/shifts/{w.past_shift_a}",
        lambda w: f"/manage/needs/{w.past_need_a}",
    ]
    for role in ("staff_a", "coordinator")
}


CONTROL = "(control page: a required list without an empty first choice)"
CONTROL_PAGE = """<!doctype html>
<html lang="pl"><head><title>Kontrola</title></head><body>
<label for="kind">Rodzaj</label>
<select id="kind" name="kind" required><option value="museum">Muzeum</option></select>
</body></html>
"""


def checker_command() -> list[str]:
    """The command that runs the checker, or a skip (a failure under CI) saying what is missing."""
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java not found (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR.relative_to(ROOT)} not found (make install-test)")
    if missing:
        reason = "the Nu Html Checker cannot run: " + "; ".join(missing)
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert java is not None
    return [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--stdout"]


def html_pages(app, world, users, role: str, language: str):
    """(label, html) of every HTML page the table shows `role`: 200 on a GET, 422 on a POST."""
    client = app.test_client()
    if users[role]:
        from app.models import User

        with app.app_context():
            user = db.session.execute(db.select(User).filter_by(email=users[role])).scalar_one()
            user.locale = language
            db.session.commit()
        response = client.post("/login", data={"email": users[role], "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"
    else:
        client.set_cookie(app.config["LOCALE_COOKIE"], language)
    requests = [
        (endpoint, method, url_for_world(world), expected[role])
        for (endpoint, method), (url_for_world, expected) in sorted(TABLE.items())
        if (method, expected[role]) in (("GET", 200), ("POST", 422))
        and endpoint not in ("auth.logout", "volunteers.delete_account")
    ]
    requests += [("(filled in)", "GET", url(world), 200) for url in FILLED_PAGES.get(role, [])]
    for endpoint, method, url, status in requests:
        response = client.open(url, method=method, data={})
        if response.status_code == status and response.mimetype == "text/html":
            yield f"{language} {role} {method} {url} ({endpoint})", response.get_data(as_text=True)
        response.close()


def check(pages: dict[str, str], folder: Path) -> list[str]:
    """Run the checker once over all pages; its errors as "page, line: message" lines."""
    command = checker_command()
    files = {}
    for number, (label, html) in enumerate(pages.items()):
        path = folder / f"page-{number:04d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.resolve().as_uri()] = (label, html.splitlines())
    done = subprocess.run(
        [*command, "--errors-only", *(str(folder / Path(uri).name) for uri in files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the checker gave no report (exit {done.returncode}): {done.stderr[-2000:]}")
    problems = []
    for message in report["messages"]:
        if message["type"] != "error":
            continue
        label, lines = files.get(_uri(message.get("url", "")), (message.get("url", "?"), []))
        line = message.get("lastLine", 0)
        source = lines[line - 1].strip()[:160] if 0 < line <= len(lines) else ""
        problems.append(f"{label}, line {line}: {message['message']}\n    {source}")
    return problems


def _uri(url: str) -> str:
    # The checker names files file:/tmp/..., pathlib as file:///tmp/...
    return re.sub(r"^file:/+", "file:///", url)


def test_every_page_of_every_role_is_valid_html(app, authz_world, tmp_path):
    world, users = authz_world
    checker_command()  # skip early, before the pages are fetched
    pages: dict[str, str] = {}
    for language in LANGUAGES:
        for role in ROLES:
            pages.update(html_pages(app, world, users, role, language))
    assert len(pages) > 100, "the table should reach well over a hundred pages"
    # A page with a known error goes along, so that a checker reporting nothing would fail.
    problems = check({**pages, CONTROL: CONTROL_PAGE}, tmp_path)
    caught = [p for p in problems if p.startswith(CONTROL)]
    assert caught, "the checker missed the error of the control page"
    problems = [p for p in problems if not p.startswith(CONTROL)]
    assert not problems, f"{len(problems)} errors in {len(pages)} pages:\n" + "\n".join(problems)
