"""Public pages of needs: search, a need's page, and applying to its shifts."""

from __future__ import annotations

import hashlib
import json

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.labels import need_kind_labels
from app.core.text import polish
from app.extensions import db
from app.extensions import login_manager
from app.models import Assignment
from app.models import Institution
from app.models import Need
from app.models import Shift
from app.models import SkillGroup
from app.models import User
from app.models.base import utcnow
from app.needs.blueprint import bp
from app.needs.forms import ApplyForm
from app.needs.forms import WaitlistForm
from app.needs.shift_times import shift_when
from app.needs.shift_times import template_helpers
from app.services import search_cache
from app.services import waitlist
from app.services.applications import ApplicationError
from app.services.applications import apply as apply_to_shifts
from app.services.applications import eligibility_problems
from app.services.search import NeedFilters
from app.services.search import ParsedFilters
from app.services.search import institution_by_slug
from app.services.search import parse_filters
from app.services.search import public_need
from app.services.search import search as find_needs
from app.services.search import upcoming_shifts


@bp.context_processor
def helpers() -> dict:
    return template_helpers()


def signed_in_volunteer() -> User | None:
    if current_user.is_authenticated and current_user.is_volunteer:
        return current_user
    return None


# Above this many institutions a drop-down list is no help (and a heavy page): the chosen
# institution is shown on its own, and names are found through the text search.
INSTITUTION_SELECT_MAX = 100


def _filter_choices() -> dict:
    """The institutions (None when too many to list) and skills the filters offer, as plain
    lists; kept with the search results, which change whenever these do."""

    def load() -> str:
        locale = str(get_locale())
        institutions = db.session.execute(
            select(Institution.slug, Institution.name)
            .where(Institution.is_active)
            .order_by(polish(Institution.name))
            .limit(INSTITUTION_SELECT_MAX + 1)
        ).all()
        groups = db.session.scalars(
            select(SkillGroup)
            .options(selectinload(SkillGroup.offered_skills))
            .order_by(SkillGroup.position)
        ).all()
        return json.dumps(
            {
                "institutions": [list(row) for row in institutions]
                if len(institutions) <= INSTITUTION_SELECT_MAX
                else None,
                "groups": [
                    [group.name(locale), [[s.id, s.name(locale)] for s in group.offered_skills]]
                    for group in groups
                ],
            }
        )

    return json.loads(search_cache.rendered(("choices", str(get_locale())), load))


def _results_html(filters: NeedFilters, volunteer: User | None) -> str:
    """The results part of the page; the same for everyone who asks the same, so shared through
    the cache, except when it matches the asking volunteer's profile."""

    def results() -> str:
        return render_template(
            "needs/_results.html",
            result=find_needs(filters, volunteer),
            filters=filters,
            now=utcnow(),
        )

    if filters.matches_profile:
        return results()  # depends on who asks: never shared
    key = hashlib.sha256(repr(filters).encode()).hexdigest()
    return search_cache.rendered((str(get_locale()), key), results)


def _search_page(parsed: ParsedFilters, results_html: str, can_match: bool) -> str:
    filters = parsed.filters
    choices = _filter_choices()
    listed = choices["institutions"]  # None when too many to list
    return render_template(
        "needs/search.html",
        filters=filters,
        errors=parsed.errors,
        # Our own template rendered it, escaping every value; stored, it is still that output.
        results_html=Markup(results_html),  # noqa: S704  # nosec B704
        institutions=listed or [],
        chosen_institution=institution_by_slug(filters.institution) if listed is None else None,
        all_institutions_args={k: v for k, v in filters.as_args().items() if k != "institution"},
        groups=choices["groups"],
        kinds=need_kind_labels(),
        can_match=can_match,
    )


@bp.get("/")
def search():
    """Search published needs that still have a shift ahead."""
    volunteer = signed_in_volunteer()
    can_match = volunteer is not None and volunteer.profile is not None
    parsed = parse_filters(request.args, allow_profile=can_match)
    results_html = _results_html(parsed.filters, volunteer if can_match else None)
    return _search_page(parsed, results_html, can_match)


def _my_assignments(volunteer: User, need: Need) -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.volunteer_id == volunteer.id, Assignment.need_id == need.id)
            .options(selectinload(Assignment.shift))
            .order_by(Assignment.created_at, Assignment.id)
        )
    )


