"""Why shifts stay (partly) unfilled: one code + params per short shift.

Staff need an actionable sentence ("nobody with first aid level 2 is free on Sundays 10-14"),
not "0 candidates".  For shifts that had candidates the answer is that they were all used
elsewhere (in an optimal or greedy solution every unused candidate is busy: adding a free one
would raise the objective, since every unit has positive value).  For shifts without any
candidate we run a funnel over the volunteers: required skills -> weekday/time -> each
remaining rule in turn, and report the stage that removed the last of them.

Codes (params in brackets):

* ``candidates_taken`` [count, proposed] - ``count`` candidates, all proposed elsewhere;
* ``too_few_candidates`` [count] - every candidate was proposed here, still places left;
* ``no_skill`` [skills] - no volunteer with capacity has the required skills at those levels;
* ``no_skilled_available`` [skills, weekday, start, end] - some have them, none is free then;
* ``no_one_available`` [weekday, start, end] - shift needs no skill, nobody is free then;
* ``crosses_midnight`` [start, end] - availability is per day, such shifts are never covered;
* ``all_away`` [count, date], ``blocked_age`` [count, min_age],
  ``blocked_child_protection`` [count], ``blocked_bookings`` [count], ``declined`` [count],
  ``blocked_hours`` [count, hours], ``blocked_qualification`` [count, qualification_ids],
  ``blocked_rest`` [count, rest_hours], ``blocked_days_in_row`` [count, days],
  ``signup_not_open`` [count, opens] - the skilled, available volunteers all fail that rule;
* ``blocked_mixed`` [count, by] - they fail for several rules, ``by`` maps rule -> count;
* ``no_candidates`` [count] - safety net that a consistent index never produces.

``skills`` is a list of ``{"skill_id", "min_level"}``; ``weekday`` is 0=Mon; times are "HH:MM".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matching.candidates import BoolArray
from matching.candidates import IntArray
from matching.candidates import MatchingIndex
from matching.types import Diagnostic

__all__ = ["diagnose", "explain_no_candidates"]

#: Funnel stage after availability -> diagnostic code used when it alone blocks everyone.
_STAGE_CODES: dict[str, str] = {
    "away": "all_away",
    "age": "blocked_age",
    "child_protection": "blocked_child_protection",
    "booking": "blocked_bookings",
    "declined": "declined",
    "hours": "blocked_hours",
    "qualification": "blocked_qualification",
    "rest": "blocked_rest",
    "days_in_row": "blocked_days_in_row",
    "signup_closed": "signup_not_open",
}


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def diagnose(
    index: MatchingIndex, vi: IntArray, pi: IntArray, chosen: BoolArray
) -> tuple[Diagnostic, ...]:
    """Diagnostics for every shift with fewer proposals than ``places_left``, by place id."""
    n_p = index.n_places
    proposed = np.bincount(pi[chosen], minlength=n_p)
    candidates = np.bincount(pi, minlength=n_p)
    out: list[Diagnostic] = []
    for p in np.flatnonzero(index.p_left > proposed).tolist():
        place = index.places[p]
        prop, cands = int(proposed[p]), int(candidates[p])
        if cands > prop:
            code, params = "candidates_taken", {"count": cands - prop, "proposed": prop}
        elif cands > 0:
            code, params = "too_few_candidates", {"count": cands}
        else:
            code, params = explain_no_candidates(index, p)
        out.append(
            Diagnostic(
                place_id=place.id,
                need_id=place.need_id,
                places_left=int(index.p_left[p]),
                proposed=prop,
                code=code,
                params=params,
            )
        )
    return tuple(out)


def explain_no_candidates(index: MatchingIndex, p: int) -> tuple[str, dict[str, Any]]:
    """Funnel for a shift (place index ``p``) that has no feasible volunteer at all."""
    place = index.places[p]
    start, end = int(index.p_smod[p]), int(index.p_emod[p])
    when = {"weekday": int(index.p_weekday[p]), "start": _hhmm(start), "end": _hhmm(end)}
    skills = [{"skill_id": s, "min_level": m} for s, m in sorted(place.required_skills.items())]
    if end > 1440:
        return "crosses_midnight", {"start": _hhmm(start), "end": _hhmm(end % 1440)}
    active = index.v_active
    flat = index.levels.reshape(-1)
    key = int(index.p_key_col[p])
    if skills:
        if key == index.no_skill_col:
            return "no_skill", {"skills": skills}
        pool = index.skill_vols[index.skill_vol_ptr[key] : index.skill_vol_ptr[key + 1]]
        pool = pool[active[pool]]
        ok = np.ones(pool.size, dtype=bool)
        for j in range(index.p_req.shape[1]):
            ok &= flat[pool * index.n_skill_cols + index.p_req[p, j]] >= index.p_req_min[p, j]
        if not ok.any():
            return "no_skill", {"skills": skills}
    # Skilled (or anyone, without required skills) and free at that time.
    g = key * 7 + int(index.p_weekday[p])
    r0, r1 = int(index.t_ptr[g]), int(index.t_ptr[g + 1])
    rows = np.arange(r0, r1)
    rows = rows[(index.t_start[rows] <= start) & (index.t_end[rows] >= end)]
    pool = np.unique(index.t_vol[rows])
    ok = np.ones(pool.size, dtype=bool)
    for j in range(index.p_req.shape[1]):
        ok &= flat[pool * index.n_skill_cols + index.p_req[p, j]] >= index.p_req_min[p, j]
    pool = pool[ok]
    if pool.size == 0:
        if skills:
            return "no_skilled_available", {"skills": skills, **when}
        return "no_one_available", when
    masks = index.rule_masks(pool, np.full(pool.size, p, dtype=np.int64))
    remaining = np.ones(pool.size, dtype=bool)
    by: dict[str, int] = {}
    for stage in _STAGE_CODES:
        fails = remaining & ~masks[stage]
        if fails.any():
            by[stage] = int(fails.sum())
            remaining &= ~fails
    count = int(pool.size)
    if remaining.any() or not by:
        # Cannot happen for a consistent index; say so rather than invent a reason.
        return "no_candidates", {"count": int(remaining.sum())}
    if len(by) == 1:
        stage = next(iter(by))
        params: dict[str, Any] = {"count": count}
        if stage == "away":
            params["date"] = place.start.date().isoformat()
        elif stage == "age":
            params["min_age"] = place.min_age
        elif stage == "hours":
            params["hours"] = round(float(index.p_hours[p]), 2)
        elif stage == "qualification":
            params["qualification_ids"] = sorted(place.required_qualifications)
        elif stage == "rest":
            params["rest_hours"] = round(place.min_rest_minutes / 60, 2)
        elif stage == "days_in_row":
            params["days"] = place.max_days_in_row
        elif stage == "signup_closed" and place.signup_opens_at is not None:
            params["opens"] = place.signup_opens_at.date().isoformat()
        return _STAGE_CODES[stage], params
    return "blocked_mixed", {"count": count, "by": by}
