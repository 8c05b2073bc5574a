"""The volunteer's side of the exchange: profile, skills, availability, consents, schedule, data."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import logout_user
from flask_wtf import FlaskForm

from app.auth.access import volunteer_required
from app.core.labels import assignment_status_labels
from app.core.labels import consent_kind_labels
from app.extensions import db
from app.models import Assignment
from app.models import Consent
from app.models import ConsentKind
from app.models import VolunteerProfile
from app.services import volunteers as service
from app.services.applications import AlreadyDecided
from app.services.applications import ApplicationError
from app.services.applications import withdraw
from app.services.notices import notice_text
from app.volunteers import data_rights
from app.volunteers import personal_feed
from app.volunteers.blueprint import bp
from app.volunteers.forms import AbsenceForm
from app.volunteers.forms import ConfirmForm
from app.volunteers.forms import ConsentForm
from app.volunteers.forms import DeleteAccountForm
from app.volunteers.forms import ProfileForm
from app.volunteers.forms import WindowForm
from app.volunteers.forms import level_labels
from app.volunteers.forms import show_refusal
from app.volunteers.forms import skills_form
from app.volunteers.forms import weekday_names


def _page(template: str, status: int = 200, **context: Any):
    """Render a volunteer page with what every such page shows: the guardian banner."""
    profile = current_user.profile
    context.setdefault("profile", profile)
    context.setdefault("endpoints", current_app.view_functions)
    return (
        render_template(
            template,
            awaits_guardian=service.awaits_guardian(profile),
            guardian_runs_account=service.guardian_runs_account(profile),
            **context,
        ),
        status,
    )


def _form_page(template: str, form: FlaskForm, **context: Any):
    """A volunteer page with a form, answered 422 when the form was refused."""
    return _page(template, 422 if form.errors else 200, form=form, **context)


# --- profile -------------------------------------------------------------------------------------


@bp.get("/me/profile")
@volunteer_required
def profile():
    """Show my profile."""
    return _page(
        "volunteers/profile.html",
        checks=service.checks_of(current_user.id),
        skills=sorted(
            current_user.profile.skills, key=lambda s: (s.skill.group.position, s.skill.position)
        ),
        level_labels=level_labels(),
        weekday_names=weekday_names(),
    )


def _flash_profile_saved(profile: VolunteerProfile, was_pending: bool, sent: bool) -> None:
    """Say the profile is saved, and what waits now: a coordinator, or the guardian's e-mail."""
    flash(_("Profil zapisany."), "success")
    if profile.birth_date_confirmation_pending and not was_pending:
        flash(
            _(
                "Nowa data urodzenia czeka na potwierdzenie koordynatora: do tego czasu "
                "instytucje nie mogą Cię przyjmować na zmiany."
            ),
            "info",
        )
    if sent:
        flash(
            _(
                "Wysłaliśmy opiekunowi prawnemu e-mail z prośbą o zgodę na adres %(email)s.",
                email=profile.guardian_email,
            ),
            "info",
        )


@bp.route("/me/profile/edit", methods=["GET", "POST"])
@volunteer_required
def edit_profile():
    """Edit my profile."""
    form = ProfileForm()
    if request.method == "GET":
        form.fill_from(current_user)
    elif form.validate_on_submit():
        was_pending = current_user.profile.birth_date_confirmation_pending
        try:
            sent = service.update_profile(current_user, form.profile_data())
        except service.VolunteerError as exc:
            db.session.rollback()
            show_refusal(form, exc, "first_name")
        else:
            db.session.commit()
            _flash_profile_saved(current_user.profile, was_pending, sent)
            return redirect(url_for("volunteers.profile"))
    return _form_page("volunteers/profile_edit.html", form)


@bp.post("/me/guardian/resend")
@volunteer_required
def resend_guardian():
    """Send the guardian consent e-mail again."""
    form = ConfirmForm()
    profile_ = current_user.profile
    if not form.validate_on_submit():
        abort(400)
    if not service.awaits_guardian(profile_) or not profile_.guardian_email:
        flash(_("Zgoda opiekuna nie jest teraz potrzebna."), "info")
        return redirect(url_for("volunteers.profile"))
    service.request_guardian_consent(current_user)
    db.session.commit()
    flash(_("Wysłaliśmy ponownie prośbę o zgodę do opiekuna."), "success")
    return redirect(url_for("volunteers.profile"))


def _guardian_page(profile_: VolunteerProfile, form: ConfirmForm):
    return render_template(
        "volunteers/guardian.html",
        form=form,
        volunteer=profile_.user,
        profile=profile_,
        runs_account=service.guardian_runs_account(profile_),
    )


@bp.route("/guardian/<token>", methods=["GET", "POST"])
def guardian(token: str):
    """Let the guardian read what they agree to and confirm."""
    profile_ = service.read_guardian_token(token)
    if profile_ is None:
        return render_template("volunteers/guardian_invalid.html"), 404
    form = ConfirmForm()
    if request.method != "POST":
        return _guardian_page(profile_, form)
    if not form.validate_on_submit():
        abort(400)
    if service.confirm_guardian_consent(profile_):
        db.session.commit()
    return render_template("volunteers/guardian_done.html", volunteer=profile_.user)


