"""Telling people that something changed for them: an in-app notice, and the same by e-mail.

A notice kind lives here whole: its e-mail kind and subject (``EMAIL_FOR_NOTICE``), how it is
sent (:func:`notify`) and the sentence people read (:func:`notice_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Notice
from app.models import User

# Notice kind -> e-mail kind (for preferences) and subject.
EMAIL_FOR_NOTICE = {
    "need_changed": ("need_change", _l("Zmiana w potrzebie, do której masz zgłoszenie")),
    "shift_changed": ("need_change", _l("Zmiana terminu lub miejsc na Twojej zmianie")),
    "shift_cancelled": ("need_change", _l("Zmiana została odwołana")),
    "need_cancelled": ("need_change", _l("Potrzeba została odwołana")),
    "application_accepted": ("application", _l("Przyjęto Twoje zgłoszenie")),
    "application_rejected": ("application", _l("Decyzja w sprawie Twojego zgłoszenia")),
    "offer_made": ("offer", _l("Nowa oferta wolontariatu dla Ciebie")),
    "offer_expired": ("offer", _l("Oferta wygasła")),
    "waitlist_offer": ("offer", _l("Zwolniło się miejsce, na które czekasz")),
}


def notify(user_ids: Iterable[int], kind: str, need_id: int | None = None, **params: Any) -> int:
    """One notice per person (each person once), e-mailed through the outbox in the same transaction."""
    from app.services.mail import queue_email

    unique = sorted(set(user_ids))
    notices = [
        Notice(user_id=user_id, kind=kind, params=params, need_id=need_id) for user_id in unique
    ]
    db.session.add_all(notices)
    if kind in EMAIL_FOR_NOTICE and notices:
        db.session.flush()
        email_kind, subject = EMAIL_FOR_NOTICE[kind]
        for notice in notices:
            person = db.session.get(User, notice.user_id)
            if person is None or not person.is_active_account:
                continue
            queue_email(
                person.email,
                subject,
                "notice",
                person.locale,
                kind=email_kind,
                recipient=person,
                dedup_key=f"notice:{notice.id}",
                user=person,
                notice=notice,
            )
    return len(unique)


def _when(value: str | None) -> str:
    if not value:
        return ""
    return format_datetime(datetime.fromisoformat(value), "short")


def notice_text(notice: Notice) -> str:
    p = notice.params or {}
    title = p.get("title", "")
    kind = notice.kind
    if kind == "need_changed":
        return _(
            "Zmieniły się szczegóły potrzeby „%(title)s”. Sprawdź, czy nadal Ci pasuje.",
            title=title,
        )
    if kind == "shift_changed":
        return _(
            "Zmieniła się zmiana w potrzebie „%(title)s”: teraz %(start)s–%(end)s.",
            title=title,
            start=_when(p.get("starts_at")),
            end=_when(p.get("ends_at")),
        )
    if kind == "shift_cancelled":
        return _(
            "Odwołano zmianę %(start)s w potrzebie „%(title)s”.",
            title=title,
            start=_when(p.get("starts_at")),
        )
    if kind == "need_cancelled":
        return _(
            "Instytucja odwołała potrzebę „%(title)s”. Twoje zgłoszenia na nią wygasły.",
            title=title,
        )
    if kind == "application_accepted":
        return _(
            "Przyjęto Cię na zmianę %(start)s: „%(title)s”.",
            title=title,
            start=_when(p.get("starts_at")),
        )
    if kind == "application_rejected":
        return _(
            "Zgłoszenie na zmianę %(start)s („%(title)s”) nie zostało przyjęte.",
            title=title,
            start=_when(p.get("starts_at")),
        )
    if kind == "offer_made":
        return _(
            "Masz ofertę: zmiana %(start)s w potrzebie „%(title)s”. Przyjmij ją albo odmów, zanim wygaśnie.",
            title=title,
            start=_when(p.get("starts_at")),
        )
    if kind == "waitlist_offer":
        return _(
            "Zwolniło się miejsce na zmianie %(start)s w potrzebie „%(title)s”, na które czekasz. "
            "Trzymamy je dla Ciebie do %(deadline)s: przyjmij je albo odmów w zakładce Oferty.",
            title=title,
            start=_when(p.get("starts_at")),
            deadline=_when(p.get("expires_at")),
        )
    if kind == "invitation_made":
        return _(
            "Instytucja zaprasza Cię na zmianę %(start)s w potrzebie „%(title)s”. Przyjmij zaproszenie albo odmów, zanim wygaśnie.",
            title=title,
            start=_when(p.get("starts_at")),
        )
    if kind == "offer_expired":
        return _(
            "Oferta w potrzebie „%(title)s” wygasła bez odpowiedzi, a miejsce wróciło do puli.",
            title=title,
        )
    if kind == "shift_message":
        return _(
            "Wiadomość od instytucji w sprawie „%(title)s”: %(subject)s",
            title=title,
            subject=p.get("subject", ""),
        )
    # A kind without a sentence of its own still reads as words: its subject line.
    subject = EMAIL_FOR_NOTICE.get(kind)
    return str(subject[1]) if subject else _("Masz nowe powiadomienie.")
