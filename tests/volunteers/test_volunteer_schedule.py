"""A volunteer follows their shifts: the schedule, withdrawing, notices and the personal iCal feed."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from icalendar import Calendar

from app.extensions import db
from app.models import Assignment
from app.models import AssignmentStatus
from app.models import Notice
from app.models import Shift
from app.models import User
from app.models import VolunteerProfile
from app.services.notices import notify

pytestmark = pytest.mark.clock

# 10:00 in Warsaw on a summer Saturday (CEST, UTC+2) is 08:00 UTC.
SUMMER_MORNING = datetime(2027, 7, 10, 8, 0, tzinfo=UTC)
# 18:00 in Warsaw on a winter Friday (CET, UTC+1) is 17:00 UTC.
WINTER_EVENING = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)


@pytest.fixture
def before_the_fixed_shifts(time_machine):
    """Today is 2 December 2026, before both shifts above, whatever the clock of the run says.
    Request it before any fixture that signs in: a session signed later than "now" is void."""
    time_machine.move_to(datetime(2026, 12, 2, 11, 0, tzinfo=UTC))


@pytest.fixture
def museum(factory):
    return factory.institution("Muzeum Śląska Opolskiego")


@pytest.fixture
def ewa(factory, auth):
    volunteer = factory.user(first_name="Ewa", email="ewa@example.org")
    auth.login(volunteer.email)
    return volunteer


def get_assignment(app, assignment_id: int) -> Assignment:
    a = db.session.get(Assignment, assignment_id)
    _ = a.shift
    db.session.expunge_all()
    return a


def test_schedule_shows_upcoming_and_past_shifts_in_warsaw_time(
    before_the_fixed_shifts, client, factory, museum, ewa
):
    festival = factory.need(
        museum, "Noc Muzeów: obsługa gości", start=SUMMER_MORNING, place="Opole, ul. Ratuszowa"
    )
    workshop = factory.need(museum, "Warsztaty zimowe", start=WINTER_EVENING)
    last_year = factory.need(
        museum, "Jarmark bożonarodzeniowy", start=datetime(2025, 12, 6, 9, tzinfo=UTC)
    )
    factory.application(ewa, festival, status=AssignmentStatus.ACCEPTED)
    factory.application(ewa, workshop)
    factory.application(ewa, last_year, status=AssignmentStatus.COMPLETED)

    page = client.get("/me/schedule").get_data(as_text=True)
    upcoming, past = page.split('id="past-heading"')
    assert "Noc Muzeów: obsługa gości" in upcoming and "Warsztaty zimowe" in upcoming
    assert "Jarmark bożonarodzeniowy" in past
    assert "10.07.2027, 10:00" in upcoming  # shown in Warsaw time, not 08:00 UTC
    assert "15.01.2027, 18:00" in upcoming
    assert "przyjęto na zmianę" in upcoming
    assert "zgłoszenie czeka na decyzję instytucji" in upcoming
    assert "zakończone, godziny potwierdzone" in past
    assert "Muzeum Śląska Opolskiego" in page
    # The winter workshop comes before the summer festival.
    assert upcoming.index("Warsztaty zimowe") < upcoming.index("Noc Muzeów")


def test_volunteer_withdraws_after_confirming_and_the_place_is_released(
    app, client, factory, museum, ewa
):
    need = factory.need(museum, "Dyżur w galerii", places=1)
    mine = factory.application(ewa, need, status=AssignmentStatus.ACCEPTED)

    confirm = client.get(f"/me/assignments/{mine.id}/withdraw")
    assert confirm.status_code == 200
    assert "Czy na pewno chcesz się wycofać?" in confirm.get_data(as_text=True)
    # Opening the confirmation changes nothing.
    assert get_assignment(app, mine.id).status == AssignmentStatus.ACCEPTED

    response = client.post(f"/me/assignments/{mine.id}/withdraw")
    assert response.status_code == 302
    after = get_assignment(app, mine.id)
    assert after.status == AssignmentStatus.WITHDRAWN
    assert after.shift.accepted_count == 0
    page = client.get("/me/schedule").get_data(as_text=True)
    assert "Wycofano zgłoszenie: Dyżur w galerii." in page
    assert "zgłoszenie wycofane" in page

    # Twice changes nothing and says what happened, not an error page.
    again = client.post(f"/me/assignments/{mine.id}/withdraw")
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "To zgłoszenie zostało już wycofane." in page
    assert get_assignment(app, mine.id).shift.accepted_count == 0


def test_a_shift_that_has_started_cannot_be_withdrawn_here(app, client, factory, museum, ewa):
    started = datetime.now(UTC) - timedelta(hours=1)
    need = factory.need(museum, "Trwający dyżur", start=started)
    mine = factory.application(ewa, need, status=AssignmentStatus.ACCEPTED)
    page = client.get(f"/me/assignments/{mine.id}/withdraw").get_data(as_text=True)
    assert "Tego zgłoszenia nie można już wycofać." in page
    response = client.post(f"/me/assignments/{mine.id}/withdraw")
    assert response.status_code == 409
    assert "Zmiana już się rozpoczęła" in response.get_data(as_text=True)
    assert get_assignment(app, mine.id).status == AssignmentStatus.ACCEPTED


def test_another_volunteers_assignment_cannot_be_read_or_withdrawn(
    app, client, factory, museum, ewa
):
    other = factory.user(first_name="Marek")
    need = factory.need(museum, "Dyżur Marka")
    theirs = factory.application(other, need, status=AssignmentStatus.ACCEPTED)
    assert client.get(f"/me/assignments/{theirs.id}/withdraw").status_code == 404
    assert client.post(f"/me/assignments/{theirs.id}/withdraw").status_code == 404
    after = get_assignment(app, theirs.id)
    assert after.status == AssignmentStatus.ACCEPTED
    assert after.shift.accepted_count == 1
    assert "Dyżur Marka" not in client.get("/me/schedule").get_data(as_text=True)
    assert client.get("/me/assignments/999999/withdraw").status_code == 404


def test_notices_are_listed_counted_and_marked_read(app, client, factory, museum, ewa):
    need = factory.need(museum, "Koncert w amfiteatrze")
    notify([ewa.id], "need_changed", need.id, title="Koncert w amfiteatrze")
    notify([ewa.id], "need_cancelled", need.id, title="Koncert w amfiteatrze")
    other = User.query.filter(User.id != ewa.id).first()
    if other is not None:
        notify([other.id], "need_changed", need.id, title="Cudze")
    db.session.commit()
    assert "Nieprzeczytane powiadomienia: 2" in client.get("/me/schedule").get_data(as_text=True)
    page = client.get("/me/notices").get_data(as_text=True)
    assert "Zmieniły się szczegóły potrzeby „Koncert w amfiteatrze”" in page
    assert "Instytucja odwołała potrzebę „Koncert w amfiteatrze”" in page
    assert "Cudze" not in page

    assert client.post("/me/notices/read").status_code == 302
    assert "Brak nowych powiadomień" in client.get("/me/schedule").get_data(as_text=True)
    assert Notice.query.filter_by(user_id=ewa.id, read_at=None).count() == 0


def feed_of(client, token: str) -> Calendar:
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_the_personal_feed_holds_accepted_and_offered_shifts_in_warsaw_time(
    before_the_fixed_shifts, app, factory, museum, ewa
):
    festival = factory.need(
        museum, "Noc Muzeów: obsługa gości", start=SUMMER_MORNING, place="Opole, ul. Ratuszowa"
    )
    offer = factory.need(museum, "Oprowadzanie po wystawie", start=WINTER_EVENING)
    only_applied = factory.need(
        museum, "Tylko zgłoszenie", start=WINTER_EVENING + timedelta(days=1)
    )
    accepted = factory.application(ewa, festival, status=AssignmentStatus.ACCEPTED)
    factory.application(ewa, offer, status=AssignmentStatus.OFFERED)
    factory.application(ewa, only_applied)
    someone = factory.user()
    factory.application(someone, only_applied, status=AssignmentStatus.ACCEPTED)

    anonymous = app.test_client()  # calendar apps do not sign in
    cal = feed_of(anonymous, factory.feed_token(ewa))
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        "Noc Muzeów: obsługa gości",
        "Oprowadzanie po wystawie (propozycja – czeka na Twoją odpowiedź)",
    }
    event = events["Noc Muzeów: obsługa gości"]
    assert str(event["UID"]) == f"assignment-{accepted.id}@okik.example.org"
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (10, 0)
    assert str(start.tzinfo) == "Europe/Warsaw"
    assert event["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert start.astimezone(UTC) == SUMMER_MORNING
    assert event.decoded("DTEND").astimezone(UTC) == SUMMER_MORNING + timedelta(hours=4)
    assert str(event["LOCATION"]) == "Opole, ul. Ratuszowa"
    assert str(event["DESCRIPTION"]) == "Muzeum Śląska Opolskiego"
    timezones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert timezones == ["Europe/Warsaw"]
    winter = events["Oprowadzanie po wystawie (propozycja – czeka na Twoją odpowiedź)"]
    assert winter.decoded("DTSTART").hour == 18

    # The same UID every time, so calendar apps update instead of duplicating.
    again = feed_of(anonymous, factory.feed_token(ewa))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == {
        str(e["UID"]) for e in cal.walk("VEVENT")
    }


def test_unknown_feed_token_is_not_found(client):
    assert client.get("/feeds/nie-ma-takiego.ics").status_code == 404


def test_volunteer_replaces_the_feed_address_and_the_old_one_stops_working(
    app, client, factory, ewa
):
    old = factory.feed_token(ewa)
    page = client.get("/me/schedule").get_data(as_text=True)
    assert f"/feeds/{old}.ics" in page
    assert client.post("/me/feed/reset").status_code == 302
    new = factory.feed_token(ewa)
    assert new != old
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    assert f"/feeds/{new}.ics" in client.get("/me/schedule").get_data(as_text=True)


def test_a_cancelled_shift_leaves_the_feed(before_the_fixed_shifts, app, factory, museum, ewa):
    need = factory.need(museum, "Odwołany koncert", start=SUMMER_MORNING)
    factory.application(ewa, need, status=AssignmentStatus.ACCEPTED)
    db.session.get(Shift, need.shifts[0].id).is_cancelled = True
    db.session.commit()
    cal = feed_of(app.test_client(), factory.feed_token(ewa))
    assert cal.walk("VEVENT") == []


def test_inactive_account_has_no_feed(app, factory, ewa):
    token = factory.feed_token(ewa)
    db.session.get(User, ewa.id).is_active_account = False
    db.session.commit()
    assert db.session.get(VolunteerProfile, ewa.id).feed_token == token
    assert app.test_client().get(f"/feeds/{token}.ics").status_code == 404
