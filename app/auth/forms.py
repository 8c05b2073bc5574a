from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms.validators import EqualTo
from wtforms.validators import ValidationError

from app.core.forms import email_field
from app.core.forms import max_length
from app.core.forms import person_name_field
from app.core.forms import required
from app.services.passwords import password_problems


class LoginForm(FlaskForm):
    email = email_field(_l("Adres e-mail"))
    password = PasswordField(_l("Hasło"), validators=[required(), max_length(128)])
    remember = BooleanField(_l("Zapamiętaj mnie na tym urządzeniu"))
    next = HiddenField()


class NewPasswordMixin:
    password = PasswordField(
        _l("Hasło"),
        validators=[required()],
        description=_l("Co najmniej 10 znaków. Nie używaj adresu e-mail ani popularnych haseł."),
    )
    password2 = PasswordField(
        _l("Powtórz hasło"),
        validators=[required(), EqualTo("password", message=_l("Hasła nie są takie same."))],
    )

    def _email_for_policy(self) -> str:
        return ""

    def validate_password(self, field) -> None:
        problems = password_problems(field.data or "", self._email_for_policy())
        if problems:
            raise ValidationError(" ".join(problems))


class RegistrationForm(NewPasswordMixin, FlaskForm):
    first_name = person_name_field(_l("Imię"))
    last_name = person_name_field(_l("Nazwisko"))
    email = email_field(_l("Adres e-mail"))
    accept_terms = BooleanField(
        _l(
            "Zgadzam się na przetwarzanie moich danych osobowych w celu udziału w wolontariacie OKIK."
        ),
        validators=[required()],
    )

    def _email_for_policy(self) -> str:
        return self.email.data or ""


class ResetRequestForm(FlaskForm):
    email = email_field(_l("Adres e-mail"))


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._email = email

    def _email_for_policy(self) -> str:
        return self._email


class ResendConfirmationForm(FlaskForm):
    email = email_field(_l("Adres e-mail"))
