"""Volunteers as real ones are, for the national data: what the matcher looks at when it runs.

A run considers only volunteers with a confirmed e-mail whose newest data-processing consent is
granted, and places a minor only after the guardian confirmed. Registration records that consent
(app.services.accounts); a guardian's link records the guardian's. So the volunteers written here
have those rows, and the few who would not be considered are there on purpose, in the shares
real registers show: an unconfirmed address, a consent withdrawn later, a guardian who has not
answered yet. Everything else varies from person to person so that a run has choices to make:
skills at levels with common and rare ones, one to three weekly windows (weekends busier),
absences in the weeks ahead, child-protection checks for a third of the adults, monthly limits,
preferred institutions and interests. Places taken and earlier declines are written by
`bench.national`, which knows the shifts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time as clock
from datetime import timedelta
from zoneinfo import ZoneInfo

import psycopg

from bench.copying import COLUMNS
from bench.copying import bulk_copy

WARSAW = ZoneInfo("Europe/Warsaw")

UNCONFIRMED_SHARE = 0.01
WITHDRAWN_SHARE = 0.01
MINOR_SHARE = 0.06
GUARDIAN_WAITING_SHARE = 0.10  # of the minors
UNKNOWN_BIRTH_SHARE = 0.03
CHECKED_SHARE = 0.35  # of the adults
ABSENT_SHARE = 0.35
IMAGE_CONSENT_SHARE = 0.6
# Volunteers hold common skills more often than rare ones (1/rank), as needs ask for rare ones.
LEVEL_WEIGHTS = (0.5, 0.35, 0.15)
WEEKDAY_WEIGHTS = (1, 1, 1, 1, 1, 1.6, 1.3)
HOURS_A_MONTH = (8, 12, 16, 20, 20, 30, 40)
INTERESTS = (
    "muzyka",
    "teatr",
    "fotografia",
    "historia",
    "dzieci",
    "seniorzy",
    "literatura",
    "taniec",
    "edukacja",
    "rękodzieło",
)

CONSENT_COLUMNS = ["user_id", "kind", "granted", "recorded_at", "given_by"]
CHECK_COLUMNS = [
    "user_id",
    "certificate_seen_on",
    "register_checked_on",
    "checked_by_id",
    "institution_id",
    "note",
    "recorded_at",
]


@dataclass
class People:
    """Who the volunteers are, drawn once so that every table written about them agrees."""

    count: int
    today: date
    unconfirmed: set[int] = field(default_factory=set)
    withdrawn: set[int] = field(default_factory=set)
    born: dict[int, date | None] = field(default_factory=dict)
    minors: set[int] = field(default_factory=set)
    guardian_waiting: set[int] = field(default_factory=set)
    checked: set[int] = field(default_factory=set)

    def considered(self) -> int:
        """How many a run may propose: confirmed, consenting, minors with their guardian's yes."""
        left_out = self.unconfirmed | self.withdrawn | self.guardian_waiting
        return self.count - len(left_out)


def draw(count: int, now: datetime, seed: int, keep: frozenset[int] = frozenset()) -> People:
    """Decide once who is a minor, who is checked, who is left out; `keep` stay plain adults
    (the accounts the benchmarks sign in as)."""
    rng = random.Random(seed)
    today = now.astimezone(WARSAW).date()
    people = People(count=count, today=today)
    for v in range(1, count + 1):
        plain = v in keep
        if not plain and rng.random() < UNCONFIRMED_SHARE:
            people.unconfirmed.add(v)
        if not plain and rng.random() < WITHDRAWN_SHARE:
            people.withdrawn.add(v)
        roll = rng.random()
        if not plain and roll < UNKNOWN_BIRTH_SHARE:
            people.born[v] = None
            continue
        if not plain and roll < UNKNOWN_BIRTH_SHARE + MINOR_SHARE:
            age = rng.randint(15, 17)
            people.minors.add(v)
            if rng.random() < GUARDIAN_WAITING_SHARE:
                people.guardian_waiting.add(v)
        else:
            age = rng.randint(18, 75)
            if rng.random() < CHECKED_SHARE:
                people.checked.add(v)
        # A birthday between one and 364 days ago: `age` years old today and for weeks to come.
        birthday = _years_before(today, age) - timedelta(days=rng.randint(1, 364))
        people.born[v] = birthday
    return people


