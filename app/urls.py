"""Absolute links for e-mails, also from the scheduler where there is no request."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values: object) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["SERVER_NAME_FOR_EMAIL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
