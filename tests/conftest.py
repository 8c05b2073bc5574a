"""Fixtures in the flaskr style: app, client, factories, a login helper, a real SMTP server.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. Its schema
comes from the migrations, as on a server. It keeps its files in an instance folder of its own,
so a `make run` of the same checkout does not disturb it. OKIK_TEST_NOW (an ISO time with its
offset, e.g. 2026-12-02T02:30:00+01:00) starts the session's clock at that moment: `make
test-clock` runs the tests marked `clock` at the moments where dates and hours bite.
"""

from __future__ import annotations

import contextvars
import email
import email.policy
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask import has_app_context
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from app.core.schema import build_from_migrations
from app.extensions import db
from app.extensions import limiter
from app.models import AssignmentStatus
from app.models import NeedStatus
from app.models import Role
from config import Config
from config import TestConfig
from tests.factories import PASSWORD
from tests.factories import Factory

# In CI the property tests draw the same examples on every run, so a submission's result does not
# depend on luck; on a developer's machine they keep exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
WARSAW = ZoneInfo("Europe/Warsaw")
TEST_NOW = os.environ.get("OKIK_TEST_NOW", "").strip()


def is_postgres() -> bool:
    return bool(TEST_DATABASE_URL) and TEST_DATABASE_URL.startswith("postgresql")


def pytest_sessionstart(session) -> None:
    """Compile the translation catalogues when `make` has not (e.g. a bare `pytest` run)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        with mo.open("wb") as f:
            write_mo(f, catalog)


def session_start_time() -> datetime | None:
    """The moment OKIK_TEST_NOW names, or None for the real clock."""
    if not TEST_NOW:
        return None
    moment = datetime.fromisoformat(TEST_NOW)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"OKIK_TEST_NOW={TEST_NOW!r} needs an offset, e.g. +01:00")
    return moment


def pytest_configure(config) -> None:
    """Before anything is collected: a private instance folder, and the pinned clock if asked for.

    The folder goes to the environment too, so that servers and schedulers the tests start keep
    their lock and cache there and not in the checkout's instance/.
    """
    instance = tempfile.mkdtemp(prefix="okik-test-instance-")
    config._okik_instance = instance
    os.environ["INSTANCE_PATH"] = instance
    Config.INSTANCE_PATH = instance
    moment = session_start_time()
    config._okik_clock = None
    if moment is not None:
        config._okik_clock = time_machine.travel(moment, tick=True)
        config._okik_clock.start()


def pytest_unconfigure(config) -> None:
    clock = getattr(config, "_okik_clock", None)
    if clock is not None:
        clock.stop()
    instance = getattr(config, "_okik_instance", None)
    if instance:
        shutil.rmtree(instance, ignore_errors=True)


def pytest_report_header(config) -> list[str]:
    moment = session_start_time()
    clock = "real"
    if moment is not None:
        clock = f"starts at {moment.astimezone(WARSAW):%Y-%m-%d %H:%M %Z} (Europe/Warsaw)"
    return [
        f"database: {'PostgreSQL ' + TEST_DATABASE_URL if is_postgres() else 'SQLite'}",
        f"clock: {clock}",
    ]


def pytest_collection_modifyitems(config, items) -> None:
    if is_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _ensure_postgres_database(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{parsed.database}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the real SMTP server received, parsed as e-mail messages."""

    def __init__(self) -> None:
        self._messages: list[EmailMessage] = []
        self._envelopes: list = []
        self._lock = threading.Lock()
        # Set by the app fixture: runs the outbox delivery, as the scheduler would.
        self.deliver = lambda: None

    @property
    def messages(self) -> list[EmailMessage]:
        """What the server received after the outbox was delivered."""
        self.deliver()
        return self._messages

    @property
    def envelopes(self) -> list:
        self.deliver()
        return self._envelopes

    def receive(self, envelope) -> None:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._envelopes.append(envelope)
            self._messages.append(msg)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._envelopes.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)  # delivers the outbox first
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no e-mail to {address} within {timeout} s")

    @staticmethod
    def text_of(msg: EmailMessage) -> str:
        return msg.get_body(preferencelist=("plain",)).get_content()


