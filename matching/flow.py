"""The min-cost flow network of a run, solved on a pruned arc set and proved optimal.

At national scale most candidate pairs can never be part of an optimum: a volunteer with room
for two shifts has dozens of feasible ones, a shift with one place left has a hundred people who
could fill it.  Handing all of them to the solver makes the solve dominate the run, so
:func:`solve_pruned` works in rounds:

1. solve the network with every structural arc (source, volunteer-day, place-need, fill and
   bypass arcs) but only a *working set* of pair arcs: the best ``k`` by score per shift and
   per volunteer (see :func:`initial_working_set`);
2. compute node potentials from the residual graph of that optimum (shortest distances from
   a virtual root, :func:`residual_potentials`); every residual arc then has a non-negative
   reduced cost, which is the dual certificate that the flow is optimal *for the working set*;
3. price every pair arc outside the working set with the same potentials.  An arc with a
   negative reduced cost could improve the solution, so all of them join the working set and
   the network is solved again.  When none is negative, the potentials certify optimality
   for the *full* candidate set (complementary slackness: the left-out arcs carry no flow and
   have non-negative reduced cost), so the answer is exactly the full-graph optimum.

The network's nodes (including the volunteer-day nodes) are always those of the full candidate
set, so an arc that joins later has its tail and head in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matching.candidates import IntArray
from matching.candidates import MatchingIndex

__all__ = [
    "FlowNetwork",
    "SolveReport",
    "build_network",
    "initial_working_set",
    "residual_potentials",
    "solve_full",
    "solve_pruned",
]

I32Array = npt.NDArray[np.int32]

#: Working set per shift: ``PLACE_K_PER_SEAT * places_left + PLACE_K_EXTRA`` best arcs.
PLACE_K_PER_SEAT = 2
PLACE_K_EXTRA = 4
#: Working set per volunteer: ``VOLUNTEER_K_PER_SHIFT * capacity + VOLUNTEER_K_EXTRA`` best arcs.
VOLUNTEER_K_PER_SHIFT = 1
VOLUNTEER_K_EXTRA = 1
#: Safety net: the repair loop always terminates (each round adds at least one arc), this only
#: turns a bug into an error instead of a very long run.
MAX_ROUNDS = 50
#: A repair adds every left-out arc priced below this many points, not only the negative ones:
#: arcs just above zero tend to turn negative once the violators are in, and each round is a
#: full solve, so taking them early saves rounds.
REPAIR_MARGIN = 4


@dataclass(eq=False)
class FlowNetwork:
    """All arcs of the run's network; pair arc ``k`` is candidate pair ``k``.

    ``tails``/``heads`` are int32 node ids, ``caps``/``costs`` int64; arcs ``n_pairs`` and
    above are the structural ones, which every solve includes.
    """

    n_nodes: int
    n_pairs: int
    tails: I32Array = field(repr=False)
    heads: I32Array = field(repr=False)
    caps: IntArray = field(repr=False)
    costs: IntArray = field(repr=False)
    source: int
    sink: int
    supply: int
    #: volunteer node of each pair arc (its tail when the pair has no day node)
    pair_vol_node: I32Array = field(repr=False)
    first_day_node: int
    #: arc ranges of the structural blocks: volunteer, day, place, fill arcs (then the bypass)
    vol_arcs: tuple[int, int]
    day_arcs: tuple[int, int]
    place_arcs: tuple[int, int]
    fill_arcs: tuple[int, int]
    first_fill_value: int


@dataclass
class SolveReport:
    """What the solve did: rounds, the pair arcs of the last round, arcs added by repairs."""

    rounds: int = 0
    pair_arcs: int = 0
    pair_arcs_total: int = 0
    arcs_added: list[int] = field(default_factory=list)

    @property
    def repaired(self) -> bool:
        return any(self.arcs_added)


def _day_tails(
    index: MatchingIndex, vi: IntArray, pi: IntArray, first_day_node: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Tail node of each pair arc, plus the (volunteer node, day node) arcs that are needed.

    Day nodes are only created where the one-shift-a-day rule can bind: a volunteer with
    capacity >= 2 and >= 2 candidate shifts that day.
    """
    day = index.p_day[pi]
    day0 = int(day.min())
    span = int(day.max()) - day0 + 1
    key = vi.astype(np.int64) * span + (day - day0)
    del day
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    del key
    group_vol = uniq // span
    needs_node = (counts >= 2) & (index.v_cap[group_vol] >= 2)
    node_of_group = np.full(uniq.size, -1, dtype=np.int64)
    n_day_nodes = int(needs_node.sum())
    node_of_group[needs_node] = first_day_node + np.arange(n_day_nodes)
    tails = node_of_group[inverse]
    del inverse
    direct = tails < 0
    tails[direct] = 2 + vi[direct]
    return tails, 2 + group_vol[needs_node], node_of_group[needs_node]


