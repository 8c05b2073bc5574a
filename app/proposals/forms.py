from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectMultipleField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import NumberRange, Optional

from app.forms_common import email_validators, max_length, printable_text, required, strip_filter


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RunForm(FlaskForm):
    institutions = MultiCheckboxField(
        _l("Instytucje (puste: cała koalicja)"), coerce=int, validate_choice=True
    )
    date_from = DateField(_l("Od dnia"), validators=[Optional()])
    date_to = DateField(_l("Do dnia"), validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Data końcowa nie może być wcześniejsza niż początkowa."))


class OverrideForm(FlaskForm):
    shift_id = IntegerField(
        _l("Numer zmiany"),
        validators=[
            required(),
            NumberRange(min=1, max=2**31 - 1, message=_l("Podaj numer zmiany z listy.")),
        ],
    )
    volunteer_email = EmailField(
        _l("E-mail wolontariusza"), validators=email_validators(), filters=[strip_filter]
    )
    reason = TextAreaField(
        _l("Powód przydziału poza propozycjami"),
        validators=[required(), max_length(500), printable_text],
        filters=[strip_filter],
    )


class DeclineForm(FlaskForm):
    note = TextAreaField(
        _l("Powód (opcjonalnie)"),
        validators=[max_length(500), printable_text],
        filters=[strip_filter],
    )
