"""Sign in, sign out, register, confirm the address, reset a forgotten password."""

from __future__ import annotations

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user

from app.auth.access import is_safe_next
from app.auth.blueprint import bp
from app.auth.forms import LoginForm
from app.auth.forms import RegistrationForm
from app.auth.forms import ResendConfirmationForm
from app.auth.forms import ResetPasswordForm
from app.auth.forms import ResetRequestForm
from app.extensions import db
from app.extensions import limiter
from app.services import accounts
from app.services import audit
from app.services import sessions
from app.services.email_address import normalise_email
from app.services.tokens import read_confirm_token
from app.services.tokens import read_reset_token


def _limit(name: str, **kwargs):
    return limiter.limit(lambda: current_app.config[name], methods=["POST"], **kwargs)


def _account_tried() -> str:
    """The account a sign-in names, compared as accounts compare addresses."""
    return "account:" + normalise_email(request.form.get("email", "")[:1000])[:254]


def _sign_in_failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@_limit("LOGIN_RATE_LIMIT")
@_limit(
    "LOGIN_ACCOUNT_RATE_LIMIT",
    key_func=_account_tried,
    deduct_when=_sign_in_failed,
    exempt_when=lambda: not request.form.get("email"),
)
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Nieprawidłowy e-mail lub hasło."))
        elif not user.is_active:
            # Said only to whoever knows the password: the address alone reveals nothing.
            form.email.errors.append(
                _(
                    "To konto zostało wyłączone przez administratora. Jeśli to pomyłka, "
                    "napisz do koordynatora OKIK."
                )
            )
        elif not user.is_confirmed:
            form.email.errors.append(
                _("Najpierw potwierdź adres e-mail: kliknij link z wiadomości, którą wysłaliśmy.")
            )
        else:
            sessions.start(user)
            login_user(user, remember=form.remember.data)
            audit.record(user, "user.logged_in", user)
            db.session.commit()
            flash(_("Witaj, %(name)s!", name=user.first_name), "success")
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("dashboard.index"))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out: the server forgets this sign-in, so a copy of the cookie is worthless too."""
    sessions.end(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("Wylogowano."), "success")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@_limit("REGISTER_RATE_LIMIT")
def register():
    """Create a volunteer account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        accounts.register_volunteer(
            form.email.data,
            form.password.data,
            form.first_name.data,
            form.last_name.data,
            str(get_locale() or "pl"),
        )
        db.session.commit()
        return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.get("/register/check-email")
def check_email():
    """Tell the person to look for the confirmation e-mail."""
    return render_template("auth/check_email.html")


@bp.get("/confirm/<token>")
def confirm(token: str):
    """Confirm an e-mail address from the link in the message."""
    user = read_confirm_token(token)
    if user is None:
        flash(_("Link potwierdzający jest nieprawidłowy lub wygasł. Wyślij nowy."), "error")
        return redirect(url_for("auth.resend_confirmation"))
    if accounts.confirm_email(user):
        db.session.commit()
        flash(_("Adres e-mail potwierdzony. Możesz się zalogować."), "success")
    else:
        flash(_("Ten adres był już potwierdzony."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def resend_confirmation():
    """Send the confirmation link again."""
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if user is not None and not user.is_confirmed:
            accounts.send_confirmation(user)
            db.session.commit()
        flash(_("Jeśli konto z tym adresem czeka na potwierdzenie, wysłaliśmy nowy link."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/resend.html", form=form), 422 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_request():
    """Ask for a password reset link."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("Jeśli konto z tym adresem istnieje, wysłaliśmy link do ustawienia nowego hasła."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@_limit("RESET_RATE_LIMIT")
def reset_password(token: str):
    """Set a new password from the link in the message."""
    user = read_reset_token(token)
    if user is None:
        flash(_("Link do zmiany hasła jest nieprawidłowy, wygasł albo został już użyty."), "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data, via_reset=True)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Hasło zmienione. Zaloguj się nowym hasłem."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200
