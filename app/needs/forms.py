"""The application form on a need's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms import TextAreaField
from wtforms import ValidationError

from app.core.forms import IdListField
from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import strip_filter


def at_least_one(form: FlaskForm, field: Field) -> None:
    if not field.data:
        raise ValidationError(_l("Wybierz co najmniej jedną zmianę."))


class ApplyForm(FlaskForm):
    # The checkboxes are drawn by the template (with dates and places left); the service checks
    # that each chosen shift belongs to the need and is still open.
    shifts = IdListField(_l("Zmiany, na które się zgłaszasz"), validators=[at_least_one])
    message = TextAreaField(
        _l("Wiadomość do instytucji (opcjonalnie)"),
        description=_l("Np. o Twoim doświadczeniu albo pytanie do organizatorów."),
        validators=[max_length(2000), printable_text],
        filters=[strip_filter],
    )


class WaitlistForm(FlaskForm):
    """Joining or leaving a full shift's waiting list: one button, the shift is in the path."""
