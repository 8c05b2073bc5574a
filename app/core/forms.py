"""Validators and field helpers shared by the forms of several features."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms import EmailField
from wtforms import Field
from wtforms import Form
from wtforms import SelectChoice
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import widgets
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from app.core.content_language import content_lang_attrs
from app.core.ids import MAX_ID
from app.services.date_range import FIRST_BIRTH_DAY
from app.services.date_range import FIRST_BIRTH_YEAR
from app.services.date_range import FIRST_DAY
from app.services.date_range import FIRST_YEAR
from app.services.date_range import LAST_DAY
from app.services.date_range import LAST_YEAR
from app.services.email_address import mixes_scripts
from app.services.email_address import normalise_email
from app.services.staff_views import today_in_warsaw

BAD_DATE = _l("Podaj poprawną datę.")
# One request acts on at most this many records: enough for any page, bounded for the server.
MAX_IDS = 500
_ID = re.compile(r"[0-9]{1,10}")


def required() -> InputRequired:
    return InputRequired(message=_l("To pole jest wymagane."))


def placeholder(label: str | None = None) -> SelectChoice:
    """The empty first option of a required list.

    HTML lets a required select stand only with an empty first option: without it the first real
    choice is picked for the person, who may send it unread. Sent empty, required() answers.
    """
    return SelectChoice("", label or _l("— wybierz —"))


def written_choice(value: object, label: str) -> SelectChoice:
    """An option whose label people wrote in Polish (an institution's name, a need's title),
    marked lang="pl" on pages in another language, as `|pl` marks such text in templates."""
    return SelectChoice(value, label, render_kw=content_lang_attrs())


def number_choice(value: object) -> int | None:
    """`coerce` for a list of numbers (record ids, weekdays) with a placeholder: "" is no choice
    (None); what is not such a number becomes -1, which matches no option, so the list answers
    "not a valid choice" instead of failing to convert."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if _ID.fullmatch(text) and int(text) <= MAX_ID else -1


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("Najwyżej %(max)d znaków.", max=n))


class EmailAddress:
    """An address that mail can reach and that looks like no other: the one check of every
    e-mail field. An empty field passes (required() decides whether it may be empty)."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        max_length(254)(form, field)
        Email(
            message=_l("Podaj poprawny adres e-mail, np. jan.kowalski@example.org."),
            check_deliverability=False,
        )(form, field)
        typed = field.raw_data[0] if field.raw_data else field.data
        if mixes_scripts(typed):
            raise ValidationError(
                _l(
                    "Adres e-mail nie może łączyć liter z różnych alfabetów, np. cyrylicy, "
                    "greki albo liter o pełnej szerokości z łacińskimi."
                )
            )


def _normalised(value: str | None) -> str | None:
    return normalise_email(value) if isinstance(value, str) else value


def email_field(label, *, optional: bool = False, **kwargs) -> EmailField:
    """An e-mail field: normalised as the accounts compare addresses, and checked."""
    validators = [] if optional else [required()]
    return EmailField(
        label, validators=[*validators, EmailAddress()], filters=[_normalised], **kwargs
    )


class DateWithin:
    """A date inside a range people mean; `last` may be a function (e.g. today)."""

    def __init__(
        self,
        first: date,
        last: date | Callable[[], date],
        too_early,
        too_late,
    ) -> None:
        self.first, self.last = first, last
        self.too_early, self.too_late = too_early, too_late

    def __call__(self, form: Form, field: Field) -> None:
        day = field.data
        if day is None:
            return
        last = self.last() if callable(self.last) else self.last
        if day < self.first:
            raise ValidationError(self.too_early)
        if day > last:
            raise ValidationError(self.too_late)


def _outside_years():
    return _l("Podaj datę z lat %(first)d–%(last)d.", first=FIRST_YEAR, last=LAST_YEAR)


def sensible_date(*, not_in_future: bool = False) -> DateWithin:
    """Any date the exchange records: 2000 to 2100, or up to today for what has happened."""
    if not_in_future:
        return DateWithin(
            FIRST_DAY, today_in_warsaw, _outside_years(), _l("Data nie może być w przyszłości.")
        )
    return DateWithin(FIRST_DAY, LAST_DAY, _outside_years(), _outside_years())


def birth_date() -> DateWithin:
    return DateWithin(
        FIRST_BIRTH_DAY,
        today_in_warsaw,
        _l("Data urodzenia nie może być wcześniejsza niż %(year)d rok.", year=FIRST_BIRTH_YEAR),
        _l("Data urodzenia nie może być w przyszłości."),
    )


def date_field(
    label, *validators, optional: bool = False, within: DateWithin | None = None, **kwargs
) -> DateField:
    """A date field refused outside its range (by default 2000-2100), with Polish messages."""
    first = [Optional()] if optional else [required()]
    return DateField(
        label,
        validators=[*first, within or sensible_date(), *validators],
        invalid_value_message=BAD_DATE,
        **kwargs,
    )


def record_id(value: object) -> int:
    """A record id as a form sends it: ASCII digits within the database's integer range."""
    text = str(value).strip()
    if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        raise ValueError(value)
    return int(text)


class IdListField(SelectMultipleField):
    data: list[int] | None  # None when the ids sent were not numbers
    """Record ids sent as repeated values (checkboxes or a multiple select): at most `max_count`
    of them, each a whole number within the database's integer range, so that no list reaches
    the database as thousands of parameters or a number it cannot hold. `data` is the sorted
    distinct ids. Choices are checked only when given (validate_choice)."""

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        max_count: int = MAX_IDS,
        validate_choice: bool = False,
        **kwargs,
    ) -> None:
        kwargs.setdefault("choices", [])
        super().__init__(
            label, validators, coerce=record_id, validate_choice=validate_choice, **kwargs
        )
        self.max_count = max_count

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = sorted({record_id(v) for v in valuelist})
        except ValueError:
            self.data = None
            raise ValueError(
                _l("Numer pozycji musi być liczbą całkowitą od 1 do %(max)d.", max=MAX_ID)
            ) from None

    def pre_validate(self, form: Form) -> None:
        if len(self.raw_data or []) > self.max_count:
            raise ValidationError(_l("Zaznacz najwyżej %(n)d pozycji naraz.", n=self.max_count))
        super().pre_validate(form)


class MultiCheckboxField(IdListField):
    """Checkboxes in a fieldset instead of a multiple select, easier to use on phones."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def printable_text(form: Form, field: Field) -> None:
    """Refuse control characters, which no person types and some databases reject."""
    value = field.data or ""
    for ch in value:
        if ch in "\n\r\t":
            continue
        if unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"}:
            raise ValidationError(_l("Pole zawiera niedozwolone znaki."))


def strip_filter(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def person_name_field(label) -> StringField:
    """A first or last name: required, printable, at most 80 characters, trimmed."""
    return StringField(
        label, validators=[required(), max_length(80), printable_text], filters=[strip_filter]
    )
