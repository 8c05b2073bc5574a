"""The single tuning knob of the matcher: :class:`MatchingConfig`.

All weights are integer *points* so that scores are integers and min-cost flow is exact (no
floating-point ties).  Default magnitudes are chosen so that the first fill value of a need
(1000) dwarfs any pair score (well under 200 with the defaults): the optimiser therefore gives
every need somebody before it gives any need a second person, and only then looks at fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

__all__ = ["MatchingConfig"]


@dataclass(frozen=True, slots=True)
class MatchingConfig:
    """Weights and limits of a matching run (all points are non-negative integers).

    Score of a feasible (volunteer, shift) pair, term by term (reason code in brackets):

    * ``required_skill_points`` per required skill (always met by a feasible pair) plus
      ``level_above_min_points`` per level above the required minimum [``skill_level``];
    * ``nice_skill_points`` per nice-to-have skill the volunteer has at any level [``nice_skill``];
    * ``interest_points`` per interest tag shared with the shift, at most ``max_interest_tags``
      tags count [``interests``];
    * ``preferred_institution_points`` if the institution (or a co-host) is one the volunteer
      prefers [``preferred_institution``];
    * ``continuity_points`` for a long-term need at an institution where the volunteer already
      served on a long-term need [``continuity``];
    * ``new_institution_points`` for a coalition institution the volunteer has not served yet,
      which is the exchange the coalition exists for [``new_institution``];
    * ``round(reliability_points * reliability)`` [``reliability``].

    ``fill_values[k]`` is the value of the (k+1)-th proposal of a need (all its shifts
    together); the last value repeats.  It must be positive and non-increasing (concave total),
    which is what makes "everyone gets somebody first" fall out of the optimisation.

    ``max_shifts_per_volunteer`` caps every volunteer's capacity for the run so that the same
    few people do not get everything.  ``unknown_age_ok`` decides what an unknown age means
    for a shift with a minimum age: by default it is infeasible (we cannot prove the volunteer is
    old enough, and the check usually protects minors).

    ``as_of`` is the local moment the run looks from: shifts whose sign-up opens later
    (``Place.signup_opens_at``) are not proposed.  None means no such check (the library
    itself has no clock).
    """

    required_skill_points: int = 10
    level_above_min_points: int = 8
    nice_skill_points: int = 6
    interest_points: int = 5
    max_interest_tags: int = 3
    preferred_institution_points: int = 15
    continuity_points: int = 25
    new_institution_points: int = 12
    reliability_points: int = 20
    fill_values: tuple[int, ...] = (1000, 250, 120, 80, 60, 50)
    max_shifts_per_volunteer: int = 2
    unknown_age_ok: bool = False
    as_of: datetime | None = None

    def validate(self) -> None:
        """Raise ``ValueError`` for settings that would break exactness or the fill curve."""
        points = {
            "required_skill_points": self.required_skill_points,
            "level_above_min_points": self.level_above_min_points,
            "nice_skill_points": self.nice_skill_points,
            "interest_points": self.interest_points,
            "max_interest_tags": self.max_interest_tags,
            "preferred_institution_points": self.preferred_institution_points,
            "continuity_points": self.continuity_points,
            "new_institution_points": self.new_institution_points,
            "reliability_points": self.reliability_points,
            "max_shifts_per_volunteer": self.max_shifts_per_volunteer,
        }
        for name, value in points.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {value!r}")
            if value > 1_000_000:
                raise ValueError(f"{name} is too large for exact integer costs: {value}")
        if not self.fill_values:
            raise ValueError("fill_values must not be empty")
        previous = math.inf
        for value in self.fill_values:
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"fill_values must be positive ints, got {self.fill_values!r}")
            if value > previous:
                raise ValueError(f"fill_values must be non-increasing, got {self.fill_values!r}")
            if value > 100_000_000:
                raise ValueError("fill_values are too large for exact integer costs")
            previous = value

    def fill_value(self, k: int) -> int:
        """Value of the ``k``-th (0-based) proposal of one need."""
        values = self.fill_values
        return values[k] if k < len(values) else values[-1]

    def reliability_score(self, reliability: float) -> int:
        """Points for reliability; ``floor(x + 0.5)`` matches the numpy path bit for bit."""
        r = min(max(float(reliability), 0.0), 1.0)
        return int(math.floor(self.reliability_points * r + 0.5))
