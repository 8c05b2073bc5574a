"""What administrators change: the skill taxonomy and accounts.

Each rule takes the administrator who acts, checks what it must, changes state with a
compare-and-set where two administrators could race, and writes an audit entry in the same
transaction; the request commits. Refusals are `AdminError`s naming the form field they concern,
so that the page can show the message where the mistake is.

The coalition must never lose its last administrator: nobody can take away their own admin role
while no other active administrator is left, and nobody can switch off their own account (which
would end the very sign-in they act with).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from app.core.text import fold
from app.extensions import db
from app.models import Role
from app.models import Skill
from app.models import SkillGroup
from app.models import User
from app.models import VolunteerProfile
from app.models.base import rows_changed
from app.models.base import utcnow
from app.services import audit
from app.services import sessions
from app.services.accounts import send_confirmation


class AdminError(Exception):
    """A change the rules refuse, with the Polish message and the field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- skills --------------------------------------------------------------------------------------


def _same_name_taken(name_pl: str, name_en: str, skip_id: int | None) -> str | None:
    """The field whose name another skill of the coalition already has (compared folded)."""
    for skill in db.session.scalars(select(Skill)):
        if skill.id == skip_id:
            continue
        if fold(skill.name_pl) == fold(name_pl):
            return "name_pl"
        if fold(skill.name_en) == fold(name_en):
            return "name_en"
    return None


def _new_code(name: str) -> str:
    """A stable code for a new skill, from its Polish name; codes are never shown to people."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:50] or "skill"
    code, n = base, 1
    while db.session.scalar(select(func.count()).where(Skill.code == code)):
        n += 1
        code = f"{base}_{n}"
    return code


def add_skill(actor: User, group: SkillGroup, name_pl: str, name_en: str) -> Skill:
    """Add a skill at the end of its group."""
    taken = _same_name_taken(name_pl, name_en, None)
    if taken:
        raise AdminError(_("Umiejętność o tej nazwie już jest w słowniku."), taken)
    last = db.session.scalar(select(func.max(Skill.position)).where(Skill.group_id == group.id))
    skill = Skill(
        code=_new_code(name_pl),
        group_id=group.id,
        name_pl=name_pl,
        name_en=name_en,
        position=(last or 0) + 1,
    )
    db.session.add(skill)
    db.session.flush()
    audit.record(actor, "skill.added", skill, name=name_pl, group_id=group.id)
    return skill


def rename_skill(actor: User, skill: Skill, name_pl: str, name_en: str) -> bool:
    """Give a skill new names; False when they are the ones it has."""
    if (skill.name_pl, skill.name_en) == (name_pl, name_en):
        return False
    taken = _same_name_taken(name_pl, name_en, skill.id)
    if taken:
        raise AdminError(_("Umiejętność o tej nazwie już jest w słowniku."), taken)
    old = skill.name_pl
    skill.name_pl, skill.name_en = name_pl, name_en
    audit.record(actor, "skill.renamed", skill, old=old, new=name_pl)
    return True


def retire_skill(actor: User, skill: Skill) -> bool:
    """Stop offering a skill; False when it already was retired."""
    changed = rows_changed(
        db.session.execute(
            update(Skill)
            .where(Skill.id == skill.id, Skill.retired_at.is_(None))
            .values(retired_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    if not changed:
        return False
    db.session.refresh(skill, ["retired_at"])
    audit.record(actor, "skill.retired", skill, name=skill.name_pl)
    return True


def restore_skill(actor: User, skill: Skill) -> bool:
    """Offer a retired skill again; False when it was not retired."""
    changed = rows_changed(
        db.session.execute(
            update(Skill)
            .where(Skill.id == skill.id, Skill.retired_at.is_not(None))
            .values(retired_at=None)
            .execution_options(synchronize_session=False)
        )
    )
    if not changed:
        return False
    db.session.refresh(skill, ["retired_at"])
    audit.record(actor, "skill.restored", skill, name=skill.name_pl)
    return True


# --- accounts ------------------------------------------------------------------------------------


def _other_active_admins(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                User.role == Role.ADMIN, User.is_active_account.is_(True), User.id != user.id
            )
        )
        or 0
    )


def deactivate_account(actor: User, user: User) -> bool:
    """Switch an account off: it cannot sign in and every sign-in it has ends now."""
    if user.id == actor.id:
        raise AdminError(_("Nie możesz wyłączyć własnego konta."))
    changed = rows_changed(
        db.session.execute(
            update(User)
            .where(User.id == user.id, User.is_active_account.is_(True))
            .values(is_active_account=False)
            .execution_options(synchronize_session=False)
        )
    )
    if not changed:
        return False
    db.session.refresh(user, ["is_active_account"])
    sessions.end_all(user)
    audit.record(actor, "user.deactivated", user)
    return True


def reactivate_account(actor: User, user: User) -> bool:
    """Let a switched-off account sign in again."""
    changed = rows_changed(
        db.session.execute(
            update(User)
            .where(User.id == user.id, User.is_active_account.is_(False))
            .values(is_active_account=True)
            .execution_options(synchronize_session=False)
        )
    )
    if not changed:
        return False
    db.session.refresh(user, ["is_active_account"])
    audit.record(actor, "user.reactivated", user)
    return True


def change_role(actor: User, user: User, role: Role) -> bool:
    """Give an account another role; False when it already has it."""
    old = Role(user.role)
    if old == role:
        return False
    if old == Role.ADMIN and user.id == actor.id and not _other_active_admins(user):
        raise AdminError(
            _(
                "Jesteś jedyną osobą z rolą administratora: najpierw nadaj ją komuś innemu, "
                "potem zmień swoją."
            ),
            "role",
        )
    changed = rows_changed(
        db.session.execute(
            update(User)
            .where(User.id == user.id, User.role == old)
            .values(role=role)
            .execution_options(synchronize_session=False)
        )
    )
    if not changed:
        raise AdminError(
            _("Ktoś inny właśnie zmienił rolę tego konta. Sprawdź ją i spróbuj znowu.")
        )
    db.session.refresh(user, ["role"])
    # Volunteer pages read the profile; someone made a volunteer gets an empty one to fill in.
    if role == Role.VOLUNTEER and user.profile is None:
        db.session.add(VolunteerProfile(user_id=user.id))
    audit.record(actor, "user.role_changed", user, old=old.value, new=role.value)
    return True


def resend_confirmation(actor: User, user: User) -> None:
    """Send the e-mail confirmation link again, to an account that has not used it yet."""
    if user.is_confirmed:
        raise AdminError(_("To konto ma już potwierdzony adres e-mail."))
    if not user.is_active_account:
        raise AdminError(_("To konto jest wyłączone: najpierw je włącz."))
    send_confirmation(user)
    audit.record(actor, "user.confirmation_resent", user)
