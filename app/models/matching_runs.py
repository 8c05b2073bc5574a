"""A matching run: who asked for it, over what, how it went, and why needs stayed unfilled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, db
from app.models.base import UTCDateTime, utcnow
from app.models.users import User


class MatchRun(Model):
    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # queued -> running -> done | failed; `stage` says where a running run is.
    status: Mapped[str] = mapped_column(String(20), default="queued")
    stage: Mapped[str] = mapped_column(String(40), default="")
    # The scope the coordinator chose: institution ids and Warsaw dates.
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # Sizes, timings and objective from the library.
    stats: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # One entry per place left (partly) unfilled: need, shift, code and parameters.
    # Thousands of entries in a coalition-wide run: read only when asked for (see
    # app.services.matching_run.unfilled_of).
    diagnostics: Mapped[list] = mapped_column(db.JSON, default=list, deferred=True)
    error: Mapped[str] = mapped_column(String(500), default="")

    created_by: Mapped[User | None] = relationship()
