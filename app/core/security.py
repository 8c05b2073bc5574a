"""Response headers that keep browsers strict about what the pages may do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

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


F = TypeVar("F", bound=Callable[..., Any])


def frameable(view: F) -> F:
    """Mark a view as one that members' websites may show in an iframe (the widgets).

    Every other page refuses to be framed (clickjacking): only marked views get a
    frame-ancestors other than 'none', and no X-Frame-Options."""
    view.is_frameable = True  # type: ignore[attr-defined]
    return view


def _frame_ancestors(app: Flask) -> str | None:
    """The sites that may frame this response: None for every page but a marked view."""
    view = app.view_functions.get(request.endpoint or "")
    if not getattr(view, "is_frameable", False):
        return None
    allowed = app.config.get("WIDGET_FRAME_ANCESTORS") or "*"
    return " ".join(allowed.split())


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
        ancestors = _frame_ancestors(app)
        if ancestors is None:
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
        else:
            policy = CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
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
