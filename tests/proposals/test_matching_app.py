"""The coordinator runs matching across the coalition, approves proposals; volunteers answer offers."""

from __future__ import annotations

import re
import threading
import time as clock
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import MatchRun
from app.models import Need
from app.models import NeedSkill
from app.models import Notice
from app.models import Role
from app.models import Shift
from app.models import Skill
from app.models import SkillGroup
from app.models import User
from app.models import VolunteerProfile
from app.models import VolunteerSkill
from app.services import offers
from app.services.matching_run import Scope
from app.services.matching_run import execute_run
from app.services.matching_run import run_safely
from app.services.matching_run import start_run

S = AssignmentStatus
WARSAW_OFFSET = timedelta(hours=1)  # shifts below are in winter time


def next_weekday(weekday: int) -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


@pytest.fixture
def coalition(app, factory):
    """Two institutions, a photography need on Saturday 10-14, and volunteers who could do it."""
    museum = factory.institution("Muzeum Wsi Testowej")
    gallery = factory.institution("Galeria Testowa")
    coordinator = factory.user(Role.COORDINATOR)
    staff = factory.user(Role.STAFF, institution=museum)
    saturday = next_weekday(5)
    start = datetime.combine(saturday, time(10), tzinfo=UTC) - WARSAW_OFFSET
    photo_need = factory.need(museum, "Fotografia obiektów", start=start, places=1)
    sign_need = factory.need(
        gallery, "Oprowadzanie w języku migowym", start=start + timedelta(days=1)
    )
    people = [factory.user(first_name=name) for name in ("Ala", "Bartek", "Celina")]
    group = SkillGroup(code="media", name_pl="Media", name_en="Media")
    photo = Skill(code="photo", name_pl="Fotografia", name_en="Photography", group=group)
    sign = Skill(code="sign", name_pl="Język migowy", name_en="Sign language", group=group)
    db.session.add_all([group, photo, sign])
    db.session.flush()
    db.session.add(NeedSkill(need_id=photo_need.id, skill_id=photo.id, min_level=2))
    db.session.add(NeedSkill(need_id=sign_need.id, skill_id=sign.id, min_level=1))
    for level, person in zip((3, 2, 1), people, strict=True):
        profile = db.session.get(VolunteerProfile, person.id)
        profile.date_of_birth = date(1995, 5, 5)
        profile.skills.append(VolunteerSkill(skill_id=photo.id, level=level))
        profile.availability.append(
            AvailabilityWindow(weekday=5, start_time=time(9), end_time=time(18))
        )
        db.session.add(Consent(user_id=person.id, kind=ConsentKind.DATA_PROCESSING, granted=True))
    db.session.commit()
    return {
        "museum": museum,
        "gallery": gallery,
        "coordinator": coordinator,
        "staff": staff,
        "photo_need": photo_need,
        "sign_need": sign_need,
        "people": people,
    }


def run_as(app, coordinator, scope=Scope()) -> int:
    run = start_run(db.session.get(User, coordinator.id), scope)
    execute_run(run)
    return run.id


@pytest.mark.clock
def test_coordinator_runs_matching_and_sees_explained_proposals_and_diagnoses(
    client, auth, coalition, app, factory
):
    auth.login(coalition["coordinator"].email)
    response = client.post("/proposals/run", data={})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Figures are written the Polish way: a decimal comma.
    seconds = re.search(r"Czas liczenia</dt><dd>([^<]*) s</dd>", page).group(1)
    assert re.fullmatch(r"\d+(,\d{1,3})?", seconds), seconds
    # The best photographer is proposed, with reasons in Polish.
    assert "Ala" in page
    assert "umie: Fotografia, poziom 3 (wymagany 2)" in page
    assert "pozna nową instytucję koalicji" in page
    # Ala has no shift on record yet: she is a newcomer, not "50% reliable".
    assert "nowy wolontariusz: jeszcze bez historii obecności" in page
    assert "niezawodność" not in page
    # Nobody signs: the diagnosis says so.
    assert "Nikt nie ma umiejętności: Język migowy (poziom 1)" in page
    proposals = factory.scalars(select(Assignment).where(Assignment.status == S.PROPOSED))
    assert [(p.volunteer_id, p.need_id) for p in proposals] == [
        (coalition["people"][0].id, coalition["photo_need"].id)
    ]
    assert proposals[0].reasons and proposals[0].score == sum(
        r["points"] for r in proposals[0].reasons
    )


@pytest.mark.clock
def test_run_form_refuses_an_inverted_date_range(client, auth, coalition):
    auth.login(coalition["coordinator"].email)
    response = client.post(
        "/proposals/run", data={"date_from": "2026-12-10", "date_to": "2026-12-01"}
    )
    assert response.status_code == 422
    assert "nie może być wcześniejsza" in response.get_data(as_text=True)


