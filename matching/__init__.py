"""Matching library of Giełda Wolontariatu OKIK: volunteers to open shifts, exactly.

Pure Python + numpy + OR-Tools; no Flask, no database.  The app builds a :class:`Problem` from
its rows (local Warsaw wall-clock times, integer ids), calls :func:`match` and stores the
proposals with their reasons (codes + params it translates) and the diagnostics of unfilled
shifts.  For pages that rank candidates or shifts, build a :class:`MatchingIndex` once with
:func:`build_index` and call the ranking helpers.
"""

from matching import types as _types
from matching.candidates import FEASIBILITY_CODES
from matching.candidates import MatchingIndex
from matching.candidates import build_index
from matching.candidates import infeasibility
from matching.candidates import is_feasible
from matching.config import MatchingConfig
from matching.diagnostics import diagnose
from matching.explain import render_diagnostic
from matching.explain import render_reason
from matching.explain import render_reasons
from matching.ranking import best_candidates_for_need
from matching.ranking import best_candidates_for_place
from matching.ranking import best_places_for_volunteer
from matching.ranking import rank_pairs
from matching.scoring import explain_pair
from matching.scoring import score_pairs
from matching.solver import match
from matching.solver import solve_greedy
from matching.types import *  # noqa: F403  (re-exported: see __all__ below)

__all__ = [
    "FEASIBILITY_CODES",
    "MatchingConfig",
    "MatchingIndex",
    "best_candidates_for_need",
    "best_candidates_for_place",
    "best_places_for_volunteer",
    "build_index",
    "diagnose",
    "explain_pair",
    "infeasibility",
    "is_feasible",
    "match",
    "rank_pairs",
    "render_diagnostic",
    "render_reason",
    "render_reasons",
    "score_pairs",
    "solve_greedy",
]
# The data types are the library's vocabulary: all of them are public.
__all__ += _types.__all__
