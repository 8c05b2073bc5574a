"""The volunteer's side of the exchange: profile, skills, availability, consents, schedule, data."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.session import volunteer_required
from app.core.labels import assignment_status_labels, consent_kind_labels
from app.extensions import db
from app.models import ConsentKind, SkillGroup
from app.services import volunteers as service
from app.services.applications import AlreadyDecided, ApplicationError, withdraw
from app.services.notices import notice_text
from app.volunteers import data_rights, personal_feed
from app.volunteers.blueprint import bp
from app.volunteers.forms import (
    AbsenceForm,
    ConfirmForm,
    ConsentForm,
    DeleteAccountForm,
    ProfileForm,
    WindowForm,
    level_labels,
    skill_form_class,
    weekday_names,
)


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


def _institution_choices(form: ProfileForm) -> None:
    from wtforms import SelectChoice

    form.preferred_institutions.choices = [
        SelectChoice(i.id, i.name) for i in service.active_institutions()
    ]


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


@bp.route("/me/profile/edit", methods=["GET", "POST"])
@volunteer_required
def edit_profile():
    """Edit my profile."""
    user = current_user
    p = user.profile
    form = ProfileForm()
    _institution_choices(form)
    if request.method == "GET":
        form.first_name.data = user.first_name
        form.last_name.data = user.last_name
        form.date_of_birth.data = p.date_of_birth
        form.phone.data = p.phone
        form.city.data = p.city
        form.bio.data = p.bio
        form.languages.data = p.languages
        form.interests.data = p.interests
        form.max_hours_month.data = p.max_hours_month
        form.is_korpus.data = p.is_korpus
        form.has_disability.data = p.has_disability
        form.access_needs.data = p.access_needs
        form.preferred_institutions.data = [i.id for i in p.preferred_institutions]
        form.guardian_name.data = p.guardian_name
        form.guardian_email.data = p.guardian_email
    elif form.validate_on_submit():
        data = service.ProfileData(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            date_of_birth=form.date_of_birth.data,
            phone=form.phone.data or "",
            city=form.city.data or "",
            bio=form.bio.data or "",
            languages=form.languages.data or "",
            interests=form.interests.data or "",
            max_hours_month=form.max_hours_month.data,
            is_korpus=form.is_korpus.data,
            has_disability=form.has_disability.data,
            access_needs=form.access_needs.data or "",
            preferred_institution_ids=form.preferred_institutions.data or [],
            guardian_name=form.guardian_name.data or "",
            guardian_email=form.guardian_email.data or "",
        )
        was_pending = p.birth_date_confirmation_pending
        try:
            sent = service.update_profile(user, data)
        except service.VolunteerError as exc:
            db.session.rollback()
            getattr(form, exc.field or "first_name").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Profil zapisany."), "success")
            if p.birth_date_confirmation_pending and not was_pending:
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
                        "Wysłaliśmy opiekunowi prawnemu e-mail z prośbą o zgodę na adres "
                        "%(email)s.",
                        email=p.guardian_email,
                    ),
                    "info",
                )
            return redirect(url_for("volunteers.profile"))
    return _page("volunteers/profile_edit.html", 422 if form.errors else 200, form=form)


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


@bp.route("/guardian/<token>", methods=["GET", "POST"])
def guardian(token: str):
    """Let the guardian read what they agree to and confirm."""
    profile_ = service.read_guardian_token(token)
    if profile_ is None:
        return render_template("volunteers/guardian_invalid.html"), 404
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if service.confirm_guardian_consent(profile_):
            db.session.commit()
        return render_template("volunteers/guardian_done.html", volunteer=profile_.user)
    return render_template(
        "volunteers/guardian.html",
        form=form,
        volunteer=profile_.user,
        profile=profile_,
        runs_account=service.guardian_runs_account(profile_),
    )


# --- skills --------------------------------------------------------------------------------------


@bp.route("/me/skills", methods=["GET", "POST"])
@volunteer_required
def skills():
    """Say which skills I have and at what level."""
    groups = db.session.scalars(
        select(SkillGroup).options(selectinload(SkillGroup.skills)).order_by(SkillGroup.position)
    ).all()
    all_skills = [s for g in groups for s in g.skills]
    form = skill_form_class(all_skills)()
    locale = str(get_locale() or "pl")
    for s in all_skills:
        form[f"skill_{s.id}"].label.text = s.name(locale)
    current = {vs.skill_id: vs.level for vs in current_user.profile.skills}
    if request.method == "GET":
        for s in all_skills:
            form[f"skill_{s.id}"].data = str(current.get(s.id, ""))
    elif form.validate_on_submit():
        levels = {
            s.id: (int(form[f"skill_{s.id}"].data) if form[f"skill_{s.id}"].data else None)
            for s in all_skills
        }
        service.save_skills(current_user, levels)
        db.session.commit()
        flash(_("Umiejętności zapisane."), "success")
        return redirect(url_for("volunteers.skills"))
    return _page(
        "volunteers/skills.html",
        422 if form.errors else 200,
        form=form,
        groups=groups,
        locale=locale,
    )


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
            form[exc.field or "weekday"].errors.append(str(exc))
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
            form[exc.field or "ends_on"].errors.append(str(exc))
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


@bp.route("/me/consents", methods=["GET", "POST"])
@volunteer_required
def consents():
    """Show my consents with their history; grant or withdraw each one separately."""
    form = ConsentForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            kind = ConsentKind(form.kind.data)
            granted = form.decision.data == "grant"
            if kind == ConsentKind.DATA_PROCESSING and not granted:
                # Without this consent the exchange cannot keep the account: say so, and go
                # to account deletion, which is how this consent is withdrawn.
                flash(
                    _(
                        "Bez zgody na przetwarzanie danych nie możemy prowadzić Twojego konta. "
                        "Wycofanie tej zgody oznacza usunięcie konta: potwierdź to poniżej."
                    ),
                    "info",
                )
                return redirect(url_for("volunteers.delete_account"))
            changed = service.set_consent(current_user, kind, granted)
            db.session.commit()
            label = consent_kind_labels()[kind]
            if changed is None:
                flash(_("Bez zmian: %(consent)s.", consent=label), "info")
            elif granted:
                flash(_("Zgoda udzielona: %(consent)s.", consent=label), "success")
            else:
                flash(_("Zgoda wycofana: %(consent)s.", consent=label), "success")
            return redirect(url_for("volunteers.consents"))
        flash(_("Nie udało się zapisać zmiany zgody. Spróbuj ponownie."), "error")
        status = 422
    return _page(
        "volunteers/consents.html",
        status,
        current=service.current_consents(current_user.id),
        history=service.consent_history(current_user.id),
        labels=consent_kind_labels(),
        kinds=service.SELF_CONSENTS,
        ConsentKind=ConsentKind,
    )


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


@bp.route("/me/assignments/<int:assignment_id>/withdraw", methods=["GET", "POST"])
@volunteer_required
def withdraw_assignment(assignment_id: int):
    """Withdraw my application, offer or place, after confirming."""
    assignment = service.own_assignment(current_user, assignment_id)
    if assignment is None:
        abort(404)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            withdraw(assignment, current_user)
        except AlreadyDecided as exc:  # a second click, or a decision a moment earlier
            db.session.rollback()
            flash(str(exc), "info")
            return redirect(url_for("volunteers.schedule"))
        except ApplicationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _page(
                "volunteers/withdraw.html",
                409,
                assignment=assignment,
                form=form,
                labels=assignment_status_labels(),
                allowed=False,
            )
        db.session.commit()
        flash(_("Wycofano zgłoszenie: %(title)s.", title=assignment.need.title), "success")
        return redirect(url_for("volunteers.schedule"))
    return _page(
        "volunteers/withdraw.html",
        assignment=assignment,
        form=form,
        labels=assignment_status_labels(),
        allowed=service.may_withdraw(assignment),
    )


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
    upcoming, _past = service.split_schedule(service.assignments_of(current_user.id))
    return _page(
        "volunteers/delete.html",
        422 if form.errors else 200,
        form=form,
        upcoming=[a for a in upcoming if a.is_active],
    )
