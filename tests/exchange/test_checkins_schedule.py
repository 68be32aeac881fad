"""Evening check-ins: the schedule (every second evening, host-city time), the beat job
(opens from 17:00, alerts once on a missing answer, safe to run twice) and the alerts of an
answer that is not "all good"."""

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from exchange.models import AuditEntry, CheckIn, CityCarePolicy
from exchange.selectors import checkins as selectors
from exchange.services import checkins as services
from tests import factories
from tests.exchange.visit_helpers import build_visit, on_day

pytestmark = pytest.mark.django_db

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour: int, minute: int, zone) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


@pytest.fixture
def visit(city_a, city_b):
    return build_visit(city_a, city_b, pairs=2, starts_in_days=10)


@pytest.fixture
def coordinators(carol, bob, oscar):
    return carol, bob, oscar


def opened(visit, leg, day: int, zone) -> list[CheckIn]:
    """The check-ins of the leg's evening `day`, opened by the job at 17:00 host time."""
    evening = on_day(visit, leg, day)
    services.check_ins_open(now=at(evening, 17, 0, zone))
    return list(CheckIn.objects.filter(leg=leg, evening=evening).order_by("application_id"))


def test_check_in_evenings_are_days_1_3_5_before_the_return(visit):
    leg = visit.leg_to_a  # back on day 5
    start = leg.departs_on

    assert selectors.check_in_evenings(leg) == [start + timedelta(days=1), start + timedelta(3)]
    leg.returns_on = start + timedelta(days=6)
    assert selectors.check_in_evenings(leg) == [start + timedelta(days=n) for n in (1, 3, 5)]
    leg.returns_on = start + timedelta(days=1)
    assert selectors.check_in_evenings(leg) == []


def test_check_ins_open_at_17_host_time(visit):
    leg = visit.leg_to_a
    evening = on_day(visit, leg, 1)

    before = services.check_ins_open(now=at(evening, 16, 59, SEOUL))
    on_time = services.check_ins_open(now=at(evening, 17, 0, SEOUL))

    assert (before, on_time) == (0, 2)
    assert sorted(CheckIn.objects.values_list("application_id", "leg_id", "evening")) == sorted(
        (application.pk, leg.pk, evening) for application in visit.b
    )


def test_check_ins_open_twice_creates_them_once(visit):
    evening = on_day(visit, visit.leg_to_a, 1)

    first = services.check_ins_run(now=at(evening, 17, 15, SEOUL))
    second = services.check_ins_run(now=at(evening, 17, 30, SEOUL))

    assert (first, second) == ({"opened": 2, "alerted": 0}, {"opened": 0, "alerted": 0})
    assert CheckIn.objects.count() == 2


def test_check_ins_skip_the_evenings_between(visit):
    leg = visit.leg_to_a
    for day in (0, 2, 4, 5):
        services.check_ins_open(now=at(on_day(visit, leg, day), 19, 0, SEOUL))

    assert CheckIn.objects.count() == 0


def test_check_ins_follow_each_host_citys_clock(visit):
    """Both legs on the same days: Gwangju (UTC+9) reaches 17:00 an hour before Zibo."""
    to_zibo = visit.leg_to_b
    to_zibo.departs_on, to_zibo.returns_on = visit.leg_to_a.departs_on, visit.leg_to_a.returns_on
    to_zibo.save(update_fields=["departs_on", "returns_on"])
    evening = on_day(visit, visit.leg_to_a, 1)

    gwangju_only = services.check_ins_open(now=at(evening, 17, 30, SEOUL))  # 16:30 in Zibo
    zibo_too = services.check_ins_open(now=at(evening, 17, 0, SHANGHAI))

    assert (gwangju_only, zibo_too) == (2, 2)
    assert sorted(CheckIn.objects.values_list("application_id", flat=True)) == sorted(
        a.pk for a in visit.a + visit.b
    )


def test_check_ins_skip_a_traveller_who_withdrew(visit):
    withdrawn = visit.b[0]
    withdrawn.state = "withdrawn"
    withdrawn.save(update_fields=["state"])

    check_ins = opened(visit, visit.leg_to_a, 1, SEOUL)

    assert [c.application_id for c in check_ins] == [visit.b[1].pk]


