"""Messages from staff and coordinators to the volunteers of a need or of one of its shifts.

Each message goes to the people in the groups the sender ticks (accepted, offered, applied ...),
each person once: one row per recipient, one in-app notice and one e-mail through the outbox,
whose Reply-To is the need's contact person, so answers reach the people running it and not the
exchange's robot address.

The form carries a one-time token, stored unique with the message: a double click or a form sent
again finds the token taken and sends nothing more. The daily limit is counted under a lock on the
sender's row, so two messages sent at once cannot both slip under it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from datetime import time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.time import WARSAW
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Need
from app.models import Notice
from app.models import Shift
from app.models import ShiftMessage
from app.models import ShiftMessageRecipient
from app.models import User
from app.models import WaitlistEntry
from app.services import audit
from app.services.mail import queue_email
from app.services.permissions import can_manage_need

# The groups a message can go to, by the status of the person's place, in the order the form
# offers them.
AUDIENCE_STATUSES: dict[str, AssignmentStatus] = {
    "accepted": AssignmentStatus.ACCEPTED,
    "offered": AssignmentStatus.OFFERED,
    "applied": AssignmentStatus.APPLIED,
}


def _waiting(need_id: int, shift_id: int | None) -> list[int]:
    """The people on the waiting lists of the need's shifts (or of the one shift)."""
    query = (
        select(WaitlistEntry.volunteer_id)
        .join(Shift, Shift.id == WaitlistEntry.shift_id)
        .where(Shift.need_id == need_id)
    )
    if shift_id is not None:
        query = query.where(WaitlistEntry.shift_id == shift_id)
    return list(db.session.scalars(query))


# Groups that are not a status of an assignment: for each, the ids of the people in it for
# (need id, shift id or None). The form offers these after the statuses.
EXTRA_AUDIENCES: dict[str, Callable[[int, int | None], list[int]]] = {"waiting": _waiting}


class MessageError(Exception):
    """A message that cannot go; the text is shown at `field` if given."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AlreadySent(MessageError):
    """This very form was sent already (a double click): nothing more goes out."""


def audiences() -> list[str]:
    return [*AUDIENCE_STATUSES, *EXTRA_AUDIENCES]


def recipient_ids(need: Need, shift: Shift | None, chosen: list[str]) -> list[int]:
    """The people in the chosen groups, each once, in id order."""
    statuses = [AUDIENCE_STATUSES[c] for c in chosen if c in AUDIENCE_STATUSES]
    ids: set[int] = set()
    if statuses:
        query = select(Assignment.volunteer_id).where(
            Assignment.need_id == need.id, Assignment.status.in_(statuses)
        )
        if shift is not None:
            query = query.where(Assignment.shift_id == shift.id)
        ids.update(db.session.scalars(query))
    for name in chosen:
        if name in EXTRA_AUDIENCES:
            ids.update(EXTRA_AUDIENCES[name](need.id, shift.id if shift else None))
    return sorted(ids)


def sent_today(sender: User, now: datetime | None = None) -> int:
    day_start = datetime.combine(today_in_warsaw(now), time(), tzinfo=WARSAW)
    return (
        db.session.scalar(
            select(func.count(ShiftMessage.id)).where(
                ShiftMessage.sender_id == sender.id, ShiftMessage.created_at >= day_start
            )
        )
        or 0
    )


def daily_limit() -> int:
    return int(current_app.config["SHIFT_MESSAGES_PER_DAY"])


def _check_limit(sender: User) -> None:
    db.session.execute(select(User.id).where(User.id == sender.id).with_for_update())
    limit = daily_limit()
    if sent_today(sender) >= limit:
        raise MessageError(
            _(
                "Dzienny limit wiadomości (%(num)d) jest już wyczerpany. Kolejne wyślesz jutro.",
                num=limit,
            )
        )


def reply_address(need: Need) -> str:
    """The need's contact person; the institution's address when the need names none."""
    return need.contact_email or need.institution.contact_email or ""


def send(
    sender: User,
    need: Need,
    shift: Shift | None,
    chosen: list[str],
    subject: str,
    body: str,
    form_token: str,
) -> ShiftMessage:
    if not can_manage_need(sender, need) or (shift is not None and shift.need_id != need.id):
        raise PermissionError
    chosen = [c for c in audiences() if c in chosen]
    if not chosen:
        raise MessageError(_("Wybierz, do kogo ma trafić wiadomość."), "audiences")
    people = recipient_ids(need, shift, chosen)
    if not people:
        raise MessageError(_("W wybranych grupach nie ma nikogo. Wybierz inne."), "audiences")
    _check_limit(sender)
    message = ShiftMessage(
        need_id=need.id,
        shift_id=shift.id if shift else None,
        sender_id=sender.id,
        audiences=chosen,
        subject=subject[:150],
        body=body,
        recipient_count=len(people),
        form_token=form_token,
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(message)
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        raise AlreadySent(_("Ta wiadomość została już wysłana.")) from None
    _deliver(message, need, shift, people)
    audit.record(sender, "shift_message.sent", need, message_id=message.id, recipients=len(people))
    return message


def _deliver(message: ShiftMessage, need: Need, shift: Shift | None, people: list[int]) -> None:
    from app.core.urls import absolute_url

    reply_to = reply_address(need)
    history_url = absolute_url("shift_messages.received", need_id=need.id)
    for person in db.session.scalars(select(User).where(User.id.in_(people)).order_by(User.id)):
        db.session.add(ShiftMessageRecipient(message_id=message.id, user_id=person.id))
        db.session.add(
            Notice(
                user_id=person.id,
                kind="shift_message",
                need_id=need.id,
                params={"title": need.title, "subject": message.subject},
            )
        )
        if not person.is_active_account:
            continue
        queue_email(
            person.email,
            message.subject,
            "shift_message",
            person.locale,
            kind="shift_message",
            recipient=person,
            dedup_key=f"shift-message:{message.id}:{person.id}",
            reply_to=reply_to,
            user=person,
            message=message,
            need=need,
            shift=shift,
            history_url=history_url,
        )


# --- the history ---------------------------------------------------------------------------------


def history(need: Need, shift: Shift | None = None, limit: int = 100) -> list[ShiftMessage]:
    """What was sent on the need (all of it) or on one shift, newest first."""
    query = select(ShiftMessage).where(ShiftMessage.need_id == need.id)
    if shift is not None:
        query = query.where(ShiftMessage.shift_id == shift.id)
    return list(
        db.session.scalars(
            query.options(selectinload(ShiftMessage.sender), selectinload(ShiftMessage.shift))
            .order_by(ShiftMessage.created_at.desc(), ShiftMessage.id.desc())
            .limit(limit)
        )
    )


def received(volunteer: User, need: Need, limit: int = 100) -> list[ShiftMessage]:
    """What the volunteer was sent on this need, newest first."""
    return list(
        db.session.scalars(
            select(ShiftMessage)
            .join(ShiftMessageRecipient, ShiftMessageRecipient.message_id == ShiftMessage.id)
            .where(ShiftMessageRecipient.user_id == volunteer.id, ShiftMessage.need_id == need.id)
            .options(selectinload(ShiftMessage.sender), selectinload(ShiftMessage.shift))
            .order_by(ShiftMessage.created_at.desc(), ShiftMessage.id.desc())
            .limit(limit)
        )
    )
