"""The audit log in words: each entry as a sentence that names people and records by name, with
links to them.

Sentences put the person who acted first and use the present tense ("Anna Nowak przyjmuje ofertę
na zmianę 12 grudnia …"): a Polish present-tense verb has no gender, so one sentence fits everyone
without "(-a)" forms. Other people are named after "osoba" ("konto osoby Jan Kowalski"), which
keeps their names in the nominative, as stored.

A page of entries loads the records they name in one query per kind of record (`AuditNames`),
never one per entry. A record deleted since is named generically ("usunięta potrzeba"), never by
its class and id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import format_datetime
from flask_babel import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.labels import audit_kind_label
from app.core.labels import consent_kind_labels
from app.extensions import db
from app.models import Assignment
from app.models import AuditLog
from app.models import ChildProtectionCheck
from app.models import HoursEntry
from app.models import Institution
from app.models import InstitutionRequest
from app.models import MatchRun
from app.models import Need
from app.models import OutboxMessage
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import StaffRequest
from app.models import User
from app.services.mail import EMAIL_KINDS

# Details that name other records by id, and the kind of record each names.
_DETAIL_REFS: dict[str, type[Any]] = {
    "need_id": Need,
    "volunteer_id": User,
    "user_id": User,
    "institution_id": Institution,
    "assignment_id": Assignment,
}
_LOADERS: dict[type, Callable[[Any], Any]] = {
    Assignment: lambda q: q.options(
        selectinload(Assignment.volunteer),
        selectinload(Assignment.shift),
        selectinload(Assignment.need).selectinload(Need.institution),
    ),
    Shift: lambda q: q.options(selectinload(Shift.need).selectinload(Need.institution)),
    Need: lambda q: q.options(selectinload(Need.institution)),
    StaffRequest: lambda q: q.options(
        selectinload(StaffRequest.user), selectinload(StaffRequest.institution)
    ),
    HoursEntry: lambda q: q.options(
        selectinload(HoursEntry.volunteer), selectinload(HoursEntry.institution)
    ),
}
_MODELS: dict[str, type[Any]] = {
    m.__name__: m
    for m in (
        Assignment,
        ChildProtectionCheck,
        HoursEntry,
        Institution,
        InstitutionRequest,
        MatchRun,
        Need,
        OutboxMessage,
        Shift,
        Skill,
        StaffRequest,
        User,
    )
}


@dataclass
class AuditNames:
    """The records a page of entries names, loaded together; `viewer` decides where links go."""

    viewer: User
    records: dict[tuple[type, int], Any] = field(default_factory=dict)

    @classmethod
    def load(cls, entries: Iterable[AuditLog], viewer: User) -> AuditNames:
        wanted: dict[type, set[int]] = defaultdict(set)
        for e in entries:
            model: type[Any] | None = _MODELS.get(e.object_type)
            if model is not None and e.object_id is not None:
                wanted[model].add(e.object_id)
            for key, ref in _DETAIL_REFS.items():
                value = (e.details or {}).get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    wanted[ref].add(value)
            if e.action == "institution.volunteer_coordinator":
                for key in ("old", "new"):
                    if isinstance((e.details or {}).get(key), int):
                        wanted[User].add(e.details[key])
        names = cls(viewer)
        for model, ids in wanted.items():
            query = select(model).where(model.id.in_(ids))
            query = _LOADERS.get(model, lambda q: q)(query)
            for obj in db.session.scalars(query):
                names.records[(model, obj.id)] = obj
        return names

    def get(self, model: type, record_id: Any) -> Any:
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            return None
        return self.records.get((model, record_id))

    # --- how each kind of record is named ---------------------------------------------------

    def person(self, user: User | None, gone: str | None = None) -> Markup:
        if user is None:
            return escape(gone or _("osoba, której konto usunięto"))
        if self.viewer.is_admin:
            href = url_for("admin.user", user_id=user.id)
        else:
            href = url_for("coordination.audit_log", person_id=user.id)
        return _link(href, user.full_name or user.email)

    def institution(self, inst: Institution | None) -> Markup:
        if inst is None:
            return escape(_("instytucja, której już nie ma"))
        return _link(url_for("institutions.detail", slug=inst.slug), inst.name)

    def need(self, need: Need | None) -> Markup:
        if need is None:
            return escape(_("usunięta potrzeba"))
        return _link(url_for("manage.need", need_id=need.id), f"„{need.title}”")

    def shift(self, shift: Shift | None) -> Markup:
        """A shift by its day, its need and the need's institution: "12 grudnia 2026 („…”, …)"."""
        if shift is None:
            return escape(_("usuniętą zmianę"))
        return Markup("%s (%s, %s)") % (
            format_date(shift.starts_at, "d MMMM yyyy"),
            self.need(shift.need),
            self.institution(shift.need.institution),
        )


