"""The form of a volunteer's rating of a shift."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import TextAreaField
from wtforms import ValidationError

from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import strip_filter

RATINGS = [
    SelectChoice("5", _l("5 – bardzo dobrze")),
    SelectChoice("4", _l("4 – dobrze")),
    SelectChoice("3", _l("3 – tak sobie")),
    SelectChoice("2", _l("2 – słabo")),
    SelectChoice("1", _l("1 – źle")),
]


class RatingField(RadioField):
    def pre_validate(self, form) -> None:
        if self.data not in {choice.value for choice in RATINGS}:
            raise ValidationError(_l("Wybierz ocenę od 1 do 5."))


class FeedbackForm(FlaskForm):
    rating = RatingField(_l("Jak oceniasz tę zmianę?"), choices=RATINGS, validate_choice=False)
    comment = TextAreaField(
        _l("Komentarz (nieobowiązkowy)"),
        validators=[max_length(1000), printable_text],
        filters=[strip_filter],
    )
