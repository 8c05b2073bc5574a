"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import AuditLog, User


def record(actor: User | None, action: str, obj: Any, **details: Any) -> AuditLog:
    """Add an audit entry to the current transaction, so it commits with the change it describes."""
    # Views pass current_user, a proxy: the entry names the record behind it, not the proxy.
    obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
    entry = AuditLog(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry
