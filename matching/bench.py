"""Benchmark: ``python -m matching.bench --volunteers N --needs M --seed S [--contended] [--json]``.

Generates a reproducible random instance shaped like the real exchange (about 30 skills with a
skewed popularity, needs with 1-3 shifts over the next 4 weeks, volunteers with 2-6 skills and
1-3 weekly availability windows), runs :func:`matching.match` end to end (dataclasses in,
explained proposals and diagnostics out) and prints one JSON line (``--json``) or a summary.

``--contended`` gives volunteers just enough total capacity for all places (sum of
capacities == sum of ``places_left``), so they must be shared carefully; the default
("plentiful") gives each volunteer 1-3 shifts.

Memory: ``peak_mb`` is ``ru_maxrss`` (the OS's peak resident set of the whole process, in MiB)
read right after the match, so it includes the interpreter, the libraries and the generated
dataclasses - what the app's worker would actually need.  ``tracemalloc`` would miss numpy
and OR-Tools allocations made in C++ and slow the run down.  ``peak_mb_end`` is the same
figure after the reference and baseline solves.

``reference_objective`` is an independent HiGHS solve of the same model (see
:mod:`matching.reference`), run when there are at most ``--reference-max-pairs`` pairs,
otherwise null.  ``needs_filled_without_fill_value`` re-solves with a flat fill value (the
curve's last value for every unit) and counts needs with at least one proposal, to show what
the concave curve buys.

``--solver pruned`` solves on a working set of the best pairs and repairs it with node
potentials (:mod:`matching.flow`); ``--full-check`` then also solves the whole candidate graph
in one go with OR-Tools' cost scaling (:mod:`matching.cost_scaling`, a different algorithm on
the network in the other orientation) and prints ``full_objective`` and
``objective_equals_full``.  ``peak_mb_by_phase``
is the peak RSS at the end of each phase of the match, ``solve_rounds`` / ``solve_pair_arcs``
/ ``repair_arcs_added`` describe the solve.  ``--no-baselines`` stops after the match.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import numpy as np

from matching.candidates import build_index
from matching.config import MatchingConfig
from matching.solver import SolverName
from matching.solver import fill_total
from matching.solver import match
from matching.solver import optimise_flow
from matching.solver import optimise_greedy
from matching.types import AvailabilityWindow
from matching.types import NeedKind
from matching.types import Place
from matching.types import Problem
from matching.types import Volunteer

__all__ = ["generate_problem", "main", "run_benchmark"]

N_SKILLS = 30
N_INSTITUTIONS = 40
N_COALITION = 30
TAGS = (
    "muzyka", "teatr", "film", "literatura", "plastyka", "historia", "dzieci", "seniorzy",
    "technika", "fotografia", "taniec", "edukacja", "ekologia", "sport", "nauka", "gry",
    "kuchnia", "rękodzieło", "języki", "media",
)  # fmt: skip
#: Monday; fixed so that a seed always means the same calendar.
BASE_DATE = date(2025, 3, 3)
HORIZON_DAYS = 28


def _gumbel_top_k(
    rng: np.random.Generator, n: int, weights: np.ndarray, k: np.ndarray
) -> list[list[int]]:
    """Per row, ``k[row]`` distinct items drawn without replacement proportional to weights."""
    keys = np.log(weights)[None, :] - np.log(-np.log(rng.random((n, weights.size))))
    order = np.argsort(-keys, axis=1)
    return [row[:kk].tolist() for row, kk in zip(order, k.tolist(), strict=True)]


def generate_problem(
    n_volunteers: int,
    n_needs: int,
    seed: int,
    *,
    contended: bool = False,
    config: MatchingConfig | None = None,
) -> Problem:
    """A reproducible random :class:`Problem` (same arguments -> identical problem)."""
    rng = np.random.default_rng(seed)
    # Volunteers' skills are skewed towards common ones; needs ask for specialist skills
    # more evenly (a flatter curve), as staff post needs for what they lack.
    popularity = 1.0 / np.arange(1, N_SKILLS + 1) ** 1.0
    need_popularity = 1.0 / np.arange(1, N_SKILLS + 1) ** 0.4
    skill_ids = np.arange(1, N_SKILLS + 1)
    day0 = datetime.combine(BASE_DATE, datetime.min.time())

    # ---------------------------------------------------------------- needs and places
    req_n = rng.choice(4, size=n_needs, p=[0.01, 0.3, 0.55, 0.14])
    req_skills = _gumbel_top_k(rng, n_needs, need_popularity, req_n)
    nice_skills = _gumbel_top_k(rng, n_needs, need_popularity, rng.integers(0, 3, n_needs))
    need_tags = _gumbel_top_k(rng, n_needs, np.ones(len(TAGS)), rng.integers(0, 4, n_needs))
    shifts = rng.choice([1, 2, 3], size=n_needs, p=[0.5, 0.3, 0.2])
    kinds = rng.choice(4, size=n_needs, p=[0.5, 0.25, 0.15, 0.1])
    kind_list = [NeedKind.ONE_OFF, NeedKind.RECURRING, NeedKind.LONG_TERM, NeedKind.TRAINING]
    insts = rng.integers(1, N_INSTITUTIONS + 1, n_needs)
    min_ages = rng.choice([0, 16, 18], size=n_needs, p=[0.7, 0.1, 0.2])
    children = rng.random(n_needs) < 0.2
    cohost = rng.random(n_needs) < 0.1
    cohost_inst = rng.integers(1, N_INSTITUTIONS + 1, n_needs)
    total_shifts = int(shifts.sum())
    s_day = rng.integers(1, HORIZON_DAYS + 1, total_shifts)
    s_hour = rng.integers(9, 20, total_shifts)
    s_half = rng.random(total_shifts) < 0.3
    s_len = rng.choice([120, 180, 240], size=total_shifts, p=[0.3, 0.45, 0.25])
    s_left = rng.choice([1, 2, 3], size=total_shifts, p=[0.6, 0.3, 0.1])
    levels_req = rng.choice([1, 2, 3], size=(n_needs, 3), p=[0.4, 0.4, 0.2])
    places: list[Place] = []
    sid = 0
    for n in range(n_needs):
        required = {int(skill_ids[s]): int(levels_req[n, j]) for j, s in enumerate(req_skills[n])}
        nice = frozenset(int(skill_ids[s]) for s in nice_skills[n]) - required.keys()
        tags = frozenset(TAGS[t] for t in need_tags[n])
        co = frozenset({int(cohost_inst[n])}) if cohost[n] else frozenset()
        for _ in range(int(shifts[n])):
            start = day0 + timedelta(
                days=int(s_day[sid]), hours=int(s_hour[sid]), minutes=30 * int(s_half[sid])
            )
            end = start + timedelta(minutes=int(s_len[sid]))
            places.append(
                Place(
                    id=sid + 1,
                    need_id=n + 1,
                    institution_id=int(insts[n]),
                    start=start,
                    end=end,
                    places_left=int(s_left[sid]),
                    required_skills=required,
                    nice_skills=nice,
                    min_age=int(min_ages[n]),
                    works_with_children=bool(children[n]),
                    kind=kind_list[int(kinds[n])],
                    interests=tags,
                    co_host_institution_ids=co - {int(insts[n])},
                )
            )
            sid += 1

    # ---------------------------------------------------------------- volunteers
    nv = n_volunteers
    v_skills = _gumbel_top_k(rng, nv, popularity, rng.integers(2, 7, nv))
    v_levels = rng.choice([1, 2, 3], size=(nv, 6), p=[0.5, 0.35, 0.15])
    n_win = rng.choice([1, 2, 3], size=nv, p=[0.6, 0.3, 0.1])
    wd_p = np.array([1, 1, 1, 1, 1, 1.6, 1.3])
    w_day = rng.choice(7, size=(nv, 3), p=wd_p / wd_p.sum())
    w_start = rng.integers(8, 19, (nv, 3)) * 60
    w_len = rng.choice([120, 180, 240, 300, 360], size=(nv, 3), p=[0.25, 0.3, 0.25, 0.12, 0.08])
    ages = rng.integers(15, 76, nv)
    age_known = rng.random(nv) >= 0.08
    cpc = rng.random(nv) < 0.35
    total_places = sum(p.places_left for p in places)
    if contended:
        caps = np.zeros(nv, dtype=np.int64)
        if nv:
            base, extra = divmod(total_places, nv)
            caps += base
            caps[rng.permutation(nv)[:extra]] += 1
    else:
        caps = rng.choice([1, 2, 3], size=nv, p=[0.4, 0.4, 0.2])
    hours = rng.integers(4, 41, nv).astype(np.float64)
    pref = _gumbel_top_k(rng, nv, np.ones(N_INSTITUTIONS), rng.integers(0, 3, nv))
    served = _gumbel_top_k(rng, nv, np.ones(N_INSTITUTIONS), rng.integers(0, 4, nv))
    lt_share = rng.random(nv) < 0.3
    v_tags = _gumbel_top_k(rng, nv, np.ones(len(TAGS)), rng.integers(0, 5, nv))
    rel = rng.beta(5, 2, nv)
    declines = rng.random(nv) < 0.03
    decline_need = rng.integers(1, max(n_needs, 1) + 1, nv)
    n_away = rng.choice([0, 1, 2, 3], size=nv, p=[0.6, 0.2, 0.1, 0.1])
    away_days = rng.integers(1, HORIZON_DAYS + 1, (nv, 3))
    n_book = rng.choice([0, 1, 2], size=nv, p=[0.7, 0.2, 0.1])
    book_day = rng.integers(1, HORIZON_DAYS + 1, (nv, 2))
    book_hour = rng.integers(8, 20, (nv, 2))
    volunteers: list[Volunteer] = []
    for i in range(nv):
        windows = tuple(
            AvailabilityWindow(
                int(w_day[i, j]),
                int(w_start[i, j]),
                min(1440, int(w_start[i, j] + w_len[i, j])),
            )
            for j in range(int(n_win[i]))
        )
        inst_served = frozenset(x + 1 for x in served[i])
        volunteers.append(
            Volunteer(
                id=i + 1,
                skills={int(skill_ids[s]): int(v_levels[i, j]) for j, s in enumerate(v_skills[i])},
                availability=windows,
                dates_away=frozenset(
                    BASE_DATE + timedelta(days=int(d)) for d in away_days[i, : n_away[i]]
                ),
                age=int(ages[i]) if age_known[i] else None,
                child_protection_checked=bool(cpc[i]),
                capacity=int(caps[i]),
                hours_left=float(hours[i]),
                preferred_institution_ids=frozenset(x + 1 for x in pref[i]),
                interests=frozenset(TAGS[t] for t in v_tags[i]),
                served_institution_ids=inst_served,
                long_term_institution_ids=inst_served if lt_share[i] else frozenset(),
                reliability=float(rel[i]),
                declined_need_ids=(
                    frozenset({int(decline_need[i])}) if declines[i] else frozenset()
                ),
                bookings=tuple(
                    (
                        day0 + timedelta(days=int(book_day[i, j]), hours=int(book_hour[i, j])),
                        day0 + timedelta(days=int(book_day[i, j]), hours=int(book_hour[i, j]) + 3),
                    )
                    for j in range(int(n_book[i]))
                ),
            )
        )
    cfg = config or MatchingConfig()
    if contended:
        # Everyone's capacity must be usable: lift the per-run cap to the largest capacity.
        cfg = MatchingConfig(
            **{
                **{f: getattr(cfg, f) for f in cfg.__dataclass_fields__},
                "max_shifts_per_volunteer": max(
                    cfg.max_shifts_per_volunteer, int(caps.max(initial=0))
                ),
            }
        )
    return Problem(
        volunteers=volunteers,
        places=places,
        config=cfg,
        coalition_institution_ids=frozenset(range(1, N_COALITION + 1)),
    )


def _peak_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_benchmark(
    n_volunteers: int,
    n_needs: int,
    seed: int,
    *,
    contended: bool = False,
    reference_max_pairs: int = 300_000,
    greedy: bool = True,
    full_check: bool = False,
    baselines: bool = True,
    solver: SolverName = "flow",
) -> dict[str, Any]:
    """Generate, match, and compare with the baselines; returns the JSON-able figures."""
    t0 = time.perf_counter()
    problem = generate_problem(n_volunteers, n_needs, seed, contended=contended)
    t_gen = time.perf_counter() - t0
    result = match(problem, solver=solver)
    peak = _peak_mb()
    st = result.stats
    out: dict[str, Any] = {
        "volunteers": n_volunteers,
        "needs": n_needs,
        "places": len(problem.places),
        "total_places_left": sum(p.places_left for p in problem.places),
        "seed": seed,
        "contended": contended,
        "solver": solver,
        "pairs": st.pairs,
        "proposals": st.proposals,
        "seconds_generate": round(t_gen, 3),
        "seconds_index": round(st.seconds_index, 3),
        "seconds_candidates": round(st.seconds_candidates, 3),
        "seconds_scoring": round(st.seconds_scoring, 3),
        "seconds_solve": round(st.seconds_solve, 3),
        "seconds_explain": round(st.seconds_explain, 3),
        "seconds_diagnostics": round(st.seconds_diagnostics, 3),
        "seconds_total": round(st.seconds_total, 3),
        "peak_mb": round(peak, 1),
        "peak_mb_by_phase": {k: round(v, 1) for k, v in st.peak_mb_by_phase.items()},
        "solve_rounds": st.solve_rounds,
        "solve_pair_arcs": st.solve_pair_arcs,
        "repair_arcs_added": list(st.repair_arcs_added),
        "objective": result.objective,
        "needs_filled": st.needs_with_proposal,
        "unfilled_places": len(result.unfilled),
    }
    for key in (
        "greedy_objective",
        "needs_filled_without_fill_value",
        "reference_objective",
        "seconds_reference",
        "full_objective",
        "objective_equals_full",
        "seconds_full_solve",
    ):
        out[key] = None
    if not baselines:
        out["peak_mb_end"] = round(_peak_mb(), 1)
        return out
    del result  # what the app would have stored; the baselines need only the arrays
    # Baselines on the same candidates and scores (not part of seconds_total).
    index = build_index(problem)
    vi, pi = index.candidate_pairs()
    from matching.scoring import score_pairs

    scores = score_pairs(index, vi, pi)
    n_needs_total = index.need_ids.size
    out["greedy_objective"] = None
    if greedy:
        chosen = optimise_greedy(index, vi, pi, scores)
        counts = np.bincount(index.p_need_idx[pi[chosen]], minlength=n_needs_total)
        out["greedy_objective"] = int(scores[chosen].sum()) + fill_total(
            counts, index.config.fill_values
        )
    flat = (index.config.fill_values[-1],)
    chosen = optimise_flow(index, vi, pi, scores, fill_values=flat)
    counts = np.bincount(index.p_need_idx[pi[chosen]], minlength=n_needs_total)
    out["needs_filled_without_fill_value"] = int((counts > 0).sum())
    out["reference_objective"] = None
    out["seconds_reference"] = None
    if vi.size <= reference_max_pairs:
        from matching.reference import reference_objective

        t1 = time.perf_counter()
        out["reference_objective"] = reference_objective(index, vi, pi, scores)
        out["seconds_reference"] = round(time.perf_counter() - t1, 3)
    out["full_objective"] = None
    out["objective_equals_full"] = None
    out["seconds_full_solve"] = None
    if full_check:
        from matching import cost_scaling

        t1 = time.perf_counter()
        net = cost_scaling.build_network(index, vi, pi, scores, index.config.fill_values)
        full = -cost_scaling.solve_full(net, release=True)[1]
        out["seconds_full_solve"] = round(time.perf_counter() - t1, 3)
        out["full_objective"] = full
        out["objective_equals_full"] = full == out["objective"]
    out["peak_mb_end"] = round(_peak_mb(), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.bench", description=__doc__)
    parser.add_argument("--volunteers", type=int, default=1000)
    parser.add_argument("--needs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--contended", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--reference-max-pairs", type=int, default=300_000)
    parser.add_argument("--no-greedy", action="store_true", help="skip the greedy baseline")
    parser.add_argument(
        "--solver",
        choices=("flow", "pruned"),
        default="flow",
        help="flow: every pair from the start; pruned: working set + repairs (same optimum)",
    )
    parser.add_argument(
        "--full-check",
        action="store_true",
        help="also solve the whole candidate graph in one go and compare the objectives",
    )
    parser.add_argument(
        "--no-baselines",
        action="store_true",
        help="stop after the match (no greedy, flat-curve, reference or full-graph solves)",
    )
    args = parser.parse_args(argv)
    out = run_benchmark(
        args.volunteers,
        args.needs,
        args.seed,
        contended=args.contended,
        reference_max_pairs=args.reference_max_pairs,
        greedy=not args.no_greedy,
        full_check=args.full_check,
        baselines=not args.no_baselines,
        solver=args.solver,
    )
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    ref = out["reference_objective"]
    lines = [
        f"instance: {out['volunteers']} volunteers, {out['needs']} needs, "
        f"{out['places']} shifts ({out['total_places_left']} places), seed {out['seed']}, "
        f"{'contended' if out['contended'] else 'plentiful'}",
        f"feasible pairs: {out['pairs']}, proposals: {out['proposals']}",
        f"time: total {out['seconds_total']} s (index {out['seconds_index']}, candidates "
        f"{out['seconds_candidates']}, scoring {out['seconds_scoring']}, solve "
        f"{out['seconds_solve']}, explain {out['seconds_explain']}, diagnostics "
        f"{out['seconds_diagnostics']}); peak memory {out['peak_mb']} MiB",
        f"objective: {out['objective']} (greedy {out['greedy_objective']}, reference "
        f"{'not run' if ref is None else ref})",
        f"needs with a proposal: {out['needs_filled']} of {out['needs']} "
        f"(flat fill value: {out['needs_filled_without_fill_value']})",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
