"""The signed-in person's own account."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from sqlalchemy import select

from app.account.blueprint import bp
from app.account.forms import ChangePasswordForm
from app.extensions import db
from app.models import InstitutionRequest
from app.models import StaffRequest
from app.services import accounts
from app.services import sessions


@bp.get("/")
@login_required
def overview():
    """Show the account, memberships and open requests."""
    staff_requests = db.session.scalars(
        select(StaffRequest)
        .where(StaffRequest.user_id == current_user.id)
        .order_by(StaffRequest.created_at.desc())
    ).all()
    institution_requests = db.session.scalars(
        select(InstitutionRequest)
        .where(InstitutionRequest.requested_by_id == current_user.id)
        .order_by(InstitutionRequest.created_at.desc())
    ).all()
    return render_template(
        "account/overview.html",
        staff_requests=staff_requests,
        institution_requests=institution_requests,
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; other devices are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        accounts.set_password(user, form.password.data)
        # Every sign-in ended with the old password; this browser gets a new one.
        sessions.start(user)
        db.session.commit()
        login_user(user)
        flash(_("Hasło zmienione. Inne urządzenia zostały wylogowane."), "success")
        return redirect(url_for("account.overview"))
    return render_template("account/password.html", form=form), 422 if form.errors else 200
