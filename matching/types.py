"""Input and output data types of the matching library.

Everything here is a plain frozen dataclass with integer ids so that the Flask app can build
instances from its ORM rows without the library knowing about the database.  Times are naive
*local* (Europe/Warsaw wall clock) datetimes: the app converts from UTC before calling us, which
keeps weekday/time-of-day reasoning trivial and matches how volunteers state availability.

The dataclasses deliberately carry no validation in ``__post_init__``: a national-scale run
builds hundreds of thousands of them and the index validates everything in bulk instead
(see :func:`matching.candidates.build_index`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from enum import StrEnum
from typing import Any

from matching.config import MatchingConfig

__all__ = [
    "AvailabilityWindow",
    "Diagnostic",
    "MatchResult",
    "MatchStats",
    "NeedKind",
    "Place",
    "Problem",
    "Proposal",
    "Reason",
    "Volunteer",
]


class NeedKind(StrEnum):
    """Kind of a need; only ``LONG_TERM`` changes scoring (continuity bonus)."""

    ONE_OFF = "one_off"
    RECURRING = "recurring"
    LONG_TERM = "long_term"
    TRAINING = "training"


@dataclass(frozen=True, slots=True)
class AvailabilityWindow:
    """A weekly recurring slot in which the volunteer is free.

    ``weekday`` is 0=Monday..6=Sunday; minutes are counted from local midnight, ``end_minute``
    may be 1440 (midnight at the end of the day).  Windows of one weekday that overlap or touch
    are merged by the index, so "Sat 10-12" + "Sat 12-14" covers a Saturday 11-13 shift.
    """

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class Volunteer:
    """One volunteer as the matcher sees them for a single run.

    ``capacity`` is the maximum number of shifts this run may propose (the app derives it from
    the remaining monthly hours); ``hours_left`` is checked per shift (a shift longer than the
    hours left is infeasible).  The total of several proposed shifts is bounded by ``capacity``
    only: an exact hours budget would be a knapsack constraint that a flow network cannot express.
    ``reliability`` is 0..1 from attendance history, over ``shifts_on_record`` past shifts whose
    outcome is known (None: the caller does not say; 0: a newcomer, whose reliability is only the
    prior and is explained as such).  ``long_term_institution_ids`` are the
    institutions the volunteer served on a long-term need (continuity bonus); they count as
    served for the "new institution" bonus too.
    """

    id: int
    skills: Mapping[int, int] = field(default_factory=dict)
    availability: tuple[AvailabilityWindow, ...] = ()
    dates_away: frozenset[date] = frozenset()
    age: int | None = None
    child_protection_checked: bool = False
    capacity: int = 1
    hours_left: float = math.inf
    preferred_institution_ids: frozenset[int] = frozenset()
    interests: frozenset[str] = frozenset()
    served_institution_ids: frozenset[int] = frozenset()
    long_term_institution_ids: frozenset[int] = frozenset()
    reliability: float = 0.5
    declined_need_ids: frozenset[int] = frozenset()
    declined_place_ids: frozenset[int] = frozenset()
    bookings: tuple[tuple[datetime, datetime], ...] = ()
    shifts_on_record: int | None = None
    #: qualification id -> the last day it is valid (None: it never lapses)
    qualifications: Mapping[int, date | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Place:
    """An open shift of a need (``id`` is the shift id).

    ``start``/``end`` are naive local datetimes; a shift must start and end on the same calendar
    day (``end`` may be midnight of the next day) to be coverable by an availability window, which
    is also why "one shift per volunteer per day" rules out overlaps inside one run.
    ``places_left`` is how many more volunteers the shift can take.

    The limits that protect volunteers travel with the shift, because a need may override the
    coalition's values: ``min_rest_minutes`` is the least time between this shift and any other
    booking of the volunteer (0: no limit), ``max_days_in_row`` the longest run of consecutive
    days with a booking that this shift may create (0: no limit), and ``signup_opens_at`` the
    local moment from which people may be placed on it (None: open already).
    """

    id: int
    need_id: int
    institution_id: int
    start: datetime
    end: datetime
    places_left: int = 1
    required_skills: Mapping[int, int] = field(default_factory=dict)
    nice_skills: frozenset[int] = frozenset()
    min_age: int = 0
    works_with_children: bool = False
    kind: NeedKind = NeedKind.ONE_OFF
    interests: frozenset[str] = frozenset()
    co_host_institution_ids: frozenset[int] = frozenset()
    #: qualifications the volunteer must hold, valid on the shift's date
    required_qualifications: frozenset[int] = frozenset()
    min_rest_minutes: int = 0
    max_days_in_row: int = 0
    signup_opens_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """One matching run.

    ``coalition_institution_ids`` limits the "new institution" bonus to coalition members;
    ``None`` means every institution in the run belongs to the coalition.
    """

    volunteers: Sequence[Volunteer]
    places: Sequence[Place]
    config: MatchingConfig = field(default_factory=MatchingConfig)
    coalition_institution_ids: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One term of an explanation: a stable ``code`` the app translates, its ``params`` and the
    points it contributed (0 for purely informative reasons such as diagnostics)."""

    code: str
    params: Mapping[str, Any]
    points: int = 0


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed (volunteer, shift) pair; ``score`` is the sum of ``reasons`` points.

    The same type is returned by the ranking helpers, where it is a suggestion, not a decision.
    """

    volunteer_id: int
    place_id: int
    need_id: int
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Why a shift got fewer proposals than ``places_left``: ``code`` + ``params`` like Reason."""

    place_id: int
    need_id: int
    places_left: int
    proposed: int
    code: str
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class MatchStats:
    """Sizes and wall-clock timings (seconds) of one run, for logs and the benchmark."""

    volunteers: int
    places: int
    needs: int
    pairs: int
    proposals: int
    needs_with_proposal: int
    solver: str
    seconds_index: float
    seconds_candidates: float
    seconds_scoring: float
    seconds_solve: float
    seconds_explain: float
    seconds_diagnostics: float
    seconds_total: float
    #: flow solves (1 = the first working set was already optimal), the pair arcs of the last
    #: one and how many arcs each repair added back
    solve_rounds: int = 0
    solve_pair_arcs: int = 0
    repair_arcs_added: tuple[int, ...] = ()
    #: peak resident memory of the process (MiB) at the end of each phase, where the OS says
    peak_mb_by_phase: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Outcome of a run.

    ``objective`` = ``score_total`` (sum of proposal scores) + ``fill_total`` (sum of the
    concave per-need fill values of the proposals); it is what the solver maximises.
    Proposals are sorted by (need id, place id, volunteer id); ``unfilled`` by place id.
    """

    proposals: tuple[Proposal, ...]
    unfilled: tuple[Diagnostic, ...]
    objective: int
    score_total: int
    fill_total: int
    stats: MatchStats
