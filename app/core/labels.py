"""Words for values the app stores as codes: one table per enum, one wording, every page.

Pages, e-mails and exports name a status or a kind through these functions only, so that a
volunteer, a staff member and a report never read three different words for the same thing.
The tables are built per call because the words depend on the reader's language.  Each
wording is neutral (it reads right to the volunteer and to staff alike) and gender-neutral.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import AssignmentStatus
from app.models import ComplianceKind
from app.models import ConsentKind
from app.models import DocumentKind
from app.models import InstitutionKind
from app.models import NeedKind
from app.models import NeedStatus
from app.models import NewsKind
from app.models import OutboxStatus
from app.models import RequestStatus
from app.models import Role

E = TypeVar("E", bound=enum.Enum)


def skill_level_labels() -> dict[int, str]:
    """The three skill levels as volunteers choose them and as needs ask for them."""
    return {1: str(_l("podstawowy")), 2: str(_l("doświadczony")), 3: str(_l("ekspert"))}


def skill_level_label(level: int) -> str:
    return skill_level_labels().get(level, str(level))


def assignment_status_labels() -> dict[AssignmentStatus, str]:
    """Where a volunteer stands on a shift, as both sides read it."""
    return {
        AssignmentStatus.APPLIED: str(_l("zgłoszenie czeka na decyzję instytucji")),
        AssignmentStatus.PROPOSED: str(_l("propozycja czeka na zatwierdzenie koordynatora")),
        AssignmentStatus.OFFERED: str(_l("oferta czeka na odpowiedź")),
        AssignmentStatus.ACCEPTED: str(_l("przyjęto na zmianę")),
        AssignmentStatus.REJECTED: str(_l("zgłoszenie nieprzyjęte")),
        AssignmentStatus.DECLINED: str(_l("oferta odrzucona")),
        AssignmentStatus.EXPIRED: str(_l("oferta wygasła")),
        AssignmentStatus.WITHDRAWN: str(_l("zgłoszenie wycofane")),
        AssignmentStatus.CANCELLED: str(_l("zmiana odwołana")),
        AssignmentStatus.COMPLETED: str(_l("zakończone, godziny potwierdzone")),
        AssignmentStatus.NO_SHOW: str(_l("nieobecność")),
    }


def need_kind_labels() -> dict[NeedKind, str]:
    return {
        NeedKind.ONE_OFF: str(_l("Jednorazowa")),
        NeedKind.RECURRING: str(_l("Cykliczna")),
        NeedKind.LONG_TERM: str(_l("Długoterminowa (Korpus Solidarności)")),
        NeedKind.TRAINING: str(_l("Szkolenie dla wolontariuszy")),
    }


def news_kind_labels() -> dict[NewsKind, str]:
    """What a post on the coalition board is about."""
    return {
        NewsKind.UPDATE: str(_l("Z życia instytucji")),
        NewsKind.EVENT: str(_l("Wydarzenie")),
        NewsKind.CALL_FOR_HELP: str(_l("Prośba o pomoc innych instytucji")),
        NewsKind.TRAINING: str(_l("Szkolenie otwarte dla wolontariuszy innych instytucji")),
    }


def need_status_labels() -> dict[NeedStatus, str]:
    return {
        NeedStatus.DRAFT: str(_l("szkic")),
        NeedStatus.PUBLISHED: str(_l("opublikowana")),
        NeedStatus.CLOSED: str(_l("zamknięta (bez nowych zgłoszeń)")),
        NeedStatus.CANCELLED: str(_l("odwołana")),
    }


def need_status_headings() -> dict[NeedStatus, str]:
    """The same statuses as headings of the lists that group needs by them."""
    return {
        NeedStatus.DRAFT: str(_l("Szkice")),
        NeedStatus.PUBLISHED: str(_l("Opublikowane")),
        NeedStatus.CLOSED: str(_l("Zamknięte")),
        NeedStatus.CANCELLED: str(_l("Odwołane")),
    }


def institution_kind_labels() -> dict[InstitutionKind, str]:
    return {
        InstitutionKind.MUSEUM: str(_l("Muzeum")),
        InstitutionKind.LIBRARY: str(_l("Biblioteka")),
        InstitutionKind.THEATRE: str(_l("Teatr")),
        InstitutionKind.GALLERY: str(_l("Galeria")),
        InstitutionKind.ARCHIVE: str(_l("Archiwum")),
        InstitutionKind.RESEARCH: str(_l("Instytut naukowy")),
        InstitutionKind.NGO: str(_l("Organizacja pozarządowa")),
        InstitutionKind.OTHER: str(_l("Inna")),
    }


def request_status_labels() -> dict[RequestStatus, str]:
    return {
        RequestStatus.PENDING: str(_l("czeka na decyzję")),
        RequestStatus.APPROVED: str(_l("zatwierdzony")),
        RequestStatus.REJECTED: str(_l("odrzucony")),
    }


def role_labels() -> dict[Role, str]:
    return {
        Role.VOLUNTEER: str(_l("wolontariusz")),
        Role.STAFF: str(_l("pracownik instytucji")),
        Role.COORDINATOR: str(_l("koordynator OKIK")),
        Role.ADMIN: str(_l("administrator")),
    }


def compliance_kind_labels() -> dict[ComplianceKind, str]:
    return {
        ComplianceKind.SAFETY_BRIEFING: str(_l("Szkolenie BHP i o prawach i obowiązkach")),
        ComplianceKind.ACCIDENT_INSURANCE: str(_l("Ubezpieczenie NNW")),
        ComplianceKind.COST_WAIVER: str(_l("Zwolnienie z obowiązku zwrotu kosztów")),
        ComplianceKind.GUARDIAN_CONSENT: str(_l("Zgoda opiekuna prawnego")),
        ComplianceKind.CHILD_PROTECTION: str(_l("Weryfikacja ochrony małoletnich")),
    }


def document_kind_labels() -> dict[DocumentKind, str]:
    return {
        DocumentKind.AGREEMENT: str(_l("Porozumienie")),
        DocumentKind.CERTIFICATE: str(_l("Zaświadczenie")),
    }


def consent_kind_labels() -> dict[ConsentKind, str]:
    return {
        ConsentKind.DATA_PROCESSING: str(
            _l("Przetwarzanie danych osobowych w Giełdzie Wolontariatu")
        ),
        ConsentKind.IMAGE: str(_l("Wykorzystanie mojego wizerunku (zdjęcia, nagrania)")),
        ConsentKind.NEWSLETTER: str(_l("Newsletter koalicji OKIK")),
        ConsentKind.GUARDIAN: str(_l("Zgoda opiekuna prawnego")),
        ConsentKind.QUALIFICATIONS: str(
            _l("Pokazywanie moich kwalifikacji innym instytucjom koalicji")
        ),
    }


def outbox_status_labels() -> dict[OutboxStatus, str]:
    return {
        OutboxStatus.PENDING: str(_l("w kolejce")),
        OutboxStatus.SENDING: str(_l("w trakcie wysyłki")),
        OutboxStatus.SENT: str(_l("wysłana")),
        OutboxStatus.FAILED: str(_l("nieudana")),
        OutboxStatus.SKIPPED: str(_l("pominięta (wyłączona przez odbiorcę)")),
        OutboxStatus.CANCELLED: str(_l("anulowana przez administratora")),
    }


def message_audience_labels() -> dict[str, str]:
    """The groups a message to a need or a shift can go to."""
    return {
        "accepted": _("przyjęte osoby"),
        "offered": _("osoby z ofertą czekającą na odpowiedź"),
        "applied": _("zgłoszenia czekające na decyzję"),
        "waiting": _("lista oczekujących"),
    }


def run_status_labels() -> dict[str, str]:
    """States of a matching run (stored as plain strings on ``match_run``)."""
    return {
        "queued": str(_l("w kolejce")),
        "running": str(_l("trwa")),
        "done": str(_l("gotowy")),
        "failed": str(_l("błąd")),
    }


def run_stage_labels() -> dict[str, str]:
    return {
        "expiring_offers": str(_l("wygaszanie starych ofert")),
        "loading": str(_l("wczytywanie danych")),
        "solving": str(_l("szukanie najlepszego przydziału")),
        "saving": str(_l("zapisywanie propozycji")),
    }


def audit_kind_labels() -> dict[str, str]:
    """Every kind of audit entry the app writes, named as a short noun phrase.

    The audit log's filter offers these, in this order; app/services/audit_texts.py has the sentence of
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
        "shift_message.sent": str(_l("wiadomość do wolontariuszy")),
        "shift_feedback.given": str(_l("ocena zmiany")),
        "hours.corrected": str(_l("poprawka godzin")),
        "hours.rejected": str(_l("odrzucenie godzin")),
        "child_protection_check.recorded": str(_l("sprawdzenie w rejestrze")),
        "invitation.sent": str(_l("zaproszenie na zmianę")),
        "news.posted": str(_l("wiadomość na tablicy koalicji")),
        "news.edited": str(_l("poprawka wiadomości")),
        "news.deleted": str(_l("usunięcie wiadomości")),
        "news.pinned": str(_l("przypięcie wiadomości")),
        "news.unpinned": str(_l("odpięcie wiadomości")),
        "news.hidden": str(_l("ukrycie wiadomości")),
        "news.shown": str(_l("przywrócenie wiadomości")),
        "news.digest": str(_l("zapis na przegląd wiadomości")),
        "suggestions.weekly_stopped": str(_l("rezygnacja z e-maila z propozycjami")),
        "waitlist.joined": str(_l("zapis na listę oczekujących")),
        "waitlist.left": str(_l("rezygnacja z listy oczekujących")),
        "waitlist.offered": str(_l("oferta z listy oczekujących")),
        "qualification.recorded": str(_l("odnotowanie kwalifikacji")),
        "qualification.granted_for_training": str(_l("kwalifikacje za szkolenie")),
        "qualification.added": str(_l("dodanie kwalifikacji do katalogu")),
        "qualification.updated": str(_l("zmiana kwalifikacji w katalogu")),
        "qualification.deleted": str(_l("usunięcie kwalifikacji z katalogu")),
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


