"""Qualification pages: the coalition's catalogue (coordinators), a volunteer's qualifications as
staff see and record them, the volunteer's own list, and a training's qualifications for those
who attended. Who sees which record is decided in app.services.qualifications."""

from __future__ import annotations

from datetime import timedelta

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import coordinator_required
from app.auth.access import roles_required
from app.auth.access import volunteer_required
from app.core.ids import MAX_ID
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Institution
from app.models import Need
from app.models import Qualification
from app.models import Role
from app.models import User
from app.qualifications.blueprint import bp
from app.qualifications.forms import ConfirmForm
from app.qualifications.forms import QualificationForm
from app.qualifications.forms import RecordForm
from app.services import qualifications as service
from app.services.permissions import can_manage_need
from app.services.permissions import can_see_volunteer
from app.services.qualifications import QualificationError

staff_required = roles_required(Role.STAFF, Role.COORDINATOR)


def _locale() -> str:
    return str(get_locale() or "pl")


def _get_or_404(model, record_id: int):
    record = db.session.get(model, record_id) if record_id <= MAX_ID else None
    if record is None:
        abort(404)
    return record


def _refused(form, exc: QualificationError) -> None:
    """The service's reason at its field, or above the form."""
    db.session.rollback()
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    else:
        flash(str(exc), "error")


# --- the catalogue -------------------------------------------------------------------------------


def _catalogue_page(form: QualificationForm, status: int = 200):
    return render_template(
        "qualifications/catalogue.html",
        entries=service.catalogue(),
        form=form,
        delete_form=ConfirmForm(formdata=None),
    ), status


@bp.route("/", methods=["GET", "POST"])
@coordinator_required
def catalogue():
    """List the coalition's qualifications and add one."""
    form = QualificationForm()
    if not form.validate_on_submit():
        return _catalogue_page(form, 422 if form.is_submitted() else 200)
    try:
        entry = service.save_qualification(current_user, None, *form.values())
    except QualificationError as exc:
        _refused(form, exc)
        return _catalogue_page(form, 409)
    db.session.commit()
    flash(_("Dodano do katalogu: %(name)s.", name=entry.name_pl), "success")
    return redirect(url_for("qualifications.catalogue"), 303)


@bp.route("/<int:qualification_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(qualification_id: int):
    """Rename an entry or change its period of validity."""
    entry = _get_or_404(Qualification, qualification_id)
    form = QualificationForm(obj=entry)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("qualifications/edit.html", entry=entry, form=form), status
    try:
        service.save_qualification(current_user, entry, *form.values())
    except QualificationError as exc:
        _refused(form, exc)
        return render_template("qualifications/edit.html", entry=entry, form=form), 409
    db.session.commit()
    flash(_("Zapisano zmiany w katalogu."), "success")
    return redirect(url_for("qualifications.catalogue"), 303)


@bp.post("/<int:qualification_id>/delete")
@coordinator_required
def delete(qualification_id: int):
    """Remove an entry nobody holds and no need asks for."""
    entry = _get_or_404(Qualification, qualification_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Odśwież stronę i spróbuj ponownie."), "error")
        return _catalogue_page(QualificationForm(formdata=None), 422)
    try:
        service.delete_qualification(current_user, entry)
    except QualificationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _catalogue_page(QualificationForm(formdata=None), 409)
    db.session.commit()
    flash(_("Usunięto z katalogu."), "success")
    return redirect(url_for("qualifications.catalogue"), 303)


# --- the volunteer's own list --------------------------------------------------------------------


@bp.get("/mine")
@volunteer_required
def mine():
    """Show my qualifications with the day each one lapses."""
    return render_template(
        "qualifications/mine.html",
        records=service.records_of(current_user.id),
        shares=service.shares_qualifications(current_user.id),
        today=today_in_warsaw(),
        soon=today_in_warsaw() + timedelta(days=service.REMIND_DAYS_BEFORE),
        profile=current_user.profile,
    )


# --- staff: a volunteer's qualifications ---------------------------------------------------------


def _volunteer_or_404(volunteer_id: int) -> User:
    volunteer = _get_or_404(User, volunteer_id)
    if not volunteer.is_volunteer:
        abort(404)
    if not can_see_volunteer(current_user, volunteer.id):
        abort(403)
    return volunteer


def _record_form(**kwargs) -> RecordForm:
    form = RecordForm(**kwargs)
    form.offer(service.catalogue(), service.recording_institutions(current_user), _locale())
    return form


def _volunteer_page(volunteer: User, form: RecordForm, status: int = 200):
    return render_template(
        "qualifications/volunteer.html",
        volunteer=volunteer,
        records=service.visible_records(current_user, volunteer.id),
        shares=service.shares_qualifications(volunteer.id),
        may_record=service.may_record(current_user, volunteer),
        today=today_in_warsaw(),
        form=form,
    ), status


@bp.get("/volunteers/<int:volunteer_id>")
@staff_required
def volunteer(volunteer_id: int):
    """Show the qualifications of a volunteer I may see, and a form to record one."""
    return _volunteer_page(_volunteer_or_404(volunteer_id), _record_form(formdata=None))


def _record(person: User, form: RecordForm) -> None:
    service.record_qualification(
        current_user,
        person,
        _get_or_404(Qualification, int(form.qualification.data)),
        _get_or_404(Institution, int(form.institution.data)),
        form.obtained_on.data,
        form.expires_on.data,
        form.note.data or "",
    )


@bp.post("/volunteers/<int:volunteer_id>")
@staff_required
def record(volunteer_id: int):
    """Record a qualification my institution trained or checked."""
    person = _volunteer_or_404(volunteer_id)
    form = _record_form()
    if not form.validate_on_submit():
        return _volunteer_page(person, form, 422)
    try:
        _record(person, form)
    except QualificationError as exc:
        _refused(form, exc)
        return _volunteer_page(person, form, 409)
    db.session.commit()
    flash(_("Odnotowano kwalifikację."), "success")
    return redirect(url_for("qualifications.volunteer", volunteer_id=person.id), 303)


# --- a training's qualification for those who attended -------------------------------------------


@bp.post("/needs/<int:need_id>/grant")
@staff_required
def grant(need_id: int):
    """Record the training's qualification for everyone whose hours on it were confirmed."""
    need = _get_or_404(Need, need_id)
    if not can_manage_need(current_user, need):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirm.data != str(need.grants_qualification_id):
        message = _("Odśwież stronę i spróbuj ponownie.")
        return render_template("qualifications/refused.html", need=need, message=message), 422
    return _granted(need)


def _granted(need: Need) -> Response:
    try:
        count = service.grant_for_training(current_user, need)
    except QualificationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("manage.need", need_id=need.id), 303)
    db.session.commit()
    if count:
        flash(
            ngettext(
                "Odnotowano kwalifikację %(num)d osobie.",
                "Odnotowano kwalifikację %(num)d osobom.",
                count,
            ),
            "success",
        )
    else:
        flash(_("Wszyscy uczestnicy z potwierdzonymi godzinami mają już tę kwalifikację."), "info")
    return redirect(url_for("manage.need", need_id=need.id), 303)
