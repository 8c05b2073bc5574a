"""The optimiser: exact (brute force, HiGHS), feasible, never worse than greedy, deterministic."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from matching_testkit import TEST_CONFIG
from matching_testkit import brute_force
from matching_testkit import feasible_pairs
from matching_testkit import objective_of
from matching_testkit import place
from matching_testkit import random_problem
from matching_testkit import respects_constraints
from matching_testkit import vol

from matching import MatchingConfig
from matching import Problem
from matching import build_index
from matching import match
from matching import score_pairs
from matching import solve_greedy
from matching.solver import optimise_flow


def chosen_pairs(problem, result):
    vols = {v.id: v for v in problem.volunteers}
    places = {p.id: p for p in problem.places}
    return [(vols[p.volunteer_id], places[p.place_id]) for p in result.proposals]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 5), st.integers(1, 5))
def test_flow_is_exact_against_brute_force(seed, n_vol, n_place):
    problem = random_problem(seed, n_vol, n_place)
    if len(feasible_pairs(problem)) > 18:
        return
    result = match(problem)
    chosen = chosen_pairs(problem, result)
    respects_constraints(problem, chosen)
    assert result.objective == objective_of(problem, chosen)
    assert result.objective == brute_force(problem)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 10), st.integers(1, 10))
def test_solutions_respect_constraints_and_beat_greedy(seed, n_vol, n_place):
    problem = random_problem(seed, n_vol, n_place)
    best = match(problem)
    greedy = solve_greedy(problem)
    for result in (best, greedy):
        chosen = chosen_pairs(problem, result)
        respects_constraints(problem, chosen)
        assert result.objective == objective_of(problem, chosen)
        assert result.objective == result.score_total + result.fill_total
        assert all(p.score == sum(r.points for r in p.reasons) for p in result.proposals)
    assert best.objective >= greedy.objective


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("contended", [False, True])
def test_flow_equals_highs_reference(seed, contended):
    from matching.bench import generate_problem
    from matching.reference import reference_objective

    problem = generate_problem(3000, 400, seed, contended=contended)
    result = match(problem)
    ix = build_index(problem)
    vi, pi = ix.candidate_pairs()
    assert vi.size > 500
    scores = score_pairs(ix, vi, pi)
    assert reference_objective(ix, vi, pi, scores) == result.objective
    flat = (7,)
    chosen = optimise_flow(ix, vi, pi, scores, fill_values=flat)
    counts = np.bincount(ix.p_need_idx[pi[chosen]], minlength=ix.need_ids.size)
    flat_value = int(scores[chosen].sum()) + 7 * int(counts.sum())
    assert reference_objective(ix, vi, pi, scores, fill_values=flat) == flat_value
    assert result.objective >= solve_greedy(problem, index=ix).objective


def test_concave_fill_gives_every_need_someone_first():
    # Two volunteers, each can do one shift.  Need 1 has two places and much better fit;
    # need 2 has one place.  Fill value must spread them; a flat value must not.
    v1, v2 = vol(1, skills={1: 3}, capacity=1), vol(2, skills={1: 3}, capacity=1)
    great = place(1, need_id=1, places_left=2, required_skills={1: 1}, nice_skills=frozenset({1}))
    plain = place(2, need_id=2, day=1, places_left=1, required_skills={})
    result = match(Problem([v1, v2], [great, plain], TEST_CONFIG))
    assert sorted(p.need_id for p in result.proposals) == [1, 2]
    flat = dataclasses.replace(TEST_CONFIG, fill_values=(1,))
    result = match(Problem([v1, v2], [great, plain], flat))
    assert sorted(p.need_id for p in result.proposals) == [1, 1]


def test_one_shift_per_day_and_volunteer_cap():
    v = vol(1, capacity=5)
    places = [place(i, day=0, start_h=8 + 2 * i) for i in range(1, 4)]
    places += [place(i, day=i - 3) for i in range(4, 8)]
    result = match(Problem([v], places, TEST_CONFIG))
    days = [next(p for p in places if p.id == q.place_id).start.date() for q in result.proposals]
    assert len(result.proposals) == TEST_CONFIG.max_shifts_per_volunteer
    assert len(set(days)) == len(days)


def test_places_left_respected():
    vols = [vol(i) for i in range(1, 6)]
    result = match(Problem(vols, [place(1, places_left=3)], TEST_CONFIG))
    assert len(result.proposals) == 3
    assert result.unfilled == ()


def test_empty_problem():
    result = match(Problem([], [], TEST_CONFIG))
    assert result.proposals == () and result.objective == 0
    result = match(Problem([vol()], [], TEST_CONFIG))
    assert result.proposals == ()
    result = match(Problem([], [place()], TEST_CONFIG))
    assert [d.code for d in result.unfilled] == ["no_skill"]


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**9))
def test_deterministic_and_order_independent(seed):
    problem = random_problem(seed, 10, 10)
    first = match(problem)
    again = match(problem)
    rnd = random.Random(seed)
    vols, places = list(problem.volunteers), list(problem.places)
    rnd.shuffle(vols)
    rnd.shuffle(places)
    shuffled = match(Problem(vols, places, problem.config, problem.coalition_institution_ids))
    for other in (again, shuffled):
        assert other.proposals == first.proposals
        assert other.unfilled == first.unfilled
        assert other.objective == first.objective


def test_deterministic_on_generated_instance():
    from matching.bench import generate_problem

    a = match(generate_problem(2000, 300, 5))
    b = match(generate_problem(2000, 300, 5))
    assert a.proposals == b.proposals and a.unfilled == b.unfilled
    assert len(a.proposals) > 50


def test_stats_are_filled():
    from matching.bench import generate_problem

    result = match(generate_problem(500, 100, 2))
    st_ = result.stats
    assert st_.volunteers == 500 and st_.pairs > 0 and st_.proposals == len(result.proposals)
    assert st_.seconds_total >= st_.seconds_solve >= 0
    assert st_.solver == "flow"


def test_unknown_solver_rejected():
    with pytest.raises(ValueError):
        match(Problem([vol()], [place()], TEST_CONFIG), solver="magic")


def test_config_cap_applies():
    cfg = MatchingConfig(max_shifts_per_volunteer=1)
    v = vol(1, capacity=3)
    result = match(Problem([v], [place(1, day=0), place(2, day=1)], cfg))
    assert len(result.proposals) == 1
