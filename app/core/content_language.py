"""The language of what people write here, and how a page in another language marks it.

Need titles and descriptions, institution names, applicants' messages and staff notes are
written in Polish whatever language a reader picked. On a page in another language each such
piece carries lang="pl" (WCAG 3.1.2, language of parts), so that a screen reader reads it with
Polish pronunciation; on a Polish page the page's own lang already says so.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale

CONTENT_LANGUAGE = "pl"


def content_lang_attrs() -> dict[str, str]:
    """HTML attributes for an element holding text people wrote: {"lang": "pl"} on a page in
    another language, nothing on a Polish page (or outside a request)."""
    if not has_request_context():
        return {}
    if str(get_locale() or CONTENT_LANGUAGE) == CONTENT_LANGUAGE:
        return {}
    return {"lang": CONTENT_LANGUAGE}
