"""Benchmark of the coalition report queries on PostgreSQL.

    .venv/bin/python -m bench.reports [--database-url URL] [--volunteers 100000]
        [--institutions 200] [--hours 1000000] [--repeat 5]

Loads a coalition with COPY: volunteers whose accounts were created over three years, each with
a home institution (a third of them also serve at one or two others), a million confirmed
HoursEntry rows spread over 36 months, and published needs with shifts for the fill rate. Then it
times each report query (the coalition dashboard over 12 months, and one institution's report)
and prints one JSON line per report with the median of `--repeat` runs in milliseconds.
Target: each report under 500 ms.

The database named in the URL is emptied and refilled: never point it at real data.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import text

from bench.copying import COLUMNS
from bench.copying import bulk_copy
from bench.copying import ensure_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/okik_bench_reports"
TODAY = date(2026, 11, 15)


def load(app, volunteers: int, institutions: int, hours: int, seed: int = 11) -> dict:
    """Empty the database and fill it; returns the slug of a busy institution."""
    from app.core.schema import build_from_migrations
    from app.extensions import db
    from app.models import Institution
    from app.models import InstitutionKind

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    with app.app_context():
        build_from_migrations()
        for n in range(institutions):
            db.session.add(
                Institution(
                    name=f"Instytucja kultury nr {n:03d}",
                    short_name=f"IK{n}",
                    slug=f"instytucja-{n}",
                    kind=list(InstitutionKind)[n % len(InstitutionKind)],
                    contact_email=f"kontakt{n}@example.org",
                )
            )
        db.session.commit()
        inst_ids = list(db.session.scalars(text("SELECT id FROM institution ORDER BY id")))
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            three_years = 3 * 365 * 24 * 3600
            bulk_copy(
                conn,
                "user",
                COLUMNS["user"],
                (
                    (
                        1 + v,
                        f"wolontariusz{v}@example.org",
                        "volunteer",
                        "Jan",
                        f"Testowy{v}",
                        "pl",
                        now,
                        now - timedelta(seconds=rng.randrange(three_years)),
                        now,
                        "x",
                        True,
                        f"t{v:012d}",
                    )
                    for v in range(volunteers)
                ),
            )
            # Each volunteer: a home institution (skewed, some institutions are busier), and a
            # third of them one or two more.
            places = []
            for _v in range(volunteers):
                home = inst_ids[min(int(rng.expovariate(1 / 40)), len(inst_ids) - 1)]
                extra = rng.random()
                mine = [home]
                if extra < 0.33:
                    mine.append(rng.choice(inst_ids))
                if extra < 0.10:
                    mine.append(rng.choice(inst_ids))
                places.append(mine)
            first_day = TODAY - timedelta(days=36 * 30)
            span = (TODAY - first_day).days

            def entries():
                for n in range(hours):
                    v = n % volunteers
                    mine = places[v]
                    yield (
                        n + 1,
                        1 + v,
                        mine[0] if rng.random() < 0.7 else rng.choice(mine),
                        first_day + timedelta(days=rng.randrange(span)),
                        rng.choice((2, 3, 4, 4, 5, 6)),
                        "",
                        "shift",
                        "confirmed",
                        "",
                        now,
                        now,
                    )

            bulk_copy(
                conn,
                "hours_entry",
                [
                    "id",
                    "volunteer_id",
                    "institution_id",
                    "worked_on",
                    "hours",
                    "description",
                    "source",
                    "status",
                    "correction_note",
                    "created_at",
                    "updated_at",
                ],
                entries(),
            )
            needs = 20 * institutions * 5
            need_rows, shift_rows = [], []
            for n in range(1, needs + 1):
                need_rows.append(
                    (
                        n,
                        inst_ids[n % len(inst_ids)],
                        f"Potrzeba {n}",
                        "",
                        "one_off",
                        "published" if n % 10 else "draft",
                        "",
                        0,
                        False,
                        False,
                        "",
                        False,
                        True,
                        False,
                        "",
                        "",
                        now,
                        now,
                        now,
                        "",
                    )
                )
                for k in range(4):
                    start = now - timedelta(days=rng.randrange(36 * 30)) + timedelta(days=7 * k)
                    places_ = 1 + (n + k) % 5
                    shift_rows.append(
                        (
                            4 * (n - 1) + k + 1,
                            n,
                            start,
                            start + timedelta(hours=4),
                            places_,
                            rng.randint(0, places_),
                            (n + k) % 25 == 0,
                        )
                    )
            bulk_copy(
                conn,
                "need",
                COLUMNS["need"],
                need_rows,
            )
            bulk_copy(
                conn,
                "shift",
                COLUMNS["shift"],
                shift_rows,
            )
            for table in ("user", "hours_entry", "need", "shift"):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
            conn.autocommit = False
        finally:
            raw.close()
    return {"seconds": round(time.perf_counter() - started, 1), "institution_id": inst_ids[0]}


def timed(app, fn, repeat: int) -> float:
    from app.extensions import db

    times = []
    with app.app_context():
        for _ in range(repeat):
            begin = time.perf_counter()
            fn()
            times.append((time.perf_counter() - begin) * 1000)
            db.session.rollback()
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--institutions", type=int, default=200)
    parser.add_argument("--hours", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="time the data already loaded (no emptying)"
    )
    args = parser.parse_args()

    from app import create_app
    from app.reports import queries as reports
    from config import TestConfig

    ensure_database(args.database_url)
    config = type(
        "BenchConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": None,
        },
    )
    app = create_app(config)
    if args.reuse:
        with app.app_context():
            from app.extensions import db

            first = db.session.scalar(text("SELECT min(id) FROM institution"))
        world = {"seconds": 0, "institution_id": first}
    else:
        world = load(app, args.volunteers, args.institutions, args.hours)
    print(json.dumps({"load_seconds": world["seconds"], **vars(args)}), flush=True)
    period = reports.Period.last(args.months, today=TODAY)
    one = world["institution_id"]
    cases = [
        ("hours_per_institution", lambda: reports.hours_per_institution(period)),
        ("fill_rates", lambda: reports.fill_rates(period)),
        ("volunteers_per_month", lambda: reports.volunteers_per_month(period)),
        ("exchange_and_matrix", lambda: reports.exchange(period)),
        (
            "dashboard:all_four",
            lambda: (
                reports.hours_per_institution(period),
                reports.fill_rates(period),
                reports.volunteers_per_month(period),
                reports.exchange(period),
            ),
        ),
        ("institution:hours", lambda: reports.hours_per_institution(period, one)),
        ("institution:fill_rates", lambda: reports.fill_rates(period, one)),
        ("institution:volunteers_per_month", lambda: reports.volunteers_per_month(period, one)),
        ("institution:exchange", lambda: reports.exchange(period, one)),
    ]
    for name, fn in cases:
        ms = timed(app, fn, args.repeat)
        print(
            json.dumps({"report": name, "median_ms": ms, "target_ms": 500, "ok": ms < 500}),
            flush=True,
        )


if __name__ == "__main__":
    main()
