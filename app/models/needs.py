"""What institutions ask volunteers for: needs, their shifts and the skills they require."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.extensions import db
from app.models.base import EMPTY_TEXT
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.institutions import Institution
from app.models.qualifications import Qualification
from app.models.skills import Skill


class NeedKind(enum.StrEnum):
    ONE_OFF = "one_off"
    RECURRING = "recurring"
    LONG_TERM = "long_term"
    TRAINING = "training"


class NeedStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


need_cohost = db.Table(
    "need_cohost",
    db.Column("need_id", db.ForeignKey("need.id", ondelete="CASCADE"), primary_key=True),
    db.Column(
        "institution_id", db.ForeignKey("institution.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Need(Model):
    __tablename__ = "need"
    # Open needs are picked by status; with the id beside it, the suggestions for a person pass
    # over the 20,000 of them in the index alone, without reading their descriptions.
    __table_args__ = (Index("ix_need_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[NeedKind] = mapped_column(_enum(NeedKind), default=NeedKind.ONE_OFF)
    status: Mapped[NeedStatus] = mapped_column(_enum(NeedStatus), default=NeedStatus.DRAFT)
    place: Mapped[str] = mapped_column(String(200), default="")
    min_age: Mapped[int] = mapped_column(default=0)
    works_with_children: Mapped[bool] = mapped_column(default=False)
    is_accessible: Mapped[bool] = mapped_column(default=False)
    accessibility_note: Mapped[str] = mapped_column(String(300), default="")
    offers_training: Mapped[bool] = mapped_column(default=False)
    offers_certificate: Mapped[bool] = mapped_column(default=True)
    offers_reimbursement: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Limits that protect volunteers, overriding the coalition's (app/services/limits.py);
    # None: the coalition's value, 0: no limit for this need.
    min_rest_hours: Mapped[int | None]
    max_days_in_row: Mapped[int | None]
    signup_opens_days: Mapped[int | None]
    # Lower-case text without Polish diacritics, kept by the services, so that "lodz" finds "Łódź".
    search_text: Mapped[str] = mapped_column(Text, default="", server_default=EMPTY_TEXT)
    # Only holders of this qualification, valid on the shift's date, are placed or proposed.
    required_qualification_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualification.id"), index=True
    )
    # A training need records this qualification for everyone whose hours were confirmed.
    grants_qualification_id: Mapped[int | None] = mapped_column(ForeignKey("qualification.id"))

    institution: Mapped[Institution] = relationship()
    cohosts: Mapped[list[Institution]] = relationship(secondary=need_cohost)
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="Shift.starts_at"
    )
    skills: Mapped[list[NeedSkill]] = relationship(
        back_populates="need", cascade="all, delete-orphan"
    )
    required_qualification: Mapped[Qualification | None] = relationship(
        foreign_keys=[required_qualification_id]
    )
    grants_qualification: Mapped[Qualification | None] = relationship(
        foreign_keys=[grants_qualification_id]
    )

    def host_ids(self) -> set[int]:
        return {self.institution_id, *(i.id for i in self.cohosts)}


class Shift(Model):
    __tablename__ = "shift"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="start_before_end"),
        CheckConstraint("places >= 1", name="places_positive"),
        CheckConstraint("accepted_count >= 0 AND accepted_count <= places", name="not_overfilled"),
        # A need's shifts in date order, and only its coming ones when a page asks for those.
        Index("ix_shift_need_starts", "need_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    places: Mapped[int] = mapped_column(default=1)
    # Places held by accepted volunteers and open offers, and kept by those whose attendance was
    # recorded (COUNTED_IN_PLACES); changed only by a guarded UPDATE, so it never passes `places`.
    accepted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    is_cancelled: Mapped[bool] = mapped_column(default=False, server_default=false())

    need: Mapped[Need] = relationship(back_populates="shifts")

    @property
    def places_left(self) -> int:
        return max(0, self.places - self.accepted_count)


class NeedSkill(Model):
    __tablename__ = "need_skill"
    __table_args__ = (
        UniqueConstraint("need_id", "skill_id"),
        CheckConstraint("min_level BETWEEN 1 AND 3", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    min_level: Mapped[int] = mapped_column(default=1)
    is_required: Mapped[bool] = mapped_column(default=True)

    need: Mapped[Need] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()
