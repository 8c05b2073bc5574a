"""Forms of the volunteer's own pages."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import TimeField
from wtforms import ValidationError
from wtforms.validators import NumberRange

from app.core.forms import MultiCheckboxField
from app.core.forms import birth_date
from app.core.forms import date_field
from app.core.forms import email_field
from app.core.forms import max_length
from app.core.forms import number_choice
from app.core.forms import person_name_field
from app.core.forms import placeholder
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter
from app.core.labels import skill_level_labels as level_labels
from app.models import ConsentKind
from app.models import Skill
from app.models import User
from app.services.directory import active_institutions
from app.services.email_address import normalise_email
from app.services.passwords import verify_password
from app.services.volunteers import ProfileData
from app.services.volunteers import VolunteerError
from app.services.volunteers import needs_guardian
from app.services.volunteers import profile_of

PHONE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}[0-9]$")


def weekday_names() -> list[str]:
    return [
        str(_l("poniedziałek")),
        str(_l("wtorek")),
        str(_l("środa")),
        str(_l("czwartek")),
        str(_l("piątek")),
        str(_l("sobota")),
        str(_l("niedziela")),
    ]


def _text(label, n: int, **kw) -> StringField:
    return StringField(
        label, validators=[max_length(n), printable_text], filters=[strip_filter], **kw
    )


def show_refusal(form: FlaskForm, exc: VolunteerError, field: str) -> None:
    """Show a rule's refusal at the field it names, or at `field` when it names none."""
    form[exc.field or field].errors.append(str(exc))


# How the profile form's fields map onto the account: the user's own, the profile's as they are,
# and the profile's texts that the form may leave empty (None) and the profile keeps as "".
USER_FIELDS = ("first_name", "last_name")
PROFILE_VALUE_FIELDS = (
    "date_of_birth",
    "max_hours_month",
    "is_korpus",
    "has_disability",
    "is_invitable",
    "has_weekly_suggestions",
)
PROFILE_TEXT_FIELDS = (
    "phone",
    "city",
    "bio",
    "languages",
    "interests",
    "access_needs",
    "guardian_name",
    "guardian_email",
)


class ProfileForm(FlaskForm):
    first_name = person_name_field(_l("Imię"))
    last_name = person_name_field(_l("Nazwisko"))
    date_of_birth = date_field(
        _l("Data urodzenia"),
        optional=True,
        within=birth_date(),
        description=_l(
            "Potrzebna, bo niektóre zadania mają minimalny wiek, a osoby niepełnoletnie "
            "potrzebują zgody opiekuna."
        ),
    )
    phone = _text(
        _l("Telefon"), 40, description=_l("Np. +48 600 100 200. Widzą go tylko koordynatorzy.")
    )
    city = _text(_l("Miejscowość"), 80)
    bio = TextAreaField(
        _l("Kilka słów o sobie"),
        validators=[max_length(1000), printable_text],
        filters=[strip_filter],
        description=_l("Najwyżej 1000 znaków."),
    )
    languages = _text(
        _l("Języki"), 200, description=_l("Np. polski, niemiecki, polski język migowy.")
    )
    interests = _text(_l("Zainteresowania"), 300)
    max_hours_month = IntegerField(
        _l("Ile godzin w miesiącu najwyżej"),
        validators=[
            required(),
            NumberRange(min=1, max=200, message=_l("Podaj liczbę od 1 do 200.")),
        ],
    )
    is_korpus = BooleanField(_l("Biorę udział w programie Korpus Solidarności"))
    has_disability = BooleanField(
        _l("Mam orzeczenie o niepełnosprawności (nieobowiązkowe)"),
        description=_l(
            "Pytamy tylko dlatego, że Korpus Solidarności ma dla osób z niepełnosprawnością "
            "niższy próg godzin. Możesz nie zaznaczać."
        ),
    )
    is_invitable = BooleanField(
        _l("Pracownicy instytucji mogą zapraszać mnie na zmiany, do których pasuję"),
        description=_l(
            "Zaproszenie to oferta z terminem odpowiedzi: możesz ją przyjąć albo odmówić."
        ),
    )
    has_weekly_suggestions = BooleanField(
        _l("Chcę raz w tygodniu dostawać e-mail z nowymi propozycjami potrzeb")
    )
    access_needs = TextAreaField(
        _l("Moje potrzeby dostępności"),
        validators=[max_length(1000), printable_text],
        filters=[strip_filter],
        description=_l("Co pomoże Ci w pracy, np. dostęp bez schodów, tłumacz PJM, przerwy."),
    )
    preferred_institutions = MultiCheckboxField(
        _l("Instytucje, w których chcę pomagać"),
        choices=lambda: [SelectChoice(i.id, i.name) for i in active_institutions()],
        validate_choice=True,
    )
    guardian_name = _text(_l("Imię i nazwisko opiekuna prawnego"), 160)
    guardian_email = email_field(
        _l("Adres e-mail opiekuna prawnego"),
        optional=True,
        description=_l("Wyślemy tam prośbę o zgodę z linkiem ważnym 14 dni."),
    )

    def fill_from(self, user: User) -> None:
        """Show the saved profile in the form."""
        profile = profile_of(user)
        for name in USER_FIELDS:
            self[name].data = getattr(user, name)
        for name in PROFILE_VALUE_FIELDS + PROFILE_TEXT_FIELDS:
            self[name].data = getattr(profile, name)
        self.preferred_institutions.data = [i.id for i in profile.preferred_institutions]

    def profile_data(self) -> ProfileData:
        """What was sent, in the shape the profile rules take it."""
        values: dict[str, Any] = {n: self[n].data for n in USER_FIELDS + PROFILE_VALUE_FIELDS}
        values.update({n: self[n].data or "" for n in PROFILE_TEXT_FIELDS})
        return ProfileData(
            **values, preferred_institution_ids=self.preferred_institutions.data or []
        )

    def validate_phone(self, field) -> None:
        if field.data and not PHONE.match(field.data):
            raise ValidationError(
                _l("Podaj numer telefonu z samych cyfr, np. 600 100 200 lub +48 600 100 200.")
            )

    def validate_guardian_name(self, field) -> None:
        if needs_guardian(self.date_of_birth.data) and not field.data:
            raise ValidationError(_l("Osoba niepełnoletnia podaje imię i nazwisko opiekuna."))

    def validate_guardian_email(self, field) -> None:
        if not field.data:
            if needs_guardian(self.date_of_birth.data):
                raise ValidationError(_l("Osoba niepełnoletnia podaje adres e-mail opiekuna."))
            return
        if field.data == normalise_email(current_user.email or ""):
            raise ValidationError(_l("Adres opiekuna musi być inny niż Twój."))


