"""Telling people in the app that something changed for them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.extensions import db
from app.models import Notice


def notify(user_ids: Iterable[int], kind: str, need_id: int | None = None, **params: Any) -> int:
    """Queue one notice per person (each person once); returns how many were written."""
    unique = sorted(set(user_ids))
    for user_id in unique:
        db.session.add(Notice(user_id=user_id, kind=kind, params=params, need_id=need_id))
    return len(unique)
