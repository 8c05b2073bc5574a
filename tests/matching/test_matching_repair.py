"""The shortest-path solve equals OR-Tools' cost scaling, whole or from a pruned working set.

Working sets here are deliberately bad (empty, random, the worst arcs only) so that the repair
loop has to find the optimum; tests assert that it really ran.  OR-Tools solves the same model
in the other orientation (:mod:`matching.cost_scaling`), so a slip in either network shows.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from matching_testkit import TEST_CONFIG
from matching_testkit import place
from matching_testkit import random_problem
from matching_testkit import vol

from matching import AvailabilityWindow
from matching import Problem
from matching import build_index
from matching import cost_scaling
from matching import flow as flowmod
from matching import match
from matching import score_pairs
from matching.flow import SolveReport
from matching.flow import build_network
from matching.flow import initial_working_set
from matching.flow import solve_full
from matching.flow import solve_pruned
from matching.reference import reference_objective
from matching.solver import fill_total
from matching.solver import optimise_flow
from matching.ssp import build_residual
from matching.ssp import check_optimal
from matching.ssp import continue_flow


class Networks:
    """One problem's pairs, with fresh networks on demand (a solve changes its network)."""

    def __init__(self, problem):
        self.ix = ix = build_index(problem)
        self.vi, self.pi = ix.candidate_pairs()
        self.scores = score_pairs(ix, self.vi, self.pi)

    def new(self, working=None):
        ix, fill = self.ix, self.ix.config.fill_values
        return build_network(ix, self.vi, self.pi, self.scores, fill, working)

    def full(self):
        return solve_full(self.new())

    def pruned(self, working, report=None):
        return solve_pruned(self.new(np.asarray(working, dtype=np.int64)), report)

    def cost_scaling(self):
        ix = self.ix
        net = cost_scaling.build_network(ix, self.vi, self.pi, self.scores, ix.config.fill_values)
        return cost_scaling.solve_full(net)


def network_of(problem):
    nets = Networks(problem)
    return nets.ix, nets.vi, nets.pi, nets.scores, (nets if nets.vi.size else None)


def check_pair_flows(ix, vi, pi, flows):
    """The pair flows respect capacities, places left and one shift a day."""
    chosen = flows > 0
    assert set(np.unique(flows)) <= {0, 1}
    assert (np.bincount(vi[chosen], minlength=ix.n_volunteers) <= ix.v_cap).all()
    assert (np.bincount(pi[chosen], minlength=ix.n_places) <= ix.p_left).all()
    days = list(zip(vi[chosen].tolist(), ix.p_day[pi[chosen]].tolist(), strict=True))
    assert len(days) == len(set(days))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 10**9),
    st.integers(1, 12),
    st.integers(1, 12),
    st.floats(0.0, 1.0),
    st.integers(0, 10**9),
)
def test_pruned_equals_full_on_random_working_sets(seed, n_vol, n_place, share, pick):
    problem = random_problem(seed, n_vol, n_place)
    ix, vi, pi, scores, net = network_of(problem)
    if vi.size == 0:
        return
    rnd = random.Random(pick)
    working = np.array(sorted(k for k in range(vi.size) if rnd.random() < share), dtype=np.int64)
    full_flows, full_cost = net.full()
    flows, cost = net.pruned(working)
    assert cost == full_cost == net.cost_scaling()[1]
    check_pair_flows(ix, vi, pi, flows)
    check_pair_flows(ix, vi, pi, full_flows)
    assert int((scores * flows).sum()) <= -cost


def test_empty_working_set_is_repaired_on_many_problems():
    repaired = 0
    for seed in range(150):
        problem = random_problem(seed, 8, 8)
        ix, vi, pi, scores, net = network_of(problem)
        if vi.size == 0:
            continue
        _, full_cost = net.cost_scaling()
        report = SolveReport()
        flows, cost = net.pruned(np.zeros(0, dtype=np.int64), report)
        assert cost == full_cost
        check_pair_flows(ix, vi, pi, flows)
        if full_cost < 0:
            # nothing was in the working set, so every used arc came from a repair
            assert report.repaired and report.rounds >= 2
            repaired += 1
    assert repaired > 100


def test_worst_arcs_first_still_reach_the_optimum():
    """Start from the lowest-scored arc of each shift: the opposite of the real heuristic."""
    hits = 0
    for seed in range(60):
        problem = random_problem(seed, 10, 10)
        ix, vi, pi, scores, net = network_of(problem)
        if vi.size < 5:
            continue
        order = np.lexsort((scores, pi))
        first = np.ones(order.size, dtype=bool)
        first[1:] = pi[order][1:] != pi[order][:-1]
        report = SolveReport()
        _, cost = net.pruned(order[first], report)
        assert cost == net.cost_scaling()[1]
        hits += report.repaired
    assert hits > 20


