"""Legal documents: agreements (porozumienia) and certificates (zaświadczenia).

The rules live here; app/services/pdf.py only draws what a document's snapshot says. A document
freezes its content when it is issued, so a later change of an address or a name does not change
a paper that was already signed or handed over.

Law: ustawa o działalności pożytku publicznego i o wolontariacie, art. 44 (the agreement: scope,
manner and time of the work, how it ends; in writing when longer than 30 days) and art. 44 ust. 6
(the certificate on the volunteer's request, with an opinion on request).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.text import polish_sort_key
from app.core.time import WARSAW
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Document
from app.models import DocumentKind
from app.models import HoursEntry
from app.models import HoursStatus
from app.models import Institution
from app.models import Need
from app.models import Shift
from app.models import User

# Letters and digits nobody confuses when reading a code aloud or off paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LEN = 4
NUMBER_PREFIX = "OKIK"
KIND_CODES = {DocumentKind.AGREEMENT: "POR", DocumentKind.CERTIFICATE: "ZAS"}
# Placements that count as an engagement: accepted and finished ones.
ENGAGED = (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED)
# An agreement in writing is required for engagements longer than this many days.
AGREEMENT_REQUIRED_AFTER_DAYS = 30
NOTICE_DAYS = 7


class DocumentError(ValueError):
    """A document cannot be issued or changed; .field names the form field to show it at."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Engagement:
    """A volunteer's work on one need: the Warsaw dates of the first and last booked shift."""

    volunteer_id: int
    need_id: int
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def _local_date(moment: datetime) -> date:
    return moment.astimezone(WARSAW).date()


# --- numbers and codes ---------------------------------------------------------------------------


def new_verification_code() -> str:
    """A random code like ABCD-EF23-GH45 (about 59 bits), unique among documents."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
        code = "-".join(raw[i : i + CODE_GROUP_LEN] for i in range(0, len(raw), CODE_GROUP_LEN))
        if db.session.scalar(select(Document.id).where(Document.verification_code == code)) is None:
            return code


def normalise_code(text: str) -> str | None:
    """What a person typed, as a stored code: upper case, any separators; None when impossible."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(cleaned) != CODE_GROUPS * CODE_GROUP_LEN or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    return "-".join(cleaned[i : i + CODE_GROUP_LEN] for i in range(0, len(cleaned), CODE_GROUP_LEN))


def next_number(kind: DocumentKind, year: int) -> str:
    """The next number in the yearly series of a kind, e.g. OKIK/POR/2026/0007."""
    prefix = f"{NUMBER_PREFIX}/{KIND_CODES[kind]}/{year}/"
    numbers = db.session.scalars(select(Document.number).where(Document.number.like(prefix + "%")))
    highest = max(
        (int(n.rsplit("/", 1)[1]) for n in numbers if n.rsplit("/", 1)[1].isdigit()), default=0
    )
    return f"{prefix}{highest + 1:04d}"


def find_by_code(text: str) -> Document | None:
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Document).where(Document.verification_code == code))


# --- engagements ---------------------------------------------------------------------------------


def engagement(volunteer_id: int, need_id: int) -> Engagement | None:
    """The volunteer's accepted or completed work on the need, or None if there is none."""
    row = db.session.execute(
        select(func.min(Shift.starts_at), func.max(Shift.ends_at))
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.need_id == need_id,
            Assignment.status.in_(ENGAGED),
        )
    ).one()
    if row[0] is None:
        return None
    return Engagement(volunteer_id, need_id, _local_date(row[0]), _local_date(row[1]))


def engagements_needing_agreement(today: date) -> list[tuple[int, int, date]]:
    """(volunteer_id, need_id, first_day) of engagements longer than 30 days with no signed agreement.

    Only engagements that have not ended yet: the lead's reminder job warns staff before day 31.
    """
    rows = db.session.execute(
        select(
            Assignment.volunteer_id,
            Assignment.need_id,
            func.min(Shift.starts_at),
            func.max(Shift.ends_at),
        )
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(Assignment.status.in_(ENGAGED))
        .group_by(Assignment.volunteer_id, Assignment.need_id)
    ).all()
    signed = set(
        db.session.execute(
            select(Document.volunteer_id, Document.need_id).where(
                Document.kind == DocumentKind.AGREEMENT, Document.signed_on.is_not(None)
            )
        ).all()
    )
    found = []
    for volunteer_id, need_id, first, last in rows:
        item = Engagement(volunteer_id, need_id, _local_date(first), _local_date(last))
        if item.days <= AGREEMENT_REQUIRED_AFTER_DAYS or item.last_day < today:
            continue
        if (volunteer_id, need_id) in signed:
            continue
        found.append((volunteer_id, need_id, item.first_day))
    return sorted(found, key=lambda t: (t[2], t[0], t[1]))


