"""RODO rights of the volunteer: a copy of everything stored about them, and erasure.

Erasure keeps the rows that coalition statistics need (finished assignments count hours per
institution and month) but leaves nothing in them that identifies the person: the account keeps
its id, loses its name, address, password and profile details, and can never sign in again.
"""

from __future__ import annotations

import secrets
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from app.extensions import db
from app.models import ACTIVE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import AvailabilityWindow
from app.models import ChildProtectionCheck
from app.models import Consent
from app.models import Notice
from app.models import QualificationRecord
from app.models import ShiftFeedback
from app.models import ShiftMessage
from app.models import ShiftMessageRecipient
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerSkill
from app.models.base import utcnow
from app.models.users import new_session_token
from app.models.volunteers import new_feed_token
from app.services import audit
from app.services import sessions
from app.services.applications import ApplicationError
from app.services.applications import withdraw
from app.services.qualifications import records_of
from app.services.volunteers import assignments_of
from app.services.volunteers import checks_of
from app.services.volunteers import consent_history
from app.services.volunteers import notices_of

# The columns of the account and of the volunteer profile that are the person's data: the export
# hands them out, and the benchmarks (bench/copying.py) fill them, so a new column is named once.
# Secrets (the password hash, session and feed tokens) stay out.
ACCOUNT_FIELDS = (
    "id",
    "email",
    "role",
    "first_name",
    "last_name",
    "locale",
    "email_confirmed_at",
    "created_at",
    "password_changed_at",
)
PROFILE_FIELDS = (
    "date_of_birth",
    "phone",
    "city",
    "bio",
    "languages",
    "interests",
    "max_hours_month",
    "is_korpus",
    "has_disability",
    "access_needs",
    "guardian_name",
    "guardian_email",
    "updated_at",
    "guardian_consent_at",
    "guardian_requested_at",
    "birth_date_confirmation_pending",
)


def _value(v: Any) -> Any:
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if hasattr(v, "value"):  # enums
        return v.value
    return v


def _row(obj: Any, *fields: str) -> dict[str, Any]:
    return {f: _value(getattr(obj, f)) for f in fields}


def audit_entries_about(user: User) -> list[AuditLog]:
    """Entries where the person acted, or the record acted upon is their account or assignment."""
    assignment_ids = select(Assignment.id).where(Assignment.volunteer_id == user.id)
    return list(
        db.session.scalars(
            select(AuditLog)
            .where(
                or_(
                    AuditLog.actor_id == user.id,
                    (AuditLog.object_type == "User") & (AuditLog.object_id == user.id),
                    (AuditLog.object_type == "Assignment") & AuditLog.object_id.in_(assignment_ids),
                )
            )
            .order_by(AuditLog.created_at, AuditLog.id)
        )
    )


def export_data(user: User) -> dict[str, Any]:
    """Everything stored about the person, as plain JSON-ready data."""
    profile = user.profile
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "account": _row(user, *ACCOUNT_FIELDS),
        "profile": None,
        "skills": [],
        "availability": [],
        "absences": [],
    }
    if profile is not None:
        data["profile"] = {
            **_row(profile, *PROFILE_FIELDS, "is_invitable", "has_weekly_suggestions"),
            "preferred_institutions": [i.name for i in profile.preferred_institutions],
        }
        data["skills"] = [
            {
                "skill": s.skill.name_pl,
                "group": s.skill.group.name_pl,
                "code": s.skill.code,
                "level": s.level,
            }
            for s in profile.skills
        ]
        data["availability"] = [
            _row(w, "weekday", "start_time", "end_time") for w in profile.availability
        ]
        data["absences"] = [_row(a, "starts_on", "ends_on") for a in profile.absences]
    data["consents"] = [
        _row(c, "kind", "granted", "recorded_at", "given_by") for c in consent_history(user.id)
    ]
    data["assignments"] = [
        {
            **_row(a, "id", "status", "source", "message", "created_at", "updated_at"),
            "need": a.need.title,
            "institution": a.need.institution.name,
            "place": a.need.place,
            "shift_starts_at": _value(a.shift.starts_at),
            "shift_ends_at": _value(a.shift.ends_at),
        }
        for a in assignments_of(user.id)
    ]
    data["child_protection_checks"] = [
        {
            **_row(c, "certificate_seen_on", "register_checked_on", "note", "recorded_at"),
            "checked_by": c.checked_by.full_name if c.checked_by else None,
            "institution": c.institution.name if c.institution else None,
        }
        for c in checks_of(user.id)
    ]
    data["qualifications"] = [
        {
            **_row(r, "obtained_on", "expires_on", "note", "recorded_at"),
            "qualification": r.qualification.name_pl,
            "institution": r.institution.name if r.institution else None,
            "recorded_by": r.recorded_by.full_name if r.recorded_by else None,
        }
        for r in records_of(user.id)
    ]
    data["notices"] = [
        _row(n, "kind", "params", "created_at", "read_at") for n in notices_of(user.id, limit=None)
    ]
    data["shift_feedback"] = [
        {**_row(f, "rating", "comment", "created_at"), "shift_starts_at": _value(f.shift.starts_at)}
        for f in db.session.scalars(
            select(ShiftFeedback).where(ShiftFeedback.volunteer_id == user.id)
        )
    ]
    data["messages_received"] = [
        {**_row(m, "subject", "body", "created_at"), "need": m.need.title}
        for m in db.session.scalars(
            select(ShiftMessage)
            .join(ShiftMessageRecipient, ShiftMessageRecipient.message_id == ShiftMessage.id)
            .where(ShiftMessageRecipient.user_id == user.id)
        )
    ]
    data["audit_log"] = [
        {
            **_row(e, "action", "object_type", "object_id", "details", "created_at"),
            "by_me": e.actor_id == user.id,
        }
        for e in audit_entries_about(user)
    ]
    return data


