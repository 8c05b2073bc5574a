"""A volunteer looks for needs: text without diacritics, filters, pages, and needs that fit them."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.models import NeedKind
from app.models import NeedStatus
from app.models import Role
from app.services.search import Window
from app.services.search import shift_fits
from tests.factories import PASSWORD
from tests.needs.test_needs_helpers import add_cohost
from tests.needs.test_needs_helpers import add_skills
from tests.needs.test_needs_helpers import count_queries
from tests.needs.test_needs_helpers import make_skill
from tests.needs.test_needs_helpers import set_profile

WARSAW = ZoneInfo("Europe/Warsaw")


def titles(response) -> list[str]:
    page = response.get_data(as_text=True)
    return re.findall(r'<h3 class="need-title"><a href="/needs/\d+">([^<]+)</a>', page)


def local_noon(days: int) -> datetime:
    day = datetime.now(WARSAW).date() + timedelta(days=days)
    return datetime.combine(day, time(12), tzinfo=WARSAW).astimezone(UTC)


@pytest.fixture
def exchange(app, factory):
    """Needs of two institutions that differ in one way each."""
    museum = factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")
    theatre = factory.institution("Teatr im. Jana Kochanowskiego", slug="teatr")
    photo = make_skill(app, "Fotografia", "Photography")
    guide = make_skill(app, "Oprowadzanie", "Guiding")
    needs = {}
    needs["foto"] = factory.need(
        museum, "Fotografia wydarzeń", start=local_noon(10), min_age=18, description="Zdjęcia."
    )
    add_skills(app, needs["foto"], [(photo, 2, True)])
    needs["lodz"] = factory.need(
        museum, "Wyjazd studyjny", place="Łódź, ul. Piotrkowska", start=local_noon(30), min_age=16
    )
    needs["zolw"] = factory.need(
        theatre,
        "Opieka nad rekwizytami",
        description="Dbamy o żółwia z przedstawienia dla dzieci.",
        start=local_noon(5),
        kind=NeedKind.RECURRING,
        is_accessible=True,
        min_age=18,
    )
    needs["korpus"] = factory.need(
        theatre,
        "Stała pomoc na widowni",
        kind=NeedKind.LONG_TERM,
        start=local_noon(3),
        min_age=18,
    )
    needs["wspolna"] = factory.need(
        museum, "Noc Muzeów w teatrze", start=local_noon(20), kind=NeedKind.TRAINING, min_age=18
    )
    add_cohost(app, needs["wspolna"], theatre)
    add_skills(app, needs["wspolna"], [(guide, 1, False)])
    # Never found: past, cancelled, draft, closed.
    factory.need(museum, "Przeszła fotografia", start=local_noon(-3))
    gone = factory.need(museum, "Odwołana fotografia", start=local_noon(4))
    from app.extensions import db
    from app.models import Shift

    with app.app_context():
        db.session.get(Shift, gone.shifts[0].id).is_cancelled = True
        db.session.commit()
    factory.need(museum, "Szkic fotografii", status=NeedStatus.DRAFT)
    factory.need(museum, "Zamknięta fotografia", status=NeedStatus.CLOSED)
    return {"needs": needs, "photo": photo, "guide": guide}


ALL = [
    "Stała pomoc na widowni",
    "Opieka nad rekwizytami",
    "Fotografia wydarzeń",
    "Noc Muzeów w teatrze",
    "Wyjazd studyjny",
]


def in_days(n: int) -> str:
    return (datetime.now(WARSAW).date() + timedelta(days=n)).isoformat()


CASES = [
    ("no filters: published needs with a future shift, soonest first", {}, ALL),
    ("lodz finds Łódź", {"q": "lodz"}, ["Wyjazd studyjny"]),
    ("ŁÓDŹ in capitals too", {"q": "ŁÓDŹ"}, ["Wyjazd studyjny"]),
    ("fotografia finds Fotografia", {"q": "fotografia"}, ["Fotografia wydarzeń"]),
    ("zolw finds żółw", {"q": "zolw"}, ["Opieka nad rekwizytami"]),
    ("every word must match", {"q": "noc teatr"}, ["Noc Muzeów w teatrze"]),
    ("a word that matches nothing empties the list", {"q": "noc fotografia"}, []),
    ("skill names are searched", {"q": "photography"}, ["Fotografia wydarzeń"]),
    ("institution name is searched", {"q": "kochanowskiego"}, ALL[:2] + ["Noc Muzeów w teatrze"]),
    ("LIKE wildcards are plain text", {"q": "%"}, []),
    ("institution includes co-hosted needs", {"institution": "teatr"}, ALL[:2] + [ALL[3]]),
    ("institution, host only", {"institution": "muzeum"}, [ALL[2], ALL[3], ALL[4]]),
    ("unknown institution finds nothing", {"institution": "nie-ma"}, []),
    ("kind", {"kind": "recurring"}, ["Opieka nad rekwizytami"]),
    ("training", {"kind": "training"}, ["Noc Muzeów w teatrze"]),
    ("Korpus Solidarności is long-term", {"korpus": "1"}, ["Stała pomoc na widowni"]),
    ("suitable for minors", {"minors": "1"}, ["Wyjazd studyjny"]),
    ("accessible place", {"accessible": "1"}, ["Opieka nad rekwizytami"]),
    ("date range", {"from": in_days(4), "to": in_days(20)}, [ALL[1], ALL[2], ALL[3]]),
    ("from only", {"from": in_days(21)}, ["Wyjazd studyjny"]),
    ("to only", {"to": in_days(3)}, ["Stała pomoc na widowni"]),
    ("combined", {"institution": "muzeum", "to": in_days(15)}, ["Fotografia wydarzeń"]),
    ("bad kind is ignored", {"kind": "picnic"}, ALL),
    ("bad date is ignored", {"from": "31.02.2026"}, ALL),
    ("page=abc is ignored", {"page": "abc"}, ALL),
    ("huge page shows the last page", {"page": "99999999999999999999"}, ALL),
    ("a profile filter for others is ignored", {"matches_profile": "1"}, ALL),
]


@pytest.mark.clock
@pytest.mark.parametrize(("story", "params", "expected"), CASES, ids=[c[0] for c in CASES])
def test_search_filters(client, exchange, story, params, expected):
    if "skill" in params:
        params = {**params, "skill": exchange[params["skill"]]}
    response = client.get("/needs/", query_string=params)
    assert response.status_code == 200
    assert titles(response) == expected


def test_skill_filter_finds_needs_asking_for_it(client, exchange):
    response = client.get("/needs/", query_string={"skill": exchange["guide"]})
    assert titles(response) == ["Noc Muzeów w teatrze"]
    response = client.get("/needs/", query_string={"skill": exchange["photo"]})
    assert titles(response) == ["Fotografia wydarzeń"]


def test_bad_parameters_are_named_on_the_page(client, exchange):
    response = client.get("/needs/?kind=picnic&from=jutro&to=2026-13-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nieznany rodzaj potrzeby." in page
    assert "RRRR-MM-DD" in page


@pytest.mark.clock
def test_date_range_uses_warsaw_dates(app, client, factory):
    museum = factory.institution()
    day = datetime.now(WARSAW).date() + timedelta(days=9)
    late = datetime.combine(day, time(23, 30), tzinfo=WARSAW).astimezone(UTC)
    factory.need(museum, "Nocne zwiedzanie", start=late)
    # 23:30 in Warsaw is the next day in UTC only in summer; the Warsaw date is what counts.
    assert titles(client.get(f"/needs/?from={day}&to={day}")) == ["Nocne zwiedzanie"]
    assert titles(client.get(f"/needs/?from={day + timedelta(days=1)}")) == []


def test_results_come_in_pages_of_twenty(client, factory):
    museum = factory.institution()
    for n in range(23):
        factory.need(museum, f"Dyżur numer {n:02d}", start=local_noon(2) + timedelta(hours=n))
    first = client.get("/needs/")
    assert len(titles(first)) == 20
    page = first.get_data(as_text=True)
    assert "Znaleziono 23 potrzeb" in page or "Znaleziono 23" in page
    assert 'rel="next"' in page
    second = client.get("/needs/?page=2")
    assert titles(second) == ["Dyżur numer 20", "Dyżur numer 21", "Dyżur numer 22"]


def test_pagination_links_keep_the_filters(client, factory):
    museum = factory.institution(slug="muzeum-stron")
    for n in range(21):
        factory.need(museum, f"Wystawa {n}", start=local_noon(2) + timedelta(hours=n))
    page = client.get("/needs/?q=wystawa&institution=muzeum-stron").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "q=wystawa" in link and "institution=muzeum-stron" in link and "page=2" in link


def test_search_queries_do_not_grow_with_the_number_of_results(app, client, factory):
    museum = factory.institution()
    other = factory.institution()
    skill = make_skill(app, "Obsługa kasy")

    def add(count: int) -> None:
        for n in range(count):
            need = factory.need(museum, f"Kasa {n}", shifts=3, start=local_noon(2 + n))
            add_skills(app, need, [(skill, 1, True)])
            add_cohost(app, need, other)

    add(2)
    with count_queries(app) as few:
        assert len(titles(client.get("/needs/"))) == 2
    add(18)
    with count_queries(app) as many:
        assert len(titles(client.get("/needs/"))) == 20
    assert len(many) == len(few), (few, many)
    assert len(many) <= 10


# --- "Pasuje do mojego profilu" -----------------------------------------------------------------


def next_weekday(weekday: int, hour: int, weeks_ahead: int = 1) -> datetime:
    today = datetime.now(WARSAW).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)
    return datetime.combine(day, time(hour), tzinfo=WARSAW).astimezone(UTC)


@pytest.fixture
def profile_world(app, factory):
    museum = factory.institution()
    photo = make_skill(app, "Fotografia")
    volunteer = factory.user(Role.VOLUNTEER)
    set_profile(
        app,
        volunteer,
        skills=[(photo, 2)],
        # Saturdays 9:00-15:00, Warsaw time.
        windows=[(5, time(9), time(15))],
    )
    saturday = next_weekday(5, 10)
    sunday = next_weekday(6, 10)
    fits = factory.need(museum, "Sobotnie zdjęcia", start=saturday)
    add_skills(app, fits, [(photo, 2, True)])
    factory.need(museum, "Niedzielny dyżur", start=sunday)
    factory.need(museum, "Sobota wieczorem", start=next_weekday(5, 18))
    too_hard = factory.need(museum, "Zdjęcia dla mistrzów", start=saturday)
    add_skills(app, too_hard, [(photo, 3, True)])
    nice_only = factory.need(museum, "Sobota z aparatem mile widzianym", start=saturday)
    add_skills(app, nice_only, [(make_skill(app, "Druk 3D"), 3, False)])
    return volunteer, saturday


@pytest.mark.clock
def test_matches_profile_needs_skills_and_a_free_shift(app, client, profile_world):
    volunteer, _saturday = profile_world
    client.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    page = client.get("/needs/").get_data(as_text=True)
    assert "Pasuje do mojego profilu" in page
    found = titles(client.get("/needs/?matches_profile=1"))
    assert sorted(found) == ["Sobota z aparatem mile widzianym", "Sobotnie zdjęcia"]


@pytest.mark.clock
def test_dates_away_rule_out_a_shift(app, client, factory, profile_world):
    volunteer, saturday = profile_world
    day = saturday.astimezone(WARSAW).date()
    set_profile(app, volunteer, absences=[(day - timedelta(days=1), day)])
    client.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    assert titles(client.get("/needs/?matches_profile=1")) == []


def test_profile_filter_is_not_offered_to_staff(app, client, factory, profile_world):
    staff = factory.user(Role.STAFF, institution=factory.institution())
    client.post("/login", data={"email": staff.email, "password": PASSWORD})
    page = client.get("/needs/?matches_profile=1").get_data(as_text=True)
    assert "Pasuje do mojego profilu" not in page
    assert len(titles(client.get("/needs/?matches_profile=1"))) == 5


@pytest.mark.parametrize(
    ("start", "end", "fits"),
    [
        # Saturday 28 March 2026 (winter time) and Saturday 4 April 2026 (summer time).
        (datetime(2026, 3, 28, 8, 0, tzinfo=UTC), datetime(2026, 3, 28, 12, 0, tzinfo=UTC), True),
        (datetime(2026, 4, 4, 7, 0, tzinfo=UTC), datetime(2026, 4, 4, 11, 0, tzinfo=UTC), True),
        # 7:00 UTC is 8:00 in winter: before the window opens.
        (datetime(2026, 3, 28, 7, 0, tzinfo=UTC), datetime(2026, 3, 28, 9, 0, tzinfo=UTC), False),
        # Ends after the window closes.
        (datetime(2026, 4, 4, 11, 0, tzinfo=UTC), datetime(2026, 4, 4, 14, 0, tzinfo=UTC), False),
        # A Sunday.
        (datetime(2026, 3, 29, 8, 0, tzinfo=UTC), datetime(2026, 3, 29, 10, 0, tzinfo=UTC), False),
    ],
)
@pytest.mark.clock
def test_availability_windows_are_warsaw_wall_clock(start, end, fits):
    saturday_morning = [Window(5, time(9), time(15))]
    assert shift_fits(start, end, saturday_morning, []) is fits
    assert (
        shift_fits(start, end, saturday_morning, [(date(2026, 3, 1), date(2026, 4, 30))]) is False
    )
