"""Coalition reports: hours, fill rate, new and active volunteers, and the exchange itself.

Every figure is one aggregate SQL query (GROUP BY in the database, never a loop over ledger rows),
so the dashboard stays fast with a million confirmed hours. Only confirmed HoursEntry rows count.
Months are Warsaw calendar months: worked_on is already a Warsaw date, and UTC timestamps
(account creation, shift starts) are compared with the UTC instants where Warsaw months begin.
Each volunteer is counted once across the coalition (COUNT DISTINCT), however many institutions
or days they served.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime

from sqlalchemy import Label
from sqlalchemy import String
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import union_all

from app.core.text import polish_sort_key
from app.core.time import WARSAW
from app.extensions import db
from app.models import Institution
from app.models import Need
from app.models import NeedStatus
from app.models import Role
from app.models import Shift
from app.models import User
from app.models.hours import HoursEntry
from app.models.hours import HoursStatus
from app.services import spreadsheets

DEFAULT_MONTHS = 12
MAX_MONTHS = 36

Month = tuple[int, int]


def parse_months(value: str | None) -> int:
    """?months=N, 1..36; anything else falls back to 12 (malformed parameters are ignored)."""
    text = (value or "").strip()
    if not (1 <= len(text) <= 2 and text.isascii() and text.isdigit()):
        return DEFAULT_MONTHS
    number = int(text)
    return number if 1 <= number <= MAX_MONTHS else DEFAULT_MONTHS


@dataclass(frozen=True)
class Period:
    """The last `len(months)` Warsaw calendar months, the current one included."""

    months: tuple[Month, ...]

    @classmethod
    def last(cls, count: int, today: date | None = None) -> Period:
        today = today or datetime.now(UTC).astimezone(WARSAW).date()
        year, month = today.year, today.month
        months = []
        for _ in range(count):
            months.append((year, month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return cls(tuple(reversed(months)))

    @property
    def start(self) -> date:
        return date(self.months[0][0], self.months[0][1], 1)

    @property
    def end(self) -> date:
        """First day after the period."""
        year, month = self.months[-1]
        return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)

    def utc_starts(self) -> list[datetime]:
        """The UTC instants where each month begins in Warsaw, plus the end of the period."""
        firsts = [date(y, m, 1) for y, m in self.months] + [self.end]
        return [datetime(d.year, d.month, d.day, tzinfo=WARSAW).astimezone(UTC) for d in firsts]

    def labels(self) -> list[str]:
        return [f"{y:04d}-{m:02d}" for y, m in self.months]


def _tune() -> None:
    """On PostgreSQL, give this transaction's aggregates room in memory and skip JIT.

    The report queries hash-aggregate a few hundred thousand rows: with the default 4 MB of
    work_mem they spill to disk, and the planner's high cost estimates switch on JIT, which costs
    more (~170 ms) than it saves on queries this short. SET LOCAL ends with the transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        db.session.execute(text("SET LOCAL jit = off"))


def _confirmed_in(period: Period, institution_id: int | None = None) -> list:
    where = [
        HoursEntry.status == HoursStatus.CONFIRMED,
        HoursEntry.worked_on >= period.start,
        HoursEntry.worked_on < period.end,
    ]
    if institution_id is not None:
        where.append(HoursEntry.institution_id == institution_id)
    return where


def _bucket(column, bounds: list) -> Label[int]:
    """The index of the period's month a value falls in (bounds: where each month begins, plus
    the end). A CASE on plain comparisons gives a small integer key on every database; on
    PostgreSQL it groups several times faster than EXTRACT's numeric year and month."""
    return case(
        *[(column < bounds[i + 1], i) for i in range(len(bounds) - 1)],
        else_=-1,
    ).label("bucket")


def _day_bounds(period: Period) -> list[date]:
    return [date(y, m, 1) for y, m in period.months] + [period.end]


@dataclass
class HoursTable:
    """Hours per institution (rows) per month (columns), with totals."""

    months: list[str]
    # ({"id": .., "name": ..}, hours per month, total) per institution
    rows: list[tuple[dict, list[float], float]] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)
    total: float = 0.0


