"""Korpus Solidarności: monthly thresholds, progress, streaks, and the coordinators' exports.

Thresholds are configuration (KORPUS_THRESHOLDS); hours count across all coalition institutions
and only confirmed ledger rows count. A month is a Warsaw calendar month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select

from app.core.text import polish
from app.core.text import polish_sort_key
from app.extensions import db
from app.models import Institution
from app.models import User
from app.models import VolunteerProfile
from app.models.hours import HoursEntry
from app.models.hours import HoursStatus
from app.services import spreadsheets
from app.services.date_range import FIRST_YEAR
from app.services.date_range import LAST_YEAR


@dataclass(frozen=True)
class Threshold:
    hours: float
    months: int
    reduced: bool


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First day of the month and first day of the next one."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def parse_month(value: str | None) -> tuple[int, int] | None:
    """ "YYYY-MM" to (year, month); anything else is None (the page falls back to this month)."""
    if not value or len(value) != 7 or value[4] != "-":
        return None
    y, m = value[:4], value[5:]
    if not (y.isascii() and y.isdigit() and m.isascii() and m.isdigit()):
        return None
    year, month = int(y), int(m)
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return year, month


def months_between(first: tuple[int, int], last: tuple[int, int], limit: int = 24):
    """The months from first to last inclusive, at most `limit` of them (exports stay small)."""
    months: list[tuple[int, int]] = []
    y, m = first
    while (y, m) <= last and len(months) < limit:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def threshold_for(profile: VolunteerProfile | None, on: date) -> Threshold:
    """Reduced threshold under 15, over 65 or with a disability; the standard one otherwise."""
    cfg = current_app.config["KORPUS_THRESHOLDS"]
    low, high = cfg["standard_ages"]
    reduced = False
    if profile is not None:
        if profile.has_disability:
            reduced = True
        elif profile.date_of_birth is not None:
            age = _age(profile.date_of_birth, on)
            reduced = age < low or age > high
    chosen = cfg["reduced" if reduced else "standard"]
    return Threshold(float(chosen["hours"]), int(chosen["months"]), reduced)


def monthly_hours(volunteer_id: int) -> dict[tuple[int, int], float]:
    """Confirmed hours of one volunteer per (year, month), across all institutions."""
    totals: dict[tuple[int, int], float] = {}
    rows = db.session.execute(
        select(HoursEntry.worked_on, HoursEntry.hours).where(
            HoursEntry.volunteer_id == volunteer_id, HoursEntry.status == HoursStatus.CONFIRMED
        )
    )
    for worked_on, hours in rows:
        key = (worked_on.year, worked_on.month)
        totals[key] = round(totals.get(key, 0) + float(hours), 2)
    return totals


@dataclass
class Progress:
    threshold: Threshold
    hours: float  # this month so far
    met: bool
    percent: int
    streak: int  # consecutive months that met the threshold, up to this one


def progress(user: User, today: date) -> Progress:
    """This month's hours against the threshold and the streak of months that met it.

    The current month counts in the streak once it is met; until then the streak is the run of
    full months that ended last month, so an unfinished month does not break it.
    """
    totals = monthly_hours(user.id)
    threshold = threshold_for(user.profile, today)
    current = totals.get((today.year, today.month), 0.0)
    met = current >= threshold.hours
    streak = 1 if met else 0
    y, m = previous_month(today.year, today.month)
    while totals.get((y, m), 0.0) >= threshold_for(user.profile, month_bounds(y, m)[0]).hours:
        streak += 1
        y, m = previous_month(y, m)
    percent = min(100, int(current * 100 / threshold.hours)) if threshold.hours else 100
    return Progress(threshold, current, met, percent, streak)


@dataclass
class MonthRow:
    volunteer_id: int
    name: str
    email: str
    date_of_birth: date | None
    month: str
    hours: float
    threshold: float
    met: bool
    institutions: list[str]


def month_report(year: int, month: int) -> list[MonthRow]:
    """Every Korpus Solidarności volunteer once, with confirmed hours of the month across the
    coalition, the threshold that applies to them and whether they met it."""
    start, end = month_bounds(year, month)
    in_month = (
        HoursEntry.status == HoursStatus.CONFIRMED,
        HoursEntry.worked_on >= start,
        HoursEntry.worked_on < end,
    )
    sums = dict(
        db.session.execute(
            select(HoursEntry.volunteer_id, func.sum(HoursEntry.hours))
            .where(*in_month)
            .group_by(HoursEntry.volunteer_id)
        ).all()
    )
    places: dict[int, list[str]] = {}
    for vid, name in db.session.execute(
        select(HoursEntry.volunteer_id, Institution.name)
        .join(Institution, Institution.id == HoursEntry.institution_id)
        .where(*in_month)
        .distinct()
    ):
        places.setdefault(vid, []).append(name)
    for names in places.values():  # DISTINCT leaves no ORDER BY a collation could use
        names.sort(key=polish_sort_key)
    people = db.session.execute(
        select(User, VolunteerProfile)
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(VolunteerProfile.is_korpus.is_(True))
        .order_by(polish(User.last_name), polish(User.first_name), User.id)
    ).all()
    label = f"{year:04d}-{month:02d}"
    rows = []
    for user, profile in people:
        hours = round(float(sums.get(user.id) or 0), 2)
        threshold = threshold_for(profile, start)
        rows.append(
            MonthRow(
                volunteer_id=user.id,
                name=user.full_name,
                email=user.email,
                date_of_birth=profile.date_of_birth,
                month=label,
                hours=hours,
                threshold=threshold.hours,
                met=hours >= threshold.hours,
                institutions=places.get(user.id, []),
            )
        )
    return rows


def _table(rows: list[MonthRow], yes: str, no: str) -> list[list]:
    return [
        [
            r.name,
            r.email,
            r.date_of_birth or "",
            spreadsheets.Month(*map(int, r.month.split("-"))),
            r.hours,
            r.threshold,
            yes if r.met else no,
            "; ".join(r.institutions),
        ]
        for r in rows
    ]


def to_csv(rows: list[MonthRow], header: list[str], yes: str, no: str) -> str:
    return spreadsheets.to_csv([header, *_table(rows, yes, no)])


def to_xlsx(rows: list[MonthRow], header: list[str], yes: str, no: str, title: str) -> bytes:
    return spreadsheets.to_xlsx(
        [header, *_table(rows, yes, no)], title, widths=(28, 32, 14, 10, 10, 10, 10, 50)
    )
