"""A year of the coalition's life for the demo: past shifts with confirmed hours, no-shows,
agreements and certificates, Korpus Solidarności months, volunteers shared and moving between
institutions, joint events, and recent shifts still waiting for staff to confirm attendance.

Everything is placed relative to the demo's "today", so the history is always the last twelve
months, and drawn from a fixed random seed, so every start shows the same coalition. Places are
taken under the app's own rules (age, guardian consent, child-protection checks, capacity, no two
shifts at once, the volunteer's monthly limit); attendance, self-logged hours and documents go
through the services staff and volunteers use, so the ledger, the audit log and the documents'
numbers are what the app itself would have written.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.time import WARSAW
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import ChildProtectionCheck
from app.models import Consent
from app.models import Institution
from app.models import Need
from app.models import NeedKind
from app.models import Role
from app.models import Shift
from app.models import StaffMembership
from app.models import User
from app.seed.demo_content import FIRST_NAMES_F
from app.seed.demo_content import HISTORY_EVENTS
from app.seed.demo_content import LAST_NAMES
from app.seed.demo_content import SELF_LOG_NOTES
from app.seed.demo_needs import published_need
from app.services import documents
from app.services import hours
from app.services import korpus
from app.services import needs
from app.services.applications import eligibility_problems
from app.services.applications import guardian_rule_refusal
from app.services.needs import refresh_search_text

HISTORY_SEED = 2022_10_27  # the day after the coalition's founding: its first year of work
HISTORY_DAYS = 350  # how far back the recurring needs' past shifts go
UNCONFIRMED_DAYS = 14  # shifts that started this recently still wait for staff to confirm
DEMO_STAFF_UNCONFIRMED_DAYS = 35  # the demo staff account's gallery waits a little longer
NO_SHOW_RATE = 0.05
CLOSED_AFTER_DAYS = 180  # events older than this were closed by their hosts
# The demo accounts of README.md: with the coalition from its first year.
FOUNDING_ACCOUNTS = [
    "koordynator@example.org",
    "admin@example.org",
    "instytucja@example.org",
    "wolontariusz@example.org",
]

# Korpus Solidarności stages: the months back from this one (0) that meet the threshold.
KORPUS_STAGES: list[tuple[str, range]] = [
    ("a full year", range(0, 12)),
    ("eight months running", range(0, 8)),
    ("half a year running", range(0, 6)),
    ("three months running", range(0, 3)),
    ("paused after half a year", range(5, 11)),
    ("started last month", range(0, 2)),
]


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WARSAW).astimezone(UTC)


def _month_key(day: date) -> tuple[int, int]:
    return day.year, day.month


def _months_back(today: date, count: int) -> tuple[int, int]:
    year, month = today.year, today.month
    for _ in range(count):
        year, month = korpus.previous_month(year, month)
    return year, month


@dataclass
class Person:
    """A demo volunteer's year: when they joined and where they served when."""

    user: User
    joined: date
    # (institution id, first day, last day) spans in which they take shifts there
    spans: list[tuple[int, date, date]] = field(default_factory=list)
    booked: list[tuple[datetime, datetime]] = field(default_factory=list)
    month_hours: dict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))

    def serves(self, institution_ids: set[int], day: date) -> bool:
        return any(i in institution_ids and a <= day <= b for i, a, b in self.spans)

    def free(self, starts: datetime, ends: datetime) -> bool:
        return all(not (s < ends and starts < e) for s, e in self.booked)


