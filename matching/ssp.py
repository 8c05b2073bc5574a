"""Successive shortest paths with node potentials: the exact min-cost flow kernel of a run.

Why not a general solver: a run's network is a few hundred thousand nodes and millions of
pair arcs, but almost every unit of flow takes a short path (a shift's best free candidate), and
a general cost-scaling solver touches the whole graph in every phase however easy the answer.
Successive shortest paths only touch what a unit of flow needs: a Dijkstra search from one
node with spare supply, stopped at the first node that still needs flow.  Node potentials keep
every residual arc's reduced cost non-negative, which is both what lets Dijkstra work on costs
that are negative and the certificate of optimality when no supply is left.  Because of them
a search never queues a node at or beyond the nearest demand it has seen: no path through that
node can be shorter.  Every need's supply has its own arc to the sink (the place stays
unfilled), so that bound is known from a search's first step, and most of the thousands of
candidates a busy shift has are never queued.

The network is given as flat arrays of arcs (tail, head, cost, capacity); the kernel keeps a
flow per arc, a balance per node (> 0: supply left, < 0: demand left) and the potentials, so a
caller can change the network between calls (enable arcs, move flow) and continue from where
it was: :mod:`matching.flow` uses this to solve on a pruned set of arcs first.

The loops are compiled with numba; ``cache=True`` keeps the machine code beside this module so
only the first run on a machine pays for compiling.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["Residual", "build_residual", "continue_flow", "initial_potentials"]

I32Array = npt.NDArray[np.int32]
I64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_FAR = np.int64(2**60)  # farther than any distance of a search


@dataclass(eq=False)
class Residual:
    """A network with its flow, node balances, potentials and the adjacency of both residual
    directions (entry ``2 * arc`` leaves the arc's tail, ``2 * arc + 1`` its head)."""

    n_nodes: int
    tail: I32Array = field(repr=False)
    head: I32Array = field(repr=False)
    cost: I64Array = field(repr=False)
    cap: I32Array = field(repr=False)
    flow: I32Array = field(repr=False)
    enabled: BoolArray = field(repr=False)
    balance: I64Array = field(repr=False)
    potential: I64Array = field(repr=False)
    offsets: I64Array = field(repr=False)
    entries: I32Array = field(repr=False)
    searches: int = 0
    layout: _Layout | None = field(default=None, repr=False)


@njit(cache=True)
def _fill_entries(tail, head, offsets, entries):
    cursor = offsets[:-1].copy()
    for a in range(tail.size):
        t = tail[a]
        entries[cursor[t]] = 2 * a
        cursor[t] += 1
        h = head[a]
        entries[cursor[h]] = 2 * a + 1
        cursor[h] += 1


def build_residual(
    n_nodes: int,
    tail: I32Array,
    head: I32Array,
    cost: I64Array,
    cap: I32Array,
    balance: I64Array,
    enabled: BoolArray | None = None,
) -> Residual:
    """Zero flow on the given arcs, with both directions of each in the adjacency."""
    degree = np.bincount(tail, minlength=n_nodes) + np.bincount(head, minlength=n_nodes)
    offsets = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(degree, out=offsets[1:])
    del degree
    entries = np.empty(2 * tail.size, dtype=np.int32)
    _fill_entries(tail, head, offsets, entries)
    return Residual(
        n_nodes=n_nodes,
        tail=tail,
        head=head,
        cost=cost,
        cap=cap,
        flow=np.zeros(tail.size, dtype=np.int32),
        enabled=np.ones(tail.size, dtype=np.bool_) if enabled is None else enabled,
        balance=balance.astype(np.int64),
        potential=np.zeros(n_nodes, dtype=np.int64),
        offsets=offsets,
        entries=entries,
    )


@njit(cache=True)
def _relax_in_order(tail, head, cost, potential, order):
    for a in order:
        value = potential[tail[a]] + cost[a]
        if value < potential[head[a]]:
            potential[head[a]] = value


def initial_potentials(net: Residual, arc_order: I64Array) -> None:
    """Potentials for the zero flow: shortest distances from a root joined to every node at
    cost 0.  ``arc_order`` must list the arcs so that an arc comes after every arc into its
    tail (the run's network has no cycles, so its layers give such an order)."""
    net.potential[:] = 0
    _relax_in_order(net.tail, net.head, net.cost, net.potential, arc_order)


@njit(cache=True)
def _sift_up(heap, pos, dist, i):
    node = heap[i]
    d = dist[node]
    while i > 0:
        parent = (i - 1) >> 1
        other = heap[parent]
        if dist[other] <= d:
            break
        heap[i] = other
        pos[other] = i
        i = parent
    heap[i] = node
    pos[node] = i


@njit(cache=True)
def _sift_down(heap, pos, dist, size):
    i = 0
    node = heap[0]
    d = dist[node]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and dist[heap[child + 1]] < dist[heap[child]]:
            child += 1
        other = heap[child]
        if dist[other] >= d:
            break
        heap[i] = other
        pos[other] = i
        i = child
    heap[i] = node
    pos[node] = i


@njit(cache=True)
def _fill_layout(tail, head, cost, entries, adj_to, adj_cost):
    for k in range(entries.size):
        entry = entries[k]
        a = entry >> 1
        if entry & 1 == 0:
            adj_to[k] = head[a]
            adj_cost[k] = cost[a]
        else:
            adj_to[k] = tail[a]
            adj_cost[k] = -cost[a]


@njit(cache=True)
def _fill_room(cap, flow, enabled, entries, room):
    for k in range(entries.size):
        entry = entries[k]
        a = entry >> 1
        if not enabled[a]:
            room[k] = 0
        elif entry & 1 == 0:
            room[k] = cap[a] - flow[a]
        else:
            room[k] = flow[a]


@njit(cache=True)
def _write_back(entries, room, enabled, flow):
    for k in range(entries.size):
        entry = entries[k]
        if entry & 1 == 1 and enabled[entry >> 1]:
            flow[entry >> 1] = room[k]


@dataclass(eq=False)
class _Layout:
    """What the searches read per adjacency entry, side by side: the node it leads to and its
    cost in that direction.  A search scans a node's entries in a row, so reading them from
    arrays in adjacency order (instead of through the arc's index into arrays of millions) keeps
    the scan in the cache; the costs and the structure do not change between calls, so the
    layout is built once per network."""

    adj_to: I32Array
    adj_cost: npt.NDArray[np.signedinteger]


def _layout(net: Residual) -> _Layout:
    if net.layout is None:
        small = net.cost.size == 0 or int(np.abs(net.cost).max()) < 2**31
        adj_cost: npt.NDArray[np.signedinteger] = np.empty(
            net.entries.size, dtype=np.int32 if small else np.int64
        )
        adj_to = np.empty(net.entries.size, dtype=np.int32)
        _fill_layout(net.tail, net.head, net.cost, net.entries, adj_to, adj_cost)
        net.layout = _Layout(adj_to=adj_to, adj_cost=adj_cost)
    return net.layout


@njit(cache=True)
def _tail_of(offsets, k):
    """The node whose entries hold entry ``k``."""
    lo, hi = 0, offsets.size - 2
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if offsets[mid] <= k:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True)
def _other_direction(offsets, entries, node, entry):
    """Where ``entry`` sits among ``node``'s entries: they are in arc order (``_fill_entries``
    goes through the arcs in order), so a binary search finds it, even in the sink's."""
    lo, hi = offsets[node], offsets[node + 1] - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if entries[mid] < entry:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _run(n_nodes, offsets, entries, adj_to, adj_cost, room, balance, potential, sources):
    """Route the supply of every node in ``sources``; returns the number of searches, or -1
    when some supply cannot reach any demand (the caller's network always has a way out).
    ``room[k]`` is the residual capacity of adjacency entry ``k``.  The path found is walked
    back from each step's entry to the node holding it, and the other direction of each step's
    arc is found among its head's entries then: cheaper than an index of every entry's twin."""
    dist = np.zeros(n_nodes, dtype=np.int64)
    seen = np.zeros(n_nodes, dtype=np.int32)
    done = np.zeros(n_nodes, dtype=np.int32)
    pred = np.zeros(n_nodes, dtype=np.int32)
    heap = np.zeros(n_nodes, dtype=np.int32)
    pos = np.zeros(n_nodes, dtype=np.int32)
    popped = np.zeros(n_nodes, dtype=np.int32)
    epoch = 0
    searches = 0
    for src in sources:
        while balance[src] > 0:
            epoch += 1
            searches += 1
            dist[src] = 0
            seen[src] = epoch
            heap[0] = src
            pos[src] = 0
            size = 1
            n_popped = 0
            target = -1
            bound = _FAR
            while size > 0:
                u = heap[0]
                size -= 1
                if size > 0:
                    heap[0] = heap[size]
                    _sift_down(heap, pos, dist, size)
                done[u] = epoch
                popped[n_popped] = u
                n_popped += 1
                if balance[u] < 0:
                    target = u
                    break
                base = dist[u] + potential[u]
                for k in range(offsets[u], offsets[u + 1]):
                    if room[k] <= 0:
                        continue
                    w = adj_to[k]
                    if done[w] == epoch:
                        continue
                    nd = base + adj_cost[k] - potential[w]
                    if balance[w] < 0:
                        if nd == dist[u]:
                            # Nothing left in the heap is nearer: w is the target now.
                            seen[w] = epoch
                            dist[w] = nd
                            pred[w] = k
                            done[w] = epoch
                            popped[n_popped] = w
                            n_popped += 1
                            target = w
                            break
                        if nd < bound:
                            bound = nd
                    elif nd >= bound:
                        # Reduced costs are >= 0: no path through w beats a target seen.
                        continue
                    if seen[w] != epoch:
                        seen[w] = epoch
                        dist[w] = nd
                        pred[w] = k
                        heap[size] = w
                        pos[w] = size
                        size += 1
                        _sift_up(heap, pos, dist, size - 1)
                    elif nd < dist[w]:
                        dist[w] = nd
                        pred[w] = k
                        _sift_up(heap, pos, dist, pos[w])
                if target >= 0:
                    break
            if target < 0:
                return -1
            reach = dist[target]
            for i in range(n_popped):
                node = popped[i]
                potential[node] += dist[node] - reach
            amount = balance[src]
            if -balance[target] < amount:
                amount = -balance[target]
            node = target
            while node != src:
                k = pred[node]
                if room[k] < amount:
                    amount = room[k]
                node = _tail_of(offsets, pred[node])
            node = target
            while node != src:
                k = pred[node]
                room[k] -= amount
                room[_other_direction(offsets, entries, node, entries[k] ^ 1)] += amount
                node = _tail_of(offsets, pred[node])
            balance[src] -= amount
            balance[target] += amount
    return searches


