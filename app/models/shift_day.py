"""The day of a shift and after it: who was there, what staff wrote to the people, how it went.

An attendance mark is what staff (or the volunteer with the shift's code) noted during the shift:
present or absent, with the times of a late arrival or an early leave. It is not the hours
ledger: staff still confirm attendance and hours afterwards (app/services/hours.py), and the mark
only fills in what they confirm. An absence becomes a no-show only when staff record it there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
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
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.needs import Need
from app.models.needs import Shift
from app.models.users import User


class AttendanceMark(Model):
    __tablename__ = "attendance_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One mark per place: a second tap changes the mark, never adds one.
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), unique=True
    )
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    is_present: Mapped[bool] = mapped_column(default=True)
    # Set only when the person came later or left earlier than the shift's own times.
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The volunteer checked in with the shift's code.
    is_self_check_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ShiftMessage(Model):
    """What staff or a coordinator wrote to the volunteers of a need, or of one of its shifts."""

    __tablename__ = "shift_message"
    __table_args__ = (Index("ix_shift_message_sender_created", "sender_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"), index=True)
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The groups chosen for this message: "accepted", "offered", "applied" ...
    audiences: Mapped[list] = mapped_column(db.JSON, default=list)
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    recipient_count: Mapped[int] = mapped_column(default=0)
    # The form's one-time token: a double click or a resent form finds it taken and sends nothing.
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    need: Mapped[Need] = relationship()
    shift: Mapped[Shift | None] = relationship()
    sender: Mapped[User | None] = relationship()


class ShiftMessageRecipient(Model):
    """Who a message went to: the volunteer's side of the history."""

    __tablename__ = "shift_message_recipient"
    __table_args__ = (UniqueConstraint("message_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("shift_message.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    message: Mapped[ShiftMessage] = relationship()


class ShiftFeedback(Model):
    """A volunteer's rating of a shift they served on, 1 to 5, with an optional comment."""

    __tablename__ = "shift_feedback"
    __table_args__ = (
        UniqueConstraint("shift_id", "volunteer_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    # The host at the time of the answer, so that staff see their institution's results.
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    # Kept, without the person, when the account is deleted.
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shift: Mapped[Shift] = relationship()
    volunteer: Mapped[User | None] = relationship()