def test_missing_answer_alerts_both_cities_at_answer_by_once(
    visit, coordinators, city_a, city_b, mailoutbox, django_capture_on_commit_callbacks
):
    carol, bob, _oscar = coordinators
    check_ins = opened(visit, visit.leg_to_a, 1, SEOUL)
    evening = check_ins[0].evening

    with django_capture_on_commit_callbacks(execute=True):
        early = services.check_ins_alert_missing(now=at(evening, 20, 59, SEOUL))
        due = services.check_ins_alert_missing(now=at(evening, 21, 0, SEOUL))
        again = services.check_ins_run(now=at(evening, 21, 15, SEOUL))

    assert (early, due, again) == (0, 2, {"opened": 0, "alerted": 0})
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [carol.email, carol.email, bob.email, bob.email]
    )
    names = {m.subject for m in mailoutbox}
    assert names == {f"Check-in alert: no answer from {a.student.display_name}" for a in visit.b}
    assert sorted(
        AuditEntry.objects.filter(action=AuditEntry.Action.CHECK_IN_ALERT).values_list(
            "application_id", "city_id", "detail"
        )
    ) == sorted(
        (a.pk, city.pk, f"Evening of {evening}: no answer by 21:00")
        for a in visit.b
        for city in (city_a, city_b)
    )
    assert CheckIn.objects.filter(alerted_at__isnull=True).count() == 0


def test_missing_answer_waits_for_the_host_citys_answer_by(visit, city_b):
    CityCarePolicy.objects.create(city=city_b, check_in_answer_by=time(20, 0))
    check_ins = opened(visit, visit.leg_to_b, 1, SHANGHAI)
    evening = check_ins[0].evening

    # 20:00 in Zibo is 21:00 in Gwangju: Zibo's own policy and clock decide.
    before = services.check_ins_alert_missing(now=at(evening, 19, 59, SHANGHAI))
    due = services.check_ins_alert_missing(now=at(evening, 20, 0, SHANGHAI))

    assert (before, due) == (0, 2)


def test_answer_other_than_all_good_alerts_at_once(
    visit, coordinators, city_a, city_b, mailoutbox, django_capture_on_commit_callbacks
):
    carol, bob, _oscar = coordinators
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]
    traveller = check_in.application.student
    evening = check_in.evening

    with django_capture_on_commit_callbacks(execute=True):
        services.check_in_answer(
            check_in=check_in, answer="talk", by=traveller, now=at(evening, 19, 0, SEOUL)
        )
    check_in.refresh_from_db()
    later = services.check_ins_alert_missing(now=at(evening, 21, 0, SEOUL))

    assert (check_in.answer, check_in.alerted_at) == ("talk", at(evening, 19, 0, SEOUL))
    assert sorted(m.to[0] for m in mailoutbox) == sorted([carol.email, bob.email])
    assert mailoutbox[0].subject == f"Check-in alert: {traveller.display_name} asks for help"
    assert "Answer: I want to talk to someone" in mailoutbox[0].body
    assert list(
        AuditEntry.objects.filter(
            action=AuditEntry.Action.CHECK_IN_ALERT, application_id=check_in.application_id
        )
        .values_list("city_id", "detail")
        .order_by("city_id")
    ) == [
        (city_a.pk, f"Evening of {evening}: answer talk"),
        (city_b.pk, f"Evening of {evening}: answer talk"),
    ]
    assert later == 1  # the other traveller, who did not answer


def test_answer_all_good_alerts_nobody(visit, coordinators, mailoutbox):
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]

    services.check_in_answer(
        check_in=check_in,
        answer="good",
        by=check_in.application.student,
        now=at(check_in.evening, 18, 0, SEOUL),
    )
    check_in.refresh_from_db()

    assert (check_in.answer, check_in.alerted_at, mailoutbox) == ("good", None, [])
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CHECK_IN_ALERT).count() == 0


