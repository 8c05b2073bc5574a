"""Telling people that something changed for them: an in-app notice, and the same by e-mail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Notice, User

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
