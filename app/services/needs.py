"""Posting and changing needs: shifts, recurrence, publication, and telling people what changed."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.core.text import fold
from app.core.time import WARSAW
from app.extensions import db
from app.models import ACTIVE
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Institution
from app.models import Need
from app.models import NeedKind
from app.models import NeedSkill
from app.models import NeedStatus
from app.models import Shift
from app.models import User
from app.models.base import rows_changed
from app.models.base import utcnow
from app.services import audit
from app.services import freed_places
from app.services.applications import lock_shift
from app.services.applications import recount_places
from app.services.notices import notify

MAX_GENERATED_SHIFTS = 200

# Fields a volunteer decides on: changing them on a published need is announced.
ANNOUNCED_FIELDS = ("place", "min_age", "works_with_children", "is_accessible")
EDITABLE_FIELDS = (
    "title",
    "description",
    "kind",
    "place",
    "min_age",
    "works_with_children",
    "required_qualification_id",
    "grants_qualification_id",
    "is_accessible",
    "accessibility_note",
    "offers_training",
    "offers_certificate",
    "offers_reimbursement",
    "contact_name",
    "contact_email",
    "min_rest_hours",
    "max_days_in_row",
    "signup_opens_days",
)


class NeedError(Exception):
    """A change that the rules refuse; the message says why, in the user's language."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ShiftSpec:
    starts_at: datetime  # aware, any zone
    ends_at: datetime
    places: int


def local_to_utc(day: date, at: time) -> datetime:
    """A Warsaw wall-clock time on a day, as UTC; the zone handles daylight saving."""
    return datetime.combine(day, at, tzinfo=WARSAW).astimezone(UTC)


def weekly_shifts(
    first_day: date, start: time, end: time, until: date, places: int
) -> list[ShiftSpec]:
    """Shifts every week on first_day's weekday from first_day to until, both included."""
    if end <= start:
        raise NeedError(_("Koniec zmiany musi być później niż jej początek."), "end_time")
    if until < first_day:
        raise NeedError(
            _("Data końcowa powtarzania nie może być wcześniejsza niż pierwszy dzień."), "until"
        )
    specs = []
    day = first_day
    while day <= until:
        specs.append(ShiftSpec(local_to_utc(day, start), local_to_utc(day, end), places))
        if len(specs) > MAX_GENERATED_SHIFTS:
            raise NeedError(
                _(
                    "Za dużo zmian naraz (najwyżej %(n)d). Skróć okres powtarzania.",
                    n=MAX_GENERATED_SHIFTS,
                ),
                "until",
            )
        day += timedelta(weeks=1)
    return specs


def refresh_search_text(need: Need) -> None:
    institution = need.institution or db.session.get_one(Institution, need.institution_id)
    parts = [need.title, need.description, need.place, institution.name, institution.short_name]
    parts += [i.name for i in need.cohosts]
    parts += [s.skill.name_pl + " " + s.skill.name_en for s in need.skills if s.skill is not None]
    need.search_text = fold(" ".join(p for p in parts if p))


def _active_volunteer_ids(need: Need, shift_ids: Iterable[int] | None = None) -> list[int]:
    query = select(Assignment.volunteer_id).where(
        Assignment.need_id == need.id, Assignment.status.in_(ACTIVE)
    )
    if shift_ids is not None:
        query = query.where(Assignment.shift_id.in_(list(shift_ids)))
    return list(db.session.scalars(query))


def _set_skills(need: Need, skills: Sequence[tuple[int, int, bool]]) -> None:
    wanted = {skill_id: (level, required) for skill_id, level, required in skills}
    for existing in list(need.skills):
        # A retired skill is no longer in the form, so its absence says nothing: it stays.
        if existing.skill_id not in wanted and not existing.skill.is_retired:
            need.skills.remove(existing)
    have = {s.skill_id: s for s in need.skills}
    for skill_id, (level, required) in wanted.items():
        if skill_id in have:
            have[skill_id].min_level = level
            have[skill_id].is_required = required
        else:
            need.skills.append(NeedSkill(skill_id=skill_id, min_level=level, is_required=required))


def _set_cohosts(need: Need, cohost_ids: Iterable[int]) -> None:
    ids = set(cohost_ids) - {need.institution_id}
    need.cohosts = (
        list(
            db.session.scalars(
                select(Institution).where(Institution.id.in_(ids), Institution.is_active)
            )
        )
        if ids
        else []
    )


