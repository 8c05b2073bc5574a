"""Staff pages: an institution's needs, shifts, applicants and decisions.

Views are thin: they find the record, check that the person manages it (staff of the host or a
co-host, coordinators), parse a form and call app.services.needs / applications / checks.
Refusals from the services come back as pages with 409 and the reason, never as a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from app.auth.access import roles_required
from app.core.ids import MAX_ID
from app.core.labels import need_kind_labels
from app.core.text import polish
from app.extensions import db
from app.manage.blueprint import bp
from app.manage.forms import AddShiftsForm
from app.manage.forms import CancelForm
from app.manage.forms import CheckForm
from app.manage.forms import DecisionForm
from app.manage.forms import NeedFields
from app.manage.forms import SeenStatusForm
from app.manage.forms import ShiftForm
from app.manage.forms import first_day_not_in_past
from app.manage.forms import need_form
from app.manage.forms import shift_form_data
from app.models import Assignment
from app.models import Institution
from app.models import Need
from app.models import NeedStatus
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import SkillGroup
from app.models import User
from app.services import applications
from app.services import checks
from app.services import needs
from app.services import qualifications
from app.services import staff_views
from app.services.applications import AlreadyDecided
from app.services.applications import ApplicationError
from app.services.needs import NeedError
from app.services.permissions import can_manage_need
from app.services.permissions import can_see_volunteer
from app.services.status_messages import application_state

staff_required = roles_required(Role.STAFF, Role.COORDINATOR)
T = TypeVar("T")


def _locale() -> str:
    return str(get_locale() or "pl")


# --- finding records the person may manage -----------------------------------------------------


def _institution_or_404(slug: str | None) -> Institution:
    if not slug or len(slug) > 80:
        abort(404)
    institution = db.session.scalar(
        select(Institution).where(Institution.slug == slug, Institution.is_active.is_(True))
    )
    if institution is None:
        abort(404)
    if not staff_views.can_manage_institution(current_user, institution):
        abort(403)
    return institution


def _get_or_404(model, record_id: int):
    """The record with this id, or 404 (also for ids too large for the database to compare)."""
    if not 0 < record_id <= MAX_ID:
        abort(404)
    return db.session.get(model, record_id) or abort(404)


def _need_or_404(need_id: int) -> Need:
    need = _get_or_404(Need, need_id)
    if not can_manage_need(current_user, need):
        abort(403)
    return need


def _shift_or_404(shift_id: int) -> Shift:
    shift = _get_or_404(Shift, shift_id)
    if not can_manage_need(current_user, shift.need):
        abort(403)
    return shift


def _assignment_or_404(assignment_id: int) -> Assignment:
    assignment = _get_or_404(Assignment, assignment_id)
    if not can_manage_need(current_user, assignment.need):
        abort(403)
    return assignment


def _taxonomy() -> tuple[list[SkillGroup], list[Skill]]:
    groups = list(
        db.session.scalars(
            select(SkillGroup)
            .options(selectinload(SkillGroup.offered_skills))
            .order_by(SkillGroup.position, SkillGroup.id)
        )
    )
    return groups, [s for g in groups for s in g.offered_skills]


def _other_institutions() -> list[Institution]:
    return list(
        db.session.scalars(
            select(Institution)
            .where(Institution.is_active.is_(True))
            .order_by(polish(Institution.name))
        )
    )


def _field_error(form, name: str | None, message: str) -> None:
    """Put a service's refusal at the field it names, or flash it when it names none."""
    if name == "until":
        name = "repeat_until"
    if name and name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        flash(message, "error")


class Refused:
    """A service said no: the change was rolled back and the reason is shown."""


REFUSED = Refused()


def _commit(call: Callable[[], T], form=None, refusal: type[Exception] = NeedError) -> T | Refused:
    """Run the service call and commit; on its refusal roll back and put the reason at the
    form's field (or flash it) so that the view only has to re-render the page."""
    try:
        result = call()
    except refusal as exc:
        db.session.rollback()
        if form is None:
            flash(str(exc), "error")
        else:
            _field_error(form, getattr(exc, "field", None), str(exc))
        return REFUSED
    db.session.commit()
    return result


# --- overview ----------------------------------------------------------------------------------


@bp.get("/")
@staff_required
def index():
    """List the institutions this person manages with their needs and pending applications."""
    return render_template(
        "manage/index.html", summaries=staff_views.institution_summaries(current_user)
    )


