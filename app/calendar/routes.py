"""The public calendar of coalition needs: a month grid, a week list and an iCal feed."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Response, abort, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.calendar.blueprint import bp
from app.calendar.feed import (
    build_feed,
    month_weeks,
    shifts_between,
    upcoming_published_shifts,
)
from app.core.text import polish
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Institution
from app.needs.shift_times import template_helpers
from app.services.date_range import FIRST_YEAR, LAST_YEAR

_NUMBER = re.compile(r"[0-9]{1,4}")


@bp.context_processor
def helpers() -> dict:
    return template_helpers()


def _number(name: str, low: int, high: int) -> int | None:
    """A small whole number from the query string, or None when it is missing or unreadable."""
    raw = (request.args.get(name) or "").strip()
    if not _NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _day(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 and raw.isascii() else None
    except ValueError:
        return None
    return day if day and FIRST_YEAR <= day.year <= LAST_YEAR else None


def _institutions() -> list[Institution]:
    return list(
        db.session.scalars(
            select(Institution).where(Institution.is_active).order_by(polish(Institution.name))
        )
    )


def _institution_slug(institutions: list[Institution]) -> str:
    """The institution filter; an unknown slug is ignored."""
    slug = (request.args.get("institution") or "").strip()
    return slug if any(i.slug == slug for i in institutions) else ""


def _weekday_names() -> list[str]:
    monday = date(2024, 1, 1)
    return [format_date(monday + timedelta(days=i), "EEEE") for i in range(7)]


@bp.get("/")
def month():
    """Show a month of shifts as a grid of days."""
    today = today_in_warsaw()
    year = _number("year", FIRST_YEAR, LAST_YEAR) or today.year
    month_number = _number("month", 1, 12) or today.month
    institutions = _institutions()
    slug = _institution_slug(institutions)
    weeks = month_weeks(year, month_number)
    days = shifts_between(weeks[0][0], weeks[-1][-1], slug)
    first = date(year, month_number, 1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = date(year + (month_number == 12), month_number % 12 + 1, 1)
    extra = {"institution": slug} if slug else {}
    nav = {
        "previous": url_for("calendar.month", year=previous.year, month=previous.month, **extra),
        "next": url_for("calendar.month", year=following.year, month=following.month, **extra),
        "previous_label": format_date(previous, "LLLL yyyy"),
        "next_label": format_date(following, "LLLL yyyy"),
    }
    can_go_back = year > FIRST_YEAR or month_number > 1
    can_go_forward = year < LAST_YEAR or month_number < 12
    return render_template(
        "calendar/month.html",
        title=format_date(first, "LLLL yyyy"),
        first=first,
        weeks=weeks,
        days=days,
        today=today,
        weekday_names=_weekday_names(),
        nav=nav,
        can_go_back=can_go_back,
        can_go_forward=can_go_forward,
        institutions=institutions,
        slug=slug,
        week_url=url_for(
            "calendar.week",
            date=(
                today if (today.year, today.month) == (year, month_number) else first
            ).isoformat(),
            **extra,
        ),
        feed_url=url_for("calendar.feed", **extra),
    )


@bp.get("/week")
def week():
    """Show a week of shifts, day by day."""
    today = today_in_warsaw()
    chosen = _day("date") or today
    monday = chosen - timedelta(days=chosen.weekday())
    sunday = monday + timedelta(days=6)
    institutions = _institutions()
    slug = _institution_slug(institutions)
    days = shifts_between(monday, sunday, slug)
    extra = {"institution": slug} if slug else {}
    previous = monday - timedelta(days=7)
    following = monday + timedelta(days=7)
    return render_template(
        "calendar/week.html",
        title=_(
            "Tydzień %(first)s – %(last)s",
            first=format_date(monday, "d MMMM"),
            last=format_date(sunday, "d MMMM yyyy"),
        ),
        week_days=[monday + timedelta(days=i) for i in range(7)],
        days=days,
        today=today,
        previous_url=url_for("calendar.week", date=previous.isoformat(), **extra)
        if previous.year >= FIRST_YEAR
        else None,
        next_url=url_for("calendar.week", date=following.isoformat(), **extra)
        if following.year <= LAST_YEAR
        else None,
        month_url=url_for("calendar.month", year=monday.year, month=monday.month, **extra),
        institutions=institutions,
        slug=slug,
        feed_url=url_for("calendar.feed", **extra),
    )


@bp.get("/feed.ics")
def feed():
    """Serve all upcoming shifts of published needs as an iCal feed, optionally of one institution."""
    slug = (request.args.get("institution") or "").strip()
    name = _("Giełda Wolontariatu OKIK")
    if slug:
        institution = db.session.scalar(
            select(Institution).where(Institution.slug == slug, Institution.is_active)
        )
        if institution is None:
            abort(404)
        name = f"{name}: {institution.short_name or institution.name}"
    body = build_feed(
        upcoming_published_shifts(slug),
        name,
        lambda need: url_for("needs.detail", need_id=need.id, _external=True),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="okik.ics"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response
