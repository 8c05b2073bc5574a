"""The coordinator's desk: pending staff and institution requests, dates of birth to confirm, and
the audit log."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.access import coordinator_required
from app.coordination.blueprint import bp
from app.coordination.forms import AuditFilterForm
from app.coordination.forms import ButtonForm
from app.coordination.forms import DecisionForm
from app.core.labels import audit_kind_labels
from app.core.text import polish
from app.extensions import db
from app.models import AuditLog
from app.models import Institution
from app.models import InstitutionRequest
from app.models import RequestStatus
from app.models import StaffRequest
from app.models import User
from app.models import VolunteerProfile
from app.services.audit import AuditFilter
from app.services.audit import filtered_entries
from app.services.audit_texts import AuditNames
from app.services.audit_texts import sentence
from app.services.memberships import RequestError
from app.services.memberships import decide_institution_request
from app.services.memberships import decide_staff_request
from app.services.volunteers import confirm_birth_date
from app.services.volunteers import pending_birth_dates

AUDIT_PAGE_SIZE = 50


def _pending_lists():
    staff = db.session.scalars(
        select(StaffRequest)
        .where(StaffRequest.status == RequestStatus.PENDING)
        .options(selectinload(StaffRequest.user), selectinload(StaffRequest.institution))
        .order_by(StaffRequest.created_at)
    ).all()
    institutions = db.session.scalars(
        select(InstitutionRequest)
        .where(InstitutionRequest.status == RequestStatus.PENDING)
        .options(selectinload(InstitutionRequest.requested_by))
        .order_by(InstitutionRequest.created_at)
    ).all()
    return staff, institutions


@bp.get("/requests")
@coordinator_required
def requests():
    """List staff and institution requests waiting for a decision."""
    staff, institutions = _pending_lists()
    return render_template(
        "coordination/requests.html",
        staff_requests=staff,
        institution_requests=institutions,
        birth_dates=pending_birth_dates(),
        form=DecisionForm(formdata=None),
    )


def _decide(decide, req) -> tuple[str, int] | None:
    form = DecisionForm()
    if not form.validate_on_submit():
        staff, institutions = _pending_lists()
        flash(_("Wybierz decyzję: zatwierdź albo odrzuć."), "error")
        return render_template(
            "coordination/requests.html",
            staff_requests=staff,
            institution_requests=institutions,
            birth_dates=pending_birth_dates(),
            form=form,
        ), 422
    try:
        decide(req, current_user, form.decision.data == "approve", form.note.data or "")
    except RequestError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    db.session.commit()
    if form.decision.data == "approve":
        flash(_("Wniosek zatwierdzony."), "success")
    else:
        flash(_("Wniosek odrzucony."), "success")
    return None


@bp.post("/requests/staff/<int:request_id>")
@coordinator_required
def decide_staff(request_id: int):
    """Approve or reject a staff request."""
    req = db.session.get(StaffRequest, request_id) or abort(404)
    page = _decide(decide_staff_request, req)
    return page or redirect(url_for("coordination.requests"), 303)


@bp.post("/requests/institution/<int:request_id>")
@coordinator_required
def decide_institution(request_id: int):
    """Approve or reject a request to join the coalition."""
    req = db.session.get(InstitutionRequest, request_id) or abort(404)
    page = _decide(decide_institution_request, req)
    return page or redirect(url_for("coordination.requests"), 303)


@bp.post("/birth-dates/<int:user_id>/confirm")
@coordinator_required
def confirm_birth_date_change(user_id: int):
    """Confirm a changed date of birth that made a minor an adult."""
    profile = db.session.get(VolunteerProfile, user_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if confirm_birth_date(profile, current_user):
        db.session.commit()
        flash(
            _(
                "Potwierdzono datę urodzenia: %(name)s. Tę osobę można znów przyjmować na zmiany.",
                name=profile.user.full_name,
            ),
            "success",
        )
    else:
        flash(_("Data urodzenia tej osoby nie czeka już na potwierdzenie."), "info")
    return redirect(url_for("coordination.requests"), 303)


def _institution_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Institution.id, Institution.name).order_by(polish(Institution.name))
    )
    return [(row.id, row.name) for row in rows]


@bp.get("/audit")
@coordinator_required
def audit_log():
    """Show the audit log as sentences, newest first, narrowed by the filters chosen."""
    form = AuditFilterForm(_institution_choices(), audit_kind_labels(), formdata=request.args)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    if not form.validate():
        return render_template(
            "coordination/audit.html",
            form=form,
            rows=[],
            page=1,
            pages=1,
            total=0,
            person=None,
            query=request.args.to_dict(),
        ), 400
    filters = AuditFilter(
        person_id=form.person_key,
        person=form.person.data or "",
        institution_id=form.institution.data,
        kind=form.kind.data or "",
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    query = filtered_entries(filters)
    total = (
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    entries = db.session.scalars(
        query.options(selectinload(AuditLog.actor))
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    names = AuditNames.load(entries, current_user)
    rows = [(e, sentence(e, names)) for e in entries]
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    # The filters again, for the page links: only those set, so addresses stay short.
    query_args = {k: v for k, v in request.args.items() if k != "page" and v and k in form}
    person = db.session.get(User, filters.person_id) if filters.person_id else None
    return render_template(
        "coordination/audit.html",
        form=form,
        rows=rows,
        page=page,
        pages=pages,
        total=total,
        person=person,
        query=query_args,
    )
