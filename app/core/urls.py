"""Absolute links for e-mails, also from the scheduler where there is no request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask import has_request_context
from flask import url_for


def absolute_url(endpoint: str, **values: Any) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    # Outside a request, build against the public address; binding the URL map is cheap,
    # unlike a whole test request context per link.
    public = urlsplit(current_app.config["SERVER_NAME_FOR_EMAIL"])
    adapter = current_app.url_map.bind(
        public.netloc, script_name=public.path or "/", url_scheme=public.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
