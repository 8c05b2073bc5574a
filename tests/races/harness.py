"""Rounds of requests released at the same moment, and what each round leaves in the database.

A round sets up its own shifts and people directly in the database (tests/factories.py through an
app bound to the race database), then fires real HTTP requests at gunicorn from threads that a
`threading.Barrier` releases together. Afterwards the database is asked whether the promises
held for everything the round touched:

- overfilled: a shift with more people holding a place (offered or accepted) than it has places;
- drifted: a shift whose `accepted_count` is not the number of people holding a place on it;
- double booked: a volunteer holding places on two shifts whose times overlap;
- server errors: answers of 5xx, or no answer at all;
- misinformed: someone told that something happened which the database says did not.

The totals of every scenario are printed at the end of the pytest run.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import HOLDS_PLACE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Shift
from tests.factories import Factory
from tests.live_server import WAIT
from tests.live_server import Visitor

WARSAW = ZoneInfo("Europe/Warsaw")
NO_ANSWER = 599  # what a request that got no HTTP answer at all (reset, timeout) is counted as
SUCCESS_FLASH = re.compile(r'class="flash flash-success"[^>]*>([^<]*)<')


@dataclass(frozen=True)
class Answer:
    status: int
    path: str
    page: str

    def success_messages(self) -> list[str]:
        """The green messages the person sees on the page they landed on."""
        return [m.strip() for m in SUCCESS_FLASH.findall(self.page)]


Call = Callable[[], Answer]


def ask(visitor: Visitor, path: str, fields_: dict, follow: bool = True) -> Call:
    """A form post, ready to be sent: a transport failure is an answer too (NO_ANSWER)."""

    def send() -> Answer:
        try:
            return Answer(*visitor.post(path, fields_, follow))
        except OSError as exc:
            return Answer(NO_ANSWER, path, f"{type(exc).__name__}: {exc}")

    return send


def at_once(calls: list[Call], lags: list[float] | None = None) -> list[Answer]:
    """Send every call from its own thread, all released by one barrier; answers in call order.

    `lags` holds back some calls by a few milliseconds after the release: two people never
    click at the very same microsecond, and where the window of a race lies depends on it.
    """
    if not calls:
        return []
    barrier = threading.Barrier(len(calls))
    answers: list[Answer | None] = [None] * len(calls)
    lags = lags or [0.0] * len(calls)

    def run(index: int, call: Call) -> None:
        try:
            barrier.wait(timeout=WAIT)
            if lags[index]:
                time.sleep(lags[index])
            answers[index] = call()
        except Exception as exc:  # noqa: BLE001 - a thread must not die silently
            answers[index] = Answer(NO_ANSWER, "", f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert all(a is not None for a in answers), "a request thread did not finish"
    return answers  # type: ignore[return-value]


class Calendar:
    """Hands out five-hour slots in Warsaw daytime (7:00, 12:00, 17:00) from the day after
    tomorrow on, one per round, so that no two rounds' shifts overlap unless a round wants it."""

    HOURS = (7, 12, 17)

    def __init__(self, first_day: date | None = None) -> None:
        self.first_day = first_day or datetime.now(WARSAW).date() + timedelta(days=2)
        self._numbers = itertools.count()

    def slot(self) -> datetime:
        n = next(self._numbers)
        day = self.first_day + timedelta(days=n // len(self.HOURS))
        local = datetime(
            day.year, day.month, day.day, self.HOURS[n % len(self.HOURS)], tzinfo=WARSAW
        )
        return local.astimezone(UTC)


@dataclass
class Findings:
    overfilled: int = 0
    drifted: int = 0
    double_booked: int = 0
    server_errors: int = 0
    misinformed: int = 0

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


@dataclass
class Totals:
    rounds: int = 0
    failed_rounds: int = 0
    found: Findings = field(default_factory=Findings)

    def add(self, findings: Findings) -> None:
        self.rounds += 1
        self.failed_rounds += findings.any()
        for f in fields(findings):
            setattr(self.found, f.name, getattr(self.found, f.name) + getattr(findings, f.name))


COLUMNS = (
    ("rounds", "rounds"),
    ("overfills", "overfilled"),
    ("counter drift", "drifted"),
    ("double bookings", "double_booked"),
    ("5xx", "server_errors"),
    ("misinformed", "misinformed"),
    ("failed rounds", "failed_rounds"),
)


class Scoreboard:
    """Totals per scenario; registered as a pytest plugin so that the table closes the run's
    output, whether the scenarios passed or not and with or without `-s`."""

    def __init__(self) -> None:
        self.totals: dict[str, Totals] = {}

    def add(self, scenario: str, findings: Findings) -> None:
        self.totals.setdefault(scenario, Totals()).add(findings)

    def row(self, scenario: str) -> dict[str, int]:
        totals = self.totals.get(scenario, Totals())
        return {
            title: getattr(totals, name) if hasattr(totals, name) else getattr(totals.found, name)
            for title, name in COLUMNS
        }

    def table(self) -> list[str]:
        width = max([len("scenario"), *map(len, self.totals)])
        head = " | ".join(["scenario".ljust(width), *(title for title, _ in COLUMNS)])
        lines = [head, "-" * len(head)]
        for scenario in [*self.totals, "total"]:
            if scenario == "total":
                values = {
                    title: sum(self.row(s)[title] for s in self.totals) for title, _ in COLUMNS
                }
                lines.append("-" * len(head))
            else:
                values = self.row(scenario)
            cells = [str(values[title]).rjust(len(title)) for title, _ in COLUMNS]
            lines.append(" | ".join([scenario.ljust(width), *cells]))
        return lines

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.totals:
            return
        terminalreporter.section("races over HTTP (gunicorn, PostgreSQL)")
        for line in self.table():
            terminalreporter.write_line(line)


class Round:
    """One round of a scenario: the records it made, the answers it got, what people were told."""

    def __init__(self, factory: Factory, calendar: Calendar) -> None:
        self.factory = factory
        self.calendar = calendar
        self.shift_ids: set[int] = set()
        self.people: set[int] = set()
        self.answers: list[Answer] = []
        self.misinformed = 0
        self.notes: list[str] = []

    def need(self, institution, places: int, start: datetime | None = None, title: str = ""):
        need = self.factory.need(
            institution,
            title or f"Dyżur w wyścigu {len(self.shift_ids) + 1}",
            places=places,
            start=start or self.calendar.slot(),
        )
        self.shift_ids.update(s.id for s in need.shifts)
        return need

    def person(self):
        """A volunteer who does nothing in the round but is decided about."""
        volunteer = self.factory.user()
        self.people.add(volunteer.id)
        return volunteer

    def application(self, volunteer, need, status=AssignmentStatus.APPLIED, run_id=None):
        self.people.add(volunteer.id)
        return self.factory.application(volunteer, need, status=status, run_id=run_id)

    def at_once(self, calls: list[Call], lags: list[float] | None = None) -> list[Answer]:
        answers = at_once(calls, lags)
        self.answers.extend(answers)
        return answers

    def send(self, call: Call) -> Answer:
        answer = call()
        self.answers.append(answer)
        return answer

    def misinformed_because(self, note: str) -> None:
        self.misinformed += 1
        self.notes.append(note)

    def status_of(self, assignment_id: int) -> AssignmentStatus:
        with self.factory.app.app_context():
            status = db.session.get(Assignment, assignment_id).status
            db.session.remove()
            return AssignmentStatus(status)

    def waiting(self, shift_id: int) -> list[int]:
        """Applications on the shift that wait for a decision, oldest first."""
        with self.factory.app.app_context():
            ids = list(
                db.session.scalars(
                    select(Assignment.id)
                    .where(
                        Assignment.shift_id == shift_id,
                        Assignment.status == AssignmentStatus.APPLIED,
                    )
                    .order_by(Assignment.id)
                )
            )
            db.session.remove()
            return ids

    def findings(self) -> Findings:
        rows = shift_rows(self.factory.app, self.shift_ids)
        overfilled = [r for r in rows if r[3] > r[1]]
        drifted = [r for r in rows if r[2] != r[3]]
        errors = [a for a in self.answers if a.status >= 500]
        self.notes += [
            f"shift {shift_id}: {places} places, accepted_count {count}, {people} holding a place"
            for shift_id, places, count, people in sorted({*overfilled, *drifted})
        ] + [f"{a.status} from {a.path}: {page_title(a.page)}" for a in errors]
        return Findings(
            overfilled=len(overfilled),
            drifted=len(drifted),
            double_booked=double_booked(self.factory.app, self.people),
            server_errors=len(errors),
            misinformed=self.misinformed,
        )


def page_title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    return (found.group(1) if found else page[:200]).strip()


def shift_rows(app: Flask, shift_ids: Iterable[int]) -> list[tuple[int, int, int, int]]:
    """(id, places, accepted_count, people holding a place) of each of these shifts."""
    holders = func.count(Assignment.id).filter(Assignment.status.in_(HOLDS_PLACE))
    with app.app_context():
        rows = db.session.execute(
            select(Shift.id, Shift.places, Shift.accepted_count, holders)
            .outerjoin(Assignment, Assignment.shift_id == Shift.id)
            .where(Shift.id.in_(list(shift_ids)))
            .group_by(Shift.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def double_booked(app: Flask, volunteer_ids: Iterable[int]) -> int:
    """How many of these volunteers hold places on two shifts whose times overlap."""
    mine, other = aliased(Assignment), aliased(Assignment)
    my_shift, other_shift = aliased(Shift), aliased(Shift)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(func.distinct(mine.volunteer_id)))
            .join(my_shift, my_shift.id == mine.shift_id)
            .join(other, (other.volunteer_id == mine.volunteer_id) & (other.id != mine.id))
            .join(other_shift, other_shift.id == other.shift_id)
            .where(
                mine.volunteer_id.in_(list(volunteer_ids)),
                mine.status.in_(HOLDS_PLACE),
                other.status.in_(HOLDS_PLACE),
                my_shift.starts_at < other_shift.ends_at,
                other_shift.starts_at < my_shift.ends_at,
            )
        )
        db.session.remove()
    return count or 0
