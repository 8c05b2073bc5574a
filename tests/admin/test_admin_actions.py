"""Administrators change the skill taxonomy and accounts, and clear the outbox: each change with
its audit entry, and each mistake refused at its field with nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.models import OutboxMessage
from app.models import OutboxStatus
from app.models import Role
from app.models import Skill
from app.models import SkillGroup
from app.models import User
from app.models import UserSession
from app.models import VolunteerSkill
from tests.factories import PASSWORD


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN, first_name="Adam", last_name="Admin")


@pytest.fixture
def admin_client(app, admin):
    return signed_in(app, admin.email)


@pytest.fixture
def taxonomy(app, factory):
    factory.reference_data()
    group = db.session.scalars(select(SkillGroup).order_by(SkillGroup.position)).first()
    skill = group.skills[0]
    return {"group": group.id, "skill": skill.id, "name": skill.name_pl}


def audit_kinds(app) -> list[str]:
    """What the log recorded, in order, leaving out sign-ins."""
    with app.app_context():
        kinds = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id))
        return [k for k in kinds if k != "user.logged_in"]


def skill_count(app) -> int:
    return db.session.scalar(select(func.count()).select_from(Skill)) or 0


def error_at(page: str, field: str) -> str:
    """The text of the error shown under a field."""
    marker = f'id="{field}-error">'
    assert marker in page, f"no error at {field}"
    return page.split(marker, 1)[1].split("</p>", 1)[0]


# --- skills --------------------------------------------------------------------------------------


def test_an_administrator_adds_a_skill_and_volunteers_are_offered_it(
    app, factory, admin_client, taxonomy
):
    response = admin_client.post(
        "/admin/skills/new",
        data={"group": taxonomy["group"], "name_pl": "Kaligrafia", "name_en": "Calligraphy"},
    )
    assert response.status_code == 303
    assert "Kaligrafia" in admin_client.get("/admin/skills").get_data(as_text=True)
    volunteer = signed_in(app, factory.user().email)
    assert "Kaligrafia" in volunteer.get("/me/skills").get_data(as_text=True)
    assert audit_kinds(app)[-1] == "skill.added"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name_pl": "", "name_en": "Calligraphy"}, "name_pl", "To pole jest wymagane."),
        ({"name_pl": "K" * 121, "name_en": "Calligraphy"}, "name_pl", "Najwyżej 120 znaków."),
        ({"name_pl": "Kaligrafia", "name_en": ""}, "name_en", "To pole jest wymagane."),
        ({"group": "abc"}, "group", "Nieprawidłowy wybór"),
        ({"group": "999999"}, "group", "Nieprawidłowy wybór"),
    ],
)
def test_a_new_skill_with_bad_input_is_refused_at_its_field(
    app, admin_client, taxonomy, form, field, message
):
    before = skill_count(app)
    data = {"group": taxonomy["group"], "name_pl": "Kaligrafia", "name_en": "Calligraphy", **form}
    response = admin_client.post("/admin/skills/new", data=data)
    assert response.status_code == 422
    assert message in error_at(response.get_data(as_text=True), field)
    assert skill_count(app) == before


def test_a_skill_named_like_one_in_the_taxonomy_is_refused_whatever_the_letters(
    app, admin_client, taxonomy
):
    before = skill_count(app)
    same = taxonomy["name"].upper()
    response = admin_client.post(
        "/admin/skills/new", data={"group": taxonomy["group"], "name_pl": same, "name_en": "X"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Umiejętność o tej nazwie już jest w słowniku." in error_at(page, "name_pl")
    assert skill_count(app) == before


def test_an_administrator_renames_a_skill_and_a_clash_keeps_the_old_name(
    app, admin_client, taxonomy
):
    url = f"/admin/skills/{taxonomy['skill']}"
    with app.app_context():
        other = db.session.scalars(select(Skill).where(Skill.id != taxonomy["skill"])).first()
        other_name = other.name_pl
    response = admin_client.post(url, data={"name_pl": other_name, "name_en": "Guiding"})
    assert response.status_code == 422
    assert "już jest w słowniku" in error_at(response.get_data(as_text=True), "name_pl")
    response = admin_client.post(url, data={"name_pl": "", "name_en": "Guiding"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Skill, taxonomy["skill"]).name_pl == taxonomy["name"]
    response = admin_client.post(url, data={"name_pl": "Oprowadzanie gości", "name_en": "Guiding"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Skill, taxonomy["skill"]).name_pl == "Oprowadzanie gości"
    assert audit_kinds(app)[-1] == "skill.renamed"


def test_a_retired_skill_stays_with_volunteers_but_no_form_offers_it(
    app, factory, admin_client, taxonomy
):
    person = factory.user()
    db.session.add(VolunteerSkill(user_id=person.id, skill_id=taxonomy["skill"], level=2))
    db.session.commit()
    field = f'name="skill_{taxonomy["skill"]}"'
    volunteer = signed_in(app, person.email)
    assert field in volunteer.get("/me/skills").get_data(as_text=True)

    assert admin_client.post(f"/admin/skills/{taxonomy['skill']}/retire").status_code == 303
    assert "wycofana" in admin_client.get("/admin/skills").get_data(as_text=True)
    assert field not in volunteer.get("/me/skills").get_data(as_text=True)
    # Saving the form, which no longer shows the skill, keeps it on the volunteer's record.
    assert volunteer.post("/me/skills", data={}).status_code in (302, 303)
    kept = factory.scalars(select(VolunteerSkill).where(VolunteerSkill.user_id == person.id))
    assert [s.skill_id for s in kept] == [taxonomy["skill"]]
    staff = signed_in(app, factory.user(Role.STAFF, institution=factory.institution()).email)
    assert taxonomy["name"] not in staff.get("/needs").get_data(as_text=True)

    # A second press says it was already retired; restoring offers it again.
    assert admin_client.post(f"/admin/skills/{taxonomy['skill']}/retire").status_code == 303
    assert admin_client.post(f"/admin/skills/{taxonomy['skill']}/restore").status_code == 303
    assert field in volunteer.get("/me/skills").get_data(as_text=True)
    assert [k for k in audit_kinds(app) if k.startswith("skill.")] == [
        "skill.retired",
        "skill.restored",
    ]


# --- accounts ------------------------------------------------------------------------------------


def test_a_switched_off_account_is_signed_out_and_told_why_at_sign_in(app, factory, admin_client):
    person = factory.user(first_name="Anna", last_name="Nowak")
    browser = signed_in(app, person.email)
    assert browser.get("/account/").status_code == 200

    assert admin_client.post(f"/admin/users/{person.id}/deactivate").status_code == 303
    assert browser.get("/account/").status_code == 302  # the sign-in ended
    assert factory.scalar(select(func.count()).where(UserSession.user_id == person.id)) == 0
    response = app.test_client().post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "To konto zostało wyłączone przez administratora" in error_at(
        response.get_data(as_text=True), "email"
    )
    # The wrong password still says only that the password is wrong.
    response = app.test_client().post("/login", data={"email": person.email, "password": "zle"})
    assert "wyłączone" not in response.get_data(as_text=True)

    assert admin_client.post(f"/admin/users/{person.id}/reactivate").status_code == 303
    signed_in(app, person.email)
    assert audit_kinds(app)[-2:] == ["user.deactivated", "user.reactivated"]


def test_an_administrator_cannot_switch_off_their_own_account(app, admin, admin_client):
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 409
    assert "Nie możesz wyłączyć własnego konta." in response.get_data(as_text=True)
    assert admin_client.get("/admin/users").status_code == 200
    assert "user.deactivated" not in audit_kinds(app)


def test_a_role_change_is_audited_with_the_old_and_new_role(app, factory, admin_client):
    person = factory.user()
    response = admin_client.post(f"/admin/users/{person.id}/role", data={"role": "coordinator"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, person.id).role == Role.COORDINATOR
        entry = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert entry.action == "user.role_changed"
        assert entry.details == {"old": "volunteer", "new": "coordinator"}


@pytest.mark.parametrize("role", ["", "superuser", "ADMIN"])
def test_a_role_that_does_not_exist_is_refused_at_the_field(app, factory, admin_client, role):
    person = factory.user()
    response = admin_client.post(f"/admin/users/{person.id}/role", data={"role": role})
    assert response.status_code == 422
    assert error_at(response.get_data(as_text=True), "role")
    assert factory.get(User, person.id).role == Role.VOLUNTEER


def test_the_last_administrator_keeps_their_role_until_someone_else_has_it(
    app, factory, admin, admin_client
):
    response = admin_client.post(f"/admin/users/{admin.id}/role", data={"role": "coordinator"})
    assert response.status_code == 422
    assert "Jesteś jedyną osobą z rolą administratora" in error_at(
        response.get_data(as_text=True), "role"
    )
    assert factory.get(User, admin.id).role == Role.ADMIN
    other = factory.user()
    assert (
        admin_client.post(f"/admin/users/{other.id}/role", data={"role": "admin"}).status_code
        == 303
    )
    assert (
        admin_client.post(f"/admin/users/{admin.id}/role", data={"role": "coordinator"}).status_code
        == 303
    )
    assert factory.get(User, admin.id).role == Role.COORDINATOR


def test_a_confirmation_link_is_sent_again_only_to_an_unconfirmed_account(
    app, factory, admin_client
):
    waiting = factory.user(confirmed=False)
    confirmed = factory.user()
    assert admin_client.post(f"/admin/users/{waiting.id}/resend-confirmation").status_code == 303
    response = admin_client.post(f"/admin/users/{confirmed.id}/resend-confirmation")
    assert response.status_code == 409
    assert "ma już potwierdzony adres e-mail" in response.get_data(as_text=True)
    to = factory.scalars(select(OutboxMessage.to_address))
    assert to == [waiting.email]
    assert audit_kinds(app)[-1] == "user.confirmation_resent"


# --- the outbox ----------------------------------------------------------------------------------


def message(app, status: OutboxStatus) -> int:
    row = OutboxMessage(
        dedup_key=f"test:{status}",
        to_address="ktos@example.org",
        kind="account",
        subject="Potwierdź adres",
        body_text="treść",
        body_html="<p>treść</p>",
        status=status,
        attempts=5 if status == OutboxStatus.FAILED else 0,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def status_of(app, message_id: int) -> OutboxStatus:
    return db.session.get(OutboxMessage, message_id).status


def test_an_administrator_cancels_a_failed_e_mail_and_can_send_it_after_all(app, admin_client):
    failed = message(app, OutboxStatus.FAILED)
    assert "Anuluj wysyłkę" in admin_client.get("/admin/outbox").get_data(as_text=True)
    assert admin_client.post(f"/admin/outbox/{failed}/cancel").status_code == 303
    assert status_of(app, failed) == OutboxStatus.CANCELLED
    assert admin_client.post(f"/admin/outbox/{failed}/retry").status_code == 303
    assert status_of(app, failed) == OutboxStatus.PENDING
    assert audit_kinds(app)[-2:] == ["outbox.cancelled", "outbox.retry"]


@pytest.mark.parametrize("status", [OutboxStatus.SENT, OutboxStatus.SENDING])
def test_an_e_mail_sent_or_in_flight_cannot_be_cancelled(app, admin_client, status):
    sent = message(app, status)
    response = admin_client.post(f"/admin/outbox/{sent}/cancel", follow_redirects=True)
    assert "Tej wiadomości nie można już anulować" in response.get_data(as_text=True)
    assert status_of(app, sent) == status
    response = admin_client.post(f"/admin/outbox/{sent}/retry", follow_redirects=True)
    assert "można ponowić tylko" in response.get_data(as_text=True)
    assert status_of(app, sent) == status
    assert not [k for k in audit_kinds(app) if k.startswith("outbox.")]


def test_a_need_edited_after_its_skill_was_retired_keeps_that_skill(app, factory, admin, taxonomy):
    """The edit form no longer shows a retired skill, so leaving it out removes nothing."""
    from app.admin import operations
    from app.models import Need
    from app.models import NeedSkill
    from app.services.needs import update_need

    museum = factory.institution()
    need = factory.need(museum)
    other = db.session.scalars(select(Skill).where(Skill.id != taxonomy["skill"])).first()
    db.session.add_all(
        [
            NeedSkill(need_id=need.id, skill_id=taxonomy["skill"], min_level=2),
            NeedSkill(need_id=need.id, skill_id=other.id, min_level=1),
        ]
    )
    db.session.commit()
    operations.retire_skill(
        db.session.get(User, admin.id), db.session.get(Skill, taxonomy["skill"])
    )
    db.session.commit()
    item = db.session.get(Need, need.id)
    update_need(item, db.session.get(User, admin.id), {}, skills=[])
    db.session.commit()
    assert [s.skill_id for s in db.session.get(Need, need.id).skills] == [taxonomy["skill"]]
