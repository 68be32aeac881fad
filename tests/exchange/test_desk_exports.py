"""The applicants export speaks the requester's language (issue 14): its header row and its
statuses and prepared decisions, in CSV and XLSX alike."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.exchange.helpers import applicant

pytestmark = pytest.mark.django_db

HEADERS = {
    "en": [
        "ID",
        "Name (own script)",
        "Name (Latin letters)",
        "City",
        "Age at start",
        "School",
        "Status",
        "Prepared decision",
        "Score",
        "Reviews",
        "Languages",
        "Submitted",
    ],
    "ko": [
        "ID",
        "이름(자국 문자)",
        "영문 이름",
        "도시",
        "시작일 기준 나이",
        "학교",
        "상태",
        "준비된 결정",
        "점수",
        "심사 수",
        "언어",
        "제출 시각",
    ],
}
# Status and prepared decision of the two applicants, in submission order.
VALUES = {
    "en": [["Under review", "Accepted"], ["Submitted", ""]],
    "ko": [["심사 중", "선발됨"], ["제출됨", ""]],
}


@pytest.fixture
def exported(program_ab, city_a):
    return [
        applicant(program_ab, city_a, staged_decision="accepted"),
        applicant(program_ab, city_a, state="submitted"),
    ]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_in_the_requesters_language(client, carol, program_ab, exported, language, fmt):
    carol.preferred_language = language
    carol.save(update_fields=["preferred_language"])
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{program_ab.pk}/applications.{fmt}")

    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert rows[0] == HEADERS[language]
    assert [row[6:8] for row in rows[1:]] == [
        [status, decision or (None if fmt == "xlsx" else "")]
        for status, decision in VALUES[language]
    ]
    assert [str(row[0]) for row in rows[1:]] == [str(a.pk) for a in exported]


def test_export_language_follows_each_request(client, carol, bob, program_ab, exported):
    """Two coordinators asking at once each get their own: the header is read per request."""
    carol.preferred_language = "ko"
    carol.save(update_fields=["preferred_language"])
    url = f"/coordinate/programs/{program_ab.pk}/applications.csv"

    client.force_login(carol)
    korean = csv_rows(client.get(url))[0]
    client.force_login(bob)
    english = csv_rows(client.get(url))[0]

    assert (korean, english) == (HEADERS["ko"], HEADERS["en"])
