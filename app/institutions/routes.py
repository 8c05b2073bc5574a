"""The coalition directory, and the requests to join an institution's staff or the coalition."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.forms_common import placeholder, written_choice
from app.institutions import bp
from app.institutions.forms import InstitutionRequestForm, StaffRequestForm
from app.models import (
    Institution,
    InstitutionRequest,
    Need,
    NeedStatus,
    RequestStatus,
    StaffRequest,
)
from app.services.memberships import RequestError, ask_to_join_coalition, ask_to_join_staff


def active_institutions() -> list[Institution]:
    return list(
        db.session.scalars(
            select(Institution).where(Institution.is_active.is_(True)).order_by(Institution.name)
        )
    )


@bp.get("/")
def directory():
    """List the coalition's institutions, founders first."""
    institutions = active_institutions()
    founders = [i for i in institutions if i.is_founder]
    partners = [i for i in institutions if not i.is_founder]
    return render_template("institutions/directory.html", founders=founders, partners=partners)


@bp.get("/<slug>")
def detail(slug: str):
    """Show one institution and its published needs."""
    institution = db.session.scalar(
        select(Institution).where(Institution.slug == slug, Institution.is_active.is_(True))
    )
    if institution is None:
        abort(404)
    needs = db.session.scalars(
        select(Need)
        .where(Need.institution_id == institution.id, Need.status == NeedStatus.PUBLISHED)
        .order_by(Need.title)
    ).all()
    is_member = current_user.is_authenticated and institution.id in current_user.institution_ids()
    return render_template(
        "institutions/detail.html",
        institution=institution,
        needs=needs,
        is_member=is_member,
    )


@bp.route("/staff-request", methods=["GET", "POST"])
@login_required
def staff_request():
    """Ask to act as staff of a coalition institution."""
    form = StaffRequestForm()
    form.institution_id.choices = [placeholder(_("— wybierz instytucję —"))] + [
        written_choice(i.id, i.name) for i in active_institutions()
    ]
    if form.validate_on_submit():
        institution = db.session.get(Institution, form.institution_id.data)
        if institution is None:
            form.institution_id.errors.append(_("Wybierz instytucję z listy."))
        else:
            try:
                ask_to_join_staff(current_user, institution, form.position.data, form.message.data)
            except RequestError as exc:
                form.institution_id.errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("Wniosek wysłany. Koordynator OKIK wkrótce go rozpatrzy."), "success")
                return redirect(url_for("account.overview"))
    mine = db.session.scalars(
        select(StaffRequest)
        .where(StaffRequest.user_id == current_user.id)
        .order_by(StaffRequest.created_at.desc())
    ).all()
    return render_template(
        "institutions/staff_request.html", form=form, requests=mine
    ), 422 if form.errors else 200


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join_coalition():
    """Ask for a new institution to join the coalition."""
    form = InstitutionRequestForm()
    if form.validate_on_submit():
        try:
            ask_to_join_coalition(current_user, form.data)
        except RequestError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Zgłoszenie wysłane. Koordynator OKIK skontaktuje się z Tobą."), "success")
            return redirect(url_for("account.overview"))
    pending = db.session.scalars(
        select(InstitutionRequest).where(
            InstitutionRequest.requested_by_id == current_user.id,
            InstitutionRequest.status == RequestStatus.PENDING,
        )
    ).all()
    return render_template(
        "institutions/join.html", form=form, pending=pending
    ), 422 if form.errors else 200
