"""Factories that put test data in the database and hand back detached, fully loaded objects.

They open an application context of their own for each call, so a test never needs one: `get`,
`scalar` and `scalars` read what is stored now (a fresh session each time, which also sees what a
live server committed), `update` changes columns, and the builders add rows.
"""

from __future__ import annotations

import itertools
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from typing import TypeVar

from flask import Flask
from sqlalchemy import Executable
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.time import WARSAW
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import ChildProtectionCheck
from app.models import Institution
from app.models import InstitutionKind
from app.models import InstitutionRequest
from app.models import MatchRun
from app.models import Need
from app.models import NeedStatus
from app.models import NewsKind
from app.models import NewsPost
from app.models import Role
from app.models import Shift
from app.models import StaffMembership
from app.models import StaffRequest
from app.models import User
from app.models import VolunteerProfile
from app.models.base import utcnow
from app.models.hours import HoursEntry
from app.models.hours import HoursSource
from app.models.hours import HoursStatus
from app.seed.demo import load_reference_data
from app.services.needs import refresh_search_text
from app.services.passwords import hash_password

M = TypeVar("M")

PASSWORD = "Wolontariat-2026!"  # noqa: S105 - test password
_counter = itertools.count(1)
_HASH_CACHE: dict[str, str] = {}


def _hash(password: str) -> str:
    # Argon2 is slow on purpose; tests reuse one hash per password.
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


# The latest Warsaw hour a default shift starts at: its 4 hours end by 22:00, an hour before
# midnight even where a clock change falls between two weekly shifts.
LATEST_DEFAULT_START = time(18)


