"""The volunteer's own data: profile, skills, availability, consents, guardian consent, schedule.

Views call these functions and commit; the functions change the session, audit what matters and
raise VolunteerError (with the form field it belongs to) when a rule refuses the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time

from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from app.core.ids import MAX_ID
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import AvailabilityWindow
from app.models import ChildProtectionCheck
from app.models import Consent
from app.models import ConsentKind
from app.models import Need
from app.models import Notice
from app.models import Shift
from app.models import Skill
from app.models import SkillGroup
from app.models import User
from app.models import VolunteerAbsence
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.models.base import rows_changed
from app.models.base import utcnow
from app.models.volunteers import new_feed_token
from app.services import audit
from app.services.date_range import FIRST_INSTANT
from app.services.directory import active_institutions
from app.services.email_address import normalise_email
from app.services.mail import send_email

GUARDIAN_SALT = "guardian-consent"
GUARDIAN_MAX_AGE = 14 * 24 * 3600
ADULT_AGE = 18
# Under this age the guardian concludes the agreement and runs the account (volunteering act).
GUARDIAN_RUNS_ACCOUNT_AGE = 13
# Consents the volunteer changes on the consents page; the guardian's is given through its link.
SELF_CONSENTS = (
    ConsentKind.DATA_PROCESSING,
    ConsentKind.IMAGE,
    ConsentKind.NEWSLETTER,
    ConsentKind.QUALIFICATIONS,
)


# Ids above the range of an SQL INTEGER cannot exist; looking them up would fail in the driver.


def _sane_id(value: int) -> bool:
    return 0 < value <= MAX_ID


class VolunteerError(Exception):
    """A change refused by a rule, with the message and the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- profile -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileData:
    first_name: str
    last_name: str
    date_of_birth: date | None
    phone: str
    city: str
    bio: str
    languages: str
    interests: str
    max_hours_month: int
    is_korpus: bool
    has_disability: bool
    access_needs: str
    preferred_institution_ids: Sequence[int]
    guardian_name: str = ""
    guardian_email: str = ""
    is_invitable: bool = True
    has_weekly_suggestions: bool = False


def needs_guardian(date_of_birth: date | None, today: date | None = None) -> bool:
    """A person under 18 volunteers with a legal guardian's written consent."""
    if date_of_birth is None:
        return False
    today = today or today_in_warsaw()
    age = (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )
    return age < ADULT_AGE


def guardian_runs_account(profile: VolunteerProfile, today: date | None = None) -> bool:
    age = profile.age_on(today or today_in_warsaw())
    return age is not None and age < GUARDIAN_RUNS_ACCOUNT_AGE


def awaits_guardian(profile: VolunteerProfile, today: date | None = None) -> bool:
    """A minor whose guardian has not confirmed yet: may browse and apply, may not be placed."""
    return profile.is_minor_on(today or today_in_warsaw()) and profile.guardian_consent_at is None


def update_profile(user: User, data: ProfileData) -> bool:
    """Save the profile; returns True when a guardian consent e-mail was sent.

    A minor's guardian is asked (again) when no request was sent yet or the guardian's address
    changed: a new guardian address means the consent on record came from someone else.
    """
    profile = user.profile
    if profile is None:
        raise VolunteerError(_("To konto nie ma profilu wolontariusza."))
    is_minor = needs_guardian(data.date_of_birth)
    if is_minor and not (data.guardian_name and data.guardian_email):
        raise VolunteerError(
            _("Osoba niepełnoletnia podaje imię, nazwisko i adres e-mail opiekuna prawnego."),
            "guardian_email",
        )
    user.first_name = data.first_name
    user.last_name = data.last_name
    _change_date_of_birth(user, profile, data.date_of_birth)
    profile.phone = data.phone
    profile.city = data.city
    profile.bio = data.bio
    profile.languages = data.languages
    profile.interests = data.interests
    profile.max_hours_month = data.max_hours_month
    profile.is_korpus = data.is_korpus
    profile.has_disability = data.has_disability
    profile.is_invitable = data.is_invitable
    profile.has_weekly_suggestions = data.has_weekly_suggestions
    profile.access_needs = data.access_needs
    wanted = set(data.preferred_institution_ids)
    profile.preferred_institutions = [i for i in active_institutions() if i.id in wanted]
    sent = False
    if is_minor:
        new_email = normalise_email(data.guardian_email)
        email_changed = new_email != normalise_email(profile.guardian_email or "")
        profile.guardian_name = data.guardian_name
        profile.guardian_email = new_email
        if email_changed:
            profile.guardian_consent_at = None
        if email_changed or profile.guardian_requested_at is None:
            if profile.guardian_consent_at is None:
                request_guardian_consent(user)
                sent = True
    audit.record(user, "volunteer.profile_updated", user)
    return sent


