"""The public calendar of coalition needs: a month grid, a week list and an iCal feed."""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta
from typing import Any

from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from app.calendar.blueprint import bp
from app.calendar.feed import CalendarFilter
from app.calendar.feed import build_feed
from app.calendar.feed import month_weeks
from app.calendar.feed import shifts_between
from app.calendar.feed import upcoming_published_shifts
from app.core.labels import need_kind_labels
from app.core.time import today_in_warsaw
from app.models import NeedKind
from app.needs.shift_times import template_helpers
from app.services.date_range import FIRST_YEAR
from app.services.date_range import LAST_YEAR
from app.services.directory import active_institution
from app.services.directory import active_institutions

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


def _kind() -> NeedKind | None:
    """The kind asked for (trainings, say); None for all kinds or one not known."""
    raw = (request.args.get("kind") or "").strip()
    return NeedKind(raw) if raw in NeedKind._value2member_map_ else None


def _chosen_filter() -> tuple[CalendarFilter, dict[str, Any]]:
    """The chosen institution and kind (unknown ones are ignored), and what every calendar page
    shows of the filter: the choices, the chosen ones, the feed's address."""
    institutions = active_institutions()
    slug = (request.args.get("institution") or "").strip()
    slug = slug if any(i.slug == slug for i in institutions) else ""
    chosen = CalendarFilter(slug, _kind())
    return chosen, {
        "institutions": institutions,
        "slug": slug,
        "kinds": need_kind_labels(),
        "kind": chosen.kind.value if chosen.kind else "",
        "feed_url": url_for("calendar.feed", **chosen.args()),
    }


def _weekday_names() -> list[str]:
    monday = date(2024, 1, 1)
    return [format_date(monday + timedelta(days=i), "EEEE") for i in range(7)]


def _month_links(first: date, today: date, chosen: CalendarFilter) -> dict[str, Any]:
    """The links from a month: to the months before and after (within the years the calendar
    shows), and to the week of today, or of the month's first day in another month."""
    previous = (first - timedelta(days=1)).replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    extra = chosen.args()
    in_month = (today.year, today.month) == (first.year, first.month)
    nav = {
        "previous": url_for("calendar.month", year=previous.year, month=previous.month, **extra),
        "next": url_for("calendar.month", year=following.year, month=following.month, **extra),
        "previous_label": format_date(previous, "LLLL yyyy"),
        "next_label": format_date(following, "LLLL yyyy"),
    }
    return {
        "nav": nav,
        "can_go_back": first.year > FIRST_YEAR or first.month > 1,
        "can_go_forward": first.year < LAST_YEAR or first.month < 12,
        "week_url": url_for(
            "calendar.week", date=(today if in_month else first).isoformat(), **extra
        ),
    }


def _chosen_month(today: date) -> date:
    """The first day of the month asked for; today's year or month for one missing or unreadable."""
    year = _number("year", FIRST_YEAR, LAST_YEAR) or today.year
    return date(year, _number("month", 1, 12) or today.month, 1)


@bp.get("/")
def month():
    """Show a month of shifts as a grid of days."""
    today = today_in_warsaw()
    first = _chosen_month(today)
    chosen, filter_context = _chosen_filter()
    weeks = month_weeks(first.year, first.month)
    return render_template(
        "calendar/month.html",
        title=format_date(first, "LLLL yyyy"),
        first=first,
        weeks=weeks,
        days=shifts_between(weeks[0][0], weeks[-1][-1], chosen),
        today=today,
        weekday_names=_weekday_names(),
        **_month_links(first, today, chosen),
        **filter_context,
    )


def _week_context(monday: date, chosen: CalendarFilter) -> dict[str, Any]:
    """A week's title and days, and the links from it: the weeks before and after (within the
    years the calendar shows) and its month."""
    sunday = monday + timedelta(days=6)
    previous, following = monday - timedelta(days=7), monday + timedelta(days=7)
    extra = chosen.args()
    return {
        "title": _(
            "Tydzień %(first)s – %(last)s",
            first=format_date(monday, "d MMMM"),
            last=format_date(sunday, "d MMMM yyyy"),
        ),
        "week_days": [monday + timedelta(days=i) for i in range(7)],
        "previous_url": url_for("calendar.week", date=previous.isoformat(), **extra)
        if previous.year >= FIRST_YEAR
        else None,
        "next_url": url_for("calendar.week", date=following.isoformat(), **extra)
        if following.year <= LAST_YEAR
        else None,
        "month_url": url_for("calendar.month", year=monday.year, month=monday.month, **extra),
    }


@bp.get("/week")
def week():
    """Show a week of shifts, day by day."""
    today = today_in_warsaw()
    chosen = _day("date") or today
    monday = chosen - timedelta(days=chosen.weekday())
    chosen, filter_context = _chosen_filter()
    return render_template(
        "calendar/week.html",
        **_week_context(monday, chosen),
        days=shifts_between(monday, monday + timedelta(days=6), chosen),
        today=today,
        **filter_context,
    )


def _feed_name(chosen: CalendarFilter) -> str:
    """The calendar's name in calendar apps; a feed of an institution that is not (or no longer)
    a member is not found."""
    name = _("Giełda Wolontariatu OKIK")
    if chosen.kind is not None:
        name = f"{name}: {need_kind_labels()[chosen.kind]}"
    if not chosen.institution:
        return name
    institution = active_institution(chosen.institution) or abort(404)
    return f"{name}: {institution.short_name or institution.name}"


@bp.get("/feed.ics")
def feed():
    """Serve upcoming shifts of published needs as an iCal feed, of one institution or kind if asked."""
    chosen = CalendarFilter((request.args.get("institution") or "").strip(), _kind())
    body = build_feed(
        upcoming_published_shifts(chosen),
        _feed_name(chosen),
        lambda need: url_for("needs.detail", need_id=need.id, _external=True),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="okik.ics"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response
