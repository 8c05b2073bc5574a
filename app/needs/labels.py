"""Words for need kinds, skill levels, application statuses and shift times, in the reader's language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, format_time
from flask_babel import lazy_gettext as _l

from app.core.labels import skill_level_label
from app.core.time import WARSAW
from app.models import AssignmentStatus, NeedKind, Shift


def kind_labels() -> dict[NeedKind, str]:
    return {
        NeedKind.ONE_OFF: str(_l("Jednorazowa")),
        NeedKind.RECURRING: str(_l("Cykliczna")),
        NeedKind.LONG_TERM: str(_l("Długoterminowa (Korpus Solidarności)")),
        NeedKind.TRAINING: str(_l("Szkolenie dla wolontariuszy")),
    }


def need_kind_label(kind: NeedKind | str) -> str:
    return kind_labels()[NeedKind(kind)]


def level_label(level: int) -> str:
    return skill_level_label(level)


def assignment_status_label(status: AssignmentStatus | str) -> str:
    labels = {
        AssignmentStatus.APPLIED: _l("zgłoszenie czeka na decyzję instytucji"),
        AssignmentStatus.PROPOSED: _l("propozycja czeka na koordynatora"),
        AssignmentStatus.OFFERED: _l("propozycja czeka na Twoją odpowiedź"),
        AssignmentStatus.ACCEPTED: _l("przyjęto Cię na tę zmianę"),
        AssignmentStatus.REJECTED: _l("zgłoszenie odrzucone"),
        AssignmentStatus.DECLINED: _l("odrzucono propozycję"),
        AssignmentStatus.EXPIRED: _l("propozycja wygasła"),
        AssignmentStatus.WITHDRAWN: _l("zgłoszenie wycofane"),
        AssignmentStatus.CANCELLED: _l("zmiana odwołana"),
        AssignmentStatus.COMPLETED: _l("udział potwierdzony"),
        AssignmentStatus.NO_SHOW: _l("nieobecność"),
    }
    return str(labels[AssignmentStatus(status)])


def local(moment: datetime) -> datetime:
    return moment.astimezone(WARSAW)


def shift_when(shift: Shift) -> str:
    """ "sobota, 28 marca 2026, 10:00–14:00" in Warsaw time; both dates when it ends another day."""
    start, end = local(shift.starts_at), local(shift.ends_at)
    if start.date() == end.date():
        return "{}, {}–{}".format(
            format_date(start.date(), "EEEE, d MMMM yyyy"),
            format_time(start, "HH:mm"),
            format_time(end, "HH:mm"),
        )
    return "{}, {} – {}, {}".format(
        format_date(start.date(), "EEEE, d MMMM yyyy"),
        format_time(start, "HH:mm"),
        format_date(end.date(), "EEEE, d MMMM yyyy"),
        format_time(end, "HH:mm"),
    )


def shift_hours(shift: Shift) -> str:
    """ "10:00–14:00" in Warsaw time."""
    return f"{format_time(shift.starts_at, 'HH:mm')}–{format_time(shift.ends_at, 'HH:mm')}"


def template_helpers() -> dict:
    return {
        "need_kind_label": need_kind_label,
        "level_label": level_label,
        "assignment_status_label": assignment_status_label,
        "shift_when": shift_when,
        "shift_hours": shift_hours,
    }
