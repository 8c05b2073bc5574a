from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import ValidationError

from app.auth.forms import NewPasswordMixin
from app.core.forms import max_length
from app.core.forms import required
from app.services.passwords import verify_password


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Obecne hasło"), validators=[required(), max_length(128)])

    def _email_for_policy(self) -> str:
        return current_user.email

    def validate_current_password(self, field) -> None:
        if not verify_password(current_user.password_hash, field.data or ""):
            raise ValidationError(_l("Obecne hasło jest nieprawidłowe."))
