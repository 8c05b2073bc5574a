"""PostgreSQL stops while the app runs (PostgreSQL only).

The app must then answer 503 with the Polish "database unavailable" page (JSON for the API and
/healthz), leave nothing half-written when the database dies in the middle of a change, and work
again by itself, without a restart, as soon as the database is back.

The shared cluster at 127.0.0.1:5432 must never be stopped, so this module starts its own,
throw-away PostgreSQL cluster (initdb into a temporary directory, trust authentication, a free port
on 127.0.0.1) and stops and removes it at the end. initdb and pg_ctl refuse to run as root, so when
the tests run as root they run those two as the `postgres` OS user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from app.core.schema import build_from_migrations
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import Notice
from app.models import OutboxMessage
from app.models import Role
from app.models import Shift
from tests.conftest import free_port
from tests.factories import PASSWORD
from tests.factories import Factory

pytestmark = pytest.mark.postgres

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DOWN_TITLE = "Serwis chwilowo niedostępny"
DOWN_MESSAGE = "Baza danych jest chwilowo niedostępna. Spróbuj ponownie za kilka minut."
PG_TIMEOUT = 60  # seconds for any initdb / pg_ctl call


def pg_program(name: str) -> str:
    found = PG_BIN / name
    if found.is_file():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(
            f"{name} not found in {PG_BIN} nor on PATH: this PostgreSQL test needs the PostgreSQL "
            "15 server binaries (Debian: apt-get install postgresql-15) or PG_BIN set to them."
        )
    return on_path


class Cluster:
    """A private PostgreSQL cluster in a temporary directory, started and stopped with pg_ctl."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/okik_faults?connect_timeout=3"
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root, but there is no `postgres` OS user to run initdb")
            os.chown(root, owner.pw_uid, owner.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - fixed programs, arguments from this module
            [*self.as_owner, *command],
            capture_output=True,
            text=True,
            timeout=PG_TIMEOUT,
            check=False,
        )

    def _must(self, *command: str) -> None:
        done = self._run(*command)
        if done.returncode != 0:
            pytest.fail(
                f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                f"server log:\n{self.log_tail()}"
            )

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"

    def create(self) -> None:
        self._must(
            pg_program("initdb"),
            "--pgdata",
            str(self.data),
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
            )
        self.start()
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE okik_faults")

    def start(self) -> None:
        self._must(
            pg_program("pg_ctl"),
            "start",
            "--wait",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
        )

    def stop(self, mode: str = "fast") -> None:
        self._must(pg_program("pg_ctl"), "stop", "--wait", "--pgdata", str(self.data), "-m", mode)

    def is_running(self) -> bool:
        return self._run(pg_program("pg_ctl"), "status", "--pgdata", str(self.data)).returncode == 0


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    pg_program("initdb")
    # Not under pytest's own temporary directory: that one is private to root, and the
    # `postgres` user must reach the data directory.
    root = Path(tempfile.mkdtemp(prefix="okik-faults-pg-"))
    made = Cluster(root, free_port())
    try:
        made.create()
        yield made
    finally:
        try:
            if made.data.exists() and made.is_running():
                made.stop("immediate")
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def site(cluster, make_app):
    """The app on the private cluster with an empty schema, and a factory that writes to it."""
    if not cluster.is_running():
        cluster.start()
    application = make_app(database=cluster.url)
    with application.app_context():
        build_from_migrations()
    return application, Factory(application)


def sign_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    return client


def assert_database_down_page(response) -> None:
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert DOWN_TITLE in page
    assert DOWN_MESSAGE in page


def fill_pool(app, connections: int = 4) -> None:
    """Leave several idle, already used connections in the app's pool, as after busy traffic."""
    with app.app_context():
        held = [db.engine.connect() for _ in range(connections)]
        for conn in held:
            conn.exec_driver_sql("SELECT 1")
        for conn in held:
            conn.close()
        assert db.engine.pool.checkedin() >= connections


@contextmanager
def database_dies_at(app, cluster: Cluster, statement_start: str) -> Iterator[list[str]]:
    """Stop the cluster (immediate: the server processes are killed) right before the app sends
    the first statement beginning with `statement_start`; yields the statements sent until then."""
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if sent and sent[-1].startswith(statement_start):
            return  # already stopped: what follows is not sent anywhere
        sent.append(statement)
        if statement.startswith(statement_start):
            cluster.stop("immediate")

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def written_before(sent: list[str], last: str) -> list[str]:
    """The first words of the writes the app sent before the one it died at."""
    assert sent and sent[-1].startswith(last), f"the app never sent {last!r}: {sent}"
    writes = [s for s in sent[:-1] if s.split(None, 1)[0] in {"INSERT", "UPDATE", "DELETE"}]
    return [" ".join(s.split()[:3]) for s in writes]


# --- Story 1: a volunteer is browsing when the database goes away ---------------------------------


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_pages_say_in_polish_that_the_database_is_down_and_recover_when_it_is_back(
    site, cluster, mode
):
    app, factory = site
    institution = factory.institution("Muzeum Śląska Opolskiego")
    need = factory.need(institution, "Dyżur w galerii sztuki")
    volunteer = factory.user(Role.VOLUNTEER, first_name="Zofia")
    client = sign_in(app, volunteer.email)
    pages = ["/", "/needs/", f"/needs/{need.id}", "/me/schedule", "/me/profile"]
    for page in pages:
        assert client.get(page).status_code == 200, page
    assert "Dyżur w galerii sztuki" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    fill_pool(app)

    cluster.stop(mode)

    for page in pages:
        assert_database_down_page(client.get(page))
    api = client.get("/api/v1/needs")
    assert api.status_code == 503
    assert api.get_json()["message"] == DOWN_MESSAGE
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "error", "database": "error"}

    cluster.start()

    # The same app and the same browser session: no restart, no new login.
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    assert "Dyżur w galerii sztuki" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Zofia" in client.get("/me/profile").get_data(as_text=True)
    assert client.get("/api/v1/needs").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["status"] == "ok" and health.get_json()["database"] == "ok"


