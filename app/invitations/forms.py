"""The invitation button, the answer to an invitation, and the weekly e-mail's opt-out."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import StringField
from wtforms.validators import ValidationError

from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import strip_filter
from app.core.ids import MAX_ID


class InviteForm(FlaskForm):
    """One click: the volunteer's id travels in a hidden field beside the button."""

    volunteer_id = HiddenField()

    def validate_volunteer_id(self, field) -> None:
        value = (field.data or "").strip()
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            raise ValidationError(_l("Wybierz osobę z listy polecanych wolontariuszy."))
        field.data = value

    @property
    def volunteer(self) -> int:
        return int(self.volunteer_id.data)


class AnswerForm(FlaskForm):
    """Accepting an invitation: the button is all there is."""


class DeclineInvitationForm(FlaskForm):
    note = StringField(
        _l("Powód (opcjonalnie)"),
        validators=[max_length(500), printable_text],
        filters=[strip_filter],
    )


class StopSuggestionsForm(FlaskForm):
    """The opt-out button behind the link in the weekly e-mail."""
