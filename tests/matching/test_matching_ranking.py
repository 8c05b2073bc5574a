"""Ranking helpers agree with the index and the scores, and are fast."""

from __future__ import annotations

import time

import numpy as np
import pytest
from matching_testkit import TEST_CONFIG
from matching_testkit import place
from matching_testkit import random_problem
from matching_testkit import vol

from matching import Problem
from matching import best_candidates_for_need
from matching import best_candidates_for_place
from matching import best_places_for_volunteer
from matching import build_index
from matching import score_pairs


@pytest.mark.parametrize("seed", range(8))
def test_rankings_agree_with_candidates_and_scores(seed):
    problem = random_problem(seed, 10, 10)
    ix = build_index(problem)
    vi, pi = ix.candidate_pairs()
    scores = score_pairs(ix, vi, pi)
    by_pair = {
        (int(ix.v_ids[a]), int(ix.p_ids[b])): int(s) for a, b, s in zip(vi, pi, scores, strict=True)
    }
    for p in problem.places:
        ranked = best_candidates_for_place(ix, p.id, limit=None)
        if p.places_left > 0:
            assert {(r.volunteer_id, r.place_id) for r in ranked} == {
                k for k in by_pair if k[1] == p.id
            }
        for r in ranked:
            if p.places_left > 0:
                assert r.score == by_pair[(r.volunteer_id, r.place_id)]
        assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    for v in problem.volunteers:
        ranked = best_places_for_volunteer(ix, v.id, limit=None)
        assert {(r.volunteer_id, r.place_id): r.score for r in ranked} == {
            k: s for k, s in by_pair.items() if k[0] == v.id
        }
        assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_limit_and_tie_break_by_id():
    vols = [vol(i) for i in (5, 3, 9)]
    ix = build_index(Problem(vols, [place(1)], TEST_CONFIG))
    ranked = best_candidates_for_place(ix, 1, limit=2)
    assert [r.volunteer_id for r in ranked] == [3, 5]


def test_best_candidates_for_need_dedupes_volunteers():
    ix = build_index(
        Problem([vol(1), vol(2)], [place(1, need_id=7), place(2, need_id=7, day=1)], TEST_CONFIG)
    )
    ranked = best_candidates_for_need(ix, 7)
    assert sorted(r.volunteer_id for r in ranked) == [1, 2]
    with pytest.raises(KeyError):
        best_candidates_for_need(ix, 99)
    with pytest.raises(KeyError):
        best_places_for_volunteer(ix, 99)


def test_volunteer_without_capacity_gets_nothing():
    ix = build_index(Problem([vol(1, capacity=0)], [place(1)], TEST_CONFIG))
    assert best_places_for_volunteer(ix, 1) == []
    assert best_candidates_for_place(ix, 1) == []


def test_rankings_are_fast_on_a_large_instance():
    from matching.bench import generate_problem

    problem = generate_problem(30_000, 3_000, seed=7)
    ix = build_index(problem)
    rng = np.random.default_rng(1)
    place_ids = rng.choice(ix.p_ids, 50)
    vol_ids = rng.choice(ix.v_ids, 50)
    t = time.perf_counter()
    for pid in place_ids.tolist():
        best_candidates_for_place(ix, pid)
    for vid in vol_ids.tolist():
        best_places_for_volunteer(ix, vid)
    per_call = (time.perf_counter() - t) / 100
    assert per_call < 0.05, per_call


@pytest.mark.parametrize("seed", range(8))
def test_ranking_a_few_rows_pair_by_pair_agrees_with_the_index(seed):
    """`rank_pairs`, which pages use over the few rows they read, gives the index helpers'
    answers: the same pairs, scores, reasons and order."""
    from matching import rank_pairs

    problem = random_problem(seed, 10, 10)
    ix = build_index(problem)
    coalition = problem.coalition_institution_ids
    for p in problem.places:
        if p.places_left > 0:
            assert rank_pairs(
                problem.volunteers, [p], problem.config, coalition, limit=None
            ) == best_candidates_for_place(ix, p.id, limit=None)
    for v in problem.volunteers:
        assert rank_pairs(
            [v], problem.places, problem.config, coalition, limit=None
        ) == best_places_for_volunteer(ix, v.id, limit=None)
    assert len(rank_pairs(problem.volunteers, problem.places, problem.config, limit=3)) <= 3
