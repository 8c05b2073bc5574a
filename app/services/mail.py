"""E-mail: written to the outbox with the change that causes it, delivered later by the scheduler.

`queue_email` renders the message in the recipient's language now (so it says what was true when
it was written) and stores it under a deduplication key; `deliver` sends one stored message to
its one recipient over SMTP, or to the log when MAIL_SERVER is unset.

Delivering the outbox (`deliver_due`): one message at a time, retried with growing pauses, never at
night.

Each message goes out once, as far as SMTP allows. Before SMTP hears of it, a message is claimed
in a commit of its own: status "sending", its Message-ID chosen and stored. Once SMTP accepted it,
the sent mark is written in a new transaction, tried again with short pauses until it lands (a
database busy for a moment does not send it twice). Only when the sender stops between SMTP's
answer and the mark, or the database stays away through every try, is a message left in flight;
the next scheduler (at its start, or after OUTBOX_CLAIM_TIMEOUT_SECONDS) sends it again with the
same Message-ID, so mail clients show it once, and counts the repeat on the message.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from email import policy as email_policy
from email.headerregistry import BaseHeader
from email.headerregistry import HeaderRegistry
from email.headerregistry import UnstructuredHeader
from email.message import EmailMessage
from email.utils import formataddr
from email.utils import formatdate
from email.utils import make_msgid
from typing import Any

from flask import current_app
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import Executable

from app.core.time import WARSAW
from app.extensions import db
from app.models import EmailOptOut
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import User
from app.models.base import rows_changed
from app.models.base import utcnow
from app.services import audit

log = logging.getLogger(__name__)

# Every kind of e-mail, whether a person may turn it off, and how the settings page names it.
EMAIL_KINDS: dict[str, tuple[bool, Any]] = {
    "account": (False, _l("Konto: potwierdzenie adresu, hasło, dostęp")),
    "legal": (False, _l("Sprawy prawne: porozumienia, zgody, dane osobowe")),
    "application": (True, _l("Decyzje w sprawie moich zgłoszeń")),
    "need_change": (True, _l("Zmiany i odwołania potrzeb, na które się zgłosiłem(-am)")),
    "offer": (True, _l("Nowe oferty i przypomnienia o odpowiedzi")),
    "shift_reminder": (True, _l("Przypomnienia przed zmianą")),
    "digest": (True, _l("Codzienne podsumowanie dla koordynatorów i pracowników")),
    "hours": (True, _l("Prośby o potwierdzenie godzin")),
    "korpus": (True, _l("Miesięczne podsumowanie Korpusu Solidarności")),
    "news_digest": (True, _l("Cotygodniowe wiadomości z tablicy koalicji (po zapisaniu się)")),
    "qualification": (True, _l("Przypomnienia o kwalifikacjach, które wkrótce wygasną")),
    "shift_message": (False, _l("Wiadomości instytucji do osób zapisanych na zmianę")),
}
UNSUBSCRIBE_SALT = "unsubscribe"


def is_optional(kind: str) -> bool:
    return EMAIL_KINDS.get(kind, (False, ""))[0]


def unsubscribe_token(user_id: int, kind: str) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps(
        [user_id, kind]
    )


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT
        ).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not is_optional(kind):
        return None
    return user_id, kind


def has_opted_out(user_id: int, kind: str) -> bool:
    return (
        db.session.scalar(
            select(EmailOptOut.id).where(EmailOptOut.user_id == user_id, EmailOptOut.kind == kind)
        )
        is not None
    )


def queue_email(
    to: str,
    subject: Any,
    template: str,
    locale: str = "pl",
    *,
    kind: str = "account",
    recipient: User | None = None,
    dedup_key: str | None = None,
    attachments: Sequence[dict] = (),
    reply_to: str = "",
    **context: Any,
) -> OutboxMessage | None:
    """Write one message to the outbox in the current transaction.

    Returns None when the recipient turned this optional kind off, or when a message with the
    same deduplication key already exists (so a job that runs twice queues nothing twice).
    """
    from app.core.urls import absolute_url

    optional = is_optional(kind)
    if recipient is not None and optional and has_opted_out(recipient.id, kind):
        return None
    key = dedup_key or f"{kind}:{uuid.uuid4()}"
    if (
        db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key))
        is not None
    ):
        return None
    unsubscribe_url = None
    if recipient is not None and optional:
        unsubscribe_url = absolute_url(
            "notifications.unsubscribe", token=unsubscribe_token(recipient.id, kind)
        )
    with force_locale(locale):
        context = {**context, "locale": locale, "unsubscribe_url": unsubscribe_url}
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
        subject = str(subject)
    message = OutboxMessage(
        dedup_key=key,
        recipient_id=recipient.id if recipient is not None else None,
        to_address=to,
        kind=kind,
        is_optional=optional,
        locale=locale,
        subject=subject,
        reply_to=reply_to,
        body_text=text,
        body_html=html,
        attachments=list(attachments),
    )
    # A savepoint keeps the surrounding change when two writers race for the same key.
    savepoint = db.session.begin_nested()
    try:
        db.session.add(message)
        savepoint.commit()
    except IntegrityError:  # the unique key was taken in the meantime; anything else goes up
        savepoint.rollback()
        return None
    return message


def send_email(
    to: str, subject: Any, template: str, locale: str = "pl", **context: Any
) -> OutboxMessage | None:
    """An account e-mail (cannot be turned off), through the outbox like every other."""
    return queue_email(to, subject, template, locale, kind="account", **context)


class VerbatimHeader(UnstructuredHeader, BaseHeader):
    """A header whose ASCII value goes out exactly as written, on one line.

    The standard policy turns any word longer than a line (an unsubscribe link with its token)
    into RFC 2047 encoded words, and mail programs then no longer find the `<https://...>` in
    List-Unsubscribe; RFC 5322 allows lines up to 998 characters, which these never reach.
    Encoded words written by the caller (the List-Id phrase) are kept, not decoded."""

    @classmethod
    def parse(cls, value, kwds) -> None:
        super().parse(value, kwds)
        if value.isascii():
            kwds["decoded"] = value

    def fold(self, *, policy) -> str:
        if not str(self).isascii():
            return super().fold(policy=policy)
        return f"{self.name}: {self}{policy.linesep}"


def _mail_policy() -> email_policy.EmailPolicy[EmailMessage]:
    registry = HeaderRegistry()
    for name in ("list-unsubscribe", "list-unsubscribe-post", "list-id"):
        registry.map_to_type(name, VerbatimHeader)
    return email_policy.default.clone(header_factory=registry)


MAIL_POLICY = _mail_policy()


def list_id(locale: str) -> str:
    """The List-Id (RFC 2919) of every e-mail of the exchange: mail programs group and filter by
    it. Only its phrase is encoded (RFC 2047); the identifier in angle brackets stays plain."""
    with force_locale(locale):
        name = _("Giełda Wolontariatu OKIK")
    return formataddr((name, current_app.config["MAIL_LIST_ID"]))


def build_mime(message: OutboxMessage) -> EmailMessage:
    from app.core.urls import absolute_url

    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = message.subject
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = message.to_address
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message.message_id or make_msgid(domain="okik.example.org")
    msg["Auto-Submitted"] = "auto-generated"
    if message.reply_to:
        msg["Reply-To"] = message.reply_to
    msg["List-Id"] = list_id(message.locale)
    if message.is_optional and message.recipient_id is not None:
        url = absolute_url(
            "notifications.unsubscribe", token=unsubscribe_token(message.recipient_id, message.kind)
        )
        msg["List-Unsubscribe"] = f"<{url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(message.body_text)
    msg.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments or []:
        maintype, _, subtype = attachment["mimetype"].partition("/")
        msg.add_attachment(
            attachment["content"].encode("utf-8"),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    # Last: set_content() and each multipart step move or drop the Content-* headers written
    # before them, so an earlier Content-Language never reached the recipient.
    msg["Content-Language"] = message.locale
    return msg


class Courier:
    """Sends messages one recipient at a time over one SMTP connection, opened when first needed
    and opened again after an error."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = current_app.config
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10)
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        return smtp

    def send(self, msg: EmailMessage) -> None:
        if not current_app.config.get("MAIL_SERVER"):
            log.info("E-mail (console, MAIL_SERVER unset)\n%s", msg.as_string())
            return
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(msg, to_addrs=[msg["To"]])
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> Courier:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def deliver(msg: EmailMessage) -> None:
    """Send one message to its one recipient."""
    with Courier() as courier:
        courier.send(msg)


