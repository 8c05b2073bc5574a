"""What a volunteer tells the coalition about themselves."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.skills import Skill
from app.models.users import User


class VolunteerProfile(db.Model):
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
    access_needs: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")
    skills: Mapped[list[VolunteerSkill]] = relationship(
        back_populates="profile", cascade="all, delete-orphan"
    )
    availability: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="AvailabilityWindow.weekday",
    )


class VolunteerSkill(db.Model):
    __tablename__ = "volunteer_skill"
    __table_args__ = (
        UniqueConstraint("user_id", "skill_id"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profile.user_id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id"), index=True)
    level: Mapped[int] = mapped_column(default=1)

    profile: Mapped[VolunteerProfile] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class AvailabilityWindow(db.Model):
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
