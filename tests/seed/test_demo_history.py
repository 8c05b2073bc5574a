"""The demo shows a coalition that has lived a year: `make run` seeds it, and the coordinator's
reports, the Korpus Solidarności pages and the exchange matrix have real figures in them, while
the demo staff account finds past shifts waiting for its confirmation. The year follows the
app's rules, so the demo never shows what the app itself would refuse."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.core.time import WARSAW
from app.core.time import today_in_warsaw
from app.core.time import utcnow
from app.extensions import db
from app.models import COUNTED_IN_PLACES
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import ChildProtectionCheck
from app.models import Document
from app.models import DocumentKind
from app.models import Need
from app.models import Shift
from app.models import User
from app.models import VolunteerProfile
from app.models.hours import HoursEntry
from app.models.hours import HoursStatus
from app.seed.demo import DEMO_PASSWORD
from app.seed.demo import load_demo_data
from app.services import korpus

pytestmark = pytest.mark.clock


@pytest.fixture
def demo(app):
    with app.app_context():
        first = load_demo_data()
        again = load_demo_data()
    return first, again


def sign_in(app, email):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, email
    return client


def number(pattern: str, page: str) -> list[int]:
    found = re.search(pattern, page)
    assert found, pattern
    return [int(g) for g in found.groups()]


def a_second_seed_adds_no_second_year(app, demo):
    first, again = demo
    assert first["history_shifts_added"] > 200
    assert first["hours_confirmed"] > 200
    assert first["no_shows"] > 0
    assert first["shifts_to_confirm"] > 0
    assert first["documents_issued"] > 10
    assert set(again.values()) == {0}
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Document))
            == (first["documents_issued"])
        )


def the_coordinator_reads_a_year_of_hours_and_volunteers_shared_between_institutions(app):
    client = sign_in(app, "koordynator@example.org")
    page = client.get("/reports/").get_data(as_text=True)

    volunteers, shared = number(
        r"Wolontariusze z potwierdzonymi godzinami: (\d+), w tym w więcej niż jednej instytucji: (\d+)",
        page,
    )
    assert volunteers >= 30
    assert shared >= 10
    matrix = page.split('class="report-table matrix"')[1].split("</table>")[0]
    cells = [int(c) for c in re.findall(r"<td>(\d+)</td>", matrix)]
    assert sum(1 for c in cells if c > 0) >= 10, "the exchange matrix shows flows"

    hours_table = page.split('id="hours-table-caption"')[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>', hours_table.split("<tfoot>")[0])
    assert len(rows) >= 12, "most of the sixteen institutions have confirmed hours"
    with app.app_context():
        days = db.session.scalars(
            select(HoursEntry.worked_on).where(HoursEntry.status == HoursStatus.CONFIRMED)
        ).all()
    since = today_in_warsaw() - timedelta(days=330)
    months_with_hours = len({(d.year, d.month) for d in days if d >= since})
    assert months_with_hours >= 11, "hours in every month of the last year"


def korpus_solidarnosci_participants_are_at_different_stages(app):
    today = today_in_warsaw()
    last_month = korpus.previous_month(today.year, today.month)
    client = sign_in(app, "koordynator@example.org")
    page = client.get(f"/hours/korpus?month={last_month[0]:04d}-{last_month[1]:02d}").get_data(
        as_text=True
    )
    met, everyone = number(r"Próg osiągnęło: (\d+) z (\d+) uczestników", page)
    assert met >= 3
    assert everyone > met, "some participants fall short of the threshold"

    with app.app_context():
        people = db.session.scalars(
            select(User).join(VolunteerProfile).where(VolunteerProfile.is_korpus.is_(True))
        ).all()
        streaks = sorted(korpus.progress(u, today).streak for u in people)
    assert streaks[-1] >= 10, "someone has kept the threshold for most of a year"
    assert len({s for s in streaks if s}) >= 3, "streaks of different lengths"
    assert 0 in streaks, "and people who have not met it lately"


def test_the_demo_staff_account_has_past_shifts_to_confirm_and_confirms_one(app, demo, factory):
    client = sign_in(app, "instytucja@example.org")
    page = client.get("/hours/pending").get_data(as_text=True)
    assert "Żadna zmiana nie czeka na potwierdzenie." not in page
    shift_ids = [int(i) for i in re.findall(r'href="/hours/shifts/(\d+)"', page)]
    assert shift_ids

    shift = db.session.get_one(Shift, shift_ids[0])
    assert shift.starts_at < utcnow()
    assert shift.need.institution.slug == "gsw"
    waiting = db.session.scalar(
        select(func.count()).where(
            Assignment.shift_id == shift.id, Assignment.status == AssignmentStatus.ACCEPTED
        )
    )
    response = client.post(f"/hours/shifts/{shift_ids[0]}/confirm", data={"hours": "4"})
    assert response.status_code in (302, 303)
    confirmed = factory.scalar(
        select(func.count())
        .select_from(HoursEntry)
        .join(Assignment, Assignment.id == HoursEntry.assignment_id)
        .where(Assignment.shift_id == shift_ids[0], HoursEntry.status == HoursStatus.CONFIRMED)
    )
    assert confirmed == waiting


def the_year_keeps_the_rules_of_places(app):
    """Capacity, one shift at a time, the guardian rule and child-protection checks held on
    every past place; agreements cover the engagements longer than thirty days."""
    with app.app_context():
        counted = dict(
            db.session.execute(
                select(Assignment.shift_id, func.count())
                .where(Assignment.status.in_(COUNTED_IN_PLACES))
                .group_by(Assignment.shift_id)
            ).all()
        )
        for shift in db.session.scalars(select(Shift)):
            assert shift.accepted_count <= shift.places
            assert shift.accepted_count == counted.get(shift.id, 0)

        held = db.session.execute(
            select(Assignment.volunteer_id, Shift.starts_at, Shift.ends_at)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Assignment.status.in_(COUNTED_IN_PLACES))
            .order_by(Assignment.volunteer_id, Shift.starts_at)
        ).all()
        for before, after in zip(held, held[1:], strict=False):
            if before.volunteer_id == after.volunteer_id:
                assert before.ends_at <= after.starts_at, "two shifts at once"

        checked = set(db.session.scalars(select(ChildProtectionCheck.user_id)))
        placed = db.session.execute(
            select(Assignment, Shift, Need, VolunteerProfile)
            .join(Shift, Shift.id == Assignment.shift_id)
            .join(Need, Need.id == Assignment.need_id)
            .join(VolunteerProfile, VolunteerProfile.user_id == Assignment.volunteer_id)
            .where(Assignment.status.in_(COUNTED_IN_PLACES))
        ).all()
        for _assignment, shift, need, profile in placed:
            day = shift.starts_at.astimezone(WARSAW).date()
            assert profile.may_be_placed_on(day)
            assert (profile.age_on(day) or 99) >= need.min_age
            if need.works_with_children:
                assert profile.user_id in checked

        agreements = db.session.scalars(
            select(Document).where(Document.kind == DocumentKind.AGREEMENT)
        ).all()
        assert len(agreements) >= 10
        assert sum(1 for d in agreements if d.signed_on is None) >= 1, "one still to sign"
        assert all(d.number.startswith("OKIK/POR/") for d in agreements)
        assert db.session.scalar(
            select(func.count()).where(Document.kind == DocumentKind.CERTIFICATE)
        )
        assert db.session.scalar(
            select(func.count()).where(Assignment.status == AssignmentStatus.NO_SHOW)
        )
        joint = db.session.scalars(select(Need).where(Need.cohosts.any())).all()
        assert sum(1 for n in joint if n.shifts and n.shifts[0].starts_at < utcnow()) >= 3


def test_the_demo_shows_a_coalition_that_has_lived_a_year(app, demo):
    """One seed for the coordinator's whole tour (seeding is the slow part)."""
    a_second_seed_adds_no_second_year(app, demo)
    the_coordinator_reads_a_year_of_hours_and_volunteers_shared_between_institutions(app)
    korpus_solidarnosci_participants_are_at_different_stages(app)
    the_year_keeps_the_rules_of_places(app)
