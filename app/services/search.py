"""Finding published needs: the filters shared by the search page, the calendar and the JSON API.

The filters are parsed once from query parameters into `NeedFilters`. The HTML page ignores a
parameter it cannot read (and says so); the API refuses it with 400, so that a client learns of
its mistake. Every query loads a page of needs with a fixed number of SQL statements, whatever the
number of results, so the page stays fast as the coalition grows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import not_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.ids import MAX_ID
from app.core.text import fold
from app.core.time import WARSAW
from app.extensions import db
from app.models import AvailabilityWindow
from app.models import Institution
from app.models import Need
from app.models import NeedKind
from app.models import NeedSkill
from app.models import NeedStatus
from app.models import Shift
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerSkill
from app.models import need_cohost
from app.models.base import utcnow
from app.services.date_range import FIRST_YEAR
from app.services.date_range import LAST_YEAR
from app.services.date_range import clamp
from app.services.date_range import is_sensible
from app.services.needs import local_to_utc

PAGE_SIZE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 10
MAX_SLUG_LENGTH = 80
# Closed needs take no applications but stay readable for the people placed on them.
PUBLIC_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.CLOSED)
_INTEGER = re.compile(r"-?[0-9]{1,10}")
TRUE_VALUES = {"1", "true", "on", "yes", "tak"}
FALSE_VALUES = {"", "0", "false", "off", "no", "nie"}


class FilterError(ValueError):
    """A query parameter that cannot be read; the message names it, in the user's language."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class NeedFilters:
    q: str = ""
    institution: str = ""
    skill: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    kind: NeedKind | None = None
    korpus: bool = False
    minors: bool = False
    accessible: bool = False
    matches_profile: bool = False
    page: int = 1
    per_page: int = PAGE_SIZE

    @property
    def words(self) -> list[str]:
        return fold(self.q).split()[:MAX_QUERY_WORDS]

    def as_args(self) -> dict[str, str]:
        """The filters as query parameters again, for links to other pages of the results."""
        args: dict[str, str] = {}
        if self.q:
            args["q"] = self.q
        if self.institution:
            args["institution"] = self.institution
        if self.skill is not None:
            args["skill"] = str(self.skill)
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        if self.kind:
            args["kind"] = self.kind.value
        for name in ("korpus", "minors", "accessible", "matches_profile"):
            if getattr(self, name):
                args[name] = "1"
        return args


@dataclass
class ParsedFilters:
    filters: NeedFilters
    errors: dict[str, str] = field(default_factory=dict)


def _int(value: str, parameter: str, low: int, high: int) -> int:
    if not _INTEGER.fullmatch(value):
        raise FilterError(_("Parametr „%(name)s” musi być liczbą.", name=parameter), parameter)
    number = int(value)
    if not low <= number <= high:
        raise FilterError(
            _(
                "Parametr „%(name)s” musi mieścić się między %(low)d a %(high)d.",
                name=parameter,
                low=low,
                high=high,
            ),
            parameter,
        )
    return number