def create_need(
    institution: Institution,
    actor: User,
    fields: dict,
    *,
    skills: Sequence[tuple[int, int, bool]] = (),
    cohost_ids: Iterable[int] = (),
    shifts: Sequence[ShiftSpec] = (),
) -> Need:
    """Create a draft need; drafts are visible only to the institution's staff."""
    need = Need(institution=institution, created_by_id=actor.id, status=NeedStatus.DRAFT)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(need, name, fields[name])
    need.kind = NeedKind(fields.get("kind", NeedKind.ONE_OFF))
    db.session.add(need)
    _set_skills(need, skills)
    _set_cohosts(need, cohost_ids)
    for spec in shifts:
        need.shifts.append(_new_shift(spec))
    db.session.flush()
    for s in need.skills:
        db.session.refresh(s, ["skill"])
    refresh_search_text(need)
    audit.record(actor, "need.created", need, institution_id=institution.id, shifts=len(shifts))
    return need


def _new_shift(spec: ShiftSpec) -> Shift:
    if spec.ends_at <= spec.starts_at:
        raise NeedError(_("Koniec zmiany musi być później niż jej początek."), "end_time")
    if spec.places < 1:
        raise NeedError(_("Zmiana musi mieć co najmniej jedno miejsce."), "places")
    return Shift(starts_at=spec.starts_at, ends_at=spec.ends_at, places=spec.places)


def update_need(
    need: Need,
    actor: User,
    fields: dict,
    *,
    skills: Sequence[tuple[int, int, bool]] | None = None,
    cohost_ids: Iterable[int] | None = None,
) -> list[str]:
    """Change the need's description; returns the announced fields that changed."""
    if need.status == NeedStatus.CANCELLED:
        raise NeedError(_("Odwołanej potrzeby nie można zmieniać."))
    changed = []
    for name in EDITABLE_FIELDS:
        if name in fields and getattr(need, name) != fields[name]:
            setattr(need, name, fields[name])
            changed.append(name)
    if skills is not None:
        _set_skills(need, skills)
    if cohost_ids is not None:
        _set_cohosts(need, cohost_ids)
    db.session.flush()
    for s in need.skills:
        db.session.refresh(s, ["skill"])
    refresh_search_text(need)
    announced = [f for f in changed if f in ANNOUNCED_FIELDS]
    if announced and need.status == NeedStatus.PUBLISHED:
        notify(
            _active_volunteer_ids(need), "need_changed", need.id, title=need.title, fields=announced
        )
    audit.record(actor, "need.updated", need, fields=changed)
    return announced


def add_shifts(need: Need, actor: User, specs: Sequence[ShiftSpec]) -> list[Shift]:
    if need.status in (NeedStatus.CANCELLED, NeedStatus.CLOSED):
        raise NeedError(_("Do zamkniętej lub odwołanej potrzeby nie można dodawać zmian."))
    shifts = [_new_shift(spec) for spec in specs]
    need.shifts.extend(shifts)
    db.session.flush()
    audit.record(actor, "need.shifts_added", need, count=len(shifts))
    return shifts


def _places_error(holders: int) -> NeedError:
    return NeedError(
        ngettext(
            "Na tę zmianę przyjęto już %(num)d osobę. Nie można zmniejszyć liczby miejsc "
            "poniżej tej liczby: najpierw porozmawiaj z wolontariuszem i zmień jego przydział.",
            "Na tę zmianę przyjęto już %(num)d osób. Nie można zmniejszyć liczby miejsc "
            "poniżej tej liczby: najpierw porozmawiaj z wolontariuszami i zmień ich przydział.",
            holders,
        ),
        "places",
    )


def update_shift(shift: Shift, actor: User, spec: ShiftSpec) -> bool:
    """Change a shift's time or places; people on it are told. Returns whether anything changed.

    The shift's row is locked and re-read first, and the UPDATE itself requires that the people
    holding a place still fit, so staff accepting someone at the same moment cannot end with more
    people than places.
    """
    lock_shift(shift.id)
    db.session.refresh(shift, ["starts_at", "ends_at", "places", "accepted_count", "is_cancelled"])
    if shift.is_cancelled:
        raise NeedError(_("Ta zmiana jest odwołana."))
    if spec.places < shift.accepted_count:
        raise _places_error(shift.accepted_count)
    new = _new_shift(spec)
    changed = (
        shift.starts_at != new.starts_at
        or shift.ends_at != new.ends_at
        or shift.places != new.places
    )
    if not changed:
        return False
    values = {"starts_at": new.starts_at, "ends_at": new.ends_at, "places": new.places}
    result = db.session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.accepted_count <= new.places)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        db.session.refresh(shift, ["accepted_count"])
        raise _places_error(shift.accepted_count)
    grew = new.places > shift.places
    for key, value in values.items():
        set_committed_value(shift, key, value)
    if grew:
        freed_places.note(db.session(), shift.id)
    need = shift.need
    if need.status == NeedStatus.PUBLISHED:
        notify(
            _active_volunteer_ids(need, [shift.id]),
            "shift_changed",
            need.id,
            title=need.title,
            starts_at=shift.starts_at.isoformat(),
            ends_at=shift.ends_at.isoformat(),
        )
    audit.record(actor, "shift.updated", shift, need_id=need.id, places=shift.places)
    return True


