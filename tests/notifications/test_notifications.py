"""Reminders are never lost, never sent twice and never sent at night; people choose what they get."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from icalendar import Calendar
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import AssignmentStatus
from app.models import EmailOptOut
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.scheduling import jobs
from app.scheduling import reminders
from app.scheduling.scheduler import acquire_singleton_lock
from app.scheduling.scheduler import build_scheduler
from app.services.mail import MAX_ATTEMPTS
from app.services.mail import deliver_due
from app.services.mail import in_quiet_hours
from app.services.mail import queue_email
from tests.conftest import WARSAW
from tests.conftest import free_port
from tests.conftest import is_postgres

pytestmark = pytest.mark.clock

S = AssignmentStatus
ROOT = Path(__file__).resolve().parents[2]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("utc_time", "quiet"),
    [
        ("2026-03-28T06:59", True),  # 07:59 CET
        ("2026-03-28T07:00", False),  # 08:00 CET
        ("2026-03-29T05:59", True),  # 07:59 CEST, the day clocks go forward
        ("2026-03-29T06:00", False),  # 08:00 CEST
        ("2026-03-29T18:59", False),  # 20:59 CEST
        ("2026-03-29T19:00", True),  # 21:00 CEST
        ("2026-10-25T06:30", True),  # 07:30 CET, the day clocks go back
        ("2026-10-25T07:00", False),  # 08:00 CET
        ("2026-10-25T19:59", False),  # 20:59 CET
        ("2026-10-25T20:00", True),  # 21:00 CET
    ],
)
def test_quiet_hours_follow_warsaw_time_on_daylight_saving_days(utc_time, quiet):
    assert in_quiet_hours(at(utc_time)) is quiet


@pytest.fixture
def volunteer_on_a_shift(app, factory):
    museum = factory.institution("Muzeum")
    volunteer = factory.user(first_name="Ola")
    need = factory.need(
        museum,
        "Dyżur w muzeum",
        start=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=20),
    )
    assignment = factory.application(volunteer, need, status=S.ACCEPTED)
    return volunteer, need, assignment


def queued(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in where.items():
            query = query.where(getattr(OutboxMessage, key) == value)
        return list(db.session.scalars(query))


def test_shift_reminder_is_queued_once_however_often_the_job_runs(
    app, volunteer_on_a_shift, mailbox
):
    volunteer, need, assignment = volunteer_on_a_shift
    jobs.bind_app(app)
    now = datetime.now(UTC)
    for _ in range(3):
        jobs.run_job("shift_reminders", reminders.shift_reminders, now)
    messages = queued(app, kind="shift_reminder")
    assert [m.dedup_key for m in messages] == [
        f"shift-reminder:{assignment.id}:{assignment.shift_id}:24h"
    ]
    # Later, the 2-hour reminder comes as a second, different message.
    jobs.run_job("shift_reminders", reminders.shift_reminders, now + timedelta(hours=19))
    assert len(queued(app, kind="shift_reminder")) == 2

    mail = mailbox.wait_for(volunteer.email, count=2)
    first = mail[0]
    assert "Dyżur w muzeum" in first["Subject"]
    assert (
        first["List-Unsubscribe"].startswith("<http")
        and first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    ics = next(
        part for part in first.iter_attachments() if part.get_content_type() == "text/calendar"
    )
    event = next(iter(Calendar.from_ical(ics.get_content()).walk("VEVENT")))
    assert str(event["UID"]) == f"assignment-{assignment.id}@okik.example.org"
    assert event.decoded("DTSTART").tzinfo is not None
    assert str(event.decoded("DTSTART").tzinfo) == "Europe/Warsaw"


@pytest.mark.postgres
def test_a_job_running_twice_at_the_same_moment_queues_nothing_twice(app, volunteer_on_a_shift):
    jobs.bind_app(app)
    now = datetime.now(UTC)
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        jobs.run_job("shift_reminders", reminders.shift_reminders, now)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(queued(app, kind="shift_reminder")) == 1


def test_optional_mail_waits_for_the_morning_but_account_mail_does_not(app, factory):
    person = factory.user()
    with app.test_request_context():
        user = db.session.get(User, person.id)
        queue_email(user.email, "Konto", "confirm_email", user=user, confirm_url="x")
        queue_email(
            user.email,
            "Oferta",
            "confirm_email",
            kind="offer",
            recipient=user,
            user=user,
            confirm_url="x",
        )
        for message in db.session.scalars(select(OutboxMessage)):
            message.next_attempt_at = at("2026-10-24T00:00")
        db.session.commit()
        night = at("2026-10-25T21:30")  # 22:30 CET on the day clocks go back
        counts = deliver_due(night)
        assert counts["sent"] == 1
        assert [m.kind for m in queued(app, status=OutboxStatus.PENDING)] == ["offer"]
        deliver_due(at("2026-10-26T07:00"))  # 08:00 CET
        assert queued(app, status=OutboxStatus.PENDING) == []


@pytest.mark.own_contexts
def test_smtp_down_loses_nothing_and_mail_goes_out_when_it_returns(app, factory, mailbox, caplog):
    person = factory.user()
    real_port = app.config["MAIL_PORT"]
    with app.test_request_context():
        user = db.session.get(User, person.id)
        for n in range(3):
            queue_email(user.email, f"Wiadomość {n}", "confirm_email", user=user, confirm_url="x")
        db.session.commit()
        app.config["MAIL_PORT"] = free_port()  # nothing listens there
        try:
            now = datetime.now(UTC)
            with caplog.at_level(logging.WARNING):
                counts = deliver_due(now)
            assert counts == {
                "sent": 0,
                "retry": 1,
                "failed": 0,
                "skipped": 0,
            }  # stops at the first refusal
            assert "not sent" in caplog.text
            waiting = queued(app, status=OutboxStatus.PENDING)
            assert len(waiting) == 3 and waiting[0].attempts == 1
            assert waiting[0].next_attempt_at == now + timedelta(minutes=1)
        finally:
            app.config["MAIL_PORT"] = real_port
        deliver_due(datetime.now(UTC) + timedelta(minutes=2))
    subjects = sorted(m["Subject"] for m in mailbox.to(person.email))
    assert subjects == ["Wiadomość 0", "Wiadomość 1", "Wiadomość 2"]


def test_after_the_last_attempt_a_message_is_failed_and_an_administrator_can_retry_it(
    app, factory, client, auth, mailbox
):
    person = factory.user()
    admin = factory.user(Role.ADMIN)
    real_port = app.config["MAIL_PORT"]
    with app.test_request_context():
        user = db.session.get(User, person.id)
        queue_email(user.email, "Ważne", "confirm_email", user=user, confirm_url="x")
        db.session.commit()
        app.config["MAIL_PORT"] = free_port()
        try:
            now = datetime.now(UTC)
            for attempt in range(MAX_ATTEMPTS):
                deliver_due(now + timedelta(hours=7 * attempt))
        finally:
            app.config["MAIL_PORT"] = real_port
        failed = queued(app, status=OutboxStatus.FAILED)
        assert len(failed) == 1 and failed[0].attempts == MAX_ATTEMPTS
    auth.login(admin.email)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Ważne" in page
    assert client.post(f"/admin/outbox/{failed[0].id}/retry").status_code == 303
    assert mailbox.wait_for(person.email)[0]["Subject"] == "Ważne"


def test_a_crash_between_sending_and_marking_sent_repeats_only_that_one_message_with_its_id(
    app, factory, mailbox, client, auth
):
    person = factory.user()
    admin = factory.user(Role.ADMIN)
    with app.test_request_context():
        user = db.session.get(User, person.id)
        for n in range(5):
            queue_email(user.email, f"Nr {n}", "confirm_email", user=user, confirm_url="x")
        db.session.commit()

    class Crash(Exception):
        pass

    def crash_on_third(message):
        if message.subject == "Nr 2":
            raise Crash

    with app.app_context():
        with pytest.raises(Crash):
            deliver_due(crash_after_send=crash_on_third)
        db.session.rollback()
        db.session.remove()
    (in_flight,) = queued(app, status=OutboxStatus.SENDING)
    assert in_flight.subject == "Nr 2" and in_flight.message_id and in_flight.claimed_at
    # The administrators see it in flight, not "no failures".
    auth.login(admin.email)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "W trakcie wysyłki: 1." in page and in_flight.message_id.strip("<>") in page

    jobs.bind_app(app)
    jobs.recover_outbox()  # "after the restart": what a new scheduler does first
    with app.app_context():
        deliver_due()
    received = [m for m in mailbox._messages if m["To"] == person.email]
    assert sorted(m["Subject"] for m in received) == [
        "Nr 0",
        "Nr 1",
        "Nr 2",
        "Nr 2",
        "Nr 3",
        "Nr 4",
    ]
    first, again = (m for m in received if m["Subject"] == "Nr 2")
    assert first["Message-ID"] == again["Message-ID"] == in_flight.message_id
    assert len({m["Message-ID"] for m in received}) == 5  # mail clients show five messages
    assert queued(app, status=OutboxStatus.PENDING) == []
    assert queued(app, status=OutboxStatus.SENDING) == []
    (repeated,) = [m for m in queued(app) if m.repeats]
    assert (repeated.subject, repeated.repeats, repeated.status) == ("Nr 2", 1, OutboxStatus.SENT)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Wysłane ponownie po przerwanej wysyłce: 1." in page
    assert "W trakcie wysyłki: 0." in page and in_flight.message_id.strip("<>") in page


def test_a_message_in_flight_is_sent_again_only_after_the_claim_timeout(app, factory, mailbox):
    """A claim younger than OUTBOX_CLAIM_TIMEOUT_SECONDS may still be on its way: left alone."""
    person = factory.user()
    with app.test_request_context():
        user = db.session.get(User, person.id)
        queue_email(user.email, "W drodze", "confirm_email", user=user, confirm_url="x")
        db.session.commit()

    def stop(message):
        raise KeyboardInterrupt

    with app.app_context():
        with pytest.raises(KeyboardInterrupt):
            deliver_due(crash_after_send=stop)
        db.session.rollback()
        claimed_at = db.session.scalar(select(OutboxMessage.claimed_at))
        assert deliver_due(claimed_at + timedelta(minutes=4))["sent"] == 0
        assert deliver_due(claimed_at + timedelta(minutes=6))["sent"] == 1
    first, again = mailbox.to(person.email)
    assert first["Message-ID"] == again["Message-ID"]
    (message,) = queued(app)
    assert (message.status, message.repeats, message.attempts) == (OutboxStatus.SENT, 1, 1)


@pytest.mark.skipif(is_postgres(), reason="SQLite's one write lock is what is tested")
def test_database_locked_at_the_sent_mark_sends_once_and_marks_it_when_the_lock_is_gone(
    make_app, database_url, factory, mailbox, caplog
):
    """Another connection takes SQLite's exclusive lock the moment SMTP accepts the message and
    keeps it past the first tries to mark it sent; the mark lands once the lock is gone."""
    busy = make_app(SQLITE_BUSY_TIMEOUT_SECONDS=0.2, OUTBOX_RECORD_PAUSES=(0.2, 0.4, 0.8, 1.6))
    person = factory.user()
    with busy.test_request_context():
        user = db.session.get(User, person.id)
        queue_email(user.email, "Raz", "confirm_email", user=user, confirm_url="x")
        db.session.commit()
    holder = sqlite3.connect(
        make_url(database_url).database, isolation_level=None, check_same_thread=False
    )
    receive = mailbox.receive
    released = threading.Event()

    def accept_and_lock(envelope) -> None:
        receive(envelope)
        holder.execute("BEGIN EXCLUSIVE")  # nobody else may write from now on

        def release() -> None:
            holder.execute("ROLLBACK")
            released.set()

        threading.Timer(1.0, release).start()

    mailbox.receive = accept_and_lock
    try:
        jobs.bind_app(busy)
        with caplog.at_level(logging.INFO):
            jobs.run_job("deliver_outbox", deliver_due)  # as the scheduler runs it
        assert released.wait(5)
        mailbox.receive = receive
        jobs.run_job("deliver_outbox", deliver_due)  # the next run finds nothing to send
    finally:
        mailbox.receive = receive
        released.wait(5)
        holder.close()
    assert "would not record it (try 1: database is locked)" in caplog.text
    assert re.search(r"E-mail \d+ was sent: recorded at try [2-5]", caplog.text)
    assert len(mailbox.to(person.email)) == 1
    (message,) = queued(busy)
    assert (message.status, message.attempts, message.repeats) == (OutboxStatus.SENT, 1, 0)


def test_database_unavailable_makes_the_job_fail_and_log_and_the_next_run_catches_up(
    app, make_app, volunteer_on_a_shift, caplog
):
    broken = make_app(database="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    jobs.bind_app(broken)
    with caplog.at_level(logging.WARNING):
        assert jobs.run_job("shift_reminders", reminders.shift_reminders) is None
    assert "Job shift_reminders: the database is unavailable" in caplog.text
    jobs.bind_app(app)
    assert jobs.run_job("shift_reminders", reminders.shift_reminders) == 1


def test_people_turn_optional_mail_off_and_unsubscribe_with_one_click(
    app, client, auth, factory, volunteer_on_a_shift, mailbox
):
    volunteer, _need, _assignment = volunteer_on_a_shift
    auth.login(volunteer.email)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Przypomnienia przed zmianą" in page and "Konto: potwierdzenie adresu" in page
    kinds = [
        "application",
        "need_change",
        "offer",
        "digest",
        "hours",
        "korpus",
    ]  # all but reminders
    assert client.post("/account/notifications", data={"kinds": kinds}).status_code == 303
    jobs.bind_app(app)
    jobs.run_job("shift_reminders", reminders.shift_reminders)
    assert queued(app, kind="shift_reminder") == []
    # Turned back on, the reminder comes, and its link unsubscribes in one click without a session.
    client.post("/account/notifications", data={"kinds": [*kinds, "shift_reminder"]})
    jobs.run_job("shift_reminders", reminders.shift_reminders)
    message = mailbox.wait_for(volunteer.email)[0]
    link = message["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", "")
    anonymous = app.test_client()
    assert "Wypisz mnie" in anonymous.get(link).get_data(as_text=True)
    response = anonymous.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'value="shift_reminder" id="kind-shift_reminder">' in page  # unchecked now
    assert anonymous.get("/unsubscribe/forged-token").status_code == 404


def test_unknown_kinds_in_preferences_are_refused(client, auth, factory):
    auth.login(factory.user().email)
    assert client.post("/account/notifications", data={"kinds": ["account"]}).status_code == 400


def test_messages_are_in_the_recipients_language_with_warsaw_times(
    app, factory, volunteer_on_a_shift, mailbox
):
    volunteer, need, _assignment = volunteer_on_a_shift
    with app.app_context():
        db.session.get(User, volunteer.id).locale = "en"
        db.session.commit()
    jobs.bind_app(app)
    jobs.run_job("shift_reminders", reminders.shift_reminders)
    text = mailbox.text_of(mailbox.wait_for(volunteer.email)[0])
    assert text.startswith("Hello")
    local = need.shifts[0].starts_at.astimezone(reminders.WARSAW)
    assert local.strftime("%-I:%M %p").replace(" ", "\u202f") in text  # English format, Warsaw time


def test_offer_reminder_after_48_hours_and_expiry(app, factory):
    museum = factory.institution()
    volunteer = factory.user()
    need = factory.need(museum)
    offer = factory.application(volunteer, need, status=S.OFFERED)
    jobs.bind_app(app)
    later = datetime.now(UTC) + timedelta(hours=49)
    jobs.run_job("offer_reminders", reminders.offer_reminders, later)
    jobs.run_job("offer_reminders", reminders.offer_reminders, later)
    assert [m.dedup_key for m in queued(app, kind="offer")] == [f"offer-reminder:{offer.id}"]
    jobs.run_job(
        "expire_offers", reminders.expire_due_offers, datetime.now(UTC) + timedelta(hours=73)
    )
    assert any(m.subject == "Oferta wygasła" for m in queued(app, kind="offer"))


def test_morning_digests_for_coordinators_and_staff(app, factory):
    museum = factory.institution()
    coordinator = factory.user(Role.COORDINATOR)
    staff = factory.user(Role.STAFF, institution=museum)
    factory.staff_request(factory.user(), museum)
    factory.application(factory.user(), factory.need(museum))
    jobs.bind_app(app)
    eight = at("2026-11-26T07:00")
    jobs.run_job("coordinator_digests", reminders.coordinator_digests, eight)
    jobs.run_job("staff_digests", reminders.staff_digests, eight)
    jobs.run_job("staff_digests", reminders.staff_digests, eight)
    keys = sorted(m.dedup_key for m in queued(app, kind="digest"))
    assert keys == [
        f"digest:coordinator:{coordinator.id}:2026-11-26",
        f"digest:staff:{staff.id}:2026-11-26",
    ]


def test_staff_are_asked_to_confirm_hours_the_morning_after(app, factory):
    museum = factory.institution()
    staff = factory.user(Role.STAFF, institution=museum)
    # Yesterday in Warsaw, from 10:00 to 14:00: the job reads days on the Warsaw calendar.
    today = datetime.now(WARSAW).replace(hour=10, minute=0, second=0, microsecond=0)
    yesterday = today - timedelta(days=1)  # wall-clock arithmetic: 10:00 again
    need = factory.need(museum, start=yesterday.astimezone(UTC))
    factory.application(factory.user(), need, status=S.ACCEPTED)
    jobs.bind_app(app)
    jobs.run_job("hours_confirmation", reminders.hours_confirmation_requests)
    assert [m.to_address for m in queued(app, kind="hours")] == [staff.email]


def test_guardian_is_reminded_after_three_days_at_most_twice(app, factory):
    minor = factory.user()
    with app.app_context():
        profile = db.session.get(VolunteerProfile, minor.id)
        profile.guardian_email = "mama@example.org"
        profile.guardian_requested_at = datetime.now(UTC) - timedelta(days=2)
        db.session.commit()
    jobs.bind_app(app)
    now = datetime.now(UTC)
    jobs.run_job("guardian", reminders.guardian_reminders, now)
    assert queued(app, to_address="mama@example.org") == []
    for days in (1, 2, 5, 10, 30):
        jobs.run_job("guardian", reminders.guardian_reminders, now + timedelta(days=days))
    assert len(queued(app, to_address="mama@example.org")) == 2


@pytest.fixture
def neighbour_scheduler():
    """Another process holds the scheduler lock in the checkout's instance folder, as the
    scheduler of a `make run` in the same checkout does."""
    folder = ROOT / "instance"
    made = not folder.exists()
    folder.mkdir(exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys\n"
            "f = open(sys.argv[1], 'w')\n"
            "try:\n"
            "    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
            "except BlockingIOError:\n"
            "    pass  # a real scheduler holds it already: just as good\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n",
            str(folder / "scheduler.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
        if made:
            shutil.rmtree(folder, ignore_errors=True)


def test_the_suite_keeps_its_files_out_of_the_checkout(app):
    instance = Path(app.instance_path)
    assert not instance.is_relative_to(ROOT)
    assert Path(app.config["CACHE_DIR"]).is_relative_to(instance)
    assert os.environ["INSTANCE_PATH"] == str(instance)


def test_only_one_scheduler_holds_the_lock(app, neighbour_scheduler):
    first = acquire_singleton_lock(app)
    assert first is not None
    try:
        assert acquire_singleton_lock(app) is None
    finally:
        first.release()
    again = acquire_singleton_lock(app)
    assert again is not None
    again.release()


def test_jobs_are_kept_in_the_database_and_survive_a_restart(app):
    scheduler = build_scheduler(app, BackgroundScheduler)
    jobs.register_jobs(scheduler)
    scheduler.start(paused=True)
    scheduler.shutdown()
    scheduler._jobstores["default"].engine.dispose()
    with app.app_context():
        stored = (
            db.session.execute(db.text("SELECT id FROM scheduler_job ORDER BY id")).scalars().all()
        )
    assert "deliver_outbox" in stored and "morning_digests" in stored
    restarted = build_scheduler(app, BackgroundScheduler)
    restarted.start(paused=True)
    try:
        assert {j.id for j in restarted.get_jobs()} >= {
            "deliver_outbox",
            "shift_reminders",
            "morning_digests",
        }
        digest = restarted.get_job("morning_digests")
        assert str(digest.trigger.timezone) == "Europe/Warsaw"
    finally:
        restarted.shutdown()
        restarted._jobstores["default"].engine.dispose()


def test_outbox_counts_one_message_per_recipient(app, factory, mailbox):
    people = [factory.user() for _ in range(3)]
    with app.test_request_context():
        for p in people:
            queue_email(
                p.email,
                "Każdy osobno",
                "confirm_email",
                user=db.session.get(User, p.id),
                confirm_url="x",
            )
        db.session.commit()
    assert all(len(e.rcpt_tos) == 1 for e in mailbox.envelopes)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


@pytest.mark.own_contexts
def test_mail_turned_off_after_it_was_queued_is_not_sent(app, factory, mailbox, time_machine):
    time_machine.move_to(at("2026-11-30T09:00"), tick=False)  # 10:00 in Warsaw: not quiet hours
    person = factory.user()
    with app.test_request_context():
        user = db.session.get(User, person.id)
        queue_email(
            user.email,
            "Oferta",
            "confirm_email",
            kind="offer",
            recipient=user,
            user=user,
            confirm_url="x",
        )
        db.session.add(EmailOptOut(user_id=user.id, kind="offer"))
        db.session.commit()
        assert deliver_due(at("2026-11-30T10:00"))["skipped"] == 1
    assert mailbox.to(person.email) == []


def test_an_e_mail_is_written_or_lost_with_the_change_that_caused_it(app, factory):
    """The outbox row shares the transaction: a rolled-back change leaves no message behind."""
    person = factory.user()
    with app.test_request_context():
        user = db.session.get(User, person.id)
        user.first_name = "Zmienione"
        queue_email(user.email, "Razem ze zmianą", "confirm_email", user=user, confirm_url="x")
        db.session.rollback()
    assert queued(app) == []
    with app.app_context():
        assert db.session.get(User, person.id).first_name != "Zmienione"


def test_staff_are_reminded_on_day_25_of_an_engagement_without_a_signed_agreement(app, factory):
    museum = factory.institution()
    staff = factory.user(Role.STAFF, institution=museum)
    volunteer = factory.user()
    first = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(
        days=24
    )
    need = factory.need(museum, "Długi projekt", kind="long_term", start=first, shifts=8, places=1)
    for week in range(8):
        factory.application(volunteer, need, shift_index=week, status=S.ACCEPTED)
    jobs.bind_app(app)
    jobs.run_job("agreements", reminders.agreement_reminders, first + timedelta(days=20))
    assert queued(app, kind="legal") == []  # day 21: too early
    jobs.run_job("agreements", reminders.agreement_reminders)  # day 25
    jobs.run_job("agreements", reminders.agreement_reminders)
    assert [m.to_address for m in queued(app, kind="legal")] == [staff.email]


def test_korpus_volunteers_get_last_months_summary_once(app, factory):
    from app.models import HoursEntry
    from app.models import HoursSource
    from app.models import HoursStatus

    museum = factory.institution()
    volunteer = factory.user()
    with app.app_context():
        db.session.get(VolunteerProfile, volunteer.id).is_korpus = True
        db.session.get(VolunteerProfile, volunteer.id).date_of_birth = datetime(2000, 1, 1).date()
        db.session.add(
            HoursEntry(
                volunteer_id=volunteer.id,
                institution_id=museum.id,
                worked_on=datetime(2026, 10, 15).date(),
                hours=17,
                source=HoursSource.SELF_LOG,
                status=HoursStatus.CONFIRMED,
            )
        )
        db.session.commit()
    jobs.bind_app(app)
    first_of_november = at("2026-11-01T08:30")
    jobs.run_job("korpus", reminders.korpus_summaries, first_of_november)
    jobs.run_job("korpus", reminders.korpus_summaries, first_of_november)
    messages = queued(app, kind="korpus")
    assert [m.dedup_key for m in messages] == [f"korpus-summary:{volunteer.id}:2026-10"]
    assert "17" in messages[0].body_text and "16" in messages[0].body_text
