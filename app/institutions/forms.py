from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.validators import URL
from wtforms.validators import Optional

from app.core.forms import email_field
from app.core.forms import max_length
from app.core.forms import number_choice
from app.core.forms import placeholder
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter
from app.core.forms import written_choice
from app.core.labels import institution_kind_labels
from app.models import Institution
from app.models import InstitutionKind


def kind_choices() -> list[SelectChoice]:
    labels = institution_kind_labels()
    return [SelectChoice(k.value, labels[k]) for k in InstitutionKind]


class StaffRequestForm(FlaskForm):
    institution_id = SelectField(
        _l("Instytucja"), coerce=number_choice, validators=[required()], validate_choice=True
    )
    position = StringField(
        _l("Stanowisko lub rola w instytucji"),
        validators=[required(), max_length(120), printable_text],
        filters=[strip_filter],
    )
    message = TextAreaField(
        _l("Wiadomość dla koordynatora (opcjonalnie)"),
        validators=[max_length(2000), printable_text],
        filters=[strip_filter],
    )

    def offer(self, institutions: list[Institution]) -> None:
        """The coalition's active institutions, after a prompt to pick one."""
        self.institution_id.choices = [placeholder(_("— wybierz instytucję —"))] + [
            written_choice(i.id, i.name) for i in institutions
        ]


class InstitutionRequestForm(FlaskForm):
    name = StringField(
        _l("Pełna nazwa instytucji"),
        validators=[required(), max_length(200), printable_text],
        filters=[strip_filter],
    )
    short_name = StringField(
        _l("Nazwa skrócona"),
        validators=[required(), max_length(60), printable_text],
        filters=[strip_filter],
    )
    kind = SelectField(
        _l("Rodzaj instytucji"),
        choices=lambda: [placeholder(), *kind_choices()],
        validators=[required()],
    )
    address = StringField(
        _l("Adres"), validators=[max_length(200), printable_text], filters=[strip_filter]
    )
    contact_email = email_field(_l("E-mail kontaktowy instytucji"))
    website = URLField(
        _l("Strona internetowa"),
        validators=[
            Optional(),
            max_length(200),
            URL(message=_l("Podaj pełny adres strony, np. https://example.org.")),
        ],
        filters=[strip_filter],
    )
    position = StringField(
        _l("Twoje stanowisko w instytucji"),
        validators=[required(), max_length(120), printable_text],
        filters=[strip_filter],
    )
    description = TextAreaField(
        _l("Czym zajmuje się instytucja i czego oczekuje od koalicji"),
        validators=[required(), max_length(3000), printable_text],
        filters=[strip_filter],
    )
