"""Forms of the staff pages: needs, shifts, decisions and child-protection checks."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import TimeField
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from app.core.forms import IdListField
from app.core.forms import date_field
from app.core.forms import email_field
from app.core.forms import max_length
from app.core.forms import placeholder
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import sensible_date
from app.core.forms import strip_filter
from app.core.labels import need_kind_labels
from app.core.time import WARSAW
from app.models import Institution
from app.models import Need
from app.models import NeedKind
from app.models import Shift
from app.models import Skill
from app.models import User
from app.services.needs import ShiftSpec
from app.services.needs import local_to_utc
from app.services.needs import weekly_shifts
from app.services.staff_views import today_in_warsaw

MAX_PLACES = 500


def _kind_choices() -> list[SelectChoice]:
    labels = need_kind_labels()
    return [placeholder(), *(SelectChoice(k.value, labels[k]) for k in NeedKind)]


def _skill_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("—")),
        SelectChoice("r1", _l("wymagana, poziom 1")),
        SelectChoice("r2", _l("wymagana, poziom 2")),
        SelectChoice("r3", _l("wymagana, poziom 3")),
        SelectChoice("n", _l("mile widziana")),
    ]


def _qualification_choices() -> list[SelectChoice]:
    from app.services.qualifications import catalogue

    locale = "en" if _is_english() else "pl"
    return [
        SelectChoice("", _l("— brak —")),
        *(SelectChoice(str(q.id), q.name(locale)) for q in catalogue()),
    ]


def _chosen_id(value: str | None) -> int | None:
    return int(value) if value else None


BAD_TIME = _l("Podaj poprawną godzinę, np. 10:00.")
BAD_NUMBER = _l("Podaj liczbę całkowitą.")


def _time_field(label) -> TimeField:
    return TimeField(label, validators=[required()], invalid_value_message=BAD_TIME)


class ShiftFieldsMixin:
    """A shift: day, start and end in Warsaw wall-clock time, and the number of places."""

    day = date_field(_l("Dzień"))
    start_time = _time_field(_l("Początek"))
    end_time = _time_field(_l("Koniec"))
    places = IntegerField(
        _l("Liczba miejsc"),
        validators=[
            required(),
            NumberRange(
                min=1,
                max=MAX_PLACES,
                message=_l("Podaj liczbę od %(min)d do %(max)d.", min=1, max=MAX_PLACES),
            ),
        ],
        invalid_value_message=BAD_NUMBER,
        render_kw={"min": 1, "max": MAX_PLACES},
    )

    def validate_end_time(self, field) -> None:
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("Koniec zmiany musi być później niż jej początek."))

    def shift_spec(self) -> ShiftSpec:
        """The shift as the services take it: start and end in UTC."""
        day = self.day.data
        return ShiftSpec(
            local_to_utc(day, self.start_time.data),
            local_to_utc(day, self.end_time.data),
            self.places.data,
        )


def shift_form_data(shift: Shift) -> dict:
    """A saved shift as the fields of ShiftFieldsMixin show it: Warsaw day and times."""
    local_start = shift.starts_at.astimezone(WARSAW)
    local_end = shift.ends_at.astimezone(WARSAW)
    return {
        "day": local_start.date(),
        "start_time": local_start.time().replace(second=0, microsecond=0),
        "end_time": local_end.time().replace(second=0, microsecond=0),
        "places": shift.places,
    }


class RepeatMixin(ShiftFieldsMixin):
    """A shift, or the same shift every week until a day."""

    repeat_until = date_field(
        _l("Powtarzaj co tydzień do dnia (opcjonalnie)"),
        optional=True,
        description=_l(
            "Zostaw puste dla jednej zmiany. Podaj datę, a zmiana powtórzy się w ten sam dzień "
            "tygodnia co tydzień aż do tej daty."
        ),
    )

    def validate_repeat_until(self, field) -> None:
        if field.data and self.day.data and field.data < self.day.data:
            raise ValidationError(
                _l("Data końcowa powtarzania nie może być wcześniejsza niż pierwszy dzień.")
            )

    def shift_specs(self) -> list[ShiftSpec]:
        """One shift, or one a week until `repeat_until`; raises NeedError with the field."""
        if not self.repeat_until.data:
            return [self.shift_spec()]
        return weekly_shifts(
            self.day.data,
            self.start_time.data,
            self.end_time.data,
            self.repeat_until.data,
            self.places.data,
        )


def _limit_field(label, highest: int, message) -> IntegerField:
    """A limit that protects volunteers; empty means the coalition's value."""
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=highest, message=message)],
        invalid_value_message=BAD_NUMBER,
        render_kw={"min": 0, "max": highest},
    )


