"""Shared builders for the matching tests: tiny random instances and a brute-force solver."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta

from matching import AvailabilityWindow
from matching import MatchingConfig
from matching import NeedKind
from matching import Place
from matching import Problem
from matching import Volunteer
from matching import build_index
from matching import is_feasible
from matching.candidates import run_capacity
from matching.scoring import explain_pair

BASE = datetime(2025, 3, 3)  # a Monday
TEST_CONFIG = MatchingConfig(max_shifts_per_volunteer=2)


def vol(id: int = 1, **kw) -> Volunteer:
    """A volunteer who is free Mon-Sun 8-20 with skill 1 at level 2, unless overridden."""
    defaults = dict(
        skills={1: 2},
        availability=tuple(AvailabilityWindow(d, 8 * 60, 20 * 60) for d in range(7)),
        age=30,
        child_protection_checked=True,
        capacity=2,
        hours_left=20.0,
        reliability=0.5,
    )
    defaults.update(kw)
    return Volunteer(id=id, **defaults)


def place(
    id: int = 1,
    need_id: int | None = None,
    day: int = 0,
    start_h: float = 10,
    hours: float = 2,
    **kw,
) -> Place:
    """A shift on BASE + day, start_h..start_h+hours, needing skill 1 at level 1."""
    start = BASE + timedelta(days=day, minutes=int(start_h * 60))
    defaults = dict(
        institution_id=1,
        places_left=1,
        required_skills={1: 1},
    )
    defaults.update(kw)
    return Place(
        id=id,
        need_id=id if need_id is None else need_id,
        start=start,
        end=start + timedelta(minutes=int(hours * 60)),
        **defaults,
    )


def random_problem(
    seed: int, n_vol: int = 4, n_place: int = 4, config: MatchingConfig = TEST_CONFIG
) -> Problem:
    """A tiny instance where most pairs are feasible, but every rule bites sometimes."""
    rnd = random.Random(seed)
    places = []
    for i in range(n_place):
        start = BASE + timedelta(days=rnd.randrange(3), hours=rnd.randrange(9, 16))
        req = {s: rnd.randint(1, 2) for s in rnd.sample([1, 2], rnd.choice([0, 1, 1, 2]))}
        places.append(
            Place(
                id=10 + i,
                need_id=100 + rnd.randrange(3),
                institution_id=rnd.randint(1, 3),
                start=start,
                end=start + timedelta(hours=rnd.randint(1, 3)),
                places_left=rnd.choice([1, 1, 2]),
                required_skills=req,
                nice_skills=frozenset(rnd.sample([2, 3], rnd.randint(0, 2))),
                min_age=rnd.choice([0, 0, 18]),
                works_with_children=rnd.random() < 0.2,
                kind=rnd.choice(list(NeedKind)),
                interests=frozenset(rnd.sample(["a", "b", "c"], rnd.randint(0, 2))),
                co_host_institution_ids=frozenset(rnd.sample([2, 4], rnd.randint(0, 1))),
            )
        )
    volunteers = []
    for i in range(n_vol):
        windows = []
        for d in rnd.sample(range(3), rnd.randint(1, 3)):
            s = rnd.choice([8, 9, 12])
            windows.append(AvailabilityWindow(d, s * 60, rnd.choice([14, 18, 20]) * 60))
        served = frozenset(rnd.sample([1, 2, 3], rnd.randint(0, 2)))
        volunteers.append(
            Volunteer(
                id=1 + i,
                skills={s: rnd.randint(1, 3) for s in rnd.sample([1, 2, 3], rnd.randint(1, 3))},
                availability=tuple(windows),
                dates_away=frozenset(
                    {date(2025, 3, 3) + timedelta(days=rnd.randrange(3))}
                    if rnd.random() < 0.15
                    else set()
                ),
                age=rnd.choice([None, 16, 25, 40]),
                child_protection_checked=rnd.random() < 0.6,
                capacity=rnd.choice([0, 1, 2, 2, 3]),
                hours_left=rnd.choice([1.5, 4.0, 10.0]),
                preferred_institution_ids=frozenset(rnd.sample([1, 2, 3, 4], rnd.randint(0, 1))),
                interests=frozenset(rnd.sample(["a", "b", "c", "d"], rnd.randint(0, 3))),
                served_institution_ids=served,
                long_term_institution_ids=served if rnd.random() < 0.5 else frozenset(),
                reliability=rnd.random(),
                declined_need_ids=frozenset({100}) if rnd.random() < 0.1 else frozenset(),
                declined_place_ids=frozenset({10}) if rnd.random() < 0.1 else frozenset(),
                bookings=(
                    (
                        (
                            BASE + timedelta(days=rnd.randrange(3), hours=10),
                            BASE + timedelta(days=rnd.randrange(3), hours=12),
                        ),
                    )
                    if rnd.random() < 0.2
                    else ()
                ),
            )
        )
    volunteers, places = with_qualifications(seed, volunteers, places)
    rnd.shuffle(volunteers)
    rnd.shuffle(places)
    return Problem(volunteers, places, config, coalition_institution_ids=frozenset({1, 2}))


def with_qualifications(
    seed: int, volunteers: list[Volunteer], places: list[Place]
) -> tuple[list[Volunteer], list[Place]]:
    """Some shifts require qualification 7 or 8; volunteers hold them, some lapsing mid-run.

    A random source of its own, so that the rest of each seeded instance stays as it was."""
    rnd = random.Random(seed ^ 0x5A5A)
    lapses = [None, BASE.date(), BASE.date() + timedelta(days=1), BASE.date() - timedelta(days=1)]
    held = [
        replace(
            v, qualifications={q: rnd.choice(lapses) for q in rnd.sample([7, 8], rnd.randint(0, 2))}
        )
        for v in volunteers
    ]
    wanted = [
        replace(p, required_qualifications=frozenset(rnd.sample([7, 8], rnd.choice([0, 0, 1, 2]))))
        for p in places
    ]
    return held, wanted


def feasible_pairs(problem: Problem) -> list[tuple[Volunteer, Place]]:
    """Every feasible pair by the pure-Python rules (shifts with free places only)."""
    return [
        (v, p)
        for p in problem.places
        for v in problem.volunteers
        if p.places_left > 0 and is_feasible(v, p, problem.config)
    ]


def objective_of(problem: Problem, chosen: list[tuple[Volunteer, Place]]) -> int:
    """Objective of a set of pairs, recomputed from scratch with explain_pair."""
    cfg = problem.config
    total = sum(explain_pair(v, p, cfg, problem.coalition_institution_ids)[0] for v, p in chosen)
    per_need = Counter(p.need_id for _, p in chosen)
    total += sum(cfg.fill_value(k) for c in per_need.values() for k in range(c))
    return total


def respects_constraints(problem: Problem, chosen: list[tuple[Volunteer, Place]]) -> None:
    """Assert every capacity and rule; raises AssertionError with a message otherwise."""
    cfg = problem.config
    keys = [(v.id, p.id) for v, p in chosen]
    assert len(keys) == len(set(keys)), "a pair is proposed twice"
    per_vol = Counter(v.id for v, _ in chosen)
    per_day = Counter((v.id, p.start.date()) for v, p in chosen)
    per_place = Counter(p.id for _, p in chosen)
    caps = {v.id: run_capacity(v, cfg) for v in problem.volunteers}
    left = {p.id: p.places_left for p in problem.places}
    for v, p in chosen:
        assert is_feasible(v, p, cfg), (v.id, p.id)
    assert all(per_vol[k] <= caps[k] for k in per_vol), "volunteer capacity exceeded"
    assert all(c <= 1 for c in per_day.values()), "two shifts on one day"
    assert all(per_place[k] <= left[k] for k in per_place), "places_left exceeded"


def brute_force(problem: Problem) -> int:
    """Best objective by exhaustive search over subsets of feasible pairs (tiny inputs only)."""
    cfg = problem.config
    pairs = feasible_pairs(problem)
    assert len(pairs) <= 22, "instance too large for brute force"
    caps = {v.id: run_capacity(v, cfg) for v in problem.volunteers}
    left = {p.id: p.places_left for p in problem.places}
    scores = [explain_pair(v, p, cfg, problem.coalition_institution_ids)[0] for v, p in pairs]
    best = 0
    used_days: set[tuple[int, date]] = set()
    need_count: Counter[int] = Counter()

    def rec(k: int, value: int) -> None:
        nonlocal best
        if k == len(pairs):
            best = max(best, value)
            return
        rec(k + 1, value)
        v, p = pairs[k]
        day = (v.id, p.start.date())
        if caps[v.id] > 0 and left[p.id] > 0 and day not in used_days:
            caps[v.id] -= 1
            left[p.id] -= 1
            used_days.add(day)
            gain = scores[k] + cfg.fill_value(need_count[p.need_id])
            need_count[p.need_id] += 1
            rec(k + 1, value + gain)
            need_count[p.need_id] -= 1
            used_days.discard(day)
            left[p.id] += 1
            caps[v.id] += 1

    rec(0, 0)
    return best


def index_pairs(problem: Problem) -> set[tuple[int, int]]:
    """Candidate pairs of the index as (volunteer id, place id)."""
    ix = build_index(problem)
    vi, pi = ix.candidate_pairs()
    return {(int(ix.v_ids[a]), int(ix.p_ids[b])) for a, b in zip(vi, pi, strict=True)}
