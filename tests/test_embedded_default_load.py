"""The embedded default under a small coalition's load: `make run`'s two processes on one SQLite file.

`flask run` (threaded, as `make run` starts it) and `flask scheduler` run on a database file built
by `flask db upgrade` and filled by `flask seed-demo`, exactly as `make run` prepares it. Twenty
demo volunteers sign in and browse at the same time, some of them saving their e-mail settings,
while five people register, two guardians confirm their consent, and the scheduler delivers the
confirmation e-mails to a real SMTP server every second. Nobody may see a 5xx page, every consent
is recorded, and every new person gets exactly one e-mail.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import VolunteerProfile
from app.services.volunteers import make_guardian_token
from config import DevelopmentConfig
from tests.conftest import free_port
from tests.conftest import is_postgres
from tests.test_faults_gunicorn import BIN
from tests.test_faults_gunicorn import ROOT
from tests.test_faults_gunicorn import WAIT
from tests.test_faults_gunicorn import Processes
from tests.test_faults_gunicorn import SmtpServer
from tests.test_faults_gunicorn import Visitor
from tests.test_faults_gunicorn import wait_until

pytestmark = pytest.mark.skipif(is_postgres(), reason="the embedded default is SQLite")

DEMO_PASSWORD = "okik-demo"  # noqa: S105 - the documented demo password
USERS = 20
REQUESTS_PER_USER = 30
REGISTRATIONS = 5
GUARDIANS = 2
PAGES = (
    "/",
    "/needs/",
    "/me/schedule",
    "/me/profile",
    "/me/notices",
    "/offers/",
    "/calendar/",
    "/institutions/",
    "/hours/mine",
    "/account/notifications",
)
# Signing in hashes the password with Argon2 on purpose: on a busy two-core machine twenty at once
# take many seconds, which is slow but not an error.
CLIENT_TIMEOUT = 90
CONFIRMATION_SUBJECT = "Potwierdź adres e-mail w Giełdzie Wolontariatu OKIK"


class CountingVisitor(Visitor):
    """A visitor whose every answer (or broken connection) is written down."""

    def __init__(self, base_url: str, tally: list) -> None:
        super().__init__(base_url)
        self.tally = tally

    def _open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        began = time.monotonic()
        method = "POST" if data is not None else "GET"
        url = self.base_url + path
        body = urlencode(data).encode() if data is not None else None
        try:
            try:
                with self._opener.open(url, data=body, timeout=CLIENT_TIMEOUT) as response:
                    status, where = response.status, urlsplit(response.url).path
                    page = response.read().decode()
            except HTTPError as error:
                status, where, page = error.code, urlsplit(error.url).path, error.read().decode()
        except OSError as exc:
            self.tally.append((f"{method} {path}", 0, repr(exc), time.monotonic() - began))
            raise
        self.tally.append(
            (f"{method} {path}", status, page if status >= 500 else "", time.monotonic() - began)
        )
        return status, where, page

    def sign_in(self, email: str) -> None:
        status, where, page = self.submit(
            "/login", {"email": email, "password": DEMO_PASSWORD, "next": ""}
        )
        assert status == 200 and where != "/login", (status, where, page[:300])


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, smtp) -> Iterator[dict]:
    """`make run` on a fresh database file: migrated, seeded, web server and scheduler started."""
    workdir = tmp_path_factory.mktemp("embedded")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MAIL_", "TEST_DATABASE", "RATELIMIT_", "DATABASE_"))
    }
    env.update(
        APP_ENV="development",
        DATABASE_URL=f"sqlite:///{workdir / 'okik.db'}",
        CACHE_DIR=str(workdir / "cache"),
        SECRET_KEY=secrets.token_hex(32),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        LOG_FORMAT="text",
        RATELIMIT_STORAGE_URI="memory://",
        LOGIN_RATE_LIMIT="1000 per minute",
        REGISTER_RATE_LIMIT="1000 per minute",
        OUTBOX_INTERVAL_SECONDS="1",
        OUTBOX_RETRY_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    flask = [str(BIN / "flask"), "--app", "app"]  # the Makefile's $(FLASK)
    for command in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run(
            [*flask, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
    guardians = guardian_links(env)
    processes = Processes(workdir, env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        scheduler = processes.start("scheduler", *flask, "scheduler")
        web = processes.start("web", *flask, "run", "--host", "127.0.0.1", "--port", str(port))

        def ready() -> bool:
            assert web.poll() is None and scheduler.poll() is None, processes.all_logs()
            if "Scheduler started with" not in processes.log(scheduler):
                return False
            try:
                return Visitor(base_url).get("/login")[0] == 200
            except OSError:
                return False

        wait_until("web server and scheduler ready", ready, processes.all_logs)
        yield {
            "base_url": base_url,
            "database": workdir / "okik.db",
            "guardians": guardians,
            "processes": processes,
            "scheduler": scheduler,
            "web": web,
        }
    finally:
        processes.stop_all()


def guardian_links(env: dict[str, str]) -> list[tuple[int, str]]:
    """Consent links for demo minors whose guardian has not answered yet, as their e-mail has."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
        "SECRET_KEY": env["SECRET_KEY"],
        "CACHE_DIR": env["CACHE_DIR"],
    }
    application = create_app(type("LoadConfig", (DevelopmentConfig,), settings))
    with application.app_context():
        waiting = db.session.scalars(
            select(VolunteerProfile)
            .where(
                VolunteerProfile.guardian_requested_at.is_not(None),
                VolunteerProfile.guardian_consent_at.is_(None),
            )
            .order_by(VolunteerProfile.user_id)
            .limit(GUARDIANS)
        ).all()
        links = [(p.user_id, f"/guardian/{make_guardian_token(p)}") for p in waiting]
        db.session.remove()
        db.engine.dispose()
    assert len(links) == GUARDIANS, "the demo data has fewer minors awaiting consent"
    return links


