"""Words for values the app stores as numbers or codes, one table each, used by every page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def skill_level_labels() -> dict[int, str]:
    """The three skill levels as volunteers choose them and as needs ask for them."""
    return {1: str(_l("podstawowy")), 2: str(_l("doświadczony")), 3: str(_l("ekspert"))}


def skill_level_label(level: int) -> str:
    return skill_level_labels().get(level, str(level))


def consent_labels() -> dict[str, str]:
    """The consents a volunteer gives and withdraws, keyed by their stored kind."""
    return {
        "data_processing": str(_l("Przetwarzanie danych osobowych w Giełdzie Wolontariatu")),
        "image": str(_l("Wykorzystanie mojego wizerunku (zdjęcia, nagrania)")),
        "newsletter": str(_l("Newsletter koalicji OKIK")),
        "guardian": str(_l("Zgoda opiekuna prawnego")),
    }


def audit_kind_labels() -> dict[str, str]:
    """Every kind of audit entry the app writes, named as a short noun phrase.

    The audit log's filter offers these, in this order; app/audit_texts.py has the sentence of
    each; a test checks that every kind passed to audit.record anywhere in the code is here.
    """
    return {
        # accounts
        "user.registered": str(_l("rejestracja konta")),
        "user.email_confirmed": str(_l("potwierdzenie adresu e-mail")),
        "user.logged_in": str(_l("logowanie")),
        "user.password_changed": str(_l("zmiana hasła")),
        "user.password_reset": str(_l("ustawienie nowego hasła z linku")),
        "user.deleted": str(_l("usunięcie konta")),
        "user.deactivated": str(_l("wyłączenie konta")),
        "user.reactivated": str(_l("ponowne włączenie konta")),
        "user.role_changed": str(_l("zmiana roli")),
        "user.confirmation_resent": str(_l("ponowne wysłanie linku potwierdzającego")),
        # volunteers
        "volunteer.profile_updated": str(_l("zmiana profilu wolontariusza")),
        "volunteer.skills_updated": str(_l("zmiana umiejętności wolontariusza")),
        "volunteer.birth_date_changed": str(_l("zmiana daty urodzenia")),
        "volunteer.birth_date_confirmed": str(_l("potwierdzenie daty urodzenia")),
        "volunteer.guardian_requested": str(_l("prośba o zgodę opiekuna")),
        "volunteer.guardian_consented": str(_l("zgoda opiekuna")),
        "volunteer.feed_reset": str(_l("nowy adres kalendarza")),
        "consent.granted": str(_l("udzielenie zgody")),
        "consent.withdrawn": str(_l("wycofanie zgody")),
        "notifications.preferences": str(_l("zmiana ustawień powiadomień")),
        "notifications.unsubscribed": str(_l("wypisanie z powiadomień")),
        # the coalition
        "staff_request.created": str(_l("wniosek o dostęp pracownika")),
        "staff_request.approved": str(_l("zatwierdzenie dostępu pracownika")),
        "staff_request.rejected": str(_l("odrzucenie dostępu pracownika")),
        "institution_request.created": str(_l("zgłoszenie nowej instytucji")),
        "institution_request.approved": str(_l("zatwierdzenie nowej instytucji")),
        "institution_request.rejected": str(_l("odrzucenie nowej instytucji")),
        "institution.created": str(_l("dodanie instytucji do koalicji")),
        "institution.volunteer_coordinator": str(_l("wyznaczenie koordynatora wolontariatu")),
        "institution.delegation": str(_l("zatwierdzanie propozycji przez pracowników")),
        # needs and shifts
        "need.created": str(_l("utworzenie potrzeby")),
        "need.updated": str(_l("zmiana potrzeby")),
        "need.shifts_added": str(_l("dodanie zmian do potrzeby")),
        "need.published": str(_l("publikacja potrzeby")),
        "need.closed": str(_l("zamknięcie naboru")),
        "need.cancelled": str(_l("odwołanie potrzeby")),
        "shift.updated": str(_l("zmiana terminu lub miejsc")),
        "shift.cancelled": str(_l("odwołanie zmiany")),
        # applications, proposals, offers
        "application.created": str(_l("zgłoszenie wolontariusza")),
        "application.withdrawn": str(_l("wycofanie zgłoszenia")),
        "application.accepted": str(_l("przyjęcie zgłoszenia")),
        "application.rejected": str(_l("odrzucenie zgłoszenia")),
        "matching.run": str(_l("dopasowanie")),
        "proposal.approved": str(_l("zatwierdzenie propozycji")),
        "proposal.rejected": str(_l("odrzucenie propozycji")),
        "proposal.override": str(_l("przydział poza dopasowaniem")),
        "offer.accepted": str(_l("przyjęcie oferty")),
        "offer.declined": str(_l("odrzucenie oferty")),
        "offer.expired": str(_l("wygaśnięcie oferty")),
        # work done
        "assignment.no_show": str(_l("nieobecność")),
        "hours.confirmed": str(_l("potwierdzenie godzin")),
        "hours.corrected": str(_l("poprawka godzin")),
        "hours.rejected": str(_l("odrzucenie godzin")),
        "child_protection_check.recorded": str(_l("sprawdzenie w rejestrze")),
        # administration
        "skill.added": str(_l("dodanie umiejętności")),
        "skill.renamed": str(_l("zmiana nazwy umiejętności")),
        "skill.retired": str(_l("wycofanie umiejętności")),
        "skill.restored": str(_l("przywrócenie umiejętności")),
        "outbox.retry": str(_l("ponowienie wysyłki e-maila")),
        "outbox.cancelled": str(_l("anulowanie wysyłki e-maila")),
    }


def audit_kind_label(kind: str) -> str:
    """A kind's name; one the table lacks is named generically, never by its code."""
    return audit_kind_labels().get(kind, str(_l("inne zdarzenie")))
