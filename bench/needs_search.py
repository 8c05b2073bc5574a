"""Benchmark of the public needs search and need page on PostgreSQL.

    .venv/bin/python -m bench.needs_search [--database-url URL] [--needs 20000]
        [--volunteers 100000] [--requests 200] [--small-needs 1000]

Loads a coalition of the given size with COPY (a few seconds for 20,000 needs and 100,000
volunteers), then times requests in-process with Flask's test client: the search page with a
mix of text queries and filters, the same search with "Pasuje do mojego profilu" for a signed-in
volunteer, and need pages. It prints one JSON line per page with the median and 95th percentile
in milliseconds and the SQL statements per request, counted at two data sizes (a small load
first, then the full one) to show that the number of queries does not grow with the data.

The database named in the URL is emptied and refilled: never point it at real data.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import event

from bench.copying import COLUMNS
from bench.copying import bulk_copy
from bench.copying import copy_volunteer_details
from bench.copying import ensure_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/okik_bench"
PASSWORD = "Benchmark-haslo-2026!"  # noqa: S105 - a throwaway account in a throwaway database

WORDS = [
    "fotografia",
    "muzeum",
    "wystawa",
    "koncert",
    "festiwal",
    "warsztaty",
    "dzieci",
    "seniorzy",
    "biblioteka",
    "teatr",
    "archiwum",
    "skansen",
    "jarmark",
    "noc",
    "oprowadzanie",
    "kasa",
    "szatnia",
    "widownia",
    "digitalizacja",
    "tłumaczenie",
    "plakaty",
    "media",
    "Łódź",
    "Opole",
    "Brzeg",
    "Nysa",
    "żółw",
    "rękodzieło",
    "pierogi",
    "muzyka",
    "piosenka",
    "scena",
    "dźwięk",
]
PLACES = ["Opole, Rynek", "Opole, ul. Piastowska", "Brzeg", "Nysa", "Łódź", "Kluczbork", "Prudnik"]
KINDS = ["one_off", "recurring", "long_term", "training"]


def load(app, needs: int, volunteers: int, seed: int = 7) -> dict:
    """Empty the database and fill it; returns ids the requests will use."""
    from app.core.schema import build_from_migrations
    from app.core.text import fold
    from app.extensions import db
    from app.models import Institution
    from app.models import InstitutionKind
    from app.models import Skill
    from app.models import SkillGroup
    from app.services.passwords import hash_password

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    with app.app_context():
        build_from_migrations()
        institutions = []
        for n in range(20):
            inst = Institution(
                name=f"Instytucja kultury nr {n} w Opolu",
                short_name=f"IK{n}",
                slug=f"instytucja-{n}",
                kind=list(InstitutionKind)[n % len(InstitutionKind)],
                is_founder=n < 5,
                contact_email=f"kontakt{n}@example.org",
            )
            db.session.add(inst)
            institutions.append(inst)
        skills = []
        for g in range(6):
            group = SkillGroup(code=f"g{g}", name_pl=f"Grupa {g}", name_en=f"Group {g}", position=g)
            db.session.add(group)
            db.session.flush()
            for s in range(5):
                name = WORDS[(g * 5 + s) % len(WORDS)].capitalize()
                skill = Skill(
                    code=f"s{g}-{s}",
                    group_id=group.id,
                    name_pl=f"{name} {g}{s}",
                    name_en=f"Skill {g}{s}",
                    position=s,
                )
                db.session.add(skill)
                skills.append(skill)
        db.session.commit()
        inst_rows = [(i.id, i.name, i.short_name) for i in institutions]
        skill_rows = [(s.id, s.name_pl, s.name_en) for s in skills]
        password_hash = hash_password(PASSWORD)

        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            first_user = 1
            bulk_copy(
                conn,
                "user",
                COLUMNS["user"],
                (
                    (
                        first_user + v,
                        f"wolontariusz{v}@example.org",
                        "volunteer",
                        "Jan",
                        f"Testowy{v}",
                        "pl",
                        now,
                        now,
                        now,
                        password_hash,
                        True,
                        f"t{v:012d}",
                    )
                    for v in range(volunteers)
                ),
            )
            copy_volunteer_details(
                conn,
                range(first_user, first_user + volunteers),
                [row[0] for row in skill_rows],
                now,
            )
            need_rows, shift_rows, need_skill_rows, cohost_rows = [], [], [], []
            shift_id = 1
            for n in range(1, needs + 1):
                inst_id, inst_name, inst_short = inst_rows[rng.randrange(len(inst_rows))]
                title = " ".join(rng.sample(WORDS, 3)).capitalize()
                description = " ".join(rng.choices(WORDS, k=25))
                place = rng.choice(PLACES)
                kind = rng.choice(KINDS)
                chosen = rng.sample(skill_rows, rng.randint(0, 3))
                cohost = inst_rows[rng.randrange(len(inst_rows))] if n % 10 == 0 else None
                if cohost and cohost[0] != inst_id:
                    cohost_rows.append((n, cohost[0]))
                else:
                    cohost = None
                parts = [title, description, place, inst_name, inst_short]
                if cohost:
                    parts.append(cohost[1])
                parts += [f"{s[1]} {s[2]}" for s in chosen]
                status = "published" if n % 20 else rng.choice(["draft", "closed", "cancelled"])
                need_rows.append(
                    (
                        n,
                        inst_id,
                        title,
                        description,
                        kind,
                        status,
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
                        fold(" ".join(parts)),
                    )
                )
                for index, (skill_id, _pl, _en) in enumerate(chosen):
                    need_skill_rows.append((n, skill_id, 1 + (n + index) % 3, index == 0))
                # Four shifts: one past, three ahead within ~8 weeks; a few cancelled.
                base = now - timedelta(days=14) + timedelta(hours=rng.randrange(24 * 56))
                for k in range(4):
                    start = base.replace(minute=0, second=0) + timedelta(days=7 * k)
                    shift_rows.append(
                        (
                            shift_id,
                            n,
                            start,
                            start + timedelta(hours=4),
                            1 + (n + k) % 5,
                            0,
                            (n + k) % 25 == 0,
                        )
                    )
                    shift_id += 1
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
            bulk_copy(
                conn,
                "need_skill",
                COLUMNS["need_skill"],
                need_skill_rows,
            )
            bulk_copy(conn, "need_cohost", ["need_id", "institution_id"], cohost_rows)
            for table in (
                "user",
                "need",
                "shift",
                "need_skill",
                "volunteer_skill",
                "availability_window",
            ):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
            conn.commit()
            conn.autocommit = True
            conn.execute("ANALYZE")
            conn.autocommit = False
        finally:
            raw.close()
    published = [row[0] for row in need_rows if row[5] == "published"]
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "published": published,
        "skills": [s[0] for s in skill_rows],
        "volunteer_email": "wolontariusz0@example.org",
    }


def search_mix(skill_id: int, other_institution: str = "instytucja-7") -> list[dict]:
    """The questions people ask the search: words with and without Polish letters, filters,
    dates, a far page and a word nobody used. Shared by the benchmarks that drive the search."""
    today = date.today()
    return [
        {},
        {"q": "fotografia"},
        {"q": "lodz"},
        {"q": "muzeum opole"},
        {"q": "zolw warsztaty"},
        {"q": "festiwal", "accessible": "1"},
        {"institution": "instytucja-3"},
        {"institution": other_institution, "q": "koncert"},
        {"kind": "long_term"},
        {"korpus": "1", "minors": "1"},
        {"skill": str(skill_id)},
        {
            "from": (today + timedelta(days=7)).isoformat(),
            "to": (today + timedelta(days=14)).isoformat(),
        },
        {"q": "teatr", "from": (today + timedelta(days=3)).isoformat()},
        {"page": "5"},
        {"q": "nieistniejaceslowo"},
    ]


def search_queries(world: dict, rng: random.Random) -> list[dict]:
    mix = search_mix(world["skills"][4])
    return [rng.choice(mix) for _ in range(len(mix))]


def measure(client, calls: list[tuple[str, dict]], requests: int, counter: list) -> dict:
    for url, params in calls[:10]:  # warm-up: caches, prepared plans
        client.get(url, query_string=params).close()
    timings, queries = [], []
    for i in range(requests):
        url, params = calls[i % len(calls)]
        counter.clear()
        started = time.perf_counter()
        response = client.get(url, query_string=params)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, params, response.status_code)
        response.close()
        timings.append(elapsed * 1000)
        queries.append(len(counter))
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "queries_per_request": round(statistics.mean(queries), 2),
        "max_queries": max(queries),
    }


def run(app, world: dict, requests: int, rng: random.Random) -> dict[str, dict]:
    from app.extensions import db

    counter: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        counter.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        anonymous = app.test_client()
        search_calls = [("/needs/", p) for p in search_queries(world, rng)]
        need_calls = [(f"/needs/{rng.choice(world['published'])}", {}) for _ in range(50)]
        api_calls = [
            ("/api/v1/needs", {k: ("true" if v == "1" else v) for k, v in p.items()})
            for _url, p in search_calls
        ]
        volunteer = app.test_client()
        response = volunteer.post(
            "/login", data={"email": world["volunteer_email"], "password": PASSWORD}
        )
        assert response.status_code == 302, "bench volunteer could not sign in"
        profile_calls = [("/needs/", {"matches_profile": "1", **p}) for _url, p in search_calls[:5]]
        return {
            "needs.search": measure(anonymous, search_calls, requests, counter),
            "needs.search?matches_profile": measure(
                volunteer, profile_calls, requests // 2, counter
            ),
            "needs.detail": measure(anonymous, need_calls, requests, counter),
            "api.needs": measure(anonymous, api_calls, requests, counter),
        }
    finally:
        event.remove(engine, "before_cursor_execute", count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--small-needs", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from app import create_app
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
    sizes = [
        (args.small_needs, max(1, args.volunteers * args.small_needs // args.needs)),
        (args.needs, args.volunteers),
    ]
    results: dict[int, dict] = {}
    loads: dict[int, float] = {}
    for needs, volunteers in sizes:
        world = load(app, needs, volunteers, args.seed)
        loads[needs] = world["seconds"]
        small = needs != args.needs
        results[needs] = run(app, world, 30 if small else args.requests, random.Random(args.seed))
    full = results[args.needs]
    for endpoint, figures in full.items():
        line = {
            "endpoint": endpoint,
            "requests": args.requests // 2 if "matches_profile" in endpoint else args.requests,
            "median_ms": figures["median_ms"],
            "p95_ms": figures["p95_ms"],
            "queries_per_request": figures["queries_per_request"],
            "queries_by_size": {
                f"{n}_needs": results[n][endpoint]["max_queries"] for n in sorted(results)
            },
            "needs": args.needs,
            "volunteers": args.volunteers,
            "load_seconds": loads[args.needs],
        }
        print(json.dumps(line, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
