"""The coordinator meets a run whose worker died, and starts it again, in a real browser."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import MatchRun
from app.models import Role
from app.services import matching_queue as queue
from tests.e2e.test_accounts_in_browser import sign_in

pytestmark = pytest.mark.e2e


def test_a_run_whose_worker_died_says_so_and_starts_again(
    page: Page, app, factory, assert_accessible
):
    museum = factory.institution("Muzeum Przerwane")
    factory.need(museum, "Dyżur w szatni")
    coordinator = factory.user(Role.COORDINATOR)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with app.app_context():
        run = MatchRun(
            created_by_id=coordinator.id,
            created_at=long_ago,
            params={"institution_ids": [museum.id], "date_from": None, "date_to": None},
            stages=[{"stage": "queued", "at": long_ago.isoformat()}],
        )
        db.session.add(run)
        db.session.commit()
        queue.claim_next("gone-host:1", long_ago)  # and it never beat again
        run_id, params = run.id, run.params

    sign_in(page, coordinator.email)
    page.goto(f"/proposals/runs/{run_id}")
    expect(page.get_by_role("alert")).to_contain_text(
        "Przebieg przerwany: proces wykonujący dopasowanie przestał odpowiadać."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Uruchom ponownie w tym samym zakresie").click()
    expect(page.get_by_role("main")).to_contain_text("gotowy")
    with app.app_context():
        again = db.session.scalar(select(MatchRun).where(MatchRun.id != run_id))
        assert (again.status, again.params) == ("done", params)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{again.id}")
