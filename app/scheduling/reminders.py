"""What the scheduler reminds people of. Each function takes the current time, selects what is
due with indexed queries, queues e-mail under deduplication keys and returns how many it queued;
running one twice, or twice at once, queues nothing twice."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar
from icalendar import Event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.time import WARSAW
from app.core.urls import absolute_url
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import InstitutionRequest
from app.models import Need
from app.models import RequestStatus
from app.models import Role
from app.models import Shift
from app.models import StaffMembership
from app.models import StaffRequest
from app.models import User
from app.models import VolunteerProfile
from app.services.mail import queue_email
from app.services.offers import expire_offers

S = AssignmentStatus


def active_staff(institution_id: int) -> list[User]:
    """The institution's staff who can still receive e-mail."""
    return list(
        db.session.scalars(
            select(User)
            .join(StaffMembership, StaffMembership.user_id == User.id)
            .where(
                StaffMembership.institution_id == institution_id, User.is_active_account.is_(True)
            )
        )
    )


def shift_ical(assignment: Assignment) -> dict:
    """The shift as an iCalendar attachment, with a stable UID and Warsaw time."""
    shift, need = assignment.shift, assignment.need
    cal = Calendar()
    cal.add("prodid", "-//OKIK//Gielda Wolontariatu//PL")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"assignment-{assignment.id}@okik.example.org")
    event.add("summary", need.title)
    event.add("dtstart", shift.starts_at.astimezone(WARSAW))
    event.add("dtend", shift.ends_at.astimezone(WARSAW))
    event.add("dtstamp", shift.starts_at)
    event.add("location", need.place)
    cal.add_component(event)
    # A VTIMEZONE covering just this shift's season keeps the attachment (and its making) small.
    day = shift.starts_at.astimezone(WARSAW).date()
    cal.add_missing_timezones(first_date=day - timedelta(days=1), last_date=day + timedelta(days=1))
    return {
        "filename": "zmiana.ics",
        "mimetype": "text/calendar",
        "content": cal.to_ical().decode("utf-8"),
    }


def shift_reminders(now: datetime) -> int:
    """Remind each accepted volunteer before the shift: by default 24 h and 2 h before."""
    leads = sorted(current_app.config.get("SHIFT_REMINDER_HOURS", (24, 2)))
    queued = 0
    for i, lead in enumerate(leads):
        shorter = leads[i - 1] if i else 0
        window_start, window_end = now + timedelta(hours=shorter), now + timedelta(hours=lead)
        due = db.session.scalars(
            select(Assignment)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(
                Assignment.status == S.ACCEPTED,
                Shift.starts_at > window_start,
                Shift.starts_at <= window_end,
                Shift.is_cancelled.is_(False),
            )
            .options(
                selectinload(Assignment.volunteer),
                selectinload(Assignment.shift),
                selectinload(Assignment.need),
            )
        ).all()
        for assignment in due:
            volunteer = assignment.volunteer
            message = queue_email(
                volunteer.email,
                _("Przypomnienie: %(title)s", title=assignment.need.title),
                "shift_reminder",
                volunteer.locale,
                kind="shift_reminder",
                recipient=volunteer,
                dedup_key=f"shift-reminder:{assignment.id}:{assignment.shift_id}:{lead}h",
                attachments=[shift_ical(assignment)],
                user=volunteer,
                assignment=assignment,
                hours=lead,
                schedule_url=absolute_url("volunteers.schedule")
                if "volunteers.schedule" in current_app.view_functions
                else absolute_url("main.index"),
            )
            queued += message is not None
    return queued


def offer_reminders(now: datetime) -> int:
    """Remind volunteers of offers waiting 48 hours, and tell them when one expires."""
    after = timedelta(hours=current_app.config.get("OFFER_REMINDER_HOURS", 48))
    queued = 0
    waiting = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.status == S.OFFERED,
            Assignment.offered_at <= now - after,
            Assignment.expires_at > now,
        )
        .options(selectinload(Assignment.volunteer), selectinload(Assignment.need))
    ).all()
    for assignment in waiting:
        volunteer = assignment.volunteer
        queued += (
            queue_email(
                volunteer.email,
                _("Oferta czeka na Twoją odpowiedź: %(title)s", title=assignment.need.title),
                "offer_reminder",
                volunteer.locale,
                kind="offer",
                recipient=volunteer,
                dedup_key=f"offer-reminder:{assignment.id}",
                user=volunteer,
                assignment=assignment,
                offer_url=absolute_url("proposals.offer", assignment_id=assignment.id),
            )
            is not None
        )
    return queued


def expire_due_offers(now: datetime) -> int:
    """Expire unanswered offers (their places return to matching); the notices become e-mail."""
    return expire_offers(now)


def coordinator_digests(now: datetime) -> int:
    """At 8:00: what waits for each coordinator's decision."""
    day = now.astimezone(WARSAW).date().isoformat()
    proposals = (
        db.session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.status == S.PROPOSED)
        )
        or 0
    )
    staff_requests = (
        db.session.scalar(
            select(func.count())
            .select_from(StaffRequest)
            .where(StaffRequest.status == RequestStatus.PENDING)
        )
        or 0
    )
    institution_requests = (
        db.session.scalar(
            select(func.count())
            .select_from(InstitutionRequest)
            .where(InstitutionRequest.status == RequestStatus.PENDING)
        )
        or 0
    )
    if not (proposals or staff_requests or institution_requests):
        return 0
    queued = 0
    for coordinator in db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR, User.is_active_account.is_(True))
    ):
        queued += (
            queue_email(
                coordinator.email,
                _("Czeka na Twoją decyzję w Giełdzie Wolontariatu OKIK"),
                "coordinator_digest",
                coordinator.locale,
                kind="digest",
                recipient=coordinator,
                dedup_key=f"digest:coordinator:{coordinator.id}:{day}",
                user=coordinator,
                proposals=proposals,
                staff_requests=staff_requests,
                institution_requests=institution_requests,
                url=absolute_url("coordination.requests"),
            )
            is not None
        )
    return queued


def staff_digests(now: datetime) -> int:
    """At 8:00: pending applications at each staff member's institutions."""
    day = now.astimezone(WARSAW).date().isoformat()
    rows = db.session.execute(
        select(StaffMembership.user_id, func.count(Assignment.id))
        .join(Need, Need.institution_id == StaffMembership.institution_id)
        .join(Assignment, Assignment.need_id == Need.id)
        .where(Assignment.status == S.APPLIED)
        .group_by(StaffMembership.user_id)
    ).all()
    queued = 0
    for user_id, pending in rows:
        staff = db.session.get(User, user_id)
        if staff is None or not staff.is_staff or not staff.is_active_account:
            continue
        queued += (
            queue_email(
                staff.email,
                _("Zgłoszenia wolontariuszy czekają na decyzję"),
                "staff_digest",
                staff.locale,
                kind="digest",
                recipient=staff,
                dedup_key=f"digest:staff:{staff.id}:{day}",
                user=staff,
                pending=pending,
                url=absolute_url("manage.index")
                if "manage.index" in current_app.view_functions
                else absolute_url("main.index"),
            )
            is not None
        )
    return queued


def hours_confirmation_requests(now: datetime) -> int:
    """The morning after a shift: ask the institution's staff to confirm attendance and hours."""
    today = now.astimezone(WARSAW).date()
    start = datetime.combine(today - timedelta(days=1), datetime.min.time(), WARSAW)
    end = start + timedelta(days=1)
    shifts = db.session.scalars(
        select(Shift)
        .where(Shift.ends_at >= start, Shift.ends_at < end, Shift.accepted_count > 0)
        .where(Shift.id.in_(select(Assignment.shift_id).where(Assignment.status == S.ACCEPTED)))
        .options(selectinload(Shift.need))
    ).all()
    queued = 0
    for shift in shifts:
        staff = active_staff(shift.need.institution_id)
        for person in staff:
            queued += (
                queue_email(
                    person.email,
                    _("Potwierdź obecność i godziny: %(title)s", title=shift.need.title),
                    "hours_confirm",
                    person.locale,
                    kind="hours",
                    recipient=person,
                    dedup_key=f"hours-confirm:{shift.id}:{person.id}",
                    user=person,
                    shift=shift,
                )
                is not None
            )
    return queued


