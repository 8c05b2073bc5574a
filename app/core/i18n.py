"""Translated strings for pages that show hundreds of them.

Flask-Babel finds the catalogue anew for every string: the domain, the locale and its name, each
through the request's globals. A run's review page asks for some 300 strings, which made that
search a tenth of the page's time. Here the catalogue is remembered on the request for as long
as its locale object holds; `force_locale` (an e-mail in the recipient's language) puts another
locale object in place, so the catalogue is looked up again for it and again after it.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import g
from flask import has_app_context
from flask_babel import get_locale
from flask_babel import get_translations

# Where a request keeps its (locale, catalogue).
_REMEMBERED = "_i18n_catalogue"


def translations() -> NullTranslations:
    """The current locale's catalogue."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    remembered = g.get(_REMEMBERED)
    if remembered is not None and remembered[0] is locale:
        return remembered[1]
    catalogue = get_translations()
    setattr(g, _REMEMBERED, (locale, catalogue))
    return catalogue


def gettext(string: str, **variables: Any) -> str:
    """`flask_babel.gettext`, with the catalogue found once per locale and request."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """`flask_babel.ngettext`, likewise; `num` is in the variables, as there."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def install(app: Any) -> None:
    """Templates' `_`, `gettext` and `ngettext` use the remembered catalogue too."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