# --- delivering the outbox ------------------------------------------------------------------------
QUIET_FROM, QUIET_UNTIL = 21, 8  # Warsaw wall-clock hours
MAX_ATTEMPTS = 6
# Pauses, in seconds, between tries to record what SMTP did (each try waits for the database too).
RECORD_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)
CLAIM_TIMEOUT_SECONDS = 300


def in_quiet_hours(now: datetime) -> bool:
    """Between 21:00 and 8:00 in Warsaw, whatever the season (zoneinfo handles DST)."""
    hour = now.astimezone(WARSAW).hour
    return hour >= QUIET_FROM or hour < QUIET_UNTIL


def backoff(attempts: int, first: timedelta = timedelta(minutes=1)) -> timedelta:
    """1, 2, 4, 8, 16 ... minutes after each failed attempt (by default), capped at 6 hours."""
    return min(first * 2 ** (attempts - 1), timedelta(hours=6))


def _due(now: datetime, limit: int):
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if in_quiet_hours(now):
        query = query.where(OutboxMessage.is_optional.is_(False))
    return query


def _still(message_id: int, status: OutboxStatus):
    """An UPDATE of one message that changes it only if it is still in `status`."""
    return update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.status == status
    )


def deliver_due(
    now: datetime | None = None,
    limit: int = 200,
    crash_after_send: Callable[[OutboxMessage], object] | None = None,
) -> dict[str, int]:
    """Send what is due over one SMTP connection; returns counts. `crash_after_send` lets tests
    stop the sender between SMTP's answer and the sent mark."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    recover_in_flight(now)
    with Courier() as courier:
        for _ in range(limit):
            message = db.session.scalar(_due(now, 1))
            if message is None:
                break
            if (
                message.is_optional
                and message.recipient_id
                and has_opted_out(message.recipient_id, message.kind)
            ):
                # Turned off after it was written.
                db.session.execute(
                    _still(message.id, OutboxStatus.PENDING).values(status=OutboxStatus.SKIPPED)
                )
                db.session.commit()
                counts["skipped"] += 1
                continue
            message_id, attempts = message.id, message.attempts
            mime = build_mime(message)  # keeps a Message-ID chosen by an earlier claim
            claimed = rows_changed(
                db.session.execute(
                    _still(message_id, OutboxStatus.PENDING).values(
                        status=OutboxStatus.SENDING,
                        message_id=mime["Message-ID"],
                        claimed_at=utcnow(),
                    )
                )
            )
            db.session.commit()  # no transaction stays open while SMTP talks
            if not claimed:
                continue  # another sender took it in the meantime
            try:
                courier.send(mime)
            except (smtplib.SMTPException, OSError) as exc:
                failure = _failure(message_id, attempts, exc, now, counts)
                if not _record(failure, f"E-mail {message_id} failed"):
                    break
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    break  # the server is away: the rest waits for the next run
                continue
            if crash_after_send is not None:
                crash_after_send(message)
            sent = _still(message_id, OutboxStatus.SENDING).values(
                status=OutboxStatus.SENT,
                attempts=OutboxMessage.attempts + 1,
                sent_at=utcnow(),
            )
            if not _record(sent, f"E-mail {message_id} was sent"):
                break  # the database is away: it stays in flight and goes again later
            counts["sent"] += 1
    return counts


def _failure(
    message_id: int, attempts: int, exc: Exception, now: datetime, counts: dict[str, int]
) -> Executable:
    attempts += 1
    error = f"{type(exc).__name__}: {exc}"[:500]
    values: dict = {"attempts": attempts, "last_error": error, "claimed_at": None}
    if attempts >= current_app.config.get("OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS):
        values["status"] = OutboxStatus.FAILED
        counts["failed"] += 1
        log.error("E-mail %s failed for good: %s", message_id, error)
    else:
        first = timedelta(seconds=current_app.config.get("OUTBOX_RETRY_SECONDS", 60))
        values["status"] = OutboxStatus.PENDING
        values["next_attempt_at"] = now + backoff(attempts, first)
        counts["retry"] += 1
        log.warning("E-mail %s not sent (attempt %d): %s", message_id, attempts, error)
    return _still(message_id, OutboxStatus.SENDING).values(**values)


def _record(statement: Executable, what: str) -> bool:
    """Write what SMTP did, each try in a new transaction, until it lands or the tries run out.

    False when the database stayed away: the message is then left in flight.
    """
    pauses = current_app.config.get("OUTBOX_RECORD_PAUSES", RECORD_PAUSES)
    for attempt, pause in enumerate((*pauses, None), start=1):
        try:
            db.session.execute(statement)
            db.session.commit()
            if attempt > 1:
                log.info("%s: recorded at try %d", what, attempt)
            return True
        except (OperationalError, InterfaceError) as exc:
            db.session.rollback()
            if pause is None:
                log.error(
                    "%s, but the database would not record it after %d tries (%s); it stays "
                    "in flight and will be sent again with the same Message-ID",
                    what,
                    attempt,
                    exc.orig,
                )
                return False
            log.warning(
                "%s, but the database would not record it (try %d: %s); trying again in %s s",
                what,
                attempt,
                exc.orig,
                pause,
            )
            time.sleep(pause)
    return False  # pragma: no cover - the loop always returns


def recover_in_flight(now: datetime, older_than: timedelta | None = None) -> int:
    """Queue again what was claimed longer than `older_than` ago and never marked: its sender
    stopped or lost the database. It perhaps reached SMTP already, so each one counts a repeat;
    it keeps its Message-ID."""
    if older_than is None:
        older_than = timedelta(
            seconds=current_app.config.get("OUTBOX_CLAIM_TIMEOUT_SECONDS", CLAIM_TIMEOUT_SECONDS)
        )
    stranded = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.claimed_at).where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at <= now - older_than,
        )
    ).all()
    if not stranded:
        return 0
    for message_id, claimed_at in stranded:
        log.warning(
            "E-mail %s was in flight since %s and never marked sent: sending it again with the "
            "same Message-ID",
            message_id,
            claimed_at,
        )
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([row.id for row in stranded]),
            OutboxMessage.status == OutboxStatus.SENDING,
        )
        .values(status=OutboxStatus.PENDING, next_attempt_at=now, repeats=OutboxMessage.repeats + 1)
    )
    db.session.commit()
    return len(stranded)


def retry(actor: User, message: OutboxMessage) -> bool:
    """An administrator sends a failed or cancelled message again from the start (with its
    Message-ID); False when it was no longer failed or cancelled (sent meanwhile, say)."""
    changed = rows_changed(
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.status.in_((OutboxStatus.FAILED, OutboxStatus.CANCELLED)),
            )
            .values(
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
                claimed_at=None,
                last_error="",
            )
            .execution_options(synchronize_session=False)
        )
    )
    if changed:
        db.session.refresh(message)
        audit.record(actor, "outbox.retry", message, to=message.to_address)
    return bool(changed)


def cancel(actor: User, message: OutboxMessage) -> bool:
    """An administrator gives up on a message that is waiting or failed: it is never sent.

    A message in flight cannot be cancelled, since SMTP may already have it; False then, and when
    it was sent or cancelled meanwhile.
    """
    changed = rows_changed(
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)),
            )
            .values(status=OutboxStatus.CANCELLED, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
    )
    if changed:
        db.session.refresh(message)
        audit.record(actor, "outbox.cancelled", message, to=message.to_address)
    return bool(changed)


@dataclass
class OutboxOverview:
    """What the administrators' outbox page shows."""

    pending: int
    in_flight: list[OutboxMessage]
    retrying: list[OutboxMessage]
    repeated: list[OutboxMessage]
    failed: list[OutboxMessage]
    repeats_total: int


def overview(limit: int = 200) -> OutboxOverview:
    def newest(*where) -> list[OutboxMessage]:
        return list(
            db.session.scalars(
                select(OutboxMessage).where(*where).order_by(OutboxMessage.id.desc()).limit(limit)
            )
        )

    pending = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    repeats_total = db.session.scalar(select(func.coalesce(func.sum(OutboxMessage.repeats), 0)))
    return OutboxOverview(
        pending=pending or 0,
        in_flight=newest(OutboxMessage.status == OutboxStatus.SENDING),
        retrying=newest(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.attempts > 0),
        repeated=newest(OutboxMessage.repeats > 0),
        failed=failed_messages(limit),
        repeats_total=repeats_total or 0,
    )


def failed_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