def hours_per_institution(period: Period, institution_id: int | None = None) -> HoursTable:
    """Confirmed hours summed per institution and Warsaw month in one GROUP BY; institutions
    without hours in the period are left out (one institution's report always has its row)."""
    _tune()
    bucket = _bucket(HoursEntry.worked_on, _day_bounds(period))
    query = (
        select(HoursEntry.institution_id, bucket, func.sum(HoursEntry.hours))
        .where(*_confirmed_in(period, institution_id))
        .group_by(HoursEntry.institution_id, bucket)
    )
    sums: dict[int, list[float]] = {}
    for inst_id, slot, hours in db.session.execute(query):
        if 0 <= slot < len(period.months):
            sums.setdefault(inst_id, [0.0] * len(period.months))[slot] += float(hours or 0)
    names = _institution_names(set(sums) | ({institution_id} if institution_id else set()))
    table = HoursTable(months=period.labels(), totals=[0.0] * len(period.months))
    for inst_id in sorted(names, key=lambda i: polish_sort_key(names[i])):
        values = [round(v, 2) for v in sums.get(inst_id, [0.0] * len(period.months))]
        table.rows.append(({"id": inst_id, "name": names[inst_id]}, values, round(sum(values), 2)))
        table.totals = [round(a + b, 2) for a, b in zip(table.totals, values, strict=True)]
    table.total = round(sum(table.totals), 2)
    return table


def _institution_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Institution.id, Institution.name).where(Institution.id.in_(ids))
    return {row[0]: row[1] for row in db.session.execute(query)}


@dataclass
class FillRow:
    institution_id: int
    name: str
    offered: int
    taken: int

    @property
    def rate(self) -> float:
        """Percent of offered places taken, 0 when nothing was offered."""
        return round(100.0 * self.taken / self.offered, 1) if self.offered else 0.0


def fill_rates(period: Period, institution_id: int | None = None) -> list[FillRow]:
    """Places taken / places offered on the published needs' shifts that start in the period
    (cancelled shifts offer nothing)."""
    _tune()
    starts = period.utc_starts()
    query = (
        select(
            Need.institution_id,
            func.sum(Shift.places),
            func.sum(func.least(Shift.accepted_count, Shift.places))
            if db.session.get_bind().dialect.name == "postgresql"
            else func.sum(func.min(Shift.accepted_count, Shift.places)),
        )
        .join(Need, Need.id == Shift.need_id)
        .where(
            Need.status == NeedStatus.PUBLISHED,
            Shift.is_cancelled.is_(False),
            Shift.starts_at >= starts[0],
            Shift.starts_at < starts[-1],
        )
        .group_by(Need.institution_id)
    )
    if institution_id is not None:
        query = query.where(Need.institution_id == institution_id)
    found = {i: (int(o or 0), int(t or 0)) for i, o, t in db.session.execute(query)}
    names = _institution_names(set(found))
    rows = [FillRow(i, names[i], *found[i]) for i in found]
    return sorted(rows, key=lambda r: polish_sort_key(r.name))


def _by_month(period: Period, rows) -> dict[Month, int]:
    return {
        period.months[slot]: int(count) for slot, count in rows if 0 <= slot < len(period.months)
    }


@dataclass
class VolunteerMonth:
    month: str
    new: int
    active: int


def volunteers_per_month(period: Period, institution_id: int | None = None) -> list[VolunteerMonth]:
    """New and active volunteers per month, each person counted once per month.

    Coalition: new = the account was created that month; for one institution: new = the month
    of their first confirmed hours there. Active = at least one confirmed hour that month."""
    _tune()
    worked = (
        select(
            HoursEntry.volunteer_id.label("v"),
            _bucket(HoursEntry.worked_on, _day_bounds(period)),
        )
        .where(*_confirmed_in(period, institution_id))
        .subquery()
    )
    active_query = select(worked.c.bucket, func.count(func.distinct(worked.c.v))).group_by(
        worked.c.bucket
    )
    active = _by_month(period, db.session.execute(active_query))
    if institution_id is None:
        starts = period.utc_starts()
        bucket = _bucket(User.created_at, starts)
        query = (
            select(bucket, func.count())
            .where(
                User.role == Role.VOLUNTEER,
                User.created_at >= starts[0],
                User.created_at < starts[-1],
            )
            .group_by(bucket)
        )
        new = _by_month(period, db.session.execute(query))
    else:
        first = (
            select(func.min(HoursEntry.worked_on).label("first_day"))
            .where(
                HoursEntry.status == HoursStatus.CONFIRMED,
                HoursEntry.institution_id == institution_id,
            )
            .group_by(HoursEntry.volunteer_id)
            .subquery()
        )
        bucket = _bucket(first.c.first_day, _day_bounds(period))
        query = (
            select(bucket, func.count())
            .where(first.c.first_day >= period.start, first.c.first_day < period.end)
            .group_by(bucket)
        )
        new = _by_month(period, db.session.execute(query))
    return [
        VolunteerMonth(label, new.get(ym, 0), active.get(ym, 0))
        for ym, label in zip(period.months, period.labels(), strict=True)
    ]


