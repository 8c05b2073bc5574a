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
import threading
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import psycopg
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import AssignmentStatus
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import Role
from app.models import User
from app.services.mail import in_quiet_hours
from tests.conftest import TEST_DATABASE_URL
from tests.conftest import Mailbox
from tests.conftest import SMTPHandler
from tests.conftest import free_port
from tests.conftest import make_test_config
from tests.factories import PASSWORD
from tests.factories import Factory
from tests.live_server import BIN
from tests.live_server import ROOT
from tests.live_server import WAIT
from tests.live_server import Processes
from tests.live_server import Visitor
from tests.live_server import start_gunicorn
from tests.live_server import wait_until

pytestmark = pytest.mark.postgres

# Its own database, dropped at the end; OKIK_FAULTS_DB names another for runs side by side.
FAULTS_DATABASE = os.environ.get("OKIK_FAULTS_DB", "okik_faults")


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
    try:
        base_url = start_gunicorn(processes, web_port, workers=2)
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
from app.scheduling import jobs
from app.scheduling.reminders import shift_reminders
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


def test_a_scheduler_killed_between_smtp_and_the_sent_mark_is_followed_by_one_resend_with_its_id(
    web, smtp, faults_app, processes
):
    """The SMTP server has the message, but the scheduler dies before it hears "250 OK": the
    next scheduler sends it again with the same Message-ID, counts the repeat, and the
    administrators' page says so."""
    factory = Factory(faults_app)
    admin = factory.user(Role.ADMIN, email="admin.repeat@example.org")
    receive = smtp.mailbox.receive
    arrived, answer = threading.Event(), threading.Event()

    def receive_and_stall(envelope) -> None:
        receive(envelope)
        arrived.set()
        answer.wait(WAIT)  # the sender waits for "250 OK" meanwhile

    smtp.mailbox.receive = receive_and_stall
    try:
        first = start_scheduler(processes)
        wait_until("the scheduler runs", lambda: ACTIVE in processes.log(first), processes.all_logs)
        address = "ela.repeat@example.org"
        Visitor(web).register("Ela", address)
        assert arrived.wait(WAIT), processes.all_logs()
        processes.kill(first, signal.SIGKILL)
    finally:
        smtp.mailbox.receive = receive
        answer.set()
    (in_flight,) = outbox(faults_app, to_address=address)
    assert in_flight.status == OutboxStatus.SENDING and in_flight.message_id

    staff = Visitor(web)
    status, _where, _page = staff.submit("/login", {"email": admin.email, "password": PASSWORD})
    assert status == 200
    page = staff.get("/admin/outbox")[2]
    assert "W trakcie wysyłki: 1." in page and in_flight.message_id.strip("<>") in page

    second = start_scheduler(processes)
    copies = smtp.mailbox.wait_for(address, count=2, timeout=WAIT)
    (sent,) = wait_until(
        "the message marked sent",
        lambda: outbox(faults_app, to_address=address, status=OutboxStatus.SENT),
        processes.all_logs,
    )
    assert [m["Message-ID"] for m in copies] == [in_flight.message_id] * 2
    assert (sent.repeats, sent.attempts) == (1, 1)
    assert f"E-mail {sent.id} was in flight since" in processes.log(second)
    time.sleep(3)  # three more delivery rounds send nothing more
    assert len(smtp.received(address)) == 2
    page = staff.get("/admin/outbox")[2]
    assert "Wysłane ponownie po przerwanej wysyłce: 1." in page and "W trakcie wysyłki: 0." in page
    assert second.poll() is None
