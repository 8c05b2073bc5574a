"""The main pages send the same number of SQL statements when the data grows tenfold (no N+1)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from app.models import AssignmentStatus
from app.models import Role
from tests.factories import PASSWORD
from tests.needs.test_needs_helpers import count_queries


def grow(factory, museum, volunteer, run_id, count: int, offset: int) -> int:
    """Add `count` needs with two shifts each, an application and a proposal on each."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    last = 0
    for n in range(count):
        need = factory.need(
            museum,
            f"Potrzeba {offset + n}",
            shifts=2,
            start=start + timedelta(hours=5 * (offset + n)),
        )
        factory.application(volunteer, need)
        last = factory.application(
            factory.user(), need, shift_index=1, status=AssignmentStatus.PROPOSED, run_id=run_id
        ).id
    return need.id if count else last


def page_counts(app, pages: dict[str, tuple[str | None, str]]) -> dict[str, int]:
    counts = {}
    for name, (email, url) in pages.items():
        client = app.test_client()
        if email:
            client.post("/login", data={"email": email, "password": PASSWORD})
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(statements)
    return counts


def test_main_pages_do_not_send_more_queries_with_ten_times_the_data(app, factory):
    museum = factory.institution("Muzeum Liczników", slug="liczniki")
    volunteer = factory.user()
    coordinator = factory.user(Role.COORDINATOR)
    staff = factory.user(Role.STAFF, institution=museum)
    run = factory.match_run(coordinator)
    need_id = grow(factory, museum, volunteer, run.id, 3, 0)
    pages = {
        "needs_search": (None, "/needs/?q=potrzeba"),
        "need_page": (None, f"/needs/{need_id}"),
        "api_needs": (None, "/api/v1/needs"),
        "schedule": (volunteer.email, "/me/schedule"),
        "proposals": (coordinator.email, f"/proposals/runs/{run.id}"),
        "institution_needs": (staff.email, "/manage/institutions/liczniki"),
    }
    small = page_counts(app, pages)
    grow(factory, museum, volunteer, run.id, 27, 3)
    large = page_counts(app, pages)
    assert large == small
