"""Purging old chats: messages of programs that ended CHAT_RETENTION_DAYS ago are deleted;
the moderation trail stays, without the words it kept."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from exchange.models import Program
from messaging import services
from messaging.models import Message, ModerationAction, Report, Room
from messaging.tasks import purge_old_messages
from tests.helpers import run_with_env

pytestmark = pytest.mark.django_db

TODAY = date(2031, 6, 1)


def post(room: Room, sender, body: str) -> Message:
    return services.message_post(
        room=room, sender=sender, body=body, client_id=uuid.uuid4()
    ).message


@pytest.fixture
def chat(published, alice, carol, bob):
    """alice's pair room with three messages, a deletion, a report, a mute and a closing."""
    room = published["pair"]
    first = post(room, alice, "Hello from Gwangju")
    second = post(room, carol, "Welcome, both of you")
    third = post(room, alice, "Something rude")
    Report.objects.create(message=second, reporter=alice, reason="Wrong room")
    report = services.report_create(message=third, reporter=bob, reason="This is rude")
    services.report_resolve(report=report, by=carol)
    services.message_delete(message=third, by=carol, reason="Rude")
    services.member_mute(
        room=room,
        user=alice,
        until=timezone.now() + timedelta(days=1),
        by=carol,
    )
    services.room_close(room=room, by=carol)
    return {"room": room, "messages": [first, second, third]}


def ended(program: Program, days_before_today: int) -> None:
    ends_on = TODAY - timedelta(days=days_before_today)
    Program.objects.filter(pk=program.pk).update(
        starts_on=ends_on - timedelta(days=10), ends_on=ends_on
    )


def test_messages_purge_deletes_the_chats_of_programs_ended_long_ago(chat, published):
    ended(published["alice"].program, 91)

    deleted = services.messages_purge(today=TODAY)

    assert deleted == 3
    assert Message.objects.count() == 0
    assert Report.objects.count() == 0


def test_messages_purge_keeps_programs_ended_exactly_the_retention_period_ago(chat, published):
    ended(published["alice"].program, 90)

    assert services.messages_purge(today=TODAY) == 0
    assert Message.objects.count() == 3


def test_messages_purge_keeps_running_and_future_programs(chat, published):
    ended(published["alice"].program, -5)

    assert services.messages_purge(today=TODAY) == 0
    assert Message.objects.count() == 3


def test_messages_purge_keeps_the_moderation_trail_without_the_words(chat, published, carol):
    ended(published["alice"].program, 91)

    services.messages_purge(today=TODAY)

    actions = ModerationAction.objects.order_by("id")
    assert [(a.action, a.actor, a.target_id, a.message_id, a.detail) for a in actions] == [
        ("resolve", carol, chat["messages"][2].sender_id, None, ""),
        ("delete", carol, chat["messages"][2].sender_id, None, ""),
        ("mute", carol, chat["messages"][2].sender_id, None, actions[2].detail),
        ("close", carol, None, None, ""),
    ]
    assert actions[2].detail != ""  # the mute's end date is no message text


def test_messages_purge_leaves_message_numbers_where_they_were(chat, published, carol):
    room = chat["room"]
    ended(published["alice"].program, 91)

    services.messages_purge(today=TODAY)
    services.room_close(room=room, by=carol, closed=False)
    later = post(room, carol, "A note for the archive")

    assert Room.objects.get(pk=room.pk).last_seq == 4
    assert later.seq == 4


def test_messages_purge_only_touches_old_programs(chat, published, city_a, city_b, carol):
    ended(published["alice"].program, 91)
    newer = services.rooms_sync(
        program=Program.objects.create(
            kind="visit",
            title="Newer",
            description="-",
            applications_open=published["alice"].program.applications_open,
            applications_close=published["alice"].program.applications_close,
            starts_on=TODAY - timedelta(days=20),
            ends_on=TODAY - timedelta(days=10),
            min_age=14,
            max_age=18,
        )
    )[1]
    kept = ModerationAction.objects.create(
        room=newer, actor=carol, action="delete", detail="kept text"
    )
    Message.objects.create(room=newer, seq=1, sender=carol, body="Still here")

    assert services.messages_purge(today=TODAY) == 3
    assert list(Message.objects.values_list("body", flat=True)) == ["Still here"]
    kept.refresh_from_db()
    assert kept.detail == "kept text"


def test_messages_purge_twice_deletes_nothing_more(chat, published):
    ended(published["alice"].program, 91)

    assert services.messages_purge(today=TODAY) == 3
    assert services.messages_purge(today=TODAY) == 0


def test_messages_purge_follows_the_retention_setting(chat, published, settings):
    settings.CHAT_RETENTION_DAYS = 30
    ended(published["alice"].program, 31)

    assert services.messages_purge(today=TODAY) == 3


def test_messages_purge_in_batches(published, alice, monkeypatch):
    room = published["pair"]
    for n in range(5):
        post(room, alice, f"Message {n}")
    ended(published["alice"].program, 91)
    monkeypatch.setattr(services, "PURGE_BATCH", 2)

    assert services.messages_purge(today=TODAY) == 5
    assert Message.objects.count() == 0


def test_purge_old_messages_task_purges_up_to_today(chat, published):
    ended_on = timezone.localdate() - timedelta(days=91)
    Program.objects.filter(pk=published["alice"].program_id).update(
        starts_on=ended_on - timedelta(days=10), ends_on=ended_on
    )

    assert purge_old_messages() == 3
    assert Message.objects.count() == 0


def test_purge_runs_daily_from_celery_beat():
    assert django_settings.CELERY_BEAT_SCHEDULE["purge-old-messages"] == {
        "task": "messaging.tasks.purge_old_messages",
        "schedule": 86400,
    }


PRINT_RETENTION = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps(settings.CHAT_RETENTION_DAYS))
"""


@pytest.mark.parametrize(("value", "days"), [(None, 90), ("30", 30)])
def test_chat_retention_days_comes_from_the_environment(value, days):
    result = run_with_env(
        {} if value is None else {"CHAT_RETENTION_DAYS": value}, "-c", PRINT_RETENTION
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == days


def test_chat_retention_days_below_zero_refuses_to_start():
    result = run_with_env({"CHAT_RETENTION_DAYS": "-1"}, "-c", PRINT_RETENTION)

    assert result.returncode == 1
    assert "CHAT_RETENTION_DAYS must be 0 or more, got -1" in result.stderr