class NeedFields(FlaskForm):
    title = StringField(
        _l("Tytuł"),
        validators=[required(), max_length(200), printable_text],
        filters=[strip_filter],
    )
    description = TextAreaField(
        _l("Opis"),
        validators=[required(), max_length(10000), printable_text],
        filters=[strip_filter],
        description=_l("Co wolontariusz będzie robić, czego się nauczy, co zapewniacie."),
    )
    kind = SelectField(_l("Rodzaj"), choices=_kind_choices, validators=[required()])
    place = StringField(
        _l("Miejsce"),
        validators=[required(), max_length(200), printable_text],
        filters=[strip_filter],
    )
    min_age = IntegerField(
        _l("Minimalny wiek (opcjonalnie)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=99, message=_l("Podaj wiek od 0 do 99 lat.")),
        ],
        invalid_value_message=BAD_NUMBER,
        render_kw={"min": 0, "max": 99},
    )
    works_with_children = BooleanField(
        _l("Praca z dziećmi (wymaga odnotowanego sprawdzenia w rejestrze i niekaralności)")
    )
    required_qualification = SelectField(
        _l("Wymagana kwalifikacja (opcjonalnie)"),
        choices=_qualification_choices,
        default="",
        description=_l("Przyjąć można tylko osoby, które mają ją ważną w dniu zmiany."),
    )
    grants_qualification = SelectField(
        _l("Kwalifikacja, którą daje to szkolenie (opcjonalnie)"),
        choices=_qualification_choices,
        default="",
        description=_l("Po szkoleniu odnotujesz ją uczestnikom z potwierdzonymi godzinami."),
    )
    is_accessible = BooleanField(_l("Miejsce dostępne dla osób z niepełnosprawnościami"))
    accessibility_note = StringField(
        _l("Dostępność: uwagi (opcjonalnie)"),
        validators=[max_length(300), printable_text],
        filters=[strip_filter],
    )
    offers_training = BooleanField(_l("Zapewniamy szkolenie"))
    offers_certificate = BooleanField(_l("Wydajemy zaświadczenie"), default=True)
    offers_reimbursement = BooleanField(_l("Zwracamy koszty dojazdu"))
    contact_name = StringField(
        _l("Osoba kontaktowa"),
        validators=[max_length(120), printable_text],
        filters=[strip_filter],
    )
    contact_email = email_field(_l("E-mail osoby kontaktowej"), optional=True)
    cohosts = IdListField(_l("Współorganizatorzy z koalicji"), validate_choice=True)
    min_rest_hours = _limit_field(
        _l("Odpoczynek między dwiema zmianami jednej osoby (godziny)"),
        48,
        _l("Podaj liczbę godzin od 0 do 48 albo zostaw puste."),
    )
    max_days_in_row = _limit_field(
        _l("Najwięcej dni ze zmianami z rzędu"),
        31,
        _l("Podaj liczbę dni od 0 do 31 albo zostaw puste."),
    )
    signup_opens_days = _limit_field(
        _l("Zapisy otwierają się tyle dni przed zmianą"),
        365,
        _l("Podaj liczbę dni od 0 do 365 albo zostaw puste."),
    )

    skill_field_names: list[tuple[Skill, str]] = []

    def prefill_contact(self, person: User) -> None:
        """A new need names the person creating it as the contact, unless the form says else."""
        self.contact_name.data = self.contact_name.data or person.full_name
        self.contact_email.data = self.contact_email.data or person.email

    def show_need(self, need: Need) -> None:
        """What `obj=need` cannot fill: co-hosts, the kind's value and one select per skill."""
        self.cohosts.data = [i.id for i in need.cohosts]
        self.kind.data = str(need.kind.value if hasattr(need.kind, "value") else need.kind)
        self.required_qualification.data = str(need.required_qualification_id or "")
        self.grants_qualification.data = str(need.grants_qualification_id or "")
        for ns in need.skills:
            name = f"skill_{ns.skill_id}"
            if name in self:
                self[name].data = f"r{ns.min_level}" if ns.is_required else "n"

    def need_values(self) -> dict:
        """The need's columns as the services expect them."""
        return {
            "title": self.title.data,
            "description": self.description.data,
            "kind": self.kind.data,
            "place": self.place.data,
            "min_age": self.min_age.data or 0,
            "works_with_children": bool(self.works_with_children.data),
            "required_qualification_id": _chosen_id(self.required_qualification.data),
            "grants_qualification_id": _chosen_id(self.grants_qualification.data),
            "is_accessible": bool(self.is_accessible.data),
            "accessibility_note": self.accessibility_note.data or "",
            "offers_training": bool(self.offers_training.data),
            "offers_certificate": bool(self.offers_certificate.data),
            "offers_reimbursement": bool(self.offers_reimbursement.data),
            "contact_name": self.contact_name.data or "",
            "contact_email": self.contact_email.data or "",
            # Empty: the coalition's limit; 0: no limit for this need.
            "min_rest_hours": self.min_rest_hours.data,
            "max_days_in_row": self.max_days_in_row.data,
            "signup_opens_days": self.signup_opens_days.data,
        }

    def validate_grants_qualification(self, field) -> None:
        if field.data and self.kind.data != NeedKind.TRAINING.value:
            raise ValidationError(
                _l("Kwalifikację daje tylko potrzeba rodzaju „Szkolenie dla wolontariuszy”.")
            )

    def skill_values(self) -> list[tuple[int, int, bool]]:
        """(skill id, minimum level, required) for each skill the form asks for."""
        chosen = []
        for skill, name in self.skill_field_names:
            value = self[name].data or ""
            if value.startswith("r"):
                chosen.append((skill.id, int(value[1]), True))
            elif value == "n":
                chosen.append((skill.id, 1, False))
        return chosen


