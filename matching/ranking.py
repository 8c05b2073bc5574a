"""Ranking helpers for staff and volunteer pages, answering in milliseconds.

They use the same :class:`~matching.candidates.MatchingIndex`, feasibility rules and scores as
a full run, so "best candidates for this shift" never contradicts what the matcher would
propose.  They ignore the run-wide constraints (other proposals, one shift per day): they
answer "who fits here?", not "who will be proposed here?".  Build the index once (e.g. per
request batch or cached for a few minutes) and call these as often as needed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from matching.candidates import IntArray
from matching.candidates import MatchingIndex
from matching.candidates import is_feasible
from matching.config import MatchingConfig
from matching.scoring import explain_pair
from matching.scoring import score_pairs
from matching.types import Place
from matching.types import Proposal
from matching.types import Volunteer

__all__ = [
    "best_candidates_for_need",
    "best_candidates_for_place",
    "best_places_for_volunteer",
    "rank_pairs",
]


def _order(index: MatchingIndex, vi: IntArray, pi: IntArray) -> IntArray:
    """Pair positions by (-score, volunteer id, place id): deterministic best-first order."""
    scores = score_pairs(index, vi, pi)
    return np.lexsort((index.p_ids[pi], index.v_ids[vi], -scores))


def _explain(index: MatchingIndex, vi: IntArray, pi: IntArray) -> list[Proposal]:
    """Proposals (with reasons) for the given pairs, in the given order."""
    out: list[Proposal] = []
    for v, p in zip(vi.tolist(), pi.tolist(), strict=True):
        volunteer, place = index.volunteers[v], index.places[p]
        total, reasons = explain_pair(
            volunteer, place, index.config, index.coalition_institution_ids
        )
        out.append(Proposal(volunteer.id, place.id, place.need_id, total, reasons))
    return out


def _top(index: MatchingIndex, vi: IntArray, pi: IntArray, limit: int | None) -> list[Proposal]:
    """The best ``limit`` pairs, explained (only those get Python objects)."""
    order = _order(index, vi, pi)
    if limit is not None:
        order = order[: max(0, limit)]
    return _explain(index, vi[order], pi[order])


def best_candidates_for_place(
    index: MatchingIndex, place_id: int, limit: int | None = 10
) -> list[Proposal]:
    """Feasible volunteers for one shift, best first (``limit=None`` for all).

    Raises ``KeyError`` for an unknown place id.  ``places_left`` is not looked at, so staff
    can also see who would fit a shift that is already full.
    """
    p = index.place_pos[place_id]
    vi = index.volunteers_for_place(p)
    return _top(index, vi, np.full(vi.size, p, dtype=np.int64), limit)


def best_candidates_for_need(
    index: MatchingIndex, need_id: int, limit: int | None = 10
) -> list[Proposal]:
    """Best volunteers for any shift of a need: one entry per volunteer (their best shift)."""
    places = np.flatnonzero(index.p_need == need_id)
    if places.size == 0:
        raise KeyError(need_id)
    found = [(index.volunteers_for_place(int(p)), int(p)) for p in places.tolist()]
    vi = np.concatenate([v for v, _ in found])
    pi = np.concatenate([np.full(v.size, p, dtype=np.int64) for v, p in found])
    order = _order(index, vi, pi)
    # First occurrence of each volunteer in best-first order = their best shift.
    _, first = np.unique(vi[order], return_index=True)
    order = order[np.sort(first)]
    if limit is not None:
        order = order[: max(0, limit)]
    return _explain(index, vi[order], pi[order])


def best_places_for_volunteer(
    index: MatchingIndex, volunteer_id: int, limit: int | None = 10
) -> list[Proposal]:
    """Open shifts (``places_left > 0``) the volunteer could take, best first.

    Raises ``KeyError`` for an unknown volunteer id; a volunteer without run capacity gets [].
    """
    v = index.volunteer_pos[volunteer_id]
    pi = index.places_for_volunteer(v)
    return _top(index, np.full(pi.size, v, dtype=np.int64), pi, limit)


def rank_pairs(
    volunteers: Iterable[Volunteer],
    places: Iterable[Place],
    config: MatchingConfig,
    coalition_institution_ids: frozenset[int] | None = None,
    limit: int | None = 10,
) -> list[Proposal]:
    """Feasible pairs of a few volunteers and places, best first, with their reasons.

    The pure-Python rules and scores (:func:`~matching.candidates.is_feasible`,
    :func:`~matching.scoring.explain_pair`) in the same order as the index helpers above
    (-score, volunteer id, place id): for a page that has read a few dozen volunteers or a few
    hundred places, building an index costs more than asking every pair. Places with no place
    left are skipped, as :func:`best_places_for_volunteer` does.
    """
    found: list[Proposal] = []
    open_places = [p for p in places if p.places_left > 0]
    for volunteer in volunteers:
        for place in open_places:
            if is_feasible(volunteer, place, config):
                total, reasons = explain_pair(volunteer, place, config, coalition_institution_ids)
                found.append(Proposal(volunteer.id, place.id, place.need_id, total, reasons))
    found.sort(key=lambda p: (-p.score, p.volunteer_id, p.place_id))
    return found if limit is None else found[: max(0, limit)]
