"""Feedback after a shift: volunteers rate the shifts they served on, staff and coordinators read
the results (staff: their institutions; coordinators: the coalition)."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import roles_required
from app.auth.access import volunteer_required
from app.core.ids import record_or_404
from app.extensions import db
from app.feedback.blueprint import bp
from app.feedback.forms import FeedbackForm
from app.models import Assignment
from app.models import Role
from app.services import feedback as service

staff_required = roles_required(Role.STAFF, Role.COORDINATOR)


@bp.get("/")
@volunteer_required
def mine():
    """The shifts I may rate now."""
    return render_template("feedback/mine.html", places=service.to_give(current_user))


def _own(assignment_id: int) -> Assignment:
    """My place; someone else's looks like a missing one (404)."""
    assignment = record_or_404(Assignment, assignment_id)
    if assignment.volunteer_id != current_user.id:
        abort(404)
    return assignment


def _page(assignment: Assignment, form: FeedbackForm, status: int = 200, problem: str = ""):
    return (
        render_template(
            "feedback/give.html",
            assignment=assignment,
            form=form,
            given=service.already_given(current_user, assignment.shift_id),
            problem=problem,
            anonymous_below=service.ANONYMOUS_BELOW,
        ),
        status,
    )


def _first_look(assignment: Assignment, form: FeedbackForm):
    """The form, or why this shift cannot be rated (yet)."""
    try:
        service.check(current_user, assignment)
    except service.FeedbackError as e:
        return _page(assignment, form, problem=str(e))
    return _page(assignment, form)


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@volunteer_required
def give(assignment_id: int):
    """Rate a shift I served on, 1 to 5, with a comment."""
    assignment = _own(assignment_id)
    form = FeedbackForm()
    if not form.is_submitted():
        return _first_look(assignment, form)
    if not form.validate():
        return _page(assignment, form, 422)
    try:
        service.give(current_user, assignment, int(form.rating.data or 0), form.comment.data)
    except service.FeedbackError as e:
        db.session.rollback()
        return _page(assignment, form, 409, problem=str(e))
    db.session.commit()
    flash(_("Dziękujemy za ocenę zmiany!"), "success")
    return redirect(url_for("feedback.mine"), code=303)


@bp.get("/results")
@staff_required
def results():
    """Ratings of shifts: my institutions' (staff) or the coalition's (coordinators)."""
    return render_template(
        "feedback/results.html",
        results=service.results(current_user),
        anonymous_below=service.ANONYMOUS_BELOW,
    )
