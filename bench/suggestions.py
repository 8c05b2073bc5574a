"""How fast the matcher's ranking answers on pages, at national scale on PostgreSQL.

    make bench-suggestions    (BENCH_SUGGESTIONS_ARGS="--skip-load" reuses the data already loaded)
    .venv/bin/python -m bench.suggestions [--database-url URL] [--skip-load] [--requests 200]

Fills the database with `bench.national` (100,000 volunteers, 5,000 institutions, 20,000 open
needs) unless --skip-load, then times, inside the app, the two questions pages ask: the
volunteers suggested for one shift ("Polecani wolontariusze", `candidates_for_shift`) and the
needs suggested to one volunteer ("Dla Ciebie", `recommendations_for`), each for --requests
shifts or volunteers drawn at random. Prints one JSON line per question with p50, p95 and the
average number of suggestions, in milliseconds; the target is a p95 of at most 20 ms each.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import asdict

from sqlalchemy import select

from bench import national

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/okik_bench_suggestions"
TARGET_MS = 20.0


def _percentile(ordered: list[float], pct: int) -> float:
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _time(call, items: list, warmup: int = 5) -> dict:
    """Milliseconds per call over `items` (the first `warmup` calls are not counted)."""
    for item in items[:warmup]:
        call(item)
    spent, found = [], []
    for item in items[warmup:]:
        started = time.perf_counter()
        found.append(call(item))
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return {
        "requests": len(spent),
        "p50_ms": round(_percentile(spent, 50), 2),
        "p95_ms": round(_percentile(spent, 95), 2),
        "max_ms": round(spent[-1], 2),
        "mean_suggestions": round(statistics.fmean(found), 2) if found else 0,
        "target_p95_ms": TARGET_MS,
    }


def measure(app, requests: int, seed: int) -> dict[str, dict]:
    from app.core.time import utcnow
    from app.extensions import db
    from app.models import Need
    from app.models import NeedStatus
    from app.models import Role
    from app.models import Shift
    from app.models import User
    from app.services import suggestions

    rng = random.Random(seed)
    with app.app_context():
        now = utcnow()
        shift_ids = list(
            db.session.scalars(
                select(Shift.id)
                .join(Need, Need.id == Shift.need_id)
                .where(
                    Need.status == NeedStatus.PUBLISHED,
                    Shift.starts_at > now,
                    Shift.accepted_count < Shift.places,
                )
            )
        )
        volunteer_ids = list(db.session.scalars(select(User.id).where(User.role == Role.VOLUNTEER)))
        shifts = rng.sample(shift_ids, min(len(shift_ids), requests + 5))
        people = rng.sample(volunteer_ids, min(len(volunteer_ids), requests + 5))

        def for_shift(shift_id: int) -> int:
            found = suggestions.candidates_for_shift(db.session.get(Shift, shift_id), now)
            db.session.rollback()  # each page is its own transaction
            return len(found)

        def for_person(user_id: int) -> int:
            found = suggestions.recommendations_for(db.session.get(User, user_id), now)
            db.session.rollback()
            return len(found)

        return {
            "polecani_wolontariusze": _time(for_shift, shifts),
            "dla_ciebie": _time(for_person, people),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data already loaded")
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--institutions", type=int, default=5_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--past-assignments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if not args.skip_load:
        world = national.load(
            args.database_url,
            args.volunteers,
            args.institutions,
            args.needs,
            args.past_assignments,
            finished_run=False,
        )
        print(json.dumps({"data": asdict(world)}, ensure_ascii=False), flush=True)

    from app import create_app
    from config import TestConfig

    config = type(
        "BenchConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": args.database_url, "MAIL_SERVER": None},
    )
    results = measure(create_app(config), args.requests, args.seed)
    failed = False
    for question, figures in results.items():
        figures["met"] = figures["p95_ms"] <= TARGET_MS
        failed |= not figures["met"]
        print(json.dumps({"question": question, **figures}, ensure_ascii=False), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
