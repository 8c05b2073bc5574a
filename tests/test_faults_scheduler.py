"""The scheduler process outlives the database's bad moments.

Real `flask --app wsgi scheduler` processes, a real SMTP server, the schema from the migrations:
on SQLite another connection holds the database's write lock (and then an exclusive lock) for
longer than the scheduler's busy timeout; on PostgreSQL a private cluster (never the shared server)
is restarted under two running schedulers. Afterwards the process is still there, its jobs run
again, e-mail goes out once, and exactly one scheduler runs jobs.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import SchedulerHeartbeat
from app.models import User
from app.scheduling.lock import ADVISORY_LOCK_KEY
from app.services.mail import send_email
from tests.conftest import free_port
from tests.conftest import make_test_config
from tests.test_faults_database import Cluster
from tests.test_faults_database import pg_program
from tests.test_faults_gunicorn import BIN
from tests.test_faults_gunicorn import ROOT
from tests.test_faults_gunicorn import Processes
from tests.test_faults_gunicorn import SmtpServer
from tests.test_faults_gunicorn import wait_until

LOCKED = "database is locked"
WAIT = 60.0  # the longest one wait may take: a busy timeout plus a job interval or two


def scheduler_env(database_url: str, smtp_port: int, tmp_path: Path) -> dict[str, str]:
    """What an operator would set for the scheduler process, with its pauses shortened."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MAIL_", "TEST_DATABASE", "RATELIMIT_", "SCHEDULER_"))
    }
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        LOG_FORMAT="text",
        CACHE_DIR=str(tmp_path / "cache"),
        OUTBOX_INTERVAL_SECONDS="1",
        OUTBOX_RETRY_SECONDS="1",
        SCHEDULER_STANDBY_SECONDS="1",
        SCHEDULER_HEARTBEAT_SECONDS="1",
        SCHEDULER_RESTART_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def start_scheduler(processes: Processes) -> subprocess.Popen:
    return processes.start("scheduler", str(BIN / "flask"), "--app", "wsgi", "scheduler")


def queue_mail(app, address: str) -> None:
    """Queue an account e-mail; on SQLite the write waits its turn beside the scheduler's."""
    deadline = time.monotonic() + WAIT
    with app.test_request_context():
        while True:
            try:
                send_email(
                    address,
                    "Potwierdź adres e-mail",
                    "confirm_email",
                    user=User(first_name="Ola"),
                    confirm_url="http://127.0.0.1/confirm/abc",
                )
                db.session.commit()
                return
            except OperationalError:
                db.session.rollback()
                assert time.monotonic() < deadline, "the test could not write its e-mail"
                time.sleep(0.2)
            finally:
                db.session.remove()


def goes_out(app, smtp: SmtpServer, address: str) -> None:
    """The message reaches the SMTP server once and is marked sent: the outbox claims it before
    SMTP and retries the sent mark, so a locked database does not send it twice."""
    smtp.mailbox.wait_for(address, timeout=WAIT)

    def marked_sent() -> bool:
        with app.app_context():
            status = db.session.scalar(
                select(OutboxMessage.status).where(OutboxMessage.to_address == address)
            )
            db.session.remove()
        return status == OutboxStatus.SENT

    wait_until(f"the e-mail to {address} marked sent", marked_sent)
    assert len(smtp.mailbox.to(address)) == 1


def heartbeat(app) -> SchedulerHeartbeat | None:
    with app.app_context():
        try:
            row = db.session.scalar(select(SchedulerHeartbeat))
            if row is not None:
                db.session.expunge(row)
            return row
        finally:
            db.session.remove()


def beats_after(app, moment: datetime) -> SchedulerHeartbeat | None:
    row = heartbeat(app)
    return row if row is not None and row.beat_at > moment else None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sqlite_world(tmp_path, smtp):
    """A file database built by the migrations, the scheduler's environment, and an app on it."""
    path = tmp_path / "okik.db"
    url = f"sqlite:///{path}"
    env = scheduler_env(url, smtp.port, tmp_path)
    migrate(env)
    application = create_app(make_test_config(url, smtp.port))
    processes = Processes(tmp_path, env)
    try:
        yield path, application, processes
    finally:
        processes.stop_all()
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def hold_lock_until_hit(path: Path, begin: str, processes: Processes, scheduler) -> None:
    """Hold the lock from another connection until the scheduler has run into it once more."""
    hits_before = processes.log(scheduler).count(LOCKED)
    holder = sqlite3.connect(path, isolation_level=None, timeout=WAIT)
    try:
        holder.execute(begin)
        holder.execute("UPDATE alembic_version SET version_num = version_num")
        deadline = time.monotonic() + WAIT
        while processes.log(scheduler).count(LOCKED) <= hits_before:
            assert scheduler.poll() is None, f"the scheduler died\n{processes.log(scheduler)}"
            assert time.monotonic() < deadline, (
                f"the scheduler never met the lock ({begin})\n{processes.log(scheduler)}"
            )
            time.sleep(0.2)
    finally:
        holder.rollback()
        holder.close()


