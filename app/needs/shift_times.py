"""Shift times in words, in the reader's language (the labels of codes live in app/core/labels.py)."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import format_time

from app.core.time import in_warsaw
from app.models import Shift


def shift_when(shift: Shift) -> str:
    """ "sobota, 28 marca 2026, 10:00–14:00" in Warsaw time; both dates when it ends another day."""
    start, end = in_warsaw(shift.starts_at), in_warsaw(shift.ends_at)
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
        "shift_when": shift_when,
        "shift_hours": shift_hours,
    }
