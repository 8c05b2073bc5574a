"""Limits that protect volunteers (rest, days in a row, sign-up opening): spec and index agree."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from matching_testkit import BASE
from matching_testkit import TEST_CONFIG
from matching_testkit import feasible_pairs
from matching_testkit import index_pairs
from matching_testkit import place
from matching_testkit import random_problem
from matching_testkit import vol

from matching import FEASIBILITY_CODES
from matching import MatchingConfig
from matching import Problem
from matching import build_index
from matching import infeasibility
from matching.diagnostics import explain_no_candidates
from matching.explain import render_diagnostic


def booked(day: int, start_h: int, end_h: int) -> tuple:
    return (BASE + timedelta(days=day, hours=start_h), BASE + timedelta(days=day, hours=end_h))


def days(*numbers: int) -> tuple:
    return tuple(booked(d, 10, 12) for d in numbers)


CASES = [
    # place(): Monday 10:00-12:00
    ("rest kept before", vol(bookings=(booked(-1, 18, 23),)), place(min_rest_minutes=660), []),
    (
        "rest too short before",
        vol(bookings=(booked(-1, 18, 23),)),
        place(min_rest_minutes=720),
        ["rest"],
    ),
    (
        "rest too short after",
        vol(bookings=(booked(0, 14, 16),)),
        place(min_rest_minutes=180),
        ["rest"],
    ),
    (
        "rest exactly kept after",
        vol(bookings=(booked(0, 15, 16),)),
        place(min_rest_minutes=180),
        [],
    ),
    ("no rest limit", vol(bookings=(booked(0, 12, 13),)), place(), []),
    (
        "overlap is a booking, not rest",
        vol(bookings=(booked(0, 11, 13),)),
        place(min_rest_minutes=60),
        ["booking"],
    ),
    ("days in row kept", vol(bookings=days(-2, -1)), place(max_days_in_row=3), []),
    (
        "days in row broken",
        vol(bookings=days(-2, -1, 1)),
        place(max_days_in_row=3),
        ["days_in_row"],
    ),
    ("gap breaks the run", vol(bookings=days(-3, -2, 2, 3)), place(max_days_in_row=3), []),
    (
        "same day counts once",
        vol(bookings=(booked(0, 14, 15), booked(1, 10, 12))),
        place(max_days_in_row=2),
        [],
    ),
    ("one day allowed", vol(bookings=days(1)), place(max_days_in_row=1), ["days_in_row"]),
    (
        "sign-up not open",
        vol(),
        place(signup_opens_at=BASE - timedelta(days=1)),
        ["signup_closed"],
    ),
]
AS_OF = BASE - timedelta(days=2)


@pytest.mark.parametrize(("name", "v", "p", "expected"), CASES, ids=[c[0] for c in CASES])
def test_limits_table(name, v, p, expected):
    config = MatchingConfig(max_shifts_per_volunteer=2, as_of=AS_OF)
    assert infeasibility(v, p, config) == expected
    assert bool(index_pairs(Problem([v], [p], config))) == (not expected)


def test_the_new_codes_are_listed_in_order():
    assert FEASIBILITY_CODES[-3:] == ("rest", "days_in_row", "signup_closed")


def test_sign_up_opening_needs_a_moment_to_compare_with():
    p = place(signup_opens_at=BASE - timedelta(days=1))
    assert infeasibility(vol(), p, TEST_CONFIG) == []
    opened = MatchingConfig(as_of=BASE - timedelta(days=1))
    assert infeasibility(vol(), p, opened) == []


def test_negative_limits_are_rejected():
    with pytest.raises(ValueError):
        build_index(Problem([vol()], [place(min_rest_minutes=-1)]))


def with_limits(seed: int, n_vol: int, n_place: int) -> Problem:
    """The shared random instances, with random limits and more bookings over a week."""
    problem = random_problem(seed, n_vol, n_place)
    rnd = random.Random(seed ^ 0x5EED)
    as_of = BASE + timedelta(days=rnd.randrange(-2, 2))
    places = [
        dataclasses.replace(
            p,
            min_rest_minutes=rnd.choice([0, 0, 60, 600, 720]),
            max_days_in_row=rnd.choice([0, 0, 1, 2, 3]),
            signup_opens_at=rnd.choice([None, p.start - timedelta(days=rnd.randrange(0, 3))]),
        )
        for p in problem.places
    ]
    volunteers = [
        dataclasses.replace(
            v,
            bookings=tuple(
                booked(d, h, h + rnd.randint(1, 4))
                for d, h in rnd.sample(
                    [(d, h) for d in range(-3, 5) for h in (6, 13, 19)], rnd.randint(0, 4)
                )
            ),
        )
        for v in problem.volunteers
    ]
    config = dataclasses.replace(problem.config, as_of=as_of)
    return Problem(volunteers, places, config, problem.coalition_institution_ids)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 8), st.integers(1, 8))
def test_index_finds_exactly_the_feasible_pairs_under_limits(seed, n_vol, n_place):
    problem = with_limits(seed, n_vol, n_place)
    expected = {(v.id, p.id) for v, p in feasible_pairs(problem)}
    assert index_pairs(problem) == expected


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9))
def test_rule_masks_agree_with_the_spec_for_each_limit(seed):
    problem = with_limits(seed, 6, 6)
    ix = build_index(problem)
    for vi, v in enumerate(ix.volunteers):
        for pi, p in enumerate(ix.places):
            masks = ix.rule_masks(np.array([vi]), np.array([pi]))
            broken = set(infeasibility(v, p, problem.config))
            for code in ("rest", "days_in_row", "signup_closed"):
                assert bool(masks[code][0]) == (code not in broken), (code, v.id, p.id)


def test_diagnostics_name_the_rest_limit():
    v = vol(bookings=(booked(-1, 19, 24),))
    p = place(min_rest_minutes=11 * 60)
    ix = build_index(Problem([v], [p], TEST_CONFIG))
    code, params = explain_no_candidates(ix, 0)
    assert (code, params) == ("blocked_rest", {"count": 1, "rest_hours": 11.0})
    assert render_diagnostic((code, params)) == (
        "Jedyny pasujący wolontariusz ma inną zmianę zbyt blisko: między dwiema zmianami "
        "potrzeba co najmniej 11 godzin odpoczynku"
    )


def test_diagnostics_name_the_days_in_row_and_sign_up_limits():
    v = vol(bookings=days(-1, 1))
    ix = build_index(Problem([v], [place(max_days_in_row=2)], TEST_CONFIG))
    diagnostic = explain_no_candidates(ix, 0)
    assert diagnostic == ("blocked_days_in_row", {"count": 1, "days": 2})
    assert render_diagnostic(diagnostic).endswith("przekroczyłby limit 2 dni z rzędu")
    config = MatchingConfig(as_of=BASE - timedelta(days=9))
    ix = build_index(Problem([vol()], [place(signup_opens_at=BASE - timedelta(days=7))], config))
    diagnostic = explain_no_candidates(ix, 0)
    assert diagnostic == ("signup_not_open", {"count": 1, "opens": "2025-02-24"})
    assert render_diagnostic(diagnostic) == "Zapisy na tę zmianę otwierają się dopiero 2025-02-24"