class SMTPHandler:
    """The aiosmtpd handler; kept apart from Mailbox because aiosmtpd inspects its members."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):
        self.mailbox.receive(envelope)
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(SMTPHandler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        if is_postgres():
            _ensure_postgres_database(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_test_config(database_url: str, smtp_port: int, **overrides) -> type[TestConfig]:
    attrs = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        **overrides,
    }
    return type("SuiteConfig", (TestConfig,), attrs)


def scheduler_clock() -> datetime:
    """Now, or, during the quiet hours (21-8 Warsaw time), the next morning at 8:05.

    Tests read what the scheduler delivers, whenever they run: optional mail held overnight is
    what the scheduler sends in the morning. The quiet hours themselves are tested with fixed
    clocks in tests/notifications/test_notifications.py.
    """
    from app.services.mail import in_quiet_hours

    now = datetime.now(UTC)
    if not in_quiet_hours(now):
        return now
    local = now.astimezone(WARSAW)
    morning = local.replace(hour=8, minute=5, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning.astimezone(UTC)


class OwnContextClient(FlaskClient):
    """A test client whose requests get an application context and a session of their own, as on
    a server, also while the test holds its context (`held_app_context`); the test's session first
    lets go of its transaction, so the request may write and the test then reads what it stored."""

    def open(self, *args, **kwargs):
        if not has_app_context():
            return super().open(*args, **kwargs)
        db.session.rollback()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, smtp_server):
    _mailbox, port = smtp_server
    application = create_app(make_test_config(database_url, port))
    application.test_client_class = OwnContextClient

    def deliver_outbox() -> None:
        from app.services.mail import deliver_due

        with application.app_context():
            deliver_due(scheduler_clock())

    _mailbox.deliver = deliver_outbox
    with application.app_context():
        build_from_migrations()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, smtp_server):
    """Build another app on the test database with some settings changed; its pool is closed after."""
    apps = []

    def build(database=None, **overrides):
        application = create_app(
            make_test_config(database or database_url, smtp_server[1], **overrides)
        )
        apps.append(application)
        return application

    yield build
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request, app, smtp_server):
    """Every test starts with empty tables, an empty mailbox and fresh rate limits."""
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    smtp_server[0].clear()
    try:
        limiter.reset()
    except Exception:  # noqa: BLE001,S110 - storages that cannot reset have nothing to clear
        pass


@pytest.fixture(autouse=True)
def held_app_context(request, app, _clean_state):
    """An application context for the whole test, so that a test reads and changes rows through
    db.session as the app does, without opening contexts of its own.

    Whenever another session commits (a factory, a job, a request), the test's session lets go of
    its transaction and of what it read: the next read sees what is stored now, on SQLite (whose
    reading transaction would keep its snapshot) as on PostgreSQL. Tests marked `own_contexts`
    (a command that must create its own app, a lock held across sessions) go without it.
    """
    if request.node.get_closest_marker("own_contexts"):
        yield
        return
    with app.app_context():
        own = db.session()

        def forget_what_was_read(session: Session) -> None:
            if session is not own:
                own.rollback()

        event.listen(Session, "after_commit", forget_what_was_read)
        try:
            yield
        finally:
            event.remove(Session, "after_commit", forget_what_was_read)
            db.session.remove()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return smtp_server[0]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


class AuthActions:
    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def authz_world(factory):
    """Two institutions with staff, needs, shifts and applications, and one account per role."""
    from tests.authz.common import World
    from tests.authz.qualifications import qualifications_at_a

    inst_a = factory.institution("Muzeum A")
    inst_b = factory.institution("Teatr B")
    volunteer = factory.user(Role.VOLUNTEER)
    other = factory.user(Role.VOLUNTEER, first_name="Zofia", last_name="Zielińska")
    need_a = factory.need(inst_a, "Dyżur w muzeum A")
    draft_a = factory.need(inst_a, "Szkic potrzeby A", status=NeedStatus.DRAFT)
    need_b = factory.need(inst_b, "Obsługa widowni w teatrze B")
    applicant = factory.user()
    staff_a = factory.user(Role.STAFF, institution=inst_a)
    users = {
        "anonymous": None,
        "volunteer": volunteer.email,
        "staff_a": staff_a.email,
        "staff_b": factory.user(Role.STAFF, institution=inst_b).email,
        "coordinator": factory.user(Role.COORDINATOR).email,
        "admin": factory.user(Role.ADMIN).email,
    }
    world = World(
        slug_a=inst_a.slug,
        slug_b=inst_b.slug,
        institution_a=inst_a.id,
        institution_b=inst_b.id,
        volunteer=volunteer.id,
        other_volunteer=other.id,
        need_a=need_a.id,
        need_a_draft=draft_a.id,
        need_b=need_b.id,
        shift_a=need_a.shifts[0].id,
        shift_b=need_b.shifts[0].id,
        assignment_a=factory.application(volunteer, need_a).id,
        assignment_b=factory.application(other, need_b).id,
        staff_request_id=factory.staff_request(applicant, inst_a).id,
        institution_request_id=factory.institution_request(applicant).id,
        feed_token=factory.feed_token(volunteer),
        other_feed_token=factory.feed_token(other),
    )
    # Matching records live at a third institution, so that they change nothing A or B can see.
    inst_c = factory.institution("Biblioteka C")
    need_c = factory.need(inst_c, "Potrzeba C", shifts=2)
    world.run_id = factory.match_run().id
    world.proposal_a = factory.application(
        other, need_c, status=AssignmentStatus.PROPOSED, run_id=world.run_id
    ).id
    world.offer = factory.application(volunteer, need_c, status=AssignmentStatus.OFFERED).id
    world.other_offer = factory.application(
        other, need_c, shift_index=1, status=AssignmentStatus.OFFERED
    ).id
    _records_at_a(factory, world, inst_a, need_a, volunteer, other, staff_a)
    world.post_a = factory.news_post(inst_a, staff_a).id
    world.spare_post_a = factory.news_post(inst_a, staff_a, title="Druga wiadomość A").id
    qualifications_at_a(factory, world, inst_a, other)
    _invitable_at_a(factory, world, inst_a)
    users["other_volunteer"] = other.email
    return world, users


def _records_at_a(factory, world, inst_a, need_a, volunteer, other, staff_a) -> None:
    """A shift at A that is over, worked by both volunteers; the other volunteer's hours, documents
    and availability. Documents are issued by the app's own services, as people would."""
    from datetime import UTC
    from datetime import datetime
    from datetime import time
    from datetime import timedelta

    from app.models import AvailabilityWindow
    from app.models import User
    from app.models import VolunteerAbsence
    from app.models.hours import HoursEntry
    from app.models.hours import HoursSource
    from app.models.hours import HoursStatus
    from app.services import documents

    started = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    past_need = factory.need(inst_a, "Noc muzeów w A", start=started)
    world.staff_a_user = staff_a.id
    world.past_need_a = past_need.id
    world.past_shift_a = past_need.shifts[0].id
    world.past_placement_a = factory.application(
        other, past_need, status=AssignmentStatus.ACCEPTED
    ).id
    factory.application(volunteer, past_need, status=AssignmentStatus.ACCEPTED)
    # The signed-in volunteer's application on need_a clashes with their offer at C; this does not.
    world.other_application_a = factory.application(other, need_a).id
    with factory.app.app_context():
        today = datetime.now(documents.WARSAW).date()
        entries = [
            HoursEntry(
                volunteer_id=other.id,
                institution_id=inst_a.id,
                need_id=past_need.id,
                worked_on=today - timedelta(days=days_ago),
                hours=hours,
                description="Oprowadzanie po wystawie",
                source=HoursSource.SELF_LOG,
                status=status,
            )
            for days_ago, hours, status in (
                (3, 2, HoursStatus.CONFIRMED),
                (1, 3, HoursStatus.PENDING),
            )
        ]
        window = AvailabilityWindow(
            user_id=other.id, weekday=5, start_time=time(10), end_time=time(14)
        )
        absence = VolunteerAbsence(
            user_id=other.id,
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=35),
        )
        db.session.add_all([*entries, window, absence])
        db.session.flush()
        certificate = documents.issue_certificate(
            db.session.get(User, other.id), today - timedelta(days=7), today, inst_a.id, today
        )
        agreement = documents.issue_agreement(
            other.id, past_need.id, db.session.get(User, staff_a.id), today
        )
        db.session.commit()
        world.entry_a = entries[1].id
        world.certificate_a = certificate.id
        world.agreement_a = agreement.id
        world.other_window = window.id
        world.other_absence = absence.id


def _invitable_at_a(factory, world, inst_a) -> None:
    """A shift of A at 10:00 Warsaw time a week ahead and a volunteer the ranking suggests for it:
    consenting, free every day from 8 to 20, open to invitations."""
    from datetime import datetime
    from datetime import time
    from datetime import timedelta

    from app.core.time import WARSAW
    from app.core.time import today_in_warsaw
    from app.models import AvailabilityWindow
    from app.models import Consent
    from app.models import ConsentKind

    day = today_in_warsaw() + timedelta(days=7)
    need = factory.need(inst_a, "Warsztaty w A", start=datetime.combine(day, time(10), WARSAW))
    guest = factory.user(first_name="Iga", last_name="Zapraszana")
    with factory.app.app_context():
        db.session.add_all(
            [
                Consent(user_id=guest.id, kind=ConsentKind.DATA_PROCESSING, granted=True),
                *(
                    AvailabilityWindow(
                        user_id=guest.id, weekday=d, start_time=time(8), end_time=time(20)
                    )
                    for d in range(7)
                ),
            ]
        )
        db.session.commit()
    world.invite_shift_a = need.shifts[0].id
    world.invitable = guest.id
