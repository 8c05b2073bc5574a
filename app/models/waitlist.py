"""People waiting for a place on a full shift, in the order they joined.

A row lives while the person waits: when a place frees up, the first row becomes an offer
(an `Assignment` with source `waitlist`) and the row is deleted in the same transaction, by a
guarded DELETE, so that two processes moving the same list never offer one row twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.needs import Shift
from app.models.users import User


class WaitlistEntry(Model):
    __tablename__ = "waitlist_entry"
    __table_args__ = (
        # One place in the queue per person and shift: a double click joins once.
        UniqueConstraint("shift_id", "volunteer_id", name="uq_waitlist_shift_volunteer"),
        # The head of a shift's list.
        Index("ix_waitlist_shift_order", "shift_id", "created_at", "id"),
        Index("ix_waitlist_volunteer", "volunteer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shift: Mapped[Shift] = relationship()
    volunteer: Mapped[User] = relationship()
