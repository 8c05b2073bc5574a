"""Coalition reports on a small hand-made coalition: the numbers are right (confirmed hours only,
each volunteer counted once, the sharing matrix symmetric, months in Warsaw time), the pages show
charts with data tables, exports are safe in spreadsheets, and bad query parameters never 500."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.extensions import db
from app.models import Role
from app.models import Shift
from app.models.hours import HoursStatus
from app.reports import queries as reports
from tests.hours.test_hours_flow import signed_in

pytestmark = pytest.mark.clock

MARCH = date(2026, 3, 15)  # "today" for the service tests: the period is January-March 2026


@pytest.fixture
def coalition(app, factory):
    """Muzeum (A), Teatr (B) and Filharmonia (C). Ewa served at A in January and at A and B in
    February; Jan at A in February; Ola at B and C in March. A pending and a rejected log at C
    must not count anywhere."""
    a = factory.institution("Muzeum Śląska Opolskiego", slug="muzeum")
    b = factory.institution("Teatr im. Kochanowskiego", slug="teatr")
    c = factory.institution("Filharmonia Opolska", slug="filharmonia")
    # Created at 23:30 UTC on 31 January = 00:30 on 1 February in Warsaw: a February volunteer.
    ewa = factory.user(created_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    jan = factory.user(created_at=datetime(2026, 1, 10, 12, 0, tzinfo=UTC))
    ola = factory.user(created_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    factory.user(Role.STAFF, institution=a, created_at=datetime(2026, 3, 2, tzinfo=UTC))
    factory.hours(ewa, a, date(2026, 1, 20), 3)
    factory.hours(ewa, a, date(2026, 2, 1), 2)
    factory.hours(ewa, b, date(2026, 2, 28), 4)
    factory.hours(jan, a, date(2026, 2, 10), 5)
    factory.hours(ola, b, date(2026, 3, 1), 1.5)
    factory.hours(ola, c, date(2026, 3, 3), 2)
    factory.hours(jan, c, date(2026, 3, 4), 6, status=HoursStatus.PENDING)
    factory.hours(ewa, c, date(2026, 3, 4), 6, status=HoursStatus.REJECTED)
    factory.hours(jan, c, date(2025, 12, 31), 8)  # before the period
    return a, b, c, ewa, jan, ola


def period():
    return reports.Period.last(3, today=MARCH)


def test_hours_per_institution_and_month_count_confirmed_hours_only(app, coalition):
    a, b, c, *_ = coalition
    table = reports.hours_per_institution(period())
    assert table.months == ["2026-01", "2026-02", "2026-03"]
    rows = {inst["name"]: (values, total) for inst, values, total in table.rows}
    assert rows[a.name] == ([3, 7, 0], 10)
    assert rows[b.name] == ([0, 4, 1.5], 5.5)
    assert rows[c.name] == ([0, 0, 2], 2)
    assert table.totals == [3, 11, 3.5]
    assert table.total == 17.5


def test_new_and_active_volunteers_count_each_person_once_in_warsaw_months(app, coalition):
    months = reports.volunteers_per_month(period())
    by_month = {m.month: (m.new, m.active) for m in months}
    # Ewa's account is from 1 February in Warsaw; staff accounts are not volunteers.
    assert by_month == {"2026-01": (1, 1), "2026-02": (1, 2), "2026-03": (1, 1)}


def test_one_institution_counts_its_own_new_and_active_volunteers(app, coalition):
    a, b, *_ = coalition
    at_a = {m.month: (m.new, m.active) for m in reports.volunteers_per_month(period(), a.id)}
    at_b = {m.month: (m.new, m.active) for m in reports.volunteers_per_month(period(), b.id)}
    assert at_a == {"2026-01": (1, 1), "2026-02": (1, 2), "2026-03": (0, 0)}
    assert at_b == {"2026-01": (0, 0), "2026-02": (1, 1), "2026-03": (1, 1)}


def test_the_exchange_counts_volunteers_at_several_institutions_and_the_matrix_is_symmetric(
    app, coalition
):
    a, b, c, *_ = coalition
    data = reports.exchange(period())
    assert data.volunteers == 3
    assert data.shared == 2  # Ewa (A, B) and Ola (B, C); Jan only at A in the period
    assert data.spread == {1: 1, 2: 2}
    assert data.cell(a.id, b.id) == data.cell(b.id, a.id) == 1
    assert data.cell(b.id, c.id) == data.cell(c.id, b.id) == 1
    assert data.cell(a.id, c.id) == 0
    for x in data.order:
        for y in data.order:
            assert data.cell(x, y) == data.cell(y, x)


def test_one_institution_sees_its_row_of_the_matrix(app, coalition):
    a, b, c, *_ = coalition
    data = reports.exchange(period(), b.id)
    assert data.volunteers == 2 and data.shared == 2
    assert data.cell(b.id, a.id) == 1 and data.cell(b.id, c.id) == 1


def test_fill_rate_counts_places_on_published_needs_shifts_in_the_period(app, factory):
    """Both weekly shifts fall in this Warsaw month whatever day it is: the 1st and the 8th."""
    a = factory.institution("Muzeum")
    first = datetime.now(reports.WARSAW).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    start = first.astimezone(UTC)
    need = factory.need(a, shifts=2, places=4, start=start)
    factory.need(a, "Szkic", shifts=1, places=10, start=start, status="draft")
    shifts = db.session.query(Shift).filter_by(need_id=need.id).order_by(Shift.id).all()
    shifts[0].accepted_count = 1
    shifts[1].accepted_count = 3
    db.session.commit()
    (row,) = reports.fill_rates(reports.Period.last(1))
    assert (row.offered, row.taken, row.rate) == (8, 4, 50.0)


def test_months_parameter_is_clamped_to_a_sane_range():
    assert reports.parse_months("6") == 6
    for bad in (None, "", "0", "37", "-3", "abc", "1e3", "٣", "9999999999"):
        assert reports.parse_months(bad) == 12
    assert len(reports.Period.last(36, today=MARCH).months) == 36
    assert reports.Period.last(2, today=date(2026, 1, 5)).months == ((2025, 12), (2026, 1))


def test_coordinator_sees_charts_each_followed_by_a_data_table(app, factory):
    a = factory.institution("Muzeum")
    ewa = factory.user()
    today = datetime.now(UTC).astimezone(reports.WARSAW).date()
    factory.hours(ewa, a, today, 3)
    coordinator = factory.user(Role.COORDINATOR)
    page = signed_in(app, coordinator).get("/reports/?months=6")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('role="img"') == 4
    assert html.count("<caption") >= 4
    assert 'aria-labelledby="chart-hours-title"' in html
    assert 'scope="row"' in html and 'scope="col"' in html
    assert "style=" not in html
    assert "Muzeum" in html


def test_staff_see_their_institution_and_not_another(app, factory):
    a = factory.institution("Muzeum", slug="muzeum")
    b = factory.institution("Teatr", slug="teatr")
    staff = signed_in(app, factory.user(Role.STAFF, institution=a))
    assert staff.get("/reports/institutions/muzeum").status_code == 200
    assert staff.get("/reports/institutions/teatr").status_code == 403
    assert staff.get("/reports/institutions/teatr/export.csv").status_code == 403
    assert staff.get("/reports/institutions/brak").status_code == 404
    assert staff.get("/reports/").status_code == 403
    assert b.id


def test_exports_neutralise_formulas_and_hold_the_table(app, factory):
    evil = factory.institution('=HYPERLINK("http://zlo.example")', slug="zlo")
    good = factory.institution("Muzeum", slug="muzeum")
    ewa = factory.user()
    today = datetime.now(UTC).astimezone(reports.WARSAW).date()
    factory.hours(ewa, evil, today, 2)
    factory.hours(ewa, good, today, 3)
    client = signed_in(app, factory.user(Role.COORDINATOR))
    text = client.get("/reports/export.csv?table=hours&months=2").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Instytucja" and len(rows[0]) == 4
    names = [r[0] for r in rows[1:-1]]
    assert '\'=HYPERLINK("http://zlo.example")' in names
    assert rows[-1] == ["Razem", "0", "5", "5"]
    response = client.get("/reports/export.xlsx?table=sharing&months=2")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][1:] == sorted(values[0][1:], key=str.lower)
    assert all(not str(v).startswith("=") for row in values for v in row if v is not None)
    assert {values[1][2], values[2][1]} == {1}
    assert client.get("/reports/export.csv?table=nic").status_code == 400


def test_bad_query_parameters_never_answer_with_a_server_error(app, factory):
    a = factory.institution("Muzeum", slug="muzeum")
    coordinator = signed_in(app, factory.user(Role.COORDINATOR))
    values = st.one_of(st.text(max_size=30), st.integers(-(10**12), 10**12).map(str))
    urls = [
        "/reports/",
        "/reports/export.csv",
        "/reports/export.xlsx",
        f"/reports/institutions/{a.slug}",
        f"/reports/institutions/{a.slug}/export.csv",
    ]

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        url=st.sampled_from(urls),
        data=st.fixed_dictionaries({}, optional={"months": values, "table": values}),
    )
    def check(url, data):
        response = coordinator.get(url, query_string=data)
        response.close()
        assert response.status_code in (200, 400), (url, data, response.status_code)

    check()


def test_staff_export_their_institution_row_of_the_matrix(app, factory):
    a = factory.institution("Muzeum", slug="muzeum")
    b = factory.institution("Teatr", slug="teatr")
    c = factory.institution("Filharmonia", slug="filharmonia")
    ewa, ola = factory.user(), factory.user()
    today = datetime.now(UTC).astimezone(reports.WARSAW).date()
    for who, where in ((ewa, a), (ewa, b), (ola, b), (ola, c)):
        factory.hours(who, where, today, 2)
    staff = signed_in(app, factory.user(Role.STAFF, institution=a))
    text = staff.get("/reports/institutions/muzeum/export.csv?table=sharing").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    # Only pairs with the museum: Teatr shares Ewa; Filharmonia and Teatr share Ola, not shown.
    assert rows[0] == ["Instytucja", "Muzeum", "Teatr"]
    assert rows[1:] == [["Muzeum", "0", "1"], ["Teatr", "1", "0"]]
    page = staff.get("/reports/institutions/muzeum").get_data(as_text=True)
    assert "Raport: Muzeum" in page and "Filharmonia" not in page


def test_charts_escape_names_and_carry_their_own_title():
    from app.reports import charts

    svg = str(charts.hbar_chart("c1", "Tytuł <b>", ["<script>x</script>"], [3]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'role="img"' in svg and 'aria-labelledby="c1-title"' in svg
    assert '<title id="c1-title">Tytuł &lt;b&gt;</title>' in svg
    assert "style=" not in svg
    empty = str(charts.line_chart("c2", "Pusto", [], [("Nowi", [])]))
    assert empty.startswith("<svg") and empty.endswith("</svg>")
    assert "style=" not in str(charts.bar_chart("c3", "Zero", ["2026-01"], [0]))