def a_week_ahead() -> datetime:
    """A week from now on the hour, or that day at LATEST_DEFAULT_START when it is later.

    Staff's forms make shifts within one Warsaw day (the end after the start), and so must the
    suite's data: a test run in the evening would otherwise get a shift past midnight, which a
    form that sends its times back refuses.
    """
    begin = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    latest = datetime.combine(begin.astimezone(WARSAW).date(), LATEST_DEFAULT_START, WARSAW)
    return min(begin, latest.astimezone(UTC))


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _save(self, obj):
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def get(self, model: type[M], ident: Any, *relations: str) -> M | None:
        """The row as stored now, detached, with its columns and the named relations loaded."""
        with self.app.app_context():
            options = [selectinload(getattr(model, name)) for name in relations]
            obj = db.session.get(model, ident, options=options, populate_existing=True)
            db.session.expunge_all()
            return obj

    def scalar(self, statement: Executable) -> Any:
        """The first value the statement selects now (a count, a status, a detached row)."""
        with self.app.app_context():
            value = db.session.scalar(statement)
            db.session.expunge_all()
            return value

    def scalars(self, statement: Executable) -> list:
        """Every value the statement selects now, rows detached with their columns loaded."""
        with self.app.app_context():
            values = list(db.session.scalars(statement))
            db.session.expunge_all()
            return values

    def update(self, model: type, ident: Any, **values: Any) -> None:
        """Set columns of one stored row, as if it had been edited long ago."""
        with self.app.app_context():
            obj = db.session.get_one(model, ident)
            for name, value in values.items():
                setattr(obj, name, value)
            db.session.commit()

    def profile(self, volunteer: User, **values: Any) -> None:
        """Set fields of the volunteer's profile."""
        self.update(VolunteerProfile, volunteer.id, **values)

    def hours(
        self,
        volunteer: User,
        institution: Institution,
        day: date,
        hours: float,
        status: HoursStatus = HoursStatus.CONFIRMED,
    ) -> HoursEntry:
        """Hours logged for a shift at the institution on `day` (confirmed unless told)."""
        with self.app.app_context():
            return self._save(
                HoursEntry(
                    volunteer_id=volunteer.id,
                    institution_id=institution.id,
                    worked_on=day,
                    hours=hours,
                    source=HoursSource.SHIFT,
                    status=status,
                )
            )

    def reference_data(self) -> None:
        with self.app.app_context():
            load_reference_data()

    def institution(self, name: str | None = None, **kw) -> Institution:
        n = next(_counter)
        with self.app.app_context():
            return self._save(
                Institution(
                    name=name or f"Instytucja testowa {n}",
                    short_name=kw.pop("short_name", f"IT{n}"),
                    slug=kw.pop("slug", f"instytucja-{n}"),
                    kind=kw.pop("kind", InstitutionKind.MUSEUM),
                    contact_email=kw.pop("contact_email", f"kontakt{n}@example.org"),
                    **kw,
                )
            )

    def user(
        self,
        role: Role = Role.VOLUNTEER,
        email: str | None = None,
        password: str = PASSWORD,
        confirmed: bool = True,
        institution: Institution | None = None,
        **kw,
    ) -> User:
        n = next(_counter)
        with self.app.app_context():
            user = User(
                email=email or f"osoba{n}@example.org",
                password_hash=_hash(password),
                role=role,
                first_name=kw.pop("first_name", "Ola"),
                last_name=kw.pop("last_name", f"Testowa{n}"),
                email_confirmed_at=utcnow() if confirmed else None,
                **kw,
            )
            if role == Role.VOLUNTEER:
                user.profile = VolunteerProfile(city="Opole")
            db.session.add(user)
            db.session.flush()
            if institution is not None:
                db.session.add(StaffMembership(user_id=user.id, institution_id=institution.id))
            db.session.commit()
            user = db.session.scalar(select(User).where(User.id == user.id))
            _ = [m.institution for m in user.memberships]
            db.session.expunge_all()
            return user

    def staff_request(
        self, user: User, institution: Institution, position: str = "Edukatorka"
    ) -> StaffRequest:
        with self.app.app_context():
            return self._save(
                StaffRequest(user_id=user.id, institution_id=institution.id, position=position)
            )

    def institution_request(self, user: User, name: str | None = None) -> InstitutionRequest:
        n = next(_counter)
        with self.app.app_context():
            return self._save(
                InstitutionRequest(
                    requested_by_id=user.id,
                    name=name or f"Nowa Fundacja {n}",
                    short_name=f"NF{n}",
                    kind=InstitutionKind.NGO,
                    contact_email=f"fundacja{n}@example.org",
                    description="Działamy na rzecz kultury w Opolu.",
                    position="Prezeska",
                )
            )

    def need(
        self,
        institution: Institution,
        title: str = "Dyżur na wystawie",
        *,
        shifts: int = 1,
        places: int = 2,
        start: datetime | None = None,
        **kw,
    ) -> Need:
        """A need with `shifts` weekly shifts of 4 hours, the first about a week from now
        (`a_week_ahead`)."""
        with self.app.app_context():
            need = Need(
                institution_id=institution.id,
                title=title,
                status=kw.pop("status", NeedStatus.PUBLISHED),
                **kw,
            )
            first = start or a_week_ahead()
            for week in range(shifts):
                begin = first + timedelta(weeks=week)
                need.shifts.append(
                    Shift(starts_at=begin, ends_at=begin + timedelta(hours=4), places=places)
                )
            db.session.add(need)
            db.session.flush()
            refresh_search_text(need)
            db.session.commit()
            need = db.session.scalar(
                select(Need).where(Need.id == need.id).options(selectinload(Need.shifts))
            )
            db.session.expunge_all()
            return need

    def application(
        self,
        volunteer: User,
        need: Need,
        shift_index: int = 0,
        status: AssignmentStatus = AssignmentStatus.APPLIED,
        run_id: int | None = None,
    ) -> Assignment:
        """An assignment row as if the volunteer had applied (or been moved on to `status`);
        accepted places and open offers hold a place on the shift, as in the app."""
        with self.app.app_context():
            shift = need.shifts[shift_index]
            assignment = Assignment(
                volunteer_id=volunteer.id,
                shift_id=shift.id,
                need_id=need.id,
                status=status,
                match_run_id=run_id,
            )
            if run_id is not None:
                assignment.score = 40
                assignment.reasons = [
                    {
                        "code": "new_institution",
                        "params": {"institution_id": need.institution_id},
                        "points": 12,
                    }
                ]
            if status in (AssignmentStatus.ACCEPTED, AssignmentStatus.OFFERED):
                db.session.get(Shift, shift.id).accepted_count += 1
            if status == AssignmentStatus.OFFERED:
                assignment.offered_at = datetime.now(UTC)
                assignment.expires_at = datetime.now(UTC) + timedelta(hours=72)
            return self._save(assignment)

    def match_run(self, creator: User | None = None) -> MatchRun:
        with self.app.app_context():
            return self._save(
                MatchRun(
                    created_by_id=creator.id if creator else None,
                    status="done",
                    params={},
                    stats={
                        "volunteers": 2,
                        "places": 2,
                        "needs": 2,
                        "pairs": 1,
                        "proposals": 1,
                        "needs_with_proposal": 1,
                        "seconds_total": 0.01,
                    },
                    diagnostics=[],
                )
            )

    def feed_token(self, volunteer: User) -> str:
        with self.app.app_context():
            return db.session.get(VolunteerProfile, volunteer.id).feed_token

    def child_protection_check(self, volunteer: User, checked_by: User | None = None) -> None:
        with self.app.app_context():
            today = datetime.now(UTC).date()
            db.session.add(
                ChildProtectionCheck(
                    user_id=volunteer.id,
                    certificate_seen_on=today,
                    register_checked_on=today,
                    checked_by_id=checked_by.id if checked_by else None,
                )
            )
            db.session.commit()

    def news_post(self, institution: Institution, author: User | None = None, **kw) -> NewsPost:
        """A post on the coalition board, written now, visible to members' staff only unless
        `is_public=True`."""
        with self.app.app_context():
            return self._save(
                NewsPost(
                    institution_id=institution.id,
                    author_id=author.id if author else None,
                    kind=kw.pop("kind", NewsKind.EVENT),
                    title=kw.pop("title", "Noc w archiwum: szukamy pomocy"),
                    body=kw.pop("body", "Zapraszamy wolontariuszy innych instytucji."),
                    **kw,
                )
            )