def _date(value: str, parameter: str) -> date:
    try:
        if not value.isascii() or len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise FilterError(
            _("Parametr „%(name)s” musi być datą w postaci RRRR-MM-DD.", name=parameter), parameter
        ) from None
    if not is_sensible(day):
        raise FilterError(
            _(
                "Parametr „%(name)s” musi być datą z lat %(first)d–%(last)d.",
                name=parameter,
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
            parameter,
        )
    return day


def _flag(value: str, parameter: str, accepted: tuple[set[str], set[str]]) -> bool:
    if value in accepted[0]:
        return True
    if value in accepted[1]:
        return False
    raise FilterError(
        _("Parametr „%(name)s” przyjmuje wartość true albo false.", name=parameter), parameter
    )


def parse_filters(
    args: Mapping[str, str], *, strict: bool = False, allow_profile: bool = False
) -> ParsedFilters:
    """Read the filters from query parameters; unreadable ones are left out and reported.

    The search form (lenient) trims values, treats an empty field as "any" and takes "1"/"on"
    for a ticked box. The API (strict) takes exactly what its OpenAPI document describes, so
    that a client's mistake is answered with 400 rather than guessed at.
    """
    values: dict = {}
    errors: dict[str, str] = {}
    flags = ({"true"}, {"false"}) if strict else (TRUE_VALUES, FALSE_VALUES)

    def read(parameter: str, target: str, parse, *, empty_is_none: bool = True) -> None:
        raw = args.get(parameter)
        if raw is None:
            return
        if not strict:
            raw = raw.strip()
            if empty_is_none and raw == "":
                return
        try:
            values[target] = parse(raw, parameter)
        except FilterError as exc:
            errors[parameter] = str(exc)

    def text(raw: str, parameter: str) -> str:
        if len(raw) > MAX_QUERY_LENGTH:
            raise FilterError(
                _("Tekst do wyszukania może mieć najwyżej %(n)d znaków.", n=MAX_QUERY_LENGTH),
                parameter,
            )
        return " ".join(raw.split())

    def slug(raw: str, parameter: str) -> str:
        if len(raw) > MAX_SLUG_LENGTH:
            raise FilterError(_("Nie ma takiej instytucji."), parameter)
        return raw.strip()

    def kind(raw: str, parameter: str) -> NeedKind:
        try:
            return NeedKind(raw)
        except ValueError:
            raise FilterError(_("Nieznany rodzaj potrzeby."), parameter) from None

    read("q", "q", text, empty_is_none=False)
    read("institution", "institution", slug, empty_is_none=False)
    read("skill", "skill", lambda raw, p: _int(raw, p, 1, MAX_ID))
    read("from", "date_from", _date)
    read("to", "date_to", _date)
    read("kind", "kind", kind)
    for name in ("korpus", "minors", "accessible"):
        read(name, name, lambda raw, p: _flag(raw, p, flags), empty_is_none=False)
    if allow_profile:
        read("matches_profile", "matches_profile", lambda raw, p: _flag(raw, p, flags))
    read("page", "page", lambda raw, p: _int(raw, p, 1, MAX_PAGE))
    if strict:
        read("per_page", "per_page", lambda raw, p: _int(raw, p, 1, MAX_PER_PAGE))
    return ParsedFilters(NeedFilters(**values), errors)


def _future_shift(now: datetime, start: datetime | None = None, end: datetime | None = None):
    """A condition: the need has a shift that is not cancelled, not begun, inside [start, end)."""
    conditions = [
        Shift.need_id == Need.id,
        Shift.is_cancelled.is_(False),
        Shift.starts_at > now,
    ]
    if start is not None:
        conditions.append(Shift.starts_at >= start)
    if end is not None:
        conditions.append(Shift.starts_at < end)
    return exists().where(*conditions).correlate_except(Shift)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def institution_condition(slug: str):
    """The need is hosted or co-hosted by the institution with this slug."""
    institution_id = db.session.scalar(select(Institution.id).where(Institution.slug == slug))
    if institution_id is None:
        return false()
    return or_(
        Need.institution_id == institution_id,
        Need.id.in_(
            select(need_cohost.c.need_id).where(need_cohost.c.institution_id == institution_id)
        ),
    )


def _skills_condition(volunteer_id: int):
    """Every required skill of the need is one the volunteer has at the minimum level or above."""
    has_level = (
        exists()
        .where(
            VolunteerSkill.user_id == volunteer_id,
            VolunteerSkill.skill_id == NeedSkill.skill_id,
            VolunteerSkill.level >= NeedSkill.min_level,
        )
        .correlate_except(VolunteerSkill)
    )
    missing = (
        exists()
        .where(NeedSkill.need_id == Need.id, NeedSkill.is_required.is_(True), not_(has_level))
        .correlate_except(NeedSkill)
    )
    return not_(missing)


def shift_range(filters: NeedFilters) -> tuple[datetime | None, datetime | None]:
    """The date filter as UTC instants: from Warsaw midnight of `from` to the midnight after `to`."""
    start = end = None
    if filters.date_from:
        start = local_to_utc(clamp(filters.date_from), time())
    if filters.date_to:
        end = local_to_utc(clamp(filters.date_to) + timedelta(days=1), time())
    return start, end


def conditions(
    filters: NeedFilters, now: datetime | None = None, *, with_shifts: bool = True
) -> list:
    """SQL conditions on Need for the filters, except the volunteer's availability.

    `with_shifts=False` leaves out "has a future shift (in the date range)" for a caller that
    joins those shifts itself.
    """
    now = now or utcnow()
    where = [Need.status == NeedStatus.PUBLISHED]
    if with_shifts:
        where.append(_future_shift(now, *shift_range(filters)))
    for word in filters.words:
        where.append(Need.search_text.like(f"%{_escape_like(word)}%", escape="\\"))
    if filters.institution:
        where.append(institution_condition(filters.institution))
    if filters.skill is not None:
        where.append(
            exists().where(NeedSkill.need_id == Need.id, NeedSkill.skill_id == filters.skill)
        )
    if filters.kind is not None:
        where.append(Need.kind == filters.kind)
    if filters.korpus:
        where.append(Need.kind == NeedKind.LONG_TERM)
    if filters.minors:
        where.append(Need.min_age < 18)
    if filters.accessible:
        where.append(Need.is_accessible.is_(True))
    return where


@dataclass(frozen=True)
class Window:
    weekday: int
    start: time
    end: time


def shift_fits(
    starts_at: datetime,
    ends_at: datetime,
    windows: Sequence[Window],
    absences: Sequence[tuple[date, date]],
) -> bool:
    """The shift lies inside one weekly window (Warsaw wall clock) and on no day away."""
    local_start = starts_at.astimezone(WARSAW)
    local_end = ends_at.astimezone(WARSAW)
    first_day, last_day = local_start.date(), local_end.date()
    for away_from, away_to in absences:
        if away_from <= last_day and first_day <= away_to:
            return False
    for window in windows:
        if window.weekday != first_day.weekday() or last_day != first_day:
            continue
        if window.start <= local_start.time() and local_end.time() <= window.end:
            return True
    return False


def _fitting_need_ids(volunteer: User, where: list, now: datetime) -> list[int]:
    """Needs (among those matching `where`) with a future shift the volunteer is free for.

    Weekly windows are wall-clock times in Warsaw, which the database cannot compare portably
    across daylight-saving changes, so the candidate shifts are checked here in Python.
    """
    windows = [
        Window(w.weekday, w.start_time, w.end_time)
        for w in db.session.scalars(
            select(AvailabilityWindow).where(AvailabilityWindow.user_id == volunteer.id)
        )
    ]
    if not windows:
        return []
    absences = [
        (a.starts_on, a.ends_on)
        for a in db.session.scalars(
            select(VolunteerAbsence).where(VolunteerAbsence.user_id == volunteer.id)
        )
    ]
    rows = db.session.execute(
        select(Shift.need_id, Shift.starts_at, Shift.ends_at)
        .join(Need, Need.id == Shift.need_id)
        .where(*where, Shift.is_cancelled.is_(False), Shift.starts_at > now)
    )
    fitting = set()
    for need_id, starts_at, ends_at in rows:
        if need_id not in fitting and shift_fits(starts_at, ends_at, windows, absences):
            fitting.add(need_id)
    return sorted(fitting)


@dataclass
class SearchResult:
    needs: list[Need]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def need_loading_options() -> list:
    """Everything a result shows, loaded in a fixed number of queries."""
    return [
        selectinload(Need.institution),
        selectinload(Need.cohosts),
        selectinload(Need.shifts),
        selectinload(Need.skills).selectinload(NeedSkill.skill),
    ]


def search(
    filters: NeedFilters, volunteer: User | None = None, *, clamp_page: bool = True
) -> SearchResult:
    """Published needs with a future shift that match the filters, soonest first.

    With `clamp_page`, a page past the end shows the last page (people follow old links); the
    API answers such a page with an empty list instead.
    """
    now = utcnow()
    where = conditions(filters, now, with_shifts=False)
    if filters.matches_profile and volunteer is not None and volunteer.profile is not None:
        where.append(_skills_condition(volunteer.id))
        fitting = _fitting_need_ids(volunteer, conditions(filters, now) + where[-1:], now)
        where.append(Need.id.in_(fitting))
    # The soonest future shift (in the date range, if any) of every need, computed once: it
    # orders the results and, by the inner join, keeps only needs that have such a shift. The
    # total comes with the page as a window count, so the database walks the needs once.
    start, end = shift_range(filters)
    shift_where = [Shift.is_cancelled.is_(False), Shift.starts_at > now]
    if start is not None:
        shift_where.append(Shift.starts_at >= start)
    if end is not None:
        shift_where.append(Shift.starts_at < end)
    next_shift = (
        select(Shift.need_id.label("need_id"), func.min(Shift.starts_at).label("next_at"))
        .where(*shift_where)
        .group_by(Shift.need_id)
        .subquery()
    )

    def page_of(page: int) -> list:
        return list(
            db.session.execute(
                select(Need.id, func.count().over().label("total"))
                .join(next_shift, next_shift.c.need_id == Need.id)
                .where(*where)
                .order_by(next_shift.c.next_at, Need.id)
                .limit(filters.per_page)
                .offset((page - 1) * filters.per_page)
            )
        )

    page = filters.page
    rows = page_of(page)
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:
        total = (
            db.session.scalar(
                select(func.count(Need.id))
                .join(next_shift, next_shift.c.need_id == Need.id)
                .where(*where)
            )
            or 0
        )
        last = max(1, math.ceil(total / filters.per_page))
        if clamp_page and page > last:
            page = last
            rows = page_of(page)
    ids = [row.id for row in rows]
    loaded = {
        n.id: n
        for n in db.session.scalars(
            select(Need).where(Need.id.in_(ids)).options(*need_loading_options())
        )
    }
    return SearchResult([loaded[i] for i in ids if i in loaded], total, page, filters.per_page)


def upcoming_shifts(need: Need, now: datetime | None = None) -> list[Shift]:
    now = now or utcnow()
    return [s for s in need.shifts if not s.is_cancelled and s.starts_at > now]


def public_need(need_id: int, statuses: Sequence[NeedStatus] = PUBLIC_STATUSES) -> Need | None:
    """A need that the public may see: never a draft or a cancelled one."""
    if not 1 <= need_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Need)
        .where(Need.id == need_id, Need.status.in_(statuses))
        .options(*need_loading_options())
    )


def institution_by_slug(slug: str) -> Institution | None:
    """The institution a filter names (active or not: a link may name one that left)."""
    if not slug:
        return None
    return db.session.scalar(select(Institution).where(Institution.slug == slug))
