"""In-app notices: what changed for a person, shown on their pages until read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import Model
from app.extensions import db
from app.models.base import UTCDateTime
from app.models.base import utcnow


class Notice(Model):
    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # A message code and its parameters, rendered in the reader's language (app/notices.py).
    kind: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