@bp.get("/institutions/<slug>")
@staff_required
def institution(slug: str):
    """Show the institution's needs with their fill state and the applicants waiting."""
    inst = _institution_or_404(slug)
    pending = staff_views.pending_applications(inst)
    return render_template(
        "manage/institution.html",
        institution=inst,
        grouped=staff_views.institution_needs(inst),
        applicants=staff_views.describe_applicants(current_user, pending, _locale()),
        need_kinds=need_kind_labels(),
    )


# --- needs -------------------------------------------------------------------------------------


def _render_need_form(template: str, status: int = 200, **context):
    groups, _skills = _taxonomy()
    return render_template(template, groups=groups, **context), status


def _need_form(institution: Institution, *, with_shift: bool, **kwargs) -> NeedFields:
    _groups, skills = _taxonomy()
    return need_form(skills, institution, _other_institutions(), with_shift=with_shift, **kwargs)


def _create_need(institution: Institution, form) -> tuple[Need, int]:
    """The new draft and the number of its shifts; raises NeedError with the field."""
    specs = form.shift_specs()
    need = needs.create_need(
        institution,
        current_user,
        form.need_values(),
        skills=form.skill_values(),
        cohost_ids=form.cohosts.data or [],
        shifts=specs,
    )
    return need, len(specs)


def _update_need(need: Need, form: NeedFields) -> int:
    """Save the form into the need; the number of people told (only of a published need)."""
    was_published = need.status == NeedStatus.PUBLISHED
    announced = needs.update_need(
        need,
        current_user,
        form.need_values(),
        skills=form.skill_values(),
        cohost_ids=form.cohosts.data or [],
    )
    return staff_views.people_on_need(need.id) if announced and was_published else 0


def _created_message(shifts: int) -> str:
    return ngettext(
        "Zapisano szkic potrzeby z %(num)d zmianą.",
        "Zapisano szkic potrzeby z %(num)d zmianami.",
        shifts,
    )


def _saved_message(told: int) -> str:
    if not told:
        return _("Zapisano zmiany.")
    return ngettext(
        "Zapisano zmiany. Powiadomiono %(num)d osobę zgłoszoną lub przyjętą.",
        "Zapisano zmiany. Powiadomiono %(num)d osób zgłoszonych lub przyjętych.",
        told,
    )


def _to_need(need_id: int) -> Response:
    return redirect(url_for("manage.need", need_id=need_id), 303)


@bp.route("/needs/new", methods=["GET", "POST"])
@staff_required
def new_need():
    """Create a draft need with its first shift, or a weekly series of shifts."""
    inst = _institution_or_404(request.args.get("institution", type=str))
    form = _need_form(inst, with_shift=True)
    if request.method == "GET":
        form.prefill_contact(current_user)
        return _render_need_form("manage/need_form.html", form=form, institution=inst)
    if not (form.validate_on_submit() and first_day_not_in_past(form)):
        return _render_need_form("manage/need_form.html", 422, form=form, institution=inst)
    created = _commit(lambda: _create_need(inst, form), form)
    if isinstance(created, Refused):
        return _render_need_form("manage/need_form.html", 409, form=form, institution=inst)
    need, shifts = created
    flash(_created_message(shifts), "success")
    return _to_need(need.id)


def _need_page(need: Need, status: int = 200, **forms):
    context = {
        "add_form": AddShiftsForm(formdata=None, prefix="add"),
        "cancel_form": CancelForm(formdata=None),
    }
    context.update(forms)
    return render_template(
        "manage/need.html",
        need=need,
        rows=staff_views.shift_rows(current_user, need, _locale()),
        need_kinds=need_kind_labels(),
        **context,
    ), status


@bp.get("/needs/<int:need_id>")
@staff_required
def need(need_id: int):
    """Show a need as staff see it: status, actions, shifts with applicants and decisions."""
    return _need_page(_need_or_404(need_id))


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_need(need_id: int):
    """Change the need's description, skills and co-hosts; people on it are told of key changes."""
    item = _need_or_404(need_id)
    if request.method == "GET":
        form = _need_form(item.institution, with_shift=False, obj=item)
        form.show_need(item)
        return _render_need_form("manage/need_edit.html", form=form, need=item)
    form = _need_form(item.institution, with_shift=False)
    if not form.validate_on_submit():
        return _render_need_form("manage/need_edit.html", 422, form=form, need=item)
    told = _commit(lambda: _update_need(item, form), form)
    if isinstance(told, Refused):
        return _render_need_form("manage/need_edit.html", 409, form=form, need=item)
    flash(_saved_message(told), "success")
    return _to_need(item.id)


