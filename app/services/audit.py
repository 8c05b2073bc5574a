"""Writing the audit log, and the filters it is read with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import or_
from sqlalchemy import select

from app.core.text import fold
from app.core.text import folded
from app.core.time import WARSAW
from app.extensions import db
from app.models import Assignment
from app.models import AuditLog
from app.models import ChildProtectionCheck
from app.models import HoursEntry
from app.models import Need
from app.models import Shift
from app.models import StaffRequest
from app.models import User
from app.services.email_address import normalise_email


def _model_name(obj: Any) -> str:
    """The name of the model class of a record, whatever wrapper it came in.

    Views pass `current_user`, a proxy whose own class is LocalProxy: entries once stored that
    name (the migration e7a1c9d3b5f2 renamed them). The name is taken from the ORM mapping, so a
    wrapper can never be stored, and anything that is not a record fails here, in the tests,
    rather than as an unreadable entry.
    """
    return sa_inspect(obj).mapper.class_.__name__


def record(actor: User | None, action: str, obj: Any, **details: Any) -> AuditLog:
    """Add an audit entry to the current transaction, so it commits with the change it describes."""
    obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
    entry = AuditLog(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=_model_name(obj),
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry


# --- reading the log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the reader of the log narrows it to; every part is optional."""

    person_id: int | None = None
    person: str = ""  # a name or an address, compared as the administrators' search does
    institution_id: int | None = None
    kind: str = ""
    date_from: date | None = None  # days in Warsaw, both included
    date_to: date | None = None


def _warsaw_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), WARSAW).astimezone(UTC)


def _people(f: AuditFilter) -> Select | None:
    """The ids of the people the filter names, as a subquery; None when it names nobody."""
    if f.person_id is not None:
        return select(User.id).where(User.id == f.person_id)
    if not f.person:
        return None
    name_like = f"%{fold(f.person)}%"
    return select(User.id).where(
        or_(
            func.lower(User.email).like(f"%{normalise_email(f.person)}%"),
            folded(User.first_name + " " + User.last_name).like(name_like),
            folded(User.last_name + " " + User.first_name).like(name_like),
        )
    )


def _about(object_type: str, ids: Select) -> ColumnElement[bool]:
    return and_(AuditLog.object_type == object_type, AuditLog.object_id.in_(ids))


def filtered_entries(f: AuditFilter) -> Select:
    """The log's entries the filter keeps, newest first.

    A person's entries are those they wrote and those about them: their account and their
    assignments. An institution's are those about it, its needs, their shifts and assignments,
    requests for access to it, hours worked there and checks made for it.
    """
    query = select(AuditLog)
    if f.kind:
        query = query.where(AuditLog.action == f.kind)
    if f.date_from:
        query = query.where(AuditLog.created_at >= _warsaw_midnight(f.date_from))
    if f.date_to:
        query = query.where(AuditLog.created_at < _warsaw_midnight(f.date_to + timedelta(days=1)))
    people = _people(f)
    if people is not None:
        query = query.where(
            or_(
                AuditLog.actor_id.in_(people),
                _about("User", people),
                _about(
                    "Assignment", select(Assignment.id).where(Assignment.volunteer_id.in_(people))
                ),
            )
        )
    if f.institution_id is not None:
        iid = f.institution_id
        needs = select(Need.id).where(Need.institution_id == iid)
        query = query.where(
            or_(
                and_(AuditLog.object_type == "Institution", AuditLog.object_id == iid),
                _about("Need", needs),
                _about("Shift", select(Shift.id).where(Shift.need_id.in_(needs))),
                _about("Assignment", select(Assignment.id).where(Assignment.need_id.in_(needs))),
                _about(
                    "StaffRequest",
                    select(StaffRequest.id).where(StaffRequest.institution_id == iid),
                ),
                _about("HoursEntry", select(HoursEntry.id).where(HoursEntry.institution_id == iid)),
                _about(
                    "ChildProtectionCheck",
                    select(ChildProtectionCheck.id).where(
                        ChildProtectionCheck.institution_id == iid
                    ),
                ),
            )
        )
    return query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
