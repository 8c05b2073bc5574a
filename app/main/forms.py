from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from app.forms_common import required


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Język"),
        choices=[("pl", "Polski"), ("en", "English")],
        validators=[required()],
    )
    next = HiddenField()
