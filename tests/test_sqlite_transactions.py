"""SQLite shared by several connections: WAL, a busy timeout, and the write lock taken in time.

Another connection (plain sqlite3, as another process would be) holds the write lock; the app's
transactions must wait their turn for it instead of failing with "database is locked".
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import OutboxMessage
from app.models import User
from app.scheduling.scheduler import build_scheduler
from app.services.mail import queue_email
from tests.conftest import is_postgres

pytestmark = pytest.mark.skipif(is_postgres(), reason="SQLite's locking is what is tested")


@pytest.fixture
def path(database_url) -> str:
    return make_url(database_url).database


@contextmanager
def write_lock_held_elsewhere(path: str, seconds: float) -> Iterator[threading.Event]:
    """Another connection takes the write lock now and gives it back after `seconds`."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        other.execute("ROLLBACK")
        released.set()

    timer = threading.Timer(seconds, release)
    timer.start()
    try:
        yield released
    finally:
        timer.join()
        other.close()


def test_a_transaction_that_read_first_waits_for_the_writer_ahead_then_writes(
    make_app, factory, path
):
    """A sign-in reads the account and then writes; so does a registration with its e-mail."""
    person = factory.user()
    app = make_app(SQLITE_BUSY_TIMEOUT_SECONDS=5)
    with app.test_request_context(method="POST"):
        user = db.session.get(User, person.id)  # the read: a snapshot is open from here
        with write_lock_held_elsewhere(path, 0.5) as released:
            began = time.monotonic()
            user.first_name = "Zmieniona"
            queue_email(user.email, "Po kolei", "confirm_email", user=user, confirm_url="x")
            db.session.commit()
            waited = time.monotonic() - began
            assert released.is_set()
    assert waited >= 0.4
    with app.app_context():
        assert db.session.get(User, person.id).first_name == "Zmieniona"
        assert db.session.scalar(select(OutboxMessage.subject)) == "Po kolei"


def test_select_for_update_takes_the_write_lock_before_it_reads(make_app, factory, path):
    """What locks a row on PostgreSQL locks out the other writers on SQLite, so the rows read
    cannot change before the transaction writes."""
    person = factory.user()
    app = make_app()
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        with app.app_context():
            db.session.scalar(select(User).where(User.id == person.id).with_for_update())
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            db.session.rollback()
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_reading_does_not_wait_for_the_writer(make_app, factory, path):
    person = factory.user()
    app = make_app(SQLITE_BUSY_TIMEOUT_SECONDS=5)
    with write_lock_held_elsewhere(path, 1.0) as released, app.app_context():
        assert db.session.get(User, person.id).email == person.email
        assert not released.is_set()
        db.session.rollback()


def test_a_writer_waits_at_most_the_busy_timeout(make_app, factory, path):
    person = factory.user()
    app = make_app(SQLITE_BUSY_TIMEOUT_SECONDS=0.3)
    with write_lock_held_elsewhere(path, 2.0), app.app_context():
        user = db.session.get(User, person.id)
        user.first_name = "Za późno"
        began = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            db.session.commit()
        assert 0.25 <= time.monotonic() - began < 1.5
        db.session.rollback()


def test_the_app_and_the_job_store_use_wal_and_the_busy_timeout(make_app):
    app = make_app(SQLITE_BUSY_TIMEOUT_SECONDS=7)
    scheduler = build_scheduler(app, BackgroundScheduler)
    store = scheduler._jobstores["default"].engine
    try:
        with app.app_context():
            engines = [db.engine, store]
            for engine in engines:
                with engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                    assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000
    finally:
        store.dispose()
