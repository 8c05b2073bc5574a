"""Matching in the app: coordinators run it, review its proposals and decide on them.

The volunteer's answers to the offers live in ``app/offers/``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from app.auth.access import coordinator_required
from app.core.errors import render_error
from app.core.labels import assignment_status_labels
from app.core.text import polish
from app.extensions import db
from app.models import Assignment
from app.models import Institution
from app.models import MatchRun
from app.models import Need
from app.models import Shift
from app.proposals.blueprint import bp
from app.proposals.forms import DecideForm
from app.proposals.forms import OverrideForm
from app.proposals.forms import RunForm
from app.proposals.texts import Names
from app.proposals.texts import diagnostic_text
from app.proposals.texts import reason_text
from app.services import matching_queue
from app.services import offers
from app.services.accounts import find_user
from app.services.applications import ApplicationError
from app.services.directory import active_institutions
from app.services.matching_run import ProposalPage
from app.services.matching_run import ProposalRow
from app.services.matching_run import Scope
from app.services.matching_run import UnfilledPage
from app.services.matching_run import latest_runs
from app.services.matching_run import proposal_page
from app.services.matching_run import unfilled_of
from app.services.permissions import managed_need_ids_query

# Refusals flashed after a decision on many proposals; the rest are counted.
SHOWN_PROBLEMS = 5


def _institution_choices() -> list[SelectChoice]:
    rows = db.session.scalars(
        select(Institution)
        .where(Institution.is_active.is_(True))
        .order_by(polish(Institution.name))
    )
    return [SelectChoice(i.id, i.name) for i in rows]


def _queue(scope: Scope) -> MatchRun:
    """Record the run for a worker, saying so when the same scope was already waiting.

    With MATCHING_SYNC (tests) the runs are then taken and executed at once through the worker's
    own claim and execution, so that the page after the redirect shows the result.
    """
    match_run, is_new = matching_queue.enqueue_or_join(current_user, scope)
    if not is_new:
        flash(
            _(
                "Przebieg dopasowania w tym samym zakresie już czeka albo trwa (#%(id)d): "
                "pokazujemy go zamiast uruchamiać drugi.",
                id=match_run.id,
            ),
            "info",
        )
    if current_app.config.get("MATCHING_SYNC"):
        matching_queue.work_until_idle()
    return match_run


@bp.get("/proposals/")
@coordinator_required
def index():
    """Show the matching form and recent runs."""
    form = RunForm(formdata=None)
    form.institutions.choices = _institution_choices()
    matching_queue.fail_stale_runs()
    institutions = active_institutions()
    return render_template(
        "proposals/index.html", form=form, runs=latest_runs(), institutions=institutions
    )


@bp.post("/proposals/run")
@coordinator_required
def run():
    """Start a matching run over the chosen institutions and dates."""
    form = RunForm()
    form.institutions.choices = _institution_choices()
    if not form.validate_on_submit():
        institutions = active_institutions()
        return render_template(
            "proposals/index.html", form=form, runs=latest_runs(), institutions=institutions
        ), 422
    scope = Scope(
        frozenset(form.institutions.data or ()) or None, form.date_from.data, form.date_to.data
    )
    match_run = _queue(scope)
    return redirect(url_for("proposals.run_detail", run_id=match_run.id), 303)


@bp.post("/proposals/runs/<int:run_id>/retry")
@coordinator_required
def retry_run(run_id: int):
    """Start a failed run again: a new run over the same scope joins the queue."""
    failed = db.session.get(MatchRun, run_id) or abort(404)
    if failed.status != "failed":
        flash(_("Ponownie można uruchomić tylko przebieg, który się nie udał."), "error")
        return redirect(url_for("proposals.run_detail", run_id=run_id), 303)
    match_run = _queue(Scope.from_params(failed.params or {}))
    return redirect(url_for("proposals.run_detail", run_id=match_run.id), 303)


Row = TypeVar("Row", Assignment, ProposalRow)


def _group(assignments: Sequence[Row], by: str) -> list[tuple[str, list[Row]]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for a in assignments:
        key = (
            a.need.institution.name
            if by == "institution"
            else f"{a.need.title} ({a.need.institution.short_name})"
        )
        groups[key].append(a)
    return sorted(groups.items())


PROPOSALS_PER_PAGE = 25
UNFILLED_PER_PAGE = 25


def _explained(institution_ids: set[int] | None = None) -> dict[str, Any]:
    """What a page needs to put the matcher's reasons into words."""
    return {"names": Names(institution_ids), "reason_text": reason_text}


def _run_page(match_run: MatchRun, by: str, proposals: ProposalPage, unfilled: UnfilledPage):
    """A run's review page: a page of its proposals, a page of its unfilled shifts, its queue."""
    return render_template(
        "proposals/run.html",
        run=match_run,
        groups=_group(proposals.rows, by),
        group_by=by,
        **_explained(proposals.named_institutions),
        diagnostic_text=diagnostic_text,
        need_titles=unfilled.need_titles,
        shift_starts=unfilled.starts_at,
        override_form=OverrideForm(formdata=None),
        pending=proposals.pending,
        page=proposals.page,
        pages=proposals.pages,
        unfilled=unfilled.rows,
        unfilled_total=unfilled.total,
        unfilled_page=unfilled.page,
        unfilled_pages=unfilled.pages,
        status_labels=assignment_status_labels(),
        queue_state=matching_queue.queue_state(match_run),
        elapsed=matching_queue.elapsed_seconds(match_run),
        worker_lost=matching_queue.WORKER_LOST,
    )


