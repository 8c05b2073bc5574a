"""E-mail waiting to be delivered, written in the same transaction as the change that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import Model
from app.extensions import db
from app.models.base import EMPTY_TEXT
from app.models.base import UTCDateTime
from app.models.base import utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    # Claimed for delivery in a commit of its own before SMTP is spoken to: a message still here
    # long after `claimed_at` was perhaps accepted by SMTP when its sender stopped.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the person turned this kind off before it went out
    CANCELLED = "cancelled"  # an administrator gave up on it; never sent


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # The delivery job's query: what is pending and due, oldest first.
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per reason to write, e.g. "shift-reminder:<assignment>:<shift>:24h": queueing the
    # same reminder twice hits this constraint instead of mailing twice.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40))
    is_optional: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(5), default="pl")
    subject: Mapped[str] = mapped_column(String(300))
    # Where answers go when not to the exchange's own address (a need's contact person).
    reply_to: Mapped[str] = mapped_column(String(254), default="", server_default=EMPTY_TEXT)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Optional attachments: [{"filename", "mimetype", "content"}] with text content (iCal).
    attachments: Mapped[list] = mapped_column(db.JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(
            OutboxStatus,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # Chosen at the first claim and kept: a message sent again carries the same Message-ID, which
    # mail clients show once.
    message_id: Mapped[str] = mapped_column(String(200), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How often it was found in flight and sent again: each time it may have arrived twice.
    repeats: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailOptOut(Model):
    """A kind of optional e-mail that a person turned off."""

    __tablename__ = "email_opt_out"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