def _seen_status_ok(form: SeenStatusForm, current: str) -> bool:
    return form.seen_status.data == str(current)


def _status_action(need_id: int, action, done_message: str) -> Response | tuple:
    item = _need_or_404(need_id)
    form = SeenStatusForm()
    if not form.validate_on_submit():
        flash(_("Odśwież stronę i spróbuj ponownie."), "error")
        return _need_page(item, 422)
    if not _seen_status_ok(form, item.status):
        flash(
            _("Ktoś w międzyczasie zmienił stan tej potrzeby. Sprawdź i spróbuj ponownie."), "error"
        )
        return _need_page(item, 409)
    try:
        action(item, current_user)
    except NeedError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _need_page(db.session.get_one(Need, need_id), 409)
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for("manage.need", need_id=item.id), 303)


@bp.post("/needs/<int:need_id>/publish")
@staff_required
def publish_need(need_id: int):
    """Publish a draft (or reopen a closed need) so that volunteers can apply."""
    return _status_action(need_id, needs.publish, _("Potrzeba jest opublikowana."))


@bp.post("/needs/<int:need_id>/close")
@staff_required
def close_need(need_id: int):
    """Stop new applications; accepted volunteers keep their places."""
    return _status_action(need_id, needs.close, _("Zamknięto przyjmowanie zgłoszeń."))


