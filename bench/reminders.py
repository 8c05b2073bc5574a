"""Benchmark of reminders: queueing and delivering, and the due-reminder query at scale.

    .venv/bin/python -m bench.reminders [--database-url URL] [--messages 10000] [--assignments 1000000]

1. Queues shift reminders for N accepted volunteers whose shifts start within 24 hours (the real
   job function), then delivers them all to a local SMTP server (aiosmtpd on 127.0.0.1), and
   prints messages per second for each step.
2. Fills the assignment table to the given size (bulk COPY, mostly past shifts), then times the
   due-reminder query and prints its EXPLAIN, which should show index scans, not a full scan.

The database named in the URL is emptied and refilled: never point it at real data.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import psycopg
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.copying import bulk_copy
from bench.copying import ensure_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/okik_bench_reminders"


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(url: str, volunteers: int, upcoming: int, assignments: int) -> None:
    """Volunteers, one institution and need, shifts (the upcoming ones within 24 h) and assignments."""
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    now = datetime.now(UTC)
    with psycopg.connect(raw) as conn:
        bulk_copy(
            conn,
            "user",
            [
                "id",
                "email",
                "password_hash",
                "role",
                "first_name",
                "last_name",
                "locale",
                "is_active_account",
                "email_confirmed_at",
                "created_at",
                "password_changed_at",
                "session_token",
            ],
            (
                (
                    i,
                    f"w{i}@example.org",
                    "x",
                    "volunteer",
                    "Wolontariusz",
                    f"Nr {i}",
                    "pl",
                    True,
                    now,
                    now,
                    now,
                    f"t{i}",
                )
                for i in range(1, volunteers + 1)
            ),
        )
        conn.execute(
            "INSERT INTO institution (id, name, short_name, slug, kind, is_founder, is_active, description, address,"
            " contact_email, contact_phone, website, joined_at, staff_approve_proposals)"
            " VALUES (1, 'Muzeum', 'M', 'm', 'museum', true, true, '', '', '', '', '', now(), false)"
        )
        conn.execute(
            "INSERT INTO need (id, institution_id, title, description, kind, status, place, min_age,"
            " works_with_children, is_accessible, accessibility_note, offers_training, offers_certificate,"
            " offers_reimbursement, contact_name, contact_email, created_at, updated_at, search_text)"
            " VALUES (1, 1, 'Dyżur', '', 'recurring', 'published', 'Opole', 0, false, true, '', false, true, false,"
            " '', '', now(), now(), 'dyzur')"
        )
        shifts = max(upcoming, assignments // 5)

        # The first `upcoming` shifts start within the next 24 hours; the rest lie in the past year.
        def shift_rows():
            for i in range(1, shifts + 1):
                if i <= upcoming:
                    start = now + timedelta(hours=1) + timedelta(seconds=(i * 7) % 80000)
                else:
                    start = now - timedelta(days=1 + i % 365, hours=i % 12)
                yield (i, 1, start, start + timedelta(hours=4), 10, 0, False)

        bulk_copy(
            conn,
            "shift",
            ["id", "need_id", "starts_at", "ends_at", "places", "accepted_count", "is_cancelled"],
            shift_rows(),
        )

        def assignment_rows():
            for i in range(1, assignments + 1):
                if i <= upcoming:
                    shift, status = i, "accepted"
                else:
                    shift, status = (
                        upcoming + 1 + (i % (shifts - upcoming)),
                        ("completed" if i % 4 else "withdrawn"),
                    )
                yield (
                    i,
                    1 + (i % volunteers),
                    shift,
                    1,
                    status,
                    "application",
                    "",
                    "[]",
                    "",
                    now,
                    now,
                )

        bulk_copy(
            conn,
            "assignment",
            [
                "id",
                "volunteer_id",
                "shift_id",
                "need_id",
                "status",
                "source",
                "message",
                "reasons",
                "decision_note",
                "created_at",
                "updated_at",
            ],
            assignment_rows(),
        )
        for table in ("user", "shift", "assignment", "institution", "need"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
            )
        conn.execute("ANALYZE")
        conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    args = parser.parse_args()

    from app import create_app
    from app.core.schema import build_from_migrations
    from app.extensions import db
    from app.scheduling.reminders import shift_reminders
    from app.services.mail import deliver_due
    from config import TestConfig

    ensure_database(args.database_url)
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    config = type(
        "BenchConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "SHIFT_REMINDER_HOURS": (24,),
        },
    )
    app = create_app(config)
    with app.app_context():
        build_from_migrations()
    started = time.perf_counter()
    fill(
        args.database_url,
        volunteers=max(args.messages, 100_000),
        upcoming=args.messages,
        assignments=args.assignments,
    )
    seconds_fill = time.perf_counter() - started

    with app.app_context():
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        queued = shift_reminders(now)
        db.session.commit()
        seconds_queue = time.perf_counter() - t0
        t0 = time.perf_counter()
        counts = deliver_due(datetime.now(UTC), limit=args.messages + 10)
        seconds_deliver = time.perf_counter() - t0
    controller.stop()

    with app.app_context():
        # The same selection as app.scheduling.reminders.shift_reminders makes for one lead time.
        sql = (
            "SELECT assignment.id FROM assignment JOIN shift ON shift.id = assignment.shift_id"
            " WHERE assignment.status = 'accepted' AND shift.starts_at > :window_start"
            " AND shift.starts_at <= :window_end AND shift.is_cancelled IS false"
        )
        due = text(sql)
        params = {
            "window_start": datetime.now(UTC) + timedelta(hours=2),
            "window_end": datetime.now(UTC) + timedelta(hours=24),
        }
        timings = []
        for _ in range(20):
            t0 = time.perf_counter()
            rows = db.session.execute(due, params).all()
            timings.append((time.perf_counter() - t0) * 1000)
        plan = db.session.execute(text("EXPLAIN " + sql), params).scalars().all()
        total = db.session.scalar(text("SELECT count(*) FROM assignment"))

    print(
        json.dumps(
            {
                "benchmark": "reminders_queue_and_deliver",
                "messages": args.messages,
                "queued": queued,
                "sent": counts["sent"],
                "received_by_smtp": handler.count,
                "queue_per_second": round(queued / seconds_queue, 1),
                "deliver_per_second": round(counts["sent"] / seconds_deliver, 1),
                "seconds_queue": round(seconds_queue, 2),
                "seconds_deliver": round(seconds_deliver, 2),
                "seconds_fill": round(seconds_fill, 1),
            },
            ensure_ascii=False,
        )
    )
    print(
        json.dumps(
            {
                "benchmark": "due_reminder_query",
                "assignments": total,
                "rows": len(rows),
                "median_ms": round(statistics.median(timings), 2),
                "max_ms": round(max(timings), 2),
                "uses_index": any("Index" in line for line in plan)
                and not any("Seq Scan on assignment" in line for line in plan),
            },
            ensure_ascii=False,
        )
    )
    print("EXPLAIN:")
    print("\n".join(plan))


if __name__ == "__main__":
    main()
