"""Administration: accounts and the skill taxonomy."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.admin import operations
from app.admin.blueprint import bp
from app.admin.forms import ButtonForm
from app.admin.forms import NewSkillForm
from app.admin.forms import RoleForm
from app.admin.forms import SkillNamesForm
from app.admin.operations import AdminError
from app.auth.access import admin_required
from app.core.labels import role_label
from app.core.text import fold
from app.core.text import folded
from app.core.text import polish
from app.extensions import db
from app.models import Role
from app.models import Skill
from app.models import SkillGroup
from app.models import StaffMembership
from app.models import User
from app.services.email_address import normalise_email

USERS_PAGE_SIZE = 50


@bp.get("/users")
@admin_required
def users():
    """List accounts, optionally filtered by a search phrase."""
    phrase = (request.args.get("q") or "").strip()[:100]
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    query = select(User)
    if phrase:
        # Addresses as they are stored (NFKC, lower case); names folded, so that "zolkiewska"
        # finds "Żółkiewska" and "Jan Kowalski" finds the person whose two names those are.
        like = f"%{normalise_email(phrase)}%"
        name_like = f"%{fold(phrase)}%"
        full_name = folded(User.first_name + " " + User.last_name)
        query = query.where(
            or_(
                func.lower(User.email).like(like),
                full_name.like(name_like),
                folded(User.last_name + " " + User.first_name).like(name_like),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    accounts = db.session.scalars(
        query.options(selectinload(User.memberships).selectinload(StaffMembership.institution))
        .order_by(polish(User.last_name), polish(User.first_name), User.id)
        .limit(USERS_PAGE_SIZE)
        .offset((page - 1) * USERS_PAGE_SIZE)
    ).all()
    pages = max(1, -(-total // USERS_PAGE_SIZE))
    return render_template(
        "admin/users.html", accounts=accounts, phrase=phrase, page=page, pages=pages, total=total
    )


@bp.get("/skills")
@admin_required
def skills():
    """Show the skill taxonomy."""
    groups = db.session.scalars(
        select(SkillGroup).options(selectinload(SkillGroup.skills)).order_by(SkillGroup.position)
    ).all()
    return render_template("admin/skills.html", groups=groups)


# --- the skill taxonomy: add, rename, retire -----------------------------------------------------


def _skill_or_404(skill_id: int) -> Skill:
    return db.session.get(Skill, skill_id) or abort(404)


def _group_choices() -> list[tuple[int, str]]:
    locale = str(get_locale() or "pl")
    groups = db.session.scalars(select(SkillGroup).order_by(SkillGroup.position, SkillGroup.id))
    return [(g.id, g.name(locale)) for g in groups]


def _refusal_at_field(form, error: AdminError) -> None:
    """Put a rule's refusal at the field it names, or flash it when it names none."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


@bp.route("/skills/new", methods=["GET", "POST"])
@admin_required
def new_skill():
    """Add a skill to a group of the taxonomy."""
    form = NewSkillForm().set_groups(_group_choices())
    if request.method == "GET":
        form.group.data = request.args.get("group", type=int)
        return render_template("admin/skill_new.html", form=form)
    if form.validate_on_submit():
        group = db.session.get(SkillGroup, form.group.data) or abort(404)
        try:
            skill = operations.add_skill(current_user, group, form.name_pl.data, form.name_en.data)
        except AdminError as error:
            _refusal_at_field(form, error)
        else:
            db.session.commit()
            flash(_("Dodano umiejętność „%(name)s”.", name=skill.name_pl), "success")
            return redirect(url_for("admin.skills", _anchor=f"skill-{skill.id}"), 303)
    return render_template("admin/skill_new.html", form=form), 422


