"""The one form of an offer's page: the optional reason given when declining."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import strip_filter


class DeclineForm(FlaskForm):
    note = TextAreaField(
        _l("Powód (opcjonalnie)"),
        validators=[max_length(500), printable_text],
        filters=[strip_filter],
    )
