"""In the browser: a visitor filters the public calendar to the coalition's joint trainings."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from app.models import NeedKind
from tests.needs.test_needs_helpers import add_cohost

pytestmark = pytest.mark.e2e


def test_a_visitor_finds_joint_trainings_in_the_calendar(
    app, page: Page, factory, assert_accessible
):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO", slug="muzeum")
    library = factory.institution("Biblioteka Wojewódzka", short_name="WBP", slug="biblioteka")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    joint = factory.need(
        museum, "Pierwsza pomoc dla wolontariuszy", start=start, kind=NeedKind.TRAINING
    )
    add_cohost(app, joint, library)
    factory.need(museum, "Dyżur w galerii", start=start)

    page.goto(f"/calendar/week?date={start.date().isoformat()}")
    page.get_by_label("Rodzaj").select_option(label="Szkolenie dla wolontariuszy")
    page.get_by_role("button", name="Pokaż").click()
    item = page.get_by_role("listitem").filter(has_text="Pierwsza pomoc dla wolontariuszy")
    expect(item).to_contain_text("Szkolenie")
    expect(item).to_contain_text("Biblioteka Wojewódzka")
    expect(page.get_by_text("Dyżur w galerii")).to_have_count(0)
    expect(page.get_by_role("link", name="Subskrybuj kalendarz (iCal)")).to_have_attribute(
        "href", "/calendar/feed.ics?kind=training"
    )
    assert_accessible(page)