def consented(database: Path, user_ids: list[int]) -> list[int]:
    with sqlite3.connect(database, timeout=30) as conn:
        marks = ",".join("?" * len(user_ids))
        return [
            row[0]
            for row in conn.execute(
                f"SELECT user_id FROM volunteer_profile WHERE user_id IN ({marks})"  # noqa: S608
                " AND guardian_consent_at IS NOT NULL ORDER BY user_id",
                user_ids,
            )
        ]


def outbox_rows(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database, timeout=30) as conn:
        return conn.execute("SELECT to_address, status FROM outbox_message ORDER BY id").fetchall()


def confirmations(smtp: SmtpServer, address: str) -> list:
    return [m for m in smtp.received(address) if m["Subject"] == CONFIRMATION_SUBJECT]


def test_twenty_people_browse_while_five_register_without_5xx_and_each_gets_one_email(
    embedded, smtp
):
    base_url, processes = embedded["base_url"], embedded["processes"]
    tally: list = []
    errors: list[str] = []
    guardians = embedded["guardians"]
    start = threading.Barrier(USERS + REGISTRATIONS + len(guardians))
    newcomers = [f"nowa.osoba{n}.{secrets.token_hex(3)}@example.org" for n in range(REGISTRATIONS)]

    def browse(n: int) -> None:
        try:
            visitor = CountingVisitor(base_url, tally)
            start.wait(timeout=60)
            time.sleep(0.25 * n)  # people arrive within a few seconds, not all at one instant
            visitor.sign_in(f"wolontariusz{n + 1:02d}@example.org")
            for i in range(REQUESTS_PER_USER):
                if i % 10 == 5:  # now and then somebody saves a form
                    visitor.submit("/account/notifications", {"kinds": "offer"})
                else:
                    visitor.get(PAGES[(n + i) % len(PAGES)])
        except Exception as exc:  # noqa: BLE001 - reported below with the others
            errors.append(f"user {n}: {exc!r}")

    def register(n: int) -> None:
        try:
            visitor = CountingVisitor(base_url, tally)
            start.wait(timeout=60)
            time.sleep(0.7 * n)  # spread over the browsing, so that mail jobs overlap it
            visitor.register(f"Nowa{n}", newcomers[n])
        except Exception as exc:  # noqa: BLE001
            errors.append(f"registration {n}: {exc!r}")

    def consent(n: int) -> None:
        try:
            visitor = CountingVisitor(base_url, tally)
            start.wait(timeout=60)
            time.sleep(0.3 + 1.1 * n)
            status, _where, page = visitor.submit(guardians[n][1], {})
            assert status == 200 and "Zgoda potwierdzona" in page, (status, page[:300])
        except Exception as exc:  # noqa: BLE001
            errors.append(f"guardian {n}: {exc!r}")

    threads = [threading.Thread(target=browse, args=(n,)) for n in range(USERS)]
    threads += [threading.Thread(target=register, args=(n,)) for n in range(REGISTRATIONS)]
    threads += [threading.Thread(target=consent, args=(n,)) for n in range(len(guardians))]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.monotonic() - began
    assert not any(t.is_alive() for t in threads), "the load did not finish within 5 minutes"

    # Every registration's e-mail is delivered, and then nothing more comes for a while.
    def delivered() -> bool:
        rows = outbox_rows(embedded["database"])
        return all(confirmations(smtp, a) for a in newcomers) and all(
            status == "sent" for _to, status in rows
        )

    deadline = time.monotonic() + WAIT
    while not delivered() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(4)  # four more delivery rounds: a message sent twice would show now
    per_registration = {address: len(confirmations(smtp, address)) for address in newcomers}
    unsent = [row for row in outbox_rows(embedded["database"]) if row[1] != "sent"]

    server_errors = [
        (path, status, page[:200]) for path, status, page, _took in tally if status >= 500
    ]
    broken = [(path, page) for path, status, page, _took in tally if status == 0]
    statuses = Counter(status for _path, status, _page, _took in tally)
    print(
        f"\nembedded default: {len(tally)} requests in {elapsed:.1f} s by {USERS} users and "
        f"{REGISTRATIONS} registrations and {len(guardians)} guardians' consents; statuses {dict(sorted(statuses.items()))}; "
        f"5xx: {len(server_errors)}; broken connections: {len(broken)}; "
        f"e-mails per registration: {sorted(per_registration.values())}"
    )
    slowest = sorted(tally, key=lambda row: row[3])[-5:]
    print("slowest: " + ", ".join(f"{path} {took:.2f} s" for path, _s, _p, took in slowest))
    logs = processes.all_logs()
    waits = [float(w) for w in re.findall(r"Waited ([\d.]+) s for SQLite's write lock", logs)]
    print(
        f"writes that waited over 2 s for the lock: {len(waits)}, longest {max(waits, default=0)} s"
    )
    assert server_errors == [], server_errors[:5]
    assert not errors, "\n".join(errors) + "\n" + logs[-5000:]
    assert broken == []
    assert len(tally) >= USERS * (REQUESTS_PER_USER + 2)
    assert per_registration == {address: 1 for address in newcomers}
    assert unsent == []
    minors = [user_id for user_id, _link in guardians]
    assert consented(embedded["database"], minors) == minors
    assert "database is locked" not in logs

    # The scheduler lived through it and still delivers on time.
    assert embedded["scheduler"].poll() is None, logs[-5000:]
    late = f"po.obciazeniu.{secrets.token_hex(3)}@example.org"
    registered_at = time.monotonic()
    Visitor(base_url).register("Spóźniona", late)
    smtp.mailbox.wait_for(late, timeout=15)
    print(f"a registration after the load was mailed in {time.monotonic() - registered_at:.1f} s")
