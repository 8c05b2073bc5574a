"""The public calendar: a month grid and a week list in Warsaw time, and an iCal feed to subscribe."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app.extensions import db
from app.models import NeedStatus
from app.models import Shift
from tests.needs.test_needs_helpers import add_cohost
from tests.needs.test_needs_helpers import add_shift

pytestmark = pytest.mark.clock

WARSAW = ZoneInfo("Europe/Warsaw")


def cell(page: str, day_number: int) -> str:
    """The text of the month grid's cell for a day of the shown month."""
    cells = re.findall(r"<td class=\"( today)?\"[^>]*>(.*?)</td>", page, re.S)
    for _today, content in cells:
        number = re.search(r"</span>(\d+)</span>", content)
        if number and int(number.group(1)) == day_number:
            return content
    raise AssertionError(f"no cell for day {day_number}")


@pytest.fixture
def spring(factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO", slug="muzeum")
    # Saturday before the change (UTC+1): 9:00 UTC is 10:00 in Warsaw.
    factory.need(museum, "Sobota zimą", start=datetime(2026, 3, 28, 9, 0, tzinfo=UTC))
    # Sunday 29 March 2026 after 2:00 (UTC+2): 8:00 UTC is 10:00 in Warsaw.
    factory.need(museum, "Niedziela latem", start=datetime(2026, 3, 29, 8, 0, tzinfo=UTC))
    # 23:30 UTC on Saturday is 0:30 on Sunday in Warsaw; four hours later the clocks read 5:30.
    factory.need(museum, "Nocny dyżur", start=datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    return museum


def test_month_grid_shows_shifts_on_their_warsaw_day_across_daylight_saving(client, spring):
    response = client.get("/calendar/?year=2026&month=3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Kalendarz: marzec 2026</h1>" in page
    assert '<th scope="col">poniedziałek</th>' in page and '<th scope="col">niedziela</th>' in page
    saturday, sunday = cell(page, 28), cell(page, 29)
    assert "10:00–14:00 Sobota zimą" in saturday
    assert "10:00–14:00 Niedziela latem" in sunday
    assert "00:30–05:30 Nocny dyżur" in sunday and "Nocny dyżur" not in saturday
    assert "luty 2026" in page and "kwiecień 2026" in page  # previous and next links


def test_month_grid_across_the_autumn_change(client, factory):
    museum = factory.institution()
    # 24 October 2026 is summer time (UTC+2), 25 October winter time (UTC+1).
    factory.need(museum, "Ostatnia sobota lata", start=datetime(2026, 10, 24, 8, 0, tzinfo=UTC))
    factory.need(museum, "Pierwsza niedziela zimy", start=datetime(2026, 10, 25, 9, 0, tzinfo=UTC))
    page = client.get("/calendar/?year=2026&month=10").get_data(as_text=True)
    assert "październik 2026" in page
    assert "10:00–14:00 Ostatnia sobota lata" in cell(page, 24)
    assert "10:00–14:00 Pierwsza niedziela zimy" in cell(page, 25)


def test_week_list_names_days_in_polish(client, factory):
    museum = factory.institution()
    factory.need(museum, "Niedzielny koncert", start=datetime(2026, 10, 25, 15, 0, tzinfo=UTC))
    response = client.get("/calendar/week?date=2026-10-22")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "poniedziałek, 19 października 2026" in page
    assert "niedziela, 25 października 2026" in page
    sunday = page.split("niedziela, 25 października 2026", 1)[1]
    assert "16:00–20:00: Niedzielny koncert" in sunday
    assert "date=2026-10-12" in page and "date=2026-10-26" in page


def test_calendar_shows_only_published_shifts_that_are_not_cancelled(app, client, factory):
    museum = factory.institution()
    start = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
    factory.need(museum, "Widoczna", start=start)
    factory.need(museum, "Szkic", start=start, status=NeedStatus.DRAFT)
    factory.need(museum, "Odwołana", start=start, status=NeedStatus.CANCELLED)
    gone = factory.need(museum, "Zmiana odwołana", start=start)
    with app.app_context():
        db.session.get(Shift, gone.shifts[0].id).is_cancelled = True
        db.session.commit()
    page = client.get("/calendar/?year=2026&month=5").get_data(as_text=True)
    assert "Widoczna" in page
    for hidden in ("Szkic", "Odwołana", "Zmiana odwołana"):
        assert hidden not in page
    page = client.get("/calendar/week?date=2026-05-12").get_data(as_text=True)
    assert "Widoczna" in page and "Szkic" not in page


def test_institution_filter_includes_co_hosted_needs(app, client, factory):
    museum = factory.institution(slug="muzeum")
    theatre = factory.institution(slug="teatr")
    start = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
    factory.need(museum, "Tylko muzeum", start=start)
    joint = factory.need(theatre, "Wspólny festiwal", start=start)
    add_cohost(app, joint, museum)
    factory.need(theatre, "Tylko teatr", start=start)
    page = client.get("/calendar/?year=2026&month=6&institution=muzeum").get_data(as_text=True)
    assert "Tylko muzeum" in page and "Wspólny festiwal" in page and "Tylko teatr" not in page
    assert "institution=muzeum" in page  # kept in the links to other months


@pytest.mark.parametrize(
    "query",
    [
        "year=abc&month=3",
        "year=99999&month=13",
        "year=-1&month=0",
        "month=%C5%BC",
        "institution=nie-ma-takiej",
        "year=2100&month=12",
        "year=2000&month=1",
    ],
)
def test_bad_month_parameters_are_ignored(client, query):
    assert client.get(f"/calendar/?{query}").status_code == 200


@pytest.mark.parametrize("value", ["jutro", "2026-02-30", "0001-01-01", "9999-12-31", "2026-1-1"])
def test_bad_week_dates_are_ignored(client, value):
    assert client.get("/calendar/week", query_string={"date": value}).status_code == 200


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def test_feed_lists_upcoming_shifts_in_warsaw_time_with_stable_uids(app, client, factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")
    soon = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=3)
    need = factory.need(museum, "Dyżur w galerii", shifts=2, start=soon, place="Opole, Rynek")
    factory.need(museum, "Dawno temu", start=soon - timedelta(days=30))
    factory.need(museum, "Szkic", start=soon, status=NeedStatus.DRAFT)
    cal = parse(client.get("/calendar/feed.ics"))
    events = list(cal.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [
        f"shift-{s.id}@okik.example.org" for s in need.shifts
    ]
    first = events[0]
    assert str(first["SUMMARY"]) == "Dyżur w galerii"
    assert str(first["LOCATION"]) == "Opole, Rynek"
    assert first.decoded("DTSTART") == soon
    assert str(first.decoded("DTSTART").tzinfo) == "Europe/Warsaw"
    assert f"/needs/{need.id}" in str(first["URL"])
    timezones = list(cal.walk("VTIMEZONE"))
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Warsaw"]
    assert b"TZID=Europe/Warsaw" in client.get("/calendar/feed.ics").data
    # Asked again, the same shift has the same UID.
    again = [str(e["UID"]) for e in parse(client.get("/calendar/feed.ics")).walk("VEVENT")]
    assert again == [str(e["UID"]) for e in events]


def test_feed_of_one_institution(app, client, factory):
    museum = factory.institution(slug="muzeum")
    theatre = factory.institution(slug="teatr")
    soon = datetime.now(UTC) + timedelta(days=2)
    factory.need(museum, "Muzealny", start=soon)
    factory.need(theatre, "Teatralny", start=soon)
    summaries = [
        str(e["SUMMARY"])
        for e in parse(client.get("/calendar/feed.ics?institution=teatr")).walk("VEVENT")
    ]
    assert summaries == ["Teatralny"]
    assert client.get("/calendar/feed.ics?institution=nie-ma").status_code == 404


def test_feed_keeps_the_warsaw_hour_across_daylight_saving(app, client, factory):
    museum = factory.institution()
    year = datetime.now(WARSAW).year + 1
    need = factory.need(museum, "Wiosna", start=datetime(year, 3, 20, 9, 0, tzinfo=UTC))
    add_shift(
        app, need, datetime(year, 4, 10, 8, 0, tzinfo=UTC), datetime(year, 4, 10, 12, 0, tzinfo=UTC)
    )
    events = list(parse(client.get("/calendar/feed.ics")).walk("VEVENT"))
    assert [e.decoded("DTSTART").astimezone(WARSAW).hour for e in events] == [10, 10]