def _cancel_assignments(
    need: Need, shift_ids: Sequence[int] | None, actor: User, reason: str
) -> list[int]:
    """Cancel every live row; the caller holds the locks of the shifts concerned.

    A row that someone else changed a moment ago (an acceptance, an answer to an offer) is
    cancelled from the status it has now; one that ended meanwhile is left as it is.
    """
    query = select(Assignment).where(Assignment.need_id == need.id, Assignment.status.in_(ACTIVE))
    if shift_ids is not None:
        query = query.where(Assignment.shift_id.in_(shift_ids))
    people = []
    for assignment in db.session.scalars(query.order_by(Assignment.id)).all():
        for _attempt in range(len(ACTIVE) + 1):
            if not assignment.is_active:
                break
            if assignment.move_to(
                AssignmentStatus.CANCELLED, decided_by_id=actor.id, decision_note=reason
            ):
                people.append(assignment.volunteer_id)
                break
    return people


def _lock_shift_row(shift: Shift) -> None:
    lock_shift(shift.id)
    db.session.refresh(shift, ["is_cancelled", "accepted_count"])


def cancel_shift(shift: Shift, actor: User, reason: str = "") -> None:
    """Cancel one shift and everyone on it; refused when someone cancelled it a moment ago."""
    need = shift.need
    _lock_shift_row(shift)
    if shift.is_cancelled:
        raise NeedError(_("Ta zmiana jest już odwołana."))
    people = _cancel_assignments(need, [shift.id], actor, reason)
    shift.is_cancelled = True
    db.session.flush()
    recount_places(shift.id)
    db.session.refresh(shift, ["accepted_count"])
    notify(
        people,
        "shift_cancelled",
        need.id,
        title=need.title,
        starts_at=shift.starts_at.isoformat(),
        reason=reason,
    )
    audit.record(
        actor, "shift.cancelled", shift, need_id=need.id, people=len(set(people)), reason=reason
    )


def publish(need: Need, actor: User) -> None:
    if need.status not in (NeedStatus.DRAFT, NeedStatus.CLOSED):
        raise NeedError(_("Tej potrzeby nie można opublikować."))
    if not any(not s.is_cancelled and s.ends_at > utcnow() for s in need.shifts):
        raise NeedError(_("Dodaj co najmniej jedną przyszłą zmianę, zanim opublikujesz potrzebę."))
    need.status = NeedStatus.PUBLISHED
    need.published_at = need.published_at or utcnow()
    audit.record(actor, "need.published", need)


def close(need: Need, actor: User) -> None:
    """Stop new applications; people already accepted keep their places."""
    if need.status != NeedStatus.PUBLISHED:
        raise NeedError(_("Zamknąć można tylko opublikowaną potrzebę."))
    need.status = NeedStatus.CLOSED
    audit.record(actor, "need.closed", need)


def cancel(need: Need, actor: User, reason: str = "") -> int:
    """Cancel the need and every live application and place on it; everyone on it is told.

    The status change is a compare-and-set, so two people cancelling at once tell everyone once.
    """
    if need.status == NeedStatus.CANCELLED:
        raise NeedError(_("Ta potrzeba jest już odwołana."))
    changed = db.session.execute(
        update(Need)
        .where(Need.id == need.id, Need.status != NeedStatus.CANCELLED)
        .values(status=NeedStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(changed) != 1:
        raise NeedError(_("Ta potrzeba jest już odwołana."))
    set_committed_value(need, "status", NeedStatus.CANCELLED)
    shifts = sorted(need.shifts, key=lambda s: s.id)
    for shift in shifts:
        lock_shift(shift.id)
    people = _cancel_assignments(need, None, actor, reason)
    for shift in shifts:
        recount_places(shift.id)
        db.session.refresh(shift, ["accepted_count"])
    notified = notify(people, "need_cancelled", need.id, title=need.title, reason=reason)
    audit.record(actor, "need.cancelled", need, people=notified, reason=reason)
    return notified
