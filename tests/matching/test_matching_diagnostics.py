"""Diagnostics of unfilled shifts: codes, params and their Polish wording."""

from __future__ import annotations

from datetime import timedelta

import pytest
from matching_testkit import BASE
from matching_testkit import TEST_CONFIG
from matching_testkit import place
from matching_testkit import vol

from matching import AvailabilityWindow
from matching import Problem
from matching import Reason
from matching import match
from matching import render_diagnostic
from matching import render_reason
from matching.explain import plural_pl

SKILLS = {1: "Pierwsza pomoc", 2: "Nagłośnienie"}
SUNDAY = 6  # BASE is a Monday


def diagnose_one(volunteers, p):
    result = match(Problem(volunteers, [p], TEST_CONFIG))
    assert len(result.unfilled) == 1
    return result.unfilled[0]


def sunday_place(**kw):
    return place(1, day=SUNDAY, start_h=10, hours=4, **kw)


@pytest.mark.parametrize(
    ("volunteers", "p", "code", "params", "text"),
    [
        (
            [vol(skills={2: 3})],
            sunday_place(required_skills={1: 2}),
            "no_skill",
            {"skills": [{"skill_id": 1, "min_level": 2}]},
            "Nikt nie ma umiejętności „Pierwsza pomoc” na poziomie co najmniej 2",
        ),
        (
            [vol(skills={1: 2}, availability=(AvailabilityWindow(SUNDAY, 600, 780),))],
            sunday_place(required_skills={1: 2}),
            "no_skilled_available",
            {
                "skills": [{"skill_id": 1, "min_level": 2}],
                "weekday": 6,
                "start": "10:00",
                "end": "14:00",
            },
            "Żaden wolontariusz z umiejętnością „Pierwsza pomoc” na poziomie co najmniej 2 "
            "nie jest wolny w niedziele 10:00–14:00",
        ),
        (
            [vol(availability=(AvailabilityWindow(0, 0, 1440),))],
            sunday_place(required_skills={}),
            "no_one_available",
            {"weekday": 6, "start": "10:00", "end": "14:00"},
            "Nikt nie jest wolny w niedziele 10:00–14:00",
        ),
        (
            [
                vol(1, dates_away=frozenset({(BASE + timedelta(days=SUNDAY)).date()})),
                vol(2, dates_away=frozenset({(BASE + timedelta(days=SUNDAY)).date()})),
            ],
            sunday_place(),
            "all_away",
            {"count": 2, "date": "2025-03-09"},
            "Wszyscy pasujący wolontariusze (2) są nieobecni 2025-03-09",
        ),
        (
            [vol(1, age=16), vol(2, age=None), vol(3, age=17)],
            sunday_place(min_age=18),
            "blocked_age",
            {"count": 3, "min_age": 18},
            "Wszyscy pasujący wolontariusze (3) są za młodzi lub nie podali wieku (minimum 18 lat)",
        ),
        (
            [vol(child_protection_checked=False)],
            sunday_place(works_with_children=True),
            "blocked_child_protection",
            {"count": 1},
            "Jedyny pasujący wolontariusz nie ma weryfikacji do pracy z dziećmi",
        ),
        (
            [vol(declined_need_ids=frozenset({1}))],
            sunday_place(),
            "declined",
            {"count": 1},
            "Jedyny pasujący wolontariusz wcześniej odmówił tej potrzeby",
        ),
        (
            [vol(1, hours_left=3.0)],
            sunday_place(),
            "blocked_hours",
            {"count": 1, "hours": 4.0},
            "Jedyny pasujący wolontariusz nie ma już tylu wolnych godzin (zmiana trwa 4.0 h)",
        ),
        (
            [vol(1, age=10), vol(2, hours_left=1.0)],
            sunday_place(min_age=18),
            "blocked_mixed",
            {"count": 2, "by": {"age": 1, "hours": 1}},
            "Pasujący wolontariusze (2) odpadają z różnych powodów – wiek: 1, za mało godzin: 1",
        ),
        (
            [
                vol(
                    1,
                    bookings=(
                        (
                            BASE + timedelta(days=SUNDAY, hours=9),
                            BASE + timedelta(days=SUNDAY, hours=11),
                        ),
                    ),
                )
            ],
            sunday_place(),
            "blocked_bookings",
            {"count": 1},
            "Jedyny pasujący wolontariusz ma już inne zajęcia w tym czasie",
        ),
        (
            [vol()],
            place(1, start_h=22, hours=4),
            "crosses_midnight",
            {"start": "22:00", "end": "02:00"},
            "Zmiana trwa przez północ (22:00–02:00)",
        ),
        (
            [vol(1), vol(2)],
            sunday_place(places_left=3),
            "too_few_candidates",
            {"count": 2},
            "Tylko 2 kandydatów – wszyscy zaproponowani tutaj",
        ),
    ],
    ids=lambda x: x if isinstance(x, str) and x.islower() and " " not in x else None,
)
def test_diagnostic_codes_and_wording(volunteers, p, code, params, text):
    d = diagnose_one(volunteers, p)
    assert (d.code, dict(d.params)) == (code, params)
    assert text in render_diagnostic(d, SKILLS)


