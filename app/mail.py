"""The one place that sends e-mail: over SMTP when MAIL_SERVER is set, to the log otherwise."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

log = logging.getLogger(__name__)


def build_message(
    to: str, subject: str, template: str, locale: str = "pl", **context: Any
) -> EmailMessage:
    """Render `templates/emails/<template>.txt` and `.html` in the recipient's language."""
    with force_locale(locale):
        text = render_template(f"emails/{template}.txt", locale=locale, **context)
        html = render_template(f"emails/{template}.html", locale=locale, **context)
        subject = str(subject)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="okik.example.org")
    msg["Content-Language"] = locale
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def deliver(msg: EmailMessage) -> None:
    """Send one message to its one recipient."""
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        log.info("E-mail (console, MAIL_SERVER unset)\n%s", msg.as_string())
        return
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)


def send_email(to: str, subject: str, template: str, locale: str = "pl", **context: Any) -> None:
    deliver(build_message(to, subject, template, locale, **context))
