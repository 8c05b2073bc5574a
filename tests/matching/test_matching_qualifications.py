"""A shift that requires a qualification: only people who hold it, valid on the shift's date.

The rule is checked by the specification (`infeasibility`) and by the index; the diagnostics say
which qualification nobody holds, and every proposal names the qualification it relied on.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from matching_testkit import BASE
from matching_testkit import TEST_CONFIG
from matching_testkit import place
from matching_testkit import vol

from matching import FEASIBILITY_CODES
from matching import Problem
from matching import build_index
from matching import explain_pair
from matching import infeasibility
from matching import match
from matching import render_diagnostic

FIRST_AID = 7
AUDIO = 8
MON = BASE.date()
NAMES = {FIRST_AID: "Pierwsza pomoc", AUDIO: "Oprowadzanie z audiodeskrypcją"}

CASES = [
    ("not required", vol(), place(), []),
    (
        "held without end",
        vol(qualifications={FIRST_AID: None}),
        place(required_qualifications=frozenset({FIRST_AID})),
        [],
    ),
    ("missing", vol(), place(required_qualifications=frozenset({FIRST_AID})), ["qualification"]),
    (
        "valid through the day",
        vol(qualifications={FIRST_AID: MON}),
        place(required_qualifications=frozenset({FIRST_AID})),
        [],
    ),
    (
        "lapsed the day before",
        vol(qualifications={FIRST_AID: MON - timedelta(days=1)}),
        place(required_qualifications=frozenset({FIRST_AID})),
        ["qualification"],
    ),
    (
        "one of two",
        vol(qualifications={FIRST_AID: None}),
        place(required_qualifications=frozenset({FIRST_AID, AUDIO})),
        ["qualification"],
    ),
    (
        "another one held",
        vol(qualifications={AUDIO: None}),
        place(required_qualifications=frozenset({FIRST_AID})),
        ["qualification"],
    ),
]


@pytest.mark.parametrize(("name", "v", "p", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_rule_in_the_specification_and_in_the_index(name, v, p, expected):
    assert infeasibility(v, p, TEST_CONFIG) == expected
    index = build_index(Problem([v], [p], TEST_CONFIG))
    vi, _pi = index.candidate_pairs()
    assert (vi.size == 1) == (not expected)
    assert bool(index.places_for_volunteer(0).size) == (not expected)


def test_the_rule_has_a_stable_code():
    assert "qualification" in FEASIBILITY_CODES


def test_the_matcher_proposes_only_qualified_people_and_says_why():
    shift = place(1, places_left=2, required_qualifications=frozenset({FIRST_AID}))
    volunteers = [
        vol(1, qualifications={FIRST_AID: MON + timedelta(days=30)}),
        vol(2),
        vol(3, qualifications={FIRST_AID: MON - timedelta(days=1)}),
    ]
    result = match(Problem(volunteers, [shift], TEST_CONFIG))
    assert [p.volunteer_id for p in result.proposals] == [1]
    reasons = {r.code: r for r in result.proposals[0].reasons}
    assert dict(reasons["qualification"].params) == {
        "qualification_id": FIRST_AID,
        "valid_until": (MON + timedelta(days=30)).isoformat(),
    }
    assert reasons["qualification"].points == 0
    assert [d.code for d in result.unfilled] == ["too_few_candidates"]


def test_nobody_qualified_is_diagnosed_with_the_qualification_named():
    shift = place(1, required_qualifications=frozenset({FIRST_AID}))
    result = match(Problem([vol(1), vol(2)], [shift], TEST_CONFIG))
    (diagnostic,) = result.unfilled
    assert (diagnostic.code, dict(diagnostic.params)) == (
        "blocked_qualification",
        {"count": 2, "qualification_ids": [FIRST_AID]},
    )
    assert render_diagnostic(diagnostic, qualification_names=NAMES) == (
        "Wszyscy pasujący wolontariusze (2) nie mają ważnej w dniu zmiany kwalifikacji "
        "„Pierwsza pomoc”"
    )


def test_mixed_blocks_name_the_missing_qualification_as_one_of_the_reasons():
    shift = place(1, min_age=18, required_qualifications=frozenset({FIRST_AID}))
    result = match(Problem([vol(1, age=10), vol(2)], [shift], TEST_CONFIG))
    (diagnostic,) = result.unfilled
    assert diagnostic.code == "blocked_mixed"
    assert dict(diagnostic.params["by"]) == {"age": 1, "qualification": 1}
    assert "brak wymaganej kwalifikacji: 1" in render_diagnostic(diagnostic)


def test_explanation_of_a_pair_without_requirement_has_no_qualification_reason():
    _score, reasons = explain_pair(vol(qualifications={FIRST_AID: None}), place(), TEST_CONFIG)
    assert "qualification" not in {r.code for r in reasons}


def test_qualification_ids_are_validated():
    with pytest.raises(ValueError):
        build_index(Problem([vol(qualifications={-1: None})], [place()], TEST_CONFIG))
