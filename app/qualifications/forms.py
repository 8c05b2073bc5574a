"""Forms of the qualification pages: the catalogue, a record, a training's qualifications."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from app.core.forms import date_field
from app.core.forms import max_length
from app.core.forms import placeholder
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import sensible_date
from app.core.forms import strip_filter
from app.models import Institution
from app.models import Qualification


class QualificationForm(FlaskForm):
    name_pl = StringField(
        _l("Nazwa"),
        validators=[required(), max_length(120), printable_text],
        filters=[strip_filter],
    )
    name_en = StringField(
        _l("Nazwa po angielsku (opcjonalnie)"),
        validators=[max_length(120), printable_text],
        filters=[strip_filter],
    )
    validity_months = IntegerField(
        _l("Ważność w miesiącach (opcjonalnie)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=600, message=_l("Podaj liczbę miesięcy od 1 do 600.")),
        ],
        invalid_value_message=_l("Podaj liczbę całkowitą."),
        description=_l("Puste pole: kwalifikacja nie wygasa."),
        render_kw={"min": 1, "max": 600},
    )

    def values(self) -> tuple[str, str, int | None]:
        return self.name_pl.data or "", self.name_en.data or "", self.validity_months.data


class ConfirmForm(FlaskForm):
    """A button whose form says what it acts on, so that an empty request changes nothing."""

    confirm = HiddenField(validators=[required()])


class RecordForm(FlaskForm):
    qualification = SelectField(_l("Kwalifikacja"), validators=[required()])
    institution = SelectField(_l("W imieniu instytucji"), validators=[required()])
    obtained_on = date_field(
        _l("Data uzyskania lub sprawdzenia"), within=sensible_date(not_in_future=True)
    )
    expires_on = date_field(
        _l("Ważna do (opcjonalnie)"),
        optional=True,
        description=_l("Puste pole: ważność z katalogu, liczona od daty uzyskania."),
    )
    note = StringField(
        _l("Uwagi (opcjonalnie)"),
        validators=[max_length(300), printable_text],
        filters=[strip_filter],
    )

    def offer(self, catalogue: list[Qualification], institutions: list[Institution], locale: str):
        self.qualification.choices = [
            placeholder(),
            *(SelectChoice(str(q.id), q.name(locale)) for q in catalogue),
        ]
        self.institution.choices = [
            placeholder(),
            *(SelectChoice(str(i.id), i.name) for i in institutions),
        ]
        if len(institutions) == 1 and self.institution.raw_data is None:
            self.institution.data = str(institutions[0].id)  # a first view, by staff of one

    def validate_expires_on(self, field) -> None:
        obtained: date | None = self.obtained_on.data
        if field.data and obtained and field.data < obtained:
            raise ValidationError(_l("Data ważności nie może być wcześniejsza niż data uzyskania."))