def test_a_locked_sqlite_database_does_not_end_the_scheduler(sqlite_world, smtp):
    path, app, processes = sqlite_world
    scheduler = start_scheduler(processes)
    queue_mail(app, "przed@example.org")
    goes_out(app, smtp, "przed@example.org")

    # A writer holds the write lock longer than the busy timeout: readers go on, writes fail.
    hold_lock_until_hit(path, "BEGIN IMMEDIATE", processes, scheduler)
    assert scheduler.poll() is None, processes.log(scheduler)
    # Then nobody may even read.
    hold_lock_until_hit(path, "BEGIN EXCLUSIVE", processes, scheduler)
    assert scheduler.poll() is None, processes.log(scheduler)

    released = datetime.now(UTC)
    queue_mail(app, "po@example.org")
    goes_out(app, smtp, "po@example.org")
    beat = wait_until("a heartbeat after the lock", lambda: beats_after(app, released))
    assert beat.pid == scheduler.pid
    assert scheduler.poll() is None, processes.log(scheduler)
    log = processes.log(scheduler)
    assert "Traceback" not in log, log  # said in one line each time, nothing crashed
    assert re.search(r"WARNING .*Job store: .* failed \(database is locked\)", log), log


# --- PostgreSQL restarted under running schedulers ---------------------------------------------

ACTIVE = "Scheduler started with"
STANDBY = "Another scheduler process holds the lock"
LOST = "The scheduler lock is lost"
RAN_HEARTBEAT = 'Running job "heartbeat'


def advisory_locks_held(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objid = :key",
                ),
                {"key": ADVISORY_LOCK_KEY},
            )
        finally:
            db.session.remove()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A throw-away PostgreSQL of this module's own: the shared server is never restarted."""
    pg_program("initdb")
    root = Path(tempfile.mkdtemp(prefix="okik-scheduler-pg-"))
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
def postgres_world(cluster, tmp_path, smtp):
    """The private cluster's database built by the migrations, and an app on it."""
    if not cluster.is_running():
        cluster.start()
    env = scheduler_env(cluster.url, smtp.port, tmp_path)
    migrate(env)
    application = create_app(make_test_config(cluster.url, smtp.port))
    processes = Processes(tmp_path, env)
    try:
        yield application, processes
    finally:
        processes.stop_all()
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def restart(cluster: Cluster, app) -> datetime:
    """Kill the server (no goodbye to any client) and start it again; returns when it serves."""
    cluster.stop("immediate")
    cluster.start()
    with app.app_context():
        db.engine.dispose()  # the test's own pool points at the old server
    return datetime.now(UTC)


def heartbeats_ran(processes: Processes, schedulers, since: dict[int, int]) -> list:
    """The schedulers that ran the heartbeat job after the given log offsets."""
    return [s for s in schedulers if RAN_HEARTBEAT in processes.log(s)[since[s.pid] :]]


@pytest.mark.postgres
def test_a_postgresql_restart_leaves_exactly_one_scheduler_running_jobs(
    postgres_world, cluster, smtp
):
    app, processes = postgres_world
    schedulers = [start_scheduler(processes), start_scheduler(processes)]

    def roles():
        active = [s for s in schedulers if ACTIVE in processes.log(s)]
        standby = [s for s in schedulers if STANDBY in processes.log(s)]
        return len(active) == 1 and len(standby) == 1

    wait_until("one active scheduler and one standby", roles, processes.all_logs)
    queue_mail(app, "przed@example.org")
    goes_out(app, smtp, "przed@example.org")

    for round_ in range(2):
        restarted = restart(cluster, app)
        wait_until("a heartbeat after the restart", lambda: beats_after(app, restarted))
        queue_mail(app, f"po{round_}@example.org")
        goes_out(app, smtp, f"po{round_}@example.org")
        assert all(s.poll() is None for s in schedulers), processes.all_logs()
        assert any(LOST in processes.log(s) for s in schedulers), processes.all_logs()
        # Settled: one process holds the lock and runs jobs, the other runs none.
        assert advisory_locks_held(app) == 1
        offsets = {s.pid: len(processes.log(s)) for s in schedulers}
        time.sleep(3)
        (running,) = heartbeats_ran(processes, schedulers, offsets)
        assert running.pid == heartbeat(app).pid
        if round_ == 0:
            # The second round: the standby is gone; the survivor must take the lock again.
            idle = next(s for s in schedulers if s is not running)
            processes.kill(idle, signal.SIGTERM)
            schedulers = [running]
    assert "Traceback" not in processes.all_logs(), processes.all_logs()
