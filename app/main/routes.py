"""Public pages: the home page, the accessibility statement, language choice and health."""

from __future__ import annotations

from flask import current_app
from flask import has_request_context
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.auth.access import is_safe_next
from app.core.text import polish
from app.extensions import csrf
from app.extensions import db
from app.extensions import limiter
from app.main.blueprint import bp
from app.main.forms import LanguageForm
from app.models import Institution
from app.models import Need
from app.models import NeedStatus
from app.models import Role
from app.models import User
from app.scheduling.health import scheduler_health


@bp.get("/")
def index():
    """Show what the exchange is and who takes part."""
    institutions = db.session.scalar(
        select(func.count()).select_from(Institution).where(Institution.is_active.is_(True))
    )
    founders = db.session.scalars(
        select(Institution)
        .where(Institution.is_founder.is_(True), Institution.is_active.is_(True))
        .order_by(polish(Institution.name))
    ).all()
    open_needs = db.session.scalar(
        select(func.count()).select_from(Need).where(Need.status == NeedStatus.PUBLISHED)
    )
    volunteers = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.VOLUNTEER, User.is_active_account.is_(True))
    )
    return render_template(
        "main/index.html",
        institutions=institutions,
        founders=founders,
        open_needs=open_needs,
        volunteers=volunteers,
    )


@bp.get("/deklaracja-dostepnosci")
def accessibility():
    """Show the accessibility statement."""
    return render_template("main/accessibility.html")


@bp.post("/language")
def set_language():
    """Switch the language and remember it."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.index")), 303
    language = form.language.data
    if current_user.is_authenticated:
        current_user.locale = language
        db.session.commit()
    target = form.next.data if is_safe_next(form.next.data) else url_for("main.index")
    response = redirect(target, 303)
    response.set_cookie(
        current_app.config["LOCALE_COOKIE"],
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """Tell a load balancer whether the app and its database answer, and a monitor whether the
    scheduler still runs jobs.

    A late scheduler keeps the answer 200: this web process serves pages perfectly well, and
    taking every web process out of the load balancer would turn a silent outbox into a dead site.
    Monitoring reads `scheduler` ("ok", "late", or "missing" when it never beat).
    """
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    try:
        health = scheduler_health()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="ok", database="ok", scheduler="unknown", scheduler_last_beat=None)
    last_beat = health.last_beat.isoformat() if health.last_beat else None
    return jsonify(
        status="ok", database="ok", scheduler=health.state, scheduler_last_beat=last_beat
    )


@bp.app_context_processor
def language_switch() -> dict:
    """Where the language switch in the page header returns to. Only the address is needed: the
    switch is a plain form whose POST `set_language` checks with `LanguageForm`, and building
    that form on every page cost more than the rest of the header."""
    if not has_request_context():
        return {}
    return {"language_next": request.full_path.rstrip("?")}
