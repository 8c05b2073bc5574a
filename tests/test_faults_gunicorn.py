"""SMTP down, a scheduler killed, a job run twice: the stories of test_notifications.py told again
with real processes on PostgreSQL.

gunicorn (two workers) serves `wsgi:app`, `flask --app wsgi scheduler` processes run the jobs, a
real SMTP server is turned off and on by the test, and everything is configured the way an
operator would do it: through environment variables. The module works in its own database,
`okik_faults` (or OKIK_FAULTS_DB), built by `flask db upgrade` from the migrations and dropped at
the end, so the suite's test database and its per-test cleanup are left alone.

The processes run with APP_ENV=development: ProductionConfig marks the session cookie Secure,
which a browser never sends back over plain http://127.0.0.1, so the CSRF token of a form could
not be checked. Development is production without that (and without JSON logs and Redis rate
limits), which is what a loopback HTTP server needs. The scheduler's pauses are shortened through
OUTBOX_INTERVAL_SECONDS, OUTBOX_RETRY_SECONDS and SCHEDULER_STANDBY_SECONDS.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import psycopg
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import AssignmentStatus, OutboxMessage, OutboxStatus, User
from app.services.outbox import in_quiet_hours
from tests.conftest import (
    TEST_DATABASE_URL,
    Mailbox,
    SMTPHandler,
    free_port,
    make_test_config,
)
from tests.factories import PASSWORD, Factory

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FAULTS_DATABASE = os.environ.get("OKIK_FAULTS_DB", "okik_faults")  # one per checkout running it
WAIT = 30.0  # the longest any single wait may take, in seconds


def wait_until(what: str, check: Callable[[], object], explain: Callable[[], str] = str):
    """Poll `check` until it returns something true; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {WAIT:.0f} s\n{explain()}")
        time.sleep(0.1)


class Processes:
    """Child processes, each in its own process group with its output in a file; all of them are
    killed (group and all) when the fixture that owns them ends."""

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory = directory
        self.env = env
        self.running: list[subprocess.Popen] = []
        self.logs: dict[int, Path] = {}

    def start(self, name: str, *args: str, stdin=None) -> subprocess.Popen:
        log = self.directory / f"{name}-{len(self.logs)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                args,
                cwd=ROOT,
                env=self.env,
                stdin=stdin,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(proc)
        self.logs[proc.pid] = log
        return proc

    def log(self, proc: subprocess.Popen) -> str:
        return self.logs[proc.pid].read_text(errors="replace")

    def all_logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')}" for path in self.logs.values()
        )

    def kill(self, proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.running:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM)
            if proc.stdin is not None:
                proc.stdin.close()
        self.running.clear()


class SmtpServer:
    """A real SMTP server on a fixed port that the test can stop (nothing listens) and start."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()  # its `deliver` does nothing: the scheduler process delivers
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(
                SMTPHandler(self.mailbox), hostname="127.0.0.1", port=self.port
            )
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self, address: str) -> list:
        return self.mailbox.to(address)


class Visitor:
    """Someone with a browser that keeps cookies, talking HTTP to gunicorn."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def _open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        url = path if path.startswith("http") else self.base_url + path
        body = urlencode(data).encode() if data is not None else None
        try:
            with self._opener.open(url, data=body, timeout=15) as response:
                return response.status, urlsplit(response.url).path, response.read().decode()
        except HTTPError as error:
            return error.code, urlsplit(error.url).path, error.read().decode()

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(path)

    def submit(self, path: str, fields: dict) -> tuple[int, str, str]:
        """Open the form's page, then post it with the page's CSRF token, as a browser would."""
        status, _, page = self.get(path)
        assert status == 200, page
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, "the form carries no CSRF token"
        return self._open(path, {"csrf_token": token.group(1), **fields})

    def register(self, first_name: str, email: str) -> None:
        status, where, page = self.submit(
            "/register",
            {
                "first_name": first_name,
                "last_name": "Testowa",
                "email": email,
                "password": PASSWORD,
                "password2": PASSWORD,
                "accept_terms": "y",
            },
        )
        assert (status, where) == (200, "/register/check-email"), page


# --- The world the processes live in ----------------------------------------------------------


