"""What a volunteer tells the coalition about themselves, and what is recorded about them."""

from __future__ import annotations

import enum
import secrets
from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import CheckConstraint
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy import true
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.extensions import db
from app.models.base import EMPTY_TEXT
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.institutions import Institution
from app.models.skills import Skill
from app.models.users import User


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


def age_on(date_of_birth: date | None, day: date) -> int | None:
    """Full years on `day`; None when the date of birth is not known."""
    if date_of_birth is None:
        return None
    born = date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def may_be_placed(
    day: date,
    *,
    date_of_birth: date | None,
    guardian_consent_at: datetime | None,
    birth_date_confirmation_pending: bool,
) -> bool:
    """A minor is placed only after the guardian has confirmed consent, and nobody whose
    coming of age by a changed date of birth still waits for a coordinator.

    Plain values in, so that the profile's method and the matching loader, which reads columns
    without building profiles, apply one rule.
    """
    if birth_date_confirmation_pending:
        return False
    age = age_on(date_of_birth, day)
    return age is None or age >= 18 or guardian_consent_at is not None


volunteer_preferred_institution = db.Table(
    "volunteer_preferred_institution",
    db.Column(
        "user_id", db.ForeignKey("volunteer_profile.user_id", ondelete="CASCADE"), primary_key=True
    ),
    db.Column(
        "institution_id", db.ForeignKey("institution.id", ondelete="CASCADE"), primary_key=True
    ),
)


class VolunteerProfile(Model):
    __tablename__ = "volunteer_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    date_of_birth: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[str] = mapped_column(String(200), default="")
    interests: Mapped[str] = mapped_column(String(300), default="")
    max_hours_month: Mapped[int] = mapped_column(default=20)
    is_korpus: Mapped[bool] = mapped_column(default=False)
    has_disability: Mapped[bool] = mapped_column(default=False, server_default=false())
    access_needs: Mapped[str] = mapped_column(Text, default="")
    # Minors: the guardian confirms consent through an e-mailed link before any placement.
    guardian_name: Mapped[str] = mapped_column(String(160), default="", server_default=EMPTY_TEXT)
    guardian_email: Mapped[str] = mapped_column(String(254), default="", server_default=EMPTY_TEXT)
    guardian_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    guardian_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new date of birth that made a minor an adult is believed only once a coordinator has
    # confirmed it; until then the person is not placed, so typing cannot escape the guardian rule.
    birth_date_confirmation_pending: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    # Staff may invite the person to a shift the matcher ranks them well for; off means the
    # person is neither suggested to staff nor invitable. The weekly e-mail of suggestions is
    # asked for, never assumed.
    is_invitable: Mapped[bool] = mapped_column(default=True, server_default=true())
    has_weekly_suggestions: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The personal calendar feed lives at a secret URL that the volunteer can replace.
    feed_token: Mapped[str] = mapped_column(String(48), default=new_feed_token, unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")
    skills: Mapped[list[VolunteerSkill]] = relationship(
        back_populates="profile", cascade="all, delete-orphan"
    )
    availability: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="(AvailabilityWindow.weekday, AvailabilityWindow.start_time)",
    )
    absences: Mapped[list[VolunteerAbsence]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="VolunteerAbsence.starts_on",
    )
    preferred_institutions: Mapped[list[Institution]] = relationship(
        secondary=volunteer_preferred_institution
    )

    def age_on(self, day: date) -> int | None:
        return age_on(self.date_of_birth, day)

    def is_minor_on(self, day: date) -> bool:
        age = self.age_on(day)
        return age is not None and age < 18

    def may_be_placed_on(self, day: date) -> bool:
        return may_be_placed(
            day,
            date_of_birth=self.date_of_birth,
            guardian_consent_at=self.guardian_consent_at,
            birth_date_confirmation_pending=self.birth_date_confirmation_pending,
        )


class VolunteerSkill(Model):
    __tablename__ = "volunteer_skill"
    __table_args__ = (
        UniqueConstraint("user_id", "skill_id"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        # Who holds a skill at a level, read from the index alone: the suggestions for a shift
        # start from the holders of its required skills.
        Index("ix_volunteer_skill_holders", "skill_id", "level", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.user_id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    level: Mapped[int] = mapped_column(default=1)

    profile: Mapped[VolunteerProfile] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class AvailabilityWindow(Model):
    """A weekly window in Warsaw wall-clock time (weekday 0 is Monday)."""

    __tablename__ = "availability_window"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.user_id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]

    profile: Mapped[VolunteerProfile] = relationship(back_populates="availability")


class VolunteerAbsence(Model):
    """Dates away, inclusive on both ends."""

    __tablename__ = "volunteer_absence"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="start_before_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.user_id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    profile: Mapped[VolunteerProfile] = relationship(back_populates="absences")


class ConsentKind(enum.StrEnum):
    DATA_PROCESSING = "data_processing"
    IMAGE = "image"
    NEWSLETTER = "newsletter"
    GUARDIAN = "guardian"
    # Other institutions than the one that recorded them may see the volunteer's qualifications.
    QUALIFICATIONS = "qualifications"


class Consent(Model):
    """One change of one consent; the newest row per kind is the current state, older rows are history."""

    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_user_kind_at", "user_id", "kind", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[ConsentKind] = mapped_column(
        Enum(
            ConsentKind,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    granted: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who gave it: the volunteer, or the guardian through the e-mailed link.
    given_by: Mapped[str] = mapped_column(String(20), default="self")


class ChildProtectionCheck(Model):
    """Criminal-record certificate seen and sex-offender register checked, with who checked and when."""

    __tablename__ = "child_protection_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    certificate_seen_on: Mapped[date]
    register_checked_on: Mapped[date]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    institution: Mapped[Institution | None] = relationship()
