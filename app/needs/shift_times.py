"""Shift times in words, in the reader's language (the labels of codes live in app/core/labels.py)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, format_time

from app.core.time import WARSAW
from app.models import Shift


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
        "shift_when": shift_when,
        "shift_hours": shift_hours,
    }
