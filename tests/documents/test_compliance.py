"""Compliance records per placement: what the law asks for, and what staff see missing."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AssignmentStatus
from app.models import ComplianceKind
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.services import compliance

pytestmark = pytest.mark.clock

K = ComplianceKind


@pytest.fixture
def museum(factory):
    return factory.institution("Muzeum Polskiej Piosenki")


def test_a_short_placement_needs_briefing_insurance_and_cost_waiver(app, factory, museum):
    volunteer = factory.user()
    need = factory.need(museum, "Dyżur w szatni")
    factory.application(volunteer, need, status=AssignmentStatus.ACCEPTED)
    assert compliance.missing_compliance(volunteer.id, need.id) == [
        K.SAFETY_BRIEFING,
        K.ACCIDENT_INSURANCE,
        K.COST_WAIVER,
    ]


def test_a_long_placement_with_children_for_a_minor_needs_consent_and_checks(app, factory, museum):
    volunteer = factory.user()
    profile = db.session.get(VolunteerProfile, volunteer.id)
    profile.date_of_birth = datetime.now(UTC).date() - timedelta(days=365 * 16)
    db.session.commit()
    need = factory.need(
        museum,
        "Warsztaty dla dzieci",
        shifts=6,
        works_with_children=True,
        offers_reimbursement=True,
    )
    for index in range(6):
        factory.application(volunteer, need, shift_index=index, status=AssignmentStatus.ACCEPTED)
    # Longer than 30 days: no NNW record needed; reimbursement offered: no waiver needed.
    assert compliance.missing_compliance(volunteer.id, need.id) == [
        K.SAFETY_BRIEFING,
        K.GUARDIAN_CONSENT,
        K.CHILD_PROTECTION,
    ]
    # A check kept on the volunteer's file counts; so does the guardian's e-mailed consent.
    factory.child_protection_check(volunteer)
    db.session.get(VolunteerProfile, volunteer.id).guardian_consent_at = datetime.now(UTC)
    db.session.commit()
    assert compliance.missing_compliance(volunteer.id, need.id) == [K.SAFETY_BRIEFING]


def test_staff_record_what_was_done_and_the_flag_goes_away(app, factory, museum):
    volunteer = factory.user()
    staff = factory.user(Role.STAFF, institution=museum)
    need = factory.need(museum, "Dyżur w szatni", offers_reimbursement=True)
    factory.application(volunteer, need, status=AssignmentStatus.ACCEPTED)
    today = date(2026, 11, 1)
    who = db.session.get(User, staff.id)
    compliance.record(volunteer.id, need.id, K.SAFETY_BRIEFING, today, "BHP", who, today)
    compliance.record(volunteer.id, need.id, K.ACCIDENT_INSURANCE, today, "Polisa 123", who, today)
    db.session.commit()
    assert compliance.missing_compliance(volunteer.id, need.id) == []
    with pytest.raises(compliance.ComplianceError):
        compliance.record(
            volunteer.id, need.id, K.COST_WAIVER, today + timedelta(days=1), "", who, today
        )


def test_nothing_is_required_or_recordable_without_an_accepted_placement(app, factory, museum):
    volunteer = factory.user()
    need = factory.need(museum, "Dyżur w szatni")
    factory.application(volunteer, need)  # only applied
    staff = factory.user(Role.STAFF, institution=museum)
    assert compliance.missing_compliance(volunteer.id, need.id) == []
    with pytest.raises(compliance.ComplianceError):
        compliance.record(
            volunteer.id,
            need.id,
            K.SAFETY_BRIEFING,
            date(2026, 1, 1),
            "",
            db.session.get(User, staff.id),
            date(2026, 11, 1),
        )


def test_staff_are_warned_about_placements_starting_soon_that_lack_records(app, factory, museum):
    volunteer = factory.user(first_name="Zenon", last_name="Brakujący")
    staff = factory.user(Role.STAFF, institution=museum)
    other_staff = factory.user(Role.STAFF, institution=factory.institution("Inne Muzeum"))
    soon = factory.need(museum, "Dyżur w szatni", offers_reimbursement=True)
    later = factory.need(museum, "Dyżur za miesiąc", start=datetime.now(UTC) + timedelta(days=40))
    factory.application(volunteer, soon, status=AssignmentStatus.ACCEPTED)
    factory.application(volunteer, later, status=AssignmentStatus.ACCEPTED)
    today = datetime.now(UTC).date()
    flagged = compliance.flagged_placements(db.session.get(User, staff.id), today)
    assert [(f["need"].id, f["missing"]) for f in flagged] == [
        (soon.id, [K.SAFETY_BRIEFING, K.ACCIDENT_INSURANCE])
    ]
    assert compliance.flagged_placements(db.session.get(User, other_staff.id), today) == []
    who = db.session.get(User, staff.id)
    for kind in (K.SAFETY_BRIEFING, K.ACCIDENT_INSURANCE):
        compliance.record(volunteer.id, soon.id, kind, today, "", who, today)
    db.session.commit()
    assert compliance.flagged_placements(who, today) == []


def test_a_long_placement_without_a_signed_agreement_is_flagged(app, factory, museum):
    from app.services import documents

    volunteer = factory.user()
    staff = factory.user(Role.STAFF, institution=museum)
    need = factory.need(museum, "Długi projekt", shifts=6, offers_reimbursement=True)
    for index in range(6):
        factory.application(volunteer, need, shift_index=index, status=AssignmentStatus.ACCEPTED)
    today = datetime.now(UTC).date()
    with app.test_request_context():
        who = db.session.get(User, staff.id)
        compliance.record(volunteer.id, need.id, K.SAFETY_BRIEFING, today, "", who, today)
        assert compliance.missing_compliance(volunteer.id, need.id) == []
        assert compliance.lacks_signed_agreement(volunteer.id, need.id)
        [flag] = compliance.flagged_placements(who, today)
        assert flag["no_agreement"] and flag["missing"] == []
        doc = documents.issue_agreement(volunteer.id, need.id, who, today)
        documents.record_signature(doc, today, "Obie strony", today)
        db.session.commit()
        assert not compliance.lacks_signed_agreement(volunteer.id, need.id)
        assert compliance.flagged_placements(who, today) == []
