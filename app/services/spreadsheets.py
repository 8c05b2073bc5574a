"""CSV and XLSX files as a Polish spreadsheet program reads them.

A spreadsheet set to Polish takes `;` between fields, a comma before decimals and, in a CSV, reads
`20.0` as text: hours must come as `20` or `2,5` to be summed. An XLSX has types of its own, so there
numbers stay numbers and dates are date cells with a date format, not ISO strings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

# Hours are entered to the quarter hour; four places keep any sum exact without float noise.
DECIMAL_PLACES = 4


@dataclass(frozen=True)
class Month:
    """A calendar month in a table: `2026-05` in a CSV, a date cell shown as 2026-05 in XLSX."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def safe_cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: add a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def polish_number(value: float | int | Decimal) -> str:
    """`20` for a whole number, `2,5` otherwise: what a Polish spreadsheet reads as a number."""
    if isinstance(value, int):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    text = f"{float(value):.{DECIMAL_PLACES}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_cell(value: Any) -> Any:
    if _is_number(value):
        return polish_number(value)
    if isinstance(value, datetime | date | Month):
        return value.isoformat() if not isinstance(value, Month) else str(value)
    return safe_cell(value)


def to_csv(rows: Iterable[Sequence[Any]]) -> str:
    """A semicolon-separated table with a BOM, so that spreadsheet programs read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Month):
        return date(value.year, value.month, 1)
    if _is_number(value):
        return int(value) if float(value).is_integer() else float(value)
    return safe_cell(value)


def to_xlsx(rows: Iterable[Sequence[Any]], title: str, widths: Sequence[int] = (40,)) -> bytes:
    """One sheet: numbers as numbers, dates as date cells (yyyy-mm-dd, months yyyy-mm)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Raport"
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Month):
                cell.number_format = "yyyy-mm"
            elif isinstance(value, date) and not isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