@dataclass
class Exchange:
    """How the coalition shares volunteers in the period."""

    volunteers: int  # distinct volunteers with confirmed hours
    shared: int  # of them, at more than one institution
    spread: dict[int, int]  # number of institutions -> number of volunteers
    names: dict[int, str]  # institutions in the matrix, by id
    order: list[int]  # matrix rows/columns, by name
    pairs: dict[tuple[int, int], int]  # (a, b) and (b, a) -> distinct volunteers at both

    def cell(self, a: int, b: int) -> int:
        return self.pairs.get((a, b), 0)


def _served_pairs(period: Period):
    """Distinct (volunteer, institution) with confirmed hours in the period, computed once."""
    return (
        select(HoursEntry.volunteer_id.label("v"), HoursEntry.institution_id.label("i"))
        .where(*_confirmed_in(period))
        .group_by(HoursEntry.volunteer_id, HoursEntry.institution_id)
        .cte("served")
    )


def exchange(period: Period, institution_id: int | None = None) -> Exchange:
    """Volunteers serving at more than one institution and the matrix of shared volunteers.

    One statement: the distinct (volunteer, institution) pairs are computed once (a CTE), then
    both the spread (volunteers by number of institutions) and the matrix come out of it; only
    volunteers at two or more institutions enter the self-join that fills the matrix.
    For one institution: its own volunteers, how many of them also served elsewhere, and its
    row of the matrix."""
    _tune()
    served = _served_pairs(period)
    counting = select(served.c.v, func.count().label("n")).group_by(served.c.v)
    if institution_id is not None:
        mine = select(served.c.v).where(served.c.i == institution_id)
        counting = counting.where(served.c.v.in_(mine))
    per_volunteer = counting.cte("per_volunteer")
    shared = (
        select(served.c.v, served.c.i)
        .where(served.c.v.in_(select(per_volunteer.c.v).where(per_volunteer.c.n > 1)))
        .cte("shared")
    )
    a, b = shared.alias("a"), shared.alias("b")
    matrix = (
        select(
            literal("m", String).label("kind"),
            a.c.i.label("x"),
            b.c.i.label("y"),
            func.count().label("c"),
        )
        .select_from(a.join(b, and_(a.c.v == b.c.v, a.c.i < b.c.i)))
        .group_by(a.c.i, b.c.i)
    )
    if institution_id is not None:
        matrix = matrix.where((a.c.i == institution_id) | (b.c.i == institution_id))
    spread_query = select(
        literal("s", String).label("kind"),
        per_volunteer.c.n.label("x"),
        per_volunteer.c.n.label("y"),
        func.count().label("c"),
    ).group_by(per_volunteer.c.n)
    spread: dict[int, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    for kind, x, y, count in db.session.execute(union_all(spread_query, matrix)):
        if kind == "s":
            spread[int(x)] = int(count)
        else:
            pairs[(x, y)] = pairs[(y, x)] = int(count)
    ids = {x for x, _y in pairs} | ({institution_id} if institution_id else set())
    names = _institution_names(ids)
    order = sorted(names, key=lambda i: polish_sort_key(names[i]))
    return Exchange(
        volunteers=sum(spread.values()),
        shared=sum(c for n, c in spread.items() if n > 1),
        spread=dict(sorted(spread.items())),
        names=names,
        order=order,
        pairs=pairs,
    )


# --- exports ----------------------------------------------------------------------------------


def hours_rows(table: HoursTable, institution_label: str, total_label: str) -> list[list]:
    # Month headings: the same text in a CSV, date cells (shown as yyyy-mm) in a workbook.
    months = [spreadsheets.Month(*map(int, label.split("-"))) for label in table.months]
    rows: list[list] = [[institution_label, *months, total_label]]
    for inst, values, total in table.rows:
        rows.append([inst["name"], *values, total])
    rows.append([total_label, *table.totals, table.total])
    return rows


def sharing_rows(data: Exchange, corner: str) -> list[list]:
    rows: list[list] = [[corner, *[data.names[i] for i in data.order]]]
    for x in data.order:
        rows.append([data.names[x], *[data.cell(x, y) for y in data.order]])
    return rows


def to_csv(rows: list[list]) -> str:
    return spreadsheets.to_csv(rows)


def to_xlsx(rows: list[list], title: str) -> bytes:
    return spreadsheets.to_xlsx(rows, title)
