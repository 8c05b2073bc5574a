from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import SelectChoice
from wtforms import SelectField

from app.core.forms import required


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Język"),
        choices=[SelectChoice("pl", "Polski"), SelectChoice("en", "English")],
        validators=[required()],
    )
    next = HiddenField()