def _withdraw_future(user: User) -> int:
    """Step back from every live application, offer and place on a shift still to come."""
    now = utcnow()
    count = 0
    # Shift by shift in ascending order: withdrawing locks each shift's row.
    for a in sorted(assignments_of(user.id), key=lambda a: (a.shift_id, a.id)):
        if a.status not in ACTIVE or a.shift.starts_at <= now:
            continue
        if a.can_move_to(AssignmentStatus.WITHDRAWN):
            try:
                withdraw(a, user)
            except ApplicationError:  # it ended meanwhile, or cannot be withdrawn here
                continue
        elif not a.move_to(AssignmentStatus.CANCELLED):  # an unapproved proposal simply lapses
            continue
        count += 1
    return count


def delete_account(user: User) -> None:
    """Erase the person; finished assignments stay, without anything that names them."""
    withdrawn = _withdraw_future(user)
    audit.record(user, "user.deleted", user, withdrawn=withdrawn)
    uid = user.id
    for model in (VolunteerSkill, AvailabilityWindow, VolunteerAbsence):
        db.session.execute(delete(model).where(model.user_id == uid))
    for owned in (Consent, Notice, ChildProtectionCheck, QualificationRecord):
        db.session.execute(delete(owned).where(owned.user_id == uid))
    db.session.execute(delete(ShiftMessageRecipient).where(ShiftMessageRecipient.user_id == uid))
    # Ratings stay in the institutions' results, without the person.
    db.session.execute(
        update(ShiftFeedback).where(ShiftFeedback.volunteer_id == uid).values(volunteer_id=None)
    )
    for a in db.session.scalars(select(Assignment).where(Assignment.volunteer_id == uid)):
        a.message = ""
        a.decision_note = ""
    profile = user.profile
    if profile is not None:
        db.session.expire(profile, ["skills", "availability", "absences"])
        profile.date_of_birth = None
        profile.phone = ""
        profile.city = ""
        profile.bio = ""
        profile.languages = ""
        profile.interests = ""
        profile.is_korpus = False
        profile.has_disability = False
        profile.is_invitable = False  # nobody suggests or e-mails an anonymised account
        profile.has_weekly_suggestions = False
        profile.access_needs = ""
        profile.guardian_name = ""
        profile.guardian_email = ""
        profile.guardian_consent_at = None
        profile.guardian_requested_at = None
        profile.preferred_institutions = []
        profile.feed_token = new_feed_token()
    user.email = f"deleted-{uid}@deleted.invalid"
    user.first_name = "Konto"
    user.last_name = "usunięte"
    # Not an Argon2 hash, so no password can ever match it.
    user.password_hash = "!deleted-" + secrets.token_hex(16)
    user.session_token = new_session_token()
    sessions.end_all(user)
    user.is_active_account = False
