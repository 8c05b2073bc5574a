"""Demo qualifications: records by the institutions that trained or checked people, consents.

Every tenth demo volunteer completed the coalition's first-aid course at one institution, some
have the health and safety briefing of another, a few guide with audio description; half of them
show their qualifications to the whole coalition. The demo volunteer has a briefing that lapses
within the month, so the reminder and "wkrótce wygaśnie" can be seen. The first-aid training need
grants its qualification to those who attend it.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Consent
from app.models import ConsentKind
from app.models import Institution
from app.models import Need
from app.models import NeedKind
from app.models import Qualification
from app.models import QualificationRecord
from app.models import Role
from app.models import StaffMembership
from app.models import User
from app.services.qualifications import expiry_for

FIRST_AID_TRAINING = "Szkolenie wolontariuszy koalicji: pierwsza pomoc"

# (qualification, institution slug, every n-th volunteer, days ago obtained)
_PLAN: list[tuple[str, str, int, int]] = [
    ("Pierwsza pomoc", "mso", 10, 200),
    ("Szkolenie BHP", "archiwum", 7, 120),
    ("Oprowadzanie z audiodeskrypcją", "muzeum-wsi", 15, 400),
]


def _recorder(institution: Institution, fallback: User) -> User:
    staff = db.session.scalar(
        select(User)
        .join(StaffMembership, StaffMembership.user_id == User.id)
        .where(StaffMembership.institution_id == institution.id)
        .order_by(User.id)
        .limit(1)
    )
    return staff or fallback


def load_demo_qualifications(today: date, coordinator: User) -> int:
    """Add the demo records once; returns how many were added (0 on a second run)."""
    if db.session.scalar(select(QualificationRecord.id).limit(1)) is not None:
        return 0
    catalogue = {q.name_pl: q for q in db.session.scalars(select(Qualification))}
    institutions = {i.slug: i for i in db.session.scalars(select(Institution))}
    volunteers = db.session.scalars(
        select(User).where(User.role == Role.VOLUNTEER).order_by(User.id)
    ).all()
    added = 0
    for name, slug, every, days_ago in _PLAN:
        qualification, institution = catalogue.get(name), institutions.get(slug)
        if qualification is None or institution is None:
            continue
        recorder = _recorder(institution, coordinator)
        obtained = today - timedelta(days=days_ago)
        for person in volunteers[::every]:
            db.session.add(_record(person, qualification, institution, recorder, obtained))
            added += 1
    demo = db.session.scalar(select(User).where(User.email == "wolontariusz@example.org"))
    briefing, gallery = catalogue.get("Szkolenie BHP"), institutions.get("gsw")
    if demo is not None and briefing is not None and gallery is not None:
        record = _record(demo, briefing, gallery, _recorder(gallery, coordinator), today)
        record.obtained_on = today - timedelta(days=340)
        record.expires_on = today + timedelta(days=25)
        db.session.add(record)
        added += 1
    for person in volunteers[::2]:
        db.session.add(Consent(user_id=person.id, kind=ConsentKind.QUALIFICATIONS, granted=True))
    training = db.session.scalar(
        select(Need)
        .where(Need.kind == NeedKind.TRAINING, Need.title == FIRST_AID_TRAINING)
        .limit(1)
    )
    if (
        training is not None
        and training.grants_qualification_id is None
        and "Pierwsza pomoc" in catalogue
    ):
        training.grants_qualification_id = catalogue["Pierwsza pomoc"].id
    return added


def _record(
    person: User,
    qualification: Qualification,
    institution: Institution,
    recorder: User,
    obtained: date,
) -> QualificationRecord:
    return QualificationRecord(
        user_id=person.id,
        qualification_id=qualification.id,
        institution_id=institution.id,
        recorded_by_id=recorder.id,
        obtained_on=obtained,
        expires_on=expiry_for(qualification, obtained),
    )
