"""The application form on a need's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, TextAreaField, ValidationError

from app.forms_common import max_length, printable_text, strip_filter

MAX_ID = 2**31 - 1


def shift_id(value: object) -> int:
    """A shift id as sent by a checkbox; anything else is refused before it reaches the database."""
    number = int(str(value), 10)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def at_least_one(form: FlaskForm, field: SelectMultipleField) -> None:
    if not field.data:
        raise ValidationError(_l("Wybierz co najmniej jedną zmianę."))


class ApplyForm(FlaskForm):
    # The checkboxes are drawn by the template (with dates and places left); the service checks
    # that each chosen shift belongs to the need and is still open.
    shifts = SelectMultipleField(
        _l("Zmiany, na które się zgłaszasz"),
        coerce=shift_id,
        choices=[],
        validate_choice=False,
        validators=[at_least_one],
    )
    message = TextAreaField(
        _l("Wiadomość do instytucji (opcjonalnie)"),
        description=_l("Np. o Twoim doświadczeniu albo pytanie do organizatorów."),
        validators=[max_length(2000), printable_text],
        filters=[strip_filter],
    )
