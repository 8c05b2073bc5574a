"""Korpus Solidarności: thresholds from configuration, progress, streaks, the monthly list and
its CSV/XLSX exports. Hours count across all coalition institutions, confirmed rows only."""

from __future__ import annotations

import csv
import io
from datetime import date
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.models.hours import HoursStatus
from app.services import korpus
from tests.hours.test_hours_flow import signed_in

pytestmark = pytest.mark.clock


@pytest.mark.parametrize(
    ("dob", "disability", "expected"),
    [
        (date(2000, 1, 1), False, (16, 12, False)),
        (date(2012, 6, 1), False, (6, 6, True)),  # 13 years old
        (date(1950, 1, 1), False, (6, 6, True)),  # over 65
        (date(1961, 6, 1), False, (16, 12, False)),  # exactly 65: still standard
        (date(2000, 1, 1), True, (6, 6, True)),
        (None, False, (16, 12, False)),
    ],
)
def test_the_threshold_follows_age_and_disability(app, dob, disability, expected):
    profile = VolunteerProfile(date_of_birth=dob, has_disability=disability)
    t = korpus.threshold_for(profile, date(2026, 5, 1))
    assert (t.hours, t.months, t.reduced) == expected


def test_thresholds_are_configuration(make_app):
    app = make_app(
        KORPUS_THRESHOLDS={
            "standard": {"hours": 20, "months": 10},
            "reduced": {"hours": 5, "months": 3},
            "standard_ages": (16, 60),
        }
    )
    with app.app_context():
        assert korpus.threshold_for(None, date(2026, 5, 1)).hours == 20
        young = VolunteerProfile(date_of_birth=date(2011, 1, 1))  # 15 in 2026
        assert korpus.threshold_for(young, date(2026, 5, 1)).hours == 5


def test_parse_month_accepts_only_yyyy_mm():
    assert korpus.parse_month("2026-05") == (2026, 5)
    for bad in (None, "", "2026-13", "2026-5", "26-05-01", "２０２６-05", "1999-01", "abcd-ef"):
        assert korpus.parse_month(bad) is None


def test_progress_counts_every_institution_and_the_streak_of_met_months(app, factory):
    a, b = factory.institution(), factory.institution()
    anna = factory.user(first_name="Anna", last_name="Nowak")
    factory.profile(anna, is_korpus=True, date_of_birth=date(2000, 3, 3))
    today = date(2026, 5, 20)
    # March and April met 16 h (April across two institutions); February did not.
    factory.hours(anna, a, date(2026, 2, 10), 10)
    factory.hours(anna, a, date(2026, 3, 10), 16)
    factory.hours(anna, a, date(2026, 4, 2), 8)
    factory.hours(anna, b, date(2026, 4, 28), 8)
    # May so far: 6 confirmed, 10 pending which do not count.
    factory.hours(anna, b, date(2026, 5, 5), 6)
    factory.hours(anna, a, date(2026, 5, 6), 10, status=HoursStatus.PENDING)
    user = db.session.get(User, anna.id)
    p = korpus.progress(user, today)
    assert (p.hours, p.met, p.streak, p.percent) == (6, False, 2, 37)
    factory.hours(anna, a, date(2026, 5, 19), 10)
    p = korpus.progress(db.session.get(User, anna.id), today)
    assert (p.hours, p.met, p.streak) == (16, True, 3)


def test_the_volunteer_sees_korpus_progress_on_my_hours(app, factory):
    a = factory.institution("Muzeum Śląska Opolskiego")
    anna = factory.user()
    plain = signed_in(app, anna).get("/hours/mine").get_data(as_text=True)
    assert "Korpus Solidarności" not in plain
    factory.profile(anna, is_korpus=True, has_disability=True)
    from app.services.hours import today_in_warsaw

    factory.hours(anna, a, today_in_warsaw(), 3)
    page = signed_in(app, anna).get("/hours/mine").get_data(as_text=True)
    assert "Korpus Solidarności" in page
    assert "W tym miesiącu: 3 z 6 godz." in page
    assert "obniżony próg" in page
    assert 'value="50"' in page