def build_network(
    index: MatchingIndex,
    vi: IntArray,
    pi: IntArray,
    scores: IntArray,
    fill_values: Sequence[int],
) -> FlowNetwork:
    """The network of the model described in :mod:`matching.solver`, as flat arrays."""
    fill = tuple(fill_values)
    n_pairs = vi.size
    n_v, n_p = index.n_volunteers, index.n_places
    n_n = index.need_ids.size
    source, sink = 0, 1
    place0 = 2 + n_v
    need0 = place0 + n_p
    first_day_node = need0 + n_n
    pair_tails, day_tails, day_heads = _day_tails(index, vi, pi, first_day_node)
    n_nodes = first_day_node + day_tails.size

    vols = np.flatnonzero(np.bincount(vi, minlength=n_v))
    places = np.flatnonzero(np.bincount(pi, minlength=n_p))
    vol_caps = index.v_cap[vols]
    place_caps = index.p_left[places]
    place_need = index.p_need_idx[places]
    need_cap = np.bincount(place_need, weights=place_caps, minlength=n_n).astype(np.int64)
    needs = np.flatnonzero(need_cap)
    length = len(fill)
    arcs_per_need = np.minimum(need_cap[needs], length)
    fill_need = np.repeat(needs, arcs_per_need)
    k = np.arange(fill_need.size) - np.repeat(
        np.cumsum(arcs_per_need) - arcs_per_need, arcs_per_need
    )
    fill_cap = np.where(k < length - 1, 1, need_cap[fill_need] - (length - 1))
    fill_cost = -np.asarray(fill, dtype=np.int64)[k]
    supply = int(min(vol_caps.sum(), place_caps.sum()))

    tails = np.concatenate(
        (
            pair_tails.astype(np.int32),
            np.full(vols.size, source, dtype=np.int32),
            day_tails.astype(np.int32),
            (place0 + places).astype(np.int32),
            (need0 + fill_need).astype(np.int32),
            np.array([source], dtype=np.int32),
        )
    )
    del pair_tails
    heads = np.concatenate(
        (
            (place0 + pi).astype(np.int32),
            (2 + vols).astype(np.int32),
            day_heads.astype(np.int32),
            (need0 + place_need).astype(np.int32),
            np.full(fill_need.size, sink, dtype=np.int32),
            np.array([sink], dtype=np.int32),
        )
    )
    caps = np.concatenate(
        (
            np.ones(n_pairs, dtype=np.int64),
            vol_caps,
            np.ones(day_tails.size, dtype=np.int64),
            place_caps,
            fill_cap,
            [supply],
        )
    )
    costs = np.concatenate(
        (
            -scores.astype(np.int64),
            np.zeros(vols.size + day_tails.size + places.size, dtype=np.int64),
            fill_cost,
            [0],
        )
    )
    a0 = n_pairs
    a1 = a0 + vols.size
    a2 = a1 + day_tails.size
    a3 = a2 + places.size
    a4 = a3 + fill_need.size
    return FlowNetwork(
        n_nodes=n_nodes,
        n_pairs=n_pairs,
        tails=tails,
        heads=heads,
        caps=caps,
        costs=costs,
        source=source,
        sink=sink,
        supply=supply,
        pair_vol_node=(2 + vi).astype(np.int32),
        first_day_node=first_day_node,
        vol_arcs=(a0, a1),
        day_arcs=(a1, a2),
        place_arcs=(a2, a3),
        fill_arcs=(a3, a4),
        first_fill_value=int(fill[0]),
    )


def _optimal(flow, net: FlowNetwork, n_arcs: int) -> tuple[IntArray, int]:
    """Send the network's supply from source to sink and read the first ``n_arcs`` flows."""
    flow.set_nodes_supplies(
        np.array([net.source, net.sink], dtype=np.int32),
        np.array([net.supply, -net.supply], dtype=np.int64),
    )
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return flow.flows(np.arange(n_arcs, dtype=np.int32)), int(flow.optimal_cost())


def _solve_arcs(
    tails: I32Array, heads: I32Array, caps: IntArray, costs: IntArray, net: FlowNetwork
) -> tuple[IntArray, int]:
    """Optimal flow (per given arc) and cost; node ids must be compact (0..n-1)."""
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    return _optimal(flow, net, tails.size)


