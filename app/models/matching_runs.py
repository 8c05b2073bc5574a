"""A matching run: who asked for it, over what, how it went, and why needs stayed unfilled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.extensions import db
from app.models.base import EMPTY_TEXT
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.users import User


class MatchRun(Model):
    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # queued -> running -> done | failed; `stage` says where a running run is. Workers take
    # queued runs in order (app/services/matching_queue.py).
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    stage: Mapped[str] = mapped_column(String(40), default="")
    # The worker executing the run ("host:pid"), when it took the run, and its last sign of
    # life: a run whose heartbeat stops is declared failed, so that it can be started again.
    claimed_by: Mapped[str] = mapped_column(String(255), default="", server_default=EMPTY_TEXT)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Each stage the run entered, with when: [{"stage": "loading", "at": ISO time}, ...]; the
    # seconds per stage are computed from it (matching_queue.stage_seconds).
    stages: Mapped[list | None] = mapped_column(db.JSON, default=list)
    # Why a failed run failed, as a code the run page words in the reader's language
    # ("worker_lost"); "" with the exception's text in `error` for any other failure.
    failure: Mapped[str] = mapped_column(String(40), default="", server_default=EMPTY_TEXT)
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