def _link(href: str, text: str) -> Markup:
    return Markup('<a href="%s">%s</a>') % (href, text)


def _say(template: str, **parts: Any) -> Markup:
    """A translated sentence with its parts filled in; parts that are not Markup are escaped."""
    return escape(template) % parts


def _role(value: Any) -> str:
    from app.core.labels import role_label

    try:
        return role_label(Role(value))
    except ValueError:
        return _("inna rola")


def sentence(entry: AuditLog, names: AuditNames) -> Markup:
    """The entry as one sentence in the reader's language."""
    d = entry.details or {}
    obj = names.get(_MODELS.get(entry.object_type, type(None)), entry.object_id)
    # No actor: the scheduler, or a link from an e-mail opened without signing in.
    actor = names.person(entry.actor) if entry.actor is not None else escape(_("System"))
    user = names.person(obj) if isinstance(obj, User) else names.person(None)
    assignment = (
        obj if isinstance(obj, Assignment) else names.get(Assignment, d.get("assignment_id"))
    )
    shift_of = names.shift(
        assignment.shift if assignment else obj if isinstance(obj, Shift) else None
    )
    volunteer = names.person(
        assignment.volunteer if assignment else names.get(User, d.get("volunteer_id"))
    )
    need = names.need(
        obj
        if isinstance(obj, Need)
        else assignment.need
        if assignment
        else names.get(Need, d.get("need_id"))
    )
    institution = names.institution(
        _institution_of(obj, assignment, names.get(Institution, d.get("institution_id")))
    )
    texts = _sentences()
    make = texts.get(entry.action)
    if make is None:
        return _say(_("%(actor)s: %(kind)s."), actor=actor, kind=audit_kind_label(entry.action))
    return make(
        _Parts(
            entry=entry,
            names=names,
            obj=obj,
            d=d,
            actor=actor,
            user=user,
            volunteer=volunteer,
            need=need,
            shift=shift_of,
            institution=institution,
        )
    )


def _institution_of(obj: Any, assignment: Assignment | None, named: Institution | None) -> Any:
    """The institution an entry concerns: its record, the one its details name, or its need's."""
    if isinstance(obj, Institution):
        return obj
    if named is not None:
        return named
    if isinstance(obj, Shift):
        return obj.need.institution
    if isinstance(obj, Need | StaffRequest | HoursEntry):
        return obj.institution
    return assignment.need.institution if assignment else None


@dataclass
class _Parts:
    entry: AuditLog
    names: AuditNames
    obj: Any
    d: dict
    actor: Markup
    user: Markup
    volunteer: Markup
    need: Markup
    shift: Markup
    institution: Markup

    def hours(self, key: str) -> str:
        value = self.d.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_decimal(value)
        return "?"


def _simple(template: LazyString, *keys: str) -> Callable[[_Parts], Markup]:
    def make(p: _Parts) -> Markup:
        return _say(str(template), **{k: getattr(p, k) for k in keys})

    return make


def _request_person(p: _Parts) -> Markup:
    req = p.obj if isinstance(p.obj, StaffRequest) else None
    return p.names.person(req.user if req else p.names.get(User, p.d.get("user_id")))


def _request_institution(p: _Parts) -> Markup:
    req = p.obj if isinstance(p.obj, StaffRequest) else None
    return p.names.institution(req.institution if req else None) if req else p.institution


def _institution_request(template: LazyString) -> Callable[[_Parts], Markup]:
    def make(p: _Parts) -> Markup:
        req = p.obj if isinstance(p.obj, InstitutionRequest) else None
        name = req.name if req else str(p.d.get("name") or "")
        return _say(
            str(template),
            actor=p.actor,
            name=_link(url_for("coordination.requests"), name) if req else name,
        )

    return make