@bp.route("/skills/<int:skill_id>", methods=["GET", "POST"])
@admin_required
def edit_skill(skill_id: int):
    """Rename a skill, or retire it or offer it again."""
    skill = _skill_or_404(skill_id)
    form = SkillNamesForm(obj=skill if request.method == "GET" else None)
    if request.method == "GET":
        return render_template("admin/skill_edit.html", skill=skill, form=form, button=ButtonForm())
    if form.validate_on_submit():
        try:
            changed = operations.rename_skill(
                current_user, skill, form.name_pl.data, form.name_en.data
            )
        except AdminError as error:
            _refusal_at_field(form, error)
        else:
            db.session.commit()
            if changed:
                flash(_("Zmieniono nazwę umiejętności."), "success")
            else:
                flash(_("Nazwy się nie zmieniły."), "info")
            return redirect(url_for("admin.skills", _anchor=f"skill-{skill.id}"), 303)
    db.session.rollback()
    return render_template(
        "admin/skill_edit.html", skill=skill, form=form, button=ButtonForm()
    ), 422


def _skill_button(skill_id: int, rule, done: str, already: str):
    skill = _skill_or_404(skill_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if rule(current_user, skill):
        db.session.commit()
        flash(done % {"name": skill.name_pl}, "success")
    else:
        flash(already, "info")
    return redirect(url_for("admin.skills", _anchor=f"skill-{skill.id}"), 303)


@bp.post("/skills/<int:skill_id>/retire")
@admin_required
def retire_skill(skill_id: int):
    """Stop offering a skill in forms and the search; records that hold it keep it."""
    return _skill_button(
        skill_id,
        operations.retire_skill,
        _("Umiejętność „%(name)s” wycofano: nie jest już proponowana w formularzach."),
        _("Ta umiejętność była już wycofana."),
    )


@bp.post("/skills/<int:skill_id>/restore")
@admin_required
def restore_skill(skill_id: int):
    """Offer a retired skill again."""
    return _skill_button(
        skill_id,
        operations.restore_skill,
        _("Umiejętność „%(name)s” znów jest proponowana w formularzach."),
        _("Ta umiejętność nie była wycofana."),
    )


# --- accounts: role, switching off and on, confirmation link -------------------------------------


def _account_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _account_page(user: User, role_form: RoleForm | None = None, status: int = 200):
    if role_form is None:
        role_form = RoleForm()
        role_form.role.data = Role(user.role).value
    return render_template(
        "admin/user.html", account=user, role_form=role_form, button=ButtonForm()
    ), status


@bp.get("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    """Show one account with what an administrator may change on it."""
    return _account_page(_account_or_404(user_id))


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    """Give an account another role."""
    account = _account_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            changed = operations.change_role(current_user, account, Role(form.role.data))
        except AdminError as error:
            db.session.rollback()
            _refusal_at_field(form, error)
        else:
            db.session.commit()
            if changed:
                flash(
                    _(
                        "%(name)s ma teraz rolę: %(role)s.",
                        name=account.full_name,
                        role=role_label(account.role),
                    ),
                    "success",
                )
            else:
                flash(_("Rola się nie zmieniła."), "info")
            return redirect(url_for("admin.user", user_id=account.id), 303)
    return _account_page(account, form, 422)


def _account_button(user_id: int, rule, done: str, already: str):
    account = _account_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        changed = rule(current_user, account)
    except AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _account_page(account, status=409)
    db.session.commit()
    if changed is False:
        flash(already, "info")
    else:
        flash(done % {"name": account.full_name}, "success")
    return redirect(url_for("admin.user", user_id=account.id), 303)


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate_user(user_id: int):
    """Switch an account off and end its sign-ins."""
    return _account_button(
        user_id,
        operations.deactivate_account,
        _("Konto osoby %(name)s jest wyłączone: nie można się na nie zalogować."),
        _("To konto było już wyłączone."),
    )


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate_user(user_id: int):
    """Let a switched-off account sign in again."""
    return _account_button(
        user_id,
        operations.reactivate_account,
        _("Konto osoby %(name)s znów działa."),
        _("To konto było już włączone."),
    )


@bp.post("/users/<int:user_id>/resend-confirmation")
@admin_required
def resend_confirmation(user_id: int):
    """Send the e-mail confirmation link again."""
    return _account_button(
        user_id,
        operations.resend_confirmation,
        _("Wysłaliśmy ponownie link potwierdzający do osoby %(name)s."),
        "",
    )
