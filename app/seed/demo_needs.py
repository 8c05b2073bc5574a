"""A published demo need from its description in the demo content, the same for today's needs
and for the year of history."""

from __future__ import annotations

from typing import Any

from app.models import Institution
from app.models import Need
from app.models import NeedKind
from app.models import NeedStatus


def published_need(spec: dict[str, Any], host: Institution, **fields: Any) -> Need:
    """The need a spec describes, published by its host; ``fields`` add or override columns."""
    values: dict[str, Any] = {
        "institution": host,
        "title": spec["title"],
        "description": spec["description"],
        "kind": NeedKind(spec["kind"]),
        "status": NeedStatus.PUBLISHED,
        "place": spec["place"],
        "min_age": spec["min_age"],
        "offers_certificate": True,
        "contact_name": "Koordynator wolontariatu",
        "contact_email": host.contact_email,
    }
    values.update(fields)
    return Need(**values)