def _hours_entry(template: LazyString) -> Callable[[_Parts], Markup]:
    def make(p: _Parts) -> Markup:
        entry = p.obj if isinstance(p.obj, HoursEntry) else None
        who = p.names.person(entry.volunteer if entry else None)
        return _say(
            str(template),
            actor=p.actor,
            volunteer=who,
            institution=p.names.institution(entry.institution) if entry else p.institution,
            hours=p.hours("hours"),
            old=p.hours("old_hours"),
            new=p.hours("new_hours"),
        )

    return make


def _role_changed(p: _Parts) -> Markup:
    return _say(
        _("%(actor)s zmienia rolę osoby %(user)s: z „%(old)s” na „%(new)s”."),
        actor=p.actor,
        user=p.user,
        old=_role(p.d.get("old")),
        new=_role(p.d.get("new")),
    )


def _birth_date_changed(p: _Parts) -> Markup:
    if p.d.get("needs_confirmation"):
        return _say(
            _("%(user)s zmienia datę urodzenia; zmiana czeka na potwierdzenie koordynatora."),
            user=p.user,
        )
    return _say(_("%(user)s zmienia datę urodzenia."), user=p.user)


def _consent(template: LazyString) -> Callable[[_Parts], Markup]:
    def make(p: _Parts) -> Markup:
        by_code = {str(k): label for k, label in consent_kind_labels().items()}
        kind = by_code.get(str(p.d.get("kind")), _("inna zgoda"))
        return _say(str(template), user=p.user, kind=kind)

    return make


def _unsubscribed(p: _Parts) -> Markup:
    kind = EMAIL_KINDS.get(str(p.d.get("kind")), (False, _("inne powiadomienia")))[1]
    return _say(_("%(user)s wypisuje się z e-maili: %(kind)s."), user=p.user, kind=str(kind))


def _volunteer_coordinator(p: _Parts) -> Markup:
    new = p.names.get(User, p.d.get("new"))
    return _say(
        _(
            "%(actor)s powierza osobie %(person)s koordynację wolontariatu w instytucji %(institution)s."
        ),
        actor=p.actor,
        person=p.names.person(new),
        institution=p.institution,
    )


def _delegation(p: _Parts) -> Markup:
    if p.d.get("enabled"):
        template = _(
            "%(actor)s pozwala pracownikom instytucji %(institution)s samym zatwierdzać "
            "propozycje dopasowania."
        )
    else:
        template = _(
            "%(actor)s odbiera pracownikom instytucji %(institution)s zatwierdzanie propozycji "
            "dopasowania."
        )
    return _say(template, actor=p.actor, institution=p.institution)


def _shifts_added(p: _Parts) -> Markup:
    count = p.d.get("count")
    return _say(
        _("%(actor)s dodaje do potrzeby %(need)s nowe zmiany (%(count)s)."),
        actor=p.actor,
        need=p.need,
        count=count if isinstance(count, int) else "?",
    )


def _matching_run(p: _Parts) -> Markup:
    run = p.obj if isinstance(p.obj, MatchRun) else None
    if run is None:
        what: Markup | str = _("dopasowanie, którego już nie ma")
    else:
        what = _link(
            url_for("proposals.run_detail", run_id=run.id),
            _("z %(when)s", when=format_datetime(run.created_at, "d MMMM yyyy, HH:mm")),
        )
    proposals = p.d.get("proposals")
    if isinstance(proposals, int):
        return _say(
            _("%(actor)s uruchamia dopasowanie %(run)s; powstaje propozycji: %(count)d."),
            actor=p.actor,
            run=what,
            count=proposals,
        )
    return _say(_("%(actor)s uruchamia dopasowanie %(run)s."), actor=p.actor, run=what)


def _check(p: _Parts) -> Markup:
    check = p.obj if isinstance(p.obj, ChildProtectionCheck) else None
    return _say(
        _(
            "%(actor)s odnotowuje sprawdzenie osoby %(volunteer)s w Rejestrze Sprawców "
            "Przestępstw na Tle Seksualnym (instytucja %(institution)s)."
        ),
        actor=p.actor,
        volunteer=p.volunteer
        if check is None
        else p.names.person(p.names.get(User, check.user_id)),
        institution=p.institution,
    )


def _named(template: LazyString, *keys: str) -> Callable[[_Parts], Markup]:
    """A sentence with the name the entry's details keep (a catalogue entry may be gone)."""

    def make(p: _Parts) -> Markup:
        parts = {k: getattr(p, k) for k in keys}
        return _say(str(template), name=str(p.d.get("name") or ""), **parts)

    return make