def volunteer_engagements(volunteer_id: int) -> list[tuple[Need, Engagement]]:
    """The needs the volunteer is or was engaged in, newest first (for the request form)."""
    need_ids = db.session.scalars(
        select(Assignment.need_id)
        .where(Assignment.volunteer_id == volunteer_id, Assignment.status.in_(ENGAGED))
        .distinct()
    ).all()
    found = []
    for need_id in need_ids:
        item = engagement(volunteer_id, need_id)
        need = db.session.get(Need, need_id)
        if item is not None and need is not None:
            found.append((need, item))
    return sorted(found, key=lambda pair: pair[1].first_day, reverse=True)


# --- who may see what ----------------------------------------------------------------------------


def staff_institution_ids(user: User) -> set[int] | None:
    """Institutions whose documents the user handles; None means all (coordinators)."""
    if user.is_coordinator:
        return None
    if user.is_staff:
        return user.institution_ids()
    return set()


def can_view(user: User, document: Document) -> bool:
    """The volunteer it is about, staff of its institution, coordinators."""
    if not user.is_authenticated:
        return False
    if document.volunteer_id == user.id:
        return True
    return can_manage(user, document)


def can_manage(user: User, document: Document) -> bool:
    """Staff of the document's institution and coordinators (coalition-wide: coordinators only)."""
    ids = staff_institution_ids(user)
    if ids is None:
        return True
    return document.institution_id is not None and document.institution_id in ids


def documents_for_staff(user: User) -> list[Document]:
    query = select(Document).order_by(Document.created_at.desc(), Document.id.desc())
    ids = staff_institution_ids(user)
    if ids is not None:
        query = query.where(Document.institution_id.in_(ids or {-1}))
    return list(db.session.scalars(query.limit(500)))


def documents_of(volunteer_id: int) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.volunteer_id == volunteer_id)
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
    )


def _save_numbered(document: Document, year: int) -> Document:
    """Add the document with the next free number; if another request took that number at the
    same moment (unique constraint), try the next one inside a savepoint."""
    for _attempt in range(5):
        document.number = next_number(document.kind, year)
        try:
            with db.session.begin_nested():
                db.session.add(document)
                db.session.flush()
        except IntegrityError:
            document.verification_code = new_verification_code()
            continue
        return document
    raise DocumentError(_l("Nie udało się nadać numeru. Spróbuj ponownie."), None)


# --- issuing -------------------------------------------------------------------------------------


def _party_of(institution: Institution) -> dict:
    return {
        "id": institution.id,
        "name": institution.name,
        "short_name": institution.short_name,
        "address": institution.address,
    }


def _volunteer_party(volunteer: User) -> dict:
    profile = volunteer.profile
    born = profile.date_of_birth if profile else None
    return {
        "name": volunteer.full_name,
        "date_of_birth": born.isoformat() if born else "",
        "city": profile.city if profile else "",
    }


def representative_of(institution: Institution, staff: User | None) -> str:
    """The institution's named volunteer coordinator, else the staff member issuing the paper."""
    if institution.volunteer_coordinator_id:
        named = db.session.get(User, institution.volunteer_coordinator_id)
        if named is not None:
            return named.full_name
    if staff is not None and staff.is_staff:
        return staff.full_name
    return ""


def _shift_summary(volunteer_id: int, need_id: int) -> list[dict]:
    shifts = db.session.scalars(
        select(Shift)
        .join(Assignment, Assignment.shift_id == Shift.id)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.need_id == need_id,
            Assignment.status.in_(ENGAGED),
        )
        .order_by(Shift.starts_at)
    ).all()
    return [
        {
            "day": _local_date(s.starts_at).isoformat(),
            "start": s.starts_at.astimezone(WARSAW).strftime("%H:%M"),
            "end": s.ends_at.astimezone(WARSAW).strftime("%H:%M"),
        }
        for s in shifts
    ]


def issue_agreement(volunteer_id: int, need_id: int, issued_by: User, today: date) -> Document:
    """An agreement for the volunteer's engagement on the need; one per engagement.

    Staff of the host issue it, or the volunteer requests it (then the representative is the
    institution's volunteer coordinator, or a blank line the institution fills in).
    """
    volunteer = db.session.get(User, volunteer_id)
    need = db.session.get(Need, need_id)
    if volunteer is None or need is None or not volunteer.is_volunteer:
        raise DocumentError(_l("Nie ma takiego zaangażowania."), "need_id")
    item = engagement(volunteer_id, need_id)
    if item is None:
        raise DocumentError(
            _l("Wolontariusz nie ma przyjętych zmian przy tej potrzebie."), "need_id"
        )
    existing = db.session.scalar(
        select(Document.id).where(
            Document.kind == DocumentKind.AGREEMENT,
            Document.volunteer_id == volunteer_id,
            Document.need_id == need_id,
        )
    )
    if existing is not None:
        raise DocumentError(_l("Porozumienie dla tego zaangażowania już istnieje."), "need_id")
    institution = need.institution
    profile = volunteer.profile
    age = profile.age_on(item.first_day) if profile else None
    guardian = None
    if profile is not None and age is not None and age < 18:
        guardian = {
            "name": profile.guardian_name,
            "email": profile.guardian_email,
            "concludes": age < 13,
        }
    content = {
        "institution": _party_of(institution),
        "representative": representative_of(institution, issued_by),
        "volunteer": _volunteer_party(volunteer),
        "need_title": need.title,
        "scope": need.description or need.title,
        "place": need.place,
        "shifts": _shift_summary(volunteer_id, need_id),
        "days": item.days,
        "notice_days": NOTICE_DAYS,
        "reimbursement": bool(need.offers_reimbursement),
        "works_with_children": bool(need.works_with_children),
        "guardian": guardian,
        "requested_by_volunteer": issued_by.id == volunteer_id,
    }
    document = Document(
        kind=DocumentKind.AGREEMENT,
        number="",
        verification_code=new_verification_code(),
        volunteer_id=volunteer_id,
        institution_id=institution.id,
        need_id=need_id,
        period_start=item.first_day,
        period_end=item.last_day,
        hours=0,
        content=content,
        created_by_id=issued_by.id,
    )
    return _save_numbered(document, today.year)


