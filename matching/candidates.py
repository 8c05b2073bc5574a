"""Feasibility of (volunteer, shift) pairs and indexed candidate generation.

Two implementations of the same rules live here on purpose:

* :func:`infeasibility` / :func:`is_feasible` work on the dataclasses one pair at a time.  They
  are the readable specification, used by tests, diagnostics wording and anyone who wants to
  ask "why not this person?".
* :class:`MatchingIndex` turns a :class:`~matching.types.Problem` into numpy arrays once and
  generates all feasible pairs without comparing every volunteer with every shift: each shift
  only looks at the volunteers who hold its *rarest* required skill at the required level and
  have a (merged) availability window on its weekday; shifts without required skills use the
  same weekday/time table built over all volunteers.  Every other rule is then checked on the
  surviving pairs with vectorised array operations.

Rules (a pair is feasible when all hold):

1. the volunteer's run capacity ``min(capacity, config.max_shifts_per_volunteer)`` is > 0;
2. every required skill is held at least at the required level;
3. a merged availability window of the shift's weekday covers ``[start, end]`` (so shifts that
   run past midnight are never coverable);
4. the volunteer is not away on the shift's date;
5. ``age >= min_age``; an unknown age fails a positive ``min_age`` unless
   ``config.unknown_age_ok``;
6. shifts that work with children need ``child_protection_checked``;
7. no existing booking overlaps the shift (touching end-to-start is fine);
8. the volunteer has not declined the shift or its need before;
9. ``hours_left`` is at least the shift's length;
10. every qualification the shift requires is held and still valid on the shift's date.
11. the volunteer rests at least ``place.min_rest_minutes`` between the shift and every booking
    that does not overlap it (an overlap is rule 7, not this one);
12. with the shift, the volunteer serves at most ``place.max_days_in_row`` consecutive days: the
    days a booking touches, before and after the shift's day, are counted;
13. the shift's sign-up has opened: ``place.signup_opens_at`` is not after ``config.as_of``.

Rules 11-13 protect volunteers from overwork and keep the coalition's sign-up calendar; the app
checks the same rules again whenever it places someone, so proposals of one run that would
break them together are refused at approval with the limit named.

"At most one shift per volunteer per day" is *not* a filter: it is a constraint of the
optimisation (see :mod:`matching.solver`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

import numpy as np
import numpy.typing as npt

from matching.config import MatchingConfig
from matching.types import AvailabilityWindow
from matching.types import NeedKind
from matching.types import Place
from matching.types import Problem
from matching.types import Volunteer

__all__ = [
    "FEASIBILITY_CODES",
    "MatchingIndex",
    "build_index",
    "infeasibility",
    "is_feasible",
    "lacks_qualification",
    "merge_windows",
]

MINUTES_PER_DAY = 1440
#: Ids are packed two to an int64 key, so each must fit in 31 bits (the library's own limit).
_ID_LIMIT = int(np.iinfo(np.int32).max)
_LOW32 = np.int64(0xFFFFFFFF)
#: Upper bound of cells evaluated at once by the weekday/time join (memory guard, ~4 MB).
_JOIN_CHUNK_CELLS = 1 << 22
#: Raw join hits collected before the other rules filter them (memory guard, ~16 MB).
_CHECK_BLOCK_PAIRS = 1 << 20

IntArray = npt.NDArray[np.int64]
I32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

#: Stable codes returned by :func:`infeasibility`, in the order the rules are listed above.
FEASIBILITY_CODES: tuple[str, ...] = (
    "capacity",
    "skill",
    "availability",
    "away",
    "age",
    "child_protection",
    "booking",
    "declined",
    "hours",
    "qualification",
    "rest",
    "days_in_row",
    "signup_closed",
)


# --------------------------------------------------------------------------------------------
# Pure-Python rules (the specification)
# --------------------------------------------------------------------------------------------


def merge_windows(
    windows: Iterable[AvailabilityWindow],
) -> dict[int, list[tuple[int, int]]]:
    """Merge overlapping or touching windows per weekday.

    Merging makes "covered by a window" equal to "covered by the union of windows", which is
    what a volunteer who writes "10-12" and "12-14" means, and guarantees that the index never
    produces the same pair twice.
    """
    by_day: dict[int, list[tuple[int, int]]] = {}
    for window in sorted(windows, key=lambda w: (w.weekday, w.start_minute, w.end_minute)):
        spans = by_day.setdefault(window.weekday, [])
        if spans and window.start_minute <= spans[-1][1]:
            last_start, last_end = spans[-1]
            spans[-1] = (last_start, max(last_end, window.end_minute))
        else:
            spans.append((window.start_minute, window.end_minute))
    return by_day


def _minute_of(moment: datetime) -> int:
    """Absolute minute (proleptic ordinal day * 1440 + minute of day); seconds are ignored."""
    return moment.toordinal() * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


def _shift_minutes(place: Place) -> tuple[int, int, int]:
    """(day ordinal, start minute of day, end minute measured from the start day's midnight)."""
    day = place.start.toordinal()
    start = place.start.hour * 60 + place.start.minute
    end = _minute_of(place.end) - day * MINUTES_PER_DAY
    return day, start, end


def run_capacity(volunteer: Volunteer, config: MatchingConfig) -> int:
    """Shifts the volunteer may get in this run: own capacity capped by the config."""
    return max(0, min(volunteer.capacity, config.max_shifts_per_volunteer))


def infeasibility(volunteer: Volunteer, place: Place, config: MatchingConfig) -> list[str]:
    """All rules (codes from :data:`FEASIBILITY_CODES`) that the pair breaks; empty if feasible.

    Returning every broken rule, not just the first, lets staff see the whole picture.
    """
    broken: list[str] = []
    if run_capacity(volunteer, config) <= 0:
        broken.append("capacity")
    if any(volunteer.skills.get(s, 0) < lvl for s, lvl in place.required_skills.items()):
        broken.append("skill")
    day, start, end = _shift_minutes(place)
    weekday = place.start.weekday()
    spans = merge_windows(volunteer.availability).get(weekday, [])
    if not any(s <= start and end <= e for s, e in spans):
        broken.append("availability")
    if place.start.date() in volunteer.dates_away:
        broken.append("away")
    if place.min_age > 0:
        if volunteer.age is None:
            if not config.unknown_age_ok:
                broken.append("age")
        elif volunteer.age < place.min_age:
            broken.append("age")
    if place.works_with_children and not volunteer.child_protection_checked:
        broken.append("child_protection")
    p_start, p_end = _minute_of(place.start), _minute_of(place.end)
    if any(_minute_of(b0) < p_end and _minute_of(b1) > p_start for b0, b1 in volunteer.bookings):
        broken.append("booking")
    if place.need_id in volunteer.declined_need_ids or place.id in volunteer.declined_place_ids:
        broken.append("declined")
    if volunteer.hours_left < (p_end - p_start) / 60.0:
        broken.append("hours")
    if lacks_qualification(volunteer, place):
        broken.append("qualification")
    rest = place.min_rest_minutes
    if rest > 0 and any(
        not (_minute_of(b0) < p_end and _minute_of(b1) > p_start)
        and _minute_of(b0) < p_end + rest
        and _minute_of(b1) > p_start - rest
        for b0, b1 in volunteer.bookings
    ):
        broken.append("rest")
    if place.max_days_in_row > 0 and _days_in_row(volunteer, day) > place.max_days_in_row:
        broken.append("days_in_row")
    opens = place.signup_opens_at
    if opens is not None and config.as_of is not None and config.as_of < opens:
        broken.append("signup_closed")
    return broken


def _booked_days(start_minute: int, end_minute: int) -> range:
    """Day ordinals a booking touches (one ending at midnight does not touch the next day)."""
    return range(start_minute // MINUTES_PER_DAY, (end_minute - 1) // MINUTES_PER_DAY + 1)


def _days_in_row(volunteer: Volunteer, day: int) -> int:
    """Length of the run of consecutive busy days through ``day`` if the volunteer took it."""
    busy = {
        d for b0, b1 in volunteer.bookings for d in _booked_days(_minute_of(b0), _minute_of(b1))
    }
    before = 0
    while day - before - 1 in busy:
        before += 1
    after = 0
    while day + after + 1 in busy:
        after += 1
    return before + 1 + after


def lacks_qualification(volunteer: Volunteer, place: Place) -> bool:
    """True when a qualification the shift requires is missing or lapses before its date."""
    day = place.start.date()
    for qualification_id in place.required_qualifications:
        if qualification_id not in volunteer.qualifications:
            return True
        until = volunteer.qualifications[qualification_id]
        if until is not None and until < day:
            return True
    return False


def is_feasible(volunteer: Volunteer, place: Place, config: MatchingConfig) -> bool:
    """True when :func:`infeasibility` finds nothing (``places_left`` is not looked at)."""
    return not infeasibility(volunteer, place, config)


# --------------------------------------------------------------------------------------------
# Array helpers
# --------------------------------------------------------------------------------------------


def _pair_key(a: npt.NDArray[np.integer], b: npt.NDArray[np.integer]) -> IntArray:
    """Pack two non-negative 31-bit integer arrays into sortable int64 keys."""
    return (a.astype(np.int64) << 32) | (b.astype(np.int64) & _LOW32)


def _sorted_keys(pairs: list[tuple[int, int]]) -> IntArray:
    """Sorted unique int64 keys of (index, value) pairs, for :func:`_in_sorted`."""
    if not pairs:
        return np.zeros(0, dtype=np.int64)
    arr = np.asarray(pairs, dtype=np.int64)
    return np.unique((arr[:, 0] << 32) | (arr[:, 1] & _LOW32))


def _in_sorted(sorted_keys: IntArray, queries: IntArray) -> BoolArray:
    """Vectorised membership test against a sorted key array (faster than ``np.isin``)."""
    if sorted_keys.size == 0 or queries.size == 0:
        return np.zeros(queries.shape, dtype=bool)
    pos = np.searchsorted(sorted_keys, queries)
    pos[pos == sorted_keys.size] = 0
    return sorted_keys[pos] == queries


def _tag_words(tags: Iterable[str], vocab: dict[str, int], words: int) -> list[int]:
    """Interest tags as ``words`` 64-bit masks (as Python ints) over the vocabulary."""
    mask = 0
    for tag in tags:
        bit = vocab.get(tag)
        if bit is not None:
            mask |= 1 << bit
    return [(mask >> (64 * w)) & 0xFFFFFFFFFFFFFFFF for w in range(words)]


def _check_id(value: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _ID_LIMIT:
        raise ValueError(f"{what} must be an int in [0, 2**31), got {value!r}")


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class MatchingIndex:
    """A problem converted to arrays plus the skill/weekday/time lookup table.

    Build it once with :func:`build_index` and reuse it for a full run and for any number of
    ranking queries.  Volunteers and places are kept sorted by id so that the result does not
    depend on the order the app happened to load them in.  Attribute names starting with
    ``v_``/``p_``/``t_`` are per volunteer / per place / per table row; they are internal but
    stable enough for the sibling modules.
    """

    config: MatchingConfig
    coalition_institution_ids: frozenset[int] | None
    volunteers: tuple[Volunteer, ...]
    places: tuple[Place, ...]
    volunteer_pos: dict[int, int]
    place_pos: dict[int, int]
    need_ids: IntArray
    skill_ids: IntArray
    n_skill_cols: int
    # volunteers
    v_ids: IntArray = field(repr=False)
    v_cap: IntArray = field(repr=False)
    v_hours: npt.NDArray[np.float64] = field(repr=False)
    v_age: IntArray = field(repr=False)
    v_cpc: BoolArray = field(repr=False)
    v_rel_points: IntArray = field(repr=False)
    v_active: BoolArray = field(repr=False)
    levels: npt.NDArray[np.uint8] = field(repr=False)
    v_tags: npt.NDArray[np.uint64] = field(repr=False)
    away_keys: IntArray = field(repr=False)
    preferred_keys: IntArray = field(repr=False)
    served_keys: IntArray = field(repr=False)
    long_term_keys: IntArray = field(repr=False)
    declined_need_keys: IntArray = field(repr=False)
    declined_place_keys: IntArray = field(repr=False)
    b_ptr: IntArray = field(repr=False)
    b_start: IntArray = field(repr=False)
    b_end: IntArray = field(repr=False)
    busy_day_keys: IntArray = field(repr=False)
    w_vol: IntArray = field(repr=False)
    w_day: IntArray = field(repr=False)
    w_start: IntArray = field(repr=False)
    w_end: IntArray = field(repr=False)
    skill_vol_ptr: IntArray = field(repr=False)
    skill_vols: IntArray = field(repr=False)
    # places
    p_ids: IntArray = field(repr=False)
    p_need: IntArray = field(repr=False)
    p_need_idx: IntArray = field(repr=False)
    p_inst: IntArray = field(repr=False)
    p_start: IntArray = field(repr=False)
    p_end: IntArray = field(repr=False)
    p_day: IntArray = field(repr=False)
    p_weekday: IntArray = field(repr=False)
    p_smod: IntArray = field(repr=False)
    p_emod: IntArray = field(repr=False)
    p_hours: npt.NDArray[np.float64] = field(repr=False)
    p_left: IntArray = field(repr=False)
    p_req: IntArray = field(repr=False)
    p_req_min: IntArray = field(repr=False)
    p_nice: IntArray = field(repr=False)
    p_min_age: IntArray = field(repr=False)
    p_children: BoolArray = field(repr=False)
    p_long_term: BoolArray = field(repr=False)
    p_coalition: BoolArray = field(repr=False)
    p_tags: npt.NDArray[np.uint64] = field(repr=False)
    p_cohosts: IntArray = field(repr=False)
    p_rest: IntArray = field(repr=False)
    p_max_days: IntArray = field(repr=False)
    p_signup_ok: BoolArray = field(repr=False)
    p_key_col: IntArray = field(repr=False)
    p_key_count: IntArray = field(repr=False)
    p_req2: IntArray = field(repr=False)
    p_req2_min: IntArray = field(repr=False)
    p_nsec: IntArray = field(repr=False)
    pw_key: IntArray = field(repr=False)
    pw_order: IntArray = field(repr=False)
    # skill/weekday/time table, rows sorted by (skill column * 7 + weekday, start)
    t_ptr: IntArray = field(repr=False)
    t_start: IntArray = field(repr=False)
    t_end: IntArray = field(repr=False)
    t_level: IntArray = field(repr=False)
    t_vol: IntArray = field(repr=False)
    # qualifications (rule 10): sorted (volunteer index, qualification id) keys, the last valid
    # day ordinal of each key, and each place's required qualification ids padded with -1
    q_keys: IntArray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))
    q_until: IntArray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))
    p_qual: IntArray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.int64))

    @property
    def n_volunteers(self) -> int:
        return len(self.volunteers)

    @property
    def n_places(self) -> int:
        return len(self.places)

    @property
    def no_skill_col(self) -> int:
        """Column of the all-zero pseudo skill: padding, unknown skills and the no-skill key."""
        return self.n_skill_cols - 1

    # ---------------------------------------------------------------- pair-wise checks

    def check_pairs(self, vi: IntArray, pi: IntArray, *, key_checked: bool = False) -> BoolArray:
        """Mask of pairs that pass every rule except availability and capacity.

        Callers guarantee availability (the table join or the volunteer's own windows) and
        only ever pass active volunteers; with ``key_checked`` they also guarantee the shift's
        key skill, so only the other required skills of multi-skill shifts are looked up.
        Cheap, selective tests run first and the arrays are narrowed as we go, so the
        expensive membership tests see few pairs.
        """
        n = vi.size
        ok = np.ones(n, dtype=bool)
        if n == 0:
            return ok
        flat = self.levels.reshape(-1)
        cols = self.n_skill_cols
        if key_checked:
            sec = np.flatnonzero(self.p_nsec[pi] > 0)
            if sec.size:
                v2, p2 = vi[sec], pi[sec]
                vbase = v2.astype(np.int64) * cols
                ok2 = np.ones(sec.size, dtype=bool)
                for j in range(self.p_req2.shape[1]):
                    ok2 &= flat[vbase + self.p_req2[p2, j]] >= self.p_req2_min[p2, j]
                ok[sec] = ok2
        else:
            vbase = vi.astype(np.int64) * cols
            for j in range(self.p_req.shape[1]):
                ok &= flat[vbase + self.p_req[pi, j]] >= self.p_req_min[pi, j]
        min_age = self.p_min_age[pi]
        age = self.v_age[vi]
        age_ok = (min_age <= 0) | (age >= min_age)
        if self.config.unknown_age_ok:
            age_ok |= age < 0
        ok &= age_ok
        ok &= ~self.p_children[pi] | self.v_cpc[vi]
        ok &= self.v_hours[vi] >= self.p_hours[pi]
        ok &= self.p_signup_ok[pi]
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            return ok
        v, p = vi[idx], pi[idx]
        bad = np.zeros(idx.size, dtype=bool)
        if self.away_keys.size:
            bad |= _in_sorted(self.away_keys, _pair_key(v, self.p_day[p]))
        if self.declined_need_keys.size:
            bad |= _in_sorted(self.declined_need_keys, _pair_key(v, self.p_need[p]))
        if self.declined_place_keys.size:
            bad |= _in_sorted(self.declined_place_keys, _pair_key(v, self.p_ids[p]))
        if self.b_start.size:
            bad |= self._booking_clash(v, p)
            bad |= self._rest_clash(v, p)
            bad |= self._days_in_row_clash(v, p)
        if self.p_qual.shape[1]:
            bad |= self._lacks_qualification(v, p)
        ok[idx[bad]] = False
        return ok

    def rule_masks(self, vi: IntArray, pi: IntArray) -> dict[str, BoolArray]:
        """Per-rule "passes" masks (unnarrowed) for the rules :meth:`check_pairs` applies.

        Diagnostics use them to tell *which* rule removed the last candidates; keys are codes
        from :data:`FEASIBILITY_CODES`.
        """
        flat = self.levels.reshape(-1)
        vbase = vi.astype(np.int64) * self.n_skill_cols
        skill = np.ones(vi.size, dtype=bool)
        for j in range(self.p_req.shape[1]):
            skill &= flat[vbase + self.p_req[pi, j]] >= self.p_req_min[pi, j]
        min_age, age = self.p_min_age[pi], self.v_age[vi]
        age_ok = (min_age <= 0) | (age >= min_age)
        if self.config.unknown_age_ok:
            age_ok |= age < 0
        return {
            "skill": skill,
            "away": ~_in_sorted(self.away_keys, _pair_key(vi, self.p_day[pi])),
            "age": age_ok,
            "child_protection": ~self.p_children[pi] | self.v_cpc[vi],
            "booking": ~self._booking_clash(vi, pi),
            "declined": ~(
                _in_sorted(self.declined_need_keys, _pair_key(vi, self.p_need[pi]))
                | _in_sorted(self.declined_place_keys, _pair_key(vi, self.p_ids[pi]))
            ),
            "hours": self.v_hours[vi] >= self.p_hours[pi],
            "qualification": ~self._lacks_qualification(vi, pi),
            "rest": ~self._rest_clash(vi, pi),
            "days_in_row": ~self._days_in_row_clash(vi, pi),
            "signup_closed": self.p_signup_ok[pi].copy(),
        }

    def _lacks_qualification(self, v: IntArray, p: IntArray) -> BoolArray:
        """True where the shift requires a qualification the volunteer lacks on its date."""
        lacks = np.zeros(v.size, dtype=bool)
        for j in range(self.p_qual.shape[1]):
            wanted = self.p_qual[p, j]
            asks = wanted >= 0
            if not asks.any():
                continue
            held = np.zeros(v.size, dtype=bool)
            if self.q_keys.size:
                keys = _pair_key(v, np.where(asks, wanted, 0))
                pos = np.minimum(np.searchsorted(self.q_keys, keys), self.q_keys.size - 1)
                held = (self.q_keys[pos] == keys) & (self.q_until[pos] >= self.p_day[p])
            lacks |= asks & ~held
        return lacks

    def _booking_clash(self, v: IntArray, p: IntArray) -> BoolArray:
        """True where one of the volunteer's existing bookings overlaps the shift."""
        return self._booking_hits(v, p, None)

    def _rest_clash(self, v: IntArray, p: IntArray) -> BoolArray:
        """True where a booking that does not overlap the shift leaves less rest than its
        ``min_rest_minutes`` before or after it."""
        clash = np.zeros(v.size, dtype=bool)
        sub = np.flatnonzero(self.p_rest[p] > 0)
        if sub.size and self.b_start.size:
            clash[sub] = self._booking_hits(v[sub], p[sub], self.p_rest[p[sub]])
        return clash

    def _days_in_row_clash(self, v: IntArray, p: IntArray) -> BoolArray:
        """True where taking the shift makes a run of busy days longer than its limit.

        Runs are counted outwards from the shift's day, at most the limit far each way: once
        the days before and after add up to the limit, the run is too long whatever lies beyond.
        """
        clash = np.zeros(v.size, dtype=bool)
        sub = np.flatnonzero(self.p_max_days[p] > 0)
        if sub.size == 0 or self.busy_day_keys.size == 0:
            return clash
        vs, limit, day = v[sub], self.p_max_days[p[sub]], self.p_day[p[sub]]
        around = np.zeros(sub.size, dtype=np.int64)
        for direction in (-1, 1):
            alive = np.ones(sub.size, dtype=bool)
            for k in range(1, int(limit.max()) + 1):
                alive &= (k <= limit) & _in_sorted(
                    self.busy_day_keys, _pair_key(vs, day + direction * k)
                )
                if not alive.any():
                    break
                around += alive
        clash[sub] = around + 1 > limit
        return clash

    def _booking_hits(self, v: IntArray, p: IntArray, margin: IntArray | None) -> BoolArray:
        """Without ``margin``: a booking overlaps the shift.  With it: a booking that does not
        overlap comes closer than ``margin`` minutes (one per pair) to its start or end."""
        counts = self.b_ptr[v + 1] - self.b_ptr[v]
        has = np.flatnonzero(counts)
        clash = np.zeros(v.size, dtype=bool)
        if has.size == 0:
            return clash
        reps = counts[has]
        owner = np.repeat(has, reps)
        offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        booking = self.b_ptr[v[owner]] + offsets
        b_start, b_end = self.b_start[booking], self.b_end[booking]
        p_start, p_end = self.p_start[p[owner]], self.p_end[p[owner]]
        hit = (b_start < p_end) & (b_end > p_start)
        if margin is not None:
            m = margin[owner]
            hit = ~hit & (b_start < p_end + m) & (b_end > p_start - m)
        clash[owner[hit]] = True
        return clash

    # ---------------------------------------------------------------- candidate generation

    def candidate_pairs(self, places: IntArray | None = None) -> tuple[IntArray, IntArray]:
        """All feasible pairs ``(volunteer index, place index)`` for the given place indices.

        The join groups shifts by (rarest required skill, weekday); for each group it compares
        the table rows of that skill and weekday (already restricted to windows that start no
        later than the latest shift of the group) against the group's shifts in bounded
        chunks.  Output order is deterministic (group order, then row order).
        """
        if places is None:
            sel = np.flatnonzero((self.p_left > 0) & (self.p_key_count > 0))
        else:
            places = np.asarray(places, dtype=np.int64)
            sel = places[(self.p_left[places] > 0) & (self.p_key_count[places] > 0)]
        if sel.size == 0 or self.t_start.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        group = self.p_key_col[sel] * 7 + self.p_weekday[sel]
        order = np.lexsort((sel, group))
        sel, group = sel[order], group[order]
        bounds = np.flatnonzero(np.diff(group)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [sel.size]))
        out_v: list[IntArray] = []
        out_p: list[IntArray] = []
        pend_v: list[IntArray] = []
        pend_p: list[IntArray] = []
        pending = 0

        def flush() -> None:
            # Rules are checked block by block, so raw join hits never pile up in memory.
            nonlocal pending
            if not pend_v:
                return
            vi = np.concatenate(pend_v)
            pi = np.concatenate(pend_p)
            pend_v.clear()
            pend_p.clear()
            pending = 0
            keep = self.check_pairs(vi, pi, key_checked=True)
            out_v.append(vi[keep])
            out_p.append(pi[keep])

        for g0, g1 in zip(starts.tolist(), ends.tolist(), strict=True):
            g = int(group[g0])
            r0, r1 = int(self.t_ptr[g]), int(self.t_ptr[g + 1])
            if r0 == r1:
                continue
            qs = sel[g0:g1]
            q_start, q_end = self.p_smod[qs], self.p_emod[qs]
            q_min = self.p_req_min_key(qs)
            r1 = r0 + int(np.searchsorted(self.t_start[r0:r1], q_start.max(), side="right"))
            if r1 == r0:
                continue
            t_start, t_end = self.t_start[r0:r1], self.t_end[r0:r1]
            t_level, t_vol = self.t_level[r0:r1], self.t_vol[r0:r1]
            step = max(1, _JOIN_CHUNK_CELLS // (r1 - r0))
            for c0 in range(0, qs.size, step):
                c1 = min(qs.size, c0 + step)
                hit = (
                    (t_start[:, None] <= q_start[None, c0:c1])
                    & (t_end[:, None] >= q_end[None, c0:c1])
                    & (t_level[:, None] >= q_min[None, c0:c1])
                )
                rows, cols = np.nonzero(hit)
                del hit
                pend_v.append(t_vol[rows])
                pend_p.append(qs[c0:c1][cols])
                pending += rows.size
                if pending >= _CHECK_BLOCK_PAIRS:
                    flush()
        flush()
        if not out_v:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        return np.concatenate(out_v), np.concatenate(out_p)

    def p_req_min_key(self, places: IntArray) -> IntArray:
        """Minimum level of each shift's key skill (0 for shifts without required skills)."""
        match = self.p_req[places] == self.p_key_col[places][:, None]
        mins = np.where(match, self.p_req_min[places], 0)
        return mins.max(axis=1) if mins.shape[1] else np.zeros(places.size, dtype=np.int64)

    def volunteers_for_place(self, place: int) -> IntArray:
        """Feasible volunteer indices for one place index (ignores ``places_left``)."""
        if self.p_key_count[place] == 0 or self.t_start.size == 0:
            return np.zeros(0, dtype=np.int64)
        g = int(self.p_key_col[place] * 7 + self.p_weekday[place])
        r0, r1 = int(self.t_ptr[g]), int(self.t_ptr[g + 1])
        r1 = r0 + int(np.searchsorted(self.t_start[r0:r1], self.p_smod[place], side="right"))
        key_min = int(self.p_req_min_key(np.array([place]))[0])
        hit = (self.t_end[r0:r1] >= self.p_emod[place]) & (self.t_level[r0:r1] >= key_min)
        vols = self.t_vol[r0:r1][hit]
        pis = np.full(vols.size, place, dtype=np.int64)
        return vols[self.check_pairs(vols, pis, key_checked=True)]

    def places_for_volunteer(self, volunteer: int) -> IntArray:
        """Feasible place indices (with ``places_left > 0``) for one volunteer index."""
        if not self.v_active[volunteer]:
            return np.zeros(0, dtype=np.int64)
        w0 = int(np.searchsorted(self.w_vol, volunteer, side="left"))
        w1 = int(np.searchsorted(self.w_vol, volunteer, side="right"))
        found: list[IntArray] = []
        for w in range(w0, w1):
            day, start, end = int(self.w_day[w]), int(self.w_start[w]), int(self.w_end[w])
            lo = int(np.searchsorted(self.pw_key, day * 2 * MINUTES_PER_DAY + start, "left"))
            hi = int(np.searchsorted(self.pw_key, day * 2 * MINUTES_PER_DAY + end, "right"))
            cand = self.pw_order[lo:hi]
            found.append(cand[self.p_emod[cand] <= end])
        if not found:
            return np.zeros(0, dtype=np.int64)
        pis = np.sort(np.concatenate(found))
        pis = pis[self.p_left[pis] > 0]
        vis = np.full(pis.size, volunteer, dtype=np.int64)
        return pis[self.check_pairs(vis, pis)]


# --------------------------------------------------------------------------------------------
# Building the index
# --------------------------------------------------------------------------------------------


def build_index(problem: Problem) -> MatchingIndex:
    """Validate ``problem`` and convert it to a :class:`MatchingIndex`.

    Raises ``ValueError`` on duplicate or out-of-range ids, skill levels outside 1..3,
    malformed windows or shifts that end before they start.
    """
    config = problem.config
    config.validate()
    volunteers = tuple(sorted(problem.volunteers, key=lambda v: v.id))
    places = tuple(sorted(problem.places, key=lambda p: p.id))
    volunteer_pos = {v.id: i for i, v in enumerate(volunteers)}
    place_pos = {p.id: i for i, p in enumerate(places)}
    if len(volunteer_pos) != len(volunteers):
        raise ValueError("duplicate volunteer ids")
    if len(place_pos) != len(places):
        raise ValueError("duplicate place ids")

    # Skill columns: every skill some volunteer has; unknown skills map to the zero column.
    skill_set: set[int] = set()
    for v in volunteers:
        skill_set.update(v.skills)
    skill_ids = np.array(sorted(skill_set), dtype=np.int64)
    skill_col = {int(s): i for i, s in enumerate(skill_ids.tolist())}
    n_cols = len(skill_col) + 1
    no_col = n_cols - 1

    # Only a tag both sides use can be an interest a pair shares. Places named in free text bring
    # thousands of tags no volunteer holds (one per need title at national scale), which would
    # make every mask hundreds of words wide for nothing.
    held_tags: set[str] = set()
    for v in volunteers:
        held_tags.update(v.interests)
    vocab_list = sorted({t for p in places for t in p.interests if t in held_tags})
    vocab = {t: i for i, t in enumerate(vocab_list)}
    words = max(1, (len(vocab) + 63) // 64)

    n_v = len(volunteers)
    v_ids = np.empty(n_v, dtype=np.int64)
    v_cap = np.empty(n_v, dtype=np.int64)
    v_hours = np.empty(n_v, dtype=np.float64)
    v_age = np.empty(n_v, dtype=np.int64)
    v_cpc = np.empty(n_v, dtype=bool)
    v_rel = np.empty(n_v, dtype=np.float64)
    levels = np.zeros((n_v, n_cols), dtype=np.uint8)
    tag_rows: list[list[int]] = []
    sk_vol: list[int] = []
    sk_col: list[int] = []
    sk_lvl: list[int] = []
    win_vol: list[int] = []
    win_day: list[int] = []
    win_start: list[int] = []
    win_end: list[int] = []
    away: list[tuple[int, int]] = []
    preferred: list[tuple[int, int]] = []
    served: list[tuple[int, int]] = []
    long_term: list[tuple[int, int]] = []
    declined_needs: list[tuple[int, int]] = []
    declined_places: list[tuple[int, int]] = []
    b_count = np.zeros(n_v, dtype=np.int64)
    b_start_l: list[int] = []
    b_end_l: list[int] = []
    busy_days: list[tuple[int, int]] = []
    max_cap = config.max_shifts_per_volunteer

    for i, v in enumerate(volunteers):
        _check_id(v.id, "volunteer id")
        v_ids[i] = v.id
        v_cap[i] = max(0, min(int(v.capacity), max_cap))
        v_hours[i] = float(v.hours_left)
        v_age[i] = -1 if v.age is None else int(v.age)
        v_cpc[i] = bool(v.child_protection_checked)
        v_rel[i] = min(max(float(v.reliability), 0.0), 1.0)
        for s, lvl in v.skills.items():
            if not isinstance(lvl, int) or not 1 <= lvl <= 3:
                raise ValueError(f"volunteer {v.id}: skill {s} level must be 1..3, got {lvl!r}")
            c = skill_col[s]
            levels[i, c] = lvl
            sk_vol.append(i)
            sk_col.append(c)
            sk_lvl.append(lvl)
        if v.interests and vocab:
            tag_rows.append([i, *_tag_words(v.interests, vocab, words)])
        for w in v.availability:
            if not (0 <= w.weekday <= 6 and 0 <= w.start_minute < w.end_minute <= 1440):
                raise ValueError(f"volunteer {v.id}: malformed availability window {w!r}")
        for day, spans in merge_windows(v.availability).items():
            for s0, s1 in spans:
                win_vol.append(i)
                win_day.append(day)
                win_start.append(s0)
                win_end.append(s1)
        away.extend((i, d.toordinal()) for d in v.dates_away)
        preferred.extend((i, x) for x in v.preferred_institution_ids)
        served.extend((i, x) for x in v.served_institution_ids)
        served.extend((i, x) for x in v.long_term_institution_ids)
        long_term.extend((i, x) for x in v.long_term_institution_ids)
        declined_needs.extend((i, x) for x in v.declined_need_ids)
        declined_places.extend((i, x) for x in v.declined_place_ids)
        if v.bookings:
            b_count[i] = len(v.bookings)
            for b0, b1 in v.bookings:
                m0, m1 = _minute_of(b0), _minute_of(b1)
                b_start_l.append(m0)
                b_end_l.append(m1)
                busy_days.extend((i, d) for d in _booked_days(m0, m1))

    v_tags = np.zeros((n_v, words), dtype=np.uint64)
    if tag_rows:
        tag_arr = np.array(tag_rows, dtype=np.uint64)
        v_tags[tag_arr[:, 0].astype(np.int64)] = tag_arr[:, 1:]
    rel_points = np.floor(config.reliability_points * v_rel + 0.5).astype(np.int64)
    v_active = (v_cap > 0) & (v_hours > 0)

    b_ptr = np.zeros(n_v + 1, dtype=np.int64)
    np.cumsum(b_count, out=b_ptr[1:])

    # ------------------------------------------------------------------ places
    n_p = len(places)
    need_ids = np.array(sorted({p.need_id for p in places}), dtype=np.int64)
    need_pos = {int(n): i for i, n in enumerate(need_ids.tolist())}
    max_req = max((len(p.required_skills) for p in places), default=0)
    max_nice = max((len(p.nice_skills) for p in places), default=0)
    max_co = max((len(p.co_host_institution_ids) for p in places), default=0)
    p_ids = np.empty(n_p, dtype=np.int64)
    p_need = np.empty(n_p, dtype=np.int64)
    p_inst = np.empty(n_p, dtype=np.int64)
    p_start = np.empty(n_p, dtype=np.int64)
    p_end = np.empty(n_p, dtype=np.int64)
    p_day = np.empty(n_p, dtype=np.int64)
    p_smod = np.empty(n_p, dtype=np.int64)
    p_left = np.empty(n_p, dtype=np.int64)
    p_req = np.full((n_p, max_req), no_col, dtype=np.int64)
    p_req_min = np.zeros((n_p, max_req), dtype=np.int64)
    p_nice = np.full((n_p, max_nice), no_col, dtype=np.int64)
    p_min_age = np.empty(n_p, dtype=np.int64)
    p_children = np.empty(n_p, dtype=bool)
    p_long_term = np.empty(n_p, dtype=bool)
    p_cohosts = np.full((n_p, max_co), -1, dtype=np.int64)
    p_tags = np.zeros((n_p, words), dtype=np.uint64)
    p_rest = np.zeros(n_p, dtype=np.int64)
    p_max_days = np.zeros(n_p, dtype=np.int64)
    p_signup_ok = np.ones(n_p, dtype=bool)
    as_of = config.as_of
    for i, p in enumerate(places):
        _check_id(p.id, "place id")
        _check_id(p.need_id, "need id")
        _check_id(p.institution_id, "institution id")
        start, end = _minute_of(p.start), _minute_of(p.end)
        if end <= start:
            raise ValueError(f"place {p.id}: end must be after start")
        p_ids[i] = p.id
        p_need[i] = p.need_id
        p_inst[i] = p.institution_id
        p_start[i] = start
        p_end[i] = end
        p_day[i] = start // MINUTES_PER_DAY
        p_smod[i] = start % MINUTES_PER_DAY
        p_left[i] = max(0, int(p.places_left))
        for j, (s, lvl) in enumerate(sorted(p.required_skills.items())):
            if not isinstance(lvl, int) or not 1 <= lvl <= 3:
                raise ValueError(f"place {p.id}: required level of skill {s} must be 1..3")
            p_req[i, j] = skill_col.get(s, no_col)
            p_req_min[i, j] = lvl
        for j, s in enumerate(sorted(p.nice_skills)):
            p_nice[i, j] = skill_col.get(s, no_col)
        p_min_age[i] = int(p.min_age)
        p_children[i] = bool(p.works_with_children)
        p_long_term[i] = p.kind == NeedKind.LONG_TERM
        for j, x in enumerate(sorted(p.co_host_institution_ids)):
            p_cohosts[i, j] = x
        if p.interests and vocab:
            p_tags[i] = _tag_words(p.interests, vocab, words)
        if p.min_rest_minutes < 0 or p.max_days_in_row < 0:
            raise ValueError(f"place {p.id}: limits must not be negative")
        p_rest[i] = int(p.min_rest_minutes)
        p_max_days[i] = int(p.max_days_in_row)
        if p.signup_opens_at is not None and as_of is not None:
            p_signup_ok[i] = not as_of < p.signup_opens_at
    p_need_idx = np.array([need_pos[int(n)] for n in p_need.tolist()], dtype=np.int64)
    p_emod = p_end - p_day * MINUTES_PER_DAY
    p_weekday = (p_day - 1) % 7
    p_hours = (p_end - p_start) / 60.0
    coalition = problem.coalition_institution_ids
    if coalition is None:
        p_coalition = np.ones(n_p, dtype=bool)
    else:
        p_coalition = np.isin(p_inst, np.array(sorted(coalition), dtype=np.int64))

    # ------------------------------------------------------------------ skill statistics
    sk_vol_a = np.array(sk_vol, dtype=np.int64)
    sk_col_a = np.array(sk_col, dtype=np.int64)
    sk_lvl_a = np.array(sk_lvl, dtype=np.int64)
    act = v_active[sk_vol_a] if sk_vol_a.size else np.zeros(0, dtype=bool)
    # count[c, L] = active volunteers holding column c at level >= L (L = 0..3)
    count = np.zeros((n_cols, 4), dtype=np.int64)
    for lvl in (1, 2, 3):
        m = act & (sk_lvl_a >= lvl)
        count[:, lvl] = np.bincount(sk_col_a[m], minlength=n_cols)
    count[:, 0] = int(v_active.sum())
    count[no_col, 1:] = 0
    # Key column of each shift: its rarest required skill at the required level.
    if max_req:
        req_counts = count[p_req, p_req_min]  # padding (no_col, 0) counts everyone
        pos = np.argmin(req_counts, axis=1)
        p_key_col = p_req[np.arange(n_p), pos]
        p_key_count = req_counts[np.arange(n_p), pos]
    else:
        p_key_col = np.full(n_p, no_col, dtype=np.int64)
        p_key_count = np.full(n_p, int(v_active.sum()), dtype=np.int64)
    # Required skills other than the key one ("secondary"), compacted to the left.
    p_req2, p_req2_min = p_req.copy(), p_req_min.copy()
    if max_req:
        rows_all = np.arange(n_p)
        p_req2[rows_all, pos] = no_col
        p_req2_min[rows_all, pos] = 0
        left = np.argsort(p_req2_min == 0, axis=1, kind="stable")
        p_req2 = np.take_along_axis(p_req2, left, axis=1)[:, : max_req - 1]
        p_req2_min = np.take_along_axis(p_req2_min, left, axis=1)[:, : max_req - 1]
    p_nsec = (p_req2_min > 0).sum(axis=1)
    # Volunteers per skill column (any level), used by diagnostics.
    order = np.lexsort((sk_vol_a, sk_col_a))
    skill_vols = sk_vol_a[order]
    skill_vol_ptr = np.searchsorted(sk_col_a[order], np.arange(n_cols + 1))

    # ------------------------------------------------------------------ weekday/time table
    w_vol = np.array(win_vol, dtype=np.int64)
    w_day = np.array(win_day, dtype=np.int64)
    w_start = np.array(win_start, dtype=np.int64)
    w_end = np.array(win_end, dtype=np.int64)
    w_act = np.flatnonzero(v_active[w_vol]) if w_vol.size else np.zeros(0, dtype=np.int64)
    skills_per_vol = np.bincount(sk_vol_a, minlength=n_v) if n_v else np.zeros(0, np.int64)
    first_skill = np.zeros(n_v + 1, dtype=np.int64)
    np.cumsum(skills_per_vol, out=first_skill[1:])
    # sk_* are appended volunteer by volunteer, so first_skill indexes them directly.
    reps = skills_per_vol[w_vol[w_act]] if w_act.size else np.zeros(0, dtype=np.int64)
    row_w = np.repeat(w_act, reps)
    offsets = np.arange(row_w.size) - np.repeat(np.cumsum(reps) - reps, reps)
    entry = first_skill[w_vol[row_w]] + offsets
    t_col = np.concatenate((sk_col_a[entry], np.full(w_act.size, no_col, dtype=np.int64)))
    t_level = np.concatenate((sk_lvl_a[entry], np.full(w_act.size, 3, dtype=np.int64)))
    t_w = np.concatenate((row_w, w_act))
    t_key = t_col * 7 + w_day[t_w]
    t_start_all = w_start[t_w]
    t_order = np.lexsort((w_vol[t_w], t_start_all, t_key))
    t_key = t_key[t_order]
    t_ptr = np.searchsorted(t_key, np.arange(n_cols * 7 + 1))
    t_w = t_w[t_order]

    pw_unsorted = p_weekday * 2 * MINUTES_PER_DAY + p_smod
    pw_order = np.argsort(pw_unsorted, kind="stable")
    pw_key = pw_unsorted[pw_order]

    return MatchingIndex(
        config=config,
        coalition_institution_ids=coalition,
        volunteers=volunteers,
        places=places,
        volunteer_pos=volunteer_pos,
        place_pos=place_pos,
        need_ids=need_ids,
        skill_ids=skill_ids,
        n_skill_cols=n_cols,
        v_ids=v_ids,
        v_cap=v_cap,
        v_hours=v_hours,
        v_age=v_age,
        v_cpc=v_cpc,
        v_rel_points=rel_points,
        v_active=v_active,
        levels=levels,
        v_tags=v_tags,
        away_keys=_sorted_keys(away),
        preferred_keys=_sorted_keys(preferred),
        served_keys=_sorted_keys(served),
        long_term_keys=_sorted_keys(long_term),
        declined_need_keys=_sorted_keys(declined_needs),
        declined_place_keys=_sorted_keys(declined_places),
        b_ptr=b_ptr,
        b_start=np.array(b_start_l, dtype=np.int64),
        b_end=np.array(b_end_l, dtype=np.int64),
        busy_day_keys=_sorted_keys(busy_days),
        w_vol=w_vol,
        w_day=w_day,
        w_start=w_start,
        w_end=w_end,
        skill_vol_ptr=skill_vol_ptr,
        skill_vols=skill_vols,
        p_ids=p_ids,
        p_need=p_need,
        p_need_idx=p_need_idx,
        p_inst=p_inst,
        p_start=p_start,
        p_end=p_end,
        p_day=p_day,
        p_weekday=p_weekday,
        p_smod=p_smod,
        p_emod=p_emod,
        p_hours=p_hours,
        p_left=p_left,
        p_req=p_req,
        p_req_min=p_req_min,
        p_nice=p_nice,
        p_min_age=p_min_age,
        p_children=p_children,
        p_long_term=p_long_term,
        p_coalition=p_coalition,
        p_tags=p_tags,
        p_cohosts=p_cohosts,
        p_rest=p_rest,
        p_max_days=p_max_days,
        p_signup_ok=p_signup_ok,
        p_key_col=p_key_col,
        p_key_count=p_key_count,
        p_req2=p_req2,
        p_req2_min=p_req2_min,
        p_nsec=p_nsec,
        pw_key=pw_key,
        pw_order=pw_order,
        t_ptr=t_ptr,
        t_start=t_start_all[t_order],
        t_end=w_end[t_w],
        t_level=t_level[t_order],
        t_vol=w_vol[t_w],
        **_qualification_arrays(volunteers, places),
    )


def _qualification_arrays(
    volunteers: tuple[Volunteer, ...], places: tuple[Place, ...]
) -> dict[str, IntArray]:
    """The index's arrays for rule 10; a qualification without an end is valid forever."""
    forever = date.max.toordinal()
    held: list[tuple[int, int, int]] = []
    for i, v in enumerate(volunteers):
        for qualification_id, until in v.qualifications.items():
            _check_id(qualification_id, "qualification id")
            held.append((i, qualification_id, forever if until is None else until.toordinal()))
    width = max((len(p.required_qualifications) for p in places), default=0)
    p_qual = np.full((len(places), width), -1, dtype=np.int64)
    for i, p in enumerate(places):
        for j, qualification_id in enumerate(sorted(p.required_qualifications)):
            _check_id(qualification_id, "qualification id")
            p_qual[i, j] = qualification_id
    arr = np.array(held, dtype=np.int64).reshape(-1, 3)
    keys = _pair_key(arr[:, 0], arr[:, 1])
    order = np.argsort(keys, kind="stable")
    return {"q_keys": keys[order], "q_until": arr[order, 2], "p_qual": p_qual}
