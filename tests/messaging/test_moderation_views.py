"""The coordinators' moderation page of a program: who may open it and act on it, what each
action changes and records, bad input, the live effect on the room's sockets, and its queries."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import formats, timezone

from messaging import services
from messaging.models import Message, ModerationAction, Report, Room, RoomState
from tests import factories
from tests.helpers import login_redirect, sign_in, table
from tests.messaging.helpers import (
    listen,
    page_url,
    post,
)
from tests.messaging.sockets import cookie_for, frames, run_chat, socket

pytestmark = pytest.mark.django_db


def flashed(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def nothing_changed(chat) -> bool:
    """No audit row, no report resolved, no message deleted, nobody muted, no room closed."""
    return (
        not ModerationAction.objects.exists()
        and not Report.objects.filter(resolved_at__isnull=False).exists()
        and not Message.objects.filter(deleted_at__isnull=False).exists()
        and not RoomState.objects.filter(muted_until__isnull=False).exists()
        and not Room.objects.filter(closed_at__isnull=False).exists()
    )


@pytest.fixture
def elsewhere(city_a, city_c, carol, oscar):
    """Another program that carol coordinates (with Siheung), and its rooms with a report."""
    program = factories.ProgramFactory(
        cities={city_a: 3, city_c: 3}, created_by=carol, title="Elsewhere"
    )
    rooms = {room.kind: room for room in services.rooms_sync(program=program)}
    message = post(rooms["program"], oscar, "elsewhere")
    report = services.report_create(message=message, reporter=carol, reason="elsewhere")
    return {"program": program, "room": rooms["program"], "message": message, "report": report}


# --- Who may open the page and the log ---------------------------------------------------

PAGE = table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403})


@pytest.mark.parametrize("suffix", ["", "log/"])
@pytest.mark.parametrize(("persona", "status"), PAGE)
def test_moderation_pages_for_the_programs_coordinators_only(
    request, client, chat, persona, status, suffix
):
    url = chat["url"] + suffix
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)


def test_moderation_page_of_a_program_of_other_cities_is_forbidden(client, chat, elsewhere, bob):
    # bob coordinates Zibo, which has no part in the other program: not its page, not its log.
    client.force_login(bob)

    assert client.get(page_url(elsewhere["program"])).status_code == 403
    assert client.get(page_url(elsewhere["program"]) + "log/").status_code == 403


def test_moderation_page_of_an_unknown_program_is_forbidden(client, carol):
    client.force_login(carol)

    assert client.get("/coordinate/programs/999999/moderation/").status_code == 403


# --- What the page shows -----------------------------------------------------------------


def test_moderation_page_lists_open_reports_newest_first_in_their_context(client, chat, carol):
    client.force_login(carol)

    response = client.get(chat["url"])

    reports = list(response.context["reports"])
    expected = chat["reports"]
    assert reports == [expected["rude"], expected["insult"], expected["spam"]]
    assert [r.reporter_count for r in reports] == [2, 2, 1]
    assert [[line.seq for line in r.context] for r in reports] == [
        [2, 3, 4, 5, 6],
        [2, 3, 4, 5, 6],
        [1, 2, 3],
    ]
    assert response.context["open_count"] == 3
    assert response.context["show"] == "open"
    body = response.content.decode()
    assert "3 open reports" in body
    assert "Reported by 2 members" in body
    assert "<q>an insult</q>" in body
    assert "Reported by 김앨리스 (Kim Alice)" in body
    assert ">line 6</p>" in body


def test_moderation_page_shows_resolved_reports_behind_the_filter(client, chat, carol):
    services.report_resolve(report=chat["reports"]["spam"], by=carol)
    client.force_login(carol)

    open_page = client.get(chat["url"])
    resolved_page = client.get(chat["url"], {"show": "resolved"})

    assert list(open_page.context["reports"]) == [
        chat["reports"]["rude"],
        chat["reports"]["insult"],
    ]
    assert list(resolved_page.context["reports"]) == [chat["reports"]["spam"]]
    assert resolved_page.context["open_count"] == 2
    assert "Resolved by" in resolved_page.content.decode()


def test_moderation_page_shows_a_deleted_message_as_a_tombstone(client, chat, carol):
    services.message_delete(message=chat["lines"][3], by=carol, reason="insult")
    client.force_login(carol)

    response = client.get(chat["url"], {"show": "resolved"})

    body = response.content.decode()
    assert body.count("This message was deleted.") == 2  # the two reports of line 4
    assert ">line 4</p>" not in body


def test_moderation_page_lists_the_rooms_and_who_is_muted(client, chat, carol, alice):
    room = chat["room"]
    services.member_mute(room=room, user=alice, until=timezone.now() + timedelta(hours=1), by=carol)
    services.room_close(room=room, by=carol)
    client.force_login(carol)

    response = client.get(chat["url"])

    rooms = response.context["rooms"]
    # Everyone: alice and her buddy + carol and bob; coordinators: carol and bob.
    assert [(r.kind, r.member_count, r.is_open) for r in rooms] == [
        ("program", 4, True),
        ("coordinators", 2, True),
        ("pair", 4, False),
    ]
    assert rooms[2].last_message_at == chat["lines"][-1].created_at
    assert rooms[0].last_message_at is None
    assert [(s.room, s.user) for s in response.context["muted"]] == [(room, alice)]
    assert [a.action for a in response.context["log"]] == ["close", "mute"]


# --- Who may act -------------------------------------------------------------------------


# carol and bob act below, each action with its own test.
REFUSED = [("anonymous", 302), ("alice", 403), ("mina", 403), ("oscar", 403)]


def action_posts(chat, alice) -> list[tuple[str, dict]]:
    base, room = chat["url"], chat["room"]
    return [
        (f"{base}reports/{chat['reports']['spam'].pk}/resolve/", {}),
        (f"{base}messages/{chat['lines'][3].pk}/delete/", {"reason": "insult"}),
        (f"{base}rooms/{room.pk}/mute/", {"user": alice.pk, "duration": "1h"}),
        (f"{base}rooms/{room.pk}/unmute/", {"user": alice.pk}),
        (f"{base}rooms/{room.pk}/close/", {}),
        (f"{base}rooms/{room.pk}/reopen/", {}),
    ]


@pytest.mark.parametrize(("persona", "status"), REFUSED)
def test_moderation_actions_refused_to_everyone_but_the_coordinators(
    request, client, chat, alice, persona, status
):
    sign_in(request, client, persona)

    responses = [client.post(url, data) for url, data in action_posts(chat, alice)]

    assert [r.status_code for r in responses] == [status] * 6
    if status == 302:
        assert [r.url for r in responses] == [
            login_redirect(url) for url, _data in action_posts(chat, alice)
        ]
    assert nothing_changed(chat)


def test_moderation_actions_refuse_get(client, chat, carol, alice):
    client.force_login(carol)

    assert [client.get(url).status_code for url, _data in action_posts(chat, alice)] == [405] * 6
    assert nothing_changed(chat)


def test_moderation_actions_by_the_partner_citys_coordinator(client, chat, bob, alice):
    client.force_login(bob)

    response = client.post(
        f"{chat['url']}rooms/{chat['room'].pk}/close/", {"next": chat["url"]}, follow=True
    )

    assert response.redirect_chain == [(chat["url"], 302)]
    action = ModerationAction.objects.get()
    assert (action.actor, action.action, action.room) == (bob, "close", chat["room"])


# --- Each action's effect, audit and live event ------------------------------------------


def test_resolve_marks_the_report_and_audits_it(client, chat, carol, alice):
    spam = chat["reports"]["spam"]
    client.force_login(carol)

    response = client.post(f"{chat['url']}reports/{spam.pk}/resolve/", follow=True)

    spam.refresh_from_db()
    assert (spam.resolved_by, spam.resolved_at is not None) == (carol, True)
    action = ModerationAction.objects.get()
    assert (action.actor, action.action, action.target, action.message, action.detail) == (
        carol,
        "resolve",
        chat["buddy"],
        chat["lines"][0],
        "spam",
    )
    assert Report.objects.filter(resolved_at__isnull=True).count() == 2
    assert response.redirect_chain == [(chat["url"], 302)]
    assert flashed(response) == ["The report is resolved."]


def test_resolve_twice_is_refused_and_audited_once(client, chat, carol):
    spam = chat["reports"]["spam"]
    client.force_login(carol)
    client.post(f"{chat['url']}reports/{spam.pk}/resolve/", follow=True)

    response = client.post(f"{chat['url']}reports/{spam.pk}/resolve/", follow=True)

    assert flashed(response) == ["This report is already resolved."]
    assert ModerationAction.objects.count() == 1


def test_delete_leaves_a_tombstone_audits_it_and_tells_the_room(
    client, chat, carol, alice, django_capture_on_commit_callbacks
):
    line = chat["lines"][3]
    receive = listen(chat["room"].pk)
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{chat['url']}messages/{line.pk}/delete/",
            {"reason": "an insult", "next": chat["url"] + "?page=1"},
            follow=True,
        )

    line.refresh_from_db()
    assert (line.body, line.deleted_by, line.deleted_at is not None) == ("", carol, True)
    action = ModerationAction.objects.get()
    assert (action.actor, action.action, action.target, action.message, action.detail) == (
        carol,
        "delete",
        alice,
        line,
        "line 4\n---\nan insult",
    )
    # Deleting the message answers both of its reports; the spam report stays open.
    assert list(Report.objects.filter(resolved_at__isnull=True)) == [chat["reports"]["spam"]]
    assert receive() == {
        "type": "room.event",
        "room": chat["room"].pk,
        "event": {"type": "deleted", "room": chat["room"].pk, "id": 4},
    }
    assert response.redirect_chain == [(chat["url"] + "?page=1", 302)]
    assert flashed(response) == ["The message is deleted; the room sees that it was removed."]


@pytest.mark.parametrize(
    ("duration", "length"),
    [("1h", timedelta(hours=1)), ("24h", timedelta(hours=24)), ("7d", timedelta(days=7))],
)
def test_mute_stops_the_sender_for_the_chosen_time_and_tells_the_room(
    client, chat, carol, alice, duration, length, django_capture_on_commit_callbacks
):
    room = chat["room"]
    receive = listen(room.pk)
    client.force_login(carol)

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{chat['url']}rooms/{room.pk}/mute/",
            {"user": alice.pk, "duration": duration},
            follow=True,
        )
    after = timezone.now()

    until = RoomState.objects.get(room=room, user=alice).muted_until
    assert before + length <= until <= after + length
    action = ModerationAction.objects.get()
    assert (action.actor, action.action, action.target, action.room, action.detail) == (
        carol,
        "mute",
        alice,
        room,
        until.isoformat(),
    )
    assert receive()["event"] == {
        "type": "muted",
        "room": room.pk,
        "user": {"id": alice.pk, "name": "김앨리스 (Kim Alice)"},
        "until": until.isoformat(),
    }
    when = formats.date_format(timezone.localtime(until), "SHORT_DATETIME_FORMAT")
    assert flashed(response) == [
        f"Until {when}, 김앨리스 (Kim Alice) cannot write in “{room.name}”."
    ]
    with pytest.raises(ValidationError):
        post(room, alice, "can I still write?")


def test_unmute_lets_the_member_write_again_and_tells_the_room(
    client, chat, carol, alice, django_capture_on_commit_callbacks
):
    room = chat["room"]
    services.member_mute(room=room, user=alice, until=timezone.now() + timedelta(hours=1), by=carol)
    receive = listen(room.pk)
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{chat['url']}rooms/{room.pk}/unmute/", {"user": alice.pk}, follow=True
        )

    assert RoomState.objects.get(room=room, user=alice).muted_until is None
    assert list(ModerationAction.objects.values_list("action", "target", "actor")) == [
        ("unmute", alice.pk, carol.pk),
        ("mute", alice.pk, carol.pk),
    ]
    assert receive()["event"] == {
        "type": "muted",
        "room": room.pk,
        "user": {"id": alice.pk, "name": "김앨리스 (Kim Alice)"},
        "until": None,
    }
    assert flashed(response) == [f"김앨리스 (Kim Alice) can write in “{room.name}” again."]
    assert post(room, alice, "back").seq == 8


def test_close_and_reopen_a_room_audit_it_and_tell_the_room(
    client, chat, carol, alice, django_capture_on_commit_callbacks
):
    room = chat["room"]
    receive = listen(room.pk)
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(f"{chat['url']}rooms/{room.pk}/close/", follow=True)
    closed_at = Room.objects.get(pk=room.pk).closed_at
    closed_event = receive()["event"]
    with django_capture_on_commit_callbacks(execute=True):
        reopened = client.post(f"{chat['url']}rooms/{room.pk}/reopen/", follow=True)

    assert closed_at is not None
    assert Room.objects.get(pk=room.pk).closed_at is None
    assert closed_event == {"type": "room", "room": room.pk, "closed": True}
    assert receive()["event"] == {"type": "room", "room": room.pk, "closed": False}
    assert list(ModerationAction.objects.values_list("action", "actor", "room")) == [
        ("reopen", carol.pk, room.pk),
        ("close", carol.pk, room.pk),
    ]
    assert flashed(closed) == [
        f"“{room.name}” is closed: nobody can write in it until it is reopened."
    ]
    assert flashed(reopened) == [f"“{room.name}” is open again."]


# --- Bad input: a clear message, nothing written -----------------------------------------


def bad_posts(chat, elsewhere, alice, mina) -> list[tuple[str, dict, str]]:
    base, room = chat["url"], chat["room"]
    return [
        (f"{base}reports/999999/resolve/", {}, "There is no such report in this program."),
        (
            f"{base}reports/{elsewhere['report'].pk}/resolve/",
            {},
            "There is no such report in this program.",
        ),
        (
            f"{base}messages/999999/delete/",
            {"reason": "x"},
            "There is no such message in this program.",
        ),
        (
            f"{base}messages/{elsewhere['message'].pk}/delete/",
            {"reason": "x"},
            "There is no such message in this program.",
        ),
        (
            f"{base}messages/{chat['lines'][3].pk}/delete/",
            {"reason": "  "},
            "Say why the message is deleted (at most 500 characters).",
        ),
        (
            f"{base}messages/{chat['lines'][3].pk}/delete/",
            {"reason": "x" * 501},
            "Say why the message is deleted (at most 500 characters).",
        ),
        (
            f"{base}rooms/{room.pk}/mute/",
            {"user": alice.pk, "duration": "2h"},
            "Choose how long: 1 hour, 24 hours or 7 days.",
        ),
        (
            f"{base}rooms/{room.pk}/mute/",
            {"user": alice.pk},
            "Choose how long: 1 hour, 24 hours or 7 days.",
        ),
        (
            f"{base}rooms/{room.pk}/mute/",
            {"user": mina.pk, "duration": "1h"},
            "That person is not in this room.",
        ),
        (
            f"{base}rooms/{room.pk}/mute/",
            {"user": "nobody", "duration": "1h"},
            "That person is not in this room.",
        ),
        (
            f"{base}rooms/{room.pk}/mute/",
            {"user": 999999, "duration": "1h"},
            "That person is not in this room.",
        ),
        (
            f"{base}rooms/{elsewhere['room'].pk}/mute/",
            {"user": alice.pk, "duration": "1h"},
            "There is no such room in this program.",
        ),
        (
            f"{base}rooms/{elsewhere['room'].pk}/unmute/",
            {"user": alice.pk},
            "There is no such room in this program.",
        ),
        (f"{base}rooms/{room.pk}/unmute/", {}, "That person is not in this room."),
        (
            f"{base}rooms/{elsewhere['room'].pk}/close/",
            {},
            "There is no such room in this program.",
        ),
        (f"{base}rooms/999999/close/", {}, "There is no such room in this program."),
        (f"{base}rooms/{room.pk}/reopen/", {}, f"“{room.name}” is already open."),
    ]


def test_bad_input_gets_a_clear_message_and_writes_nothing(
    client, chat, elsewhere, carol, alice, mina
):
    client.force_login(carol)

    for url, data, expected in bad_posts(chat, elsewhere, alice, mina):
        response = client.post(url, {**data, "next": chat["url"]}, follow=True)

        assert (url, response.redirect_chain, flashed(response)) == (
            url,
            [(chat["url"], 302)],
            [expected],
        )
    assert nothing_changed(chat)
    assert Report.objects.get(pk=elsewhere["report"].pk).resolved_at is None


def test_closing_a_closed_room_or_deleting_a_deleted_message_writes_nothing(client, chat, carol):
    room, line = chat["room"], chat["lines"][3]
    services.room_close(room=room, by=carol)
    services.message_delete(message=line, by=carol, reason="x")
    client.force_login(carol)

    closed = client.post(f"{chat['url']}rooms/{room.pk}/close/", follow=True)
    deleted = client.post(f"{chat['url']}messages/{line.pk}/delete/", {"reason": "y"}, follow=True)

    assert flashed(closed) == [f"“{room.name}” is already closed."]
    assert flashed(deleted) == ["This message is already deleted."]
    assert ModerationAction.objects.count() == 2


def test_actions_go_back_only_to_this_programs_moderation_page(client, chat, carol):
    client.force_login(carol)
    resolve = f"{chat['url']}reports/{chat['reports']['spam'].pk}/resolve/"

    outside = client.post(resolve, {"next": "https://evil.example/"})
    hx = client.post(
        f"{chat['url']}reports/{chat['reports']['rude'].pk}/resolve/",
        {"next": chat["url"] + "?show=resolved"},
        HTTP_HX_REQUEST="true",
    )

    assert outside.url == chat["url"]
    assert hx.url == chat["url"] + "?show=resolved"


# --- The moderation log ------------------------------------------------------------------


def test_moderation_log_lists_every_action_of_the_program_only(
    client, chat, elsewhere, carol, bob, alice
):
    room = chat["room"]
    until = timezone.now() + timedelta(hours=1)
    services.member_mute(room=room, user=alice, until=until, by=carol)
    services.message_delete(message=chat["lines"][3], by=bob, reason="an insult")
    services.room_close(room=elsewhere["room"], by=carol)
    client.force_login(bob)

    response = client.get(chat["url"] + "log/")

    log = list(response.context["log"])
    assert [(a.actor, a.action, a.target, a.room) for a in log] == [
        (bob, "delete", alice, room),
        (carol, "mute", alice, room),
    ]
    assert log[1].until == until
    body = response.content.decode()
    assert "line 4<br>---<br>an insult" in body
    assert "Closed the room" not in body


# --- Links to the page -------------------------------------------------------------------


def test_coordinator_pages_link_to_moderation_with_the_open_count(client, chat, carol):
    client.force_login(carol)
    link = f'href="{chat["url"]}"'

    dashboard = client.get("/coordinate/").content.decode()
    detail = client.get(f"/programs/{chat['program'].pk}/").content.decode()
    matching = client.get(f"/coordinate/programs/{chat['program'].pk}/matching/").content.decode()

    assert link in dashboard and "3 open reports" in dashboard
    assert link in detail and "3 open reports" in detail
    assert link in matching


def test_students_see_no_moderation_link(client, chat, alice):
    client.force_login(alice)

    detail = client.get(f"/programs/{chat['program'].pk}/").content.decode()

    assert "/moderation/" not in detail


# --- Queries -----------------------------------------------------------------------------


# session, user, home city (time zone), the second factor, program + its cities, memberships,
# then the reports
# (count, page, context), who is muted, the rooms (rooms, coordinators, participants), the log
MODERATION_PAGE_QUERIES = 15


@pytest.mark.parametrize("n", [1, 20])
def test_moderation_page_queries_do_not_grow_with_reports(
    client, published, program_ab, alice, carol, n, django_assert_num_queries
):
    room = published["pair"]
    buddy = published["buddy"].student
    for i in range(n):
        services.report_create(message=post(room, alice, f"m{i}"), reporter=buddy, reason="r")
    services.member_mute(room=room, user=alice, until=timezone.now() + timedelta(hours=1), by=carol)
    client.force_login(carol)
    client.get(page_url(program_ab))  # warms the session

    with django_assert_num_queries(MODERATION_PAGE_QUERIES):
        response = client.get(page_url(program_ab))

    assert len(response.context["reports"]) == n


# --- Live: a socket in the room hears the page's actions ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_socket_in_the_room_gets_the_tombstone_and_the_room_closed_after_page_actions(
    published, alice, carol
):
    room = published["pair"]
    line = post(room, alice, "something rude")
    alice_cookie = cookie_for(alice)
    coordinator = Client()
    coordinator.force_login(carol)
    url = page_url(room.program)

    async def scenario():
        student = socket(room, alice_cookie)
        assert (await student.connect())[0]
        # A read marker comes back through the relay: the socket is listening to the room.
        await student.send_to(text_data=json.dumps({"type": "read", "id": 1}))
        await frames(student, 1)
        deleted = await sync_to_async(coordinator.post)(
            f"{url}messages/{line.pk}/delete/", {"reason": "rude"}
        )
        tombstone = await frames(student, 1)
        closed = await sync_to_async(coordinator.post)(f"{url}rooms/{room.pk}/close/")
        room_closed = await frames(student, 1)
        await student.disconnect()
        return [deleted.status_code, closed.status_code], tombstone + room_closed

    statuses, events = run_chat(scenario())

    assert statuses == [302, 302]
    assert events == [
        {"type": "deleted", "room": room.pk, "id": 1},
        {"type": "room", "room": room.pk, "closed": True},
    ]
