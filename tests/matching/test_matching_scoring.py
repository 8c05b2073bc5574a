"""Scores: table-driven terms, and the vectorised scorer equals the explanation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from matching_testkit import TEST_CONFIG
from matching_testkit import place
from matching_testkit import random_problem
from matching_testkit import vol

from matching import MatchingConfig
from matching import NeedKind
from matching import Problem
from matching import build_index
from matching import explain_pair
from matching import score_pairs

CFG = MatchingConfig(
    required_skill_points=10,
    level_above_min_points=8,
    nice_skill_points=6,
    interest_points=5,
    max_interest_tags=2,
    preferred_institution_points=15,
    continuity_points=25,
    new_institution_points=12,
    reliability_points=20,
)
NEUTRAL = dict(reliability=0.0, served_institution_ids=frozenset({1}))

CASES = [
    # name, volunteer kwargs, place kwargs, expected {code: points}
    ("skill at minimum", dict(skills={1: 1}), dict(), {"skill_level": 10}),
    ("skill two above", dict(skills={1: 3}), dict(), {"skill_level": 26}),
    (
        "two skills",
        dict(skills={1: 2, 2: 2}),
        dict(required_skills={1: 1, 2: 2}),
        {"skill_level": 18 + 10},
    ),
    (
        "nice skill held",
        dict(skills={1: 1, 5: 1}),
        dict(nice_skills=frozenset({5, 6})),
        {"skill_level": 10, "nice_skill": 6},
    ),
    (
        "interests capped",
        dict(skills={1: 1}, interests=frozenset("abc")),
        dict(interests=frozenset("abcd")),
        {"skill_level": 10, "interests": 10},
    ),
    (
        "preferred via co-host",
        dict(skills={1: 1}, preferred_institution_ids=frozenset({9})),
        dict(co_host_institution_ids=frozenset({9})),
        {"skill_level": 10, "preferred_institution": 15},
    ),
    (
        "continuity on long-term",
        dict(skills={1: 1}, long_term_institution_ids=frozenset({1})),
        dict(kind=NeedKind.LONG_TERM),
        {"skill_level": 10, "continuity": 25},
    ),
    (
        "no continuity on one-off",
        dict(skills={1: 1}, long_term_institution_ids=frozenset({1})),
        dict(kind=NeedKind.ONE_OFF),
        {"skill_level": 10},
    ),
    (
        "new coalition institution",
        dict(skills={1: 1}, served_institution_ids=frozenset({2})),
        dict(institution_id=1),
        {"skill_level": 10, "new_institution": 12},
    ),
    (
        "new but outside coalition",
        dict(skills={1: 1}, served_institution_ids=frozenset()),
        dict(institution_id=7),
        {"skill_level": 10},
    ),
    (
        "reliability rounds half up",
        dict(skills={1: 1}, reliability=0.525),
        dict(),
        {"skill_level": 10, "reliability": 11},
    ),
    ("no skills required", dict(skills={}), dict(required_skills={}), {}),
]


@pytest.mark.parametrize(("name", "vkw", "pkw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_score_terms_table(name, vkw, pkw, expected):
    v = vol(**{**NEUTRAL, **vkw})
    p = place(**pkw)
    coalition = frozenset({1, 2})
    total, reasons = explain_pair(v, p, CFG, coalition)
    got: dict[str, int] = {}
    for r in reasons:
        got[r.code] = got.get(r.code, 0) + r.points
    assert got == expected
    assert total == sum(expected.values())
    ix = build_index(Problem([v], [p], CFG, coalition))
    vi, pi = ix.candidate_pairs()
    assert score_pairs(ix, vi, pi).tolist() == [total]


def test_reason_params_are_stable():
    v = vol(skills={1: 3}, reliability=0.8)
    _, reasons = explain_pair(v, place(required_skills={1: 2}), CFG, None)
    assert reasons[0].code == "skill_level"
    assert reasons[0].params == {"skill_id": 1, "level": 3, "min_level": 2}
    assert reasons[-1].code == "reliability" and reasons[-1].params == {"reliability": 0.8}


def test_a_newcomers_reliability_is_the_prior_and_says_so():
    newcomer = vol(skills={1: 3}, reliability=0.5, shifts_on_record=0)
    _, reasons = explain_pair(newcomer, place(required_skills={1: 2}), CFG, None)
    assert reasons[-1].params == {"reliability": 0.5, "newcomer": True}
    known = vol(skills={1: 3}, reliability=0.5, shifts_on_record=4)
    _, reasons = explain_pair(known, place(required_skills={1: 2}), CFG, None)
    assert reasons[-1].params == {"reliability": 0.5}


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9))
def test_vectorised_scores_equal_explanations(seed):
    problem = random_problem(seed, 8, 8)
    ix = build_index(problem)
    vi, pi = ix.candidate_pairs()
    scores = score_pairs(ix, vi, pi)
    assert (scores >= 0).all()
    for a, b, s in zip(vi.tolist(), pi.tolist(), scores.tolist(), strict=True):
        total, reasons = explain_pair(
            ix.volunteers[a], ix.places[b], problem.config, problem.coalition_institution_ids
        )
        assert total == s == sum(r.points for r in reasons)


def test_scores_on_generated_instance_match_explanations():
    from matching.bench import generate_problem

    problem = generate_problem(3000, 300, seed=3)
    ix = build_index(problem)
    vi, pi = ix.candidate_pairs()
    assert vi.size > 200
    scores = score_pairs(ix, vi, pi)
    pick = np.random.default_rng(0).choice(vi.size, 200, replace=False)
    for k in pick.tolist():
        total, _ = explain_pair(
            ix.volunteers[vi[k]],
            ix.places[pi[k]],
            problem.config,
            problem.coalition_institution_ids,
        )
        assert total == scores[k]


def test_test_config_is_valid():
    TEST_CONFIG.validate()


def test_scoring_in_blocks_equals_one_block(monkeypatch):
    from matching import scoring
    from matching.bench import generate_problem

    ix = build_index(generate_problem(1500, 250, 4))
    vi, pi = ix.candidate_pairs()
    whole = scoring.score_pairs(ix, vi, pi)
    monkeypatch.setattr(scoring, "_SCORE_BLOCK", 37)
    assert vi.size > 37 * 3
    assert (scoring.score_pairs(ix, vi, pi) == whole).all()