def _skill(template: LazyString) -> Callable[[_Parts], Markup]:
    def make(p: _Parts) -> Markup:
        skill = p.obj if isinstance(p.obj, Skill) else None
        locale = str(get_locale() or "pl")
        if skill is None:
            name: Markup | str = str(p.d.get("name") or _("usunięta umiejętność"))
        else:
            # The Polish name as it was when the entry was written (a later rename would
            # otherwise rewrite history); other languages read the skill's current name.
            at_the_time = p.d.get("new") or p.d.get("name")
            text = str(at_the_time) if locale == "pl" and at_the_time else skill.name(locale)
            if p.names.viewer.is_admin:
                name = _link(url_for("admin.edit_skill", skill_id=skill.id), text)
            else:
                name = text
        return _say(str(template), actor=p.actor, skill=name, old=str(p.d.get("old") or ""))

    return make


def _outbox(template: LazyString) -> Callable[[_Parts], Markup]:
    def make(p: _Parts) -> Markup:
        message = p.obj if isinstance(p.obj, OutboxMessage) else None
        subject = message.subject if message else ""
        to = message.to_address if message else str(p.d.get("to") or "")
        if message is not None and p.names.viewer.is_admin:
            subject_part: Markup | str = _link(url_for("notifications.outbox"), subject)
        else:
            subject_part = subject
        return _say(str(template), actor=p.actor, subject=subject_part, to=to)

    return make


