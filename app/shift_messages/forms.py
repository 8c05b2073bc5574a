"""The form of a message to the volunteers of a need or a shift."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Regexp

from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter


def not_blank() -> DataRequired:
    """Spaces alone are no message: checked after stripping."""
    return DataRequired(message=_l("To pole jest wymagane."))


class AudienceField(SelectMultipleField):
    """Checkboxes of the groups; anything not offered is refused in Polish."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:
        offered = {str(choice.value) for choice in self.choices or []}
        if not self.data:
            raise ValidationError(_l("Wybierz, do kogo ma trafić wiadomość."))
        if any(value not in offered for value in self.data):
            raise ValidationError(_l("Wybierz grupy z listy."))


class MessageForm(FlaskForm):
    audiences = AudienceField(_l("Do kogo"), choices=[])
    subject = StringField(
        _l("Temat"),
        validators=[required(), not_blank(), max_length(150), printable_text],
        filters=[strip_filter],
    )
    body = TextAreaField(
        _l("Treść"),
        validators=[required(), not_blank(), max_length(5000), printable_text],
        filters=[strip_filter],
    )
    # One per form shown: the same form sent twice is one message.
    token = HiddenField(
        _l("Formularz"),
        validators=[
            required(),
            Regexp(r"^[0-9a-f]{32}$", message=_l("Formularz wygasł. Wyślij go ponownie.")),
        ],
    )