@pytest.fixture(scope="module")
def faults_database_url() -> Iterator[str]:
    """An empty database of our own, created here and dropped at the end."""
    server = make_url(TEST_DATABASE_URL)
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{FAULTS_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{FAULTS_DATABASE}"')
    try:
        yield server.set(database=FAULTS_DATABASE).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{FAULTS_DATABASE}" WITH (FORCE)')


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def web_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def environment(faults_database_url, smtp, web_port) -> dict[str, str]:
    """What an operator would put in the environment of the web and scheduler processes."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MAIL_", "TEST_DATABASE", "RATELIMIT_"))
    }
    env.update(
        APP_ENV="development",
        DATABASE_URL=faults_database_url,
        SECRET_KEY=secrets.token_hex(32),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        PUBLIC_URL=f"http://127.0.0.1:{web_port}",
        LOG_FORMAT="text",
        RATELIMIT_STORAGE_URI="memory://",
        REGISTER_RATE_LIMIT="100 per minute",
        OUTBOX_INTERVAL_SECONDS="1",
        OUTBOX_RETRY_SECONDS="1",
        SCHEDULER_STANDBY_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module")
def migrated(environment) -> None:
    """The schema comes from the migrations, as on a server."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def faults_app(faults_database_url, smtp, migrated):
    """An in-process app on the same database, only to set up data and to read the outbox."""
    application = create_app(make_test_config(faults_database_url, smtp.port))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def web(tmp_path_factory, environment, migrated, web_port) -> Iterator[str]:
    """gunicorn with two workers, as in the Procfile, on a loopback port."""
    processes = Processes(tmp_path_factory.mktemp("gunicorn"), environment)
    base_url = f"http://127.0.0.1:{web_port}"
    try:
        server = processes.start(
            "gunicorn",
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--access-logfile",
            "-",
            "wsgi:app",
        )

        def serving() -> bool:
            assert server.poll() is None, processes.all_logs()
            try:
                return Visitor(base_url).get("/register")[0] == 200
            except OSError:
                return False

        wait_until("gunicorn answers", serving, processes.all_logs)
        yield base_url
    finally:
        processes.stop_all()


@pytest.fixture
def processes(tmp_path, environment) -> Iterator[Processes]:
    """Processes started by one test; all killed when it ends, however it ends."""
    started = Processes(tmp_path, environment)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(autouse=True)
def _fresh_world(smtp, faults_app) -> Iterator[None]:
    """Each story starts with SMTP up, an empty mailbox and an empty outbox."""
    smtp.start()
    smtp.mailbox.clear()
    with faults_app.app_context():
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
    yield
    smtp.start()


# --- Reading what happened ----------------------------------------------------------------------


def outbox(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for column, value in where.items():
            query = query.where(getattr(OutboxMessage, column) == value)
        rows = list(db.session.scalars(query))
        db.session.remove()
        return rows


def advisory_locks_held(app) -> int:
    with app.app_context():
        count = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
        db.session.remove()
        return count


def start_scheduler(processes: Processes) -> subprocess.Popen:
    """`flask --app wsgi scheduler`, the Procfile's scheduler line."""
    return processes.start("scheduler", str(BIN / "flask"), "--app", "wsgi", "scheduler")


ACTIVE = "Scheduler started with"
STANDBY = "Another scheduler process holds the lock"
TAKING_OVER = "The other scheduler is gone: taking over."


# --- The stories --------------------------------------------------------------------------------


def test_with_smtp_down_a_registration_email_waits_and_arrives_once_when_smtp_returns(
    web, smtp, faults_app, processes
):
    smtp.stop()  # nothing listens on the mail port any more
    scheduler = start_scheduler(processes)
    wait_until("the scheduler runs", lambda: ACTIVE in processes.log(scheduler), processes.all_logs)

    address = "ala.smtp@example.org"
    Visitor(web).register("Ala", address)

    # The scheduler keeps trying; the message stays in the outbox, nothing is lost.
    def tried_twice():
        rows = outbox(faults_app, to_address=address)
        return rows if rows and rows[0].attempts >= 2 else None

    (waiting,) = wait_until("two failed attempts", tried_twice, processes.all_logs)
    assert waiting.status == OutboxStatus.PENDING
    assert "ConnectionRefusedError" in waiting.last_error
    assert f"E-mail {waiting.id} not sent (attempt 1)" in processes.log(scheduler)

    smtp.start()
    (mail,) = smtp.mailbox.wait_for(address, timeout=WAIT)
    assert mail["Subject"] == "Potwierdź adres e-mail w Giełdzie Wolontariatu OKIK"
    (sent,) = wait_until(
        "the message marked sent",
        lambda: outbox(faults_app, to_address=address, status=OutboxStatus.SENT),
        processes.all_logs,
    )
    assert sent.id == waiting.id and sent.attempts > waiting.attempts
    assert len(smtp.received(address)) == 1

    # The link in the late e-mail still works on the site.
    link = re.search(r"http://\S+/confirm/\S+", Mailbox.text_of(mail)).group(0)
    status, where, _page = Visitor(web).get(link)
    assert (status, where) == (200, "/login")
    with faults_app.app_context():
        user = db.session.scalar(select(User).where(User.email == address))
        assert user.email_confirmed_at is not None
        db.session.remove()


def test_when_the_active_scheduler_is_killed_the_standby_takes_over_and_sends_nothing_twice(
    web, smtp, faults_app, processes
):
    schedulers = [start_scheduler(processes), start_scheduler(processes)]

    def roles():
        active = [s for s in schedulers if ACTIVE in processes.log(s)]
        standby = [s for s in schedulers if STANDBY in processes.log(s) and s not in active]
        return (active[0], standby[0]) if len(active) == 1 and len(standby) == 1 else None

    active, standby = wait_until("one active, one standby", roles, processes.all_logs)
    assert advisory_locks_held(faults_app) == 1

    visitor = Visitor(web)
    visitor.register("Bartek", "bartek.lock@example.org")
    smtp.mailbox.wait_for("bartek.lock@example.org", timeout=WAIT)
    wait_until(
        "nothing left to send",
        lambda: not outbox(faults_app, status=OutboxStatus.PENDING),
        processes.all_logs,
    )

    processes.kill(active, signal.SIGKILL)  # no goodbye, no unlock: the process is just gone
    visitor.register("Celina", "celina.lock@example.org")
    visitor.register("Dawid", "dawid.lock@example.org")

    wait_until(
        "the standby takes over", lambda: TAKING_OVER in processes.log(standby), processes.all_logs
    )
    for address in ("celina.lock@example.org", "dawid.lock@example.org"):
        smtp.mailbox.wait_for(address, timeout=WAIT)
    wait_until(
        "nothing left to send",
        lambda: not outbox(faults_app, status=OutboxStatus.PENDING),
        processes.all_logs,
    )
    assert standby.poll() is None and ACTIVE in processes.log(standby)
    assert advisory_locks_held(faults_app) == 1
    received = sorted(m["To"] for m in smtp.mailbox.messages)
    assert received == [
        "bartek.lock@example.org",
        "celina.lock@example.org",
        "dawid.lock@example.org",
    ]


RUN_SHIFT_REMINDERS_ON_CUE = """
import sys
from app import jobs
from app.services.reminders import shift_reminders
from wsgi import app

jobs.bind_app(app)
print("ready", flush=True)
sys.stdin.readline()
print("queued", jobs.run_job("shift_reminders", shift_reminders), flush=True)
"""


def test_the_shift_reminder_job_run_in_two_processes_at_once_queues_one_reminder(
    web, smtp, faults_app, processes
):
    factory = Factory(faults_app)
    volunteer = factory.user(first_name="Ola", email="ola.shift@example.org")
    need = factory.need(
        factory.institution("Muzeum Śląska Opolskiego"),
        "Dyżur w muzeum",
        start=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=20),
    )
    assignment = factory.application(volunteer, need, status=AssignmentStatus.ACCEPTED)

    # Two processes load the app, then run the job on the same cue, as two schedulers would.
    racers = [
        processes.start(
            "job", sys.executable, "-c", RUN_SHIFT_REMINDERS_ON_CUE, stdin=subprocess.PIPE
        )
        for _ in range(2)
    ]
    wait_until(
        "both processes ready",
        lambda: all("ready" in processes.log(r) for r in racers),
        processes.all_logs,
    )
    for racer in racers:
        racer.stdin.write(b"go\n")
    for racer in racers:
        racer.stdin.close()
    for racer in racers:
        assert racer.wait(timeout=WAIT) == 0, processes.all_logs()
    results = sorted(re.search(r"^queued (\S+)$", processes.log(r), re.M).group(1) for r in racers)
    assert results == ["0", "1"], processes.all_logs()

    (reminder,) = outbox(faults_app, kind="shift_reminder")
    assert reminder.dedup_key == f"shift-reminder:{assignment.id}:{assignment.shift_id}:24h"

    if in_quiet_hours(datetime.now(UTC)):
        return  # optional mail waits for 8:00 in Warsaw; the delivery half runs in the daytime
    scheduler = start_scheduler(processes)
    (mail,) = smtp.mailbox.wait_for(volunteer.email, timeout=WAIT)
    assert mail["Subject"] == "Przypomnienie: Dyżur w muzeum"
    wait_until(
        "the reminder marked sent",
        lambda: outbox(faults_app, kind="shift_reminder", status=OutboxStatus.SENT),
        processes.all_logs,
    )
    assert scheduler.poll() is None
    assert len(smtp.received(volunteer.email)) == 1
