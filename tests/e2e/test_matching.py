"""Two cities' coordinators match a real program in two browsers: one runs the matching and
locks a pair, both approve, the other publishes, and a student sees her buddy."""

import re

import pytest
from playwright.sync_api import expect

from exchange.models import ApplicationLanguage, MatchGroup, Matching
from tests import factories
from tests.exchange.visit_helpers import home_from_answers

pytestmark = pytest.mark.e2e


def confirmed(program, city, email: str, native: str, latin: str, gender: str):
    student = factories.StudentFactory(
        email=email, native_name=native, latin_name=latin, home_city=city, consent="given"
    )
    application = factories.ApplicationFactory(
        program=program,
        student=student,
        state="confirmed",
        gender=gender,
        can_host=True,
        household_pets=False,
    )
    home_from_answers(application)
    ApplicationLanguage.objects.create(application=application, language_id="en", level=3)
    return application


@pytest.mark.journey
def test_matching_run_lock_approve_publish_across_two_cities(
    new_context, log_in, program_ab, city_a, city_b, carol, bob, mailoutbox
):
    minji = confirmed(program_ab, city_a, "minji@example.org", "김민지", "Kim Minji", "female")
    confirmed(program_ab, city_a, "doyun@example.org", "김도윤", "Kim Doyun", "male")
    confirmed(program_ab, city_b, "xiaoyu@example.org", "王晓雨", "Wang Xiaoyu", "female")
    confirmed(program_ab, city_b, "zixuan@example.org", "张子轩", "Zhang Zixuan", "male")
    url = f"/coordinate/programs/{program_ab.pk}/matching/"
    gwangju, zibo = new_context(), new_context()
    log_in(gwangju, carol)
    log_in(zibo, bob)
    one, two = gwangju.new_page(), zibo.new_page()

    one.goto(url)
    one.locator("#run").click()
    expect(one.locator(".match")).to_have_count(2)
    pair = one.locator(".match", has_text="김민지")
    expect(pair).to_contain_text("王晓雨")
    expect(pair.locator(".reasons")).to_contain_text("Same gender, as the program asks")
    pair.locator(".lock-button").click()
    expect(one.locator(".match-locked")).to_have_count(1)
    one.locator("#run").click()
    expect(one.locator(".match-locked")).to_contain_text("王晓雨")
    one.locator("#approve").click()
    expect(one.locator("#publish")).to_be_disabled()

    # The partner city sees the same record, approves its side, and publishes.
    two.goto(url)
    expect(two.locator(".match")).to_have_count(2)
    expect(two.locator(".approval-list .status-given")).to_have_count(1)
    two.locator("#approve").click()
    two.locator("#publish").click()
    expect(two.locator(".badge-matching-published")).to_have_count(1)
    assert Matching.objects.get().status == "published"
    assert MatchGroup.objects.filter(locked=True).count() == 1
    assert sorted(m.to[0] for m in mailoutbox if "buddy" in m.subject) == [
        "doyun@example.org",
        "minji@example.org",
        "xiaoyu@example.org",
        "zixuan@example.org",
    ]

    # The student sees who her buddy is.
    student = new_context()
    log_in(student, minji.student)
    page = student.new_page()
    page.goto(f"/me/applications/{minji.pk}/")
    expect(page.locator(".my-match")).to_contain_text("王晓雨")
    expect(page).to_have_url(re.compile(rf"/me/applications/{minji.pk}/$"))
