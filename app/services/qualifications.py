"""Qualifications that travel: the coalition's catalogue, records of who holds which, who sees them.

Rules, in one place because applications, the staff pages, matching and the reminders share them:
- the catalogue is kept by coordinators; an entry in use (held by someone, or asked for by a
  need) is not deleted, so no record loses its meaning;
- staff record a qualification for the institution that trained or checked the person; the expiry
  is the catalogue's period counted from the day it was obtained, unless staff enter another;
- the institution that recorded a qualification always sees it; other institutions see it only
  while the volunteer's consent "qualifications" is granted (withdrawable, with its history,
  like every consent); coordinators and the volunteer see everything;
- a need that requires a qualification takes only people holding it valid on the shift's date,
  counted when the host (or a co-host) recorded it or the volunteer shares it.
"""

from __future__ import annotations

import calendar
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from app.core.sql import one_of
from app.core.text import polish_sort_key
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Consent
from app.models import ConsentKind
from app.models import HoursEntry
from app.models import HoursStatus
from app.models import Institution
from app.models import Need
from app.models import NeedKind
from app.models import Qualification
from app.models import QualificationRecord
from app.models import User
from app.models.base import rows_changed
from app.services import audit
from app.services.permissions import can_see_volunteer

# How long before a qualification lapses its holder is reminded.
REMIND_DAYS_BEFORE = 30


