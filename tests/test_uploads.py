"""No uploads, small bodies, downloads that a browser never renders as a page.

The exchange takes no files: a guardian confirms consent by an e-mailed link, not by sending a
scan. These tests keep it so (no file field in any form, a file sent anyway is stored nowhere),
refuse request bodies over MAX_CONTENT_LENGTH with the error page in the person's language, and
check that what the app hands out as files (PDF documents, CSV and XLSX exports, the JSON data
copy, calendar feeds) carries a non-HTML type, `nosniff`, and `attachment` where it is a file.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
from datetime import date
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from wtforms import Form
from wtforms.fields import FileField
from wtforms.fields.core import UnboundField

import app as app_package
from app.extensions import db
from app.models import VolunteerProfile
from config import Config
from config import ProductionConfig
from config import TestConfig
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
ONE_MIB = 1024 * 1024
SCAN = b"%PDF-1.4\n% skan zgody opiekuna ZGODA-7F3A-SKAN\n%%EOF\n"
SCAN_MARK = "ZGODA-7F3A-SKAN"
SCAN_NAME = "zgoda-opiekuna-7f3a.pdf"
TEEN_DOB = date(date.today().year - 16, 1, 1).isoformat()


def app_modules() -> list:
    modules = []
    for info in pkgutil.walk_packages(app_package.__path__, prefix="app."):
        modules.append(importlib.import_module(info.name))
    return modules


def file_fields(form_class: type[Form]) -> list[str]:
    return [
        name
        for name, value in inspect.getmembers(form_class)
        if isinstance(value, UnboundField) and issubclass(value.field_class, FileField)
    ]


# --- no uploads ----------------------------------------------------------------------------------


def test_no_form_of_the_app_has_a_file_field():
    forms = {
        obj
        for module in app_modules()
        for _name, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Form) and obj.__module__.startswith("app.")
    }
    assert len(forms) > 20, "the forms of the app were not found"
    with_files = {f"{f.__module__}.{f.__qualname__}": file_fields(f) for f in forms}
    assert {name: fields for name, fields in with_files.items() if fields} == {}


def test_no_code_or_template_reads_or_asks_for_files():
    """Also the forms built at request time (need and skill forms) and the pages themselves."""
    patterns = {
        "app": re.compile(r"FileField|request\.files|FileStorage|send_file|send_from"),
        "templates": re.compile(r'multipart/form-data|type=["\']?file', re.IGNORECASE),
    }
    found = []
    for folder, pattern in patterns.items():
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt", ".js"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def rows_mentioning(app, needle: str) -> list[str]:
    """Tables with a row whose text contains `needle`."""
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                if any(needle in str(value) for value in row):
                    found.append(table.name)
    return found


def files_mentioning(app, needle: bytes) -> list[str]:
    """Files of the app (package, static files, instance folder) whose bytes contain `needle`."""
    roots = {Path(app.root_path), Path(app.instance_path), ROOT / "templates"}
    found = []
    for root in roots:
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if (
                path.is_file()
                and path.stat().st_size < 20 * ONE_MIB
                and needle in path.read_bytes()
            ):
                found.append(str(path))
    return found


def profile_form(**changes) -> dict:
    return {
        "first_name": "Julek",
        "last_name": "Nowak",
        "max_hours_month": "8",
        "date_of_birth": TEEN_DOB,
        "guardian_name": "Anna Nowak",
        "guardian_email": "anna.nowak@example.org",
        **changes,
    }


def multipart(form: dict, scan_size: int | None = None) -> dict:
    """Keyword arguments for the test client: `form` and a scan as multipart/form-data, encoded in
    memory (a large body built by the test client would sit in a temporary file left open when the
    app, rightly, does not read it)."""
    body = SCAN if scan_size is None else SCAN + b"0" * (scan_size - len(SCAN))
    scan = FileStorage(io.BytesIO(body), filename=SCAN_NAME, content_type="application/pdf")
    values = {**form, "guardian_scan": scan}
    boundary, data = encode_multipart(values)
    return {"data": data, "content_type": f"multipart/form-data; boundary={boundary}"}


def guardian_path(mailbox, address: str) -> str:
    message = mailbox.wait_for(address)[-1]
    link = re.search(r"http://\S+/guardian/\S+", mailbox.text_of(message)).group(0)
    return "/" + link.split("/", 3)[3]


def test_a_scan_sent_with_the_profile_or_the_guardians_consent_is_stored_nowhere(
    app, client, factory, mailbox
):
    """Julek, 16, attaches a scan of his mother's signature to his profile; his mother, following
    the e-mailed link, attaches it again. Both pages do their work and throw the file away."""
    julek = factory.user(first_name="Julek", email="julek@example.org")
    client.post("/login", data={"email": julek.email, "password": PASSWORD})

    sent = multipart(profile_form())
    assert SCAN in sent["data"]
    saved = client.post("/me/profile/edit", **sent)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith("/me/profile")

    guardian = app.test_client()
    done = guardian.post(guardian_path(mailbox, "anna.nowak@example.org"), **multipart({}))
    assert done.status_code == 200
    profile = factory.get(VolunteerProfile, julek.id)
    assert profile.guardian_name == "Anna Nowak"
    assert profile.guardian_consent_at is not None  # the link, not the scan, is the consent

    assert rows_mentioning(app, SCAN_MARK) == []
    assert rows_mentioning(app, SCAN_NAME) == []
    assert files_mentioning(app, SCAN_MARK.encode()) == []


# --- large bodies --------------------------------------------------------------------------------


def test_every_configuration_caps_the_request_body_at_one_mebibyte(app):
    assert Config.MAX_CONTENT_LENGTH == ONE_MIB
    assert ProductionConfig.MAX_CONTENT_LENGTH == ONE_MIB
    assert TestConfig.MAX_CONTENT_LENGTH == ONE_MIB
    assert app.config["MAX_CONTENT_LENGTH"] == ONE_MIB


def test_a_scan_over_the_limit_gets_the_polish_error_page_and_changes_nothing(app, client, factory):
    julek = factory.user(first_name="Julek", email="julek@example.org")
    client.post("/login", data={"email": julek.email, "password": PASSWORD})

    response = client.post("/me/profile/edit", **multipart(profile_form(), scan_size=ONE_MIB + 1))

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="pl"' in page
    assert "Przesłane dane są za duże." in page
    profile = factory.get(VolunteerProfile, julek.id)
    assert profile.guardian_email in (None, "")
    assert profile.date_of_birth is None
    assert rows_mentioning(app, SCAN_MARK) == []


def test_a_large_form_before_signing_in_is_refused_in_english_for_an_english_reader(client):
    client.set_cookie("okik_lang", "en")
    response = client.post(
        "/login", data={"email": "ktos@example.org", "password": "x" * (ONE_MIB + 10)}
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "The data you sent is too large." in page


def test_with_csrf_checks_on_the_size_is_still_answered_first(make_app):
    """As in production, where the CSRF check reads the form too: 413, not a 400 for the token."""
    production_like = make_app(WTF_CSRF_ENABLED=True)
    response = production_like.test_client().post(
        "/register", data={"email": "ktos@example.org", "bio": "x" * (ONE_MIB + 10)}
    )
    assert response.status_code == 413
    assert "Przesłane dane są za duże." in response.get_data(as_text=True)


def test_a_body_under_the_limit_is_read_as_usual(client):
    """The cap is on size, not on forms: a wrong password of some length is just a wrong password."""
    response = client.post("/login", data={"email": "ktos@example.org", "password": "x" * 4000})
    assert response.status_code == 422


# --- downloads -----------------------------------------------------------------------------------

NEVER = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# (who, url, type, file extension; None for feeds and API answers, which are read, not saved)
DOWNLOADS = {
    "certificate PDF": (
        "other_volunteer",
        lambda w: f"/documents/{w.certificate_a}.pdf",
        "application/pdf",
        ".pdf",
    ),
    "agreement PDF": (
        "staff_a",
        lambda w: f"/documents/{w.agreement_a}.pdf",
        "application/pdf",
        ".pdf",
    ),
    "Korpus CSV": ("coordinator", lambda w: "/hours/korpus.csv?month=2026-05", "text/csv", ".csv"),
    "Korpus XLSX": ("coordinator", lambda w: "/hours/korpus.xlsx?month=2026-05", XLSX, ".xlsx"),
    "coalition CSV": (
        "coordinator",
        lambda w: "/reports/export.csv?table=hours&months=6",
        "text/csv",
        ".csv",
    ),
    "coalition XLSX": (
        "coordinator",
        lambda w: "/reports/export.xlsx?table=sharing",
        XLSX,
        ".xlsx",
    ),
    "institution CSV": (
        "staff_a",
        lambda w: f"/reports/institutions/{w.slug_a}/export.csv?table=hours&months=3",
        "text/csv",
        ".csv",
    ),
    "institution XLSX": (
        "staff_a",
        lambda w: f"/reports/institutions/{w.slug_a}/export.xlsx?table=sharing",
        XLSX,
        ".xlsx",
    ),
    "my data JSON": ("volunteer", lambda w: "/me/data.json", "application/json", ".json"),
    # Calendar apps subscribe to these addresses and read them again and again.
    "personal feed": ("anonymous", lambda w: f"/feeds/{w.feed_token}.ics", "text/calendar", None),
    "institution feed": (
        "anonymous",
        lambda w: f"/calendar/feed.ics?institution={w.slug_a}",
        "text/calendar",
        None,
    ),
    "API needs": ("anonymous", lambda w: "/api/v1/needs", "application/json", None),
    "API description": ("anonymous", lambda w: "/api/v1/openapi.json", "application/json", None),
}


@pytest.mark.parametrize("name", DOWNLOADS)
def test_downloads_are_never_taken_for_a_page(app, authz_world, name):
    world, users = authz_world
    who, url_of, mimetype, extension = DOWNLOADS[name]
    client = app.test_client()
    if users[who]:
        client.post("/login", data={"email": users[who], "password": PASSWORD})

    response = client.get(url_of(world))

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.mimetype not in NEVER
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers.get("Content-Disposition", "")
    assert "html" not in disposition.lower()
    if extension is not None:
        assert disposition.startswith("attachment;"), disposition
        assert re.search(rf'filename="?[\w.-]+{re.escape(extension)}"?$', disposition), disposition