# --- skills --------------------------------------------------------------------------------------


@bp.route("/me/skills", methods=["GET", "POST"])
@volunteer_required
def skills():
    """Say which skills I have and at what level."""
    groups = service.skill_taxonomy()
    locale = str(get_locale() or "pl")
    form = skills_form([s for g in groups for s in g.offered_skills], locale)
    if request.method == "GET":
        form.fill_from({vs.skill_id: vs.level for vs in current_user.profile.skills})
    elif form.validate_on_submit():
        service.save_skills(current_user, form.levels())
        db.session.commit()
        flash(_("Umiejętności zapisane."), "success")
        return redirect(url_for("volunteers.skills"))
    return _form_page("volunteers/skills.html", form, groups=groups, locale=locale)


# --- availability --------------------------------------------------------------------------------


def _availability_page(window_form=None, absence_form=None, status: int = 200):
    return _page(
        "volunteers/availability.html",
        status,
        window_form=window_form or WindowForm(formdata=None),
        absence_form=absence_form or AbsenceForm(formdata=None),
        weekday_names=weekday_names(),
    )


@bp.get("/me/availability")
@volunteer_required
def availability():
    """Show my weekly availability and dates away."""
    return _availability_page()


@bp.post("/me/availability/windows")
@volunteer_required
def add_window():
    """Add a weekly window."""
    form = WindowForm()
    if form.validate_on_submit():
        try:
            service.add_window(
                current_user, form.weekday.data, form.start_time.data, form.end_time.data
            )
        except service.VolunteerError as exc:
            show_refusal(form, exc, "weekday")
        else:
            db.session.commit()
            flash(_("Dodano przedział dostępności."), "success")
            return redirect(url_for("volunteers.availability"))
    return _availability_page(window_form=form, status=422)


@bp.post("/me/availability/windows/<int:window_id>/delete")
@volunteer_required
def delete_window(window_id: int):
    """Remove a weekly window."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not service.delete_window(current_user, window_id):
        abort(404)
    db.session.commit()
    flash(_("Usunięto przedział dostępności."), "success")
    return redirect(url_for("volunteers.availability"))


@bp.post("/me/availability/absences")
@volunteer_required
def add_absence():
    """Add dates away."""
    form = AbsenceForm()
    if form.validate_on_submit():
        try:
            service.add_absence(current_user, form.starts_on.data, form.ends_on.data)
        except service.VolunteerError as exc:
            show_refusal(form, exc, "ends_on")
        else:
            db.session.commit()
            flash(_("Dodano nieobecność."), "success")
            return redirect(url_for("volunteers.availability"))
    return _availability_page(absence_form=form, status=422)


@bp.post("/me/availability/absences/<int:absence_id>/delete")
@volunteer_required
def delete_absence(absence_id: int):
    """Remove dates away."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not service.delete_absence(current_user, absence_id):
        abort(404)
    db.session.commit()
    flash(_("Usunięto nieobecność."), "success")
    return redirect(url_for("volunteers.availability"))


# --- consents ------------------------------------------------------------------------------------


def _consents_page(status: int = 200):
    return _page(
        "volunteers/consents.html",
        status,
        current=service.current_consents(current_user.id),
        history=service.consent_history(current_user.id),
        labels=consent_kind_labels(),
        kinds=service.SELF_CONSENTS,
        ConsentKind=ConsentKind,
    )


def _to_account_deletion():
    """Without the data-processing consent the exchange cannot keep the account: say so, and go
    to account deletion, which is how this consent is withdrawn."""
    flash(
        _(
            "Bez zgody na przetwarzanie danych nie możemy prowadzić Twojego konta. "
            "Wycofanie tej zgody oznacza usunięcie konta: potwierdź to poniżej."
        ),
        "info",
    )
    return redirect(url_for("volunteers.delete_account"))


def _flash_consent_change(kind: ConsentKind, granted: bool, changed: Consent | None) -> None:
    label = consent_kind_labels()[kind]
    if changed is None:
        flash(_("Bez zmian: %(consent)s.", consent=label), "info")
    elif granted:
        flash(_("Zgoda udzielona: %(consent)s.", consent=label), "success")
    else:
        flash(_("Zgoda wycofana: %(consent)s.", consent=label), "success")


@bp.route("/me/consents", methods=["GET", "POST"])
@volunteer_required
def consents():
    """Show my consents with their history; grant or withdraw each one separately."""
    form = ConsentForm()
    if request.method != "POST":
        return _consents_page()
    if not form.validate_on_submit():
        flash(_("Nie udało się zapisać zmiany zgody. Spróbuj ponownie."), "error")
        return _consents_page(422)
    if form.consent_kind == ConsentKind.DATA_PROCESSING and not form.granted:
        return _to_account_deletion()
    changed = service.set_consent(current_user, form.consent_kind, form.granted)
    db.session.commit()
    _flash_consent_change(form.consent_kind, form.granted, changed)
    return redirect(url_for("volunteers.consents"))