class NewNeedFields(NeedFields, RepeatMixin):
    pass


def _cohost_choices(institution: Institution, others: list[Institution]) -> list[SelectChoice]:
    return [SelectChoice(i.id, i.name) for i in others if i.id != institution.id]


def need_form(
    skills: list[Skill],
    institution: Institution,
    others: list[Institution],
    *,
    with_shift: bool,
    **kwargs,
) -> NeedFields:
    """A need form with one select per skill of the taxonomy (works without JavaScript)."""
    base = NewNeedFields if with_shift else NeedFields
    attrs: dict = {}
    names = []
    for skill in skills:
        name = f"skill_{skill.id}"
        attrs[name] = SelectField(
            skill.name(str(get_locale())), choices=_skill_choices, default="", validate_choice=True
        )
        names.append((skill, name))
    cls = type("NeedForm", (base,), attrs)
    form = cls(**kwargs)
    form.skill_field_names = names
    for skill, name in names:
        form[name].label.text = skill.name("en" if _is_english() else "pl")
    form.cohosts.choices = _cohost_choices(institution, others)
    if form.cohosts.data is None:
        form.cohosts.data = []
    return form


def _is_english() -> bool:
    from flask_babel import get_locale

    return str(get_locale() or "pl") == "en"


class AddShiftsForm(RepeatMixin, FlaskForm):
    pass


class ShiftForm(ShiftFieldsMixin, FlaskForm):
    def not_moved_into_past(self, shift: Shift) -> bool:
        """A shift may keep a past day, but may not be moved to one; the day field says so."""
        if self.shift_spec().starts_at == shift.starts_at or self.day.data >= today_in_warsaw():
            return True
        self.day.errors = [*self.day.errors, str(_l("Data nie może być w przeszłości."))]
        return False


class SeenStatusForm(FlaskForm):
    """An action on a record the person saw in a given state; refused if it changed meanwhile."""

    seen_status = HiddenField(validators=[required(), max_length(20)])


class DecisionForm(SeenStatusForm):
    note = StringField(
        _l("Uwaga do decyzji (opcjonalnie)"),
        validators=[max_length(500), printable_text],
        filters=[strip_filter],
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Powód odwołania"),
        validators=[required(), max_length(500), printable_text],
        filters=[strip_filter],
        description=_l("Powód zobaczą osoby zgłoszone i przyjęte."),
    )


class CheckForm(FlaskForm):
    certificate_seen_on = date_field(
        _l("Zaświadczenie o niekaralności okazane dnia"),
        within=sensible_date(not_in_future=True),
    )
    register_checked_on = date_field(
        _l("Rejestr Sprawców Przestępstw na Tle Seksualnym sprawdzony dnia"),
        within=sensible_date(not_in_future=True),
    )
    note = StringField(
        _l("Uwagi (opcjonalnie)"),
        validators=[max_length(300), printable_text],
        filters=[strip_filter],
    )

    def values(self) -> tuple[date, date, str]:
        """Certificate day, register day and note, in the order checks.record_check takes them."""
        return self.certificate_seen_on.data, self.register_checked_on.data, self.note.data or ""


def first_day_not_in_past(form: ShiftFieldsMixin) -> bool:
    """New shifts start today or later; a message goes to the day field otherwise."""
    day: date | None = form.day.data
    if day is not None and day < today_in_warsaw():
        form.day.errors = [*form.day.errors, str(_l("Data nie może być w przeszłości."))]
        return False
    return True
