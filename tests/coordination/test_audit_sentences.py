"""The audit log reads as sentences: every kind of entry the code writes has its words, names the
people and records it concerns with links, and never shows a code, a class name or an id; the
log is filtered by person, institution, kind and dates, and paged."""

from __future__ import annotations

import ast
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.labels import audit_kind_labels
from app.extensions import db
from app.models import AuditLog
from app.models import ChildProtectionCheck
from app.models import HoursEntry
from app.models import HoursSource
from app.models import OutboxMessage
from app.models import Role
from app.models import Skill
from app.models import User
from app.services.audit_texts import AuditNames
from app.services.audit_texts import _sentences
from app.services.audit_texts import sentence
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def kinds_written_by_the_code() -> set[str]:
    """Every kind passed to audit.record (or record) anywhere in app/, read from the source."""
    kinds: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(getattr(func, "value", None), "id", "audit")
            if name != "record" or owner != "audit":
                continue
            for part in ast.walk(node.args[1]):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    kinds.add(part.value)
    return kinds


def test_every_kind_the_code_writes_has_a_label_and_a_sentence():
    written = kinds_written_by_the_code()
    assert len(written) > 50  # the scan finds the calls
    assert sorted(written - audit_kind_labels().keys()) == []
    assert sorted(audit_kind_labels().keys() - _sentences().keys()) == []
    assert sorted(_sentences().keys() - audit_kind_labels().keys()) == []


@pytest.fixture
def world(app, factory):
    """One of each record the log names, at Muzeum Śląska Opolskiego on 12 December 2026."""
    factory.reference_data()
    museum = factory.institution("Muzeum Testowe Opolskie", slug="muzeum-testowe")
    anna = factory.user(first_name="Anna", last_name="Nowak")
    staff = factory.user(Role.STAFF, institution=museum, first_name="Ewa", last_name="Kos")
    coordinator = factory.user(Role.COORDINATOR, first_name="Olga", last_name="Lis")
    admin = factory.user(Role.ADMIN, first_name="Adam", last_name="Admin")
    start = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)  # 10:00 in Warsaw
    need = factory.need(museum, "Dyżur w galerii", start=start)
    assignment = factory.application(anna, need)
    run = factory.match_run(coordinator)
    staff_request = factory.staff_request(anna, museum)
    institution_request = factory.institution_request(anna, "Teatr Lalki Testowej")
    hours = HoursEntry(
        volunteer_id=anna.id,
        institution_id=museum.id,
        need_id=need.id,
        worked_on=date(2026, 12, 12),
        hours=4,
        source=HoursSource.SELF_LOG,
    )
    check = ChildProtectionCheck(
        user_id=anna.id,
        certificate_seen_on=date(2026, 12, 1),
        register_checked_on=date(2026, 12, 1),
        institution_id=museum.id,
    )
    message = OutboxMessage(
        dedup_key="test:1",
        to_address="anna@example.org",
        kind="account",
        subject="Potwierdź adres",
        body_text="x",
        body_html="x",
    )
    db.session.add_all([hours, check, message])
    db.session.commit()
    skill = db.session.scalars(select(Skill)).first()
    ids = {
        "User": anna.id,
        "Institution": museum.id,
        "Need": need.id,
        "Shift": need.shifts[0].id,
        "Assignment": assignment.id,
        "MatchRun": run.id,
        "StaffRequest": staff_request.id,
        "InstitutionRequest": institution_request.id,
        "HoursEntry": hours.id,
        "ChildProtectionCheck": check.id,
        "OutboxMessage": message.id,
        "Skill": skill.id,
    }
    return {
        "ids": ids,
        "anna": anna,
        "staff": staff,
        "coordinator": coordinator,
        "admin": admin,
        "museum": museum,
        "need": need,
        "skill_name": skill.name_pl,
    }


# The record each kind is written about, and the details the code writes with it.
OBJECT_OF = {
    "user": "User",
    "volunteer": "User",
    "consent": "User",
    "notifications": "User",
    "staff_request": "StaffRequest",
    "institution_request": "InstitutionRequest",
    "institution": "Institution",
    "need": "Need",
    "shift": "Shift",
    "application": "Assignment",
    "proposal": "Assignment",
    "offer": "Assignment",
    "assignment": "Assignment",
    "hours": "HoursEntry",
    "matching": "MatchRun",
    "child_protection_check": "ChildProtectionCheck",
    "skill": "Skill",
    "outbox": "OutboxMessage",
    "shift_message": "Need",
    "shift_feedback": "Assignment",
    "qualification": "Need",
    "invitation": "Assignment",
    "news": "User",
    "suggestions": "User",
    "waitlist": "Shift",
}
# Kinds written about another record than the rest of their family.
OBJECT_OF_KIND = {"waitlist.offered": "Assignment"}


