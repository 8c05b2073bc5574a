"""Forms of the documents pages: requests, opinions, signatures, compliance records, verification."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from app.core.forms import date_field
from app.core.forms import max_length
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter


class CertificateRequestForm(FlaskForm):
    """The volunteer asks for a certificate of confirmed hours (choices are set by the view)."""

    institution_id = SelectField(
        _l("Instytucja"),
        description=_l("Zaświadczenie zbiorcze sumuje godziny ze wszystkich instytucji koalicji."),
        validate_choice=True,
    )
    period_start = date_field(_l("Od dnia"))
    period_end = date_field(_l("Do dnia"))


class AgreementRequestForm(FlaskForm):
    """The volunteer asks for an agreement for one of their engagements."""

    need_id = SelectField(_l("Zaangażowanie"), validators=[required()], validate_choice=True)


class IssueAgreementForm(FlaskForm):
    """Staff issue an agreement for one engaged volunteer of the need.

    It shares its page with the compliance form, whose list has the same name: its own id keeps
    the two labels pointing at their own lists."""

    volunteer_id = SelectField(
        _l("Wolontariusz"),
        validators=[required()],
        validate_choice=True,
        id="agreement_volunteer_id",
    )


class OpinionForm(FlaskForm):
    opinion = TextAreaField(
        _l("Opinia o pracy wolontariusza"),
        validators=[required(), max_length(4000), printable_text],
        filters=[strip_filter],
    )


class SignatureForm(FlaskForm):
    signed_on = date_field(_l("Data podpisania"))
    signed_by = StringField(
        _l("Kto podpisał"),
        description=_l("Np. imię i nazwisko wolontariusza i osoby reprezentującej instytucję."),
        validators=[required(), max_length(200), printable_text],
        filters=[strip_filter],
    )


class ComplianceForm(FlaskForm):
    volunteer_id = SelectField(_l("Wolontariusz"), validators=[required()], validate_choice=True)
    kind = SelectField(_l("Co zrobiono"), validators=[required()], validate_choice=True)
    done_on = date_field(_l("Data"))
    note = StringField(
        _l("Uwagi"),
        validators=[Optional(), max_length(300), printable_text],
        filters=[strip_filter],
    )


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(
        _l("Kod weryfikacyjny"),
        description=_l("Kod z dokumentu, np. ABCD-EF23-GH45."),
        validators=[required(), max_length(40)],
        filters=[strip_filter],
    )
