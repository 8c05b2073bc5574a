"""E-mail preferences, one-click unsubscribe, and the administrators' view of the outbox."""

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
from sqlalchemy import delete
from sqlalchemy import select

from app.auth.access import admin_required
from app.core.labels import outbox_status_labels
from app.extensions import csrf
from app.extensions import db
from app.models import EmailOptOut
from app.models import OutboxMessage
from app.models import User
from app.notifications.blueprint import bp
from app.notifications.forms import ButtonForm
from app.scheduling.health import scheduler_health
from app.services import audit
from app.services.mail import EMAIL_KINDS
from app.services.mail import cancel
from app.services.mail import overview
from app.services.mail import read_unsubscribe_token
from app.services.mail import retry


def set_opt_out(user: User, kind: str, off: bool) -> None:
    if off:
        if (
            db.session.scalar(
                select(EmailOptOut.id).where(
                    EmailOptOut.user_id == user.id, EmailOptOut.kind == kind
                )
            )
            is None
        ):
            db.session.add(EmailOptOut(user_id=user.id, kind=kind))
    else:
        db.session.execute(
            delete(EmailOptOut).where(EmailOptOut.user_id == user.id, EmailOptOut.kind == kind)
        )


def _opted_out(user: User) -> set[str]:
    return set(db.session.scalars(select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id)))


def _save_preferences(user: User, optional: list[str], wanted: set[str]) -> None:
    """Every optional kind not ticked is turned off; the audit log keeps what was left on."""
    for kind in optional:
        set_opt_out(user, kind, kind not in wanted)
    audit.record(user, "notifications.preferences", user, enabled=sorted(wanted))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    """Choose which optional e-mails to receive."""
    optional = [k for k, (is_opt, _label) in EMAIL_KINDS.items() if is_opt]
    if request.method == "POST":
        wanted = set(request.form.getlist("kinds"))
        if wanted - set(optional):
            abort(400)
        _save_preferences(current_user, optional, wanted)
        db.session.commit()
        flash(_("Zapisano ustawienia powiadomień."), "success")
        return redirect(url_for("notifications.preferences"), 303)
    return render_template(
        "notifications/preferences.html", kinds=EMAIL_KINDS, off=_opted_out(current_user)
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients send the one-click POST (RFC 8058) without a form token
def unsubscribe(token: str):
    """Turn one kind of e-mail off from the link in a message."""
    data = read_unsubscribe_token(token)
    if data is None:
        abort(404)
    user_id, kind = data
    user = db.session.get(User, user_id) or abort(404)
    if request.method == "POST":
        set_opt_out(user, kind, True)
        audit.record(None, "notifications.unsubscribed", user, kind=kind)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", label=EMAIL_KINDS[kind][1])
    return render_template(
        "notifications/unsubscribe.html", label=EMAIL_KINDS[kind][1], token=token
    )


@bp.get("/admin/outbox")
@admin_required
def outbox():
    """Show what is queued, in flight, retried, sent more than once and failed."""
    return render_template(
        "notifications/outbox.html",
        view=overview(),
        status_labels=outbox_status_labels(),
        scheduler=scheduler_health(),
    )


def _outbox_button(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return message


@bp.post("/admin/outbox/<int:message_id>/retry")
@admin_required
def retry_message(message_id: int):
    """Send a failed or cancelled e-mail again."""
    message = _outbox_button(message_id)
    if not retry(current_user, message):
        flash(_("Tę wiadomość można ponowić tylko po nieudanej wysyłce albo anulowaniu."), "error")
        return redirect(url_for("notifications.outbox"), 303)
    db.session.commit()
    flash(_("Wiadomość wróciła do kolejki wysyłki."), "success")
    return redirect(url_for("notifications.outbox"), 303)


@bp.post("/admin/outbox/<int:message_id>/cancel")
@admin_required
def cancel_message(message_id: int):
    """Give up on an e-mail that waits or failed: it will not be sent."""
    message = _outbox_button(message_id)
    if not cancel(current_user, message):
        flash(
            _("Tej wiadomości nie można już anulować: jest wysyłana, wysłana albo anulowana."),
            "error",
        )
        return redirect(url_for("notifications.outbox"), 303)
    db.session.commit()
    flash(_("Wiadomość anulowano: nie zostanie wysłana."), "success")
    return redirect(url_for("notifications.outbox"), 303)