class History:
    """Builds the year in one transaction; `run` returns how many rows of each kind it added."""

    def __init__(self, today: date, password_hash: str) -> None:
        self.today = today
        self.rng = random.Random(HISTORY_SEED)
        self.password_hash = password_hash
        self.institutions = {i.slug: i for i in db.session.scalars(select(Institution))}
        self.staff: dict[int, User] = {}
        self.people: list[Person] = []
        self.placed: list[Assignment] = []
        self.korpus_homes: list[tuple[Person, Need, range]] = []
        self.counts = {
            "history_shifts_added": 0,
            "hours_confirmed": 0,
            "no_shows": 0,
            "shifts_to_confirm": 0,
            "documents_issued": 0,
        }

    # --- the people ------------------------------------------------------------------------

    def _staff_accounts(self) -> None:
        """One staff member at every institution, named its volunteer coordinator: they confirm
        the hours and sign the agreements there. The gallery keeps the demo staff account."""
        for membership in db.session.scalars(select(StaffMembership)):
            self.staff.setdefault(membership.institution_id, membership.user)
        founded = _local(self.today - timedelta(days=420), 9)
        for user in db.session.scalars(select(User).where(User.email.in_(FOUNDING_ACCOUNTS))):
            user.created_at = founded
        for n, (slug, institution) in enumerate(sorted(self.institutions.items())):
            if institution.id in self.staff:
                continue
            last = LAST_NAMES[(n * 5 + 3) % len(LAST_NAMES)][1]
            user = User(
                email=f"kadra.{slug}@example.org",
                first_name=FIRST_NAMES_F[(n * 7 + 2) % len(FIRST_NAMES_F)],
                last_name=last,
                role=Role.STAFF,
                password_hash=self.password_hash,
                email_confirmed_at=founded,
                created_at=founded,
            )
            user.memberships.append(
                StaffMembership(institution=institution, position="Opiekunka wolontariuszy")
            )
            db.session.add(user)
            db.session.flush()
            institution.volunteer_coordinator_id = user.id
            self.staff[institution.id] = user

    def _people(self) -> None:
        """Join dates over the last fourteen months and where each volunteer serves: most at one
        institution, many at a second one as well, some moving from one to another mid-year."""
        volunteers = db.session.scalars(
            select(User)
            .where(User.role == Role.VOLUNTEER, User.email.like("wolontariusz__@example.org"))
            .options(selectinload(User.profile))
            .order_by(User.email)
        ).all()
        ids = [i.id for _slug, i in sorted(self.institutions.items())]
        for user in volunteers:
            founding = self.rng.random() < 0.4
            joined = self.today - timedelta(
                days=self.rng.randint(340, 420) if founding else self.rng.randint(25, 340)
            )
            moment = _local(joined, self.rng.randint(8, 21))
            user.created_at = moment
            user.email_confirmed_at = moment
            person = Person(user, joined)
            start = joined + timedelta(days=3)
            home = self.rng.choice(ids)
            roll = self.rng.random()
            other = self.rng.choice([i for i in ids if i != home])
            if roll < 0.2 and (self.today - start).days > 120:
                moved = start + timedelta(days=(self.today - start).days // 2)
                person.spans = [(home, start, moved), (other, moved, self.today)]
            elif roll < 0.55:
                second = start + timedelta(days=self.rng.randint(0, (self.today - start).days))
                person.spans = [(home, start, self.today), (other, second, self.today)]
            else:
                person.spans = [(home, start, self.today)]
            self.people.append(person)
            profile = user.profile
            if profile is not None and profile.guardian_consent_at is not None:
                profile.guardian_requested_at = _local(joined, 20)
                profile.guardian_consent_at = _local(joined + timedelta(days=2), 18)
        by_user = {p.user.id: p for p in self.people}
        for consent in db.session.scalars(select(Consent)):
            if consent.user_id in by_user:
                consent.recorded_at = by_user[consent.user_id].user.created_at
        for check in db.session.scalars(select(ChildProtectionCheck)):
            if check.user_id in by_user:
                seen = by_user[check.user_id].joined + timedelta(days=2)
                check.certificate_seen_on = check.register_checked_on = seen

    # --- shifts and places ----------------------------------------------------------------

    def _past_shifts(self) -> list[Shift]:
        """Past shifts of the recurring and long-term needs (every other week), and the year's
        one-off and joint events."""
        shifts: list[Shift] = []
        needs = db.session.scalars(
            select(Need)
            .where(Need.kind.in_([NeedKind.RECURRING, NeedKind.LONG_TERM]))
            .options(selectinload(Need.shifts))
            .order_by(Need.id)
        ).all()
        for need in needs:
            future = [s for s in need.shifts if s.starts_at.astimezone(WARSAW).date() > self.today]
            if not future:
                continue
            pattern = future[0]
            taken_days = {s.starts_at.astimezone(WARSAW).date() for s in need.shifts}
            first_local = pattern.starts_at.astimezone(WARSAW)
            length = pattern.ends_at - pattern.starts_at
            reach = HISTORY_DAYS
            step = 14
            day = first_local.date() - timedelta(days=step)
            while (self.today - day).days <= reach:
                if day not in taken_days and day < self.today:
                    starts = _local(day, first_local.hour)
                    shift = Shift(starts_at=starts, ends_at=starts + length, places=pattern.places)
                    need.shifts.append(shift)
                    shifts.append(shift)
                day -= timedelta(days=step)
            need.published_at = _local(self.today - timedelta(days=reach + 14), 9)
            need.created_at = need.published_at
        existing = set(db.session.scalars(select(Need.title)))
        for spec in HISTORY_EVENTS:
            if spec["title"] in existing:
                continue
            host = self.institutions[spec["inst"]]
            day = self.today - timedelta(days=spec["days_back"])
            start_h, end_h = spec["hours"]
            need = published_need(
                spec,
                host,
                is_accessible=True,
                offers_training=spec["kind"] == "training",
                created_at=_local(day - timedelta(days=30), 9),
                published_at=_local(day - timedelta(days=28), 9),
            )
            for slug in spec["cohosts"]:
                need.cohosts.append(self.institutions[slug])
            shift = Shift(
                starts_at=_local(day, start_h), ends_at=_local(day, end_h), places=spec["places"]
            )
            need.shifts.append(shift)
            db.session.add(need)
            shifts.append(shift)
        db.session.flush()
        self.counts["history_shifts_added"] = len(shifts)
        return sorted(shifts, key=lambda s: s.starts_at)

    def _may_take(self, person: Person, need: Need, shift: Shift, day: date) -> bool:
        """The rules a staff decision applies, on the day the place was taken."""
        profile = person.user.profile
        if profile is None or not person.free(shift.starts_at, shift.ends_at):
            return False
        length = hours.shift_length(shift)
        if person.month_hours[_month_key(day)] + length > profile.max_hours_month:
            return False
        if eligibility_problems(person.user, need, today=day):
            return False
        return guardian_rule_refusal(profile, shift) is None

    def _fill(self, shift: Shift) -> None:
        need = shift.need
        day = shift.starts_at.astimezone(WARSAW).date()
        hosts = need.host_ids()
        coalition_wide = len(hosts) > 2 or need.kind == NeedKind.TRAINING
        candidates = [
            p
            for p in self.people
            if p.joined + timedelta(days=3) <= day
            and (p.serves(hosts, day) or (coalition_wide and self.rng.random() < 0.35))
        ]
        self.rng.shuffle(candidates)
        wanted = shift.places if self.rng.random() < 0.7 else max(1, shift.places - 1)
        for person in candidates:
            if shift.accepted_count >= min(wanted, shift.places):
                break
            if not self._may_take(person, need, shift, day):
                continue
            self._place(person, need, shift)

    # --- attendance ----------------------------------------------------------------------------

    def _backdate(self, moment: datetime) -> None:
        """Audit entries a service just wrote carry the moment the staff member acted."""
        for obj in db.session.new:
            if isinstance(obj, AuditLog):
                obj.created_at = moment

    def _attendance(self) -> None:
        """Staff record who came; recent shifts wait for them, the demo gallery's a while longer."""
        gallery = self.institutions["gsw"].id
        for assignment in self.placed:
            shift, need = assignment.shift, assignment.need
            age = (self.today - shift.starts_at.astimezone(WARSAW).date()).days
            limit = DEMO_STAFF_UNCONFIRMED_DAYS if need.institution_id == gallery else None
            if age <= (limit or UNCONFIRMED_DAYS):
                continue
            actor = self.staff[need.institution_id]
            moment = shift.ends_at + timedelta(hours=self.rng.randint(2, 40))
            if self.rng.random() < NO_SHOW_RATE:
                hours.mark_no_show(
                    actor, assignment, "Nieobecność bez wcześniejszego odwołania zmiany."
                )
                self.counts["no_shows"] += 1
            else:
                entry = hours.confirm_assignment(actor, assignment, hours.shift_length(shift))
                entry.confirmed_at = entry.created_at = moment
                self.counts["hours_confirmed"] += 1
            assignment.updated_at = moment
            self._backdate(moment)
        db.session.flush()
        self.counts["shifts_to_confirm"] = len(
            {a.shift_id for a in self.placed if a.status == AssignmentStatus.ACCEPTED}
        )

    # --- Korpus Solidarności ------------------------------------------------------------------

    def _korpus_homes(self) -> None:
        """Korpus volunteers at different stages (a full year, streaks of several months, a
        pause, a start last month), each with a long-term need: a place on one of its shifts in
        the stage's first month and one lately, before the year's other places are given out."""
        long_term = db.session.scalars(
            select(Need).where(Need.kind == NeedKind.LONG_TERM).order_by(Need.id)
        ).all()
        members = [
            p
            for p in self.people
            if p.user.profile is not None
            and p.user.profile.is_korpus
            and p.user.profile.may_be_placed_on(self.today)
        ]
        for n, ((_stage, months), person) in enumerate(zip(KORPUS_STAGES, members, strict=False)):
            # Where they serve first, then each member a different need, not all at one library.
            order = {need.id: (k - n) % len(long_term) for k, need in enumerate(long_term)}
            year, month = _months_back(self.today, max(months))
            first, after = korpus.month_bounds(year, month)
            if person.joined > first - timedelta(days=10):
                person.joined = first - timedelta(days=10)
                person.user.created_at = person.user.email_confirmed_at = _local(person.joined, 12)
            for need in sorted(
                long_term, key=lambda x: (not person.serves(x.host_ids(), first), order[x.id])
            ):
                early = [s for s in need.shifts if first <= self._day(s) < after]
                late = [
                    s
                    for s in reversed(need.shifts)
                    if self.today - timedelta(days=60)
                    <= self._day(s)
                    < self.today - timedelta(days=UNCONFIRMED_DAYS + 2)
                ]
                start = next((s for s in early if self._free_place(person, need, s)), None)
                if start is None:
                    continue
                self._place(person, need, start)
                end = next((s for s in late if self._free_place(person, need, s)), None)
                if end is not None:
                    self._place(person, need, end)
                person.spans.append((need.institution_id, first, self.today))
                self.korpus_homes.append((person, need, months))
                break

    def _korpus_logs(self) -> None:
        """The hours Korpus volunteers log on their long-term need top each month of their stage
        up to the threshold (this month's only part of the way); staff confirm all but the
        newest."""
        for person, need, months in self.korpus_homes:
            actor = self.staff[need.institution_id]
            totals = korpus.monthly_hours(person.user.id)
            for back in months:
                year, month = _months_back(self.today, back)
                first, after = korpus.month_bounds(year, month)
                threshold = korpus.threshold_for(person.user.profile, first).hours
                missing = threshold - totals.get((year, month), 0.0)
                last = min(after - timedelta(days=1), self.today - timedelta(days=1))
                days = [d for d in (first + timedelta(days=k) for k in (0, 8, 16, 23)) if d <= last]
                if back == 0:  # this month: under way, not yet at the threshold
                    missing = min(missing, threshold * 0.6)
                while missing > 0 and days:
                    worked_on = days.pop(0)
                    chunk = min(missing, 6.0) if days else missing
                    chunk = max(0.5, round(chunk * 2) / 2)
                    entry = hours.log_own_hours(
                        person.user, need.id, worked_on, chunk, self.rng.choice(SELF_LOG_NOTES)
                    )
                    entry.created_at = _local(worked_on, 20)
                    if (self.today - worked_on).days > 5:
                        moment = _local(worked_on + timedelta(days=2), 10)
                        hours.confirm_entry(actor, entry)
                        entry.confirmed_at = moment
                        self._backdate(moment)
                    missing -= chunk

    @staticmethod
    def _day(shift: Shift) -> date:
        return shift.starts_at.astimezone(WARSAW).date()

    def _free_place(self, person: Person, need: Need, shift: Shift) -> bool:
        return shift.accepted_count < shift.places and self._may_take(
            person, need, shift, self._day(shift)
        )

    def _place(self, person: Person, need: Need, shift: Shift) -> None:
        """An accepted application, decided by the host's staff a few days before the shift."""
        decided = shift.starts_at - timedelta(days=self.rng.randint(3, 12))
        assignment = Assignment(
            volunteer_id=person.user.id,
            shift=shift,
            need=need,
            status=AssignmentStatus.ACCEPTED,
            source=AssignmentSource.APPLICATION,
            decided_by_id=self.staff[need.institution_id].id,
            created_at=decided - timedelta(days=2),
            updated_at=decided,
        )
        db.session.add(assignment)
        shift.accepted_count += 1
        person.booked.append((shift.starts_at, shift.ends_at))
        person.month_hours[_month_key(self._day(shift))] += hours.shift_length(shift)
        self.placed.append(assignment)

    # --- documents ----------------------------------------------------------------------------

    def _documents(self) -> None:
        """Agreements for the engagements longer than thirty days, signed on their first day (the
        newest left for staff to sign), and certificates volunteers asked for, some with an
        opinion; issued in date order, so the yearly numbers follow the calendar."""
        agreements: list[tuple[date, int, int]] = []
        pairs = db.session.execute(
            select(Assignment.volunteer_id, Assignment.need_id)
            .where(Assignment.status.in_(documents.ENGAGED))
            .distinct()
            .order_by(Assignment.volunteer_id, Assignment.need_id)
        ).all()
        for volunteer_id, need_id in pairs:
            item = documents.engagement(volunteer_id, need_id)
            if item is not None and item.days > documents.AGREEMENT_REQUIRED_AFTER_DAYS:
                agreements.append((min(item.first_day, self.today), volunteer_id, need_id))
        certificates: list[tuple[date, Person, date, date, int | None]] = []
        by_hours = sorted(self.people, key=lambda p: (-sum(p.month_hours.values()), p.user.id))
        for n, person in enumerate(by_hours[:14]):
            end = self.today - timedelta(days=self.rng.randint(3, 40))
            start = max(person.joined, end - timedelta(days=180))
            institution = person.spans[0][0] if n % 3 else None
            certificates.append((end + timedelta(days=2), person, start, end, institution))
        timeline = sorted(
            [(a[0], 0, i) for i, a in enumerate(agreements)]
            + [(c[0], 1, i) for i, c in enumerate(certificates)]
        )
        newest = max(range(len(agreements)), key=lambda i: agreements[i][0], default=None)
        for day, kind, index in timeline:
            if kind == 0:
                _day, volunteer_id, need_id = agreements[index]
                need = db.session.get_one(Need, need_id)
                actor = self.staff[need.institution_id]
                doc = documents.issue_agreement(volunteer_id, need_id, actor, day)
                if index != newest:
                    documents.record_signature(doc, day, actor.full_name, day)
            else:
                _day, person, start, end, institution = certificates[index]
                try:
                    doc = documents.issue_certificate(person.user, start, end, institution, day)
                except documents.DocumentError:
                    continue  # no confirmed hours there in that period
                if institution is not None and self.rng.random() < 0.6:
                    documents.set_opinion(
                        doc,
                        "Rzetelna praca, punktualność i życzliwość wobec odwiedzających. "
                        "Chętnie zaprosimy do współpracy ponownie.",
                    )
            doc.created_at = _local(day, 11)
            self.counts["documents_issued"] += 1

    def _close_old_events(self) -> None:
        """Hosts closed the events of the first half-year; the later ones they left published,
        as staff often do, so they still count in the fill rates."""
        titles = [e["title"] for e in HISTORY_EVENTS if e["days_back"] > CLOSED_AFTER_DAYS]
        for need in db.session.scalars(select(Need).where(Need.title.in_(titles))):
            last = max(s.ends_at for s in need.shifts)
            needs.close(need, self.staff[need.institution_id])
            self._backdate(last + timedelta(days=3))

    def run(self) -> dict[str, int]:
        # Flushed by hand where a query must see what was just added: hundreds of services'
        # calls then write in a few batches instead of flushing before every query.
        with db.session.no_autoflush:
            self._staff_accounts()
            self._people()
            db.session.flush()
            shifts = self._past_shifts()
            self._korpus_homes()
            for shift in shifts:
                self._fill(shift)
            db.session.flush()
            self._attendance()
            self._korpus_logs()
            db.session.flush()
            self._documents()
            self._close_old_events()
        for need in db.session.scalars(select(Need).where(Need.search_text == "")):
            refresh_search_text(need)
        return self.counts


def load_history(today: date, password_hash: str) -> dict[str, int]:
    """Add the year once: a second run finds the year's events in place and adds nothing."""
    first_event = HISTORY_EVENTS[0]["title"]
    if db.session.scalar(select(Need.id).where(Need.title == first_event)) is not None:
        return {
            "history_shifts_added": 0,
            "hours_confirmed": 0,
            "no_shows": 0,
            "shifts_to_confirm": 0,
            "documents_issued": 0,
        }
    return History(today, password_hash).run()
