"""Check-in on the day: the staff's phone list of a shift and the volunteers' own check-in.

Staff pages let through staff and coordinators, then check the need behind the shift
(can_manage_need): staff of another institution get 403. Every button is a plain form with its
CSRF token, so the list works on any phone without scripts.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import roles_required
from app.auth.access import volunteer_required
from app.checkin.blueprint import bp
from app.checkin.forms import CodeForm
from app.checkin.forms import EmptyForm
from app.checkin.forms import TimesForm
from app.core.ids import record_or_404
from app.core.time import in_warsaw
from app.core.urls import absolute_url
from app.extensions import db
from app.models import Assignment
from app.models import Role
from app.models import Shift
from app.services import checkin as service
from app.services.permissions import can_manage_need

# Staff and coordinators; which shifts they may open is decided per record (_managed).
staff_or_coordinator = roles_required(Role.STAFF, Role.COORDINATOR)


def _managed(record: Any) -> Any:
    """A shift or a place of a need the signed-in person runs; 403 for anyone else's."""
    if not can_manage_need(current_user, record.need):
        abort(403)
    return record


def _shift(shift_id: int) -> Shift:
    return _managed(record_or_404(Shift, shift_id))


def _assignment(assignment_id: int) -> Assignment:
    return _managed(record_or_404(Assignment, assignment_id))


def _times_form(row: service.RosterRow) -> TimesForm:
    form = TimesForm(prefix=f"t{row.assignment.id}", formdata=None, meta={"csrf": False})
    if row.mark is not None:
        form.arrived.data = _clock(row.mark.arrived_at)
        form.left.data = _clock(row.mark.left_at)
    return form


def _clock(moment):
    return in_warsaw(moment).time().replace(second=0, microsecond=0) if moment else None


def _roster_page(shift: Shift, status: int = 200, bad: dict[int, TimesForm] | None = None):
    rows = service.roster(shift)
    forms = {r.assignment.id: (bad or {}).get(r.assignment.id) or _times_form(r) for r in rows}
    opens, closes = service.window(shift)
    context: dict[str, Any] = {"opens": opens, "closes": closes, "counts": service.counts(rows)}
    return (
        render_template(
            "checkin/roster.html",
            shift=shift,
            need=shift.need,
            rows=rows,
            times_forms=forms,
            code=service.shift_code(shift.id),
            **context,
        ),
        status,
    )


@bp.get("/shifts/<int:shift_id>")
@staff_or_coordinator
def roster(shift_id: int):
    """Who is on the shift today: present or absent in one tap."""
    return _roster_page(_shift(shift_id))


def _code_url(shift_id: int) -> str:
    return absolute_url("checkin.self_check_in", code=service.shift_code(shift_id))


@bp.get("/shifts/<int:shift_id>/qr.svg")
@staff_or_coordinator
def qr_code(shift_id: int):
    """The shift's check-in address as a QR code, drawn on the server."""
    shift = _shift(shift_id)
    out = io.BytesIO()
    segno.make(_code_url(shift.id), error="m").save(
        out, kind="svg", scale=6, border=2, title=_("Kod QR do zameldowania na zmianie")
    )
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _back(shift_id: int):
    return redirect(url_for("checkin.roster", shift_id=shift_id, _anchor="list"), code=303)


def _refused(assignment: Assignment, error: service.CheckInError):
    db.session.rollback()
    flash(str(error), "error")
    return _roster_page(assignment.shift, 409)


def _mark(assignment_id: int, action) -> Any:
    assignment = _assignment(assignment_id)
    if not EmptyForm().validate():
        abort(400)
    try:
        action(current_user, assignment)
    except service.CheckInError as e:
        return _refused(assignment, e)
    db.session.commit()
    return _back(assignment.shift_id)


@bp.post("/assignments/<int:assignment_id>/present")
@staff_or_coordinator
def present(assignment_id: int):
    """Mark the person present."""
    return _mark(assignment_id, service.mark_present)


@bp.post("/assignments/<int:assignment_id>/absent")
@staff_or_coordinator
def absent(assignment_id: int):
    """Mark the person absent (a no-show only once confirmed on the hours page)."""
    return _mark(assignment_id, service.mark_absent)


@bp.post("/assignments/<int:assignment_id>/times")
@staff_or_coordinator
def times(assignment_id: int):
    """Note a late arrival or an early leave."""
    assignment = _assignment(assignment_id)
    form = TimesForm(prefix=f"t{assignment.id}", meta={"csrf": False})
    if not EmptyForm().validate() or not form.validate():
        return _roster_page(assignment.shift, 422, {assignment.id: form})
    try:
        service.set_times(current_user, assignment, form.arrived.data, form.left.data)
    except service.CheckInError as e:
        db.session.rollback()
        getattr(form, e.field or "arrived").errors = [str(e)]
        return _roster_page(assignment.shift, 422, {assignment.id: form})
    db.session.commit()
    flash(_("Zapisano godziny: %(name)s.", name=assignment.volunteer.full_name), "success")
    return _back(assignment.shift_id)


# --- the volunteer -------------------------------------------------------------------------------


def _self_page(form: CodeForm, status: int = 200):
    return render_template("checkin/self.html", form=form), status


@bp.get("/")
@volunteer_required
def self_check_in():
    """Check myself in with the shift's code (the QR code leads here with the code filled in)."""
    form = CodeForm(formdata=None)
    form.code.data = service.normalised_code(request.args.get("code", ""))[:20]
    return _self_page(form)


@bp.post("/")
@volunteer_required
def check_in():
    """Check myself in with the code."""
    form = CodeForm()
    if not form.validate():
        return _self_page(form, 422)
    try:
        place = service.self_check_in(current_user, form.code.data)
    except service.CheckInError as e:
        db.session.rollback()
        form.code.errors = [str(e)]
        return _self_page(form, 422)
    db.session.commit()
    flash(
        _("Zameldowano Cię na zmianie „%(title)s”. Dobrej pracy!", title=place.need.title),
        "success",
    )
    return redirect(url_for("volunteers.schedule"), code=303)
