"""Hours: one ledger of worked time, from confirmed shifts and from volunteers' own logs."""

from __future__ import annotations

import enum
from datetime import date
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.extensions import db
from app.models.assignments import Assignment
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.institutions import Institution
from app.models.needs import Need
from app.models.users import User


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class HoursSource(enum.StrEnum):
    SHIFT = "shift"  # staff confirmed attendance on a shift
    SELF_LOG = "self_log"  # a volunteer on a long-term need logged their own time


class HoursStatus(enum.StrEnum):
    PENDING = "pending"  # logged by the volunteer, waiting for staff
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class HoursEntry(Model):
    """Time worked by one volunteer for one institution on one day.

    Reports, Korpus Solidarności and certificates read only confirmed rows; confirmed hours are
    changed only through a correction that is audit-logged with who and why.
    """

    __tablename__ = "hours_entry"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        Index("ix_hours_entry_volunteer_day", "volunteer_id", "worked_on"),
        Index("ix_hours_entry_institution_day", "institution_id", "worked_on"),
        Index("ix_hours_entry_status_day", "status", "worked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("need.id", ondelete="SET NULL"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL"), unique=True
    )
    worked_on: Mapped[date]  # Warsaw date
    hours: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[HoursSource] = mapped_column(_enum(HoursSource))
    status: Mapped[HoursStatus] = mapped_column(_enum(HoursStatus), default=HoursStatus.PENDING)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    correction_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    institution: Mapped[Institution] = relationship()
    need: Mapped[Need | None] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])


class DocumentKind(enum.StrEnum):
    AGREEMENT = "agreement"  # porozumienie
    CERTIFICATE = "certificate"  # zaświadczenie


class Document(Model):
    """An issued document: its number, its public verification code and a snapshot of its data."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    verification_code: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id")
    )  # None: coalition-wide
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    hours: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False), default=0)
    # What the document says, frozen when it was issued (names, scope, terms).
    content: Mapped[dict] = mapped_column(db.JSON, default=dict)
    opinion: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Agreements: when and by whom the paper was signed (the day-31 rule reads this).
    signed_on: Mapped[date | None]
    signed_by: Mapped[str] = mapped_column(String(200), default="")

    volunteer: Mapped[User | None] = relationship(foreign_keys=[volunteer_id])
    institution: Mapped[Institution | None] = relationship()
    need: Mapped[Need | None] = relationship()


class ComplianceKind(enum.StrEnum):
    SAFETY_BRIEFING = "safety_briefing"  # BHP: health and safety briefing, rights and duties
    ACCIDENT_INSURANCE = "accident_insurance"  # NNW, required for engagements of 30 days or less
    COST_WAIVER = "cost_waiver"  # written waiver of cost reimbursement
    GUARDIAN_CONSENT = "guardian_consent"  # for minors, in writing
    CHILD_PROTECTION = "child_protection"  # checks done, for work with children


class ComplianceRecord(Model):
    """A record that something the law asks for was done, for one volunteer on one need."""

    __tablename__ = "compliance_record"
    __table_args__ = (Index("ix_compliance_record_volunteer_need", "volunteer_id", "need_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    kind: Mapped[ComplianceKind] = mapped_column(_enum(ComplianceKind))
    done_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