def _lookup(table: Callable[[], dict[E, str]], enum_type: type[E]) -> Callable[[object], str]:
    """A label function over one table: takes the enum or its stored code; unknown codes show
    as they are rather than breaking a page over an old record."""

    def label(value: object) -> str:
        try:
            return table()[enum_type(value)]
        except (KeyError, ValueError):
            return str(value)

    label.__doc__ = f"The word for one {enum_type.__name__}."
    return label


assignment_status_label = _lookup(assignment_status_labels, AssignmentStatus)
need_kind_label = _lookup(need_kind_labels, NeedKind)
need_status_label = _lookup(need_status_labels, NeedStatus)
need_status_heading = _lookup(need_status_headings, NeedStatus)
institution_kind_label = _lookup(institution_kind_labels, InstitutionKind)
request_status_label = _lookup(request_status_labels, RequestStatus)
role_label = _lookup(role_labels, Role)
compliance_kind_label = _lookup(compliance_kind_labels, ComplianceKind)
document_kind_label = _lookup(document_kind_labels, DocumentKind)
consent_kind_label = _lookup(consent_kind_labels, ConsentKind)
outbox_status_label = _lookup(outbox_status_labels, OutboxStatus)
news_kind_label = _lookup(news_kind_labels, NewsKind)


def run_status_label(status: str) -> str:
    return run_status_labels().get(status, status)


def run_stage_label(stage: str) -> str:
    return run_stage_labels().get(stage, str(_l("przygotowanie")))


def template_labels() -> dict[str, Callable[..., str]]:
    """The label functions every template can call."""
    return {
        "assignment_status_label": assignment_status_label,
        "need_kind_label": need_kind_label,
        "need_status_label": need_status_label,
        "need_status_heading": need_status_heading,
        "kind_label": institution_kind_label,
        "status_label": request_status_label,
        "role_label": role_label,
        "compliance_kind_label": compliance_kind_label,
        "document_kind_label": document_kind_label,
        "consent_kind_label": consent_kind_label,
        "outbox_status_label": outbox_status_label,
        "run_status_label": run_status_label,
        "run_stage_label": run_stage_label,
        "level_label": skill_level_label,
        "news_kind_label": news_kind_label,
    }