def _change_date_of_birth(user: User, profile: VolunteerProfile, new: date | None) -> None:
    """Record a new date of birth, audited with the old and the new value.

    A minor who, by the new date (or by none), is no longer a minor could have typed it to skip
    the guardian's consent: such a change is held for a coordinator to confirm, and the person is
    not placed meanwhile. A date that makes the person a minor again needs no coordinator: the
    guardian rule applies once more.
    """
    old = profile.date_of_birth
    if new == old:
        return
    came_of_age = needs_guardian(old) and not needs_guardian(new)
    if came_of_age:
        profile.birth_date_confirmation_pending = True
    elif needs_guardian(new):
        profile.birth_date_confirmation_pending = False
    profile.date_of_birth = new
    audit.record(
        user,
        "volunteer.birth_date_changed",
        user,
        old=old.isoformat() if old else None,
        new=new.isoformat() if new else None,
        needs_confirmation=came_of_age,
    )


@dataclass(frozen=True)
class BirthDateChange:
    """A date of birth waiting for a coordinator, with what it was before the change."""

    profile: VolunteerProfile
    previous: date | None
    changed_at: datetime | None


def profile_of(user: User) -> VolunteerProfile:
    """The volunteer's own profile. Only volunteers reach the functions that ask for it, and
    every volunteer account is created with one."""
    if user.profile is None:
        raise LookupError(f"user {user.id} has no volunteer profile")
    return user.profile


def pending_birth_dates() -> list[BirthDateChange]:
    """Volunteers whose changed date of birth made them adults, oldest change first."""
    profiles = db.session.scalars(
        select(VolunteerProfile)
        .where(VolunteerProfile.birth_date_confirmation_pending.is_(True))
        .options(selectinload(VolunteerProfile.user))
    ).all()
    if not profiles:
        return []
    latest: dict[int, AuditLog] = {}
    for entry in db.session.scalars(
        select(AuditLog)
        .where(
            AuditLog.action == "volunteer.birth_date_changed",
            AuditLog.object_type == User.__name__,
            AuditLog.object_id.in_([p.user_id for p in profiles]),
        )
        .order_by(AuditLog.created_at, AuditLog.id)
    ):
        if entry.object_id is not None and (entry.details or {}).get("needs_confirmation"):
            latest[entry.object_id] = entry
    changes = []
    for profile in profiles:
        found = latest.get(profile.user_id)
        old = (found.details or {}).get("old") if found else None
        changes.append(
            BirthDateChange(
                profile,
                date.fromisoformat(old) if old else None,
                found.created_at if found else None,
            )
        )
    return sorted(changes, key=lambda c: (c.changed_at or FIRST_INSTANT, c.profile.user_id))


def confirm_birth_date(profile: VolunteerProfile, actor: User) -> bool:
    """A coordinator confirms the new date of birth; False when it no longer waited.

    Compare-and-set, so that two coordinators confirming at once record one confirmation.
    """
    result = db.session.execute(
        update(VolunteerProfile)
        .where(
            VolunteerProfile.user_id == profile.user_id,
            VolunteerProfile.birth_date_confirmation_pending.is_(True),
        )
        .values(birth_date_confirmation_pending=False)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        return False
    db.session.refresh(profile, ["birth_date_confirmation_pending"])
    born = profile.date_of_birth
    audit.record(
        actor,
        "volunteer.birth_date_confirmed",
        profile.user,
        date_of_birth=born.isoformat() if born else None,
    )
    return True


# --- guardian consent ----------------------------------------------------------------------------


def _guardian_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=GUARDIAN_SALT)


def make_guardian_token(profile: VolunteerProfile) -> str:
    return _guardian_serializer().dumps({"uid": profile.user_id, "g": profile.guardian_email})


