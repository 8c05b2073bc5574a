from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from app.core.forms import date_field
from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import record_id
from app.core.forms import required
from app.core.forms import strip_filter


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


def _optional_id(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    return record_id(value)


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form needs no CSRF token)."""

    class Meta:
        csrf = False

    person = StringField(
        _l("Osoba (imię, nazwisko lub e-mail)"),
        validators=[max_length(100), printable_text],
        filters=[strip_filter],
    )
    person_id = StringField(widget=HiddenInput(), filters=[strip_filter])
    institution = SelectField(_l("Instytucja"), coerce=_optional_id, validate_choice=True)
    kind = SelectField(_l("Rodzaj zdarzenia"), default="", validate_choice=True)
    date_from = date_field(_l("Od dnia"), optional=True)
    date_to = date_field(_l("Do dnia"), optional=True)

    def __init__(
        self,
        institutions: list[tuple[int, str]] | None = None,
        kinds: dict[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        institutions, kinds = institutions or [], kinds or {}
        self.institution.choices = [SelectChoice(None, _l("wszystkie"))] + [
            SelectChoice(iid, name) for iid, name in institutions
        ]
        self.kind.choices = [SelectChoice("", _l("wszystkie"))] + [
            SelectChoice(code, label) for code, label in kinds.items()
        ]

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Data końcowa nie może być wcześniejsza niż początkowa."))

    def validate_person_id(self, field) -> None:
        if field.data:
            try:
                record_id(field.data)
            except ValueError:
                raise ValidationError(_l("Nie ma takiej osoby.")) from None

    @property
    def person_key(self) -> int | None:
        """The person a link chose (the log of one person), once the form is valid."""
        return int(self.person_id.data) if self.person_id.data else None