def test_coordinators_see_who_met_the_threshold_and_export_the_month(app, factory):
    a, b = factory.institution("Muzeum A"), factory.institution("Teatr B")
    anna = factory.user(first_name="Anna", last_name="Nowak", email="anna@example.org")
    jan = factory.user(first_name="Jan", last_name="Kowal", email="jan@example.org")
    zofia = factory.user(first_name="Zofia", last_name="Stara")
    outsider = factory.user(first_name="Spoza", last_name="Programu")
    factory.profile(anna, is_korpus=True, date_of_birth=date(2001, 2, 3))
    factory.profile(jan, is_korpus=True, date_of_birth=date(1999, 1, 1))
    factory.profile(zofia, is_korpus=True, date_of_birth=date(1950, 1, 1))
    factory.hours(anna, a, date(2026, 5, 2), 9)
    factory.hours(anna, b, date(2026, 5, 30), 7.5)  # 16.5 across two institutions: met
    factory.hours(jan, a, date(2026, 5, 2), 12)  # not met
    factory.hours(jan, a, date(2026, 6, 1), 12)  # another month
    factory.hours(zofia, b, date(2026, 5, 3), 6)  # reduced threshold: met
    factory.hours(outsider, a, date(2026, 5, 3), 20)
    coordinator = signed_in(app, factory.user(Role.COORDINATOR))

    page = coordinator.get("/hours/korpus?month=2026-05").get_data(as_text=True)
    assert "Próg osiągnęło: 2 z 3 uczestników." in page
    assert "Spoza Programu" not in page
    assert "Muzeum A, Teatr B" in page

    response = coordinator.get("/hours/korpus.csv?month=2026-05")
    assert response.mimetype == "text/csv"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0][:4] == ["Imię i nazwisko", "E-mail", "Data urodzenia", "Miesiąc"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Anna Nowak"] == [
        "Anna Nowak",
        "anna@example.org",
        "2001-02-03",
        "2026-05",
        "16,5",  # what a Polish spreadsheet reads as a number
        "16",
        "tak",
        "Muzeum A; Teatr B",
    ]
    assert by_name["Jan Kowal"][4:7] == ["12", "16", "nie"]
    assert by_name["Zofia Stara"][4:7] == ["6", "6", "tak"]

    xlsx = coordinator.get("/hours/korpus.xlsx?month=2026-05")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Imię i nazwisko"
    anna_row = next(v for v in values if v[0] == "Anna Nowak")
    assert anna_row == (
        "Anna Nowak",
        "anna@example.org",
        datetime(2001, 2, 3),  # date cells, not text
        datetime(2026, 5, 1),
        16.5,
        16,
        "tak",
        "Muzeum A; Teatr B",
    )
    assert len(values) == 4


def test_a_bad_month_falls_back_to_this_month(app, factory):
    coordinator = signed_in(app, factory.user(Role.COORDINATOR))
    for month in ("2026-13", "x", "%00", "9999-99"):
        # A NUL byte is refused by the app as a whole (400); anything else shows this month.
        assert coordinator.get(f"/hours/korpus?month={month}").status_code in (200, 400)
        assert coordinator.get(f"/hours/korpus.csv?month={month}").status_code in (200, 400)


def test_exported_names_cannot_run_as_spreadsheet_formulas(app, factory):
    a = factory.institution()
    evil = factory.user(first_name="=HYPERLINK(1)", last_name="x")
    factory.profile(evil, is_korpus=True)
    factory.hours(evil, a, date(2026, 5, 2), 2)
    coordinator = signed_in(app, factory.user(Role.COORDINATOR))
    body = coordinator.get("/hours/korpus.csv?month=2026-05").get_data(as_text=True)
    assert "'=HYPERLINK(1) x" in body


def test_an_export_can_cover_several_months_one_row_per_volunteer_and_month(app, factory):
    a = factory.institution("Muzeum A")
    anna = factory.user(first_name="Anna", last_name="Nowak")
    factory.profile(anna, is_korpus=True, date_of_birth=date(2001, 2, 3))
    factory.hours(anna, a, date(2025, 12, 2), 16)
    factory.hours(anna, a, date(2026, 2, 2), 4)
    coordinator = signed_in(app, factory.user(Role.COORDINATOR))
    response = coordinator.get("/hours/korpus.csv?month=2025-12&to=2026-02")
    assert "korpus-2025-12_2026-02.csv" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True).lstrip("\ufeff")
    rows = [r for r in csv.reader(io.StringIO(body), delimiter=";")][1:]
    assert [(r[3], r[4], r[6]) for r in rows] == [
        ("2025-12", "16", "tak"),
        ("2026-01", "0", "nie"),
        ("2026-02", "4", "nie"),
    ]
    # A range is capped at 24 months, and a "to" before "month" gives just the month.
    assert len(korpus.months_between((2020, 1), (2026, 1))) == 24
    short = coordinator.get("/hours/korpus.xlsx?month=2026-02&to=2025-01")
    assert len(list(load_workbook(io.BytesIO(short.get_data())).active.iter_rows())) == 2
