"""Integer scores of feasible pairs, vectorised for the solver and explained for people.

:func:`score_pairs` computes the score of millions of pairs with numpy; :func:`explain_pair`
recomputes the score of one pair from the dataclasses as a list of :class:`Reason` terms.  The
two are independent implementations of the same formula (documented on
:class:`~matching.config.MatchingConfig`); :func:`matching.solver.match` checks that they agree
for every proposal, and the tests check it for every candidate pair of random instances, so an
explanation can never silently disagree with the number the optimiser used.

Explanations are only built for pairs somebody will look at (proposals, ranking results):
creating Python objects for every candidate pair would dominate the run time.
"""

from __future__ import annotations

import numpy as np

from matching.candidates import IntArray
from matching.candidates import MatchingIndex
from matching.candidates import _in_sorted
from matching.candidates import _pair_key
from matching.config import MatchingConfig
from matching.types import NeedKind
from matching.types import Place
from matching.types import Reason
from matching.types import Volunteer

__all__ = ["explain_pair", "score_pairs"]


#: Pairs scored at once: every term needs a few temporaries of this length (memory guard).
_SCORE_BLOCK = 1 << 19


def score_pairs(index: MatchingIndex, vi: IntArray, pi: IntArray) -> IntArray:
    """Scores (int64) of the pairs ``(vi[k], pi[k])`` of volunteer and place indices.

    Assumes the pairs are feasible: required-skill points are added for every required skill.
    Millions of pairs are scored in blocks so the temporaries stay small.
    """
    if vi.size <= _SCORE_BLOCK:
        return _score_block(index, vi, pi)
    out = np.empty(vi.size, dtype=np.int64)
    for b0 in range(0, vi.size, _SCORE_BLOCK):
        b1 = min(vi.size, b0 + _SCORE_BLOCK)
        out[b0:b1] = _score_block(index, vi[b0:b1], pi[b0:b1])
    return out


def _score_block(index: MatchingIndex, vi: IntArray, pi: IntArray) -> IntArray:
    cfg = index.config
    n = vi.size
    score = np.zeros(n, dtype=np.int64)
    if n == 0:
        return score
    flat = index.levels.reshape(-1)
    vbase = vi.astype(np.int64) * index.n_skill_cols
    for j in range(index.p_req.shape[1]):
        req_min = index.p_req_min[pi, j]
        level = flat[vbase + index.p_req[pi, j]].astype(np.int64)
        present = req_min > 0
        score += np.where(
            present,
            cfg.required_skill_points + cfg.level_above_min_points * (level - req_min),
            0,
        )
    for j in range(index.p_nice.shape[1]):
        held = flat[vbase + index.p_nice[pi, j]] > 0
        score += held * cfg.nice_skill_points
    if cfg.interest_points and cfg.max_interest_tags:
        common = np.zeros(n, dtype=np.int64)
        for w in range(index.v_tags.shape[1]):
            common += np.bitwise_count(index.v_tags[vi, w] & index.p_tags[pi, w])
        score += np.minimum(common, cfg.max_interest_tags) * cfg.interest_points
    inst_key = _pair_key(vi, index.p_inst[pi])
    if cfg.preferred_institution_points and index.preferred_keys.size:
        preferred = _in_sorted(index.preferred_keys, inst_key)
        for j in range(index.p_cohosts.shape[1]):
            host = index.p_cohosts[pi, j]
            has_host = host >= 0
            preferred |= has_host & _in_sorted(
                index.preferred_keys, _pair_key(vi, np.where(has_host, host, 0))
            )
        score += preferred * cfg.preferred_institution_points
    if cfg.continuity_points and index.long_term_keys.size:
        cont = index.p_long_term[pi] & _in_sorted(index.long_term_keys, inst_key)
        score += cont * cfg.continuity_points
    if cfg.new_institution_points:
        new = index.p_coalition[pi] & ~_in_sorted(index.served_keys, inst_key)
        score += new * cfg.new_institution_points
    score += index.v_rel_points[vi]
    return score


def explain_pair(
    volunteer: Volunteer,
    place: Place,
    config: MatchingConfig,
    coalition_institution_ids: frozenset[int] | None = None,
) -> tuple[int, tuple[Reason, ...]]:
    """Score of one (assumed feasible) pair and the reasons that make it up.

    Reasons come in a fixed order (required skills by id, required qualifications by id, nice
    skills by id, interests, preferred institution, continuity, new institution, reliability)
    and terms worth 0 points are left out, except the required qualifications, so the list
    reads as "why this person fits".
    """
    reasons: list[Reason] = []
    for skill_id, min_level in sorted(place.required_skills.items()):
        level = volunteer.skills.get(skill_id, 0)
        points = config.required_skill_points + config.level_above_min_points * (level - min_level)
        reasons.append(
            Reason(
                "skill_level",
                {"skill_id": skill_id, "level": level, "min_level": min_level},
                points,
            )
        )
    for qualification_id in sorted(place.required_qualifications):
        # Worth no points, as every candidate holds it: said so that people see why they fit.
        until = volunteer.qualifications.get(qualification_id)
        reasons.append(
            Reason(
                "qualification",
                {
                    "qualification_id": qualification_id,
                    "valid_until": until.isoformat() if until else None,
                },
            )
        )
    if config.nice_skill_points:
        for skill_id in sorted(place.nice_skills):
            level = volunteer.skills.get(skill_id, 0)
            if level > 0:
                reasons.append(
                    Reason(
                        "nice_skill",
                        {"skill_id": skill_id, "level": level},
                        config.nice_skill_points,
                    )
                )
    common = sorted(volunteer.interests & place.interests)
    if common and config.interest_points and config.max_interest_tags:
        counted = min(len(common), config.max_interest_tags)
        reasons.append(
            Reason(
                "interests",
                {"tags": common, "count": len(common), "counted": counted},
                counted * config.interest_points,
            )
        )
    hosts = [place.institution_id, *sorted(place.co_host_institution_ids)]
    liked = [h for h in hosts if h in volunteer.preferred_institution_ids]
    if liked and config.preferred_institution_points:
        reasons.append(
            Reason(
                "preferred_institution",
                {"institution_id": liked[0]},
                config.preferred_institution_points,
            )
        )
    if (
        config.continuity_points
        and place.kind == NeedKind.LONG_TERM
        and place.institution_id in volunteer.long_term_institution_ids
    ):
        reasons.append(
            Reason(
                "continuity",
                {"institution_id": place.institution_id},
                config.continuity_points,
            )
        )
    in_coalition = (
        coalition_institution_ids is None or place.institution_id in coalition_institution_ids
    )
    served = (
        place.institution_id in volunteer.served_institution_ids
        or place.institution_id in volunteer.long_term_institution_ids
    )
    if config.new_institution_points and in_coalition and not served:
        reasons.append(
            Reason(
                "new_institution",
                {"institution_id": place.institution_id},
                config.new_institution_points,
            )
        )
    rel_points = config.reliability_score(volunteer.reliability)
    if rel_points:
        params: dict[str, object] = {
            "reliability": round(min(max(float(volunteer.reliability), 0.0), 1.0), 2)
        }
        if volunteer.shifts_on_record == 0:
            params["newcomer"] = True  # the prior, not a record: said so, not as a percentage
        reasons.append(Reason("reliability", params, rel_points))
    return sum(r.points for r in reasons), tuple(reasons)
