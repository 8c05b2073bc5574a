"""E-mail: written to the outbox with the change that causes it, delivered later by the scheduler.

`queue_email` renders the message in the recipient's language now (so it says what was true when
it was written) and stores it under a deduplication key; `deliver` sends one stored message to
its one recipient over SMTP, or to the log when MAIL_SERVER is unset.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Sequence
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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import EmailOptOut
from app.models import OutboxMessage
from app.models import User

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