@pytest.mark.clock
def test_bulk_approval_turns_proposals_into_offers_that_hold_the_place(
    client, auth, coalition, app, factory
):
    run_id = run_as(app, coalition["coordinator"])
    auth.login(coalition["coordinator"].email)
    ids = [
        a.id for a in factory.scalars(select(Assignment).where(Assignment.match_run_id == run_id))
    ]
    response = client.post(
        "/proposals/decide", data={"ids": ids, "action": "approve"}, follow_redirects=True
    )
    assert "Zatwierdzono propozycje: 1" in response.get_data(as_text=True)
    offer = db.session.get(Assignment, ids[0])
    assert offer.status == S.OFFERED
    assert offer.expires_at - offer.offered_at == timedelta(hours=72)
    assert db.session.get(Shift, offer.shift_id).accepted_count == 1
    assert (
        db.session.scalar(select(Notice.kind).where(Notice.user_id == offer.volunteer_id))
        == "offer_made"
    )
    audit = db.session.scalar(
        select(db.func.count())
        .where(db.text("action = 'proposal.approved'"))
        .select_from(db.text("audit_log"))
    )
    assert audit == 1


def test_declined_place_is_proposed_to_someone_else_on_the_next_run(
    client, auth, coalition, app, factory
):
    first_run = run_as(app, coalition["coordinator"])
    ala = coalition["people"][0]
    proposal = db.session.scalar(select(Assignment).where(Assignment.match_run_id == first_run))
    offers.approve_proposal(proposal, db.session.get(User, coalition["coordinator"].id))
    db.session.commit()
    offer_id = proposal.id
    auth.login(ala.email)
    page = client.get(f"/offers/{offer_id}").get_data(as_text=True)
    assert "Dlaczego Ty?" in page
    response = client.post(f"/offers/{offer_id}/decline", data={"note": "Wyjeżdżam"})
    assert response.status_code == 303
    assert factory.get(Assignment, offer_id).status == S.DECLINED
    assert factory.get(Shift, coalition["photo_need"].shifts[0].id).accepted_count == 0
    second_run = run_as(app, coalition["coordinator"])
    again = factory.scalars(select(Assignment).where(Assignment.match_run_id == second_run))
    assert [a.volunteer_id for a in again] == [coalition["people"][1].id]  # Bartek, level 2


@pytest.mark.clock
def test_volunteer_accepts_an_offer_and_the_place_stays_taken(
    client, auth, coalition, app, factory
):
    run_id = run_as(app, coalition["coordinator"])
    proposal = db.session.scalar(select(Assignment).where(Assignment.match_run_id == run_id))
    offers.approve_proposal(proposal, db.session.get(User, coalition["coordinator"].id))
    db.session.commit()
    offer_id, owner = proposal.id, proposal.volunteer_id
    other = coalition["people"][1]
    auth.login(other.email)
    assert client.get(f"/offers/{offer_id}").status_code == 404
    assert client.post(f"/offers/{offer_id}/accept").status_code == 404
    auth.logout()
    auth.login(coalition["people"][0].email)
    assert client.post(f"/offers/{offer_id}/accept").status_code == 303
    assert factory.get(Assignment, offer_id).status == S.ACCEPTED
    assert factory.get(Shift, proposal.shift_id).accepted_count == 1
    assert owner == coalition["people"][0].id
    # A second run has nothing left to offer on that full shift.
    later = run_as(app, coalition["coordinator"])
    assert factory.scalars(select(Assignment).where(Assignment.match_run_id == later)) == []


@pytest.mark.clock
def test_unanswered_offers_expire_and_their_place_returns(app, coalition):
    run_id = run_as(app, coalition["coordinator"])
    proposal = db.session.scalar(select(Assignment).where(Assignment.match_run_id == run_id))
    offers.approve_proposal(proposal, db.session.get(User, coalition["coordinator"].id))
    db.session.commit()
    later = datetime.now(UTC) + timedelta(hours=73)
    assert offers.expire_offers(later) == 1
    db.session.commit()
    assert offers.expire_offers(later) == 0  # running twice changes nothing
    assert db.session.get(Assignment, proposal.id).status == S.EXPIRED
    assert db.session.get(Shift, proposal.shift_id).accepted_count == 0


def test_override_needs_a_reason_and_is_audited(client, auth, coalition, app, factory):
    auth.login(coalition["coordinator"].email)
    shift_id = coalition["sign_need"].shifts[0].id
    celina = coalition["people"][2]
    response = client.post(
        "/proposals/override",
        data={"shift_id": shift_id, "volunteer_email": celina.email, "reason": ""},
        follow_redirects=True,
    )
    assert "To pole jest wymagane." in response.get_data(as_text=True)
    response = client.post(
        "/proposals/override",
        data={
            "shift_id": shift_id,
            "volunteer_email": celina.email,
            "reason": "Zna migowy, brak wpisu w profilu",
        },
        follow_redirects=True,
    )
    assert "Wysłano ofertę poza propozycjami" in response.get_data(as_text=True)
    offer = factory.scalar(select(Assignment).where(Assignment.volunteer_id == celina.id))
    assert offer.status == S.OFFERED and offer.source.value == "override"


