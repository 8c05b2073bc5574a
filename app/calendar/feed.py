"""Shifts of published needs by date: the public calendar pages and the public iCal feed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from icalendar import Calendar
from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.core.labels import need_kind_label
from app.core.time import WARSAW
from app.extensions import db
from app.models import Need
from app.models import NeedKind
from app.models import NeedStatus
from app.models import Shift
from app.models.base import utcnow
from app.services.date_range import END_INSTANT
from app.services.date_range import FIRST_INSTANT
from app.services.needs import local_to_utc
from app.services.search import institution_condition

UID_DOMAIN = "okik.example.org"
PRODID = "-//OKIK//Giełda Wolontariatu//PL"


@dataclass(frozen=True)
class CalendarFilter:
    """What the calendar shows: one institution's needs (hosted or co-hosted) and one kind, for
    instance the coalition's joint trainings; empty values show everything."""

    institution: str = ""
    kind: NeedKind | None = None

    def args(self) -> dict[str, Any]:
        """The query parameters that keep the filter on the calendar's links."""
        found: dict[str, Any] = {"institution": self.institution} if self.institution else {}
        if self.kind is not None:
            found["kind"] = self.kind.value
        return found


EVERYTHING = CalendarFilter()


def published_shifts(
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    *,
    ends_after: datetime | None = None,
    chosen: CalendarFilter = EVERYTHING,
) -> list[Shift]:
    """Shifts that are not cancelled, of published needs, with their need, its institution and
    its co-hosts loaded (a joint training names every institution that runs it)."""
    need = contains_eager(Shift.need)
    query = (
        select(Shift)
        .join(Shift.need)
        .where(Need.status == NeedStatus.PUBLISHED, Shift.is_cancelled.is_(False))
        .options(need.selectinload(Need.institution), need.selectinload(Need.cohosts))
        .order_by(Shift.starts_at, Shift.id)
    )
    if starts_from is not None:
        query = query.where(Shift.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(Shift.starts_at < starts_before)
    if ends_after is not None:
        query = query.where(Shift.ends_at > ends_after)
    if chosen.institution:
        query = query.where(institution_condition(chosen.institution))
    if chosen.kind is not None:
        query = query.where(Need.kind == chosen.kind)
    return list(db.session.scalars(query))


def shifts_between(
    first: date, last: date, chosen: CalendarFilter = EVERYTHING
) -> dict[date, list[Shift]]:
    """Shifts starting on Warsaw dates first..last (inclusive), grouped by their Warsaw date."""
    shifts = published_shifts(
        local_to_utc(first, time()),
        local_to_utc(last + timedelta(days=1), time()),
        chosen=chosen,
    )
    days: dict[date, list[Shift]] = defaultdict(list)
    for shift in shifts:
        days[shift.starts_at.astimezone(WARSAW).date()].append(shift)
    return days


def month_weeks(year: int, month: int) -> list[list[date]]:
    """The weeks (Monday to Sunday) that cover a month, with the neighbouring days that fill them."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    following = date(year + (month == 12), month % 12 + 1, 1)
    weeks = []
    day = start
    while day < following:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks


def build_feed(shifts: Sequence[Shift], name: str, need_url: Callable[[Need], str]) -> bytes:
    """An iCalendar document with one event per shift, in Europe/Warsaw with its VTIMEZONE.

    The UID is derived from the shift id only, so calendar apps update an event when its time
    changes instead of adding a second one. A shift stored with a year nobody means (older data)
    is left out: the time zone around it cannot be described, and one such row must not break
    the feed of everyone.
    """
    shifts = [s for s in shifts if in_feed_range(s)]
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Warsaw")
    for shift in shifts:
        need = shift.need
        event = Event()
        event.add("uid", f"shift-{shift.id}@{UID_DOMAIN}")
        event.add("dtstamp", need.updated_at or utcnow())
        event.add("dtstart", shift.starts_at.astimezone(WARSAW))
        event.add("dtend", shift.ends_at.astimezone(WARSAW))
        event.add("summary", need.title)
        event.add("categories", [need_kind_label(need.kind)])
        if need.place:
            event.add("location", need.place)
        url = need_url(need)
        event.add("url", url)
        event.add("description", f"{', '.join(hosts_of(need))}\n{url}")
        cal.add_component(event)
    if shifts:
        first = shifts[0].starts_at.date() - timedelta(days=366)
        last = max(s.ends_at for s in shifts).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def hosts_of(need: Need) -> list[str]:
    """The institutions that run a need: the host first, then its co-hosts."""
    return [need.institution.name, *sorted(c.name for c in need.cohosts)]


def in_feed_range(shift: Shift) -> bool:
    return FIRST_INSTANT <= shift.starts_at and shift.ends_at < END_INSTANT


def upcoming_published_shifts(chosen: CalendarFilter = EVERYTHING) -> list[Shift]:
    return published_shifts(ends_after=utcnow(), starts_before=END_INSTANT, chosen=chosen)
