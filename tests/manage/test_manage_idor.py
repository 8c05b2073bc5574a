"""Staff of one institution cannot read or change another institution's needs, shifts or applicants,
even with a complete, valid form and the right ids (no insecure direct object references)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import ChildProtectionCheck
from app.models import Institution
from app.models import Need
from app.models import NeedStatus
from app.models import Role
from app.models import Shift
from app.models.base import utcnow


@pytest.fixture
def two_institutions(factory):
    a = factory.institution("Muzeum A", slug="muzeum-a")
    b = factory.institution("Teatr B", slug="teatr-b")
    staff_a = factory.user(Role.STAFF, institution=a)
    staff_b = factory.user(Role.STAFF, institution=b)
    need_b = factory.need(b, "Obsługa widowni B", places=2)
    draft_b = factory.need(b, "Szkic B", status=NeedStatus.DRAFT)
    person = factory.user(first_name="Weronika")
    application_b = factory.application(person, need_b)
    return {
        "a": a,
        "b": b,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "need_b": need_b,
        "draft_b": draft_b,
        "person": person,
        "application_b": application_b,
    }


def full_forms(w) -> list[tuple[str, str, dict]]:
    day = (utcnow() + timedelta(days=10)).date().isoformat()
    shift = {"day": day, "start_time": "10:00", "end_time": "12:00", "places": "5"}
    need = {"title": "Przejęta", "description": "x", "kind": "one_off", "place": "Gdzie indziej"}
    need_b, shift_b = w["need_b"].id, w["need_b"].shifts[0].id
    return [
        ("GET", f"/manage/institutions/{w['b'].slug}", {}),
        ("GET", f"/manage/needs/new?institution={w['b'].slug}", {}),
        ("POST", f"/manage/needs/new?institution={w['b'].slug}", {**need, **shift}),
        ("GET", f"/manage/needs/{need_b}", {}),
        ("GET", f"/manage/needs/{w['draft_b'].id}", {}),
        ("POST", f"/manage/assignments/{w['application_b'].id}/accept", {"seen_status": "applied"}),
        ("POST", f"/manage/assignments/{w['application_b'].id}/reject", {"seen_status": "applied"}),
        ("GET", f"/manage/volunteers/{w['person'].id}", {}),
        (
            "POST",
            f"/manage/volunteers/{w['person'].id}/checks",
            {"certificate_seen_on": "2024-01-02", "register_checked_on": "2024-01-02"},
        ),
        ("GET", f"/manage/needs/{need_b}/edit", {}),
        ("POST", f"/manage/needs/{need_b}/edit", need),
        ("POST", f"/manage/needs/{w['draft_b'].id}/publish", {"seen_status": "draft"}),
        ("POST", f"/manage/needs/{need_b}/close", {"seen_status": "published"}),
        ("POST", f"/manage/needs/{need_b}/cancel", {"reason": "Bo tak."}),
        ("POST", f"/manage/needs/{need_b}/shifts", {f"add-{k}": v for k, v in shift.items()}),
        ("GET", f"/manage/shifts/{shift_b}/edit", {}),
        ("POST", f"/manage/shifts/{shift_b}/edit", shift),
        ("POST", f"/manage/shifts/{shift_b}/cancel", {"reason": "Bo tak."}),
    ]


def snapshot(app, w) -> tuple:
    need = db.session.get(Need, w["need_b"].id)
    draft = db.session.get(Need, w["draft_b"].id)
    shift = db.session.get(Shift, w["need_b"].shifts[0].id)
    return (
        need.title,
        need.status,
        draft.status,
        len(need.shifts),
        shift.places,
        shift.is_cancelled,
        db.session.get(Assignment, w["application_b"].id).status,
        db.session.query(ChildProtectionCheck).count(),
        db.session.query(Need).count(),
    )


def test_staff_of_a_are_refused_on_every_record_of_b(app, client, auth, two_institutions):
    w = two_institutions
    before = snapshot(app, w)
    auth.login(w["staff_a"].email)
    wrong = []
    for method, url, data in full_forms(w):
        response = client.open(url, method=method, data=data)
        if response.status_code not in (403, 404):
            wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, wrong
    assert snapshot(app, w) == before


def test_staff_of_b_do_the_same_things_on_their_own_records(app, client, auth, two_institutions):
    """The same requests succeed for B's staff, so the refusals above are about ownership."""
    w = two_institutions
    auth.login(w["staff_b"].email)
    for method, url, data in full_forms(w):
        response = client.open(url, method=method, data=data)
        assert response.status_code in (200, 303, 409), (method, url, response.status_code)


def test_a_volunteer_gets_403_everywhere(app, client, auth, two_institutions):
    w = two_institutions
    auth.login(w["person"].email)
    for method, url, data in full_forms(w):
        assert client.open(url, method=method, data=data).status_code == 403, url
    assert client.get("/manage/").status_code == 403


def test_co_hosting_gives_the_partner_access_to_that_need_only(
    app, client, auth, factory, two_institutions
):
    w = two_institutions
    need = db.session.get(Need, w["need_b"].id)
    need.cohosts.append(db.session.get(Institution, w["a"].id))
    db.session.commit()
    auth.login(w["staff_a"].email)
    assert client.get(f"/manage/needs/{w['need_b'].id}").status_code == 200
    assert client.get(f"/manage/volunteers/{w['person'].id}").status_code == 200
    assert client.get(f"/manage/needs/{w['draft_b'].id}").status_code == 403
    assert client.get(f"/manage/institutions/{w['b'].slug}").status_code == 403
    page = client.get(f"/manage/institutions/{w['a'].slug}").get_data(as_text=True)
    assert "Obsługa widowni B" in page and "Weronika" in page


def test_a_volunteer_who_applied_only_elsewhere_is_invisible(
    app, client, auth, factory, two_institutions
):
    w = two_institutions
    need_a = factory.need(w["a"], "Dyżur A")
    other = factory.user()
    factory.application(other, need_a, status=AssignmentStatus.ACCEPTED)
    auth.login(w["staff_b"].email)
    assert client.get(f"/manage/volunteers/{other.id}").status_code == 403
    # A non-volunteer id, or staff looking at staff, is not a volunteer card.
    assert client.get(f"/manage/volunteers/{w['staff_a'].id}").status_code == 404
