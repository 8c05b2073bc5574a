"""The signed-in person's own account."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from app.account import bp
from app.account.forms import ChangePasswordForm
from app.extensions import db
from app.models import InstitutionRequest, StaffRequest
from app.services import accounts


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
        accounts.set_password(current_user, form.password.data)
        db.session.commit()
        # Keep this browser signed in under the new session token.
        login_user(current_user._get_current_object())
        flash(_("Hasło zmienione. Inne urządzenia zostały wylogowane."), "success")
        return redirect(url_for("account.overview"))
    return render_template("account/password.html", form=form), 422 if form.errors else 200
