"""The scheduler's sign of life: web processes read it to tell whether jobs still run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import Model
from app.models.base import UTCDateTime


class SchedulerHeartbeat(Model):
    """One row, rewritten by the active scheduler's heartbeat job every few seconds.

    A job writes it, not the process's main loop, so a fresh beat means that jobs are really
    being read from the job store and run, not merely that the process exists.
    """

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