def test_staff_approve_proposals_only_after_delegation_and_only_for_their_needs(
    client, auth, coalition, app, factory
):
    run_id = run_as(app, coalition["coordinator"])
    proposal_id = factory.scalar(select(Assignment.id).where(Assignment.match_run_id == run_id))
    auth.login(coalition["staff"].email)
    page = client.get(f"/proposals/institution/{coalition['museum'].slug}").get_data(as_text=True)
    assert "Ala" in page and "Propozycje zatwierdza koordynator" in page
    assert (
        client.post(
            "/proposals/decide", data={"ids": [proposal_id], "action": "approve"}
        ).status_code
        == 403
    )
    assert client.get(f"/proposals/institution/{coalition['gallery'].slug}").status_code == 403
    auth.logout()
    auth.login(coalition["coordinator"].email)
    client.post(
        f"/proposals/institution/{coalition['museum'].slug}/delegation", data={"enabled": "1"}
    )
    auth.logout()
    auth.login(coalition["staff"].email)
    client.post(
        "/proposals/decide",
        data={"ids": [proposal_id], "action": "approve", "back": "/proposals/institution/x"},
    )
    assert factory.get(Assignment, proposal_id).status == S.OFFERED


def test_the_request_only_queues_the_run_and_its_page_follows_the_worker(
    make_app, coalition, factory
):
    """Without MATCHING_SYNC nothing executes the run but a worker: the page shows it waiting,
    then working and done, refreshing itself until it is over."""
    from app.services.matching_queue import work_once

    background = make_app(MATCHING_SYNC=False)
    client = background.test_client()
    client.post(
        "/login", data={"email": coalition["coordinator"].email, "password": "Wolontariat-2026!"}
    )
    response = client.post("/proposals/run", data={})
    run_url = response.headers["Location"]
    clock.sleep(0.3)  # no thread of the web process takes it
    page = client.get(run_url).get_data(as_text=True)
    assert "czeka w kolejce na proces dopasowania (miejsce w kolejce: 1)" in page
    assert 'http-equiv="refresh"' in page
    with background.app_context():
        assert db.session.scalar(select(MatchRun.status)) == "queued"

    def worker() -> None:
        with background.app_context():
            work_once("test-host:1")

    thread = threading.Thread(target=worker)
    thread.start()
    deadline = clock.monotonic() + 20
    while clock.monotonic() < deadline:
        page = client.get(run_url).get_data(as_text=True)
        if "Trwa liczenie" not in page and "czeka w kolejce" not in page:
            break
        assert 'http-equiv="refresh"' in page  # the page refreshes itself while the run works
        clock.sleep(0.05)
    thread.join(timeout=20)
    assert 'http-equiv="refresh"' not in page
    assert "gotowy" in page
    with background.app_context():
        run = db.session.scalar(select(MatchRun))
        assert (run.status, run.claimed_by) == ("done", "test-host:1")
        assert [m["stage"] for m in run.stages] == [
            "queued",
            "running",
            "expiring_offers",
            "loading",
            "solving",
            "saving",
        ]