def continue_flow(net: Residual, sources: I64Array | None = None) -> None:
    """Route all remaining supply along shortest paths, keeping reduced costs >= 0.

    ``sources`` fixes the order in which nodes with supply are served (any order gives an
    optimum; the order only changes how long the searches are); by default every node with
    supply, by id.  The flow, the enabled arcs and the potentials may have been changed since
    the last call: the residual capacities are read from them again.
    """
    if sources is None:
        sources = np.flatnonzero(net.balance > 0)
    layout = _layout(net)
    room = np.empty(net.entries.size, dtype=np.int32)
    _fill_room(net.cap, net.flow, net.enabled, net.entries, room)
    searches = _run(
        net.n_nodes,
        net.offsets,
        net.entries,
        layout.adj_to,
        layout.adj_cost,
        room,
        net.balance,
        net.potential,
        sources.astype(np.int64),
    )
    _write_back(net.entries, room, net.enabled, net.flow)
    if searches < 0:
        raise RuntimeError("supply left that no path can route: the network is not feasible")
    net.searches += int(searches)


def reduced_costs(net: Residual, arcs: I64Array | slice) -> I64Array:
    """``cost + potential[tail] - potential[head]`` of the given arcs."""
    return net.cost[arcs] + net.potential[net.tail[arcs]] - net.potential[net.head[arcs]]


def check_optimal(net: Residual) -> None:
    """Raise unless the flow is feasible, every supply routed and every enabled residual arc
    has a non-negative reduced cost: then the flow is a minimum-cost one."""
    if (net.balance != 0).any():
        raise RuntimeError("supply or demand left")
    if ((net.flow < 0) | (net.flow > net.cap)).any():
        raise RuntimeError("flow outside capacity")
    reduced = reduced_costs(net, slice(None))
    on = net.enabled
    if (reduced[on & (net.flow < net.cap)] < 0).any() or (reduced[on & (net.flow > 0)] > 0).any():
        raise RuntimeError("potentials do not certify the flow")
