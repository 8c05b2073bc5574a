"""In-app notices in words: each notice kind with its parameters, in the reader's language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from app.models import Notice
from app.services.notices import EMAIL_FOR_NOTICE


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
    if kind == "offer_expired":
        return _(
            "Oferta w potrzebie „%(title)s” wygasła bez odpowiedzi, a miejsce wróciło do puli.",
            title=title,
        )
    # A kind without a sentence of its own still reads as words: its subject line.
    subject = EMAIL_FOR_NOTICE.get(kind)
    return str(subject[1]) if subject else _("Masz nowe powiadomienie.")
