"""The run's network for :mod:`matching.ssp`, solved whole or on a pruned set of pair arcs.

Orientation: flow starts where places are, because places are what a run fills.  Each need
offers its capacity at a *need supply* node; one unit of it reaches the sink either through a
shift and a volunteer (the proposal) or straight away (the place stays unfilled)::

    need supply -> need      parallel fill arcs: k-th cap 1, cost -fill_values[k]; the last
                             carries the rest of the need's capacity at the last value
    need supply -> sink      cap = need capacity, cost 0       (the place stays unfilled)
    need -> shift            cap = places_left
    shift -> volunteer       cap 1, cost -score   (one per candidate pair; through the
                             volunteer's day node where the one-shift-a-day rule can bind)
    day -> volunteer         cap 1
    volunteer -> sink        cap = run capacity

Minimum cost is maximum ``scores + fill``, the model of :mod:`matching.solver`.

:func:`solve_pruned` starts with the pair arcs of a *working set* (the best few per shift and
per volunteer) and, once every supply is routed, prices the left-out arcs with the
potentials.  An arc priced below zero could improve the answer: it joins with one unit of flow
(which keeps every reduced cost non-negative) and the imbalance it leaves is routed by the
same shortest-path searches, warm, from where the solve was.  When no left-out arc is priced
below zero the potentials certify the optimum over every candidate pair, so both variants give
the same optimal objective.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

import numpy as np

from matching.candidates import IntArray
from matching.candidates import MatchingIndex

if TYPE_CHECKING:
    from matching.ssp import Residual

__all__ = [
    "RunNetwork",
    "SolveReport",
    "build_network",
    "initial_working_set",
    "solve_full",
    "solve_pruned",
]

#: Working set per shift: ``PLACE_K_PER_SEAT * places_left + PLACE_K_EXTRA`` best arcs.
PLACE_K_PER_SEAT = 2
PLACE_K_EXTRA = 4
#: Working set per volunteer: ``VOLUNTEER_K_PER_SHIFT * capacity + VOLUNTEER_K_EXTRA`` best arcs.
VOLUNTEER_K_PER_SHIFT = 1
VOLUNTEER_K_EXTRA = 1
#: Each round adds at least one arc, so the loop ends; this turns a bug into an error.
MAX_ROUNDS = 200
#: Arcs priced just above zero often turn negative once the violators are in: they are enabled
#: early (with no flow, which needs no repair) to save rounds.
REPAIR_MARGIN = 4


@dataclass
class SolveReport:
    """What the solve did: rounds, the pair arcs of the last round, arcs added by repairs."""

    rounds: int = 0
    pair_arcs: int = 0
    pair_arcs_total: int = 0
    arcs_added: list[int] = field(default_factory=list)
    searches: int = 0

    @property
    def repaired(self) -> bool:
        return any(self.arcs_added)


@dataclass(eq=False)
class RunNetwork:
    """The residual network plus where its blocks are: pair arc ``k`` is candidate pair ``k``,
    and ``arc_order`` lists the arcs layer by layer (for the first potentials)."""

    residual: Residual
    n_pairs: int
    sources: IntArray = field(repr=False)
    arc_order: IntArray = field(repr=False)
    start_balance: IntArray = field(repr=False)
    #: arc ranges of the (day -> volunteer) and (volunteer -> sink) blocks
    day_arcs: tuple[int, int] = (0, 0)
    vol_arcs: tuple[int, int] = (0, 0)


def _tighten(net: RunNetwork) -> None:
    """Lower the potentials of volunteers and day nodes that carry no flow as far as their
    arcs allow (a free volunteer down to the sink's).  The enabled arcs stay priced >= 0, and
    the left-out arcs into those nodes get the best price they can have, so that pricing
    finds only arcs that really could improve the answer instead of arcs into nodes the
    searches never reached."""
    res = net.residual
    v0, v1 = net.vol_arcs
    free = res.flow[v0:v1] == 0
    res.potential[res.tail[v0:v1][free]] = res.potential[0]
    d0, d1 = net.day_arcs
    idle = res.flow[d0:d1] == 0
    res.potential[res.tail[d0:d1][idle]] = res.potential[res.head[d0:d1][idle]]


def volunteer_side(
    index: MatchingIndex, vi: IntArray, pi: IntArray, vol0: int, day0_node: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Head node of each pair arc, plus the (day node, volunteer node) arcs that are needed.

    Day nodes exist only where the one-shift-a-day rule can bind: a volunteer with run
    capacity >= 2 and >= 2 candidate shifts that day.
    """
    day = index.p_day[pi]
    first = int(day.min())
    span = int(day.max()) - first + 1
    key = vi.astype(np.int64) * span + (day - first)
    del day
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    del key
    group_vol = uniq // span
    needs_node = (counts >= 2) & (index.v_cap[group_vol] >= 2)
    node_of_group = np.full(uniq.size, -1, dtype=np.int64)
    n_day = int(needs_node.sum())
    node_of_group[needs_node] = day0_node + np.arange(n_day)
    heads = node_of_group[inverse]
    del inverse
    direct = heads < 0
    heads[direct] = vol0 + vi[direct]
    return heads, node_of_group[needs_node], vol0 + group_vol[needs_node]


@dataclass(frozen=True, eq=False)
class Structure:
    """What both orientations of the network share: the volunteers and shifts that have a
    candidate pair, each need's capacity, and the need's parallel fill arcs (the k-th has
    cap 1 and the k-th fill value; the last carries the rest of the need at the last value)."""

    vols: IntArray
    places: IntArray
    needs: IntArray
    need_cap: IntArray
    fill_need: IntArray
    fill_cost: IntArray
    fill_cap: IntArray


def structure(index: MatchingIndex, vi: IntArray, pi: IntArray, fill: Sequence[int]) -> Structure:
    vols = np.flatnonzero(np.bincount(vi, minlength=index.n_volunteers))
    places = np.flatnonzero(np.bincount(pi, minlength=index.n_places))
    n_n = int(index.need_ids.size)
    weights = index.p_left[places]
    need_cap = np.bincount(index.p_need_idx[places], weights=weights, minlength=n_n)
    need_cap = need_cap.astype(np.int64)
    needs = np.flatnonzero(need_cap)
    length = len(fill)
    per_need = np.minimum(need_cap[needs], length)
    fill_need = np.repeat(needs, per_need)
    k = np.arange(fill_need.size) - np.repeat(np.cumsum(per_need) - per_need, per_need)
    return Structure(
        vols=vols,
        places=places,
        needs=needs,
        need_cap=need_cap,
        fill_need=fill_need,
        fill_cost=-np.asarray(fill, dtype=np.int64)[k],
        fill_cap=np.where(k < length - 1, 1, need_cap[fill_need] - (length - 1)),
    )


def build_network(
    index: MatchingIndex,
    vi: IntArray,
    pi: IntArray,
    scores: IntArray,
    fill_values: Sequence[int],
    working: IntArray | None = None,
) -> RunNetwork:
    """The network described above; with ``working``, only those pair arcs are enabled."""
    # numba loads only where a run solves, not in every web process that imports the library
    from matching.ssp import build_residual

    fill = tuple(fill_values)
    n_pairs = vi.size
    n_v, n_p, n_n = index.n_volunteers, index.n_places, int(index.need_ids.size)
    sink = 0
    supply0 = 1
    need0 = supply0 + n_n
    place0 = need0 + n_n
    vol0 = place0 + n_p
    day0 = vol0 + n_v
    pair_heads, day_tails, day_heads = volunteer_side(index, vi, pi, vol0, day0)
    n_nodes = day0 + day_tails.size

    st = structure(index, vi, pi, fill)
    vols, places, needs, need_cap = st.vols, st.places, st.needs, st.need_cap
    place_need, fill_need = index.p_need_idx[places], st.fill_need

    blocks = (
        # (tails, heads, costs, caps) in layer order of the tails; pair arcs are listed first
        # in the arrays (so pair k is arc k) but relaxed after the need and shift arcs.
        (place0 + pi, pair_heads, -scores, np.ones(n_pairs, dtype=np.int64)),
        (supply0 + fill_need, need0 + fill_need, st.fill_cost, st.fill_cap),
        (supply0 + needs, np.full(needs.size, sink), np.zeros(needs.size), need_cap[needs]),
        (need0 + place_need, place0 + places, np.zeros(places.size), index.p_left[places]),
        (day_tails, day_heads, np.zeros(day_tails.size), np.ones(day_tails.size)),
        (vol0 + vols, np.full(vols.size, sink), np.zeros(vols.size), index.v_cap[vols]),
    )
    sizes = [b[0].size for b in blocks]
    starts = np.concatenate(([0], np.cumsum(sizes)))
    tail = np.concatenate([b[0].astype(np.int32) for b in blocks])
    head = np.concatenate([b[1].astype(np.int32) for b in blocks])
    cost = np.concatenate([np.asarray(b[2], dtype=np.int64) for b in blocks])
    cap = np.concatenate([np.asarray(b[3], dtype=np.int32) for b in blocks])
    del pair_heads, blocks
    balance = np.zeros(n_nodes, dtype=np.int64)
    balance[supply0 + needs] = need_cap[needs]
    balance[sink] = -int(need_cap.sum())
    enabled = None
    if working is not None:
        enabled = np.ones(tail.size, dtype=np.bool_)
        enabled[:n_pairs] = False
        enabled[working] = True
    residual = build_residual(n_nodes, tail, head, cost, cap, balance, enabled)
    layer = [np.arange(starts[b], starts[b + 1]) for b in (1, 2, 3, 0, 4, 5)]
    return RunNetwork(
        residual=residual,
        n_pairs=n_pairs,
        sources=supply0 + needs,
        arc_order=np.concatenate(layer),
        start_balance=balance.copy(),
        day_arcs=(int(starts[4]), int(starts[5])),
        vol_arcs=(int(starts[5]), int(starts[6])),
    )


def _restart(net: RunNetwork) -> None:
    """Back to the zero flow, with every need's supply waiting to be routed again."""
    net.residual.flow[:] = 0
    net.residual.balance[:] = net.start_balance


def _result(net: RunNetwork) -> tuple[IntArray, int]:
    from matching.ssp import check_optimal

    res = net.residual
    check_optimal(res)
    cost = int((res.cost * res.flow).sum())
    return res.flow[: net.n_pairs].astype(np.int64), cost


def solve_full(net: RunNetwork, report: SolveReport | None = None) -> tuple[IntArray, int]:
    """Pair-arc flows and optimal cost with every pair arc in from the start."""
    from matching.ssp import continue_flow  # numba loads only where a run solves
    from matching.ssp import initial_potentials  # numba loads only where a run solves

    initial_potentials(net.residual, net.arc_order)
    continue_flow(net.residual, net.sources)
    if report is not None:
        report.rounds, report.pair_arcs = 1, net.n_pairs
        report.pair_arcs_total, report.searches = net.n_pairs, net.residual.searches
    return _result(net)


def solve_pruned(net: RunNetwork, report: SolveReport | None = None) -> tuple[IntArray, int]:
    """Pair-arc flows and optimal cost of the whole network, solving on the enabled pair
    arcs and adding back every arc the potentials price below zero until none is left."""
    from matching.ssp import continue_flow  # numba loads only where a run solves
    from matching.ssp import initial_potentials  # numba loads only where a run solves
    from matching.ssp import reduced_costs  # numba loads only where a run solves

    report = report if report is not None else SolveReport()
    res, n = net.residual, net.n_pairs
    report.pair_arcs_total = n
    initial_potentials(res, net.arc_order)
    continue_flow(res, net.sources)
    for _ in range(MAX_ROUNDS):
        report.rounds += 1
        _tighten(net)
        outside = np.flatnonzero(~res.enabled[:n])
        priced = reduced_costs(res, outside)
        wrong = outside[priced < 0]
        if wrong.size == 0:
            report.pair_arcs = int(n - outside.size)
            report.searches = res.searches
            return _result(net)
        near = outside[priced < REPAIR_MARGIN]
        report.arcs_added.append(int(near.size))
        # Arcs priced below zero break the potentials' promise, and routing round them one
        # by one goes through the sink, which every search would then have to cross: the
        # enlarged set is solved again from the zero flow instead, which costs one solve.
        res.enabled[near] = True
        _restart(net)
        initial_potentials(res, net.arc_order)
        continue_flow(res, net.sources)
    raise RuntimeError("the repair loop did not converge")


def _rank_in_groups(groups: IntArray, scores: IntArray, n_groups: int) -> IntArray:
    """Rank (0 = best score) of each item within its group; ties keep input order."""
    top = int(scores.max(initial=0)) + 1
    key = groups.astype(np.int64) * top + (top - 1 - scores)
    order = np.argsort(key, kind="stable")
    del key
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, np.arange(n_groups))
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = np.arange(groups.size) - first[sorted_groups]
    return rank


def initial_working_set(
    index: MatchingIndex, vi: IntArray, pi: IntArray, scores: IntArray
) -> IntArray:
    """Pair arcs to start from: the best few by score for each shift and each volunteer."""
    place_k = PLACE_K_PER_SEAT * index.p_left[pi] + PLACE_K_EXTRA
    keep = _rank_in_groups(pi, scores, index.n_places) < place_k
    del place_k
    vol_k = VOLUNTEER_K_PER_SHIFT * index.v_cap[vi] + VOLUNTEER_K_EXTRA
    keep |= _rank_in_groups(vi, scores, index.n_volunteers) < vol_k
    return np.flatnonzero(keep)
