"""The pieces `make run` relies on: migrations, demo data, the scheduler, rate limits, CSRF, e-mail."""

from __future__ import annotations

import logging

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Institution
from app.models import Need
from app.models import NeedStatus
from app.models import Role
from app.models import Skill
from app.models import StaffMembership
from app.models import User
from app.seed.demo import load_demo_data
from app.services.mail import send_email
from config import ProductionConfig
from tests.factories import PASSWORD


def test_demo_data_loads_the_coalition_and_can_run_twice(app):
    with app.app_context():
        first = load_demo_data()
        second = load_demo_data()
        assert first["institutions_added"] == 16
        assert first["volunteers_added"] >= 60
        assert first["needs_added"] >= 25
        assert set(second.values()) == {0}

        founders = db.session.scalars(
            select(Institution.short_name).where(Institution.is_founder)
        ).all()
        assert len(founders) == 5
        assert db.session.scalar(select(func.count()).select_from(Skill)) >= 30
        assert (
            db.session.scalar(
                select(func.count()).select_from(Need).where(Need.status == NeedStatus.PUBLISHED)
            )
            >= 25
        )
        assert len({n.institution_id for n in db.session.scalars(select(Need))}) >= 10

        roles = {
            u.email: u.role
            for u in db.session.scalars(select(User).where(User.email.like("%@example.org")))
        }
        assert roles["koordynator@example.org"] == Role.COORDINATOR
        assert roles["admin@example.org"] == Role.ADMIN
        assert roles["wolontariusz@example.org"] == Role.VOLUNTEER
        assert roles["instytucja@example.org"] == Role.STAFF
        membership = db.session.scalar(
            select(StaffMembership).join(User).where(User.email == "instytucja@example.org")
        )
        assert membership.institution.name == "Galeria Sztuki Współczesnej w Opolu"


@pytest.mark.parametrize(
    ("email", "nav_item"),
    [
        ("wolontariusz@example.org", "Moje konto"),
        ("instytucja@example.org", "Moja instytucja: GSW"),
        ("koordynator@example.org", "Wnioski"),
        ("admin@example.org", "Użytkownicy"),
    ],
)
def test_each_demo_account_signs_in_and_sees_its_navigation(app, client, email, nav_item):
    with app.app_context():
        load_demo_data()
    response = client.post("/login", data={"email": email, "password": "okik-demo"})
    assert response.status_code == 302
    nav = (
        client.get("/")
        .get_data(as_text=True)
        .split('aria-label="Menu główne"')[1]
        .split("</nav>")[0]
    )
    assert nav_item in nav


def test_seed_demo_command(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "volunteers_added" in result.output


def test_rate_limit_on_login_answers_429_in_polish(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [
        client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [422, 422, 422]
    assert codes[3] == 429
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert "Zbyt wiele prób" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]
    assert client.get("/login").status_code == 200  # reading the form is never limited


@pytest.mark.parametrize(
    ("url", "setting"),
    [("/register", "REGISTER_RATE_LIMIT"), ("/reset", "RESET_RATE_LIMIT")],
)
def test_rate_limits_on_registration_and_reset(make_app, url, setting):
    app = make_app(RATELIMIT_ENABLED=True, **{setting: "2 per minute"})
    client = app.test_client()
    codes = [client.post(url, data={}).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_forms_without_csrf_token_are_refused(make_app, factory):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = factory.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Nieprawidłowe żądanie" in response.get_data(as_text=True)
    assert client.post("/language", data={"language": "en"}).status_code == 400


def test_email_goes_to_the_log_when_no_smtp_server_is_set(make_app, smtp_server, caplog):
    app = make_app(MAIL_SERVER=None)
    with app.test_request_context(), caplog.at_level(logging.INFO, logger="app.services.mail"):
        send_email(
            "ktos@example.org",
            "Temat",
            "confirm_email",
            user=User(first_name="Ola"),
            confirm_url="http://x/confirm/abc",
        )
        db.session.commit()
        from app.services.mail import deliver_due

        assert deliver_due()["sent"] == 1
    assert "http://x/confirm/abc" in caplog.text
    assert smtp_server[0]._messages == []


def test_email_is_sent_over_smtp_one_recipient_per_message(app, mailbox):
    with app.test_request_context():
        send_email(
            "a@example.org",
            "Temat",
            "confirm_email",
            locale="en",
            user=User(first_name="Ola"),
            confirm_url="u",
        )
        db.session.commit()
    msg = mailbox.wait_for("a@example.org")[0]
    assert mailbox.envelopes[0].rcpt_tos == ["a@example.org"]
    assert msg["Message-ID"] and msg["Date"]
    assert "Hello" in mailbox.text_of(msg)


def test_scheduler_is_built_with_a_database_job_store(app):
    from app.scheduling.jobs import register_jobs
    from app.scheduling.scheduler import build_scheduler

    scheduler = build_scheduler(app)
    register_jobs(scheduler)
    assert "default" in scheduler._jobstores
    assert isinstance(scheduler._jobstores["default"], SQLAlchemyJobStore)


def test_every_response_carries_a_request_id_and_logs_show_it(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert (
        client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"]
        == "lb-1234abcd"
    )
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert forged != "<script>"


def test_json_log_lines_hold_the_request_id():
    import json as jsonlib

    from app.core.logging import JsonFormatter

    record = logging.LogRecord("app", logging.INFO, __file__, 1, "Zażółć %s", ("gęślą",), None)
    record.request_id = "abc12345"
    line = jsonlib.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc12345" and line["message"] == "Zażółć gęślą"


def test_production_shares_rate_limits_through_redis(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    in_memory = type(
        "InMemoryProduction", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    app = create_app(in_memory)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.test_client().get("/healthz").headers["Strict-Transport-Security"]
