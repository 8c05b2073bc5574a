"""Which shifts gave a place back in the transaction that just committed.

A freed place belongs to the first person on the shift's waiting list, but offering it means
locking that person's profile, and rows are locked in one order everywhere (profiles before
shifts): the transaction that freed the place already holds the shift's lock. So the place is
only noted here; once that transaction has committed, `app.services.waitlist.advance_freed`
moves the lists in transactions of their own (after each request, and after the scheduler's
offer job). A process that stops in between leaves the place free for the periodic sweep.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

_NOTED = "freed_shift_ids"
_COMMITTED = "freed_shift_ids_committed"


def note(session: Session, shift_id: int) -> None:
    session.info.setdefault(_NOTED, set()).add(shift_id)


def take_committed(session: Session) -> list[int]:
    """The shifts freed by committed transactions since the last call, by ascending id."""
    return sorted(session.info.pop(_COMMITTED, set()))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted:
        session.info.setdefault(_COMMITTED, set()).update(noted)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_NOTED, None)
