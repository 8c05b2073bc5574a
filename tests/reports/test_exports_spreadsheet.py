"""A coordinator opens the exports in a spreadsheet set to Polish and sums the hours.

A Polish spreadsheet splits a CSV at `;`, reads UTF-8 when the file starts with a BOM, and takes a
field as a number only when it is digits with an optional decimal comma: `20.0` stays text and
cannot be summed. In XLSX the cell types decide: dates must be date cells, hours numbers.
"""

from __future__ import annotations

import io
import re
from datetime import date
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.core.time import today_in_warsaw
from app.models import Role
from tests.hours.test_hours_flow import signed_in

pytestmark = pytest.mark.clock

BOM = b"\xef\xbb\xbf"
POLISH_NUMBER = re.compile(r"-?\d+(,\d+)?")


def as_polish_spreadsheet(body: bytes) -> list[list[object]]:
    """Read a CSV as a spreadsheet in the Polish locale does: fields that look like Polish
    numbers become numbers, everything else stays text."""
    assert body.startswith(BOM)
    text = body[len(BOM) :].decode("utf-8")
    rows = []
    for line in text.split("\r\n")[:-1]:
        cells: list[object] = []
        for field in line.split(";"):
            if POLISH_NUMBER.fullmatch(field):
                cells.append(float(field.replace(",", ".")))
            else:
                cells.append(field)
        rows.append(cells)
    return rows


@pytest.fixture
def korpus_month(app, factory):
    museum, theatre = factory.institution("Muzeum A"), factory.institution("Teatr B")
    anna = factory.user(first_name="Anna", last_name="Nowak")
    jan = factory.user(first_name="Jan", last_name="Kowal")
    factory.profile(anna, is_korpus=True, date_of_birth=date(2001, 2, 3))
    factory.profile(jan, is_korpus=True, date_of_birth=date(1999, 1, 1))
    factory.hours(anna, museum, date(2026, 5, 2), 18)
    factory.hours(anna, theatre, date(2026, 5, 9), 2)  # 20 in all: a whole number
    factory.hours(jan, museum, date(2026, 5, 3), 2.5)
    return signed_in(app, factory.user(Role.COORDINATOR))


def test_the_korpus_csv_has_hours_a_polish_spreadsheet_can_sum(korpus_month):
    body = korpus_month.get("/hours/korpus.csv?month=2026-05").get_data()
    assert body.startswith(BOM)
    assert b"Anna Nowak;" in body and b";2001-02-03;2026-05;20;16;tak;" in body
    assert b";2,5;16;nie;" in body
    assert b"20.0" not in body and b"2.5" not in body
    rows = as_polish_spreadsheet(body)
    hours = {row[0]: row[4] for row in rows[1:]}
    assert hours == {"Anna Nowak": 20.0, "Jan Kowal": 2.5}
    assert all(isinstance(row[5], float) for row in rows[1:])  # thresholds are numbers too


def test_the_korpus_xlsx_has_date_cells_and_numeric_hours(korpus_month):
    body = korpus_month.get("/hours/korpus.xlsx?month=2026-05").get_data()
    sheet = load_workbook(io.BytesIO(body)).active
    anna = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Anna Nowak")
    born, month, hours, threshold = anna[2], anna[3], anna[4], anna[5]
    assert born.is_date and born.value == datetime(2001, 2, 3)
    assert born.number_format == "yyyy-mm-dd"
    assert month.is_date and month.value == datetime(2026, 5, 1)
    assert month.number_format == "yyyy-mm"
    assert hours.data_type == "n" and hours.value == 20
    assert threshold.data_type == "n" and threshold.value == 16
    jan = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Jan Kowal")
    assert jan[4].value == 2.5


def test_the_hours_report_reads_as_numbers_in_csv_and_xlsx(app, factory):
    museum = factory.institution("Muzeum", slug="muzeum")
    ewa = factory.user()
    factory.hours(ewa, museum, today_in_warsaw(), 17.5)
    factory.hours(ewa, museum, today_in_warsaw(), 2.5)  # 20 this month
    theatre = factory.institution("Teatr", slug="teatr")
    factory.hours(ewa, theatre, today_in_warsaw(), 2.25)
    client = signed_in(app, factory.user(Role.COORDINATOR))

    body = client.get("/reports/export.csv?table=hours&months=1").get_data()
    assert body.startswith(BOM) and b"Muzeum;20;20\r\n" in body
    assert b"Teatr;2,25;2,25\r\n" in body and b"Razem;22,25;22,25\r\n" in body
    rows = as_polish_spreadsheet(body)
    assert rows[-1] == ["Razem", 22.25, 22.25]

    xlsx = client.get("/reports/export.xlsx?table=hours&months=1").get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    month = sheet["B1"]  # the month heading is a date too
    assert month.is_date and month.number_format == "yyyy-mm"
    assert month.value.date() == today_in_warsaw().replace(day=1)
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert values["Muzeum"].data_type == "n" and values["Muzeum"].value == 20
    assert values["Teatr"].value == 2.25
