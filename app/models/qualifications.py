"""Qualifications the coalition recognises, and who holds which, recorded by an institution.

The catalogue is the coalition's: one "pierwsza pomoc" for all sixteen institutions, so that a
course at one counts at another. A record says which institution trained or checked the person,
who wrote it down and until when it holds; others see it only with the volunteer's consent
(ConsentKind.QUALIFICATIONS), see app/services/qualifications.py.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.models.base import EMPTY_TEXT
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.institutions import Institution
from app.models.users import User


class Qualification(Model):
    __tablename__ = "qualification"
    __table_args__ = (
        CheckConstraint(
            "validity_months IS NULL OR validity_months BETWEEN 1 AND 600", name="validity_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_pl: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str] = mapped_column(String(120), default="", server_default=EMPTY_TEXT)
    # Months a record holds from the day it was obtained; None: it never lapses.
    validity_months: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_pl


class QualificationRecord(Model):
    """One person holds one qualification from `obtained_on`, until `expires_on` if it lapses."""

    __tablename__ = "qualification_record"
    __table_args__ = (
        CheckConstraint(
            "expires_on IS NULL OR expires_on >= obtained_on", name="expires_after_obtained"
        ),
        Index("ix_qualification_record_user_qualification", "user_id", "qualification_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualification.id"), index=True)
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id", ondelete="SET NULL")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The training need that granted it, when it came from one.
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"))
    obtained_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(300), default="", server_default=EMPTY_TEXT)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the volunteer was told it is about to lapse: once, never twice.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    qualification: Mapped[Qualification] = relationship()
    institution: Mapped[Institution | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