def read_guardian_token(token: str) -> VolunteerProfile | None:
    """The profile the link was sent for, while the link is fresh and the guardian unchanged."""
    try:
        data = _guardian_serializer().loads(token, max_age=GUARDIAN_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    profile = db.session.get(VolunteerProfile, data["uid"])
    if profile is None or not profile.user.is_active or not profile.guardian_email:
        return None
    if profile.guardian_email != data.get("g"):
        return None
    return profile


def request_guardian_consent(user: User) -> None:
    """E-mail the guardian a link to confirm consent (valid 14 days)."""
    profile = user.profile
    if profile is None or not profile.guardian_email:
        raise VolunteerError(_("Najpierw podaj w profilu adres e-mail opiekuna."), "guardian_email")
    link = url_for("volunteers.guardian", token=make_guardian_token(profile), _external=True)
    send_email(
        profile.guardian_email,
        _("Prośba o zgodę opiekuna na wolontariat w Giełdzie OKIK"),
        "guardian_consent",
        locale=user.locale,
        volunteer=user,
        guardian_name=profile.guardian_name,
        consent_url=link,
        runs_account=guardian_runs_account(profile),
        days=GUARDIAN_MAX_AGE // (24 * 3600),
    )
    profile.guardian_requested_at = utcnow()
    audit.record(user, "volunteer.guardian_requested", user)


def confirm_guardian_consent(profile: VolunteerProfile) -> bool:
    """The guardian confirms through the link; False when it was already confirmed."""
    if profile.guardian_consent_at is not None:
        return False
    profile.guardian_consent_at = utcnow()
    db.session.add(
        Consent(
            user_id=profile.user_id, kind=ConsentKind.GUARDIAN, granted=True, given_by="guardian"
        )
    )
    audit.record(None, "volunteer.guardian_consented", profile.user, given_by="guardian")
    return True


# --- skills --------------------------------------------------------------------------------------


def skill_taxonomy() -> list[SkillGroup]:
    """The skill groups in their order, each with the skills still offered (retired ones stay
    on old records but are no longer chosen)."""
    return list(
        db.session.scalars(
            select(SkillGroup)
            .options(selectinload(SkillGroup.offered_skills))
            .order_by(SkillGroup.position)
        )
    )


def save_skills(user: User, levels: Mapping[int, int | None]) -> None:
    """Set the level of each skill (None removes it); unknown skill ids are ignored."""
    profile = profile_of(user)
    known = set(db.session.scalars(select(Skill.id).where(Skill.retired_at.is_(None))))
    current = {s.skill_id: s for s in profile.skills}
    for skill_id, level in levels.items():
        if skill_id not in known:
            continue
        row = current.get(skill_id)
        if level is None:
            if row is not None:
                profile.skills.remove(row)
        elif level not in (1, 2, 3):
            raise VolunteerError(_("Poziom umiejętności musi być od 1 do 3."))
        elif row is None:
            profile.skills.append(VolunteerSkill(skill_id=skill_id, level=level))
        else:
            row.level = level
    audit.record(user, "volunteer.skills_updated", user)


# --- availability --------------------------------------------------------------------------------


def add_window(user: User, weekday: int, start: time, end: time) -> AvailabilityWindow:
    """Add a weekly window; refuses an empty window and one overlapping another that day."""
    if not 0 <= weekday <= 6:
        raise VolunteerError(_("Wybierz dzień tygodnia."), "weekday")
    if end <= start:
        raise VolunteerError(_("Koniec musi być później niż początek."), "end_time")
    profile = profile_of(user)
    for other in profile.availability:
        if other.weekday == weekday and other.start_time < end and start < other.end_time:
            raise VolunteerError(
                _(
                    "Ten przedział nakłada się na już zapisany: %(start)s–%(end)s.",
                    start=other.start_time.strftime("%H:%M"),
                    end=other.end_time.strftime("%H:%M"),
                ),
                "start_time",
            )
    window = AvailabilityWindow(weekday=weekday, start_time=start, end_time=end)
    profile.availability.append(window)
    return window


def delete_window(user: User, window_id: int) -> bool:
    if not _sane_id(window_id):
        return False
    window = db.session.get(AvailabilityWindow, window_id)
    if window is None or window.user_id != user.id:
        return False
    db.session.delete(window)
    return True


def add_absence(user: User, starts_on: date, ends_on: date) -> VolunteerAbsence:
    """Dates away, both days included."""
    if ends_on < starts_on:
        raise VolunteerError(_("Data końcowa nie może być wcześniejsza niż początkowa."), "ends_on")
    absence = VolunteerAbsence(starts_on=starts_on, ends_on=ends_on)
    profile_of(user).absences.append(absence)
    return absence


def delete_absence(user: User, absence_id: int) -> bool:
    if not _sane_id(absence_id):
        return False
    absence = db.session.get(VolunteerAbsence, absence_id)
    if absence is None or absence.user_id != user.id:
        return False
    db.session.delete(absence)
    return True


# --- consents ------------------------------------------------------------------------------------


def consent_history(user_id: int) -> list[Consent]:
    """Every change of every consent, newest first."""
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.user_id == user_id)
            .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        )
    )


