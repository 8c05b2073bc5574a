"""Qualifications that travel between the coalition's institutions, with the volunteer's consent.

The story: the museum trains Ala in first aid and records it; the theatre's need requires first
aid. Without Ala's consent the theatre sees nothing and cannot place her; with it, the theatre
sees the record on her page, accepts her and refuses Bartek with the reason; the matcher
proposes only her and says why. The catalogue is the coordinators'; the scheduler reminds Ala
before the qualification lapses.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select

import matching
from app.core.time import today_in_warsaw
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import AuditLog
from app.models import Consent
from app.models import ConsentKind
from app.models import HoursEntry
from app.models import HoursSource
from app.models import HoursStatus
from app.models import Need
from app.models import NeedKind
from app.models import OutboxMessage
from app.models import Qualification
from app.models import QualificationRecord
from app.models import User
from app.services import qualifications
from app.services.matching_inputs import load_places
from app.services.matching_inputs import load_volunteers
from app.services.matching_run import Scope
from app.services.matching_run import execute_run
from app.services.matching_run import start_run
from tests.factories import PASSWORD
from tests.qualifications.conftest import shares


def signed_in(app, person):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    )
    return client


def museum_knows_ala(factory, c) -> None:
    """Ala applied to a museum need, so its staff see her page."""
    factory.application(c.ala, factory.need(c.museum, "Dyżur w muzeum"))


def record_first_aid(app, c, obtained_on: date | None = None, **extra) -> None:
    client = signed_in(app, c.museum_staff)
    response = client.post(
        f"/qualifications/volunteers/{c.ala.id}",
        data={
            "qualification": str(c.first_aid),
            "institution": str(c.museum.id),
            "obtained_on": (obtained_on or today_in_warsaw() - timedelta(days=3)).isoformat(),
            **extra,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def apply(app, person, need) -> tuple[int, str]:
    client = signed_in(app, person)
    response = client.post(f"/needs/{need.id}/apply", data={"shifts": [str(need.shifts[0].id)]})
    return response.status_code, response.get_data(as_text=True)


# --- the catalogue -------------------------------------------------------------------------------


def test_coordinators_keep_the_catalogue(app, factory):
    coordinator = factory.user(__import__("app.models", fromlist=["Role"]).Role.COORDINATOR)
    client = signed_in(app, coordinator)
    added = client.post(
        "/qualifications/",
        data={
            "name_pl": "Praca z archiwaliami",
            "name_en": "Archive handling",
            "validity_months": "",
        },
    )
    assert added.status_code == 303
    page = client.get("/qualifications/").get_data(as_text=True)
    assert "Praca z archiwaliami" in page and "bezterminowo" in page
    twice = client.post("/qualifications/", data={"name_pl": "praca z ARCHIWALIAMI"})
    assert twice.status_code == 409
    assert "Taka kwalifikacja jest już w katalogu." in twice.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(
            select(Qualification).where(Qualification.name_en == "Archive handling")
        )
        entry_id = entry.id
    changed = client.post(
        f"/qualifications/{entry_id}/edit",
        data={
            "name_pl": "Praca z archiwaliami",
            "name_en": "Archive handling",
            "validity_months": "36",
        },
    )
    assert changed.status_code == 303
    assert (
        client.post(
            f"/qualifications/{entry_id}/delete", data={"confirm": str(entry_id)}
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(Qualification, entry_id) is None
        actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"qualification.added", "qualification.updated", "qualification.deleted"} <= actions


def test_an_entry_in_use_is_not_deleted(app, coalition):
    client = signed_in(app, coalition.coordinator)
    response = client.post(
        f"/qualifications/{coalition.first_aid}/delete", data={"confirm": str(coalition.first_aid)}
    )
    assert response.status_code == 409
    assert "wymagają jej potrzeby" in response.get_data(as_text=True)


def test_the_expiry_is_the_catalogues_period_counted_from_the_day_obtained(app):
    with app.app_context():
        entry = Qualification(name_pl="x", validity_months=12)
        assert qualifications.expiry_for(entry, date(2024, 2, 29)) == date(2025, 2, 28)
        entry.validity_months = 1
        assert qualifications.expiry_for(entry, date(2025, 1, 31)) == date(2025, 2, 28)
        entry.validity_months = None
        assert qualifications.expiry_for(entry, date(2025, 1, 31)) is None


# --- recording and seeing ------------------------------------------------------------------------


def test_staff_record_a_qualification_with_its_date_who_and_expiry(app, factory, coalition):
    museum_knows_ala(factory, coalition)
    obtained = today_in_warsaw() - timedelta(days=3)
    record_first_aid(app, coalition, obtained)
    with app.app_context():
        record = db.session.scalar(select(QualificationRecord))
        assert (record.user_id, record.institution_id, record.recorded_by_id) == (
            coalition.ala.id,
            coalition.museum.id,
            coalition.museum_staff.id,
        )
        assert record.expires_on == qualifications.expiry_for(
            db.session.get(Qualification, coalition.first_aid), obtained
        )
        assert db.session.scalar(
            select(AuditLog).where(AuditLog.action == "qualification.recorded")
        )
    page = signed_in(app, coalition.museum_staff).get(f"/manage/volunteers/{coalition.ala.id}")
    assert "Pierwsza pomoc" in page.get_data(as_text=True)


def test_an_entered_expiry_wins_over_the_catalogue(app, factory, coalition):
    museum_knows_ala(factory, coalition)
    until = today_in_warsaw() + timedelta(days=100)
    record_first_aid(app, coalition, expires_on=until.isoformat())
    with app.app_context():
        assert db.session.scalar(select(QualificationRecord.expires_on)) == until


def test_other_institutions_see_it_only_with_the_volunteers_consent(app, factory, coalition):
    museum_knows_ala(factory, coalition)
    record_first_aid(app, coalition)
    factory.application(coalition.ala, factory.need(coalition.theatre, "Próba generalna"))
    theatre = signed_in(app, coalition.theatre_staff)
    url = f"/manage/volunteers/{coalition.ala.id}"
    assert "Pierwsza pomoc" not in theatre.get(url).get_data(as_text=True)
    ala = signed_in(app, coalition.ala)
    granted = ala.post("/me/consents", data={"kind": "qualifications", "decision": "grant"})
    assert granted.status_code == 302
    assert "Pierwsza pomoc" in theatre.get(url).get_data(as_text=True)
    ala.post("/me/consents", data={"kind": "qualifications", "decision": "withdraw"})
    assert "Pierwsza pomoc" not in theatre.get(url).get_data(as_text=True)
    history = ala.get("/me/consents").get_data(as_text=True)
    assert history.count("Pokazywanie moich kwalifikacji innym instytucjom koalicji") >= 3
    with app.app_context():
        rows = db.session.scalars(
            select(Consent.granted)
            .where(Consent.user_id == coalition.ala.id, Consent.kind == ConsentKind.QUALIFICATIONS)
            .order_by(Consent.id)
        ).all()
        assert rows == [True, False]
        assert {"consent.granted", "consent.withdrawn"} <= set(
            db.session.scalars(select(AuditLog.action))
        )


def test_staff_who_do_not_see_the_volunteer_cannot_record(app, coalition):
    response = signed_in(app, coalition.theatre_staff).post(
        f"/qualifications/volunteers/{coalition.ala.id}",
        data={
            "qualification": str(coalition.first_aid),
            "institution": str(coalition.theatre.id),
            "obtained_on": "2025-01-01",
        },
    )
    assert response.status_code == 403


# --- the need that requires it -------------------------------------------------------------------


def test_a_need_that_requires_it_accepts_the_holder_and_refuses_another_with_the_reason(
    app, factory, coalition
):
    museum_knows_ala(factory, coalition)
    record_first_aid(app, coalition)
    shares(app, coalition.ala)
    assert apply(app, coalition.ala, coalition.show)[0] == 302
    status, page = apply(app, coalition.bartek, coalition.show)
    assert status == 409
    assert "Ta potrzeba wymaga kwalifikacji „Pierwsza pomoc”" in page
    with app.app_context():
        assignment = db.session.scalar(
            select(Assignment).where(
                Assignment.volunteer_id == coalition.ala.id, Assignment.need_id == coalition.show.id
            )
        )
    accepted = signed_in(app, coalition.theatre_staff).post(
        f"/manage/assignments/{assignment.id}/accept", data={"seen_status": "applied"}
    )
    assert accepted.status_code == 303
    with app.app_context():
        assert db.session.get(Assignment, assignment.id).status == AssignmentStatus.ACCEPTED


def test_without_consent_only_the_recording_institution_counts_it(app, factory, coalition):
    museum_knows_ala(factory, coalition)
    record_first_aid(app, coalition)
    status, page = apply(app, coalition.ala, coalition.show)
    assert status == 409 and "nie udostępniasz kwalifikacji" in page
    own = factory.need(
        coalition.museum,
        "Noc muzeów z pierwszą pomocą",
        start=datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=9),
        required_qualification_id=coalition.first_aid,
    )
    assert apply(app, coalition.ala, own)[0] == 302


def test_acceptance_is_refused_when_the_qualification_lapses_before_the_shift(
    app, factory, coalition
):
    museum_knows_ala(factory, coalition)
    shares(app, coalition.ala)
    application = factory.application(coalition.ala, coalition.show)
    record_first_aid(app, coalition, expires_on=(today_in_warsaw()).isoformat())
    response = signed_in(app, coalition.theatre_staff).post(
        f"/manage/assignments/{application.id}/accept", data={"seen_status": "applied"}
    )
    assert response.status_code == 409
    assert "Wymagana kwalifikacja „Pierwsza pomoc”" in response.get_data(as_text=True)


# --- a training grants it ------------------------------------------------------------------------


def test_a_training_records_its_qualification_for_those_whose_hours_were_confirmed(
    app, factory, coalition
):
    started = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=5)
    training = factory.need(
        coalition.museum,
        "Kurs pierwszej pomocy",
        start=started,
        kind=NeedKind.TRAINING,
        grants_qualification_id=coalition.first_aid,
    )
    with app.app_context():
        for person, status in (
            (coalition.ala, HoursStatus.CONFIRMED),
            (coalition.bartek, HoursStatus.PENDING),
        ):
            db.session.add(
                HoursEntry(
                    volunteer_id=person.id,
                    institution_id=coalition.museum.id,
                    need_id=training.id,
                    worked_on=started.date(),
                    hours=4,
                    source=HoursSource.SHIFT,
                    status=status,
                )
            )
        db.session.commit()
    staff = signed_in(app, coalition.museum_staff)
    assert "Odnotuj kwalifikację uczestnikom" in staff.get(f"/manage/needs/{training.id}").get_data(
        as_text=True
    )
    url = f"/qualifications/needs/{training.id}/grant"
    assert staff.post(url, data={"confirm": str(coalition.first_aid)}).status_code == 303
    assert staff.post(url, data={"confirm": str(coalition.first_aid)}).status_code == 303
    with app.app_context():
        records = db.session.scalars(select(QualificationRecord)).all()
        assert [(r.user_id, r.need_id, r.obtained_on) for r in records] == [
            (coalition.ala.id, training.id, started.date())
        ]
    other = signed_in(app, coalition.theatre_staff)
    assert other.post(url, data={"confirm": str(coalition.first_aid)}).status_code == 403


def test_only_a_training_grants_a_qualification(app, coalition):
    client = signed_in(app, coalition.theatre_staff)
    response = client.post(
        f"/qualifications/needs/{coalition.show.id}/grant", data={"confirm": "None"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(QualificationRecord)) is None


# --- matching ------------------------------------------------------------------------------------


def test_the_loader_feeds_shared_qualifications_and_the_needs_requirement(app, factory, coalition):
    museum_knows_ala(factory, coalition)
    record_first_aid(app, coalition)
    with app.app_context():
        now = datetime.now(UTC)
        places = load_places(Scope(), now)
        (show,) = [p for p in places if p.need_id == coalition.show.id]
        assert show.required_qualifications == frozenset({coalition.first_aid})
        config = matching.MatchingConfig()
        before = {v.id: v.qualifications for v in load_volunteers(now, config, coalition.show_day)}
        assert before[coalition.ala.id] == {}
    shares(app, coalition.ala)
    with app.app_context():
        after = {
            v.id: v.qualifications
            for v in load_volunteers(datetime.now(UTC), config, coalition.show_day)
        }
        (until,) = after[coalition.ala.id].values()
        assert until is not None and until > coalition.show_day


def test_the_matcher_proposes_only_qualified_people_and_explains_it(app, factory, coalition):
    museum_knows_ala(factory, coalition)
    record_first_aid(app, coalition)
    shares(app, coalition.ala)
    with app.app_context():
        run = start_run(db.session.get(User, coalition.coordinator.id), Scope())
        execute_run(run)
        db.session.commit()
        proposed = db.session.scalars(
            select(Assignment).where(
                Assignment.need_id == coalition.show.id,
                Assignment.status == AssignmentStatus.PROPOSED,
            )
        ).all()
        assert [a.volunteer_id for a in proposed] == [coalition.ala.id]
        assert "qualification" in {r["code"] for r in proposed[0].reasons}
        run_id = run.id
    page = (
        signed_in(app, coalition.coordinator)
        .get(f"/proposals/runs/{run_id}")
        .get_data(as_text=True)
    )
    assert "ma wymaganą kwalifikację: Pierwsza pomoc" in page


def test_an_unfilled_need_names_the_missing_qualification(app, coalition):
    with app.app_context():
        run = start_run(db.session.get(User, coalition.coordinator.id), Scope())
        execute_run(run)
        db.session.commit()
        codes = {d["code"] for d in run.diagnostics}
        run_id = run.id
    assert "blocked_qualification" in codes
    page = (
        signed_in(app, coalition.coordinator)
        .get(f"/proposals/runs/{run_id}")
        .get_data(as_text=True)
    )
    assert "ważnej w dniu zmiany kwalifikacji: Pierwsza pomoc" in page


# --- the volunteer's view and the reminder -------------------------------------------------------


def test_the_volunteer_sees_their_qualifications_and_is_reminded_once_before_one_lapses(
    app, factory, coalition
):
    from app.scheduling.reminders import qualification_reminders

    museum_knows_ala(factory, coalition)
    until = today_in_warsaw() + timedelta(days=20)
    record_first_aid(app, coalition, expires_on=until.isoformat())
    page = signed_in(app, coalition.ala).get("/qualifications/mine").get_data(as_text=True)
    assert "Pierwsza pomoc" in page and "wkrótce wygaśnie" in page
    with app.app_context():
        assert qualification_reminders(datetime.now(UTC)) == 1
        assert qualification_reminders(datetime.now(UTC)) == 0
        db.session.commit()
        (message,) = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "qualification")
        ).all()
        assert message.to_address == coalition.ala.email and message.is_optional
        assert "Pierwsza pomoc" in message.subject


def test_a_renewed_qualification_is_not_reminded(app, factory, coalition):
    from app.scheduling.reminders import qualification_reminders

    museum_knows_ala(factory, coalition)
    record_first_aid(
        app, coalition, expires_on=(today_in_warsaw() + timedelta(days=20)).isoformat()
    )
    record_first_aid(app, coalition)  # a new course: 24 months from now
    with app.app_context():
        assert qualification_reminders(datetime.now(UTC)) == 0


def test_the_need_form_offers_the_catalogue(app, coalition):
    client = signed_in(app, coalition.theatre_staff)
    page = client.get(f"/manage/needs/{coalition.show.id}/edit").get_data(as_text=True)
    assert "Wymagana kwalifikacja" in page and "Pierwsza pomoc" in page
    with app.app_context():
        assert (
            db.session.get(Need, coalition.show.id).required_qualification_id == coalition.first_aid
        )


def test_the_volunteer_downloads_their_qualifications_and_deletion_erases_them(
    app, factory, coalition
):
    from app.volunteers.data_rights import delete_account
    from app.volunteers.data_rights import export_data

    museum_knows_ala(factory, coalition)
    record_first_aid(app, coalition)
    with app.app_context():
        person = db.session.get(User, coalition.ala.id)
        (row,) = export_data(person)["qualifications"]
        assert (row["qualification"], row["recorded_by"]) == (
            "Pierwsza pomoc",
            coalition.museum_staff.full_name,
        )
        delete_account(person)
        db.session.commit()
        assert db.session.scalar(select(QualificationRecord)) is None