def guardian_reminders(now: datetime) -> int:
    """Remind a minor's guardian after 3 days without consent, and once more after 6: never more."""
    queued = 0
    pending = db.session.scalars(
        select(VolunteerProfile).where(
            VolunteerProfile.guardian_email != "",
            VolunteerProfile.guardian_consent_at.is_(None),
            VolunteerProfile.guardian_requested_at <= now - timedelta(days=3),
        )
    ).all()
    for profile in pending:
        if profile.guardian_requested_at is None:  # not asked yet: the query leaves these out
            continue
        waited = now - profile.guardian_requested_at
        rounds = 2 if waited >= timedelta(days=6) else 1
        for n in range(1, rounds + 1):
            queued += (
                queue_email(
                    profile.guardian_email,
                    _("Przypomnienie: zgoda na wolontariat %(name)s", name=profile.user.first_name),
                    "guardian_reminder",
                    profile.user.locale,
                    kind="legal",
                    dedup_key=f"guardian-reminder:{profile.user_id}:{n}",
                    volunteer=profile.user,
                )
                is not None
            )
    return queued


def agreement_reminders(now: datetime) -> int:
    """From day 25 of an engagement that will last more than 30 days, remind the host's staff
    that a written agreement must be signed before day 31 (once per staff member and engagement)."""
    from app.services.documents import engagements_needing_agreement

    today = now.astimezone(WARSAW).date()
    queued = 0
    for volunteer_id, need_id, first_day in engagements_needing_agreement(today):
        day_of_engagement = (today - first_day).days + 1
        if day_of_engagement < 25:
            continue
        need = db.session.get(Need, need_id)
        volunteer = db.session.get(User, volunteer_id)
        if need is None or volunteer is None:
            continue
        staff = active_staff(need.institution_id)
        for person in staff:
            queued += (
                queue_email(
                    person.email,
                    _("Porozumienie z wolontariuszem do podpisania: %(title)s", title=need.title),
                    "agreement_reminder",
                    person.locale,
                    kind="legal",
                    recipient=person,
                    dedup_key=f"agreement-reminder:{volunteer_id}:{need_id}:{person.id}",
                    user=person,
                    volunteer=volunteer,
                    need=need,
                    first_day=first_day,
                    deadline=first_day + timedelta(days=30),
                )
                is not None
            )
    return queued


def korpus_summaries(now: datetime) -> int:
    """On the first days of a month: each Korpus Solidarności volunteer gets last month's confirmed
    hours across the coalition against the threshold, and the streak so far."""
    from app.services.korpus import month_report
    from app.services.korpus import previous_month
    from app.services.korpus import progress

    today = now.astimezone(WARSAW).date()
    year, month = previous_month(today.year, today.month)
    queued = 0
    for row in month_report(year, month):
        volunteer = db.session.get(User, row.volunteer_id)
        if volunteer is None or not volunteer.is_active_account:
            continue
        queued += (
            queue_email(
                volunteer.email,
                _("Korpus Solidarności: Twoje godziny w miesiącu %(month)s", month=row.month),
                "korpus_summary",
                volunteer.locale,
                kind="korpus",
                recipient=volunteer,
                dedup_key=f"korpus-summary:{volunteer.id}:{row.month}",
                user=volunteer,
                row=row,
                streak=progress(volunteer, today.replace(day=1) - timedelta(days=1)).streak,
            )
            is not None
        )
    return queued


def qualification_reminders(now: datetime) -> int:
    """Tell each holder, once, that a qualification lapses within a month (unless renewed)."""
    from app.services.qualifications import lapsing_soon
    from app.services.qualifications import mark_reminded

    queued = 0
    for record in lapsing_soon(now):
        person = db.session.get(User, record.user_id)
        if not mark_reminded(record, now) or person is None or not person.is_active_account:
            continue
        queued += (
            queue_email(
                person.email,
                _l(
                    "Twoja kwalifikacja wkrótce wygaśnie: %(name)s",
                    name=record.qualification.name(person.locale),
                ),
                "qualification_reminder",
                person.locale,
                kind="qualification",
                recipient=person,
                dedup_key=f"qualification-reminder:{record.id}",
                user=person,
                record=record,
                url=absolute_url("qualifications.mine"),
            )
            is not None
        )
    return queued
