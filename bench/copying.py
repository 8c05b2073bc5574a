"""What the benchmarks share: COPY into a table, a database made on demand, and the column lists
of the tables several of them fill (kept here so a new column is added once)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import time as clock

import psycopg
from sqlalchemy.engine import make_url

from app.volunteers.data_rights import ACCOUNT_FIELDS
from app.volunteers.data_rights import PROFILE_FIELDS

COLUMNS: dict[str, list[str]] = {
    # The person's own columns come from the data export's lists, then what the export leaves out.
    "user": [*ACCOUNT_FIELDS, "password_hash", "is_active_account", "session_token"],
    "volunteer_profile": ["user_id", *PROFILE_FIELDS, "feed_token"],
    "volunteer_skill": ["user_id", "skill_id", "level"],
    "availability_window": ["user_id", "weekday", "start_time", "end_time"],
    "need": [
        "id",
        "institution_id",
        "title",
        "description",
        "kind",
        "status",
        "place",
        "min_age",
        "works_with_children",
        "is_accessible",
        "accessibility_note",
        "offers_training",
        "offers_certificate",
        "offers_reimbursement",
        "contact_name",
        "contact_email",
        "created_at",
        "updated_at",
        "published_at",
        "search_text",
    ],
    "need_skill": ["need_id", "skill_id", "min_level", "is_required"],
    "shift": ["id", "need_id", "starts_at", "ends_at", "places", "accepted_count", "is_cancelled"],
}


def bulk_copy(
    conn: psycopg.Connection, table: str, columns: list[str], rows: Iterable[tuple]
) -> int:
    count = 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{parsed.database}"')


def copy_volunteer_details(
    conn: psycopg.Connection, user_ids: range, skill_ids: list[int], now: datetime
) -> None:
    """Profiles, two skills and two weekly availability windows for each of `user_ids`, varied
    by the id so that filters and matching have something to tell apart."""
    bulk_copy(
        conn,
        "volunteer_profile",
        COLUMNS["volunteer_profile"],
        (
            (
                uid,
                date(1970 + uid % 40, 1 + uid % 12, 1 + uid % 28),
                "",
                "Opole",
                "",
                "",
                "",
                20,
                uid % 5 == 0,
                False,
                "",
                "",
                "",
                now,
                None,
                None,
                False,
                f"feed{uid:020d}",
            )
            for uid in user_ids
        ),
    )
    bulk_copy(
        conn,
        "volunteer_skill",
        COLUMNS["volunteer_skill"],
        (
            (uid, skill_ids[(uid + k * 7) % len(skill_ids)], 1 + (uid + k) % 3)
            for uid in user_ids
            for k in range(2)
        ),
    )
    bulk_copy(
        conn,
        "availability_window",
        COLUMNS["availability_window"],
        (
            (uid, (uid + k * 3) % 7, clock(9 + k * 4), clock(13 + k * 5))
            for uid in user_ids
            for k in range(2)
        ),
    )