def registered_at(now: datetime) -> datetime:
    """When the volunteers registered (and gave the consent registration asks for)."""
    return now - timedelta(days=400)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def copy_people(
    conn: psycopg.Connection,
    people: People,
    skill_ids: list[int],
    institutions: int,
    coordinator_id: int,
    now: datetime,
    seed: int,
) -> dict[str, int]:
    """Profiles, skills, availability, absences, preferred institutions, consents and checks;
    returns the rows written per table."""
    rng = random.Random(seed)
    ids = range(1, people.count + 1)
    written = {}
    written["volunteer_profile"] = bulk_copy(
        conn, "volunteer_profile", COLUMNS["volunteer_profile"], _profiles(people, now, rng)
    )
    popularity = [1 / rank for rank in range(1, len(skill_ids) + 1)]
    written["volunteer_skill"] = bulk_copy(
        conn,
        "volunteer_skill",
        COLUMNS["volunteer_skill"],
        (
            (v, skill, rng.choices((1, 2, 3), LEVEL_WEIGHTS)[0])
            for v in ids
            for skill in _distinct(rng, skill_ids, popularity, rng.randint(2, 6))
        ),
    )
    written["availability_window"] = bulk_copy(
        conn, "availability_window", COLUMNS["availability_window"], _windows(ids, rng)
    )
    written["volunteer_absence"] = bulk_copy(
        conn,
        "volunteer_absence",
        ["user_id", "starts_on", "ends_on"],
        _absences(ids, people.today, rng),
    )
    written["volunteer_preferred_institution"] = bulk_copy(
        conn,
        "volunteer_preferred_institution",
        ["user_id", "institution_id"],
        (
            (v, institution)
            for v in ids
            for institution in sorted(
                {rng.randint(1, institutions) for _ in range(rng.choice((0, 0, 1, 1, 2)))}
            )
        ),
    )
    written["consent"] = bulk_copy(conn, "consent", CONSENT_COLUMNS, _consents(people, now, rng))
    written["child_protection_check"] = bulk_copy(
        conn,
        "child_protection_check",
        CHECK_COLUMNS,
        (
            (
                v,
                people.today - timedelta(days=days),
                people.today - timedelta(days=days),
                coordinator_id,
                None,
                "Zaświadczenie z KRK okazane, rejestr sprawdzony.",
                now - timedelta(days=days),
            )
            for v in sorted(people.checked)
            for days in (rng.randint(5, 600),)
        ),
    )
    return written


def _distinct(rng: random.Random, items: list[int], weights: list[float], k: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < min(k, len(items)):
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def _profiles(people: People, now: datetime, rng: random.Random) -> Iterator[tuple]:
    for v in range(1, people.count + 1):
        minor = v in people.minors
        asked = registered_at(now) + timedelta(days=1) if minor else None
        consented = (
            asked + timedelta(days=1) if asked and v not in people.guardian_waiting else None
        )
        interests = ", ".join(rng.sample(INTERESTS, rng.randint(0, 3)))
        yield (
            v,
            people.born[v],
            "",
            "Opole",
            "",
            "polski",
            interests,
            rng.choice(HOURS_A_MONTH),
            v % 5 == 0,
            rng.random() < 0.03,
            "",
            "Anna Opiekuńska" if minor else "",
            f"opiekun{v}@example.org" if minor else "",
            now,
            consented,
            asked,
            False,
            f"feed{v:020d}",
        )


def _windows(ids: range, rng: random.Random) -> Iterator[tuple]:
    for v in ids:
        for _ in range(rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]):
            start = rng.randint(8, 18)
            end = min(22, start + rng.choices((2, 3, 4, 5, 6), (0.25, 0.3, 0.25, 0.12, 0.08))[0])
            weekday = rng.choices(range(7), WEEKDAY_WEIGHTS)[0]
            yield (v, weekday, clock(start), clock(end))


def _absences(ids: range, today: date, rng: random.Random) -> Iterator[tuple]:
    for v in ids:
        if rng.random() >= ABSENT_SHARE:
            continue
        for _ in range(rng.randint(1, 2)):
            first = today + timedelta(days=rng.randint(-3, 35))
            yield (v, first, first + timedelta(days=rng.randint(0, 9)))


def _consents(people: People, now: datetime, rng: random.Random) -> Iterator[tuple]:
    """Registration's consent for everyone first, then what came later: photos, guardians'
    confirmations, withdrawals (the newest row of a kind is the current state)."""
    registered = registered_at(now)
    for v in range(1, people.count + 1):
        yield (v, "data_processing", True, registered, "self")
    for v in range(1, people.count + 1):
        if rng.random() < IMAGE_CONSENT_SHARE:
            yield (v, "image", True, registered + timedelta(days=1), "self")
    for v in sorted(people.minors - people.guardian_waiting):
        yield (v, "guardian", True, registered + timedelta(days=2), "guardian")
    for v in sorted(people.withdrawn):
        yield (v, "data_processing", False, now - timedelta(days=rng.randint(1, 90)), "self")