def _sentences() -> dict[str, Callable[[_Parts], Markup]]:
    """One sentence per kind (the kinds are those of app/core/labels.audit_kind_labels)."""
    s = _simple
    return {
        "user.registered": s(_l("%(user)s zakłada konto."), "user"),
        "user.email_confirmed": s(_l("%(user)s potwierdza adres e-mail."), "user"),
        "user.logged_in": s(_l("%(user)s loguje się."), "user"),
        "user.password_changed": s(_l("%(user)s zmienia hasło."), "user"),
        "user.password_reset": s(_l("%(user)s ustawia nowe hasło z linku z e-maila."), "user"),
        "user.deleted": s(_l("%(actor)s usuwa swoje konto; dane osobowe są zatarte."), "actor"),
        "user.deactivated": s(_l("%(actor)s wyłącza konto osoby %(user)s."), "actor", "user"),
        "user.reactivated": s(_l("%(actor)s znów włącza konto osoby %(user)s."), "actor", "user"),
        "user.role_changed": _role_changed,
        "user.confirmation_resent": s(
            _l("%(actor)s wysyła ponownie link potwierdzający do osoby %(user)s."), "actor", "user"
        ),
        "volunteer.profile_updated": s(_l("%(user)s zmienia swój profil."), "user"),
        "volunteer.skills_updated": s(_l("%(user)s zmienia swoje umiejętności."), "user"),
        "volunteer.birth_date_changed": _birth_date_changed,
        "volunteer.birth_date_confirmed": s(
            _l("%(actor)s potwierdza datę urodzenia osoby %(user)s."), "actor", "user"
        ),
        "volunteer.guardian_requested": s(
            _l("%(user)s prosi opiekuna prawnego o zgodę na wolontariat."), "user"
        ),
        "volunteer.guardian_consented": s(
            _l("Opiekun prawny osoby %(user)s zgadza się na wolontariat tej osoby."), "user"
        ),
        "volunteer.feed_reset": s(_l("%(user)s zmienia adres swojego kalendarza."), "user"),
        "consent.granted": _consent(_l("%(user)s udziela zgody: %(kind)s.")),
        "consent.withdrawn": _consent(_l("%(user)s wycofuje zgodę: %(kind)s.")),
        "notifications.preferences": s(_l("%(user)s zmienia ustawienia powiadomień."), "user"),
        "notifications.unsubscribed": _unsubscribed,
        "staff_request.created": lambda p: _say(
            _("%(actor)s prosi o dostęp pracownika w instytucji %(institution)s."),
            actor=p.actor,
            institution=_request_institution(p),
        ),
        "staff_request.approved": lambda p: _say(
            _(
                "%(actor)s przyznaje osobie %(person)s dostęp pracownika w instytucji %(institution)s."
            ),
            actor=p.actor,
            person=_request_person(p),
            institution=_request_institution(p),
        ),
        "staff_request.rejected": lambda p: _say(
            _(
                "%(actor)s odmawia osobie %(person)s dostępu pracownika w instytucji %(institution)s."
            ),
            actor=p.actor,
            person=_request_person(p),
            institution=_request_institution(p),
        ),
        "institution_request.created": _institution_request(
            _l("%(actor)s zgłasza nową instytucję: %(name)s.")
        ),
        "institution_request.approved": _institution_request(
            _l("%(actor)s przyjmuje do koalicji zgłoszoną instytucję: %(name)s.")
        ),
        "institution_request.rejected": _institution_request(
            _l("%(actor)s odrzuca zgłoszenie instytucji: %(name)s.")
        ),
        "institution.created": s(
            _l("%(actor)s dodaje do koalicji instytucję %(institution)s."), "actor", "institution"
        ),
        "institution.volunteer_coordinator": _volunteer_coordinator,
        "institution.delegation": _delegation,
        "need.created": s(
            _l("%(actor)s tworzy potrzebę %(need)s w instytucji %(institution)s."),
            "actor",
            "need",
            "institution",
        ),
        "need.updated": s(_l("%(actor)s zmienia opis potrzeby %(need)s."), "actor", "need"),
        "need.shifts_added": _shifts_added,
        "need.published": s(_l("%(actor)s publikuje potrzebę %(need)s."), "actor", "need"),
        "need.closed": s(_l("%(actor)s zamyka nabór na potrzebę %(need)s."), "actor", "need"),
        "need.cancelled": s(_l("%(actor)s odwołuje potrzebę %(need)s."), "actor", "need"),
        "shift.updated": s(
            _l("%(actor)s zmienia termin lub liczbę miejsc na zmianie %(shift)s."), "actor", "shift"
        ),
        "shift.cancelled": s(_l("%(actor)s odwołuje zmianę %(shift)s."), "actor", "shift"),
        "application.created": s(
            _l("%(actor)s zgłasza się do potrzeby %(need)s."), "actor", "need"
        ),
        "application.withdrawn": s(
            _l("%(actor)s wycofuje zgłoszenie na zmianę %(shift)s."), "actor", "shift"
        ),
        "application.accepted": s(
            _l("%(actor)s przyjmuje zgłoszenie osoby %(volunteer)s na zmianę %(shift)s."),
            "actor",
            "volunteer",
            "shift",
        ),
        "application.rejected": s(
            _l("%(actor)s odrzuca zgłoszenie osoby %(volunteer)s na zmianę %(shift)s."),
            "actor",
            "volunteer",
            "shift",
        ),
        "matching.run": _matching_run,
        "proposal.approved": s(
            _l(
                "%(actor)s zatwierdza propozycję dla osoby %(volunteer)s na zmianę %(shift)s; "
                "idzie do niej oferta."
            ),
            "actor",
            "volunteer",
            "shift",
        ),
        "proposal.rejected": s(
            _l("%(actor)s odrzuca propozycję dla osoby %(volunteer)s na zmianę %(shift)s."),
            "actor",
            "volunteer",
            "shift",
        ),
        "proposal.override": s(
            _l("%(actor)s przydziela osobę %(volunteer)s na zmianę %(shift)s poza dopasowaniem."),
            "actor",
            "volunteer",
            "shift",
        ),
        "offer.accepted": s(
            _l("%(actor)s przyjmuje ofertę na zmianę %(shift)s."), "actor", "shift"
        ),
        "offer.declined": s(_l("%(actor)s odrzuca ofertę na zmianę %(shift)s."), "actor", "shift"),
        "offer.expired": s(
            _l("Oferta dla osoby %(volunteer)s na zmianę %(shift)s wygasa bez odpowiedzi."),
            "volunteer",
            "shift",
        ),
        "shift_message.sent": s(
            _l("%(actor)s pisze do wolontariuszy potrzeby %(need)s."), "actor", "need"
        ),
        "shift_feedback.given": s(_l("%(actor)s ocenia zmianę %(shift)s."), "actor", "shift"),
        "assignment.no_show": s(
            _l("%(actor)s odnotowuje nieobecność osoby %(volunteer)s na zmianie %(shift)s."),
            "actor",
            "volunteer",
            "shift",
        ),
        "hours.confirmed": _hours_entry(
            _l(
                "%(actor)s potwierdza godziny pracy osoby %(volunteer)s w instytucji "
                "%(institution)s: %(hours)s godz."
            )
        ),
        "hours.corrected": _hours_entry(
            _l(
                "%(actor)s poprawia godziny pracy osoby %(volunteer)s w instytucji "
                "%(institution)s: z %(old)s na %(new)s godz."
            )
        ),
        "hours.rejected": _hours_entry(
            _l(
                "%(actor)s odrzuca zgłoszone godziny pracy osoby %(volunteer)s w instytucji "
                "%(institution)s: %(hours)s godz."
            )
        ),
        "child_protection_check.recorded": _check,
        "invitation.sent": _simple(
            _l("%(actor)s zaprasza osobę %(volunteer)s na zmianę %(shift)s w potrzebie %(need)s."),
            "actor",
            "volunteer",
            "shift",
            "need",
        ),
        "news.posted": _simple(
            _l("%(actor)s publikuje wiadomość na tablicy koalicji."),
            "actor",
        ),
        "news.edited": _simple(
            _l("%(actor)s poprawia wiadomość na tablicy koalicji."),
            "actor",
        ),
        "news.deleted": _simple(
            _l("%(actor)s usuwa wiadomość z tablicy koalicji."),
            "actor",
        ),
        "news.pinned": _simple(
            _l("%(actor)s przypina wiadomość na górze tablicy koalicji."),
            "actor",
        ),
        "news.unpinned": _simple(
            _l("%(actor)s odpina wiadomość z góry tablicy koalicji."),
            "actor",
        ),
        "news.hidden": _simple(
            _l("%(actor)s ukrywa wiadomość na tablicy koalicji."),
            "actor",
        ),
        "news.shown": _simple(
            _l("%(actor)s przywraca ukrytą wiadomość na tablicy koalicji."),
            "actor",
        ),
        "news.digest": _simple(
            _l("%(actor)s zmienia zapis na cotygodniowy przegląd wiadomości koalicji."),
            "actor",
        ),
        "suggestions.weekly_stopped": _simple(
            _l("%(user)s wyłącza cotygodniowy e-mail z propozycjami potrzeb."),
            "user",
        ),
        "waitlist.joined": _simple(
            _l(
                "%(actor)s zapisuje się na listę oczekujących na zmianę %(shift)s w potrzebie %(need)s."
            ),
            "actor",
            "shift",
            "need",
        ),
        "waitlist.left": _simple(
            _l("%(actor)s rezygnuje z czekania na zmianę %(shift)s w potrzebie %(need)s."),
            "actor",
            "shift",
            "need",
        ),
        "waitlist.offered": _simple(
            _l(
                "%(actor)s proponuje osobie %(volunteer)s zwolnione miejsce na zmianie %(shift)s w potrzebie %(need)s."
            ),
            "actor",
            "volunteer",
            "shift",
            "need",
        ),
        "qualification.recorded": _named(
            _l(
                "%(actor)s odnotowuje kwalifikację „%(name)s” osoby %(volunteer)s "
                "(instytucja %(institution)s)."
            ),
            "actor",
            "volunteer",
            "institution",
        ),
        "qualification.granted_for_training": _named(
            _l("%(actor)s odnotowuje kwalifikację „%(name)s” uczestnikom szkolenia %(need)s."),
            "actor",
            "need",
        ),
        "qualification.added": _named(
            _l("%(actor)s dodaje do katalogu kwalifikację „%(name)s”."), "actor"
        ),
        "qualification.updated": _named(
            _l("%(actor)s zmienia w katalogu kwalifikację „%(name)s”."), "actor"
        ),
        "qualification.deleted": _named(
            _l("%(actor)s usuwa z katalogu kwalifikację „%(name)s”."), "actor"
        ),
        "skill.added": _skill(_l("%(actor)s dodaje do słownika umiejętność „%(skill)s”.")),
        "skill.renamed": _skill(
            _l("%(actor)s zmienia nazwę umiejętności „%(old)s” na „%(skill)s”.")
        ),
        "skill.retired": _skill(_l("%(actor)s wycofuje umiejętność „%(skill)s”.")),
        "skill.restored": _skill(_l("%(actor)s przywraca umiejętność „%(skill)s”.")),
        "outbox.retry": _outbox(_l("%(actor)s ponawia wysyłkę e-maila „%(subject)s” do %(to)s.")),
        "outbox.cancelled": _outbox(
            _l("%(actor)s anuluje wysyłkę e-maila „%(subject)s” do %(to)s.")
        ),
    }
