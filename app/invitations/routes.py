"""Suggested volunteers for a need's open shifts, one-click invitations, and the answers to them.

Staff (of the host or a co-host) and coordinators see "Polecani wolontariusze" on a need and
invite with one click; the volunteer answers from the links in the e-mail, after signing in.
The weekly e-mail of suggestions is stopped from its own signed link, without signing in.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from app.auth.access import roles_required
from app.core.ids import MAX_ID
from app.core.time import utcnow
from app.extensions import db
from app.invitations.blueprint import bp
from app.invitations.forms import AnswerForm
from app.invitations.forms import DeclineInvitationForm
from app.invitations.forms import InviteForm
from app.invitations.forms import StopSuggestionsForm
from app.models import Assignment
from app.models import Need
from app.models import Role
from app.models import Shift
from app.models import User
from app.proposals.texts import Names
from app.proposals.texts import reason_text
from app.services import invitations
from app.services import offers
from app.services import weekly_suggestions
from app.services.applications import AlreadyDecided
from app.services.applications import ApplicationError
from app.services.permissions import can_manage_need
from app.services.permissions import can_see_volunteer
from app.services.suggestions import candidates_for_shift

staff_required = roles_required(Role.STAFF, Role.COORDINATOR)
# The soonest open shifts a page ranks volunteers for: a weekly need may have a year of them.
SHIFTS_SHOWN = 8


def _managed(model, record_id: int):
    """The need or shift with this id, if the person manages its need; 404 or 403 otherwise."""
    if not 0 < record_id <= MAX_ID:
        abort(404)
    record = db.session.get(model, record_id) or abort(404)
    if not can_manage_need(current_user, record if isinstance(record, Need) else record.need):
        abort(403)
    return record


def _suggestions_page(need: Need, form: InviteForm, status: int = 200):
    now = utcnow()
    shifts = sorted(
        (s for s in need.shifts if not s.is_cancelled and s.starts_at > now),
        key=lambda s: (s.starts_at, s.id),
    )[:SHIFTS_SHOWN]
    found = {shift.id: candidates_for_shift(shift, now) for shift in shifts}
    people = {c.volunteer.id for cs in found.values() for c in cs}
    return render_template(
        "invitations/suggestions.html",
        need=need,
        shifts=shifts,
        found=found,
        contact={v: can_see_volunteer(current_user, v) for v in people},
        form=form,
        shown=SHIFTS_SHOWN,
        names=Names({need.institution_id}),
        reason_text=reason_text,
    ), status


@bp.get("/manage/needs/<int:need_id>/suggestions")
@staff_required
def suggestions(need_id: int):
    """Show the volunteers the ranking suggests for each open shift of a need."""
    return _suggestions_page(_managed(Need, need_id), InviteForm(formdata=None))


@bp.post("/manage/shifts/<int:shift_id>/invite")
@staff_required
def invite(shift_id: int):
    """Invite a suggested volunteer to a shift: an offer with a deadline."""
    shift = _managed(Shift, shift_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _suggestions_page(shift.need, form, 422)
    volunteer = db.session.get(User, form.volunteer)
    try:
        if volunteer is None:
            raise ApplicationError(_("Wybierz osobę z listy polecanych wolontariuszy."))
        invitations.invite(shift, volunteer, current_user)
    except ApplicationError as exc:
        db.session.rollback()
        form.volunteer_id.errors = [str(exc)]
        return _suggestions_page(shift.need, form, 409)
    db.session.commit()
    flash(_("Wysłano zaproszenie: %(name)s.", name=volunteer.full_name), "success")
    return redirect(url_for("invitations.suggestions", need_id=shift.need_id), 303)


def _own(assignment_id: int) -> Assignment:
    if not 0 < assignment_id <= MAX_ID:
        abort(404)
    return invitations.invitation_of(assignment_id, current_user) or abort(404)


def _answer_page(assignment: Assignment, answer: str, form, status: int = 200):
    return render_template(
        "invitations/answer.html", offer=assignment, answer=answer, form=form
    ), status


def _answered(assignment: Assignment, refusal: ApplicationError | None, done: str):
    if refusal is None:
        flash(done, "success")
    else:
        flash(str(refusal), "info" if isinstance(refusal, AlreadyDecided) else "error")
    return redirect(url_for("dashboard.index"), 303)


@bp.get("/invitations/<int:assignment_id>/accept")
@login_required
def accept(assignment_id: int):
    """Show an invitation with the button that accepts it."""
    return _answer_page(_own(assignment_id), "accept", AnswerForm(formdata=None))


@bp.post("/invitations/<int:assignment_id>/accept")
@login_required
def confirm_accept(assignment_id: int):
    """Accept an invitation: the place it held is mine."""
    assignment, form = _own(assignment_id), AnswerForm()
    if not form.validate_on_submit():
        return _answer_page(assignment, "accept", form, 400)
    refusal = _answer(lambda: offers.accept_offer(assignment, current_user))
    return _answered(assignment, refusal, _("Przyjęto zaproszenie. Do zobaczenia na zmianie!"))


@bp.get("/invitations/<int:assignment_id>/decline")
@login_required
def decline(assignment_id: int):
    """Show an invitation with the form that declines it."""
    return _answer_page(_own(assignment_id), "decline", DeclineInvitationForm(formdata=None))


@bp.post("/invitations/<int:assignment_id>/decline")
@login_required
def confirm_decline(assignment_id: int):
    """Decline an invitation; the place goes back to the shift."""
    assignment, form = _own(assignment_id), DeclineInvitationForm()
    if not form.validate_on_submit():
        return _answer_page(assignment, "decline", form, 422)
    refusal = _answer(lambda: offers.decline_offer(assignment, current_user, form.note.data or ""))
    return _answered(assignment, refusal, _("Odmówiono. Miejsce wraca do puli."))


def _answer(call) -> ApplicationError | None:
    """Run an answer; an expired offer is recorded as such, any other refusal changes nothing."""
    try:
        call()
    except AlreadyDecided as exc:
        db.session.rollback()
        return exc
    except ApplicationError as exc:
        db.session.commit()  # an offer found expired lapses for good
        return exc
    db.session.commit()
    return None


@bp.route("/suggestions/stop/<token>", methods=["GET", "POST"])
def stop_weekly(token: str):
    """Stop the weekly e-mail of suggestions from the link in it, without signing in."""
    person = weekly_suggestions.read_stop_token(token) or abort(404)
    form = StopSuggestionsForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("invitations/stop.html", form=form, token=token, done=False), status
    weekly_suggestions.stop(person)
    db.session.commit()
    return render_template("invitations/stop.html", form=form, token=token, done=True)
