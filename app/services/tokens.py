"""Signed, expiring links sent by e-mail."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from app.extensions import db
from app.models import User

CONFIRM_SALT = "email-confirm"
RESET_SALT = "password-reset"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_confirm_token(user: User) -> str:
    return _serializer(CONFIRM_SALT).dumps({"uid": user.id, "email": user.email})


def read_confirm_token(token: str) -> User | None:
    try:
        data = _serializer(CONFIRM_SALT).loads(
            token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("email"):
        return None
    return user


def make_reset_token(user: User) -> str:
    # The session token changes when the password does, so a used link stops working.
    return _serializer(RESET_SALT).dumps({"uid": user.id, "st": user.session_token})


def read_reset_token(token: str) -> User | None:
    try:
        data = _serializer(RESET_SALT).loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.session_token != data.get("st") or not user.is_active:
        return None
    return user
