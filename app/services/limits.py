"""Limits that protect volunteers: rest between shifts, days in a row, when sign-up opens.

The coalition sets each limit (LIMIT_* in the configuration, 0: none) and a need may override it
(its own column; None: the coalition's value, 0: none for this need). The rules themselves are
the matching library's feasibility rules (`matching.infeasibility`: "rest", "days_in_row",
"signup_closed"), so that the matcher, applications, offers and the waiting list all read one
definition; this module turns the app's rows into the library's terms and a refusal into a
sentence that names the limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import current_app
from flask_babel import format_date
from flask_babel import ngettext
from sqlalchemy import select

import matching
from app.core.time import WARSAW
from app.core.time import in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Need
from app.models import Shift
from app.models.base import utcnow

LIMIT_CODES = ("signup_closed", "rest", "days_in_row")


@dataclass(frozen=True)
class Limits:
    """Hours of rest between two shifts, days in a row, days before a shift that sign-up opens;
    0 means no limit."""

    min_rest_hours: int = 0
    max_days_in_row: int = 0
    signup_opens_days: int = 0

    @property
    def any(self) -> bool:
        return bool(self.min_rest_hours or self.max_days_in_row or self.signup_opens_days)


def coalition_limits() -> Limits:
    config = current_app.config
    return Limits(
        min_rest_hours=max(0, int(config.get("LIMIT_MIN_REST_HOURS") or 0)),
        max_days_in_row=max(0, int(config.get("LIMIT_MAX_DAYS_IN_ROW") or 0)),
        signup_opens_days=max(0, int(config.get("LIMIT_SIGNUP_OPENS_DAYS") or 0)),
    )


def need_limits(need: Need, coalition: Limits | None = None) -> Limits:
    """The coalition's limits with the need's own values where it set them."""
    return overridden(
        coalition or coalition_limits(),
        need.min_rest_hours,
        need.max_days_in_row,
        need.signup_opens_days,
    )


def overridden(
    base: Limits, min_rest_hours: int | None, max_days_in_row: int | None, opens_days: int | None
) -> Limits:
    """`base` with each value a need set instead (None: keep the base's)."""
    return Limits(
        min_rest_hours=base.min_rest_hours if min_rest_hours is None else min_rest_hours,
        max_days_in_row=base.max_days_in_row if max_days_in_row is None else max_days_in_row,
        signup_opens_days=base.signup_opens_days if opens_days is None else opens_days,
    )


def signup_opens_at(starts_at: datetime, limits: Limits) -> datetime | None:
    """Warsaw midnight `signup_opens_days` days before the shift's day (None: always open)."""
    if not limits.signup_opens_days:
        return None
    day = in_warsaw(starts_at).date() - timedelta(days=limits.signup_opens_days)
    return datetime.combine(day, time.min, WARSAW)


def _local(moment: datetime) -> datetime:
    return in_warsaw(moment).replace(tzinfo=None)


def place_limits(starts_at: datetime, limits: Limits) -> dict:
    """The limit fields of a `matching.Place` for a shift."""
    opens = signup_opens_at(starts_at, limits)
    return {
        "min_rest_minutes": limits.min_rest_hours * 60,
        "max_days_in_row": limits.max_days_in_row,
        "signup_opens_at": None if opens is None else _local(opens),
    }


@dataclass(frozen=True)
class Breach:
    """Which limit a placement would break, with what the sentence needs."""

    code: str
    limits: Limits
    opens_at: datetime | None = None


def breach(
    volunteer_id: int,
    shift: Shift,
    statuses: Iterable[AssignmentStatus],
    extra: Iterable[Shift] = (),
    now: datetime | None = None,
) -> Breach | None:
    """The first limit the volunteer would break by taking the shift, given their other shifts in
    `statuses` (and `extra` ones chosen in the same request), or None."""
    limits = need_limits(shift.need)
    if not limits.any:
        return None
    reach = timedelta(hours=limits.min_rest_hours, days=limits.max_days_in_row + 1)
    bookings = [
        (_local(start), _local(end))
        for start, end in db.session.execute(
            select(Shift.starts_at, Shift.ends_at)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(
                Assignment.volunteer_id == volunteer_id,
                Assignment.status.in_(list(statuses)),
                Shift.id != shift.id,
                Shift.starts_at < shift.ends_at + reach,
                Shift.ends_at > shift.starts_at - reach,
            )
        )
    ] + [(_local(s.starts_at), _local(s.ends_at)) for s in extra if s.id != shift.id]
    place = matching.Place(
        id=shift.id,
        need_id=shift.need_id,
        institution_id=shift.need.institution_id,
        start=_local(shift.starts_at),
        end=_local(shift.ends_at),
        required_skills={},
        **place_limits(shift.starts_at, limits),
    )
    config = matching.MatchingConfig(as_of=_local(now or utcnow()))
    broken = set(
        matching.infeasibility(
            matching.Volunteer(id=volunteer_id, bookings=tuple(bookings)), place, config
        )
    )
    for code in LIMIT_CODES:
        if code in broken:
            return Breach(code, limits, signup_opens_at(shift.starts_at, limits))
    return None


def refusal_text(found: Breach, own: bool) -> str:
    """The sentence that names the limit: to the volunteer (`own`) or about them to staff."""
    limits = found.limits
    if found.code == "signup_closed" and found.opens_at is not None:
        return ngettext(
            "Zapisy na tę zmianę otwierają się %(date)s (%(num)d dzień przed zmianą).",
            "Zapisy na tę zmianę otwierają się %(date)s (%(num)d dni przed zmianą).",
            limits.signup_opens_days,
            date=format_date(found.opens_at, "long"),
        )
    if found.code == "rest":
        if own:
            return ngettext(
                "Między dwiema zmianami potrzebujesz co najmniej %(num)d godziny odpoczynku.",
                "Między dwiema zmianami potrzebujesz co najmniej %(num)d godzin odpoczynku.",
                limits.min_rest_hours,
            )
        return ngettext(
            "Między dwiema zmianami tej osoby musi minąć co najmniej %(num)d godzina odpoczynku.",
            "Między dwiema zmianami tej osoby musi minąć co najmniej %(num)d godzin odpoczynku.",
            limits.min_rest_hours,
        )
    if own:
        return ngettext(
            "Możesz mieć zmiany najwyżej %(num)d dzień z rzędu.",
            "Możesz mieć zmiany najwyżej %(num)d dni z rzędu.",
            limits.max_days_in_row,
        )
    return ngettext(
        "Ta osoba może mieć zmiany najwyżej %(num)d dzień z rzędu.",
        "Ta osoba może mieć zmiany najwyżej %(num)d dni z rzędu.",
        limits.max_days_in_row,
    )
