"""CSV and XLSX files from rows, safe to open in a spreadsheet.

Names and answers come from students, and a spreadsheet runs a cell that starts with "=" as a
formula (CSV injection). Such cells are prefixed with an apostrophe, as OWASP advises.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def defuse(value: str) -> str:
    """The string a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, without which Excel reads Hangul and Chinese as mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def rows_to_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, sheet_title: str
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = clean_sheet_title(sheet_title)
    widths: dict[int, int] = {}
    for row_number, row in enumerate([header, *rows], start=1):
        for column, value in enumerate(row, start=1):
            value = _xlsx_value(value)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                # openpyxl treats any string starting with "=" as a formula; say it is text.
                cell.data_type = "s"
            if row_number == 1:
                cell.font = Font(bold=True)
            widths[column] = max(widths.get(column, 0), _display_width(value))
    sheet.freeze_panes = "A2"
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, _MIN_WIDTH), _MAX_WIDTH
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def clean_sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in a sheet title, a leading or trailing apostrophe, and >31 chars."""
    title = _SHEET_TITLE_FORBIDDEN.sub("", str(title))[:SHEET_TITLE_MAX].strip().strip("'")
    return title or "Sheet"


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return defuse(str(value)) if isinstance(value, str | Promise) else str(value)


def _xlsx_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | Decimal | date | time):
        if isinstance(value, datetime) and timezone.is_aware(value):
            # Excel has no time zones: show the portal's local time, as the pages do.
            return timezone.make_naive(value)
        return value
    # Lazy translations, choices and anything else become plain text. Control characters
    # (other than tab and newline) are not allowed in an XLSX file.
    return defuse(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _display_width(value: object) -> int:
    if value is None:
        return 0
    text = value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)
    longest = max(text.split("\n"), key=len)
    # Hangul and Han characters take two columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)
