"""A deadline two cities read says whose clock it is: the reader's city and its UTC offset."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils.formats import date_format

from exchange.services.applications import reminders_send_due
from tests import factories

pytestmark = pytest.mark.django_db

CLOSE = datetime.fromisoformat("2027-03-31T14:59:00+00:00")  # 23:59 in Gwangju


@pytest.fixture
def program(program_ab):
    program_ab.applications_close = CLOSE
    program_ab.save(update_fields=["applications_close"])
    return program_ab


@pytest.mark.parametrize(
    ("who", "language", "shown"),
    [
        ("alice", "en", "March 31, 2027, 23:59 (Gwangju (Gyeonggi), UTC+09:00)"),
        ("alice", "ko", "2027년 3월 31일 23:59 (광주시, UTC+09:00)"),
        ("zibo", "en", "March 31, 2027, 22:59 (Zibo, UTC+08:00)"),
        ("zibo", "zh-hans", "(淄博市, UTC+08:00)"),
    ],
)
def test_program_page_deadline_is_in_the_readers_clock_and_says_whose(
    client, program, alice, city_b, who, language, shown
):
    reader = alice if who == "alice" else factories.StudentFactory(home_city=city_b)
    reader.preferred_language = language
    reader.save()
    client.force_login(reader)

    html = client.get(f"/programs/{program.pk}/").content.decode()

    assert shown in html


def test_program_page_for_a_visitor_names_the_time_zone(client, program):
    html = client.get(f"/programs/{program.pk}/").content.decode()

    assert "March 31, 2027, 23:59 (Asia/Seoul, UTC+09:00)" in html


def test_confirm_reminder_gives_the_deadline_in_the_recipients_city_clock(
    program_ab, city_b, django_capture_on_commit_callbacks
):
    """A Zibo student offered a place reads the deadline on Zibo's clock, and is told so."""
    student = factories.StudentFactory(home_city=city_b, email="xiaoyu@example.org")
    confirm_by = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=20)
    factories.ApplicationFactory(
        program=program_ab, student=student, state="accepted", confirm_by=confirm_by
    )

    assert reminders_send_due() == 1

    (message,) = mail.outbox
    local = confirm_by.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"before {date_format(local, 'DATETIME_FORMAT')} (Zibo, UTC+08:00);" in message.body
    assert "(Zibo, UTC+08:00)" in message.alternatives[0][0]


def test_program_page_tells_a_student_of_another_city_that_their_city_is_not_in_it(
    client, program, city_c
):
    """Found in a user trial: a Siheung student was told to set a home city they had set."""
    student = factories.StudentFactory(home_city=city_c)
    client.force_login(student)

    html = client.get(f"/programs/{program.pk}/").content.decode()

    assert (
        f"This program is for residents of its cities, and {city_c} does not take part in it."
        in html
    )
    assert "Set your home city in your profile" not in html
