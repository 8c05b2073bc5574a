"""The scheduler process in itself: its heartbeat and who reads it (/healthz, the outbox page),
its lock, and how it registers its jobs."""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import Role
from app.models import SchedulerHeartbeat
from app.models.base import utcnow
from app.scheduling import jobs
from app.scheduling.health import scheduler_health
from app.scheduling.lock import acquire_singleton_lock
from app.scheduling.lock import lock_file_path
from app.scheduling.scheduler import SupervisedScheduler
from app.scheduling.scheduler import build_scheduler
from tests.conftest import is_postgres

JULY_NOON_IN_WARSAW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)


def set_beat(app, at: datetime) -> None:
    db.session.merge(SchedulerHeartbeat(id=1, beat_at=at, host="sched-1", pid=4242))
    db.session.commit()
    db.session.remove()


def test_the_heartbeat_job_records_when_where_and_which_process(app):
    jobs.bind_app(app)
    before = utcnow()
    jobs.heartbeat()
    (row,) = db.session.query(SchedulerHeartbeat).all()
    assert row.beat_at >= before
    assert (row.host, row.pid) == (socket.gethostname(), os.getpid())
    assert scheduler_health().state == "ok"
    jobs.heartbeat()  # the same row again, never a second one
    assert db.session.query(SchedulerHeartbeat).count() == 1


def test_the_scheduler_registers_the_heartbeat_job_with_the_configured_interval(make_app):
    app = make_app(SCHEDULER_HEARTBEAT_SECONDS=7)
    scheduler = build_scheduler(app)
    jobs.register_jobs(scheduler, app.config)
    (job,) = [j for j in scheduler.get_jobs() if j.id == "heartbeat"]
    assert job.trigger.interval == timedelta(seconds=7)


def test_healthz_reports_a_scheduler_on_time(app, client):
    set_beat(app, utcnow() - timedelta(seconds=30))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["scheduler"] == "ok"


def test_healthz_says_the_scheduler_is_late_and_stays_200(app, client):
    """Three missed beats (3 x 60 s by default) make it late. A late scheduler does not take web
    processes out of the load balancer: the body says it, the status code stays 200."""
    set_beat(app, utcnow() - timedelta(seconds=181))
    assert client.get("/healthz").get_json()["scheduler"] == "late"
    set_beat(app, JULY_NOON_IN_WARSAW)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "scheduler": "late",
        "scheduler_last_beat": "2026-07-15T10:00:00+00:00",
    }


def test_healthz_says_when_the_scheduler_never_beat(client):
    body = client.get("/healthz").get_json()
    assert body["scheduler"] == "missing" and body["scheduler_last_beat"] is None


def test_the_outbox_page_warns_in_polish_since_when_the_scheduler_is_down(
    app, client, auth, factory
):
    admin = factory.user(Role.ADMIN)
    auth.login(admin.email)
    set_beat(app, JULY_NOON_IN_WARSAW)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Harmonogram nie działa od 15 lip 2026, 12:00:00." in page
    assert 'role="alert"' in page

    set_beat(app, utcnow())
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Harmonogram nie działa" not in page


def test_the_outbox_page_warns_when_the_scheduler_never_ran(client, auth, factory):
    admin = factory.user(Role.ADMIN)
    auth.login(admin.email)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Harmonogram nie działa: nie dał jeszcze żadnego znaku życia." in page


def test_the_outbox_page_warns_in_english_too(app, client, auth, factory):
    admin = factory.user(Role.ADMIN)
    auth.login(admin.email)
    client.post("/language", data={"language": "en"})
    set_beat(app, JULY_NOON_IN_WARSAW)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "The scheduler has not been running since Jul 15, 2026, 12:00:00" in page


@pytest.mark.skipif(is_postgres(), reason="the file lock is SQLite's")
def test_the_sqlite_scheduler_lock_lies_beside_its_database(app):
    """Schedulers of one database exclude each other; one of another database (the checkout's own
    `make run`, say) does not stand in the way."""
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    assert str(lock_file_path(app).parent) == os.path.dirname(database)
    lock = acquire_singleton_lock(app)
    assert lock is not None
    try:
        assert lock_file_path(app).exists()
    finally:
        lock.release()


@pytest.mark.postgres
def test_a_lost_advisory_lock_stops_every_job_before_it_starts(app):
    """The lock's connection dies (as in a server restart): the process sees it, and a job asks
    in its own transaction, so it does nothing even before the process has noticed."""
    lock = acquire_singleton_lock(app)
    assert lock is not None and lock.held()
    ran = []
    jobs.bind_app(app)
    jobs.set_guard(lock.owns_jobs)
    try:
        assert jobs.run_job("probe", lambda now: ran.append(now) or 1) == 1
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lock.backend_pid})
        db.session.commit()
        db.session.remove()
        deadline = time.monotonic() + 10
        while lock.held():
            assert time.monotonic() < deadline, "the lock's backend is still there"
            time.sleep(0.05)
        assert jobs.run_job("probe", lambda now: ran.append(now) or 1) is None
        assert len(ran) == 1
        standby = acquire_singleton_lock(app)  # free for another scheduler now
        assert standby is not None
        standby.release()
    finally:
        jobs.set_guard(None)
        lock.release()


def test_a_scheduler_started_again_keeps_the_next_runs_it_had_stored(app):
    """A run due while the scheduler was away still happens (within the misfire grace time)
    when it starts again, instead of moving to the next day."""
    first = build_scheduler(app, SupervisedScheduler)
    first.start(paused=True)
    jobs.register_jobs(first, app.config)
    missed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    first.modify_job("morning_digests", next_run_time=missed)
    first.shutdown()

    again = build_scheduler(app, SupervisedScheduler)
    again.start(paused=True)
    try:
        jobs.register_jobs(again, app.config)
        assert again.get_job("morning_digests").next_run_time == missed
        # The heartbeat alone starts at once, whatever was stored.
        assert again.get_job("heartbeat").next_run_time > missed
    finally:
        again.shutdown()
