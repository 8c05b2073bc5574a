"""A volunteer registers, confirms the address, signs in and out, and resets a forgotten password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models import Consent
from app.models import ConsentKind
from app.models import User
from app.models import UserSession
from tests.factories import PASSWORD

NEW_PASSWORD = "Nowe-Haslo-Opole-77"


def link_in(mailbox, address: str, path: str) -> str:
    body = mailbox.text_of(mailbox.wait_for(address)[-1])
    match = re.search(rf"http://[^\s]+{path}[^\s]+", body)
    assert match, body
    return match.group(0).replace("http://127.0.0.1:5000", "")


def register(client, email="ala@example.org", **overrides):
    data = {
        "first_name": "Ala",
        "last_name": "Nowak",
        "email": email,
        "password": PASSWORD,
        "password2": PASSWORD,
        "accept_terms": "y",
        **overrides,
    }
    return client.post("/register", data=data)


def test_registration_sends_confirmation_in_polish_and_confirm_lets_user_log_in(
    client, mailbox, app, factory
):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/check-email")

    msg = mailbox.wait_for("ala@example.org")[0]
    assert msg["Subject"] == "Potwierdź adres e-mail w Giełdzie Wolontariatu OKIK"
    assert msg.get_body(preferencelist=("html",)) is not None

    # Before confirming, login is refused at the e-mail field.
    response = client.post("/login", data={"email": "ala@example.org", "password": PASSWORD})
    assert response.status_code == 422
    assert "potwierdź adres e-mail" in response.get_data(as_text=True)

    response = client.get(link_in(mailbox, "ala@example.org", "/confirm/"))
    assert response.status_code == 302
    response = client.post("/login", data={"email": "ALA@example.org ", "password": PASSWORD})
    assert response.status_code == 302
    user = factory.scalar(select(User).where(User.email == "ala@example.org"))
    assert user.is_confirmed
    assert user.password_hash.startswith("$argon2")
    consent = factory.scalar(select(Consent).where(Consent.user_id == user.id))
    assert consent.kind == ConsentKind.DATA_PROCESSING and consent.granted
    actions = set(factory.scalars(select(AuditLog.action)))
    assert {"user.registered", "user.email_confirmed", "user.logged_in"} <= actions


def test_registration_with_a_taken_address_answers_the_same_and_warns_the_owner(
    client, factory, mailbox, app
):
    owner = factory.user(email="zajety@example.org")
    response = register(client, email="zajety@example.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/check-email")
    msg = mailbox.wait_for(owner.email)[0]
    assert "Ktoś próbował założyć konto" in msg["Subject"]
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "nie-email"}, "email", "Podaj poprawny adres e-mail"),
        ({"email": ""}, "email", "To pole jest wymagane."),
        ({"password2": "Inne-Haslo-123"}, "password2", "Hasła nie są takie same."),
        ({"password": "krotkie", "password2": "krotkie"}, "password", "co najmniej 10 znaków"),
        ({"password": "qwertyuiop", "password2": "qwertyuiop"}, "password", "zbyt popularne"),
        (
            {
                "email": "ala.kot@example.org",
                "password": "ala.kot@example.org",
                "password2": "ala.kot@example.org",
            },
            "password",
            "nie może być adresem e-mail",
        ),
        ({"first_name": "x" * 81}, "first_name", "Najwyżej 80 znaków."),
        ({"accept_terms": ""}, "accept_terms", "To pole jest wymagane."),
        ({"last_name": "Nowak\x07"}, "last_name", "niedozwolone znaki"),
    ],
)
def test_registration_rejects_bad_input_at_the_field(client, overrides, field, message, app):
    response = register(client, **overrides)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    error = re.search(rf'id="{field}-error">(.*?)</p>', page, re.S).group(1)
    assert message in error
    assert f'aria-describedby="{field}-error"' in page or f"{field}-hint {field}-error" in page
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 0


def test_login_gives_the_same_answer_for_unknown_address_and_wrong_password(client, factory):
    user = factory.user()
    wrong_password = client.post("/login", data={"email": user.email, "password": "zle-haslo-123"})
    unknown = client.post("/login", data={"email": "nikt@example.org", "password": "zle-haslo-123"})
    assert wrong_password.status_code == unknown.status_code == 422
    for response in (wrong_password, unknown):
        assert "Nieprawidłowy e-mail lub hasło." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/institutions/", "/institutions/"),
        ("/account/?tab=1", "/account/?tab=1"),
        # Anything else is not followed: the sign-in leads to the person's dashboard.
        ("https://evil.example.com/", "/dashboard"),
        ("//evil.example.com/", "/dashboard"),
        ("/\\evil.example.com", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
        ("", "/dashboard"),
    ],
)
def test_login_follows_only_safe_next_links(client, factory, target, expected):
    user = factory.user()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_logout_ends_the_session(client, factory, auth):
    user = factory.user()
    auth.login(user.email)
    assert client.get("/account/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/account/").status_code == 302


def _copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_copied_cookie_is_worthless_after_logout_but_other_devices_stay_signed_in(
    client, factory, auth, app
):
    user = factory.user()
    laptop = app.test_client()
    laptop.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    thief = app.test_client()
    _copy_cookies(client, thief)  # session and "remember me" cookies, as stolen from the browser
    assert thief.get("/account/").status_code == 200

    assert auth.logout().status_code == 302

    assert thief.get("/account/").status_code == 302
    thief.delete_cookie("session")  # only the remember cookie left: it is dead as well
    assert thief.get("/account/").status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert factory.scalar(select(func.count()).select_from(UserSession)) == 1


def test_password_reset_link_works_once_and_signs_out_other_sessions(client, factory, mailbox, app):
    user = factory.user()
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_device.get("/account/").status_code == 200

    response = client.post("/reset", data={"email": user.email})
    assert response.status_code == 302
    link = link_in(mailbox, user.email, "/reset/")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    # The link is single-use, the old session is gone, the new password works.
    assert client.get(link).headers["Location"].endswith("/reset")
    assert other_device.get("/account/").status_code == 302
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    )
    assert (
        client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_password_reset_answers_the_same_for_unknown_address(client, mailbox):
    response = client.post("/reset", data={"email": "nikt@example.org"}, follow_redirects=True)
    assert "Jeśli konto z tym adresem istnieje" in response.get_data(as_text=True)
    assert mailbox.messages == []


@pytest.mark.clock
def test_expired_or_forged_reset_link_is_refused(client, factory, app):
    user = factory.user()
    response = client.get("/reset/not-a-real-token")
    assert response.status_code == 302
    from app.services.tokens import make_reset_token

    token = make_reset_token(db.session.get(User, user.id))
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        assert client.get(f"/reset/{token}").headers["Location"].endswith("/reset")
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_change_password_keeps_this_browser_signed_in_and_ends_others(client, factory, auth, app):
    user = factory.user()
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    auth.login(user.email)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302


def test_change_password_requires_the_current_one(client, factory, auth):
    user = factory.user()
    auth.login(user.email)
    response = client.post(
        "/account/password",
        data={
            "current_password": "zle-haslo-1234",
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "Obecne hasło jest nieprawidłowe." in response.get_data(as_text=True)


def test_resend_confirmation_answers_the_same_for_everyone(client, factory, mailbox):
    pending = factory.user(confirmed=False)
    for address in (pending.email, "nikt@example.org"):
        response = client.post("/confirm", data={"email": address}, follow_redirects=True)
        assert "Jeśli konto z tym adresem czeka na potwierdzenie" in response.get_data(as_text=True)
    assert len(mailbox.wait_for(pending.email)) == 1
    assert mailbox.to("nikt@example.org") == []


def test_a_nul_byte_in_any_field_is_refused_with_400_in_polish(client, app):
    response = register(client, last_name="Nowak\x00")
    assert response.status_code == 400
    assert "Nieprawidłowe żądanie" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 0