# --- schedule and notices ------------------------------------------------------------------------


@bp.get("/me/schedule")
@volunteer_required
def schedule():
    """Show my shifts, upcoming and past."""
    upcoming, past = service.split_schedule(service.assignments_of(current_user.id))
    return _page(
        "volunteers/schedule.html",
        upcoming=upcoming,
        past=past,
        labels=assignment_status_labels(),
        may_withdraw=service.may_withdraw,
        unread=service.unread_count(current_user.id),
        feed_url=url_for("volunteers.feed", token=current_user.profile.feed_token, _external=True),
    )


def _withdraw_page(assignment: Assignment, form: ConfirmForm, allowed: bool, status: int = 200):
    return _page(
        "volunteers/withdraw.html",
        status,
        assignment=assignment,
        form=form,
        labels=assignment_status_labels(),
        allowed=allowed,
    )


def _withdraw_refused(assignment: Assignment, form: ConfirmForm, refusal: ApplicationError):
    """A decision made a moment earlier (or a second click) is news; any other refusal stays on
    the page, which no longer offers to withdraw."""
    if isinstance(refusal, AlreadyDecided):
        flash(str(refusal), "info")
        return redirect(url_for("volunteers.schedule"))
    flash(str(refusal), "error")
    return _withdraw_page(assignment, form, allowed=False, status=409)


@bp.route("/me/assignments/<int:assignment_id>/withdraw", methods=["GET", "POST"])
@volunteer_required
def withdraw_assignment(assignment_id: int):
    """Withdraw my application, offer or place, after confirming."""
    assignment = service.own_assignment(current_user, assignment_id) or abort(404)
    form = ConfirmForm()
    if request.method != "POST":
        return _withdraw_page(assignment, form, allowed=service.may_withdraw(assignment))
    if not form.validate_on_submit():
        abort(400)
    try:
        withdraw(assignment, current_user)
    except ApplicationError as exc:
        db.session.rollback()
        return _withdraw_refused(assignment, form, exc)
    db.session.commit()
    flash(_("Wycofano zgłoszenie: %(title)s.", title=assignment.need.title), "success")
    return redirect(url_for("volunteers.schedule"))


@bp.get("/me/notices")
@volunteer_required
def notices():
    """Show my notices."""
    rows = service.notices_of(current_user.id)
    return _page(
        "volunteers/notices.html",
        notices=[(n, notice_text(n)) for n in rows],
        unread=sum(1 for n in rows if n.read_at is None),
    )


@bp.post("/me/notices/read")
@volunteer_required
def mark_notices_read():
    """Mark all my notices as read."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    service.mark_notices_read(current_user.id)
    db.session.commit()
    flash(_("Wszystkie powiadomienia oznaczono jako przeczytane."), "success")
    return redirect(url_for("volunteers.notices"))


# --- calendar feed -------------------------------------------------------------------------------


@bp.get("/feeds/<token>.ics")
def feed(token: str):
    """Serve my personal calendar to calendar apps (the secret token is the only key)."""
    profile_ = personal_feed.profile_by_token(token)
    if profile_ is None:
        abort(404)
    response = Response(personal_feed.personal_calendar(profile_), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="grafik-okik.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.post("/me/feed/reset")
@volunteer_required
def reset_feed():
    """Replace my calendar address; the old one stops working."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    service.reset_feed_token(current_user)
    db.session.commit()
    flash(
        _("Adres kalendarza zmieniony. Stary adres już nie działa: dodaj nowy w kalendarzu."),
        "success",
    )
    return redirect(url_for("volunteers.schedule"))


# --- data rights ---------------------------------------------------------------------------------


@bp.get("/me/data")
@volunteer_required
def my_data():
    """Show everything stored about me."""
    return _page(
        "volunteers/data.html",
        data=data_rights.export_data(current_user),
        assignments=service.assignments_of(current_user.id),
        history=service.consent_history(current_user.id),
        checks=service.checks_of(current_user.id),
        notices=[(n, notice_text(n)) for n in service.notices_of(current_user.id)],
        audit_entries=data_rights.audit_entries_about(current_user),
        labels=assignment_status_labels(),
        consent_labels=consent_kind_labels(),
        level_labels=level_labels(),
        weekday_names=weekday_names(),
    )


@bp.get("/me/data.json")
@volunteer_required
def data_json():
    """Download everything stored about me as JSON."""
    body = json.dumps(data_rights.export_data(current_user), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="moje-dane-okik.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/delete", methods=["GET", "POST"])
@volunteer_required
def delete_account():
    """Delete my account after confirming with the password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        data_rights.delete_account(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(
            _(
                "Konto usunięte. Twoje dane osobowe zostały usunięte; w statystykach godzin "
                "zostały tylko anonimowe wpisy."
            ),
            "success",
        )
        return redirect(url_for("main.index"))
    upcoming = service.active_upcoming(current_user.id)
    return _form_page("volunteers/delete.html", form, upcoming=upcoming)
