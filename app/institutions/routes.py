"""The coalition directory, and the requests to join an institution's staff or the coalition."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from flask_wtf import FlaskForm

from app.extensions import db
from app.institutions.blueprint import bp
from app.institutions.forms import InstitutionRequestForm
from app.institutions.forms import StaffRequestForm
from app.institutions.queries import pending_institution_requests
from app.institutions.queries import published_needs
from app.institutions.queries import staff_requests_of
from app.models import Institution
from app.services.directory import active_institution
from app.services.directory import active_institutions
from app.services.memberships import RequestError
from app.services.memberships import ask_to_join_coalition
from app.services.memberships import ask_to_join_staff


def _form_page(template: str, form: FlaskForm, **context):
    """A request page: 422 when the form came back with errors."""
    return render_template(template, form=form, **context), 422 if form.errors else 200


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
    institution = active_institution(slug) or abort(404)
    is_member = current_user.is_authenticated and institution.id in current_user.institution_ids()
    return render_template(
        "institutions/detail.html",
        institution=institution,
        needs=published_needs(institution),
        is_member=is_member,
    )


def _asked_to_join_staff(form: StaffRequestForm) -> bool:
    """Send the request; a refusal goes to the institution field."""
    institution = db.session.get(Institution, form.institution_id.data)
    if institution is None:
        form.institution_id.errors.append(_("Wybierz instytucję z listy."))
        return False
    try:
        ask_to_join_staff(current_user, institution, form.position.data, form.message.data)
    except RequestError as exc:
        form.institution_id.errors.append(str(exc))
        return False
    return True


@bp.route("/staff-request", methods=["GET", "POST"])
@login_required
def staff_request():
    """Ask to act as staff of a coalition institution."""
    form = StaffRequestForm()
    form.offer(active_institutions())
    if form.validate_on_submit() and _asked_to_join_staff(form):
        db.session.commit()
        flash(_("Wniosek wysłany. Koordynator OKIK wkrótce go rozpatrzy."), "success")
        return redirect(url_for("account.overview"))
    return _form_page(
        "institutions/staff_request.html", form, requests=staff_requests_of(current_user)
    )


def _asked_to_join_coalition(form: InstitutionRequestForm) -> bool:
    """Send the request; a refusal goes to the name field."""
    try:
        ask_to_join_coalition(current_user, form.data)
    except RequestError as exc:
        form.name.errors.append(str(exc))
        return False
    return True


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join_coalition():
    """Ask for a new institution to join the coalition."""
    form = InstitutionRequestForm()
    if form.validate_on_submit() and _asked_to_join_coalition(form):
        db.session.commit()
        flash(_("Zgłoszenie wysłane. Koordynator OKIK skontaktuje się z Tobą."), "success")
        return redirect(url_for("account.overview"))
    return _form_page(
        "institutions/join.html", form, pending=pending_institution_requests(current_user)
    )
