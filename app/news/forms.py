"""Forms of the news board: a post, the digest setting and the coordinators' buttons."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.validators import URL
from wtforms.validators import Optional
from wtforms.validators import StopValidation

from app.core.forms import max_length
from app.core.forms import number_choice
from app.core.forms import placeholder
from app.core.forms import printable_text
from app.core.forms import required
from app.core.forms import strip_filter
from app.core.forms import written_choice
from app.core.labels import news_kind_labels
from app.models import Institution
from app.models import Need
from app.models import NewsKind
from app.services.news import PostData


def kind_choices() -> list[SelectChoice]:
    labels = news_kind_labels()
    return [SelectChoice(k.value, labels[k]) for k in NewsKind]


def web_address(form, field) -> None:
    """Only a web page: a link in a post must not run anything when a reader follows it."""
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise StopValidation(_l("Podaj pełny adres strony, np. https://example.org."))


class PostForm(FlaskForm):
    institution_id = SelectField(
        _l("W imieniu instytucji"), coerce=number_choice, validators=[required()]
    )
    kind = SelectField(
        _l("Rodzaj wiadomości"),
        choices=lambda: [placeholder(), *kind_choices()],
        validators=[required()],
    )
    title = StringField(
        _l("Tytuł"),
        validators=[required(), max_length(200), printable_text],
        filters=[strip_filter],
    )
    body = TextAreaField(
        _l("Treść"),
        validators=[required(), max_length(3000), printable_text],
        filters=[strip_filter],
    )
    need_id = SelectField(
        _l("Potrzeba lub wydarzenie w giełdzie (opcjonalnie)"), coerce=number_choice
    )
    event_url = URLField(
        _l("Strona wydarzenia (opcjonalnie)"),
        validators=[
            Optional(),
            max_length(500),
            web_address,
            URL(message=_l("Podaj pełny adres strony, np. https://example.org.")),
        ],
        filters=[strip_filter],
    )
    is_public = BooleanField(
        _l("Pokaż także publicznie (strona wiadomości i kanał Atom)"),
        description=_l("Bez zaznaczenia wiadomość widzą tylko pracownicy instytucji koalicji."),
    )

    def offer(self, institutions: list[Institution], needs: list[Need]) -> None:
        """The institutions the person may post for (their only one chosen), and their needs."""
        self.institution_id.choices = [placeholder(_("— wybierz instytucję —"))] + [
            written_choice(i.id, i.name) for i in institutions
        ]
        if len(institutions) == 1 and self.institution_id.data is None:
            self.institution_id.data = institutions[0].id
        self.need_id.choices = [placeholder(_("— bez potrzeby —"))] + [
            written_choice(n.id, n.title) for n in needs
        ]

    def post_data(self) -> PostData:
        return PostData(
            institution_id=self.institution_id.data,
            kind=NewsKind(self.kind.data),
            title=self.title.data,
            body=self.body.data,
            need_id=self.need_id.data,
            event_url=self.event_url.data or "",
            is_public=bool(self.is_public.data),
        )


class DigestForm(FlaskForm):
    wanted = BooleanField(_l("Wysyłaj mi co tydzień e-mail z nowymi wiadomościami"))


class SwitchForm(FlaskForm):
    """Pin or unpin, hide or show: the state asked for is sent, so a double click is harmless."""

    on = RadioField(
        choices=[SelectChoice("1", "1"), SelectChoice("0", "0")], validators=[required()]
    )

    @property
    def wanted(self) -> bool:
        return self.on.data == "1"


class ButtonForm(FlaskForm):
    """A button that only needs the CSRF token (delete)."""
