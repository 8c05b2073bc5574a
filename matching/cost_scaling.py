"""The run's network solved in one go by OR-Tools' cost-scaling min-cost flow.

This is the independent check of :mod:`matching.flow`: a different algorithm (cost scaling
instead of shortest paths), a different orientation of the network (volunteers supply, shifts
take) and a solver written by other people.  The benchmark's ``--full-check`` and the tests
compare the two optima.  It holds the whole candidate graph at once, so it is not used to run.
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
from matching.flow import structure
from matching.flow import volunteer_side

__all__ = ["FlowNetwork", "build_network", "solve_full"]

I32Array = npt.NDArray[np.int32]


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


def build_network(
    index: MatchingIndex,
    vi: IntArray,
    pi: IntArray,
    scores: IntArray,
    curve: Sequence[int],
) -> FlowNetwork:
    """The network of the model described in :mod:`matching.solver`, as flat arrays."""
    fill = tuple(curve)
    n_pairs = vi.size
    n_v, n_p = index.n_volunteers, index.n_places
    n_n = index.need_ids.size
    source, sink = 0, 1
    place0 = 2 + n_v
    need0 = place0 + n_p
    first_day_node = need0 + n_n
    pair_tails, day_heads, day_tails = volunteer_side(index, vi, pi, 2, first_day_node)
    n_nodes = first_day_node + day_tails.size

    st = structure(index, vi, pi, fill)
    vols, places, fill_need, fill_cap, fill_cost = (
        st.vols,
        st.places,
        st.fill_need,
        st.fill_cap,
        st.fill_cost,
    )
    vol_caps = index.v_cap[vols]
    place_caps = index.p_left[places]
    place_need = index.p_need_idx[places]
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


def solve_full(net: FlowNetwork, *, release: bool = False) -> tuple[IntArray, int]:
    """Pair-arc flows and optimal cost of the whole network in one solve.

    With ``release`` the network's arrays are dropped as soon as the solver holds its own
    copy, so the two never sit in memory together during the solve; ``net`` is unusable after.
    """
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.caps, net.costs)
    if release:
        empty = np.zeros(0, dtype=np.int64)
        net.tails = net.heads = empty.astype(np.int32)
        net.caps = net.costs = empty
    return _optimal(flow, net, net.n_pairs)
