from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField

from app.core.forms import max_length, printable_text, required, strip_filter


class ButtonForm(FlaskForm):
    """A button that only needs the CSRF token."""


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decyzja"),
        choices=[SelectChoice("approve", _l("Zatwierdź")), SelectChoice("reject", _l("Odrzuć"))],
        validators=[required()],
    )
    note = TextAreaField(
        _l("Uzasadnienie (opcjonalnie)"),
        validators=[max_length(1000), printable_text],
        filters=[strip_filter],
    )