@pytest.mark.postgres
@pytest.mark.parametrize("round_", range(15))
def test_two_coordinators_approving_at_once_never_overfill_or_double_book(
    app, factory, coalition, round_
):
    """Two proposals for one place, approved in two transactions at the same moment; and one
    volunteer proposed for two overlapping shifts at two institutions, approved at once."""
    need = factory.need(coalition["museum"], "Jedno miejsce", places=1)
    a, b = factory.user(), factory.user()
    pa = factory.application(a, need, status=S.PROPOSED)
    pb = factory.application(b, need, status=S.PROPOSED)
    one = factory.user()
    start = need.shifts[0].starts_at + timedelta(days=1)
    n1 = factory.need(coalition["museum"], "Muzeum rano", start=start)
    n2 = factory.need(coalition["gallery"], "Galeria rano", start=start + timedelta(hours=1))
    q1 = factory.application(one, n1, status=S.PROPOSED)
    q2 = factory.application(one, n2, status=S.PROPOSED)
    coordinator_ids = [coalition["coordinator"].id, factory.user(Role.COORDINATOR).id]

    for first, second in ((pa.id, pb.id), (q1.id, q2.id)):
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def approve(assignment_id: int, coordinator_id: int) -> None:
            with app.app_context():
                assignment = db.session.get(Assignment, assignment_id)
                actor = db.session.get(User, coordinator_id)
                barrier.wait()
                try:
                    offers.approve_proposal(assignment, actor)
                    db.session.commit()
                    outcomes.append("ok")
                except offers.ApplicationError:
                    db.session.rollback()
                    outcomes.append("refused")

        threads = [
            threading.Thread(target=approve, args=(aid, cid))
            for aid, cid in zip((first, second), coordinator_ids, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["ok", "refused"]

    assert factory.get(Shift, need.shifts[0].id).accepted_count == 1
    held = factory.scalars(
        select(Assignment.id).where(
            Assignment.volunteer_id == one.id, Assignment.status == S.OFFERED
        )
    )
    assert len(held) == 1
    assert factory.scalar(select(Need.id).where(Need.id == n1.id))


def test_a_coalition_wide_run_is_reviewed_a_page_at_a_time(client, auth, app, factory):
    """Many proposals and unfilled shifts: a page of each at a time, the counts always whole."""
    from app.proposals.routes import PROPOSALS_PER_PAGE
    from app.proposals.routes import UNFILLED_PER_PAGE

    proposed, unfilled = 2 * PROPOSALS_PER_PAGE + 10, UNFILLED_PER_PAGE + 10  # 35: "zmian"
    museum = factory.institution("Muzeum Stron")
    coordinator = factory.user(Role.COORDINATOR)
    need = factory.need(museum, "Dyżur stronicowany", shifts=3, places=200)
    people = [factory.user(first_name=f"Osoba{n:03d}") for n in range(proposed)]
    shift_ids = [s.id for s in db.session.get(Need, need.id).shifts]
    run = MatchRun(
        created_by_id=coordinator.id,
        status="done",
        stats={"proposals": proposed},
        finished_at=datetime.now(UTC),
    )
    db.session.add(run)
    db.session.flush()
    run.diagnostics = [
        {
            "place_id": shift_ids[0],
            "need_id": need.id,
            "places_left": 1,
            "proposed": 0,
            "code": "too_few_candidates",
            "params": {"count": n},
        }
        for n in range(unfilled)
    ]
    for n, person in enumerate(people):
        db.session.add(
            Assignment(
                volunteer_id=person.id,
                shift_id=shift_ids[n % 3],
                need_id=need.id,
                status=S.PROPOSED,
                source="matching",
                score=n,
                match_run_id=run.id,
                reasons=[],
            )
        )
    db.session.commit()
    run_id = run.id
    auth.login(coordinator.email)

    def names_on(page: str) -> set[str]:
        return {p.first_name for p in people if f">{p.first_name} " in page}

    pages = [
        client.get(f"/proposals/runs/{run_id}?page={n}").get_data(as_text=True) for n in (1, 2, 3)
    ]
    assert [len(names_on(page)) for page in pages] == [PROPOSALS_PER_PAGE, PROPOSALS_PER_PAGE, 10]
    assert not names_on(pages[0]) & names_on(pages[1])
    assert set().union(*map(names_on, pages)) == {p.first_name for p in people}
    for page in pages:
        assert f"do decyzji: {proposed}" in page
        assert f"{unfilled} nieobsadzonych zmian" in page
    assert "Strona 1 z 3" in pages[0] and "Strona 3 z 3" in pages[2]
    beyond = client.get(f"/proposals/runs/{run_id}?page=99").get_data(as_text=True)
    assert beyond.count('name="ids"') == 10  # past the end: the last page
    assert pages[0].count("Tylko ") == UNFILLED_PER_PAGE
    second = client.get(f"/proposals/runs/{run_id}?unfilled=2").get_data(as_text=True)
    assert second.count("Tylko ") == 10


@pytest.mark.clock
def test_a_worker_that_wakes_after_its_run_was_declared_failed_saves_nothing(
    app, coalition, monkeypatch
):
    """The worker froze while solving; the others declared its run failed. When it wakes, its
    proposals must not appear over a run the coordinator was told had failed."""
    import matching as library
    from app.services import matching_queue

    solve = library.match

    def solve_while_the_run_is_declared_failed(problem):
        result = solve(problem)
        with app.app_context():  # another process: its own session
            db.session.execute(
                MatchRun.__table__.update()
                .where(MatchRun.id == run_id)
                .values(status="failed", failure=matching_queue.WORKER_LOST)
            )
            db.session.commit()
        return result

    monkeypatch.setattr(library, "match", solve_while_the_run_is_declared_failed)
    run_id = start_run(db.session.get(User, coalition["coordinator"].id), Scope()).id
    finished = run_safely(run_id, worker="frozen-worker")
    assert finished.status == "failed" and finished.failure == matching_queue.WORKER_LOST
    stored = db.session.scalars(select(Assignment).where(Assignment.match_run_id == run_id))
    assert stored.all() == []
