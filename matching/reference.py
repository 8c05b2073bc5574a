"""Independent exact solve of the matching model with scipy's HiGHS, for checking the flow.

The linear program is written down directly from the pairs (not from the flow network that
:mod:`matching.solver` builds), so a modelling slip in either would show up as a different
objective.  Its constraint matrix is totally unimodular (it is a network matrix in disguise),
so the simplex optimum is integral and equals the integer optimum.  scipy is a test/benchmark
dependency only: it is imported lazily.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.candidates import IntArray
from matching.candidates import MatchingIndex

__all__ = ["reference_objective"]


def reference_objective(
    index: MatchingIndex,
    vi: IntArray,
    pi: IntArray,
    scores: IntArray,
    fill_values: Sequence[int] | None = None,
) -> int:
    """Optimal objective of the model for the given pairs, via ``scipy.optimize.linprog``.

    Variables: ``x`` per pair in [0, 1] and, per need, one ``y_k`` per fill unit in [0, 1]
    (the units past the curve's end share one variable bounded by the remaining capacity).
    Rows: volunteer capacity, volunteer-day <= 1, place capacity, and per need
    ``sum(x) - sum(y) = 0``.
    """
    from scipy import sparse
    from scipy.optimize import linprog

    fill = np.asarray(index.config.fill_values if fill_values is None else fill_values)
    n = vi.size
    if n == 0:
        return 0
    # Row blocks.
    vols, vol_row = np.unique(vi, return_inverse=True)
    day_keys, day_row = np.unique(
        vi.astype(np.int64) * 1_000_000_000 + index.p_day[pi], return_inverse=True
    )
    places, place_row = np.unique(pi, return_inverse=True)
    needs, need_row = np.unique(index.p_need_idx[pi], return_inverse=True)
    n_vol, n_day, n_place, n_need = vols.size, day_keys.size, places.size, needs.size
    # Fill variables per need.
    place_need = np.searchsorted(needs, index.p_need_idx[places])
    need_cap = np.bincount(place_need, weights=index.p_left[places], minlength=n_need)
    need_cap = need_cap.astype(np.int64)
    y_need: list[int] = []
    y_ub: list[int] = []
    y_val: list[int] = []
    for r, cap in enumerate(need_cap.tolist()):
        for k in range(min(cap, fill.size)):
            y_need.append(r)
            y_val.append(int(fill[k]))
            y_ub.append(1 if k < fill.size - 1 else cap - (fill.size - 1))
    m = len(y_need)
    cols_x = np.arange(n)
    rows = np.concatenate(
        (
            vol_row,
            n_vol + day_row,
            n_vol + n_day + place_row,
            n_vol + n_day + n_place + need_row,
            n_vol + n_day + n_place + np.asarray(y_need, dtype=np.int64),
        )
    )
    cols = np.concatenate((cols_x, cols_x, cols_x, cols_x, n + np.arange(m)))
    data = np.concatenate((np.ones(4 * n), -np.ones(m)))
    a = sparse.csr_array((data, (rows, cols)), shape=(n_vol + n_day + n_place + n_need, n + m))
    a_ub = a[: n_vol + n_day + n_place]
    b_ub = np.concatenate((index.v_cap[vols], np.ones(n_day), index.p_left[places])).astype(
        np.float64
    )
    a_eq = a[n_vol + n_day + n_place :]
    b_eq = np.zeros(n_need)
    c = -np.concatenate((scores.astype(np.float64), np.asarray(y_val, dtype=np.float64)))
    bounds = np.column_stack((np.zeros(n + m), np.concatenate((np.ones(n), y_ub))))
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds")
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed: {res.message}")
    if np.abs(res.x - np.rint(res.x)).max(initial=0.0) > 1e-6:
        raise RuntimeError("HiGHS returned a fractional vertex; the model is not unimodular")
    return int(round(-res.fun))