@bp.post("/needs/<int:need_id>/cancel")
@staff_required
def cancel_need(need_id: int):
    """Cancel the need; every applied or accepted volunteer is told, with the reason."""
    item = _need_or_404(need_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _need_page(item, 422, cancel_form=form)
    told = _commit(lambda: needs.cancel(item, current_user, form.reason.data))
    if isinstance(told, Refused):
        return _need_page(db.session.get_one(Need, need_id), 409)
    flash(_cancelled_message(told), "success")
    return _to_need(item.id)


def _cancelled_message(told: int) -> str:
    return ngettext(
        "Potrzeba odwołana. Powiadomiono %(num)d osobę.",
        "Potrzeba odwołana. Powiadomiono %(num)d osób.",
        told,
    )


# --- shifts ------------------------------------------------------------------------------------


@bp.post("/needs/<int:need_id>/shifts")
@staff_required
def add_shifts(need_id: int):
    """Add one shift, or one every week until a date."""
    item = _need_or_404(need_id)
    form = AddShiftsForm(prefix="add")
    if not (form.validate_on_submit() and first_day_not_in_past(form)):
        return _need_page(item, 422, add_form=form)
    added = _commit(lambda: needs.add_shifts(item, current_user, form.shift_specs()), form)
    if isinstance(added, Refused):
        return _need_page(db.session.get_one(Need, need_id), 409, add_form=form)
    flash(ngettext("Dodano %(num)d zmianę.", "Dodano %(num)d zmian.", len(added)), "success")
    return _to_need(item.id)


@bp.route("/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_shift(shift_id: int):
    """Change a shift's day, times or places; people on it are told."""
    shift = _shift_or_404(shift_id)
    if request.method == "GET":
        return _shift_page(ShiftForm(formdata=None, data=shift_form_data(shift)), shift)
    form = ShiftForm()
    if not form.validate_on_submit():
        return _shift_page(form, shift, 422)
    if not form.not_moved_into_past(shift):
        return _shift_page(form, shift, 422)
    changed = _commit(lambda: needs.update_shift(shift, current_user, form.shift_spec()), form)
    if isinstance(changed, Refused):
        return _shift_page(form, db.session.get_one(Shift, shift_id), 409)
    flash(_("Zapisano zmianę.") if changed else _("Nic się nie zmieniło."), "success")
    return _to_need(shift.need_id)


def _shift_page(form: ShiftForm, shift: Shift, status: int = 200):
    return render_template("manage/shift_edit.html", form=form, shift=shift), status


@bp.post("/shifts/<int:shift_id>/cancel")
@staff_required
def cancel_shift(shift_id: int):
    """Cancel one shift; everyone applied to or accepted on it is told, with the reason."""
    shift = _shift_or_404(shift_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Podaj powód odwołania zmiany."), "error")
        return _need_page(shift.need, 422)
    if shift.is_cancelled:
        flash(_("Ta zmiana jest już odwołana."), "error")
        return _need_page(shift.need, 409)
    cancelled = _commit(lambda: needs.cancel_shift(shift, current_user, form.reason.data))
    if isinstance(cancelled, Refused):  # cancelled by someone else a moment ago
        return _need_page(db.session.get_one(Shift, shift_id).need, 409)
    flash(_("Zmiana odwołana. Osoby na niej zgłoszone zostały powiadomione."), "success")
    return _to_need(shift.need_id)


# --- decisions ---------------------------------------------------------------------------------


def _decide(assignment_id: int, decide, done_message: str):
    assignment = _assignment_or_404(assignment_id)
    need_id = assignment.need_id
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Odśwież stronę i spróbuj ponownie."), "error")
        return _need_page(assignment.need, 422)
    if not _seen_status_ok(form, assignment.status):
        # The page was out of date: say what happened instead of deciding again.
        flash(application_state(assignment.status), "info")
        return redirect(url_for("manage.need", need_id=need_id), 303)
    try:
        decide(assignment, current_user, form.note.data or "")
    except AlreadyDecided as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(url_for("manage.need", need_id=need_id), 303)
    except ApplicationError as exc:
        db.session.rollback()
        flash(
            _(
                "Decyzja w sprawie: %(name)s nie została zapisana. %(reason)s",
                name=db.session.get_one(User, assignment.volunteer_id).full_name,
                reason=str(exc),
            ),
            "error",
        )
        return _need_page(db.session.get_one(Need, need_id), 409)
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for("manage.need", need_id=need_id), 303)


@bp.post("/assignments/<int:assignment_id>/accept")
@staff_required
def accept_assignment(assignment_id: int):
    """Accept an application: the volunteer gets a place if the rules allow it."""
    return _decide(assignment_id, applications.accept, _("Przyjęto zgłoszenie."))


@bp.post("/assignments/<int:assignment_id>/reject")
@staff_required
def reject_assignment(assignment_id: int):
    """Reject an application, with an optional note for the volunteer."""
    return _decide(assignment_id, applications.reject, _("Odrzucono zgłoszenie."))


# --- volunteers --------------------------------------------------------------------------------


def _volunteer_or_404(volunteer_id: int) -> User:
    volunteer = _get_or_404(User, volunteer_id)
    if not volunteer.is_volunteer:
        abort(404)
    if current_user.id == volunteer.id or not can_see_volunteer(current_user, volunteer.id):
        abort(403)
    return volunteer


def _volunteer_page(volunteer: User, form: CheckForm, status: int = 200):
    assignments = staff_views.volunteer_assignments(current_user, volunteer.id)
    return render_template(
        "manage/volunteer.html",
        volunteer=volunteer,
        profile=volunteer.profile,
        applications=staff_views.describe_applicants(current_user, assignments, _locale()),
        age=volunteer.profile.age_on(staff_views.today_in_warsaw()) if volunteer.profile else None,
        checks_done=staff_views.volunteer_checks(volunteer.id),
        may_record=checks.may_record_check(current_user, volunteer),
        qualifications=qualifications.visible_records(current_user, volunteer.id),
        today=staff_views.today_in_warsaw(),
        form=form,
    ), status


@bp.get("/volunteers/<int:volunteer_id>")
@staff_required
def volunteer(volunteer_id: int):
    """Show a volunteer's relevant data, their applications here and recorded checks."""
    return _volunteer_page(_volunteer_or_404(volunteer_id), CheckForm(formdata=None))


@bp.post("/volunteers/<int:volunteer_id>/checks")
@staff_required
def record_check(volunteer_id: int):
    """Record that the criminal-record certificate was seen and the register checked."""
    person = _volunteer_or_404(volunteer_id)
    form = CheckForm()
    if not form.validate_on_submit():
        return _volunteer_page(person, form, 422)
    recorded = _commit(
        lambda: checks.record_check(person, current_user, *form.values()),
        form,
        refusal=checks.CheckError,
    )
    if isinstance(recorded, Refused):
        return _volunteer_page(person, form, 409)
    flash(_("Odnotowano sprawdzenie."), "success")
    return redirect(url_for("manage.volunteer", volunteer_id=person.id), 303)
