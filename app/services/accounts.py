"""Registration, confirmation, password changes: the rules behind the account pages."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from app.core.urls import absolute_url
from app.extensions import db
from app.models import Consent
from app.models import ConsentKind
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.models.base import utcnow
from app.models.users import new_session_token
from app.services import audit
from app.services import sessions
from app.services.email_address import normalise_email
from app.services.mail import send_email
from app.services.passwords import hash_password
from app.services.passwords import needs_rehash
from app.services.passwords import verify_password
from app.services.tokens import make_confirm_token
from app.services.tokens import make_reset_token

# Verifying against a real hash when the account does not exist keeps the timing the same.
_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_volunteer(
    email: str, password: str, first_name: str, last_name: str, locale: str
) -> User | None:
    """Create an unconfirmed volunteer and send the confirmation link.

    When the address is taken, the owner gets a notice instead and the caller shows the same
    answer as for a new account, so nobody can learn who is registered.
    """
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None:
        send_email(
            existing.email,
            _("Ktoś próbował założyć konto na Twój adres"),
            "account_exists",
            locale=existing.locale,
            user=existing,
            login_url=absolute_url("auth.login"),
            reset_url=absolute_url("auth.reset_request"),
        )
        return None
    user = User(
        email=email,
        password_hash=hash_password(password),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=Role.VOLUNTEER,
        locale=locale,
    )
    user.profile = VolunteerProfile()
    db.session.add(user)
    db.session.flush()
    # The registration form asks for this consent; its history starts here.
    db.session.add(Consent(user_id=user.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
    audit.record(user, "user.registered", user)
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    send_email(
        user.email,
        _("Potwierdź adres e-mail w Giełdzie Wolontariatu OKIK"),
        "confirm_email",
        locale=user.locale,
        user=user,
        confirm_url=absolute_url("auth.confirm", token=make_confirm_token(user)),
    )


def confirm_email(user: User) -> bool:
    """Mark the address confirmed; False when it already was."""
    if user.email_confirmed_at is not None:
        return False
    user.email_confirmed_at = utcnow()
    audit.record(user, "user.email_confirmed", user)
    return True


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; the caller answers the same either way."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    send_email(
        user.email,
        _("Ustaw nowe hasło w Giełdzie Wolontariatu OKIK"),
        "reset_password",
        locale=user.locale,
        user=user,
        reset_url=absolute_url("auth.reset_password", token=make_reset_token(user)),
    )


def set_password(user: User, password: str, *, via_reset: bool = False) -> None:
    """Store a new password and end every other session of this account."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()
    sessions.end_all(user)
    # A reset link proves the owner reads the mailbox, so the address counts as confirmed.
    if via_reset and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    audit.record(user, "user.password_reset" if via_reset else "user.password_changed", user)
