"""Forms of the check-in pages: the times of a late arrival or an early leave, the shift's code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms import TimeField
from wtforms.validators import DataRequired
from wtforms.validators import Optional
from wtforms.validators import Regexp

from app.core.forms import max_length
from app.core.forms import required
from app.core.forms import strip_filter

BAD_TIME = _l("Podaj poprawną godzinę, np. 10:15.")


class EmptyForm(FlaskForm):
    """A one-tap button: only the CSRF token."""


class TimesForm(FlaskForm):
    arrived = TimeField(
        _l("Godzina przyjścia"), validators=[Optional()], invalid_value_message=BAD_TIME
    )
    left = TimeField(_l("Godzina wyjścia"), validators=[Optional()], invalid_value_message=BAD_TIME)


class CodeForm(FlaskForm):
    code = StringField(
        _l("Kod zmiany"),
        description=_l("Sześć znaków z kartki lub ekranu u osoby prowadzącej zmianę."),
        validators=[
            required(),
            DataRequired(message=_l("To pole jest wymagane.")),
            max_length(20),
            Regexp(r"^[A-Za-z0-9 -]*$", message=_l("Kod składa się z liter i cyfr.")),
        ],
        filters=[strip_filter],
    )
