"""Joint trainings in the public calendar and its iCal feed: marked, filterable, with their hosts."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import icalendar

from app.models import NeedKind
from tests.needs.test_needs_helpers import add_cohost


def trainings(app, factory):
    museum = factory.institution("Muzeum Śląska Opolskiego", short_name="MŚO", slug="muzeum")
    library = factory.institution("Biblioteka Wojewódzka", short_name="WBP", slug="biblioteka")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    joint = factory.need(
        museum, "Pierwsza pomoc dla wolontariuszy", start=start, kind=NeedKind.TRAINING
    )
    add_cohost(app, joint, library)
    factory.need(museum, "Dyżur w galerii", start=start)
    return start


def test_the_calendar_marks_joint_trainings_and_names_who_runs_them(app, client, factory):
    start = trainings(app, factory)
    page = client.get(f"/calendar/week?date={start.date().isoformat()}").get_data(as_text=True)
    line = next(li for li in page.split("<li>") if "Pierwsza pomoc" in li)
    assert "Szkolenie" in line
    assert "Muzeum Śląska Opolskiego" in line and "Biblioteka Wojewódzka" in line
    assert "Szkolenie" not in next(li for li in page.split("<li>") if "Dyżur w galerii" in li)


def test_the_calendar_shows_only_trainings_when_asked(app, client, factory):
    start = trainings(app, factory)
    query = f"year={start.year}&month={start.month}&kind=training"
    page = client.get(f"/calendar/?{query}").get_data(as_text=True)
    assert "Pierwsza pomoc dla wolontariuszy" in page and "Dyżur w galerii" not in page
    assert "kind=training" in page  # kept on the links and the feed address
    assert '<option value="training" selected>' in page
    # Filtering by the co-host finds the joint training too.
    page = client.get(f"/calendar/?{query}&institution=biblioteka").get_data(as_text=True)
    assert "Pierwsza pomoc dla wolontariuszy" in page
    # An unknown kind shows everything.
    page = client.get(
        "/calendar/week", query_string={"date": start.date().isoformat(), "kind": "x"}
    )
    assert "Dyżur w galerii" in page.get_data(as_text=True)


def test_the_ical_feed_of_trainings_names_the_kind_and_the_hosts(app, client, factory):
    trainings(app, factory)
    response = client.get("/calendar/feed.ics?kind=training")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.data)
    [event] = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Pierwsza pomoc dla wolontariuszy"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Szkolenie dla wolontariuszy"]
    assert "Muzeum Śląska Opolskiego, Biblioteka Wojewódzka" in str(event["DESCRIPTION"])
    assert "Szkolenie dla wolontariuszy" in str(cal["X-WR-CALNAME"])
    everything = icalendar.Calendar.from_ical(client.get("/calendar/feed.ics").data)
    assert len(list(everything.walk("VEVENT"))) == 2
