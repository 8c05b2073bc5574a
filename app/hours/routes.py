"""Hours: staff confirm attendance, volunteers log and see their time, Korpus Solidarności.

Staff pages let through staff and coordinators, then check the need behind the record
(can_manage_need): staff of another institution get 403. Volunteers see only their own hours.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from app.auth.access import coordinator_required
from app.auth.access import roles_required
from app.auth.access import volunteer_required
from app.core.ids import MAX_ID
from app.extensions import db
from app.hours.blueprint import bp
from app.hours.forms import ConfirmForm
from app.hours.forms import CoordinatorForm
from app.hours.forms import CorrectForm
from app.hours.forms import EmptyForm
from app.hours.forms import LogForm
from app.hours.forms import NoShowForm
from app.hours.forms import RejectForm
from app.models import Assignment
from app.models import Institution
from app.models import Role
from app.models import Shift
from app.models.hours import HoursEntry
from app.services import checkin
from app.services import hours as service
from app.services import korpus
from app.services import named_coordinator
from app.services.permissions import can_manage_need

staff_required = roles_required(Role.STAFF, Role.COORDINATOR)


def _get(model, ident: int):
    if ident > MAX_ID:
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _shift(shift_id: int) -> Shift:
    shift = _get(Shift, shift_id)
    if not can_manage_need(current_user, shift.need):
        abort(403)
    return shift


def _assignment(assignment_id: int) -> Assignment:
    assignment = _get(Assignment, assignment_id)
    if not can_manage_need(current_user, assignment.need):
        abort(403)
    return assignment


def _entry(entry_id: int) -> HoursEntry:
    entry = _get(HoursEntry, entry_id)
    if entry.need is None or not can_manage_need(current_user, entry.need):
        abort(403)
    return entry


# --- attendance on a shift -----------------------------------------------------------------------


# The global CSRFProtect checks every POST's csrf_token; the per-row forms carry a prefix so that
# their fields have unique ids, and leave the token to it.
ROW = {"csrf": False}


def _row_confirm(assignment_id: int, formdata: Any = None) -> ConfirmForm:
    kw = {} if formdata is not None else {"formdata": None}
    return ConfirmForm(prefix=f"a{assignment_id}", meta=ROW, **kw)


def _row_no_show(assignment_id: int, formdata: Any = None) -> NoShowForm:
    kw = {} if formdata is not None else {"formdata": None}
    return NoShowForm(prefix=f"n{assignment_id}", meta=ROW, **kw)


def _shift_page(shift: Shift, status: int = 200, **forms: Any):
    sheet = service.shift_sheet(shift)
    default = _format_hours(sheet.default_hours)
    all_form = forms.get("all_form") or ConfirmForm(formdata=None)
    if all_form.hours.data is None:
        all_form.hours.data = default
    confirm_forms, no_show_forms = {}, {}
    marks = checkin.marks_by_assignment(shift.id)
    for a in sheet.to_confirm:
        confirm_forms[a.id] = forms.get("confirm", {}).get(a.id) or _row_confirm(a.id)
        if confirm_forms[a.id].hours.data is None:
            prefilled = checkin.prefilled_hours(shift, marks.get(a.id), sheet.default_hours)
            confirm_forms[a.id].hours.data = _format_hours(prefilled)
        no_show_forms[a.id] = forms.get("no_show", {}).get(a.id) or _row_no_show(a.id)
    return (
        render_template(
            "hours/shift.html",
            sheet=sheet,
            need=shift.need,
            all_form=all_form,
            confirm_forms=confirm_forms,
            no_show_forms=no_show_forms,
            marks=marks,
            format_hours=_format_hours,
        ),
        status,
    )


def _format_hours(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@bp.get("/shifts/<int:shift_id>")
@staff_required
def shift(shift_id: int):
    """Attendance and hours of one shift."""
    return _shift_page(_shift(shift_id))


def _message(error: Exception) -> str:
    """A business error says what went wrong; a lost race means someone saved it a moment ago."""
    if isinstance(error, service.HoursError):
        return str(error)
    return _("Ktoś właśnie zapisał obecność na tej zmianie. Sprawdź listę poniżej.")


def _after(shift: Shift):
    return redirect(url_for("hours.shift", shift_id=shift.id), code=303)


def _already(shift: Shift, error: Exception):
    """A second click or a colleague a moment earlier: nothing changed; the page shows why."""
    shift_id = shift.id
    db.session.rollback()
    flash(str(error), "info")
    return redirect(url_for("hours.shift", shift_id=shift_id), code=303)


@bp.post("/shifts/<int:shift_id>/confirm")
@staff_required
def confirm_all(shift_id: int):
    """Confirm everyone on the shift with the same hours."""
    shift = _shift(shift_id)
    form = ConfirmForm()
    if not form.validate():
        return _shift_page(shift, 422, all_form=form)
    try:
        done = service.confirm_shift(current_user, shift, form.hours.valid_hours)
        db.session.commit()
    except service.AttendanceAlreadyRecorded as e:
        return _already(shift, e)
    except (service.HoursError, IntegrityError) as e:
        db.session.rollback()
        flash(_message(e), "error")
        return _shift_page(shift, 409, all_form=form)
    flash(_("Potwierdzono godziny: %(num)d os.", num=len(done)), "success")
    return _after(shift)


@bp.post("/assignments/<int:assignment_id>/confirm")
@staff_required
def confirm_one(assignment_id: int):
    """Confirm one person's attendance and hours."""
    assignment = _assignment(assignment_id)
    form = _row_confirm(assignment.id, request.form)
    if not form.validate():
        return _shift_page(assignment.shift, 422, confirm={assignment.id: form})
    try:
        service.confirm_assignment(current_user, assignment, form.hours.valid_hours)
        db.session.commit()
    except service.AttendanceAlreadyRecorded as e:
        return _already(assignment.shift, e)
    except (service.HoursError, IntegrityError) as e:
        db.session.rollback()
        flash(_message(e), "error")
        return _shift_page(assignment.shift, 409)
    flash(_("Potwierdzono obecność: %(name)s.", name=assignment.volunteer.full_name), "success")
    return _after(assignment.shift)