def residual_potentials(
    n_nodes: int,
    tails: I32Array,
    heads: I32Array,
    caps: IntArray,
    costs: IntArray,
    flows: IntArray,
) -> IntArray:
    """Node potentials ``d`` with ``cost + d[tail] - d[head] >= 0`` on every residual arc.

    ``d`` is the shortest distance from a virtual root joined to every node by a 0-cost arc,
    computed by Bellman-Ford in vectorised rounds that only relax arcs leaving nodes whose
    distance changed in the previous round.  An optimal flow has no negative cycle in its
    residual graph, so this converges; a negative cycle (a non-optimal flow) raises.
    The result is checked on every residual arc before it is returned.
    """
    fwd = flows < caps
    bwd = flows > 0
    r_tail = np.concatenate((tails[fwd], heads[bwd])).astype(np.int64)
    r_head = np.concatenate((heads[fwd], tails[bwd])).astype(np.int64)
    r_cost = np.concatenate((costs[fwd], -costs[bwd]))
    order = np.argsort(r_tail, kind="stable")
    r_tail, r_head, r_cost = r_tail[order], r_head[order], r_cost[order]
    del order
    ptr = np.searchsorted(r_tail, np.arange(n_nodes + 1))
    dist = np.zeros(n_nodes, dtype=np.int64)
    active = np.unique(r_tail)
    for _ in range(n_nodes + 1):
        if active.size == 0:
            break
        counts = ptr[active + 1] - ptr[active]
        total = int(counts.sum())
        if total == 0:
            break
        starts = np.repeat(ptr[active] - (np.cumsum(counts) - counts), counts)
        arcs = starts + np.arange(total)
        cand = dist[r_tail[arcs]] + r_cost[arcs]
        heads_a = r_head[arcs]
        better = cand < dist[heads_a]
        if not better.any():
            break
        heads_b = heads_a[better]
        np.minimum.at(dist, heads_b, cand[better])
        active = np.unique(heads_b)
    else:
        raise RuntimeError("negative cycle in the residual graph: the flow is not optimal")
    if (r_cost + dist[r_tail] - dist[r_head]).min(initial=0) < 0:
        raise RuntimeError("potentials do not certify the flow")
    return dist


def _rank_in_groups(groups: IntArray, scores: IntArray, n_groups: int) -> IntArray:
    """Rank (0 = best score) of each item within its group; ties keep input order."""
    # scores are small non-negative ints, so one int64 key sorts by (group, -score, position).
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


def solve_full(net: FlowNetwork, *, release: bool = False) -> tuple[IntArray, int]:
    """Pair-arc flows and optimal cost of the whole network in one solve.

    With ``release`` the network's arrays are dropped as soon as the solver holds its own
    copy, so the two never sit in memory together during the solve; ``net`` is unusable after.
    """
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.caps, net.costs)
    if release:
        empty = np.zeros(0, dtype=np.int64)
        net.tails = net.heads = net.pair_vol_node = empty.astype(np.int32)
        net.caps = net.costs = empty
    return _optimal(flow, net, net.n_pairs)