class QualificationError(Exception):
    """A change that cannot be made; the message says why, and `field` where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- the catalogue -------------------------------------------------------------------------------


def catalogue() -> list[Qualification]:
    """Every entry, in Polish alphabetical order."""
    rows = db.session.scalars(select(Qualification))
    return sorted(rows, key=lambda q: polish_sort_key(q.name_pl))


def _name_taken(name_pl: str, except_id: int | None = None) -> bool:
    query = select(Qualification.id).where(func.lower(Qualification.name_pl) == name_pl.lower())
    if except_id is not None:
        query = query.where(Qualification.id != except_id)
    return db.session.scalar(query) is not None


def save_qualification(
    actor: User,
    qualification: Qualification | None,
    name_pl: str,
    name_en: str,
    validity_months: int | None,
) -> Qualification:
    """Add an entry (`qualification` None) or change one; names are unique in any letter case."""
    name_pl = name_pl.strip()
    if _name_taken(name_pl, qualification.id if qualification else None):
        raise QualificationError(_("Taka kwalifikacja jest już w katalogu."), "name_pl")
    created = qualification is None
    if qualification is None:
        qualification = Qualification(name_pl=name_pl)
        db.session.add(qualification)
    qualification.name_pl = name_pl
    qualification.name_en = name_en.strip()
    qualification.validity_months = validity_months
    db.session.flush()
    action = "qualification.added" if created else "qualification.updated"
    audit.record(actor, action, qualification, name=name_pl, validity_months=validity_months)
    return qualification


def in_use(qualification: Qualification) -> bool:
    held = exists().where(QualificationRecord.qualification_id == qualification.id)
    asked = exists().where(
        or_(
            Need.required_qualification_id == qualification.id,
            Need.grants_qualification_id == qualification.id,
        )
    )
    return bool(db.session.scalar(select(held | asked)))


def delete_qualification(actor: User, qualification: Qualification) -> None:
    if in_use(qualification):
        raise QualificationError(
            _("Tej kwalifikacji nie można usunąć: mają ją wolontariusze lub wymagają jej potrzeby.")
        )
    audit.record(actor, "qualification.deleted", qualification, name=qualification.name_pl)
    db.session.delete(qualification)


def expiry_for(qualification: Qualification, obtained_on: date) -> date | None:
    """The day the catalogue's period ends: the same day of the month, `validity_months` later
    (the month's last day when it has no such day)."""
    months = qualification.validity_months
    if not months:
        return None
    index = obtained_on.month - 1 + months
    year, month = obtained_on.year + index // 12, index % 12 + 1
    return date(year, month, min(obtained_on.day, calendar.monthrange(year, month)[1]))


# --- consent and visibility ----------------------------------------------------------------------


def shares_qualifications(user_id: int) -> bool:
    """True while the newest row of the volunteer's "qualifications" consent grants it."""
    granted = db.session.scalar(
        select(Consent.granted)
        .where(Consent.user_id == user_id, Consent.kind == ConsentKind.QUALIFICATIONS)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        .limit(1)
    )
    return bool(granted)


def records_of(volunteer_id: int) -> list[QualificationRecord]:
    """All of a person's records, the newest first."""
    return list(
        db.session.scalars(
            select(QualificationRecord)
            .where(QualificationRecord.user_id == volunteer_id)
            .options(
                selectinload(QualificationRecord.qualification),
                selectinload(QualificationRecord.institution),
                selectinload(QualificationRecord.recorded_by),
            )
            .order_by(QualificationRecord.obtained_on.desc(), QualificationRecord.id.desc())
        )
    )


def visible_records(viewer: User, volunteer_id: int) -> list[QualificationRecord]:
    """The records `viewer` may see: their own institutions' always, the others' with consent."""
    records = records_of(volunteer_id)
    if viewer.id == volunteer_id or viewer.is_coordinator:
        return records
    if not viewer.is_staff or not can_see_volunteer(viewer, volunteer_id):
        return []
    if shares_qualifications(volunteer_id):
        return records
    mine = viewer.institution_ids()
    return [r for r in records if r.institution_id in mine]


def is_valid_on(record: QualificationRecord, day: date) -> bool:
    return record.obtained_on <= day and (record.expires_on is None or record.expires_on >= day)


# --- recording -----------------------------------------------------------------------------------


def may_record(actor: User, volunteer: User) -> bool:
    """Staff who see the person through a placement at their institution, and coordinators."""
    if not volunteer.is_volunteer or actor.id == volunteer.id:
        return False
    return actor.is_coordinator or (actor.is_staff and can_see_volunteer(actor, volunteer.id))


def recording_institutions(actor: User) -> list[Institution]:
    """Where the actor may record for: their own institutions; coordinators for any."""
    query = select(Institution)
    if not actor.is_coordinator:
        query = query.where(Institution.id.in_(sorted(actor.institution_ids()) or [-1]))
    return sorted(db.session.scalars(query), key=lambda i: polish_sort_key(i.name))


def record_qualification(
    actor: User,
    volunteer: User,
    qualification: Qualification,
    institution: Institution,
    obtained_on: date,
    expires_on: date | None = None,
    note: str = "",
) -> QualificationRecord:
    """Record that `institution` trained or checked the person; the expiry is computed from the
    catalogue unless given."""
    if not may_record(actor, volunteer):
        raise QualificationError(_("Nie możesz odnotować kwalifikacji tej osoby."))
    if institution not in recording_institutions(actor):
        raise QualificationError(
            _("Kwalifikację odnotowujesz w imieniu swojej instytucji."), "institution"
        )
    if obtained_on > today_in_warsaw():
        raise QualificationError(_("Data nie może być w przyszłości."), "obtained_on")
    if expires_on is None:
        expires_on = expiry_for(qualification, obtained_on)
    elif expires_on < obtained_on:
        raise QualificationError(
            _("Data ważności nie może być wcześniejsza niż data uzyskania."), "expires_on"
        )
    record = QualificationRecord(
        user_id=volunteer.id,
        qualification_id=qualification.id,
        institution_id=institution.id,
        recorded_by_id=actor.id,
        obtained_on=obtained_on,
        expires_on=expires_on,
        note=note.strip(),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        actor,
        "qualification.recorded",
        record,
        volunteer_id=volunteer.id,
        institution_id=institution.id,
        name=qualification.name_pl,
    )
    return record


def grant_for_training(actor: User, need: Need) -> int:
    """Record the training's qualification for everyone whose hours on it were confirmed and who
    has no record from it yet; returns how many were recorded."""
    qualification = need.grants_qualification
    if need.kind != NeedKind.TRAINING or qualification is None:
        raise QualificationError(
            _("Kwalifikację nadaje tylko szkolenie, które ma ją wskazaną w opisie.")
        )
    attended = db.session.execute(
        select(HoursEntry.volunteer_id, func.max(HoursEntry.worked_on))
        .where(
            HoursEntry.need_id == need.id,
            HoursEntry.status == HoursStatus.CONFIRMED,
            HoursEntry.volunteer_id.is_not(None),
        )
        .group_by(HoursEntry.volunteer_id)
    ).all()
    done = set(
        db.session.scalars(
            select(QualificationRecord.user_id).where(
                QualificationRecord.need_id == need.id,
                QualificationRecord.qualification_id == qualification.id,
            )
        )
    )
    count = 0
    for volunteer_id, last_day in attended:
        if volunteer_id in done:
            continue
        db.session.add(
            QualificationRecord(
                user_id=volunteer_id,
                qualification_id=qualification.id,
                institution_id=need.institution_id,
                recorded_by_id=actor.id,
                need_id=need.id,
                obtained_on=last_day,
                expires_on=expiry_for(qualification, last_day),
            )
        )
        count += 1
    if count:
        db.session.flush()
        audit.record(
            actor,
            "qualification.granted_for_training",
            need,
            count=count,
            name=qualification.name_pl,
        )
    return count


# --- the rule for needs --------------------------------------------------------------------------


def holds_for_need(volunteer_id: int, need: Need, day: date) -> bool:
    """Whether the person holds the need's qualification on `day`, as the host may count it."""
    wanted = need.required_qualification_id
    if wanted is None:
        return True
    hosts = need.host_ids()
    shared = shares_qualifications(volunteer_id)
    records = db.session.scalars(
        select(QualificationRecord).where(
            QualificationRecord.user_id == volunteer_id,
            QualificationRecord.qualification_id == wanted,
        )
    )
    return any(is_valid_on(r, day) and (shared or r.institution_id in hosts) for r in records)


def refusal_for(volunteer_id: int, need: Need, day: date, *, to_volunteer: bool) -> str | None:
    """Why the person may not serve on `day` under the need's qualification, if so."""
    if holds_for_need(volunteer_id, need, day):
        return None
    name = need.required_qualification.name_pl if need.required_qualification else ""
    if to_volunteer:
        return _(
            "Ta potrzeba wymaga kwalifikacji „%(name)s”, ważnej w dniu zmiany (%(day)s). "
            "Nie masz jej w Giełdzie albo nie udostępniasz kwalifikacji innym instytucjom "
            "(Moje zgody).",
            name=name,
            day=day.strftime("%d.%m.%Y"),
        )
    return _(
        "Wymagana kwalifikacja „%(name)s”, ważna w dniu zmiany (%(day)s): ta osoba jej nie ma "
        "albo jej nie udostępnia.",
        name=name,
        day=day.strftime("%d.%m.%Y"),
    )


def valid_for_matching(
    user_ids_query: Select | list[int], today: date
) -> dict[int, dict[int, date | None]]:
    """Per volunteer who shares their qualifications, each qualification's last valid day (None:
    without end), as the matcher takes them: a run is coalition-wide and its proposals are seen
    by other institutions, so only shared records count. Records lapsed by `today` are left out;
    the matcher compares the rest with each shift's date."""
    latest = (
        select(Consent.user_id, func.max(Consent.id).label("last_id"))
        .where(Consent.kind == ConsentKind.QUALIFICATIONS, one_of(Consent.user_id, user_ids_query))
        .group_by(Consent.user_id)
        .subquery()
    )
    sharing = (
        select(Consent.user_id)
        .join(latest, latest.c.last_id == Consent.id)
        .where(Consent.granted.is_(True))
    )
    held: dict[int, dict[int, date | None]] = {}
    for user_id, qualification_id, expires_on in db.session.execute(
        select(
            QualificationRecord.user_id,
            QualificationRecord.qualification_id,
            QualificationRecord.expires_on,
        ).where(
            QualificationRecord.user_id.in_(sharing),
            QualificationRecord.obtained_on <= today,
            or_(QualificationRecord.expires_on.is_(None), QualificationRecord.expires_on >= today),
        )
    ):
        mine = held.setdefault(user_id, {})
        if qualification_id in mine and mine[qualification_id] is None:
            continue
        if expires_on is None or expires_on > (mine.get(qualification_id) or date.min):
            mine[qualification_id] = expires_on
    return held


# --- reminders -----------------------------------------------------------------------------------


def lapsing_soon(now: datetime) -> list[QualificationRecord]:
    """Records that lapse within REMIND_DAYS_BEFORE days, not reminded yet, and not renewed by a
    later record of the same qualification."""
    today = today_in_warsaw(now)
    candidates = db.session.scalars(
        select(QualificationRecord)
        .where(
            QualificationRecord.reminded_at.is_(None),
            QualificationRecord.expires_on >= today,
            QualificationRecord.expires_on <= today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .options(selectinload(QualificationRecord.qualification))
        .order_by(QualificationRecord.id)
    ).all()
    return [r for r in candidates if not _renewed(r)]


def _renewed(record: QualificationRecord) -> bool:
    assert record.expires_on is not None
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    QualificationRecord.user_id == record.user_id,
                    QualificationRecord.qualification_id == record.qualification_id,
                    QualificationRecord.id != record.id,
                    or_(
                        QualificationRecord.expires_on.is_(None),
                        QualificationRecord.expires_on > record.expires_on,
                    ),
                )
            )
        )
    )


def mark_reminded(record: QualificationRecord, now: datetime) -> bool:
    """Compare-and-set: True for the one caller that marks the record, so it is told once."""
    result = db.session.execute(
        update(QualificationRecord)
        .where(QualificationRecord.id == record.id, QualificationRecord.reminded_at.is_(None))
        .values(reminded_at=now)
    )
    return rows_changed(result) == 1