@bp.post("/assignments/<int:assignment_id>/no-show")
@staff_required
def no_show(assignment_id: int):
    """Mark that the person did not come, with a reason."""
    assignment = _assignment(assignment_id)
    form = _row_no_show(assignment.id, request.form)
    if not form.validate():
        return _shift_page(assignment.shift, 422, no_show={assignment.id: form})
    try:
        service.mark_no_show(current_user, assignment, form.reason.data)
    except service.AttendanceAlreadyRecorded as e:
        return _already(assignment.shift, e)
    except service.HoursError as e:
        db.session.rollback()
        flash(str(e), "error")
        return _shift_page(assignment.shift, 409)
    db.session.commit()
    flash(_("Zapisano nieobecność: %(name)s.", name=assignment.volunteer.full_name), "success")
    return _after(assignment.shift)


# --- one ledger entry ----------------------------------------------------------------------------


def _entry_back(entry: HoursEntry):
    if entry.assignment is not None:
        return redirect(url_for("hours.shift", shift_id=entry.assignment.shift_id), code=303)
    return redirect(url_for("hours.pending"), code=303)


def _refuse(error: service.HoursError, form: Any = None) -> None:
    """Undo the attempt; the reason goes to the form's field it names, or is flashed."""
    db.session.rollback()
    target = getattr(form, error.field or "", None) if form is not None else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        flash(str(error), "error")


def _correct_page(entry: HoursEntry, form: CorrectForm, status: int = 200):
    return render_template("hours/correct.html", entry=entry, form=form), status


@bp.route("/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@staff_required
def correct(entry_id: int):
    """Correct the hours of an entry: a reason is required and the change is audit-logged."""
    entry = _entry(entry_id)
    form = CorrectForm()
    if request.method == "GET":
        form.hours.data = _format_hours(float(entry.hours))
        return _correct_page(entry, form)
    if not form.validate():
        return _correct_page(entry, form, 422)
    try:
        service.correct_entry(current_user, entry, form.hours.valid_hours, form.reason.data)
    except service.HoursError as e:
        _refuse(e)
        return _correct_page(entry, form, 409)
    db.session.commit()
    flash(_("Zapisano poprawkę godzin."), "success")
    return _entry_back(entry)


@bp.post("/entries/<int:entry_id>/confirm")
@staff_required
def confirm_entry(entry_id: int):
    """Confirm a volunteer's own log as it is."""
    entry = _entry(entry_id)
    if not EmptyForm().validate():
        abort(400)
    try:
        service.confirm_entry(current_user, entry)
    except service.HoursError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("hours.pending"), code=303)
    db.session.commit()
    flash(_("Potwierdzono godziny."), "success")
    return redirect(url_for("hours.pending"), code=303)


@bp.post("/entries/<int:entry_id>/reject")
@staff_required
def reject_entry(entry_id: int):
    """Reject a volunteer's own log, with a reason."""
    entry = _entry(entry_id)
    form = RejectForm()
    if not form.validate():
        return _pending_page(422, reject_form=form, reject_id=entry.id)
    try:
        service.reject_entry(current_user, entry, form.reason.data)
    except service.HoursError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("hours.pending"), code=303)
    db.session.commit()
    flash(_("Odrzucono wpis."), "success")
    return redirect(url_for("hours.pending"), code=303)


def _pending_page(status: int = 200, **context: Any):
    return (
        render_template(
            "hours/pending.html",
            shifts=service.shifts_to_confirm(current_user),
            logs=service.pending_logs(current_user),
            format_hours=_format_hours,
            reject_form=context.get("reject_form"),
            reject_id=context.get("reject_id"),
        ),
        status,
    )


@bp.get("/pending")
@staff_required
def pending():
    """Shifts waiting for confirmation and volunteers' own logs at my institutions."""
    return _pending_page()


# --- the volunteer's hours -----------------------------------------------------------------------


def _log_choices(form: LogForm) -> None:
    form.need.choices = [SelectChoice("", _("Wybierz"))] + [
        SelectChoice(str(n.id), n.title) for n in service.self_log_needs(current_user)
    ]