def test_candidates_taken_elsewhere():
    # Three volunteers fit both shifts (same day) but the other shift fits them better.
    vols = [vol(i, skills={1: 3, 2: 3}, capacity=1) for i in (1, 2, 3)]
    good = place(
        1, need_id=1, places_left=3, required_skills={1: 1, 2: 1}, nice_skills=frozenset({1, 2})
    )
    worse = place(2, need_id=2, start_h=13, places_left=1, required_skills={})
    result = match(Problem(vols, [good, worse], TEST_CONFIG))
    # Fill values: need 1 first unit 1000 > need 2 first unit; but everyone fits need 1 better,
    # and need 2 still gets one person because its first unit is worth 1000.
    by_place = {d.place_id: d for d in result.unfilled}
    assert set(by_place) == {1}
    d = by_place[1]
    assert (d.code, d.params) == ("candidates_taken", {"count": 1, "proposed": 2})
    assert render_diagnostic(d) == (
        "Zaproponowano 2; pozostali: 1 kandydat – ma już propozycję gdzie indziej, "
        "gdzie pasuje lepiej"
    )
    vols = [vol(i, capacity=1) for i in (1, 2, 3)]
    result = match(
        Problem(
            vols,
            [
                place(1, places_left=0),
                place(2, need_id=2),
                place(3, need_id=3),
                place(4, need_id=4),
                place(5, need_id=5),
            ],
            TEST_CONFIG,
        )
    )
    d = result.unfilled[0]
    assert d.code == "candidates_taken" and d.params["count"] == 3
    assert render_diagnostic(d).startswith("3 kandydatów – wszyscy mają już propozycje")


def test_multi_skill_wording_and_unknown_names():
    d = ("no_skill", {"skills": [{"skill_id": 1, "min_level": 2}, {"skill_id": 9, "min_level": 1}]})
    assert render_diagnostic(d, SKILLS) == (
        "Nikt nie ma jednocześnie umiejętności „Pierwsza pomoc” (poziom ≥ 2), „#9” (poziom ≥ 1)"
    )


def test_reason_wording():
    assert (
        render_reason(
            Reason("skill_level", {"skill_id": 1, "level": 3, "min_level": 2}, 18), SKILLS
        )
        == "umiejętność „Pierwsza pomoc”: poziom 3 (wymagany 2) (+18 pkt)"
    )
    assert render_reason(
        Reason("new_institution", {"institution_id": 4}, 12),
        institution_names={4: "Filharmonia Opolska"},
    ) == ("nowa dla wolontariusza instytucja koalicji: Filharmonia Opolska (+12 pkt)")
    assert render_reason(Reason("reliability", {"reliability": 0.85}, 17)) == (
        "niezawodność 85% (+17 pkt)"
    )
    assert render_reason(Reason("reliability", {"reliability": 0.5, "newcomer": True}, 10)) == (
        "nowy wolontariusz, bez historii obecności (+10 pkt)"
    )


def test_every_proposal_reason_renders():
    from matching.bench import generate_problem

    result = match(generate_problem(1500, 200, 4))
    codes = set()
    for proposal in result.proposals:
        for reason in proposal.reasons:
            codes.add(reason.code)
            text = render_reason(reason, SKILLS)
            assert "{" not in text and text.endswith("pkt)")
    assert {"skill_level", "reliability", "new_institution"} <= codes
    for d in result.unfilled:
        assert "{" not in render_diagnostic(d, SKILLS), d


@pytest.mark.parametrize(
    ("n", "form"),
    [(1, "a"), (2, "b"), (4, "b"), (5, "c"), (12, "c"), (22, "b"), (25, "c"), (0, "c")],
)
def test_plural(n, form):
    assert plural_pl(n, "a", "b", "c") == form