def details_for(kind: str, w) -> dict:
    ids = w["ids"]
    return {
        "user.role_changed": {"old": "volunteer", "new": "coordinator"},
        "volunteer.birth_date_changed": {
            "old": None,
            "new": "2010-01-01",
            "needs_confirmation": True,
        },
        "consent.granted": {"kind": "image"},
        "consent.withdrawn": {"kind": "newsletter"},
        "notifications.unsubscribed": {"kind": "offer"},
        "staff_request.approved": {"user_id": w["anna"].id, "institution_id": ids["Institution"]},
        "staff_request.rejected": {"user_id": w["anna"].id, "institution_id": ids["Institution"]},
        "institution_request.created": {"name": "Teatr Lalki Testowej"},
        "institution.volunteer_coordinator": {"old": None, "new": w["staff"].id},
        "institution.delegation": {"enabled": True},
        "need.created": {"institution_id": ids["Institution"], "shifts": 1},
        "need.shifts_added": {"count": 3},
        "application.created": {"shifts": [ids["Shift"]]},
        "hours.confirmed": {"hours": 4.0},
        "hours.corrected": {"old_hours": 4.0, "new_hours": 3.5},
        "hours.rejected": {"hours": 4.0, "reason": "pomyłka"},
        "matching.run": {"proposals": 5},
        "child_protection_check.recorded": {
            "volunteer_id": w["anna"].id,
            "institution_id": ids["Institution"],
        },
        "skill.renamed": {"old": "Stara nazwa", "new": w["skill_name"]},
    }.get(kind, {"need_id": w["need"].id})


def entry_for(kind: str, w) -> AuditLog:
    object_type = OBJECT_OF_KIND.get(kind) or OBJECT_OF[kind.split(".")[0]]
    if kind == "application.created":
        object_type = "Need"
    actor = w["anna"] if object_type in ("User", "Assignment") else w["coordinator"]
    return AuditLog(
        actor_id=None if kind in ("offer.expired", "volunteer.guardian_consented") else actor.id,
        action=kind,
        object_type=object_type,
        object_id=w["ids"][object_type],
        details=details_for(kind, w),
        created_at=datetime(2026, 12, 12, 12, 0, tzinfo=UTC),
    )


def text_of(markup) -> str:
    return re.sub(r"<[^>]+>", "", str(markup))


CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b|#\d|LocalProxy|None|\?|%\(")


@pytest.mark.parametrize("kind", sorted(audit_kind_labels()))
@pytest.mark.parametrize("viewer", ["coordinator", "admin"])
def test_each_kind_reads_as_a_sentence_without_codes(app, world, kind, viewer):
    with app.test_request_context():
        entry = entry_for(kind, world)
        db.session.add(entry)
        db.session.flush()
        reader = db.session.get(User, world[viewer].id)
        text = sentence(entry, AuditNames.load([entry], reader))
        words = text_of(text)
        assert not CODE.search(re.sub(r"\S+@\S+", "", words)), words
        assert words.endswith("."), words
        assert len(words.split()) >= 3, words
        if entry.actor_id is not None:
            assert words.startswith(("Anna Nowak", "Olga Lis")), words
        db.session.rollback()


def test_an_accepted_offer_names_the_person_the_day_the_need_and_the_institution(app, world):
    with app.test_request_context():
        entry = entry_for("offer.accepted", world)
        db.session.add(entry)
        db.session.flush()
        reader = db.session.get(User, world["coordinator"].id)
        text = str(sentence(entry, AuditNames.load([entry], reader)))
        db.session.rollback()
    assert text_of(text) == (
        "Anna Nowak przyjmuje ofertę na zmianę 12 grudnia 2026 "
        "(„Dyżur w galerii”, Muzeum Testowe Opolskie)."
    )
    assert f'href="/coordination/audit?person_id={world["anna"].id}"' in text
    assert f'href="/manage/needs/{world["need"].id}"' in text
    assert 'href="/institutions/muzeum-testowe"' in text


