"""Record ids as people send them in forms and addresses."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

# PostgreSQL integer keys end here: a larger number names no record, and sending it to the
# database would fail instead of finding nothing.
MAX_ID = 2**31 - 1


def record_or_404(model: type[T], ident: int) -> T:
    """The record with this id from an address, or a 404 page (also for ids no key can hold)."""
    from flask import abort

    from app.extensions import db

    obj = db.session.get(model, ident) if 0 < ident <= MAX_ID else None
    if obj is None:
        abort(404)
    return obj
