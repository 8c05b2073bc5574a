"""Filters and globals the templates share: Warsaw times, role navigation, languages."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask import current_app
from flask import request
from flask import url_for
from flask_babel import format_date
from flask_babel import format_datetime
from flask_babel import format_decimal
from flask_babel import format_time
from flask_babel import get_locale
from flask_babel import get_timezone
from flask_login import current_user
from jinja2 import Undefined
from markupsafe import Markup
from markupsafe import escape

from app.core.content_language import content_lang_attrs
from app.core.i18n import gettext as _
from app.core.labels import audit_kind_label
from app.core.labels import template_labels


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    kwargs: tuple[tuple[str, Any], ...] = ()

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **dict(self.kwargs))

    @property
    def is_current(self) -> bool:
        return request.endpoint == self.endpoint


def navigation() -> list[NavItem]:
    """What the signed-in person can do, as links in the main menu.

    Items whose page does not exist in this app are left out, so features can be added one by one.
    """
    items = [
        NavItem(_("Potrzeby"), "needs.search"),
        NavItem(_("Kalendarz"), "calendar.month"),
        NavItem(_("Instytucje"), "institutions.directory"),
    ]
    if current_user.is_authenticated:
        items.insert(0, NavItem(_("Pulpit"), "dashboard.index"))
        if current_user.is_volunteer:
            items.append(NavItem(_("Mój grafik"), "volunteers.schedule"))
            items.append(NavItem(_("Oferty"), "proposals.my_offers"))
            items.append(NavItem(_("Moje godziny"), "hours.mine"))
            items.append(NavItem(_("Zamelduj się"), "checkin.self_check_in"))
            items.append(NavItem(_("Oceń zmiany"), "feedback.mine"))
            items.append(NavItem(_("Dokumenty"), "documents.mine"))
            items.append(NavItem(_("Mój profil"), "volunteers.profile"))
        if current_user.is_staff:
            for membership in current_user.memberships:
                name, slug = membership.institution.short_name, membership.institution.slug
                for label, endpoint in (
                    (_("Moja instytucja: %(name)s", name=name), "manage.institution"),
                    (_("Propozycje: %(name)s", name=name), "proposals.for_institution"),
                    (_("Raporty: %(name)s", name=name), "reports.institution"),
                ):
                    items.append(NavItem(label, endpoint, (("slug", slug),)))
        if current_user.is_staff or current_user.is_coordinator:
            items.append(NavItem(_("Wiadomości z koalicji"), "news.board"))
            items.append(NavItem(_("Godziny do potwierdzenia"), "hours.pending"))
            items.append(NavItem(_("Dokumenty wolontariuszy"), "documents.staff_list"))
            items.append(NavItem(_("Oceny zmian"), "feedback.results"))
        if current_user.is_coordinator:
            items.append(NavItem(_("Korpus Solidarności"), "hours.korpus_month"))
            items.append(NavItem(_("Potrzeby instytucji"), "manage.index"))
            items.append(NavItem(_("Dopasowania"), "proposals.index"))
            items.append(NavItem(_("Raporty"), "reports.dashboard"))
            items.append(NavItem(_("Wnioski"), "coordination.requests"))
            items.append(NavItem(_("Kwalifikacje"), "qualifications.catalogue"))
            items.append(NavItem(_("Dziennik zdarzeń"), "coordination.audit_log"))
        if current_user.is_admin:
            items.append(NavItem(_("Użytkownicy"), "admin.users"))
            items.append(NavItem(_("Umiejętności"), "admin.skills"))
            items.append(NavItem(_("Wysyłka e-maili"), "notifications.outbox"))
        items.append(NavItem(_("Moje konto"), "account.overview"))
    return [item for item in items if item.endpoint in current_app.view_functions]


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Show a stored UTC time in Europe/Warsaw, in the reader's language.

    Long lists show the same few times on every view, and Babel's formatting is the dearest
    part of a row, so each process remembers recent results by everything they depend on.
    """
    if value is None:
        return ""
    return _formatted(value, fmt, str(get_locale()), str(get_timezone()))


@functools.lru_cache(maxsize=8192)
def _formatted(value: datetime, fmt: str, locale: str, timezone: str) -> str:
    # Called within the request whose locale and time zone the key names.
    return format_datetime(value, fmt)


def number(value: object, fmt: str | None = None) -> str:
    """A figure as the reader's language writes it: "0,022" in Polish, "0.022" in English.

    What is not a number (missing from older records, say) is shown as it is, never an error.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None or isinstance(value, Undefined) else str(value)
    return format_decimal(value, fmt)


def content_lang() -> Markup:
    """` lang="pl"` for an element that holds text people wrote (an <option>, a <p>), when the
    page is in another language; nothing on Polish pages (app/core/content_language.py)."""
    attrs = content_lang_attrs()
    if not attrs:
        return Markup("")
    return Markup(' lang="{}"').format(attrs["lang"])


def in_polish(text: object) -> Markup:
    """Text people wrote, escaped, in a `<span lang="pl">` when the page is not in Polish: for
    a title or a name inside a sentence of the interface (`{{ need.title|pl }}`)."""
    if text is None or isinstance(text, Undefined) or text == "":
        return Markup("")
    lang = content_lang()
    if not lang:
        return escape(text)
    return Markup("<span{}>{}</span>").format(lang, text)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = lambda v, fmt="medium": (
        "" if v is None else format_date(v, fmt)
    )
    # The time of day alone, in Warsaw and the reader's language ("14:00", "2:00 PM"): the end
    # of a shift whose start shows the date.
    app.jinja_env.filters["local_time"] = lambda v, fmt="short": (
        "" if v is None else format_time(v, fmt)
    )
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["pl"] = in_polish
    app.jinja_env.globals["content_lang"] = content_lang
    from app.services.limits import coalition_limits

    # The coalition's limits, shown where staff may override them for a need.
    app.jinja_env.globals["coalition_limits"] = coalition_limits
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from app.services.notices import notice_text

    @app.context_processor
    def inject() -> dict:
        return {
            "notice_text": notice_text,
            "navigation": navigation,
            **template_labels(),
            "action_label": audit_kind_label,
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": app.config["LANGUAGES"],
        }
