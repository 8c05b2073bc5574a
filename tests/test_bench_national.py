"""The national benchmark data is data a matching run can use.

A benchmark whose volunteers a run cannot propose measures an empty run: this loads a small
coalition with `bench.national` (the same code as the national scale, fewer rows) into a database
of its own, runs the app's coalition-wide matching on it and checks that the run considered the
volunteers the data says may be proposed, nearly all of them, and none of those left out on
purpose (address unconfirmed, consent withdrawn, guardian not yet answered).
"""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import Role
from app.models import User
from app.services.matching_run import Scope
from app.services.matching_run import execute_run
from app.services.matching_run import start_run
from bench import national
from config import TestConfig

pytestmark = pytest.mark.postgres

VOLUNTEERS = 400


@pytest.fixture(scope="module")
def national_url():
    """A database of its own (`bench.national` drops and creates it), dropped at the end."""
    suite = make_url(os.environ["TEST_DATABASE_URL"])
    name = os.environ.get("OKIK_NATIONAL_TEST_DB", f"{suite.database}_national")
    url = suite.set(database=name).render_as_string(hide_password=False)
    yield url
    admin = suite.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_coalition_wide_run_considers_the_volunteers_who_may_be_proposed(national_url):
    world = national.load(
        national_url,
        volunteers=VOLUNTEERS,
        institutions=20,
        needs=80,
        past_assignments=4000,
        finished_run=False,
    )
    assert world.run_id is None
    assert 0.95 * VOLUNTEERS <= world.considered_volunteers < VOLUNTEERS

    config = type("NationalConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": national_url})
    app = create_app(config)
    try:
        with app.app_context():
            coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
            run = execute_run(start_run(coordinator, Scope()))
            assert run.status == "done"
            assert run.stats["volunteers"] == world.considered_volunteers
            assert run.stats["places"] > 0
            assert run.stats["proposals"] > 0
            assert run.stats["needs_with_proposal"] > 0
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    with psycopg.connect(national._psycopg_url(national_url)) as conn:
        left_out = conn.execute(
            """
            SELECT count(*) FROM assignment a
            JOIN "user" u ON u.id = a.volunteer_id
            JOIN volunteer_profile p ON p.user_id = u.id
            WHERE a.status = 'proposed'
              AND (u.email_confirmed_at IS NULL
                   OR p.guardian_email <> '' AND p.guardian_consent_at IS NULL
                   OR (SELECT c.granted FROM consent c
                       WHERE c.user_id = u.id AND c.kind = 'data_processing'
                       ORDER BY c.id DESC LIMIT 1) IS NOT TRUE)
            """
        ).fetchone()[0]
        kinds = dict(
            conn.execute(
                "SELECT kind, count(DISTINCT user_id) FROM consent GROUP BY kind"
            ).fetchall()
        )
        checked = conn.execute(
            "SELECT count(DISTINCT user_id) FROM child_protection_check"
        ).fetchone()[0]
        declined = conn.execute(
            "SELECT count(*) FROM assignment WHERE status IN ('declined', 'expired')"
        ).fetchone()[0]
    assert left_out == 0
    assert kinds["data_processing"] == VOLUNTEERS
    assert kinds["guardian"] > 0
    assert 0 < checked < VOLUNTEERS
    assert declined > 0