class WindowForm(FlaskForm):
    weekday = SelectField(
        _l("Dzień tygodnia"),
        coerce=number_choice,
        choices=lambda: [
            placeholder(),
            *(SelectChoice(i, name) for i, name in enumerate(weekday_names())),
        ],
        validators=[required()],
    )
    start_time = TimeField(_l("Od godziny"), validators=[required()], format=["%H:%M", "%H:%M:%S"])
    end_time = TimeField(_l("Do godziny"), validators=[required()], format=["%H:%M", "%H:%M:%S"])


class AbsenceForm(FlaskForm):
    starts_on = date_field(_l("Od dnia"))
    ends_on = date_field(_l("Do dnia (włącznie)"))

    def validate_ends_on(self, field) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Data końcowa nie może być wcześniejsza niż początkowa."))


class ConsentForm(FlaskForm):
    """One consent granted or withdrawn."""

    kind = SelectField(
        _l("Zgoda"),
        choices=lambda: [
            SelectChoice(k.value, k.value)
            for k in (
                ConsentKind.DATA_PROCESSING,
                ConsentKind.IMAGE,
                ConsentKind.NEWSLETTER,
                ConsentKind.QUALIFICATIONS,
            )
        ],
        validators=[required()],
    )
    decision = SelectField(
        _l("Decyzja"),
        choices=lambda: [SelectChoice("grant", "grant"), SelectChoice("withdraw", "withdraw")],
        validators=[required()],
    )

    @property
    def consent_kind(self) -> ConsentKind:
        return ConsentKind(self.kind.data)

    @property
    def granted(self) -> bool:
        return self.decision.data == "grant"


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""

    confirm = HiddenField(default="1")


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Twoje hasło"),
        validators=[required(), max_length(128)],
        description=_l("Podaj hasło, aby potwierdzić, że to Ty."),
    )
    understood = BooleanField(
        _l("Rozumiem, że usunięcia konta nie można cofnąć."), validators=[required()]
    )

    def validate_password(self, field) -> None:
        if not verify_password(current_user.password_hash, field.data or ""):
            raise ValidationError(_l("Hasło jest nieprawidłowe."))


class SkillsFormBase(FlaskForm):
    """One select per skill of the taxonomy, named skill_<id>; the value is the level or ""."""

    skills: list[Skill] = []

    def fill_from(self, levels: dict[int, int]) -> None:
        """Show the levels saved so far (skills not held show as "")."""
        for skill in self.skills:
            self[f"skill_{skill.id}"].data = str(levels.get(skill.id, ""))

    def levels(self) -> dict[int, int | None]:
        """The level chosen for each skill, None for "nie mam"."""
        chosen = {skill.id: self[f"skill_{skill.id}"].data for skill in self.skills}
        return {skill_id: int(value) if value else None for skill_id, value in chosen.items()}


def skills_form(skills: list[Skill], locale: str) -> SkillsFormBase:
    """A form with one select per skill of the taxonomy, named skill_<id>, labelled in `locale`."""
    labels = level_labels()

    class SkillsForm(SkillsFormBase):
        pass

    SkillsForm.skills = list(skills)
    choices = [SelectChoice("", str(_l("nie mam")))] + [
        SelectChoice(str(level), f"{level} – {label}") for level, label in labels.items()
    ]
    for skill in skills:
        setattr(
            SkillsForm,
            f"skill_{skill.id}",
            SelectField(skill.name(locale), choices=choices, validate_choice=True, default=""),
        )
    return SkillsForm()
