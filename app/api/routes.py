"""The public read-only JSON API: needs, institutions and the OpenAPI document describing them."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import Response
from flask import abort
from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.api.blueprint import bp
from app.api.openapi import openapi_document
from app.api.serializers import institution_json
from app.api.serializers import need_json
from app.core.text import polish
from app.extensions import db
from app.models import Institution
from app.models import Need
from app.models import NeedStatus
from app.services import search_cache
from app.services.search import parse_filters
from app.services.search import public_need
from app.services.search import search


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    """Let institutions' websites read the feed from their own pages (it holds no personal data).

    Answers follow Accept-Language, so caches keep one copy per language."""
    response.vary.add("Accept-Language")
    response.headers["Content-Language"] = str(get_locale())
    if request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _url(need: Need) -> str:
    return url_for("needs.detail", need_id=need.id, _external=True)


def cached_json(data, last_modified: datetime | None = None) -> Response:
    """A JSON answer with an ETag from its body; a matching If-None-Match gets 304 without it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    etag = hashlib.sha256(body).hexdigest()[:40]
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def bad_request(errors: dict[str, str]) -> Response:
    response = jsonify(
        error=_("Nieprawidłowe żądanie"),
        message=" ".join(errors.values()),
        status=400,
        errors=errors,
    )
    response.status_code = 400
    return response


def _search_page_json(filters) -> str:
    """One page of search results as the cache stores it: the API's data and the newest change."""
    result = search(filters, clamp_page=False)
    newest = max((n.updated_at for n in result.needs), default=None)
    data = {
        "items": [need_json(n, _url) for n in result.needs],
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total,
    }
    return json.dumps({"data": data, "modified": newest.isoformat() if newest else None})


def _search_page(filters) -> tuple[dict, datetime | None]:
    """The page's data and last change, from the search cache (per language) when it has them."""
    key = hashlib.sha256(repr(filters).encode()).hexdigest()
    parts = ("api", str(get_locale()), key)
    stored = json.loads(search_cache.rendered(parts, lambda: _search_page_json(filters)))
    modified = stored["modified"] and datetime.fromisoformat(stored["modified"])
    return stored["data"], modified or None


@bp.get("/needs")
def needs():
    """List published needs with a future shift, filtered like the search page."""
    parsed = parse_filters(request.args, strict=True)
    if parsed.errors:
        return bad_request(parsed.errors)
    return cached_json(*_search_page(parsed.filters))


@bp.get("/needs/<int:need_id>")
def need(need_id: int):
    """Show one published need."""
    found = public_need(need_id, statuses=(NeedStatus.PUBLISHED,))
    if found is None:
        abort(404)
    return cached_json(need_json(found, _url), found.updated_at)


@bp.get("/institutions")
def institutions():
    """List the coalition's active institutions."""
    rows = db.session.scalars(
        select(Institution).where(Institution.is_active).order_by(polish(Institution.name))
    )
    return cached_json([institution_json(i) for i in rows])


@bp.get("/openapi.json")
def openapi():
    """Describe this API in OpenAPI 3.0."""
    server = url_for("api.needs", _external=True).rsplit("/needs", 1)[0]
    return jsonify(openapi_document(server))
