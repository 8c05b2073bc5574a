"""Forms of the hours pages: confirmation, no-show, correction, own logs, the named coordinator."""

from __future__ import annotations

import math
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import DataRequired

from app.core.forms import date_field
from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter
from app.models import User


class HoursField(StringField):
    """Hours as people type them: "4", "2,5" or "2.5"; more than 0 and at most 24."""

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.hours: float | None = None

    def pre_validate(self, form) -> None:
        raw = (self.data or "").strip().replace(",", ".")
        self.hours = None
        if not raw:
            return
        try:
            value = float(raw) if len(raw) <= 10 else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValidationError(_l("Podaj liczbę godzin, np. 4 albo 2,5."))
        value = round(value, 2)
        if not 0 < value <= 24:
            raise ValidationError(_l("Liczba godzin musi być większa od 0 i nie większa niż 24."))
        self.hours = value

    @property
    def valid_hours(self) -> float:
        """The hours of a form that validated: the field is required, so they are there."""
        if self.hours is None:
            raise ValueError("hours read before the form was validated")
        return self.hours


def hours_field(label) -> HoursField:
    return HoursField(label, validators=[required()], filters=[strip_filter])


def not_blank() -> DataRequired:
    """Spaces alone are no reason: the value is checked after stripping."""
    return DataRequired(message=_l("To pole jest wymagane."))


def reason_field(label) -> StringField:
    return StringField(
        label,
        validators=[required(), not_blank(), max_length(300), printable_text],
        filters=[strip_filter],
    )


class ConfirmForm(FlaskForm):
    hours = hours_field(_l("Godziny"))


class NoShowForm(FlaskForm):
    reason = reason_field(_l("Powód nieobecności"))


class CorrectForm(FlaskForm):
    hours = hours_field(_l("Poprawione godziny"))
    reason = reason_field(_l("Powód poprawki"))


class RejectForm(FlaskForm):
    reason = reason_field(_l("Powód odrzucenia"))


class EmptyForm(FlaskForm):
    """A button: only the CSRF token."""


class LogForm(FlaskForm):
    need = SelectField(_l("Współpraca"), coerce=str, validators=[required()])
    worked_on = date_field(_l("Data"), description=_l("Nie może być z przyszłości."))
    hours = hours_field(_l("Godziny"))
    description = TextAreaField(
        _l("Wykonana praca"),
        validators=[required(), not_blank(), max_length(500), printable_text],
        filters=[strip_filter],
    )

    def values(self) -> tuple[int, date, float, str]:
        """Need id, day, hours and description, in the order hours.log_own_hours takes them."""
        return (
            int(self.need.data),
            self.worked_on.data,
            self.hours.valid_hours,
            self.description.data,
        )


class CoordinatorForm(FlaskForm):
    person = SelectField(_l("Koordynator(ka) wolontariatu"), coerce=str, validators=[required()])

    staff: list[User] = []

    def offer(self, staff: list[User]) -> None:
        """The institution's staff are the only choices."""
        self.staff = staff
        self.person.choices = [SelectChoice("", _("Wybierz"))] + [
            SelectChoice(str(u.id), f"{u.full_name} ({u.email})") for u in staff
        ]

    def chosen(self) -> User | None:
        return next((u for u in self.staff if str(u.id) == self.person.data), None)
