"""Messages to the volunteers of a need or of one shift, and the history on both sides.

Staff of the host (or a co-host) and coordinators write; others get 403. A volunteer sees what
was sent to them on a need they have (or had) a place or an application on; on any other need
the page answers 404, as if there were none.
"""

from __future__ import annotations

import uuid

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.auth.access import roles_required
from app.auth.access import volunteer_required
from app.core.ids import record_or_404
from app.core.labels import message_audience_labels
from app.extensions import db
from app.models import Assignment
from app.models import Need
from app.models import Role
from app.models import Shift
from app.services import shift_messages as service
from app.services.permissions import can_manage_need
from app.shift_messages.blueprint import bp
from app.shift_messages.forms import MessageForm

staff_required = roles_required(Role.STAFF, Role.COORDINATOR)


def _managed(model, ident: int):
    record = record_or_404(model, ident)
    if not can_manage_need(current_user, record if isinstance(record, Need) else record.need):
        abort(403)
    return record


def _form() -> MessageForm:
    form = MessageForm() if request.method == "POST" else MessageForm(formdata=None)
    form.audiences.choices = [
        SelectChoice(a, message_audience_labels()[a]) for a in service.audiences()
    ]
    if request.method == "GET":
        form.audiences.data = ["accepted"]
        form.token.data = uuid.uuid4().hex
    return form


def _page(need: Need, shift: Shift | None, form: MessageForm, status: int = 200):
    return (
        render_template(
            "shift_messages/write.html",
            need=need,
            shift=shift,
            form=form,
            history=service.history(need, shift),
            labels=message_audience_labels(),
            limit=service.daily_limit(),
            sent_today=service.sent_today(current_user),
            reply_to=service.reply_address(need),
        ),
        status,
    )


def _write(need: Need, shift: Shift | None):
    form = _form()
    if request.method == "GET":
        return _page(need, shift, form)
    if not form.validate():
        return _page(need, shift, form, 422)
    try:
        message = service.send(
            current_user,
            need,
            shift,
            form.audiences.data or [],
            form.subject.data,
            form.body.data,
            form.token.data,
        )
    except service.AlreadySent as e:
        db.session.rollback()
        flash(str(e), "info")
        return _page(need, shift, _form())
    except service.MessageError as e:
        db.session.rollback()
        getattr(form, e.field or "body").errors = [str(e)]
        return _page(need, shift, form, 429 if e.field is None else 422)
    db.session.commit()
    flash(_("Wysłano wiadomość do %(num)d os.", num=message.recipient_count), "success")
    return redirect(request.path, code=303)


@bp.route("/needs/<int:need_id>/write", methods=["GET", "POST"])
@staff_required
def to_need(need_id: int):
    """Write to the volunteers of a need; its messages so far."""
    return _write(_managed(Need, need_id), None)


@bp.route("/shifts/<int:shift_id>/write", methods=["GET", "POST"])
@staff_required
def to_shift(shift_id: int):
    """Write to the volunteers of one shift; its messages so far."""
    shift = _managed(Shift, shift_id)
    return _write(shift.need, shift)


@bp.get("/needs/<int:need_id>")
@volunteer_required
def received(need_id: int):
    """What the institution wrote to me about this need."""
    need = record_or_404(Need, need_id)
    mine = select(Assignment.id).where(
        Assignment.need_id == need.id, Assignment.volunteer_id == current_user.id
    )
    if db.session.scalar(mine.limit(1)) is None:
        abort(404)
    return render_template(
        "shift_messages/received.html",
        need=need,
        messages=service.received(current_user, need),
        reply_to=service.reply_address(need),
    )
