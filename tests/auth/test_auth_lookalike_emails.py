"""One person, one account: addresses that look alike are one address (NFKC, lower case) or are
refused at the field (letters of two alphabets), in every form that takes an e-mail address."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import EmailField
from wtforms.fields.core import UnboundField

import app as app_package
from app.extensions import db
from app.models import Role
from app.models import User
from tests.factories import PASSWORD

MIXED = (
    "Adres e-mail nie może łączyć liter z różnych alfabetów, np. cyrylicy, greki albo liter "
    "o pełnej szerokości z łacińskimi."
)
OWNER = "jan.kowalski@example.org"
LOOKALIKES = {
    "cyrillic-a": "j\u0430n.kowalski@example.org",
    "greek-omicron": "jan.k\u03bfwalski@example.org",
    "fullwidth-j": "\uff4aan.kowalski@example.org",
    "cyrillic-in-domain": "jan.kowalski@ex\u0430mple.org",
    "cyrillic-local-latin-domain": "\u0430\u0441\u0435@example.org",
}


def fullwidth(address: str) -> str:
    """The address as a keyboard in fullwidth mode types it: every character its wide form."""
    return "".join(chr(ord(c) + 0xFEE0) for c in address)


FULLWIDTH_OWNER = fullwidth(OWNER.upper())


def _email_fields() -> list[tuple[type[FlaskForm], str]]:
    for info in pkgutil.iter_modules(app_package.__path__):
        try:
            importlib.import_module(f"app.{info.name}.forms")
        except ModuleNotFoundError:
            continue
    found, todo = set(), list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("app."):
            continue
        for name in dir(cls):
            value = getattr(cls, name, None)
            if isinstance(value, UnboundField) and issubclass(value.field_class, EmailField):
                found.add((cls, name))
    return sorted(found, key=lambda f: (f[0].__module__, f[0].__qualname__, f[1]))


EMAIL_FIELDS = _email_fields()
IDS = [f"{c.__name__}.{n}" for c, n in EMAIL_FIELDS]


def _field(app, cls, name: str, value: str):
    with app.test_request_context():
        form = cls(formdata=MultiDict({name: value}), meta={"csrf": False})
        field = form[name]
        field.validate(form)
        return field.data, [str(e) for e in field.errors]


def test_every_form_with_an_address_is_checked():
    names = {f"{c.__name__}.{n}" for c, n in EMAIL_FIELDS}
    assert {
        "LoginForm.email",
        "RegistrationForm.email",
        "ResetRequestForm.email",
        "ResendConfirmationForm.email",
        "InstitutionRequestForm.contact_email",
        "OverrideForm.volunteer_email",
        "ProfileForm.guardian_email",
    } <= names


@pytest.mark.parametrize(("cls", "name"), EMAIL_FIELDS, ids=IDS)
@pytest.mark.parametrize("address", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_every_email_field_refuses_letters_of_two_alphabets(app, cls, name, address):
    _data, errors = _field(app, cls, name, address)
    assert errors == [MIXED]


@pytest.mark.parametrize(("cls", "name"), EMAIL_FIELDS, ids=IDS)
@pytest.mark.parametrize(
    "typed",
    [OWNER, "  Jan.Kowalski@EXAMPLE.org ", FULLWIDTH_OWNER, "jan.kowalski\uff20example.org"],
    ids=["plain", "case-and-spaces", "all-fullwidth", "fullwidth-at"],
)
def test_every_email_field_normalises_what_looks_the_same(app, cls, name, typed):
    assert _field(app, cls, name, typed) == (OWNER, [])


def test_a_single_other_alphabet_is_an_address_like_any_other(app):
    from app.auth.forms import RegistrationForm

    assert _field(app, RegistrationForm, "email", "иван@почта.рф") == ("иван@почта.рф", [])


def register(client, email: str):
    return client.post(
        "/register",
        data={
            "first_name": "Jan",
            "last_name": "Kowalski",
            "email": email,
            "password": PASSWORD,
            "password2": PASSWORD,
            "accept_terms": "y",
        },
    )


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("address", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_nobody_registers_a_lookalike_of_an_account(app, client, factory, address):
    factory.user(email=OWNER)
    response = register(client, address)
    assert response.status_code == 422
    assert MIXED in response.get_data(as_text=True)
    assert count_users(app) == 1


def test_an_address_typed_in_fullwidth_letters_is_the_same_account(app, client, factory, mailbox):
    owner = factory.user(email=OWNER)
    response = register(client, FULLWIDTH_OWNER)
    assert response.status_code == 302
    assert "Ktoś próbował założyć konto" in mailbox.wait_for(OWNER)[0]["Subject"]
    assert count_users(app) == 1

    signed_in = client.post("/login", data={"email": FULLWIDTH_OWNER, "password": PASSWORD})
    assert signed_in.status_code == 302
    client.post("/logout")
    assert client.post("/reset", data={"email": FULLWIDTH_OWNER}).status_code == 302
    assert "Ustaw nowe hasło" in mailbox.wait_for(owner.email, 2)[-1]["Subject"]


def test_login_with_a_lookalike_is_refused_at_the_field(client, factory):
    factory.user(email=OWNER)
    response = client.post("/login", data={"email": LOOKALIKES["cyrillic-a"], "password": PASSWORD})
    assert response.status_code == 422
    assert MIXED in response.get_data(as_text=True)


def test_admin_search_compares_addresses_as_they_are_stored(app, factory):
    factory.user(email=OWNER)
    admin = factory.user(Role.ADMIN)
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    fullwidth_phrase = "\uff2b\uff4f\uff57\uff41\uff4c\uff53\uff4b\uff49"  # "Ｋｏｗａｌｓｋｉ"
    page = client.get(f"/admin/users?q={fullwidth_phrase}").get_data(as_text=True)
    assert OWNER in page


def test_a_guardian_address_that_imitates_another_is_refused(client, factory, auth):
    volunteer = factory.user(email="julek@example.org")
    auth.login(volunteer.email)
    form = {
        "first_name": "Julek",
        "last_name": "Nowak",
        "max_hours_month": "8",
        "date_of_birth": date(date.today().year - 14, 1, 1).isoformat(),  # 13 or 14
        "guardian_name": "Anna Nowak",
    }
    lookalike = client.post(
        "/me/profile/edit", data={**form, "guardian_email": "anna.nowak@ex\u0430mple.org"}
    )
    assert lookalike.status_code == 422
    assert MIXED in lookalike.get_data(as_text=True)
    own = client.post(
        "/me/profile/edit", data={**form, "guardian_email": fullwidth("julek@example.org")}
    )
    assert own.status_code == 422
    assert "Adres opiekuna musi być inny niż Twój." in own.get_data(as_text=True)
