"""Reference data for every deployment and demo data for development; both can run again safely."""

from __future__ import annotations

import random
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select

from app.core.time import WARSAW
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import ChildProtectionCheck
from app.models import Consent
from app.models import ConsentKind
from app.models import HoursEntry
from app.models import HoursSource
from app.models import HoursStatus
from app.models import Institution
from app.models import InstitutionKind
from app.models import InstitutionRequest
from app.models import Need
from app.models import NeedKind
from app.models import NeedSkill
from app.models import NewsKind
from app.models import NewsPost
from app.models import Qualification
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import SkillGroup
from app.models import StaffMembership
from app.models import StaffRequest
from app.models import User
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.models.base import utcnow
from app.seed.demo_content import BIOS
from app.seed.demo_content import CITIES
from app.seed.demo_content import FIRST_NAMES_F
from app.seed.demo_content import FIRST_NAMES_M
from app.seed.demo_content import INTERESTS
from app.seed.demo_content import LAST_NAMES
from app.seed.demo_content import NEEDS
from app.seed.demo_history import load_history
from app.seed.demo_needs import published_need
from app.seed.demo_qualifications import load_demo_qualifications
from app.seed.reference import INSTITUTIONS
from app.seed.reference import QUALIFICATIONS
from app.seed.reference import SKILL_GROUPS
from app.services.needs import refresh_search_text
from app.services.passwords import hash_password

DEMO_PASSWORD = "okik-demo"  # noqa: S105 - documented demo password, never loaded in production
DEMO_VOLUNTEERS = 60


def load_reference_data() -> dict[str, int]:
    """Insert the member institutions and the skill taxonomy that are missing."""
    existing = set(db.session.scalars(select(Institution.slug)))
    added_institutions = 0
    for name, short, slug, kind, founder, description in INSTITUTIONS:
        if slug in existing:
            continue
        db.session.add(
            Institution(
                name=name,
                short_name=short,
                slug=slug,
                kind=kind,
                is_founder=founder,
                description=description,
                address="Opole",
                contact_email=f"wolontariat@{slug}.example.org",
            )
        )
        added_institutions += 1
    groups = {g.code: g for g in db.session.scalars(select(SkillGroup))}
    skills = set(db.session.scalars(select(Skill.code)))
    added_skills = 0
    for g_pos, (code, name_pl, name_en, items) in enumerate(SKILL_GROUPS):
        group = groups.get(code)
        if group is None:
            group = SkillGroup(code=code, name_pl=name_pl, name_en=name_en, position=g_pos)
            db.session.add(group)
        for s_pos, (s_code, s_pl, s_en) in enumerate(items):
            if s_code not in skills:
                group.skills.append(Skill(code=s_code, name_pl=s_pl, name_en=s_en, position=s_pos))
                added_skills += 1
    known = {name.lower() for name in db.session.scalars(select(Qualification.name_pl))}
    added_qualifications = 0
    for name_pl, name_en, months in QUALIFICATIONS:
        if name_pl.lower() not in known:
            db.session.add(Qualification(name_pl=name_pl, name_en=name_en, validity_months=months))
            added_qualifications += 1
    db.session.commit()
    return {
        "institutions_added": added_institutions,
        "skills_added": added_skills,
        "qualifications_added": added_qualifications,
    }


def _user(email: str, first: str, last: str, role: Role, password_hash: str) -> tuple[User, bool]:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user, False
    user = User(
        email=email,
        first_name=first,
        last_name=last,
        role=role,
        password_hash=password_hash,
        email_confirmed_at=utcnow(),
    )
    db.session.add(user)
    return user, True


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WARSAW).astimezone(UTC)


