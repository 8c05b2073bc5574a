"""Validators and field helpers shared by the forms of several features."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import Email, InputRequired, Length, ValidationError


def required() -> InputRequired:
    return InputRequired(message=_l("To pole jest wymagane."))


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("Najwyżej %(max)d znaków.", max=n))


def email_validators() -> list:
    return [
        required(),
        max_length(254),
        Email(
            message=_l("Podaj poprawny adres e-mail, np. jan.kowalski@example.org."),
            check_deliverability=False,
        ),
    ]


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