def current_consents(user_id: int) -> dict[ConsentKind, Consent | None]:
    """The newest row of each kind is the current state (None: never asked)."""
    state: dict[ConsentKind, Consent | None] = dict.fromkeys(ConsentKind)
    for row in consent_history(user_id):
        kind = ConsentKind(row.kind)
        if state[kind] is None:
            state[kind] = row
    return state


def set_consent(user: User, kind: ConsentKind, granted: bool) -> Consent | None:
    """Append a history row when the state changes; None when nothing changed.

    Withdrawing the data-processing consent is not done here: without it the exchange cannot
    hold the account, so the view sends the volunteer to account deletion instead.
    """
    if kind == ConsentKind.DATA_PROCESSING and not granted:
        raise VolunteerError(
            _("Zgodę na przetwarzanie danych wycofuje się, usuwając konto."), "kind"
        )
    if kind not in SELF_CONSENTS:
        raise VolunteerError(_("Tej zgody nie można zmienić na tej stronie."), "kind")
    now = current_consents(user.id)[kind]
    if now is not None and now.granted == granted:
        return None
    row = Consent(user_id=user.id, kind=kind, granted=granted, given_by="self")
    db.session.add(row)
    audit.record(user, "consent.granted" if granted else "consent.withdrawn", user, kind=kind.value)
    return row


# --- schedule, notices, feed ---------------------------------------------------------------------


def assignments_of(user_id: int) -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Assignment.volunteer_id == user_id)
            .options(
                selectinload(Assignment.shift),
                selectinload(Assignment.need).selectinload(Need.institution),
            )
            .order_by(Shift.starts_at, Assignment.id)
        )
    )


def split_schedule(
    assignments: Sequence[Assignment], now: datetime | None = None
) -> tuple[list[Assignment], list[Assignment]]:
    """Upcoming (not yet ended, soonest first) and past (most recent first)."""
    now = now or utcnow()
    upcoming = [a for a in assignments if a.shift.ends_at > now]
    past = [a for a in assignments if a.shift.ends_at <= now]
    past.reverse()
    return upcoming, past


def active_upcoming(user_id: int) -> list[Assignment]:
    """The volunteer's applications, offers and places still ahead, soonest first."""
    upcoming, _past = split_schedule(assignments_of(user_id))
    return [a for a in upcoming if a.is_active]


def own_assignment(user: User, assignment_id: int) -> Assignment | None:
    """The volunteer's own assignment; someone else's id looks the same as a missing one."""
    if not _sane_id(assignment_id):
        return None
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.volunteer_id != user.id:
        return None
    return assignment


def may_withdraw(assignment: Assignment, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return assignment.can_move_to(AssignmentStatus.WITHDRAWN) and assignment.shift.starts_at > now


def notices_of(user_id: int, limit: int | None = 200) -> list[Notice]:
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.user_id == user_id)
            .order_by(Notice.created_at.desc(), Notice.id.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(db.func.count(Notice.id)).where(
                Notice.user_id == user_id, Notice.read_at.is_(None)
            )
        )
        or 0
    )


def mark_notices_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notice)
        .where(Notice.user_id == user_id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def reset_feed_token(user: User) -> str:
    """A new secret feed address; the old one stops working at once."""
    profile = profile_of(user)
    profile.feed_token = new_feed_token()
    audit.record(user, "volunteer.feed_reset", user)
    return profile.feed_token


def checks_of(user_id: int) -> list[ChildProtectionCheck]:
    return list(
        db.session.scalars(
            select(ChildProtectionCheck)
            .where(ChildProtectionCheck.user_id == user_id)
            .order_by(ChildProtectionCheck.recorded_at.desc())
        )
    )
