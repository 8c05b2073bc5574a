"""Administration: accounts and the skill taxonomy."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.admin.blueprint import bp
from app.auth.session import admin_required
from app.core.text import fold, folded, polish
from app.extensions import db
from app.models import SkillGroup, StaffMembership, User
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
