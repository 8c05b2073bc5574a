"""A run's review page costs the same whatever the run's size, and its counts are never stale.

A coalition-wide run proposes thousands of placements and leaves thousands of shifts unfilled;
the page shows 25 of each. It must send the same statements for a run ten times larger (no
query per row in the templates, no list read whole), page in the order the coordinator reads,
and show the number waiting for a decision as it is right after a decision.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import MatchRun
from app.models import Need
from app.models import Role
from app.models import Skill
from app.models import SkillGroup
from app.proposals.routes import PROPOSALS_PER_PAGE
from app.proposals.routes import UNFILLED_PER_PAGE
from tests.factories import PASSWORD
from tests.needs.test_needs_helpers import count_queries

# The statements of the page of a finished run: the signed-in user, the run, the decided
# proposals (the waiting ones are the stored total less those), the page's proposals, the page's
# unfilled shifts, and the skill and institution names its texts use. No look for stale runs:
# only an open run's page can find its worker gone.
STATEMENT_BUDGET = 6


def build_run(app, factory, coordinator, proposals: int, unfilled: int, tag: str) -> int:
    """A finished run over several institutions, with reasons naming skills and institutions."""
    institutions = [
        factory.institution(f"Muzeum {tag} {n}", short_name=f"Muzeum {tag}{n}") for n in range(3)
    ]
    needs = [
        factory.need(institutions[n % 3], f"Potrzeba {tag} {n:03d}", shifts=2, places=50)
        for n in range(max(proposals // 4, 2))
    ]
    people = [factory.user(first_name=f"Osoba{tag}{n:04d}") for n in range(proposals)]
    group = SkillGroup(code=f"obsluga-{tag}", name_pl="Obsługa", name_en="Service")
    skill = Skill(code=f"kasa-{tag}", group=group, name_pl=f"Kasa {tag}", name_en=f"Till {tag}")
    db.session.add(skill)
    loaded = [db.session.get(Need, n.id) for n in needs]
    run = MatchRun(
        created_by_id=coordinator.id,
        status="done",
        stats={"proposals": proposals},
        finished_at=datetime.now(UTC),
    )
    db.session.add(run)
    db.session.flush()
    run.diagnostics = [
        {
            "place_id": loaded[n % len(loaded)].shifts[1].id,
            "need_id": loaded[n % len(loaded)].id,
            "places_left": 2,
            "proposed": 0,
            "code": "no_skill",
            "params": {"skills": [{"skill_id": skill.id, "min_level": 2}]},
        }
        for n in range(unfilled)
    ]
    for n, person in enumerate(people):
        need = loaded[n % len(loaded)]
        db.session.add(
            Assignment(
                volunteer_id=person.id,
                shift_id=need.shifts[n % 2].id,
                need_id=need.id,
                status=AssignmentStatus.PROPOSED,
                source="matching",
                score=(n * 37) % 100,
                match_run_id=run.id,
                reasons=[
                    {
                        "code": "skill_level",
                        "params": {"skill_id": skill.id, "level": 3, "min_level": 2},
                        "points": 30,
                    },
                    {
                        "code": "preferred_institution",
                        "params": {"institution_id": institutions[n % 3].id},
                        "points": 10,
                    },
                ],
            )
        )
    db.session.commit()
    return run.id


def statements(app, client, url: str) -> int:
    with count_queries(app) as sent:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(sent)


def test_the_run_page_sends_the_same_statements_for_a_run_ten_times_larger(app, factory):
    coordinator = factory.user(Role.COORDINATOR)
    small = build_run(app, factory, coordinator, 30, 30, "a")
    large = build_run(app, factory, coordinator, 300, 300, "b")
    client = app.test_client()
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    for run in (small, large):  # the first view of a finished run reads its diagnoses once
        with count_queries(app) as first:
            client.get(f"/proposals/runs/{run}")
        assert sum("diagnostics" in sql for sql in first) == 1
    urls = ["", "?page=2", "?page=2&unfilled=2", "?group=institution&page=9&unfilled=9"]
    counts = {
        (run, url): statements(app, client, f"/proposals/runs/{run}{url}")
        for run in (small, large)
        for url in urls
    }
    assert len(set(counts.values())) == 1, counts
    assert set(counts.values()) <= set(range(1, STATEMENT_BUDGET + 1)), counts
    page = client.get(f"/proposals/runs/{large}?page=3&unfilled=4").get_data(as_text=True)
    assert page.count('name="ids"') == PROPOSALS_PER_PAGE
    assert page.count("Nikt nie ma umiejętności: Kasa b (poziom 2)") == UNFILLED_PER_PAGE
    assert page.count("umie: Kasa b, poziom 3 (wymagany 2)") == PROPOSALS_PER_PAGE
    assert page.count("woli działać w: Muzeum b") == PROPOSALS_PER_PAGE


def test_pages_follow_need_shift_and_best_score_and_the_pending_count_follows_decisions(
    app, factory
):
    coordinator = factory.user(Role.COORDINATOR)
    run_id = build_run(app, factory, coordinator, 60, 0, "c")
    ordered = db.session.execute(
        select(Assignment.id, Assignment.score)
        .where(Assignment.match_run_id == run_id)
        .order_by(
            Assignment.need_id,
            Assignment.shift_id,
            Assignment.score.desc(),
            Assignment.id,
        )
    ).all()
    client = app.test_client()
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})

    def ids_on(page: int) -> list[int]:
        html = client.get(f"/proposals/runs/{run_id}?page={page}").get_data(as_text=True)
        return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]

    shown = ids_on(1) + ids_on(2) + ids_on(3)
    assert shown == [row.id for row in ordered]

    second = ids_on(2)
    page = client.get(f"/proposals/runs/{run_id}?page=2").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"action": "approve", "ids": second[:3], "back": f"/proposals/runs/{run_id}?page=2"}
    if token:
        form["csrf_token"] = token.group(1)
    assert client.post("/proposals/decide", data=form).status_code == 303
    after = client.get(f"/proposals/runs/{run_id}?page=2").get_data(as_text=True)
    assert "do decyzji: 57" in after
    assert ids_on(2) == second[3:]  # decided ones stay listed, without a checkbox
    assert after.count("oferta czeka na odpowiedź") == 3


def test_the_waiting_count_and_the_pages_hold_after_a_later_run_cancels_the_proposals(app, factory):
    coordinator = factory.user(Role.COORDINATOR)
    run_id = build_run(app, factory, coordinator, 30, 0, "d")
    client = app.test_client()
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    assert "do decyzji: 30" in client.get(f"/proposals/runs/{run_id}").get_data(as_text=True)

    with app.app_context():  # what a newer run over the same shifts does to these
        for proposal in db.session.scalars(
            select(Assignment).where(Assignment.match_run_id == run_id)
        ):
            proposal.status = AssignmentStatus.CANCELLED
        db.session.commit()

    first = client.get(f"/proposals/runs/{run_id}").get_data(as_text=True)
    second = client.get(f"/proposals/runs/{run_id}?page=2").get_data(as_text=True)
    assert "do decyzji: 0" in first
    assert first.count("zmiana odwołana") == PROPOSALS_PER_PAGE
    assert second.count("zmiana odwołana") == 30 - PROPOSALS_PER_PAGE
    assert 'name="ids"' not in first + second  # nothing left to decide
