"""The volunteer answers the offers matching made: the list, one offer with its reasons, yes or no.

The views attach to the ``proposals`` blueprint (see ``blueprint.py``), so their endpoint names
stay ``proposals.*``.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from app.extensions import db
from app.models import Assignment
from app.offers.blueprint import bp
from app.offers.forms import DeclineForm
from app.proposals.texts import Names
from app.proposals.texts import reason_text
from app.services import offers
from app.services.applications import AlreadyDecided
from app.services.applications import ApplicationError


def _explained() -> dict[str, Any]:
    """What an offer's page needs to put the matcher's reasons into words."""
    return {"names": Names(None), "reason_text": reason_text}


def _own_offer(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.volunteer_id != current_user.id:
        abort(404)
    return assignment


@bp.get("/offers/")
@login_required
def my_offers():
    """List the offers waiting for my answer."""
    if not current_user.is_volunteer:
        abort(403)
    return render_template(
        "proposals/offers.html", offers=offers.pending_offers(current_user.id), **_explained()
    )


def _offer_page(assignment: Assignment, decline_form: DeclineForm, status: int = 200):
    return render_template(
        "proposals/offer.html", offer=assignment, **_explained(), decline_form=decline_form
    ), status


def _answer_refused(assignment_id: int, refusal: ApplicationError):
    """An answer given a moment earlier (another tab, a second click) is news; any other refusal
    goes back to the offer."""
    if isinstance(refusal, AlreadyDecided):
        flash(str(refusal), "info")
        return redirect(url_for("proposals.my_offers"), 303)
    flash(str(refusal), "error")
    return redirect(url_for("proposals.offer", assignment_id=assignment_id), 303)


@bp.get("/offers/<int:assignment_id>")
@login_required
def offer(assignment_id: int):
    """Show one offer and why it was made."""
    return _offer_page(_own_offer(assignment_id), DeclineForm(formdata=None))


@bp.post("/offers/<int:assignment_id>/accept")
@login_required
def accept_offer(assignment_id: int):
    """Accept an offer."""
    assignment = _own_offer(assignment_id)
    try:
        offers.accept_offer(assignment, current_user)
    except AlreadyDecided as exc:
        db.session.rollback()
        return _answer_refused(assignment_id, exc)
    except ApplicationError as exc:
        db.session.commit()  # an expired offer is recorded as such
        return _answer_refused(assignment_id, exc)
    db.session.commit()
    flash(_("Przyjęto ofertę. Do zobaczenia na zmianie!"), "success")
    return redirect(url_for("proposals.my_offers"), 303)


@bp.post("/offers/<int:assignment_id>/decline")
@login_required
def decline_offer(assignment_id: int):
    """Decline an offer; the place goes back to matching."""
    assignment = _own_offer(assignment_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _offer_page(assignment, form, 422)
    try:
        offers.decline_offer(assignment, current_user, form.note.data or "")
    except ApplicationError as exc:
        db.session.rollback()
        return _answer_refused(assignment_id, exc)
    db.session.commit()
    flash(
        _("Odmówiono. Miejsce wraca do puli, a Ty nie dostaniesz już propozycji tej potrzeby."),
        "success",
    )
    return redirect(url_for("proposals.my_offers"), 303)
