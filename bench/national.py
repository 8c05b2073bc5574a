"""A coalition at national scale in PostgreSQL, written with COPY, for the load benchmarks.

    .venv/bin/python -m bench.national [--database-url URL] [--volunteers 100000]
        [--institutions 5000] [--needs 20000] [--past-assignments 1000000] [--no-finished-run]

By default: 100,000 volunteers, 5,000 institutions (one staff member each), 20,000 open needs with
ten past weekly shifts and three ahead (in the day, Warsaw time), 1,000,000 past assignments on
the past shifts, a place taken ahead on every other shift, and one finished matching run with its
proposals waiting for a coordinator (`bench.web` reviews it; `--no-finished-run` leaves it out,
as `bench.matching_run` does, which starts a real one).

The volunteers are matchable as real ones are (see `bench.people`): consents, confirmed
addresses, guardians' consent for the minors, child-protection checks, skills at levels, weekly
windows, absences, monthly limits against the hours already taken this month, and earlier
declined or expired offers. About 97% of them may be proposed.

The schema comes from the migrations, as in production. The database named in the URL is dropped
and created again: never point it at real data.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess  # noqa: S404 - runs our own `flask db upgrade`
import sys
import time
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

from bench import people as cohort
from bench.copying import COLUMNS
from bench.copying import bulk_copy
from bench.needs_search import KINDS
from bench.needs_search import PLACES
from bench.needs_search import WORDS

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/okik_national"
PASSWORD = "Benchmark-haslo-2026!"  # noqa: S105 - throwaway accounts in a throwaway database
ROOT = Path(__file__).resolve().parent.parent
WARSAW = ZoneInfo("Europe/Warsaw")

PAST_SHIFTS_PER_NEED = 10
SHIFTS_AHEAD_PER_NEED = 3
ASSIGNMENT_STATUSES = ["completed"] * 17 + ["no_show", "cancelled", "rejected"]
# Multiplying by a number coprime to the volunteer count spreads people evenly over shifts.
SPREAD = 7919
# Earlier offers a volunteer said no to (or let expire): the matcher leaves that need out for them.
DECLINED_SHARE = 0.04
EXPIRED_SHARE = 0.01
# The accounts the benchmarks sign in as stay plain confirmed adults.
BENCH_VOLUNTEER = 1


@dataclass
class World:
    """What the load driver needs to know about the data it is about to request."""

    volunteers: int
    institutions: int
    needs: int
    shifts: int
    past_assignments: int
    proposals: int
    seconds: float
    volunteer_email: str
    coordinator_email: str
    staff_email: str
    run_id: int | None
    skill_ids: list[int]
    # Volunteers a run may propose (confirmed, consenting, minors with the guardian's consent).
    considered_volunteers: int = 0


def recreate_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def migrate(url: str) -> None:
    env = {"DATABASE_URL": url, "APP_ENV": "development", "PATH": "/usr/bin:/bin"}
    flask = Path(sys.executable).with_name("flask")
    subprocess.run(  # noqa: S603 - fixed arguments
        [str(flask), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def _psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def load(
    url: str,
    volunteers: int = 100_000,
    institutions: int = 5_000,
    needs: int = 20_000,
    past_assignments: int = 1_000_000,
    seed: int = 11,
    finished_run: bool = True,
) -> World:
    from app.core.text import fold
    from app.services.passwords import hash_password

    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    today = now.astimezone(WARSAW).date()
    recreate_database(url)
    migrate(url)
    password_hash = hash_password(PASSWORD)
    staff_first = volunteers + 1
    coordinator_id = volunteers + institutions + 1
    who = cohort.draw(volunteers, now, seed + 1, keep=frozenset({BENCH_VOLUNTEER}))
    registered = cohort.registered_at(now)

    with psycopg.connect(_psycopg_url(url)) as conn:
        conn.execute("SET synchronous_commit = off")
        kinds = ["museum", "library", "theatre", "gallery", "archive", "ngo"]
        bulk_copy(
            conn,
            "institution",
            [
                "id",
                "name",
                "short_name",
                "slug",
                "kind",
                "is_founder",
                "is_active",
                "description",
                "address",
                "contact_email",
                "contact_phone",
                "website",
                "joined_at",
                "staff_approve_proposals",
            ],
            (
                (
                    i,
                    f"Instytucja kultury nr {i}",
                    f"IK{i}",
                    f"instytucja-{i}",
                    kinds[i % len(kinds)],
                    i <= 5,
                    True,
                    "Instytucja członkowska koalicji.",
                    f"ul. Kulturalna {i % 200 + 1}, Opole",
                    f"kontakt{i}@example.org",
                    "",
                    "",
                    now,
                    False,
                )
                for i in range(1, institutions + 1)
            ),
        )
        skill_ids = []
        for g in range(6):
            conn.execute(
                "INSERT INTO skill_group (id, code, name_pl, name_en, position) "
                "VALUES (%s, %s, %s, %s, %s)",
                (g + 1, f"g{g}", f"Grupa {g}", f"Group {g}", g),
            )
            for s in range(5):
                sid = g * 5 + s + 1
                name = WORDS[(g * 5 + s) % len(WORDS)].capitalize()
                conn.execute(
                    "INSERT INTO skill (id, code, group_id, name_pl, name_en, position) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (sid, f"s{g}-{s}", g + 1, f"{name} {g}{s}", f"Skill {g}{s}", s),
                )
                skill_ids.append(sid)

        def user_rows():
            for v in range(1, volunteers + 1):
                yield (v, f"wolontariusz{v}@example.org", "volunteer", "Jan", f"Testowy{v}")
            for i in range(institutions):
                yield (staff_first + i, f"kadra{i + 1}@example.org", "staff", "Ewa", f"Kadrowa{i}")
            yield (coordinator_id, "koordynacja@example.org", "coordinator", "Olga", "Koordynator")

        bulk_copy(
            conn,
            "user",
            COLUMNS["user"],
            (
                (
                    uid,
                    email,
                    role,
                    first,
                    last,
                    "pl",
                    None if uid in who.unconfirmed else registered,
                    registered,
                    registered,
                    password_hash,
                    True,
                    f"t{uid:012d}",
                )
                for uid, email, role, first, last in user_rows()
            ),
        )
        bulk_copy(
            conn,
            "staff_membership",
            ["user_id", "institution_id", "position", "created_at"],
            (
                (staff_first + i, i + 1, "Koordynatorka wolontariatu", now)
                for i in range(institutions)
            ),
        )
        cohort.copy_people(conn, who, skill_ids, institutions, coordinator_id, now, seed + 2)

        per_need = PAST_SHIFTS_PER_NEED + SHIFTS_AHEAD_PER_NEED
        need_rows, shift_rows, need_skill_rows = [], [], []
        for n in range(1, needs + 1):
            inst = rng.randint(1, institutions)
            title = " ".join(rng.sample(WORDS, 3)).capitalize()
            description = " ".join(rng.choices(WORDS, k=25))
            place = rng.choice(PLACES)
            chosen = rng.sample(skill_ids, rng.randint(0, 3))
            if not chosen and n % 100:
                # Needs ask for a skill, but a few (one in four hundred) are open to anyone.
                chosen = [skill_ids[n % len(skill_ids)]]
            need_rows.append(
                (
                    n,
                    inst,
                    title,
                    description,
                    rng.choice(KINDS),
                    "published",
                    place,
                    rng.choice([0, 0, 16, 18]),
                    n % 7 == 0,
                    n % 3 == 0,
                    "",
                    n % 4 == 0,
                    True,
                    n % 5 == 0,
                    "Koordynatorka",
                    "koordynacja@example.org",
                    now,
                    now,
                    now,
                    fold(f"{title} {description} {place} Instytucja kultury nr {inst} IK{inst}"),
                )
            )
            for index, skill_id in enumerate(chosen):
                # The first two are required, a third is welcome.
                need_skill_rows.append((n, skill_id, 1 + (n + index) % 3, index < 2))
            # Weekly, in the day in Warsaw (8:00 to 19:30 starts, two to four hours), the
            # first one ahead within a week.
            drawn = rng.randrange(24, 24 * 7)
            first_day = today + timedelta(days=drawn // 24)
            starts_at = clock(8 + drawn % 12, 30 if n % 5 == 1 else 0)
            length = timedelta(hours=2 + n % 3)
            for k in range(per_need):
                day = first_day + timedelta(days=7 * (k - PAST_SHIFTS_PER_NEED))
                start = datetime.combine(day, starts_at, WARSAW).astimezone(UTC)
                shift_rows.append(
                    (
                        (n - 1) * per_need + k + 1,
                        n,
                        start,
                        start + length,
                        2 + (n + k) % 4,
                        0,
                        False,
                    )
                )
        bulk_copy(
            conn,
            "need",
            COLUMNS["need"],
            need_rows,
        )
        bulk_copy(conn, "need_skill", COLUMNS["need_skill"], need_skill_rows)

        # Places taken ahead: the bench volunteer has three, every other shift has one.
        accepted: dict[int, list[int]] = {}
        for n in range(1, needs + 1):
            for k in range(PAST_SHIFTS_PER_NEED, per_need):
                sid = (n - 1) * per_need + k + 1
                if sid % 2 == 0:
                    accepted[sid] = [(sid * SPREAD) % volunteers + 2]
        for n in (1, 2, 3):
            sid = (n - 1) * per_need + PAST_SHIFTS_PER_NEED + 1
            accepted.setdefault(sid, []).append(1)
        shift_rows = [row[:5] + (len(accepted.get(row[0], ())),) + row[6:] for row in shift_rows]
        bulk_copy(
            conn,
            "shift",
            COLUMNS["shift"],
            shift_rows,
        )
        shift_start = {row[0]: row[2] for row in shift_rows}
        del shift_rows, need_rows

        past_shift_ids = [
            (n - 1) * per_need + k + 1
            for n in range(1, needs + 1)
            for k in range(PAST_SHIFTS_PER_NEED)
        ]
        per_shift = -(-past_assignments // len(past_shift_ids))

        def past_rows():
            written = 0
            for sid in past_shift_ids:
                need_id = (sid - 1) // per_need + 1
                created = shift_start[sid] - timedelta(days=5)
                for j in range(per_shift):
                    if written == past_assignments:
                        return
                    written += 1
                    volunteer = ((sid * per_shift + j) * SPREAD) % volunteers + 1
                    status = ASSIGNMENT_STATUSES[(sid + j) % len(ASSIGNMENT_STATUSES)]
                    yield (
                        volunteer,
                        sid,
                        need_id,
                        status,
                        "application",
                        "",
                        None,
                        Jsonb([]),
                        None,
                        "",
                        None,
                        created,
                        shift_start[sid],
                        None,
                        None,
                    )

        def ahead_rows():
            for sid, people in accepted.items():
                for volunteer in people:
                    need_id = (sid - 1) // per_need + 1
                    yield (
                        volunteer,
                        sid,
                        need_id,
                        "accepted",
                        "application",
                        "",
                        None,
                        Jsonb([]),
                        None,
                        "",
                        None,
                        now,
                        now,
                        None,
                        None,
                    )

        columns = [
            "volunteer_id",
            "shift_id",
            "need_id",
            "status",
            "source",
            "message",
            "score",
            "reasons",
            "match_run_id",
            "decision_note",
            "decided_by_id",
            "created_at",
            "updated_at",
            "offered_at",
            "expires_at",
        ]
        written = bulk_copy(conn, "assignment", columns, past_rows())
        bulk_copy(conn, "assignment", columns, ahead_rows())

        def answered_rows():
            """Offers from earlier runs that the volunteer declined or let expire."""
            answers = random.Random(seed + 3)
            for volunteer in range(1, volunteers + 1):
                roll = answers.random()
                if volunteer == BENCH_VOLUNTEER or roll >= DECLINED_SHARE + EXPIRED_SHARE:
                    continue
                need_id = answers.randint(1, needs)
                sid = (need_id - 1) * per_need + PAST_SHIFTS_PER_NEED + 1
                offered = now - timedelta(days=answers.randint(2, 20))
                yield (
                    volunteer,
                    sid,
                    need_id,
                    "declined" if roll < DECLINED_SHARE else "expired",
                    "matching",
                    "",
                    60,
                    Jsonb([]),
                    None,
                    "",
                    coordinator_id,
                    offered - timedelta(days=1),
                    offered + timedelta(days=1),
                    offered,
                    offered + timedelta(days=3),
                )

        bulk_copy(conn, "assignment", columns, answered_rows())

        # A coalition-wide matching run, finished, its proposals waiting for approval.
        run_id = 1 if finished_run else None
        proposals = []
        diagnostics = []
        for n in range(1, needs + 1 if finished_run else 1):
            sid = (n - 1) * per_need + PAST_SHIFTS_PER_NEED + 2
            if n % 4 == 0:
                diagnostics.append(
                    {
                        "place_id": sid,
                        "need_id": n,
                        "places_left": 2,
                        "proposed": 0,
                        "code": "too_few_candidates",
                        "params": {"count": n % 3},
                    }
                )
                continue
            volunteer = ((sid * 3 + 1) * SPREAD) % volunteers + 1
            reasons = [
                {
                    "code": "skill_level",
                    "params": {
                        "skill_id": skill_ids[n % len(skill_ids)],
                        "level": 2,
                        "min_level": 1,
                    },
                    "points": 40,
                },
                {
                    "code": "preferred_institution",
                    "params": {"institution_id": 1 + n % institutions},
                    "points": 10,
                },
            ]
            proposals.append(
                (
                    volunteer,
                    sid,
                    n,
                    "proposed",
                    "matching",
                    "",
                    50 + n % 50,
                    Jsonb(reasons),
                    run_id,
                    "",
                    None,
                    now,
                    now,
                    None,
                    None,
                )
            )
        stats = {
            "volunteers": volunteers,
            "places": needs,
            "needs": needs,
            "pairs": 0,
            "proposals": len(proposals),
            "needs_with_proposal": len(proposals),
            "objective": 0,
            "score_total": 0,
            "seconds_total": 0.0,
            "superseded": 0,
        }
        if finished_run:
            conn.execute(
                "INSERT INTO match_run (id, created_by_id, created_at, finished_at, status, stage, "
                "params, stats, diagnostics, error) "
                "VALUES (%s, %s, %s, %s, 'done', '', %s, %s, %s, '')",
                (run_id, coordinator_id, now, now, Jsonb({}), Jsonb(stats), Jsonb(diagnostics)),
            )
            bulk_copy(conn, "assignment", columns, proposals)

        for table in (
            "user",
            "institution",
            "need",
            "shift",
            "need_skill",
            "assignment",
            "staff_membership",
            "volunteer_skill",
            "availability_window",
            "match_run",
            "skill",
            "skill_group",
            "consent",
            "child_protection_check",
            "volunteer_absence",
        ):
            # An empty table keeps its sequence at 1 (setval refuses 0).
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"), (SELECT count(*) > 0 FROM "{table}"))'
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")

    return World(
        volunteers=volunteers,
        institutions=institutions,
        needs=needs,
        shifts=needs * per_need,
        past_assignments=written,
        proposals=len(proposals),
        seconds=round(time.perf_counter() - started, 1),
        volunteer_email="wolontariusz1@example.org",
        coordinator_email="koordynacja@example.org",
        staff_email="kadra1@example.org",
        run_id=run_id,
        skill_ids=skill_ids,
        considered_volunteers=who.considered(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--institutions", type=int, default=5_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--past-assignments", type=int, default=1_000_000)
    parser.add_argument(
        "--no-finished-run",
        dest="finished_run",
        action="store_false",
        help="leave out the finished run with its proposals that bench.web reviews",
    )
    args = parser.parse_args(argv)
    world = load(
        args.database_url,
        args.volunteers,
        args.institutions,
        args.needs,
        args.past_assignments,
        finished_run=args.finished_run,
    )
    print(json.dumps({"data": asdict(world)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