def _mine_page(form: LogForm, status: int = 200):
    today = service.today_in_warsaw()
    profile = current_user.profile
    return (
        render_template(
            "hours/mine.html",
            summary=service.summary(current_user.id),
            progress=korpus.progress(current_user, today) if profile.is_korpus else None,
            form=form,
            can_log=len(form.need.choices) > 1,
            format_hours=_format_hours,
        ),
        status,
    )


@bp.get("/mine")
@volunteer_required
def mine():
    """My hours per month, per institution and in total, and Korpus Solidarności progress."""
    form = LogForm(formdata=None)
    _log_choices(form)
    return _mine_page(form)


@bp.post("/mine/log")
@volunteer_required
def log():
    """Log my own hours on a long-term need; staff confirm them."""
    form = LogForm()
    _log_choices(form)
    if not form.validate():
        return _mine_page(form, 422)
    try:
        service.log_own_hours(current_user, *form.values())
    except service.HoursError as e:
        _refuse(e, form)
        return _mine_page(form, 422)
    db.session.commit()
    flash(_("Zapisano godziny. Instytucja je potwierdzi."), "success")
    return redirect(url_for("hours.mine"), code=303)


# --- Korpus Solidarności -------------------------------------------------------------------------


def _month_arg() -> tuple[int, int]:
    parsed = korpus.parse_month(request.args.get("month"))
    if parsed is None:
        today = service.today_in_warsaw()
        return today.year, today.month
    return parsed


def _export_header() -> list[str]:
    return [
        _("Imię i nazwisko"),
        _("E-mail"),
        _("Data urodzenia"),
        _("Miesiąc"),
        _("Godziny"),
        _("Próg"),
        _("Próg osiągnięty"),
        _("Instytucje"),
    ]


@bp.get("/korpus")
@coordinator_required
def korpus_month():
    """Who met the Korpus Solidarności threshold in a month."""
    year, month = _month_arg()
    rows = korpus.month_report(year, month)
    prev = korpus.previous_month(year, month)
    nxt = (year + (month == 12), month % 12 + 1)
    return render_template(
        "hours/korpus.html",
        rows=rows,
        met=[r for r in rows if r.met],
        month=f"{year:04d}-{month:02d}",
        prev=f"{prev[0]:04d}-{prev[1]:02d}",
        next=f"{nxt[0]:04d}-{nxt[1]:02d}",
        format_hours=_format_hours,
    )


def _export_rows() -> tuple[list[korpus.MonthRow], str]:
    """One month (?month=) or a range up to ?to= (at most 24 months): a row per volunteer and
    month."""
    first = _month_arg()
    last = korpus.parse_month(request.args.get("to")) or first
    months = korpus.months_between(first, max(first, last))
    rows = [row for y, m in months for row in korpus.month_report(y, m)]
    label = f"{first[0]:04d}-{first[1]:02d}"
    if len(months) > 1:
        label += f"_{months[-1][0]:04d}-{months[-1][1]:02d}"
    return rows, label


@bp.get("/korpus.csv")
@coordinator_required
def korpus_csv():
    rows, label = _export_rows()
    body = korpus.to_csv(rows, _export_header(), _("tak"), _("nie"))
    name = f"korpus-{label}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.get("/korpus.xlsx")
@coordinator_required
def korpus_xlsx():
    rows, label = _export_rows()
    body = korpus.to_xlsx(rows, _export_header(), _("tak"), _("nie"), label)
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=korpus-{label}.xlsx"},
    )


# --- the institution's volunteer coordinator -----------------------------------------------------


def _own_institution(slug: str) -> Institution:
    """The institution by slug (404); staff of another institution get 403, coordinators pass."""
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug[:80]))
    if institution is None:
        abort(404)
    if current_user.is_staff and institution.id not in current_user.institution_ids():
        abort(403)
    return institution


def _coordinator_form(institution: Institution) -> CoordinatorForm:
    form = CoordinatorForm()
    form.offer(named_coordinator.institution_staff(institution))
    return form


def _coordinator_page(institution: Institution, form: CoordinatorForm, status: int = 200):
    return render_template("hours/coordinator.html", institution=institution, form=form), status


@bp.route("/institutions/<slug>/coordinator", methods=["GET", "POST"])
@staff_required
def volunteer_coordinator(slug: str):
    """Name the institution's volunteer coordinator: one of its staff."""
    institution = _own_institution(slug)
    form = _coordinator_form(institution)
    if request.method == "GET":
        form.person.data = str(institution.volunteer_coordinator_id or "")
        return _coordinator_page(institution, form)
    if not form.validate():
        return _coordinator_page(institution, form, 422)
    chosen = form.chosen()
    if chosen is None:  # pragma: no cover - the choices already refuse it
        abort(422)
    named_coordinator.name_coordinator(current_user, institution, chosen)
    db.session.commit()
    flash(_("Zapisano koordynatora wolontariatu."), "success")
    return redirect(url_for("hours.volunteer_coordinator", slug=institution.slug), code=303)
