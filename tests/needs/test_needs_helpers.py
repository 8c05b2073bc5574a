"""Helpers for the public exchange tests: skills, co-hosts, volunteer profiles, query counting.

Kept beside the tests that use them (tests/factories.py belongs to the whole suite).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import event
from sqlalchemy import select

from app.extensions import db
from app.models import AvailabilityWindow
from app.models import Need
from app.models import NeedSkill
from app.models import Shift
from app.models import Skill
from app.models import SkillGroup
from app.models import VolunteerAbsence
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.services.needs import refresh_search_text

_numbers = itertools.count(1)


def make_skill(app, name_pl: str, name_en: str = "") -> int:
    n = next(_numbers)
    with app.app_context():
        group = db.session.scalar(select(SkillGroup).where(SkillGroup.code == "test"))
        if group is None:
            group = SkillGroup(code="test", name_pl="Testowe", name_en="Test")
            db.session.add(group)
            db.session.flush()
        skill = Skill(
            code=f"skill-{n}", group_id=group.id, name_pl=name_pl, name_en=name_en or name_pl
        )
        db.session.add(skill)
        db.session.commit()
        return skill.id


def _refresh(need_id: int) -> None:
    need = db.session.get(Need, need_id)
    db.session.flush()
    db.session.refresh(need)
    refresh_search_text(need)


def add_skills(app, need, skills: Iterable[tuple[int, int, bool]]) -> None:
    with app.app_context():
        for skill_id, level, required in skills:
            db.session.add(
                NeedSkill(need_id=need.id, skill_id=skill_id, min_level=level, is_required=required)
            )
        db.session.flush()
        _refresh(need.id)
        db.session.commit()


def add_cohost(app, need, institution) -> None:
    with app.app_context():
        row = db.session.get(Need, need.id)
        row.cohosts.append(db.session.get(type(institution), institution.id))
        db.session.flush()
        _refresh(need.id)
        db.session.commit()


def add_shift(app, need, starts_at: datetime, ends_at: datetime, places: int = 2, **kw) -> int:
    with app.app_context():
        shift = Shift(need_id=need.id, starts_at=starts_at, ends_at=ends_at, places=places, **kw)
        db.session.add(shift)
        db.session.commit()
        return shift.id


def set_profile(
    app,
    user,
    *,
    born: date | None = None,
    skills: Iterable[tuple[int, int]] = (),
    windows: Iterable[tuple[int, time, time]] = (),
    absences: Iterable[tuple[date, date]] = (),
) -> None:
    with app.app_context():
        profile = db.session.get(VolunteerProfile, user.id)
        profile.date_of_birth = born
        for skill_id, level in skills:
            db.session.add(VolunteerSkill(user_id=user.id, skill_id=skill_id, level=level))
        for weekday, start, end in windows:
            db.session.add(
                AvailabilityWindow(user_id=user.id, weekday=weekday, start_time=start, end_time=end)
            )
        for first, last in absences:
            db.session.add(VolunteerAbsence(user_id=user.id, starts_on=first, ends_on=last))
        db.session.commit()


@contextmanager
def count_queries(app) -> Iterator[list[str]]:
    """Collect the SQL statements the app sends while the block runs (not transaction control,
    which SQLite gets as explicit BEGINs)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
