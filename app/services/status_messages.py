"""What to tell a person whose request came too late: the status the row has now, in words.

A double click, a second tab or a colleague deciding a moment earlier all end the same way: the
request changes nothing, and the person learns what happened instead of seeing an error. Each kind
of request names the row as the person knows it (an application, a proposal, an offer, attendance),
so there is one table per kind; the sentences are whole so that translators see them whole.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.models import AssignmentStatus

S = AssignmentStatus


def application_state(status: AssignmentStatus) -> str:
    """For the volunteer withdrawing and for staff accepting or rejecting an application."""
    messages = {
        S.APPLIED: _("To zgłoszenie wciąż czeka na decyzję."),
        S.ACCEPTED: _("To zgłoszenie zostało już przyjęte."),
        S.REJECTED: _("To zgłoszenie zostało już odrzucone."),
        S.WITHDRAWN: _("To zgłoszenie zostało już wycofane."),
        S.CANCELLED: _("To zgłoszenie zostało już anulowane."),
        S.OFFERED: _("Na to zgłoszenie czeka oferta, na którą trzeba odpowiedzieć."),
        S.DECLINED: _("Tej oferty już odmówiono."),
        S.EXPIRED: _("Ta oferta wygasła."),
        S.COMPLETED: _("Obecność na tej zmianie została już potwierdzona."),
        S.NO_SHOW: _("Na tej zmianie odnotowano już nieobecność."),
    }
    return messages.get(S(status), _("To zgłoszenie zostało już rozpatrzone."))


def proposal_state(status: AssignmentStatus) -> str:
    """For coordinators (and delegated staff) approving or rejecting a proposal."""
    messages = {
        S.OFFERED: _("Ta propozycja została już zatwierdzona: wolontariusz dostał ofertę."),
        S.ACCEPTED: _("Ta propozycja została już zatwierdzona i przyjęta."),
        S.REJECTED: _("Ta propozycja została już odrzucona."),
        S.CANCELLED: _("Ta propozycja została już anulowana."),
    }
    return messages.get(S(status), _("Ta propozycja została już rozpatrzona."))


def offer_state(status: AssignmentStatus) -> str:
    """For the volunteer answering an offer."""
    messages = {
        S.ACCEPTED: _("Ta oferta została już przyjęta."),
        S.DECLINED: _("Tej oferty już odmówiono."),
        S.EXPIRED: _("Ta oferta wygasła."),
        S.WITHDRAWN: _("Ta oferta została już wycofana."),
        S.CANCELLED: _("Ta oferta została już anulowana."),
        S.COMPLETED: _("Obecność na tej zmianie została już potwierdzona."),
        S.NO_SHOW: _("Na tej zmianie odnotowano już nieobecność."),
    }
    return messages.get(S(status), _("Ta oferta nie czeka już na odpowiedź."))


def attendance_state(status: AssignmentStatus) -> str:
    """For staff recording who came to a shift."""
    messages = {
        S.COMPLETED: _("Obecność tej osoby została już potwierdzona."),
        S.NO_SHOW: _("Tę osobę oznaczono już jako nieobecną."),
        S.WITHDRAWN: _("Ta osoba wycofała się z tej zmiany."),
        S.CANCELLED: _("Udział tej osoby w zmianie został anulowany."),
    }
    return messages.get(S(status), _("Obecność tej osoby została już zapisana."))