def test_answer_after_a_missing_alert_still_alerts(
    visit, coordinators, mailoutbox, django_capture_on_commit_callbacks
):
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]
    evening = check_in.evening
    with django_capture_on_commit_callbacks(execute=True):
        services.check_ins_alert_missing(now=at(evening, 21, 0, SEOUL))
        services.check_in_answer(
            check_in=check_in,
            answer="wrong",
            by=check_in.application.student,
            now=at(evening, 22, 0, SEOUL),
        )

    assert len(mailoutbox) == 6  # two missing answers and one late "wrong", each to 2


def test_alert_email_is_in_each_coordinators_language(
    visit, coordinators, mailoutbox, django_capture_on_commit_callbacks
):
    carol, bob, _oscar = coordinators
    bob.preferred_language = "zh-hans"
    bob.save(update_fields=["preferred_language"])
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]
    evening = check_in.evening

    with django_capture_on_commit_callbacks(execute=True):
        services.check_in_answer(
            check_in=check_in,
            answer="wrong",
            by=check_in.application.student,
            now=at(evening, 19, 0, SEOUL),
        )

    to = {m.to[0]: m.body for m in mailoutbox}
    assert f"{evening.year}年{evening.month}月{evening.day}日" in to[bob.email]
    assert f"Evening of {evening:%b}. {evening.day}, {evening.year}" in to[carol.email]


@pytest.mark.parametrize(
    "after_opening", [timedelta(minutes=-1), timedelta(hours=31)], ids=["before", "next-night"]
)
def test_answer_outside_its_time_is_refused(visit, after_opening):
    """Open from 17:00 on its evening until the midnight that ends the next day (31 hours)."""
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]
    now = at(check_in.evening, 17, 0, SEOUL) + after_opening

    with pytest.raises(ValidationError) as refused:
        services.check_in_answer(
            check_in=check_in, answer="good", by=check_in.application.student, now=now
        )

    assert refused.value.code == "closed"


def test_answer_twice_is_refused(visit):
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]
    student = check_in.application.student
    now = at(check_in.evening, 18, 0, SEOUL)
    services.check_in_answer(check_in=check_in, answer="good", by=student, now=now)

    with pytest.raises(ValidationError) as refused:
        services.check_in_answer(check_in=check_in, answer="wrong", by=student, now=now)

    assert refused.value.code == "answered"


def test_answer_unknown_is_refused(visit):
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]

    with pytest.raises(ValidationError) as refused:
        services.check_in_answer(
            check_in=check_in,
            answer="maybe",
            by=check_in.application.student,
            now=at(check_in.evening, 18, 0, SEOUL),
        )

    assert refused.value.code == "unknown_answer"


@pytest.mark.parametrize("persona", ["carol", "bob", "oscar", "alice", "mina"])
def test_answer_by_anyone_but_the_traveller_is_refused(request, visit, persona):
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]

    with pytest.raises(ValidationError) as refused:
        services.check_in_answer(
            check_in=check_in,
            answer="good",
            by=request.getfixturevalue(persona),
            now=at(check_in.evening, 18, 0, SEOUL),
        )

    assert refused.value.code == "forbidden"


def test_alert_goes_to_active_coordinators_only(
    visit, coordinators, mailoutbox, django_capture_on_commit_callbacks
):
    carol, bob, _oscar = coordinators
    gone = factories.CoordinatorFactory(cities=[visit.leg_to_a.host_city], is_active=False)
    check_in = opened(visit, visit.leg_to_a, 1, SEOUL)[0]

    with django_capture_on_commit_callbacks(execute=True):
        services.check_in_answer(
            check_in=check_in,
            answer="wrong",
            by=check_in.application.student,
            now=at(check_in.evening, 19, 0, SEOUL),
        )

    assert gone.email not in [m.to[0] for m in mailoutbox]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([carol.email, bob.email])


def test_beat_tasks_run_the_services():
    from exchange.tasks import run_check_ins, send_check_in_alert

    assert (run_check_ins(), send_check_in_alert(0)) == ({"opened": 0, "alerted": 0}, 0)


def test_beat_schedule_runs_check_ins_every_15_minutes(settings):
    assert settings.CELERY_BEAT_SCHEDULE["check-ins"] == {
        "task": "exchange.tasks.run_check_ins",
        "schedule": 900,
    }