def test_hand_built_trap_needs_the_repair():
    """A is the best for both shifts, B only fits shift 1: the working set {A-1, A-2} puts A
    on shift 1 and leaves shift 2 empty; the optimum is B-1 and A-2."""
    strong = vol(1, skills={1: 3}, capacity=1, reliability=1.0)
    weak = vol(
        2,
        skills={1: 1},
        capacity=1,
        reliability=0.0,
        availability=(AvailabilityWindow(0, 8 * 60, 13 * 60),),
    )
    shift1 = place(10, need_id=100, day=0, start_h=10)
    shift2 = place(11, need_id=101, day=1, start_h=10)
    problem = Problem([strong, weak], [shift1, shift2], TEST_CONFIG)
    ix, vi, pi, scores, net = network_of(problem)
    pairs = {(int(ix.v_ids[v]), int(ix.p_ids[p])): k for k, (v, p) in enumerate(zip(vi, pi))}
    assert set(pairs) == {(1, 10), (1, 11), (2, 10)}
    working = np.array([pairs[1, 10], pairs[1, 11]], dtype=np.int64)
    report = SolveReport()
    flows, cost = net.pruned(working, report)
    assert report.rounds >= 2 and report.arcs_added[0] >= 1
    assert flows[pairs[2, 10]] == 1 and flows[pairs[1, 11]] == 1 and flows[pairs[1, 10]] == 0
    assert cost == net.full()[1] == net.cost_scaling()[1]


@pytest.mark.parametrize("contended", [False, True])
def test_generated_instance_with_a_tiny_working_set_equals_highs(monkeypatch, contended):
    from matching.bench import generate_problem

    problem = generate_problem(3000, 400, 5, contended=contended)
    ix, vi, pi, scores, net = network_of(problem)
    expected = reference_objective(ix, vi, pi, scores)
    monkeypatch.setattr(flowmod, "PLACE_K_PER_SEAT", 0)
    monkeypatch.setattr(flowmod, "PLACE_K_EXTRA", 1)
    monkeypatch.setattr(flowmod, "VOLUNTEER_K_PER_SHIFT", 0)
    monkeypatch.setattr(flowmod, "VOLUNTEER_K_EXTRA", 0)
    monkeypatch.setattr(flowmod, "REPAIR_MARGIN", 0)
    working = initial_working_set(ix, vi, pi, scores)
    assert working.size < vi.size // 3
    report = SolveReport()
    chosen = optimise_flow(ix, vi, pi, scores, prune=True, report=report)
    assert report.repaired and report.rounds >= 2
    counts = np.bincount(ix.p_need_idx[pi[chosen]], minlength=ix.need_ids.size)
    assert int(scores[chosen].sum()) + fill_total(counts, ix.config.fill_values) == expected
    check_pair_flows(ix, vi, pi, chosen.astype(np.int64))
    assert net.full()[1] == -expected == net.cost_scaling()[1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_default_pipeline_equals_full_graph(seed):
    from matching.bench import generate_problem

    problem = generate_problem(4000, 600, seed, contended=seed == 2)
    result = match(problem, solver="pruned")
    ix, vi, pi, scores, net = network_of(problem)
    assert result.objective == -net.cost_scaling()[1] == match(problem).objective
    assert result.stats.solve_rounds >= 1
    assert result.stats.solve_pair_arcs <= result.stats.pairs


def test_the_certificate_refuses_a_flow_that_is_not_optimal():
    """Two parallel arcs 0->1: the unit on the dearer one is refused by the potentials, the
    kernel itself routes it over the cheaper one."""
    tail = np.array([0, 0], dtype=np.int32)
    head = np.array([1, 1], dtype=np.int32)
    cost = np.array([-1, -5], dtype=np.int64)
    cap = np.array([1, 1], dtype=np.int32)
    balance = np.array([1, -1], dtype=np.int64)
    net = build_residual(2, tail, head, cost, cap, balance)
    net.potential[:] = [0, -5]
    continue_flow(net)
    check_optimal(net)
    assert net.flow.tolist() == [0, 1]
    net.flow[:] = [1, 0]
    with pytest.raises(RuntimeError, match="certify"):
        check_optimal(net)


def test_day_nodes_of_the_full_graph_are_priced():
    """A volunteer with capacity 2 and two shifts the same day: the working set holds one,
    the other must not be added on top of it (one shift a day), but a better one is swapped in.
    """
    v = vol(1, capacity=2, skills={1: 1})
    low = place(10, need_id=100, day=0, start_h=9, hours=1)
    high = place(11, need_id=100, day=0, start_h=12, hours=1, nice_skills=frozenset({1}))
    other_day = place(12, need_id=101, day=1, start_h=9, hours=1)
    problem = Problem([v], [low, high, other_day], TEST_CONFIG)
    ix, vi, pi, scores, net = network_of(problem)
    assert vi.size == 3
    for start in range(1 << 3):
        working = np.array([k for k in range(3) if start >> k & 1], dtype=np.int64)
        flows, cost = net.pruned(working)
        assert cost == net.full()[1] == net.cost_scaling()[1]
        check_pair_flows(ix, vi, pi, flows)
        assert flows[1] == 1  # the better shift of the day, whatever the start
