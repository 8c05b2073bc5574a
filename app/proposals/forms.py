from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import NumberRange

from app.core.forms import MAX_ID
from app.core.forms import IdListField
from app.core.forms import MultiCheckboxField
from app.core.forms import date_field
from app.core.forms import email_field
from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter


class RunForm(FlaskForm):
    institutions = MultiCheckboxField(_l("Instytucje (puste: cała koalicja)"), validate_choice=True)
    date_from = date_field(_l("Od dnia"), optional=True)
    date_to = date_field(_l("Do dnia"), optional=True)

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Data końcowa nie może być wcześniejsza niż początkowa."))


class OverrideForm(FlaskForm):
    shift_id = IntegerField(
        _l("Numer zmiany"),
        validators=[
            required(),
            NumberRange(min=1, max=MAX_ID, message=_l("Podaj numer zmiany z listy.")),
        ],
    )
    volunteer_email = email_field(_l("E-mail wolontariusza"))
    reason = TextAreaField(
        _l("Powód przydziału poza propozycjami"),
        validators=[required(), max_length(500), printable_text],
        filters=[strip_filter],
    )


class DecideForm(FlaskForm):
    """The proposals ticked on a run's page; the action comes from the button pressed."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST before the view runs

    ids = IdListField()
