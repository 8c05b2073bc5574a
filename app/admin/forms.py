"""The administrators' forms: skills and accounts. Each button is a form of its own, so that
every change is a POST with its CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField

from app.core.forms import max_length
from app.core.forms import number_choice
from app.core.forms import placeholder
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter
from app.models import Role


class ButtonForm(FlaskForm):
    """A button that only needs the CSRF token: retire, restore, switch off, send again."""


class SkillNamesForm(FlaskForm):
    """The two names of a skill, as volunteers and institutions read them."""

    name_pl = StringField(
        _l("Nazwa po polsku"),
        validators=[required(), max_length(120), printable_text],
        filters=[strip_filter],
    )
    name_en = StringField(
        _l("Nazwa po angielsku"),
        validators=[required(), max_length(120), printable_text],
        filters=[strip_filter],
    )


class NewSkillForm(SkillNamesForm):
    group = SelectField(_l("Grupa"), coerce=number_choice, validators=[required()])

    def set_groups(self, groups: list[tuple[int, str]]) -> NewSkillForm:
        self.group.choices = [placeholder(), *(SelectChoice(gid, name) for gid, name in groups)]
        return self


def role_choices() -> list[SelectChoice]:
    from app.core.labels import role_label

    return [placeholder(), *(SelectChoice(r.value, role_label(r)) for r in Role)]


class RoleForm(FlaskForm):
    role = SelectField(_l("Rola"), validators=[required()], validate_choice=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