def _demo_consents_and_checks(coordinator: User) -> None:
    """Every demo volunteer agreed to data processing; some to photos; some have child-protection checks."""
    if db.session.scalar(select(Consent.id)) is not None:
        return
    volunteers = db.session.scalars(
        select(User).where(User.role == Role.VOLUNTEER).order_by(User.id)
    ).all()
    for i, user in enumerate(volunteers):
        db.session.add(Consent(user_id=user.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
        if i % 3:
            db.session.add(Consent(user_id=user.id, kind=ConsentKind.IMAGE, granted=True))
        adult = user.profile is not None and not user.profile.is_minor_on(date.today())
        if adult and i % 4 == 0:
            db.session.add(
                ChildProtectionCheck(
                    user_id=user.id,
                    certificate_seen_on=date.today() - timedelta(days=30),
                    register_checked_on=date.today() - timedelta(days=30),
                    checked_by_id=coordinator.id,
                    note="Zaświadczenie z KRK okazane w biurze koalicji.",
                )
            )


def _demo_applications(volunteer: User) -> None:
    """The demo volunteer holds places at two institutions and waits on one application;
    other volunteers wait for the gallery's decision."""
    if db.session.scalar(select(Assignment.id)) is not None:
        return
    plan = [
        ("Dyżury na wystawie „Nowe spojrzenia”", 0, AssignmentStatus.ACCEPTED),
        ("Jarmark Bożonarodzeniowy: pomoc przy stoiskach", 0, AssignmentStatus.ACCEPTED),
        ("Fotorelacja z wernisażu", 0, AssignmentStatus.APPLIED),
    ]
    for title, index, status in plan:
        need = db.session.scalar(select(Need).where(Need.title == title))
        if need is None or len(need.shifts) <= index:
            continue
        shift = need.shifts[index]
        db.session.add(
            Assignment(volunteer_id=volunteer.id, shift_id=shift.id, need_id=need.id, status=status)
        )
        if status == AssignmentStatus.ACCEPTED:
            shift.accepted_count += 1
    gallery_need = db.session.scalar(
        select(Need).where(Need.title == "Dyżury na wystawie „Nowe spojrzenia”")
    )
    others = db.session.scalars(
        select(User).where(
            User.email.in_(["wolontariusz02@example.org", "wolontariusz04@example.org"])
        )
    ).all()
    if gallery_need is not None:
        for other in others:
            shift = gallery_need.shifts[1]
            db.session.add(
                Assignment(
                    volunteer_id=other.id,
                    shift_id=shift.id,
                    need_id=gallery_need.id,
                    status=AssignmentStatus.APPLIED,
                )
            )


def _demo_hours(volunteer: User, confirmer: User, today: date) -> None:
    """The demo volunteer's history: monthly gallery shifts and an ongoing long-term Korpus
    Solidarności engagement at the archive, with confirmed hours over the last months."""
    if (
        db.session.scalar(select(HoursEntry.id).where(HoursEntry.volunteer_id == volunteer.id))
        is not None
    ):
        return
    gallery = db.session.scalar(
        select(Need).where(Need.title == "Dyżury na wystawie „Nowe spojrzenia”")
    )
    archive = db.session.scalar(select(Need).where(Need.title == "Digitalizacja akt miejskich"))
    if gallery is None or archive is None:
        return
    now = utcnow()
    for months_back in range(1, 5):
        day = today - timedelta(days=30 * months_back)
        shift = Shift(
            need=gallery,
            starts_at=_local(day, 10),
            ends_at=_local(day, 14),
            places=2,
            accepted_count=1,
        )
        db.session.add(shift)
        db.session.flush()
        done = Assignment(
            volunteer_id=volunteer.id,
            shift_id=shift.id,
            need_id=gallery.id,
            status=AssignmentStatus.COMPLETED,
        )
        db.session.add(done)
        db.session.flush()
        db.session.add(
            HoursEntry(
                volunteer_id=volunteer.id,
                institution_id=gallery.institution_id,
                need_id=gallery.id,
                assignment_id=done.id,
                worked_on=day,
                hours=4,
                source=HoursSource.SHIFT,
                status=HoursStatus.CONFIRMED,
                confirmed_by_id=confirmer.id,
                confirmed_at=now,
            )
        )
    ongoing = archive.shifts[0]
    db.session.add(
        Assignment(
            volunteer_id=volunteer.id,
            shift_id=ongoing.id,
            need_id=archive.id,
            status=AssignmentStatus.ACCEPTED,
        )
    )
    ongoing.accepted_count += 1
    for months_back in range(0, 5):
        month_start = (
            (today.replace(day=1) - timedelta(days=1)).replace(day=1)
            if months_back
            else today.replace(day=1)
        )
        for _ in range(months_back - 1):
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        for offset, hours in ((2, 7), (9, 7), (16, 6)):
            day = month_start + timedelta(days=offset)
            if day >= today:
                continue
            db.session.add(
                HoursEntry(
                    volunteer_id=volunteer.id,
                    institution_id=archive.institution_id,
                    need_id=archive.id,
                    worked_on=day,
                    hours=hours,
                    source=HoursSource.SELF_LOG,
                    status=HoursStatus.CONFIRMED,
                    description="Skanowanie akt magistratu z lat 1945–1950.",
                    confirmed_by_id=confirmer.id,
                    confirmed_at=now,
                )
            )
    db.session.add(
        HoursEntry(
            volunteer_id=volunteer.id,
            institution_id=archive.institution_id,
            need_id=archive.id,
            worked_on=today - timedelta(days=1),
            hours=3,
            source=HoursSource.SELF_LOG,
            status=HoursStatus.PENDING,
            description="Opis skanów w arkuszu.",
        )
    )


def _demo_requests(institutions: dict[str, Institution]) -> None:
    """Give the coordinator's desk something to decide on first start."""
    if db.session.scalar(select(StaffRequest.id)) is not None:
        return
    asker = db.session.scalar(select(User).where(User.email == "wolontariusz05@example.org"))
    if asker is not None:
        db.session.add(
            StaffRequest(
                user=asker,
                institution=institutions["muzeum-wsi"],
                position="Edukator w skansenie",
                message="Prowadzę warsztaty rękodzieła, chcę publikować potrzeby muzeum.",
            )
        )
    founder = db.session.scalar(select(User).where(User.email == "wolontariusz06@example.org"))
    if founder is not None:
        db.session.add(
            InstitutionRequest(
                requested_by=founder,
                name="Stowarzyszenie Teatr Ulicy Opole",
                short_name="Teatr Ulicy",
                kind=InstitutionKind.NGO,
                contact_email="kontakt@teatrulicy.example.org",
                position="Prezeska",
                address="Opole",
                description="Spektakle plenerowe i warsztaty teatralne dla młodzieży z osiedli.",
            )
        )


def _demo_news(institutions: dict[str, Institution], staff: User) -> None:
    """A few posts on the coalition board, one pinned and two public, once."""
    if db.session.scalar(select(NewsPost.id)) is not None:
        return
    training = db.session.scalar(select(Need).where(Need.kind == NeedKind.TRAINING))
    posts = [
        NewsPost(
            institution=institutions["gsw"],
            author_id=staff.id,
            kind=NewsKind.CALL_FOR_HELP,
            title="Szukamy osób do obsługi wernisażu",
            body="W piątek otwieramy nową wystawę. Przyda się pomoc wolontariuszy innych "
            "instytucji przy szatni i informacji dla gości.",
            is_pinned=True,
        ),
        NewsPost(
            institution=training.institution if training else institutions["gsw"],
            kind=NewsKind.TRAINING,
            title="Szkolenie z pierwszej pomocy dla wolontariuszy całej koalicji",
            body="Zapraszamy wolontariuszy wszystkich instytucji OKIK. Liczba miejsc ograniczona.",
            need=training,
            is_public=True,
        ),
        NewsPost(
            institution=institutions["gsw"],
            author_id=staff.id,
            kind=NewsKind.EVENT,
            title="Noc Muzeów w galerii",
            body="W programie oprowadzania kuratorskie i warsztaty dla rodzin.",
            is_public=True,
        ),
    ]
    db.session.add_all(posts)


def load_demo_data(today: date | None = None) -> dict[str, int]:
    """Add the demo accounts, volunteers and needs on top of the reference data."""
    summary = load_reference_data()
    rng = random.Random(2022_10_26)  # the coalition's founding day: same demo every time
    today = today or today_in_warsaw()
    password_hash = hash_password(DEMO_PASSWORD)
    institutions = {i.slug: i for i in db.session.scalars(select(Institution))}
    skills = {s.code: s for s in db.session.scalars(select(Skill))}

    coordinator, _ = _user(
        "koordynator@example.org", "Katarzyna", "Koordynacka", Role.COORDINATOR, password_hash
    )
    admin, _ = _user("admin@example.org", "Adam", "Administracki", Role.ADMIN, password_hash)
    staff, created = _user(
        "instytucja@example.org", "Joanna", "Galeryjna", Role.STAFF, password_hash
    )
    if created:
        staff.memberships.append(
            StaffMembership(institution=institutions["gsw"], position="Koordynatorka wolontariatu")
        )
        db.session.flush()
        institutions["gsw"].volunteer_coordinator_id = staff.id

    volunteer, created = _user(
        "wolontariusz@example.org", "Wiktor", "Wolontaryjski", Role.VOLUNTEER, password_hash
    )
    if created:
        volunteer.profile = VolunteerProfile(
            date_of_birth=date(2001, 5, 14),
            phone="+48 600 100 200",
            city="Opole",
            bio="Studiuję historię, lubię fotografować i pokazywać ludziom Opole.",
            languages="polski, angielski, niemiecki (podstawy)",
            interests="historia regionu, fotografia, teatr",
            max_hours_month=24,
            is_korpus=True,
        )
        for code, level in (
            ("photography", 2),
            ("guiding_tours", 2),
            ("lang_english", 2),
            ("event_setup", 1),
            ("digitisation", 1),
        ):
            volunteer.profile.skills.append(VolunteerSkill(skill=skills[code], level=level))
        for weekday, start, end in ((1, 9, 17), (3, 12, 20), (5, 8, 18), (6, 9, 15)):
            volunteer.profile.availability.append(
                AvailabilityWindow(weekday=weekday, start_time=time(start), end_time=time(end))
            )

    added_volunteers = 0
    skill_codes = sorted(skills)
    for n in range(1, DEMO_VOLUNTEERS + 1):
        email = f"wolontariusz{n:02d}@example.org"
        is_female = n % 2 == 0
        first = rng.choice(FIRST_NAMES_F if is_female else FIRST_NAMES_M)
        last = rng.choice(LAST_NAMES)[1 if is_female else 0]
        age = rng.choice([16, 17, 19, 20, 21, 22, 23, 25, 28, 34, 41, 52, 63, 67, 70])
        interests = rng.sample(INTERESTS, 3)
        chosen = rng.sample(skill_codes, rng.randint(2, 5))
        windows = sorted(rng.sample(range(7), rng.randint(2, 4)))
        bio = rng.choice(BIOS)
        user, created = _user(email, first, last, Role.VOLUNTEER, password_hash)
        if not created:
            continue
        added_volunteers += 1
        guardian = {}
        if age < 18:
            guardian = {
                "guardian_name": f"{rng.choice(FIRST_NAMES_F)} {last}",
                "guardian_email": f"opiekun{n:02d}@example.org",
                "guardian_requested_at": utcnow(),
                "guardian_consent_at": utcnow() if n % 3 else None,
            }
        user.profile = VolunteerProfile(
            **guardian,
            date_of_birth=date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
            phone=f"+48 5{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            city=rng.choice(CITIES),
            bio=bio,
            languages="polski",
            interests=", ".join(interests),
            max_hours_month=rng.choice([8, 12, 16, 20, 30]),
            is_korpus=rng.random() < 0.3,
        )
        for code in chosen:
            user.profile.skills.append(VolunteerSkill(skill=skills[code], level=rng.randint(1, 3)))
        for weekday in windows:
            start = rng.choice([8, 9, 10, 12, 14, 16])
            user.profile.availability.append(
                AvailabilityWindow(
                    weekday=weekday,
                    start_time=time(start),
                    end_time=time(min(start + rng.choice([4, 6, 8]), 23)),
                )
            )

    added_needs = 0
    existing_titles = set(db.session.scalars(select(Need.title)))
    for spec in NEEDS:
        if spec["title"] in existing_titles:
            continue
        institution = institutions[spec["inst"]]
        weekday, start_h, end_h, weeks, places = spec["pattern"]
        need = published_need(
            spec,
            institution,
            works_with_children=spec.get("children", False),
            is_accessible=spec.get("accessible", True),
            offers_training=spec["kind"] in ("long_term", "training"),
            created_by_id=staff.id if institution.slug == "gsw" else None,
            published_at=utcnow(),
        )
        first_day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
        for week in range(weeks):
            day = first_day + timedelta(weeks=week)
            need.shifts.append(
                Shift(starts_at=_local(day, start_h), ends_at=_local(day, end_h), places=places)
            )
        for code, level, required in spec["skills"]:
            need.skills.append(NeedSkill(skill=skills[code], min_level=level, is_required=required))
        db.session.add(need)
        added_needs += 1
    db.session.flush()
    _demo_consents_and_checks(coordinator)
    for need in db.session.scalars(select(Need).where(Need.search_text == "")):
        refresh_search_text(need)
    _demo_requests(institutions)
    _demo_applications(volunteer)
    _demo_hours(volunteer, coordinator, today)
    # A joint event: the first-aid training is co-hosted by the NGO centre.
    training = db.session.scalar(select(Need).where(Need.kind == NeedKind.TRAINING))
    if training is not None and not training.cohosts:
        training.cohosts.append(institutions["ocwip"])
    _demo_news(institutions, staff)
    history = load_history(today, password_hash)
    history["qualification_records_added"] = load_demo_qualifications(today, coordinator)
    db.session.commit()
    return {
        **summary,
        "volunteers_added": added_volunteers,
        "needs_added": added_needs,
        **history,
    }
