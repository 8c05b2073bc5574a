"""Sign-ins kept on the server, so that logging out or changing the password really ends them.

The session cookie is signed but not secret to whoever holds it: a copy keeps working until the
server forgets the sign-in it names. Each sign-in therefore has a row; the cookie carries a random key
and the row only its SHA-256, so a leaked table does not hand out live sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.models import UserSession
from app.models.base import utcnow


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User) -> str:
    """Record a new sign-in for `user` and make `user.get_id()` name it; returns the key."""
    lifetime: timedelta = current_app.config["REMEMBER_COOKIE_DURATION"]
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < utcnow() - lifetime
        )
    )
    key = secrets.token_urlsafe(24)
    db.session.add(UserSession(user_id=user.id, key_hash=_hash(key)))
    user.session_key = key
    return key


def end(user: User) -> None:
    """Forget the sign-in `user` was loaded with (logging out)."""
    if user.session_key:
        db.session.execute(
            delete(UserSession).where(UserSession.key_hash == _hash(user.session_key))
        )
    user.session_key = None


def end_all(user: User) -> None:
    """Forget every sign-in of `user`: a new password, a deleted account."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.session_key = None


def load(identity: str) -> User | None:
    """The user of a live sign-in named by a cookie's `"<user id>:<key>"`, in one query."""
    user_id, _sep, key = identity.partition(":")
    if not user_id.isdigit() or not key or len(key) > 64:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            UserSession.key_hash == _hash(key),
            # Switching an account off ends its sign-ins; this holds even for one started meanwhile.
            User.is_active_account.is_(True),
        )
    )
    if user is not None:
        user.session_key = key
    return user