def confirmed_hours(
    volunteer_id: int, start: date, end: date, institution_id: int | None = None
) -> list[tuple[Institution, float, list[str]]]:
    """Confirmed hours in the period per institution, with the titles of the needs worked on."""
    query = (
        select(HoursEntry.institution_id, func.sum(HoursEntry.hours))
        .where(
            HoursEntry.volunteer_id == volunteer_id,
            HoursEntry.status == HoursStatus.CONFIRMED,
            HoursEntry.worked_on >= start,
            HoursEntry.worked_on <= end,
        )
        .group_by(HoursEntry.institution_id)
    )
    if institution_id is not None:
        query = query.where(HoursEntry.institution_id == institution_id)
    found = []
    for inst_id, total in db.session.execute(query).all():
        institution = db.session.get_one(Institution, inst_id)
        titles = db.session.scalars(
            select(Need.title)
            .join(HoursEntry, HoursEntry.need_id == Need.id)
            .where(
                HoursEntry.volunteer_id == volunteer_id,
                HoursEntry.institution_id == inst_id,
                HoursEntry.status == HoursStatus.CONFIRMED,
                HoursEntry.worked_on >= start,
                HoursEntry.worked_on <= end,
            )
            .distinct()
            .order_by(Need.title)
        ).all()
        found.append((institution, round(float(total or 0), 2), list(titles)))
    return sorted(found, key=lambda t: polish_sort_key(t[0].name))


def issue_certificate(
    volunteer: User, start: date, end: date, institution_id: int | None, today: date
) -> Document:
    """A certificate of confirmed hours for one institution, or coalition-wide (all summed)."""
    if end < start:
        raise DocumentError(_l("Koniec okresu nie może być przed jego początkiem."), "period_end")
    if end > today:
        raise DocumentError(_l("Okres nie może kończyć się w przyszłości."), "period_end")
    institution = None
    if institution_id is not None:
        institution = db.session.get(Institution, institution_id)
        if institution is None:
            raise DocumentError(_l("Wybierz instytucję z listy."), "institution_id")
    rows = confirmed_hours(volunteer.id, start, end, institution_id)
    total = round(sum(hours for _inst, hours, _titles in rows), 2)
    if not rows or total <= 0:
        raise DocumentError(_l("W tym okresie nie masz potwierdzonych godzin."), "period_start")
    content = {
        "institution": _party_of(institution) if institution else None,
        "representative": representative_of(institution, None) if institution else "",
        "volunteer": _volunteer_party(volunteer),
        "rows": [
            {"institution": inst.name, "hours": hours, "needs": titles}
            for inst, hours, titles in rows
        ],
        "total": total,
    }
    document = Document(
        kind=DocumentKind.CERTIFICATE,
        number="",
        verification_code=new_verification_code(),
        volunteer_id=volunteer.id,
        institution_id=institution.id if institution else None,
        period_start=start,
        period_end=end,
        hours=total,
        content=content,
        created_by_id=volunteer.id,
    )
    return _save_numbered(document, today.year)


def record_signature(document: Document, signed_on: date, signed_by: str, today: date) -> None:
    """Record when and by whom the agreement was signed (the day-31 rule reads this)."""
    if document.kind != DocumentKind.AGREEMENT:
        raise DocumentError(_l("Podpis zapisuje się tylko na porozumieniu."), "signed_on")
    if signed_on > today:
        raise DocumentError(_l("Data podpisania nie może być w przyszłości."), "signed_on")
    document.signed_on = signed_on
    document.signed_by = signed_by.strip()


def set_opinion(document: Document, text: str) -> None:
    """The institution's opinion on the volunteer's work, printed on the certificate."""
    if document.kind != DocumentKind.CERTIFICATE:
        raise DocumentError(_l("Opinię dodaje się tylko do zaświadczenia."), "opinion")
    document.opinion = text.strip()