def _round(net: FlowNetwork, working: IntArray) -> tuple[IntArray, int, IntArray]:
    """Solve on the working pair arcs; return their flows, the cost and full potentials.

    The solved network is the full one restricted to the working arcs, made smaller without
    changing its optimum: a day node with fewer than two working arcs is left out (its arc
    then leaves the volunteer directly) and nodes no working arc reaches are dropped.  The
    potentials of the left-out nodes are then set to the largest (day, volunteer) or smallest
    (shift, need) value their residual arcs allow, which is the most favourable value for
    pricing the arcs that are not in the working set, and the whole result is checked on
    every arc of the full-topology working network.
    """
    n_nodes, first_day = net.n_nodes, net.first_day_node
    w_tail = net.tails[working]
    w_head = net.heads[working]
    on_day = w_tail >= first_day
    day_count = np.bincount(w_tail[on_day] - first_day, minlength=n_nodes - first_day)
    keep_day = day_count >= 2
    del day_count
    solve_tail = w_tail.copy()
    collapse = on_day.copy()
    collapse[on_day] = ~keep_day[w_tail[on_day] - first_day]
    solve_tail[collapse] = net.pair_vol_node[working[collapse]]
    del on_day

    present = np.zeros(n_nodes, dtype=bool)
    present[solve_tail] = True
    present[w_head] = True
    present[first_day:] = keep_day
    v0, v1 = net.vol_arcs
    d0, d1 = net.day_arcs
    present[net.tails[d0:d1][keep_day]] = True
    q0, q1 = net.place_arcs
    f0, f1 = net.fill_arcs
    present[net.heads[q0:q1][present[net.tails[q0:q1]]]] = True  # needs of present places
    present[net.source] = present[net.sink] = True
    struct = np.concatenate(
        (
            v0 + np.flatnonzero(present[net.heads[v0:v1]]),
            d0 + np.flatnonzero(keep_day),
            q0 + np.flatnonzero(present[net.tails[q0:q1]]),
            f0 + np.flatnonzero(present[net.tails[f0:f1]]),
            [f1],
        )
    )
    used = np.flatnonzero(present)
    compact = np.full(n_nodes, -1, dtype=np.int32)
    compact[used] = np.arange(used.size, dtype=np.int32)
    tails = compact[np.concatenate((solve_tail, net.tails[struct]))]
    heads = compact[np.concatenate((w_head, net.heads[struct]))]
    caps = np.concatenate((net.caps[working], net.caps[struct]))
    costs = np.concatenate((net.costs[working], net.costs[struct]))
    del solve_tail
    if compact[net.source] != net.source or compact[net.sink] != net.sink:
        raise RuntimeError("source and sink must keep their node ids")
    flows, cost = _solve_arcs(tails, heads, caps, costs, net)
    dist_c = residual_potentials(used.size, tails, heads, caps, costs, flows)
    del tails, heads, caps, costs

    # Potentials of every node of the full network.
    pot = np.zeros(n_nodes, dtype=np.int64)
    pot[used] = dist_c
    n_w = working.size
    # Flows of every structural arc (0 where the arc was left out).
    s_flows = np.zeros(net.tails.size - net.n_pairs, dtype=np.int64)
    s_flows[struct - net.n_pairs] = flows[n_w:]
    w_flows = flows[:n_w]
    # Volunteers without working arcs: as high as the source allows.
    vol_heads = net.heads[v0:v1]
    absent_vol = vol_heads[~present[vol_heads]]
    pot[absent_vol] = pot[net.source]
    # Left-out day nodes: a used arc pins them to (its shift + its score), else the volunteer.
    day_tail_vol = net.tails[d0:d1]
    dropped = np.flatnonzero(~keep_day)
    pot[first_day + dropped] = pot[day_tail_vol[dropped]]
    carried = collapse & (w_flows > 0)
    pot[w_tail[carried]] = pot[w_head[carried]] - net.costs[working[carried]]
    day_flow = np.zeros(n_nodes - first_day, dtype=np.int64)
    np.add.at(day_flow, w_tail[collapse] - first_day, w_flows[collapse])
    s_flows[d0 - net.n_pairs + dropped] = day_flow[dropped]
    # Needs without working shifts: as low as their best fill arc allows; then such shifts.
    need_tails = net.tails[f0:f1]
    absent_need = need_tails[~present[need_tails]]
    pot[absent_need] = pot[net.sink] + net.first_fill_value
    place_tails = net.tails[q0:q1]
    absent_place = ~present[place_tails]
    pot[place_tails[absent_place]] = pot[net.heads[q0:q1][absent_place]]

    # Certificate on the full-topology working network: every residual arc priced >= 0.
    s = slice(net.n_pairs, None)
    for t, h, c, u, f in (
        (w_tail, w_head, net.costs[working], net.caps[working], w_flows),
        (net.tails[s], net.heads[s], net.costs[s], net.caps[s], s_flows),
    ):
        reduced = c + pot[t] - pot[h]
        if (reduced[f < u] < 0).any() or (reduced[f > 0] > 0).any():
            raise RuntimeError("potentials do not certify the working-set optimum")
    return w_flows, cost, pot


def solve_pruned(
    net: FlowNetwork, working: IntArray, report: SolveReport | None = None
) -> tuple[IntArray, int]:
    """Pair-arc flows and optimal cost of the whole network, solving on ``working`` pair
    arcs and adding back every arc the potentials price below zero until none is left."""
    report = report if report is not None else SolveReport()
    report.pair_arcs_total = net.n_pairs
    in_set = np.zeros(net.n_pairs, dtype=bool)
    in_set[working] = True
    n = net.n_pairs
    for _ in range(MAX_ROUNDS):
        report.rounds += 1
        working = np.flatnonzero(in_set)
        w_flows, cost, pot = _round(net, working)
        reduced = net.costs[:n] + pot[net.tails[:n]] - pot[net.heads[:n]]
        outside = ~in_set
        if not (reduced[outside] < 0).any():
            report.pair_arcs = int(working.size)
            pair_flows = np.zeros(n, dtype=np.int64)
            pair_flows[working] = w_flows
            return pair_flows, cost
        added = outside & (reduced < REPAIR_MARGIN)
        del reduced, outside
        report.arcs_added.append(int(added.sum()))
        in_set |= added
    raise RuntimeError("the repair loop did not converge")
