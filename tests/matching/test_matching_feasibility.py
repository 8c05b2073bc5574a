"""Feasibility rules: the pure-Python specification and the index must agree."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

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

from matching import AvailabilityWindow
from matching import MatchingConfig
from matching import Problem
from matching import build_index
from matching import infeasibility
from matching.candidates import merge_windows

MON = BASE.date()

CASES = [
    ("feasible", vol(), place(), []),
    ("capacity zero", vol(capacity=0), place(), ["capacity"]),
    ("skill missing", vol(skills={2: 3}), place(), ["skill"]),
    ("skill level too low", vol(skills={1: 1}), place(required_skills={1: 2}), ["skill"]),
    ("second skill missing", vol(), place(required_skills={1: 1, 2: 1}), ["skill"]),
    ("no skills required", vol(skills={}), place(required_skills={}), []),
    (
        "wrong weekday",
        vol(availability=(AvailabilityWindow(1, 0, 1440),)),
        place(),
        ["availability"],
    ),
    (
        "window starts late",
        vol(availability=(AvailabilityWindow(0, 10 * 60 + 1, 1440),)),
        place(),
        ["availability"],
    ),
    (
        "window ends early",
        vol(availability=(AvailabilityWindow(0, 0, 11 * 60 + 59),)),
        place(),
        ["availability"],
    ),
    ("exact window", vol(availability=(AvailabilityWindow(0, 600, 720),)), place(), []),
    (
        "touching windows merge",
        vol(availability=(AvailabilityWindow(0, 540, 660), AvailabilityWindow(0, 660, 780))),
        place(),
        [],
    ),
    (
        "gap between windows",
        vol(availability=(AvailabilityWindow(0, 540, 650), AvailabilityWindow(0, 660, 780))),
        place(),
        ["availability"],
    ),
    ("crosses midnight", vol(), place(start_h=23, hours=2), ["availability"]),
    (
        "ends at midnight",
        vol(availability=(AvailabilityWindow(0, 1200, 1440),)),
        place(start_h=22, hours=2),
        [],
    ),
    ("away that day", vol(dates_away=frozenset({MON})), place(), ["away"]),
    ("away another day", vol(dates_away=frozenset({MON + timedelta(days=1)})), place(), []),
    ("too young", vol(age=17), place(min_age=18), ["age"]),
    ("exactly old enough", vol(age=18), place(min_age=18), []),
    ("unknown age, min age", vol(age=None), place(min_age=16), ["age"]),
    ("unknown age, no min age", vol(age=None), place(min_age=0), []),
    (
        "children unchecked",
        vol(child_protection_checked=False),
        place(works_with_children=True),
        ["child_protection"],
    ),
    ("children checked", vol(child_protection_checked=True), place(works_with_children=True), []),
    (
        "booking overlaps",
        vol(bookings=((BASE + timedelta(hours=11), BASE + timedelta(hours=13)),)),
        place(),
        ["booking"],
    ),
    (
        "booking touches",
        vol(bookings=((BASE + timedelta(hours=12), BASE + timedelta(hours=13)),)),
        place(),
        [],
    ),
    ("declined need", vol(declined_need_ids=frozenset({7})), place(need_id=7), ["declined"]),
    ("declined place", vol(declined_place_ids=frozenset({1})), place(), ["declined"]),
    ("declined other need", vol(declined_need_ids=frozenset({8})), place(need_id=7), []),
    ("too few hours", vol(hours_left=1.5), place(hours=2), ["hours"]),
    ("just enough hours", vol(hours_left=2.0), place(hours=2), []),
    ("several rules", vol(age=10, skills={}), place(min_age=18), ["skill", "age"]),
]


@pytest.mark.parametrize(("name", "v", "p", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rules_table(name, v, p, expected):
    assert infeasibility(v, p, TEST_CONFIG) == expected
    problem = Problem([v], [p], TEST_CONFIG)
    assert bool(index_pairs(problem)) == (not expected)


def test_unknown_age_policy_is_configurable():
    cfg = MatchingConfig(unknown_age_ok=True)
    assert infeasibility(vol(age=None), place(min_age=18), cfg) == []
    assert index_pairs(Problem([vol(age=None)], [place(min_age=18)], cfg)) == {(1, 1)}


def test_full_place_has_no_candidates_but_is_not_infeasible():
    p = place(places_left=0)
    assert infeasibility(vol(), p, TEST_CONFIG) == []
    assert index_pairs(Problem([vol()], [p], TEST_CONFIG)) == set()


def test_unknown_required_skill_blocks_everyone():
    assert index_pairs(Problem([vol()], [place(required_skills={99: 1})], TEST_CONFIG)) == set()


def test_merge_windows():
    merged = merge_windows(
        [
            AvailabilityWindow(5, 600, 700),
            AvailabilityWindow(5, 650, 800),
            AvailabilityWindow(5, 800, 900),
            AvailabilityWindow(5, 1000, 1100),
            AvailabilityWindow(0, 60, 120),
        ]
    )
    assert merged == {0: [(60, 120)], 5: [(600, 900), (1000, 1100)]}


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Problem([vol(), vol()], [place()]),
        lambda: Problem([vol()], [place(), place()]),
        lambda: Problem([vol(skills={1: 4})], [place()]),
        lambda: Problem([vol(availability=(AvailabilityWindow(7, 0, 60),))], [place()]),
        lambda: Problem([vol(availability=(AvailabilityWindow(1, 60, 60),))], [place()]),
        lambda: Problem([vol()], [place(hours=0)]),
        lambda: Problem([vol(id=-1)], [place()]),
        lambda: Problem([vol()], [place()], MatchingConfig(fill_values=(10, 20))),
        lambda: Problem([vol()], [place()], MatchingConfig(fill_values=(10, 0))),
        lambda: Problem([vol()], [place()], MatchingConfig(nice_skill_points=-1)),
    ],
)
def test_invalid_input_is_rejected(bad):
    with pytest.raises(ValueError):
        build_index(bad())


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 8), st.integers(1, 8))
def test_index_finds_exactly_the_feasible_pairs(seed, n_vol, n_place):
    problem = random_problem(seed, n_vol, n_place)
    expected = {(v.id, p.id) for v, p in feasible_pairs(problem)}
    assert index_pairs(problem) == expected


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**9))
def test_index_pairs_per_place_and_per_volunteer_agree(seed):
    problem = random_problem(seed, 8, 8)
    ix = build_index(problem)
    vi, pi = ix.candidate_pairs()
    all_pairs = set(zip(vi.tolist(), pi.tolist(), strict=True))
    by_place = {
        (int(v), p)
        for p in range(ix.n_places)
        for v in ix.volunteers_for_place(p)
        if ix.p_left[p] > 0
    }
    by_vol = {(v, int(p)) for v in range(ix.n_volunteers) for p in ix.places_for_volunteer(v)}
    assert by_place == all_pairs
    assert by_vol == all_pairs
    # The per-rule masks used by diagnostics agree with the combined check.
    masks = ix.rule_masks(vi, pi)
    for name, mask in masks.items():
        assert mask.all(), name


def test_away_dates_outside_the_horizon_are_ignored():
    v = vol(dates_away=frozenset({date(2030, 1, 1)}))
    assert index_pairs(Problem([v], [place()], TEST_CONFIG)) == {(1, 1)}
