"""Choosing proposals: exact min-cost flow, the greedy baseline and the :func:`match` pipeline.

The model
---------
Maximise ``sum(score of chosen pairs) + sum over needs of fill(count of the need's proposals)``
where ``fill(c) = fill_values[0] + ... + fill_values[c-1]`` is concave, subject to

* a volunteer gets at most ``min(capacity, max_shifts_per_volunteer)`` shifts,
* a volunteer gets at most one shift per calendar day,
* a shift gets at most ``places_left`` volunteers, each pair at most once.

As a network (costs are negated values, so min cost = max value) each need offers its places;
a unit reaches the sink through a shift and a volunteer (a proposal, worth its score plus the
need's next fill value) or straight away (the place stays unfilled): :mod:`matching.flow`
draws it.  Concavity makes the dearest fill arcs carry flow first, which is what "everyone gets
somebody before anyone is full" means.  The constraint matrix is a network matrix, so the
shortest-path solve of :mod:`matching.ssp` (integer costs, node potentials as its certificate)
returns an exact integral optimum; :mod:`matching.cost_scaling` solves the same model with
OR-Tools as an independent check.

Day nodes are only created where they can bind (a volunteer with capacity >= 2 and >= 2
candidate shifts that day); elsewhere the pair arc goes to the volunteer node directly.  This
changes nothing about the optimum and saves most of those arcs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import numpy as np

from matching.candidates import BoolArray
from matching.candidates import IntArray
from matching.candidates import MatchingIndex
from matching.candidates import build_index
from matching.flow import SolveReport
from matching.flow import build_network
from matching.flow import initial_working_set
from matching.flow import solve_full
from matching.flow import solve_pruned
from matching.scoring import explain_pair
from matching.scoring import score_pairs
from matching.types import MatchResult
from matching.types import MatchStats
from matching.types import Problem
from matching.types import Proposal

__all__ = [
    "SolverName",
    "fill_total",
    "match",
    "optimise_flow",
    "optimise_greedy",
    "solve_greedy",
]

SolverName = Literal["flow", "pruned", "greedy"]


def fill_total(counts: IntArray, fill_values: Sequence[int]) -> int:
    """Sum over needs of the concave fill value of ``counts`` proposals per need."""
    values = np.asarray(fill_values, dtype=np.int64)
    prefix = np.concatenate(([0], np.cumsum(values)))
    length = values.size
    counts = np.asarray(counts, dtype=np.int64)
    head = prefix[np.minimum(counts, length)]
    tail = np.maximum(counts - length, 0) * values[-1]
    return int(head.sum() + tail.sum())


def optimise_flow(
    index: MatchingIndex,
    vi: IntArray,
    pi: IntArray,
    scores: IntArray,
    fill_values: Sequence[int] | None = None,
    *,
    prune: bool = False,
    report: SolveReport | None = None,
) -> BoolArray:
    """Exact optimum of the model above as a mask over the given pairs.

    By default every pair arc is in the network from the start.  With ``prune`` the solve
    starts on a working set of the best pairs and takes in the others the potentials price
    below zero, warm, until none is left (:mod:`matching.flow`).  Both give the same optimal
    objective.
    ``fill_values`` defaults to the config's curve; the benchmark passes a flat curve to show
    what the concave one buys.  ``report`` receives the rounds and arc counts.
    """
    fill = tuple(index.config.fill_values if fill_values is None else fill_values)
    if vi.size == 0:
        return np.zeros(0, dtype=bool)
    if prune:
        working = initial_working_set(index, vi, pi, scores)
        net = build_network(index, vi, pi, scores, fill, working)
        pair_flows, cost = solve_pruned(net, report)
    else:
        net = build_network(index, vi, pi, scores, fill)
        pair_flows, cost = solve_full(net, report)
    del net
    chosen = pair_flows > 0
    counts = np.bincount(index.p_need_idx[pi[chosen]], minlength=index.need_ids.size)
    value = int(scores[chosen].sum()) + fill_total(counts, fill)
    if value != -cost:
        raise RuntimeError("flow objective does not match the recomputed objective")
    return chosen


def optimise_greedy(
    index: MatchingIndex, vi: IntArray, pi: IntArray, scores: IntArray
) -> BoolArray:
    """Baseline: take pairs by descending score (ties: volunteer id, then place id) while
    every capacity allows.  Fast and simple, but blind to who else could fill a shift."""
    order = np.lexsort((index.p_ids[pi], index.v_ids[vi], -scores))
    chosen = np.zeros(vi.size, dtype=bool)
    cap_left = index.v_cap.tolist()
    place_left = index.p_left.tolist()
    used_days: set[tuple[int, int]] = set()
    v_list = vi[order].tolist()
    p_list = pi[order].tolist()
    day_list = index.p_day[pi[order]].tolist()
    take: list[int] = []
    for pos, (v, p, d) in enumerate(zip(v_list, p_list, day_list, strict=True)):
        if cap_left[v] <= 0 or place_left[p] <= 0 or (v, d) in used_days:
            continue
        cap_left[v] -= 1
        place_left[p] -= 1
        used_days.add((v, d))
        take.append(pos)
    chosen[order[np.asarray(take, dtype=np.int64)]] = True
    return chosen


def match(
    problem: Problem,
    *,
    solver: SolverName = "flow",
    index: MatchingIndex | None = None,
) -> MatchResult:
    """Run the whole pipeline: index, candidates, scores, optimisation, explanations,
    diagnostics.  Pass a prebuilt ``index`` (from :func:`build_index` on the same problem) to
    skip rebuilding it."""
    from matching.diagnostics import diagnose

    t0 = time.perf_counter()
    if index is None:
        index = build_index(problem)
    peaks: dict[str, float] = {"index": _peak_mb()}
    t1 = time.perf_counter()
    vi, pi = index.candidate_pairs()
    peaks["candidates"] = _peak_mb()
    t2 = time.perf_counter()
    scores = score_pairs(index, vi, pi)
    peaks["scoring"] = _peak_mb()
    t3 = time.perf_counter()
    report = SolveReport()
    if solver in ("flow", "pruned"):
        chosen = optimise_flow(index, vi, pi, scores, prune=solver == "pruned", report=report)
    elif solver == "greedy":
        chosen = optimise_greedy(index, vi, pi, scores)
    else:
        raise ValueError(f"unknown solver {solver!r}")
    peaks["solve"] = _peak_mb()
    t4 = time.perf_counter()
    proposals = _proposals(index, vi[chosen], pi[chosen], scores[chosen])
    peaks["explain"] = _peak_mb()
    t5 = time.perf_counter()
    unfilled = diagnose(index, vi, pi, chosen)
    peaks["diagnostics"] = _peak_mb()
    t6 = time.perf_counter()
    counts = np.bincount(index.p_need_idx[pi[chosen]], minlength=index.need_ids.size)
    score_sum = int(scores[chosen].sum())
    fill_sum = fill_total(counts, index.config.fill_values)
    stats = MatchStats(
        volunteers=index.n_volunteers,
        places=index.n_places,
        needs=int(index.need_ids.size),
        pairs=int(vi.size),
        proposals=len(proposals),
        needs_with_proposal=int((counts > 0).sum()),
        solver=solver,
        seconds_index=t1 - t0,
        seconds_candidates=t2 - t1,
        seconds_scoring=t3 - t2,
        seconds_solve=t4 - t3,
        seconds_explain=t5 - t4,
        seconds_diagnostics=t6 - t5,
        seconds_total=t6 - t0,
        solve_rounds=report.rounds,
        solve_pair_arcs=report.pair_arcs,
        repair_arcs_added=tuple(report.arcs_added),
        peak_mb_by_phase=peaks,
    )
    return MatchResult(
        proposals=proposals,
        unfilled=unfilled,
        objective=score_sum + fill_sum,
        score_total=score_sum,
        fill_total=fill_sum,
        stats=stats,
    )


def _peak_mb() -> float:
    """Peak resident set of the process in MiB (``ru_maxrss`` is in KiB on Linux); 0 where
    the platform has no ``resource`` module."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def solve_greedy(problem: Problem, *, index: MatchingIndex | None = None) -> MatchResult:
    """The greedy baseline through the same pipeline (same candidates, scores, diagnostics)."""
    return match(problem, solver="greedy", index=index)


def _proposals(
    index: MatchingIndex, vi: IntArray, pi: IntArray, scores: IntArray
) -> tuple[Proposal, ...]:
    """Explained proposals sorted by (need id, place id, volunteer id).

    Re-deriving each score from the dataclasses doubles as a consistency check between the
    vectorised scorer and the explanation: a mismatch is a bug, so it raises.
    """
    order = np.lexsort((index.v_ids[vi], index.p_ids[pi], index.p_need[pi]))
    out: list[Proposal] = []
    cfg, coalition = index.config, index.coalition_institution_ids
    for v, p, s in zip(vi[order].tolist(), pi[order].tolist(), scores[order].tolist(), strict=True):
        volunteer, place = index.volunteers[v], index.places[p]
        total, reasons = explain_pair(volunteer, place, cfg, coalition)
        if total != s:
            raise RuntimeError(
                f"score mismatch for volunteer {volunteer.id}, place {place.id}: {total} != {s}"
            )
        out.append(Proposal(volunteer.id, place.id, place.need_id, total, reasons))
    return tuple(out)
