"""A page asks for hundreds of strings, so its catalogue is found once per request; an e-mail
rendered inside the request in the recipient's language still gets that language's words."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from app.core.i18n import gettext
from app.core.i18n import ngettext


def test_an_english_page_an_email_in_polish_inside_it_and_the_page_again(app):
    cookie = app.config["LOCALE_COOKIE"]
    with app.test_request_context("/", headers={"Cookie": f"{cookie}=en"}):
        assert gettext("Zaloguj się") == "Sign in"
        assert render_template_string('{{ _("Zaloguj się") }}') == "Sign in"
        with force_locale("pl"):
            assert gettext("Zaloguj się") == "Zaloguj się"
            assert render_template_string('{{ _("Zaloguj się") }}') == "Zaloguj się"
        assert gettext("Zaloguj się") == "Sign in"


def test_plural_forms_follow_polish_grammar(app):
    with app.test_request_context("/"):
        words = [
            ngettext("%(num)d nieobsadzona zmiana.", "%(num)d nieobsadzonych zmian.", n)
            for n in (1, 2, 5)
        ]
    assert words == ["1 nieobsadzona zmiana.", "2 nieobsadzone zmiany.", "5 nieobsadzonych zmian."]
