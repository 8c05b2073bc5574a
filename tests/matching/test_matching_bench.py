"""The benchmark CLI prints one JSON line with the promised keys, reproducibly."""

from __future__ import annotations

import json

from matching.bench import generate_problem
from matching.bench import main

KEYS = {
    "volunteers",
    "needs",
    "places",
    "pairs",
    "seconds_candidates",
    "seconds_scoring",
    "seconds_solve",
    "seconds_total",
    "peak_mb",
    "objective",
    "greedy_objective",
    "reference_objective",
    "needs_filled",
    "needs_filled_without_fill_value",
}


def run(capsys, *args):
    assert main(list(args)) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    return json.loads(out[0])


def test_bench_json(capsys):
    data = run(capsys, "--volunteers", "600", "--needs", "120", "--seed", "3", "--json")
    assert KEYS <= set(data)
    assert data["reference_objective"] == data["objective"]
    assert data["objective"] >= data["greedy_objective"]
    assert data["needs_filled"] >= data["needs_filled_without_fill_value"] - 5


def test_bench_contended_and_reference_skipped(capsys):
    data = run(
        capsys,
        "--volunteers",
        "600",
        "--needs",
        "120",
        "--contended",
        "--json",
        "--reference-max-pairs",
        "0",
    )
    assert data["reference_objective"] is None
    problem = generate_problem(600, 120, 1, contended=True)
    assert sum(v.capacity for v in problem.volunteers) == sum(p.places_left for p in problem.places)


def test_bench_summary(capsys):
    assert main(["--volunteers", "300", "--needs", "60"]) == 0
    text = capsys.readouterr().out
    assert "objective" in text and "needs with a proposal" in text


def test_generator_is_reproducible():
    a = generate_problem(200, 40, 9)
    b = generate_problem(200, 40, 9)
    assert a.volunteers == b.volunteers and a.places == b.places


def test_bench_pruned_solver_with_full_check(capsys):
    data = run(
        capsys,
        "--volunteers",
        "2000",
        "--needs",
        "300",
        "--solver",
        "pruned",
        "--full-check",
        "--json",
        "--no-greedy",
    )
    assert data["solver"] == "pruned"
    assert data["objective_equals_full"] is True
    assert data["full_objective"] == data["objective"] == data["reference_objective"]
    assert data["solve_rounds"] >= 1 and 0 < data["solve_pair_arcs"] <= data["pairs"]
    assert set(data["peak_mb_by_phase"]) == {
        "index",
        "candidates",
        "scoring",
        "solve",
        "explain",
        "diagnostics",
    }