def test_a_database_restart_between_two_clicks_goes_unnoticed(site, cluster):
    """The pool still holds connections to the old server processes; none of them may reach a
    user as an error (pool_pre_ping replaces them)."""
    app, factory = site
    institution = factory.institution()
    need = factory.need(institution, "Obsługa szatni")
    volunteer = factory.user(Role.VOLUNTEER)
    client = sign_in(app, volunteer.email)
    assert client.get(f"/needs/{need.id}").status_code == 200
    fill_pool(app)

    cluster.stop("immediate")
    cluster.start()

    for page in ["/", f"/needs/{need.id}", "/me/schedule", "/healthz", "/api/v1/needs"]:
        assert client.get(page).status_code == 200, page
    assert "Obsługa szatni" in client.get(f"/needs/{need.id}").get_data(as_text=True)


# --- Story 2: nothing half-written -----------------------------------------------------------------


def count(app, model, *where) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model).where(*where))
        finally:
            db.session.remove()


def places_taken(app, shift_id: int) -> int:
    with app.app_context():
        try:
            return db.session.get(Shift, shift_id).accepted_count
        finally:
            db.session.remove()


def test_an_acceptance_cut_off_by_the_database_leaves_nothing_half_written(site, cluster):
    """Accepting writes the place count, the assignment, a notice and an outbox e-mail in one
    transaction; the database dies right as the e-mail is written."""
    app, factory = site
    institution = factory.institution("Teatr im. Jana Kochanowskiego")
    staff = factory.user(Role.STAFF, institution=institution)
    volunteer = factory.user(Role.VOLUNTEER)
    need = factory.need(institution, "Obsługa widowni", places=1)
    shift_id = need.shifts[0].id
    application = factory.application(volunteer, need)
    client = sign_in(app, staff.email)
    accept = f"/manage/assignments/{application.id}/accept"

    with database_dies_at(app, cluster, "INSERT INTO outbox_message") as sent:
        response = client.post(accept, data={"seen_status": "applied"})
    assert_database_down_page(response)
    # The database died in the middle: the place, the decision and the notice were already sent.
    earlier = written_before(sent, "INSERT INTO outbox_message")
    assert "UPDATE shift SET" in earlier
    assert "UPDATE assignment SET" in earlier
    assert "INSERT INTO notice" in earlier

    cluster.start()

    with app.app_context():
        assert db.session.get(Assignment, application.id).status == AssignmentStatus.APPLIED
        db.session.remove()
    assert places_taken(app, shift_id) == 0
    assert count(app, Notice) == 0
    assert count(app, OutboxMessage) == 0
    assert count(app, AuditLog, AuditLog.action == "application.accepted") == 0

    # Once the database is back, the same click goes through, whole.
    response = client.post(accept, data={"seen_status": "applied"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Assignment, application.id).status == AssignmentStatus.ACCEPTED
        db.session.remove()
    assert places_taken(app, shift_id) == 1
    assert count(app, Notice, Notice.user_id == volunteer.id) == 1
    assert count(app, OutboxMessage, OutboxMessage.to_address == volunteer.email) == 1
    assert count(app, AuditLog, AuditLog.action == "application.accepted") == 1


def test_an_application_cut_off_by_the_database_leaves_nothing_half_written(site, cluster):
    """Applying inserts the assignment and then its audit entry; the database dies in between."""
    app, factory = site
    institution = factory.institution()
    volunteer = factory.user(Role.VOLUNTEER)
    need = factory.need(institution, "Pomoc przy festiwalu", places=3)
    shift_id = need.shifts[0].id
    client = sign_in(app, volunteer.email)
    assert client.get(f"/needs/{need.id}").status_code == 200
    apply = f"/needs/{need.id}/apply"

    with database_dies_at(app, cluster, "INSERT INTO audit_log") as sent:
        response = client.post(apply, data={"shifts": [str(shift_id)]})
    assert_database_down_page(response)
    assert "INSERT INTO assignment" in written_before(sent, "INSERT INTO audit_log")

    cluster.start()

    assert count(app, Assignment) == 0
    assert count(app, AuditLog, AuditLog.action == "application.created") == 0
    assert places_taken(app, shift_id) == 0

    response = client.post(apply, data={"shifts": [str(shift_id)]})
    assert response.status_code == 302
    assert count(app, Assignment, Assignment.volunteer_id == volunteer.id) == 1
    assert count(app, AuditLog, AuditLog.action == "application.created") == 1
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Zgłoszenie wysłane" in page


def test_a_form_sent_while_the_database_is_down_saves_nothing(site, cluster):
    app, factory = site
    institution = factory.institution()
    volunteer = factory.user(Role.VOLUNTEER)
    need = factory.need(institution, "Warsztaty dla seniorów")
    shift_id = need.shifts[0].id
    client = sign_in(app, volunteer.email)
    assert client.get(f"/needs/{need.id}").status_code == 200

    cluster.stop("fast")
    response = client.post(
        f"/needs/{need.id}/apply", data={"shifts": [str(shift_id)], "message": "Chętnie pomogę"}
    )
    assert_database_down_page(response)
    cluster.start()

    assert count(app, Assignment) == 0
    assert count(app, AuditLog, AuditLog.action == "application.created") == 0
    assert "Chętnie pomogę" not in client.get("/me/schedule").get_data(as_text=True)