@bp.get("/proposals/runs/<int:run_id>")
@coordinator_required
def run_detail(run_id: int):
    """Review a run's proposals with their reasons, and why some needs stay unfilled.

    A coalition-wide run proposes thousands of placements, so both lists come a page at a time.
    Only a run still open (running, or queued behind one) can be held up by a worker that
    died: the page of a finished one does not look for stale runs.
    """
    match_run = db.session.get(MatchRun, run_id) or abort(404)
    if match_run.status in matching_queue.OPEN:
        matching_queue.fail_stale_runs()  # commits: the run is read again below if it changed
    by = "institution" if request.args.get("group") == "institution" else "need"
    page = request.args.get("page", 1, type=int) or 1
    proposals = proposal_page(match_run, page, PROPOSALS_PER_PAGE)
    unfilled_page = request.args.get("unfilled", 1, type=int) or 1
    unfilled = unfilled_of(match_run, unfilled_page, UNFILLED_PER_PAGE)
    return _run_page(match_run, by, proposals, unfilled)


def _allowed_need_ids() -> set[int] | None:
    """None for coordinators (everything); for staff the needs of institutions that delegated approval."""
    if current_user.is_coordinator:
        return None
    delegated = [
        m.institution_id for m in current_user.memberships if m.institution.staff_approve_proposals
    ]
    if not current_user.is_staff or not delegated:
        abort(403)
    return set(
        db.session.scalars(
            managed_need_ids_query(current_user).where(Need.institution_id.in_(delegated))
        )
    )


def _back():
    """Back to the page the form came from when it is one of matching's pages, else to matching."""
    back = request.form.get("back", "")
    safe = back.startswith("/proposals/") and "//" not in back
    return redirect(back if safe else url_for("proposals.index"), 303)


def _back_refused(*messages: str):
    for message in messages:
        flash(message, "error")
    return _back()


def _flash_decisions(approved: bool, done: int, problems: Sequence[str]) -> None:
    if approved:
        flash(_("Zatwierdzono propozycje: %(n)d. Wolontariusze dostali oferty.", n=done), "success")
    else:
        flash(_("Odrzucono propozycje: %(n)d.", n=done), "success")
    # The messages travel in the session cookie, which browsers drop beyond 4 kB.
    for problem in problems[:SHOWN_PROBLEMS]:
        flash(problem, "error")
    if len(problems) > SHOWN_PROBLEMS:
        flash(
            _(
                "Pozostałe propozycje, których nie udało się rozpatrzyć: %(n)d.",
                n=len(problems) - SHOWN_PROBLEMS,
            ),
            "error",
        )


@bp.post("/proposals/decide")
@login_required
def decide():
    """Approve or reject the chosen proposals."""
    allowed = _allowed_need_ids()
    action = request.form.get("action")
    form = DecideForm()
    if not form.validate():
        return render_error(400, " ".join(str(e) for e in form.ids.errors))
    if action not in ("approve", "reject") or not form.ids.data:
        return _back_refused(_("Zaznacz propozycje i wybierz: zatwierdź albo odrzuć."))
    done, problems = offers.decide_many(form.ids.data, current_user, action == "approve", allowed)
    db.session.commit()
    _flash_decisions(action == "approve", done, problems)
    return _back()


def _error_lines(form: FlaskForm) -> list[str]:
    """Each refused field's errors on one line, after the field's label."""
    lines = []
    for field, errors in form.errors.items():
        label = form[field].label.text if field in form else field
        lines.append(f"{label}: {' '.join(str(e) for e in errors)}")
    return lines


@bp.post("/proposals/override")
@coordinator_required
def override():
    """Offer a place to a volunteer the matcher did not propose, with a reason."""
    form = OverrideForm()
    if not form.validate_on_submit():
        return _back_refused(*_error_lines(form))
    shift = db.session.get(Shift, form.shift_id.data)
    volunteer = find_user(form.volunteer_email.data)
    if shift is None or volunteer is None:
        return _back_refused(_("Nie znaleziono zmiany albo wolontariusza o tym adresie."))
    try:
        offers.override(shift, volunteer, current_user, form.reason.data)
    except ApplicationError as exc:
        db.session.rollback()
        return _back_refused(str(exc))
    db.session.commit()
    flash(_("Wysłano ofertę poza propozycjami: %(name)s.", name=volunteer.full_name), "success")
    return _back()


def _institution_for_staff(slug: str) -> Institution:
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug)) or abort(
        404
    )
    if current_user.is_coordinator:
        return institution
    if not current_user.is_staff or institution.id not in current_user.institution_ids():
        abort(403)
    return institution


@bp.get("/proposals/institution/<slug>")
@login_required
def for_institution(slug: str):
    """Show staff the pending proposals for their institution's needs."""
    institution = _institution_for_staff(slug)
    proposals = offers.proposals_for_institution(institution.id)
    return render_template(
        "proposals/institution.html",
        institution=institution,
        groups=_group(proposals, "need"),
        **_explained(),
        may_approve=not current_user.is_staff or institution.staff_approve_proposals,
    )


@bp.post("/proposals/institution/<slug>/delegation")
@coordinator_required
def delegation(slug: str):
    """Let (or stop letting) the institution's staff approve proposals for its needs."""
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug)) or abort(
        404
    )
    institution.staff_approve_proposals = request.form.get("enabled") == "1"
    from app.services import audit

    audit.record(
        current_user,
        "institution.delegation",
        institution,
        enabled=institution.staff_approve_proposals,
    )
    db.session.commit()
    flash(_("Zapisano uprawnienia instytucji %(name)s.", name=institution.short_name), "success")
    return redirect(url_for("proposals.index"), 303)
