"""Response headers that keep browsers strict about what the pages may do."""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import abort
from flask import g
from flask import request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'; frame-ancestors 'none'"
)


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def init_security_headers(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes() -> None:
        """No person types a NUL byte, and PostgreSQL cannot store one: answer 400 early."""
        if _has_nul(request.args) or (request.method != "GET" and _has_nul(request.form)):
            abort(400)

    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # What a signed-in person sees is theirs, never for a search engine. The user is read
        # only if the request already loaded it: a static file asks nothing of the database.
        user = g.get("_login_user")
        if user is not None and user.is_authenticated:
            response.headers.setdefault("X-Robots-Tag", "noindex")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