def _render_detail(
    need: Need,
    form: ApplyForm | None = None,
    refusal: str | None = None,
    status: int = 200,
    waitlist_refusal: str | None = None,
):
    volunteer = signed_in_volunteer()
    shifts = upcoming_shifts(need)
    form = form or ApplyForm(formdata=None)
    context = {
        "need": need,
        "shifts": shifts,
        "open_shifts": [s for s in shifts if s.places_left > 0],
        "volunteer": volunteer,
        "form": form,
        "refusal": refusal,
        "waitlist_refusal": waitlist_refusal,
        "problems": eligibility_problems(volunteer, need) if volunteer else [],
        "mine": _my_assignments(volunteer, need) if volunteer else [],
        "required_skills": [s for s in need.skills if s.is_required],
        "nice_skills": [s for s in need.skills if not s.is_required],
    }
    selected = set(form.shifts.data or [])
    context["selected"] = selected
    context.update(_waitlist_context(volunteer, shifts))
    return render_template("needs/detail.html", **context), status


def _waitlist_context(volunteer: User | None, shifts: list[Shift]) -> dict:
    """The full shifts, how many wait for each, and where the volunteer stands in each queue."""
    full = [s for s in shifts if s.places_left == 0]
    ids = [s.id for s in full]
    return {
        "full_shifts": full,
        "waiting_counts": waitlist.queue_lengths(ids),
        "my_positions": waitlist.positions(volunteer.id, ids) if volunteer else {},
        "waitlist_form": WaitlistForm(formdata=None),
    }


@bp.get("/<int:need_id>")
def detail(need_id: int):
    """Show everything a volunteer needs to decide, and the application form."""
    need = public_need(need_id)
    if need is None:
        abort(404)
    return _render_detail(need)


def _applying_volunteer() -> User:
    """Who applies: someone not signed in is sent to sign in first, anyone but a volunteer is
    refused."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.is_volunteer:
        abort(403)
    return current_user


def _refused(need_id: int, form: ApplyForm, refusal: ApplicationError):
    """The need's page again with the refusal at the form, unless the need is gone meanwhile."""
    need = public_need(need_id) or abort(404)
    return _render_detail(need, form, refusal=str(refusal), status=409)


def _flash_applied(need: Need, when: str) -> None:
    flash(
        _(
            "Zgłoszenie wysłane: %(title)s, %(when)s. Instytucja odpowie Ci wkrótce.",
            title=need.title,
            when=when,
        ),
        "success",
    )


@bp.post("/<int:need_id>/apply")
def apply(need_id: int):
    """Apply to the chosen shifts of a need; refusals are shown at the form."""
    volunteer = _applying_volunteer()
    need = public_need(need_id) or abort(404)
    form = ApplyForm()
    if not form.validate_on_submit():
        return _render_detail(need, form, status=422)
    try:
        created = apply_to_shifts(volunteer, need, form.shifts.data or [], form.message.data or "")
    except ApplicationError as exc:
        db.session.rollback()
        return _refused(need_id, form, exc)
    when = "; ".join(shift_when(a.shift) for a in created)
    db.session.commit()
    _flash_applied(need, when)
    return redirect(url_for("needs.detail", need_id=need_id))


def _need_and_shift(need_id: int, shift_id: int) -> tuple[Need, Shift]:
    need = public_need(need_id) or abort(404)
    shift = next((s for s in need.shifts if s.id == shift_id), None)
    return need, shift or abort(404)


def _waitlist_answer(need: Need, change, done: str):
    """Run a change of the waiting list, say what happened, and go back to the need's page."""
    if not WaitlistForm().validate_on_submit():
        refusal = _("Formularz wygasł. Odśwież stronę i spróbuj ponownie.")
        return _render_detail(need, status=400, waitlist_refusal=refusal)
    try:
        change()
    except waitlist.WaitlistNews as news:
        db.session.rollback()
        flash(str(news), "info")
    except ApplicationError as exc:
        db.session.rollback()
        return _render_detail(need, status=409, waitlist_refusal=str(exc))
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("needs.detail", need_id=need.id, _anchor="waitlist"))


@bp.post("/<int:need_id>/shifts/<int:shift_id>/waitlist")
def join_waitlist(need_id: int, shift_id: int):
    """Wait for a place on a full shift."""
    volunteer = _applying_volunteer()
    need, shift = _need_and_shift(need_id, shift_id)
    done = _("Czekasz na miejsce: %(when)s. Damy Ci znać, gdy się zwolni.", when=shift_when(shift))
    return _waitlist_answer(need, lambda: waitlist.join(volunteer, shift), done)


@bp.post("/<int:need_id>/shifts/<int:shift_id>/waitlist/leave")
def leave_waitlist(need_id: int, shift_id: int):
    """Stop waiting for a place on a shift."""
    volunteer = _applying_volunteer()
    need, shift = _need_and_shift(need_id, shift_id)
    done = _("Nie czekasz już na miejsce: %(when)s.", when=shift_when(shift))
    return _waitlist_answer(need, lambda: waitlist.leave(volunteer, shift), done)
