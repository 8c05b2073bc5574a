"""A volunteer on a shift: one row from application or proposal to completion, and its state machine.

Every change of status goes through `Assignment.move_to`, which refuses transitions not listed in
TRANSITIONS; the lifecycle is in this one place so that it can be read and tested as a whole.

`move_to` is a compare-and-set: `UPDATE assignment SET status = :new ... WHERE id = :id AND
status = :seen`. Two requests that act on the same row at once (a double click, two tabs, a
volunteer withdrawing while staff accept) both read the old status, but only one UPDATE matches it;
on PostgreSQL the second blocks on the row lock and then finds nothing to change. Callers take
places, send notices and write audit rows only when `move_to` says it changed the row.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import Model
from app.extensions import db
from app.models.base import UTCDateTime
from app.models.base import rows_changed
from app.models.base import utcnow
from app.models.needs import Need
from app.models.needs import Shift
from app.models.users import User


class AssignmentStatus(enum.StrEnum):
    APPLIED = "applied"  # the volunteer applied; staff decide
    PROPOSED = "proposed"  # the matcher proposed; a coordinator decides
    OFFERED = "offered"  # approved proposal; the volunteer decides
    ACCEPTED = "accepted"  # the volunteer holds a place on the shift
    REJECTED = "rejected"  # staff or coordinator said no
    DECLINED = "declined"  # the volunteer said no to an offer
    EXPIRED = "expired"  # the offer was not answered in time
    WITHDRAWN = "withdrawn"  # the volunteer withdrew an application or a place
    CANCELLED = "cancelled"  # the shift or need was cancelled
    COMPLETED = "completed"  # attended, hours confirmed
    NO_SHOW = "no_show"  # did not come


class AssignmentSource(enum.StrEnum):
    APPLICATION = "application"
    MATCHING = "matching"
    OVERRIDE = "override"
    WAITLIST = "waitlist"  # offered to the first person waiting when a place freed up
    INVITATION = "invitation"  # staff invited someone the ranking suggested


S = AssignmentStatus
TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    S.APPLIED: frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN, S.CANCELLED}),
    S.PROPOSED: frozenset({S.OFFERED, S.REJECTED, S.CANCELLED}),
    S.OFFERED: frozenset({S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.COMPLETED, S.NO_SHOW, S.WITHDRAWN, S.CANCELLED}),
    S.REJECTED: frozenset(),
    S.DECLINED: frozenset(),
    S.EXPIRED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.CANCELLED: frozenset(),
    S.COMPLETED: frozenset({S.NO_SHOW}),
    S.NO_SHOW: frozenset({S.COMPLETED}),
}
# Statuses in which the volunteer still counts as on (or heading for) the shift.
ACTIVE = frozenset({S.APPLIED, S.PROPOSED, S.OFFERED, S.ACCEPTED})
# Statuses that keep the volunteer's time busy for the overlap rule.
BOOKED = frozenset({S.APPLIED, S.OFFERED, S.ACCEPTED})
# Statuses that hold one of the shift's places: an open offer keeps the place for the volunteer.
HOLDS_PLACE = frozenset({S.ACCEPTED, S.OFFERED})
# Statuses counted in `Shift.accepted_count`: the places held, and the places that were held by
# people whose attendance has been recorded since. Recording attendance (COMPLETED, NO_SHOW) moves
# between these statuses and leaves the counter alone, so a shift that has taken place still shows
# how many of its places were filled (reports' fill rates, the staff overview).
COUNTED_IN_PLACES = HOLDS_PLACE | frozenset({S.COMPLETED, S.NO_SHOW})


class TransitionError(ValueError):
    """A status change that the lifecycle does not allow."""


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


_active_sql = "status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(ACTIVE)))
# A proposal someone decided on (or a later run cancelled): any status but "proposed".
DECIDED_SQL = f"status <> '{S.PROPOSED.value}'"


class Assignment(Model):
    __tablename__ = "assignment"
    __table_args__ = (
        # One live row per volunteer and shift; finished rows stay as history.
        Index(
            "uq_assignment_active_volunteer_shift",
            "volunteer_id",
            "shift_id",
            unique=True,
            postgresql_where=text(_active_sql),
            sqlite_where=text(_active_sql),
        ),
        # A volunteer's history, bookings and month's hours for the matcher, read from the
        # index alone (a page ranking 50 people would otherwise visit 500 scattered rows).
        Index("ix_assignment_volunteer_history", "volunteer_id", "status", "need_id", "shift_id"),
        Index("ix_assignment_shift_status", "shift_id", "status"),
        Index("ix_assignment_need_status", "need_id", "status"),
        # A run's review page: one page of proposals in display order and the counts of all
        # and of pending ones, read from the index alone (it also serves the run's foreign key).
        Index(
            "ix_assignment_run_page",
            "match_run_id",
            "need_id",
            "shift_id",
            "score",
            "id",
            "status",
        ),
        # The decided proposals of a run, few while it is being reviewed: the page counts those
        # still waiting as the run's stored total less these, without reading all its entries.
        Index(
            "ix_assignment_run_decided",
            "match_run_id",
            postgresql_where=text(DECIDED_SQL),
            sqlite_where=text(DECIDED_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id", ondelete="CASCADE"))
    status: Mapped[AssignmentStatus] = mapped_column(_enum(AssignmentStatus))
    source: Mapped[AssignmentSource] = mapped_column(
        _enum(AssignmentSource), default=AssignmentSource.APPLICATION
    )
    message: Mapped[str] = mapped_column(Text, default="")
    # Proposals keep the matcher's score and reasons so that people can see why.
    score: Mapped[int | None]
    reasons: Mapped[list] = mapped_column(db.JSON, default=list)
    match_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("match_run.id", ondelete="SET NULL")
    )
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    shift: Mapped[Shift] = relationship()
    need: Mapped[Need] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def can_move_to(self, new: AssignmentStatus) -> bool:
        return new in TRANSITIONS[AssignmentStatus(self.status)]

    def move_to(self, new: AssignmentStatus, **values: Any) -> bool:
        """Change the status from the one this object shows to `new`, with the other columns in
        `values`, if the database still has that status; returns whether the row changed.

        When it did not, the object is re-read, so `status` says what the row holds now. A row
        the database has not seen yet (not flushed) has no other writer and is changed in memory.
        """
        seen = AssignmentStatus(self.status)
        if new not in TRANSITIONS[seen]:
            raise TransitionError(f"{seen} -> {new} is not allowed")
        state = inspect(self)
        if state.transient or state.pending:
            for key, value in values.items():
                setattr(self, key, value)
            self.status = new
            return True
        values = {"updated_at": utcnow(), **values, "status": new}
        result = db.session.execute(
            update(Assignment)
            .where(Assignment.id == self.id, Assignment.status == seen)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(result) != 1:
            db.session.refresh(self)
            return False
        for key, value in values.items():
            set_committed_value(self, key, value)
        if "decided_by_id" in values:
            db.session.expire(self, ["decided_by"])
        return True
