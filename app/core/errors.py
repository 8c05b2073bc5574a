"""Error pages in the user's language, and JSON for API clients."""

from __future__ import annotations

import logging

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

from app.extensions import db
from app.extensions import login_manager

log = logging.getLogger(__name__)


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Nieprawidłowe żądanie"),
            _("Nie udało się odczytać przesłanych danych. Wróć i spróbuj ponownie."),
        ),
        403: (_("Brak dostępu"), _("Nie masz uprawnień do tej strony.")),
        404: (_("Nie znaleziono strony"), _("Ta strona nie istnieje albo została przeniesiona.")),
        405: (_("Niedozwolona operacja"), _("Tej strony nie można otworzyć w ten sposób.")),
        413: (_("Za dużo danych"), _("Przesłane dane są za duże.")),
        429: (
            _("Zbyt wiele prób"),
            _("Wykonano zbyt wiele prób w krótkim czasie. Odczekaj chwilę i spróbuj ponownie."),
        ),
        500: (
            _("Błąd serwera"),
            _("Coś poszło nie tak po naszej stronie. Spróbuj ponownie za chwilę."),
        ),
        503: (
            _("Serwis chwilowo niedostępny"),
            _("Baza danych jest chwilowo niedostępna. Spróbuj ponownie za kilka minut."),
        ),
    }


def render_error(code: int, message: str | None = None):
    """The error page for `code`; `message` replaces its general explanation when the view knows
    what exactly was wrong."""
    title, general = _titles().get(code, _titles()[500])
    message = message or general
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, message=message, status=code), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        code = exc.code or 500
        if code >= 500:
            db.session.rollback()
        body, status = render_error(code)
        # The exception's own headers say what the client may do next: Allow on a 405 (RFC 9110
        # requires it), WWW-Authenticate, Retry-After. The body is ours, so its type is too.
        headers = {
            name: value
            for name, value in exc.get_headers()
            if name.lower() not in ("content-type", "content-length")
        }
        if code == 429:
            headers["Retry-After"] = "60"
        return body, status, headers

    @app.errorhandler(OperationalError)
    def handle_db_down(exc: OperationalError):
        log.error("Database unavailable: %s", exc.orig)
        db.session.rollback()
        # The page must not need the database: the signed-in user can be neither loaded nor
        # refreshed now (the language choice and the menu would ask for it and fail again), so
        # this one page is drawn as for a visitor. The session cookie is untouched: the person
        # is still signed in once the database is back.
        login_manager._update_request_context_with_user()
        return render_error(503)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http(exc)
        log.exception("Unhandled error", exc_info=exc)
        db.session.rollback()
        return render_error(InternalServerError.code)