def test_a_name_with_markup_is_shown_as_text(app, factory, world):
    with app.test_request_context():
        anna = db.session.get(User, world["anna"].id)
        anna.first_name = "<b>Anna</b>"
        entry = entry_for("user.registered", world)
        db.session.add(entry)
        db.session.flush()
        text = str(sentence(entry, AuditNames.load([entry], anna)))
        db.session.rollback()
    assert "<b>" not in text and "&lt;b&gt;Anna&lt;/b&gt;" in text


# --- the page: filters and paging ----------------------------------------------------------------


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def add_entries(app, world, kinds_and_days: list[tuple[str, int]]) -> None:
    for kind, day in kinds_and_days:
        entry = entry_for(kind, world)
        entry.created_at = datetime(2026, 12, day, 11, 0, tzinfo=UTC)
        db.session.add(entry)
    db.session.commit()


def test_the_log_page_shows_sentences_and_filters_by_kind_person_institution_and_dates(
    app, factory, world
):
    other = factory.user(first_name="Piotr", last_name="Wiśniewski")
    add_entries(app, world, [("offer.accepted", 12), ("need.published", 10), ("skill.retired", 5)])
    db.session.add(
        AuditLog(
            actor_id=other.id,
            action="volunteer.profile_updated",
            object_type="User",
            object_id=other.id,
            details={},
            created_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
    )
    db.session.commit()
    client = signed_in(app, world["coordinator"].email)

    def shown(**args) -> str:
        response = client.get("/coordination/audit", query_string=args)
        assert response.status_code == 200
        return text_of(response.get_data(as_text=True))

    everything = shown()
    assert "Anna Nowak przyjmuje ofertę na zmianę 12 grudnia 2026" in everything
    assert "offer.accepted" not in everything and "Assignment" not in everything
    assert "przyjęcie oferty" in everything  # the kind, in words
    assert "Piotr Wiśniewski zmienia swój profil." in shown(kind="volunteer.profile_updated")
    assert "przyjmuje ofertę" not in shown(kind="volunteer.profile_updated")
    by_person = shown(person="wisniewski")
    assert "Piotr Wiśniewski" in by_person and "przyjmuje ofertę" not in by_person
    assert "przyjmuje ofertę" in shown(person_id=world["anna"].id)
    at_museum = shown(institution=world["museum"].id)
    assert "przyjmuje ofertę" in at_museum and "publikuje potrzebę" in at_museum
    assert "zmienia swój profil" not in at_museum
    days = shown(date_from="2026-12-09", date_to="2026-12-11")
    assert "publikuje potrzebę" in days and "przyjmuje ofertę" not in days


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"kind": "offer.nonsense"}, "kind", "Nieprawidłowy wybór"),
        ({"institution": "abc"}, "institution", "Nieprawidłowy wybór"),
        ({"date_from": "2026-13-45"}, "date_from", "Podaj poprawną datę."),
        ({"date_from": "1800-01-01"}, "date_from", "Podaj datę z lat 2000–2100."),
        (
            {"date_from": "2026-12-10", "date_to": "2026-12-01"},
            "date_to",
            "Data końcowa nie może być wcześniejsza niż początkowa.",
        ),
        ({"person": "x" * 101}, "person", "Najwyżej 100 znaków."),
    ],
)
def test_a_bad_filter_is_explained_at_its_field(app, world, args, field, message):
    client = signed_in(app, world["coordinator"].email)
    response = client.get("/coordination/audit", query_string=args)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]


def test_the_log_is_paged_and_the_pages_keep_the_filters(app, world):
    add_entries(app, world, [("need.published", 10)] * 55)
    client = signed_in(app, world["coordinator"].email)
    page = client.get("/coordination/audit", query_string={"kind": "need.published"})
    html = page.get_data(as_text=True)
    assert "55 zdarzeń" in html
    assert "kind=need.published" in html and "page=2" in html
    second = client.get("/coordination/audit", query_string={"kind": "need.published", "page": 2})
    assert text_of(second.get_data(as_text=True)).count("publikuje potrzebę") == 5


def test_an_entry_about_the_signed_in_person_names_the_user_not_the_proxy(app, factory):
    """Views pass `current_user`, a LocalProxy: the entry names the model behind it."""
    from werkzeug.local import LocalProxy

    from app.services import audit

    person = factory.user()
    with app.test_request_context():
        user = db.session.get(User, person.id)
        entry = audit.record(user, "volunteer.profile_updated", LocalProxy(lambda: user))
        assert (entry.object_type, entry.object_id) == ("User", person.id)
        with pytest.raises(Exception):  # noqa: B017 - anything but a record is refused
            audit.record(user, "volunteer.profile_updated", object())
        db.session.rollback()
