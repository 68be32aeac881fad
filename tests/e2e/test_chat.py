"""The chat page in Chromium against real ASGI servers.

pytest-django's live_server is WSGI and has no WebSockets, so these tests start daphne
processes on the test database and Redis, each on a socket this process holds: killing one
drops its browser's WebSocket for real (a closed TCP connection), and starting it again on the
same socket lets the page reconnect on its own. (Playwright's context.set_offline does not
close an open WebSocket in Chromium: the socket stays up and delivers what it missed later.)
"""

import asyncio
import contextlib
import re
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from exchange.services.applications import application_withdraw
from messaging import services
from messaging.models import Message, ModerationAction, Report, RoomState
from messaging.relay import room_group
from tests import factories
from tests.messaging.conftest import published  # noqa: F401 (a fixture)
from tests.messaging.servers import listening_socket, start_daphne, suite_server_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
XSS = '<img src=x onerror="window.pwned=1">'


class Server:
    """One daphne process serving the whole portal (pages, static files, sockets)."""

    def __init__(self, listener, env: dict[str, str]) -> None:
        self.listener = listener
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        # Each server is its own site: its pages open sockets from its own origin.
        self.env = {**env, "SITE_URL": self.url}

    def start(self) -> None:
        self.process = start_daphne(self.listener, self.env)

    def kill(self) -> None:
        """Gone at once, as a crashed server: its TCP connections close, the port stays ours."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def start_servers(transactional_db) -> Iterator[Callable[[int], list[Server]]]:
    """Starts daphne processes on the test database with the test settings (so static files
    are served and plain HTTP is not redirected): on Redis, or on the embedded stack (one
    process, as `make run` serves, on the SQLite test database)."""
    env = suite_server_env()
    with contextlib.ExitStack() as stack:
        running: list[Server] = []

        def start(count: int) -> list[Server]:
            # The in-memory channel layer joins the sockets of one process only.
            assert settings.EXCHANGE_TEST_STACK != "embedded" or count + len(running) == 1
            started = [Server(stack.enter_context(listening_socket()), env) for _ in range(count)]
            for server in started:
                server.start()
            running.extend(started)
            return started

        try:
            yield start
        finally:
            for server in running:
                server.stop()


@pytest.fixture
def chat_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """A signed-in browser context on one of the servers."""
    contexts: list[BrowserContext] = []

    def open_context(server: Server, user: User, **options) -> BrowserContext:
        options.setdefault("locale", "en-US")
        context = browser.new_context(base_url=server.url, **options)
        contexts.append(context)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": server.url}])
        return context

    yield open_context
    for context in contexts:
        context.close()


def broadcast(room_id: int, event: dict) -> None:
    """Publishes an event to the room's group, as the servers do, from a thread of its own:
    Playwright's event loop occupies this one."""

    async def publish() -> None:
        layer = get_channel_layer()
        await layer.group_send(
            room_group(room_id), {"type": "room.event", "room": room_id, "event": event}
        )
        await layer.close_pools()

    thread = threading.Thread(target=asyncio.run, args=(publish(),))
    thread.start()
    thread.join()


def open_chat(context: BrowserContext, room_id: int) -> Page:
    page = context.new_page()
    # The first request may reach the server before Django has loaded: the kernel holds it.
    page.goto(f"/chat/{room_id}/", timeout=60_000)
    expect(page.locator("#chat-status")).to_have_text("Connected", timeout=30_000)
    return page


def write(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def bodies(page: Page):
    return page.locator("#chat-log .chat-body")


def test_chat_both_ways_and_catching_up_after_losing_the_connection(
    published,  # noqa: F811
    alice,
    start_servers,
    chat_context,
):
    room = published["pair"]
    buddy = published["buddy"].student
    first, second = start_servers(2)
    alice_page = open_chat(chat_context(first, alice), room.pk)
    buddy_page = open_chat(chat_context(second, buddy, viewport=PHONE), room.pk)

    # Both ways, across the two processes.
    write(alice_page, "안녕, 반가워!")
    expect(bodies(buddy_page)).to_have_text(["안녕, 반가워!"])
    buddy_page.get_by_label("Your message").fill("你好！Nice to meet you.\nSee you soon.")
    expect(alice_page.locator("#chat-typing")).to_have_text(f"{buddy.display_name} is typing…")
    buddy_page.get_by_role("button", name="Send").click()
    expect(bodies(alice_page)).to_have_text(
        ["안녕, 반가워!", "你好！Nice to meet you.\nSee you soon."]
    )
    expect(alice_page.locator("#chat-typing")).to_have_text("")
    expect(alice_page.locator("#chat-pending li")).to_have_count(0)
    # A 24-hour clock, as on the pages (it read "9:07 PM" beside the room list's "21:07").
    expect(buddy_page.locator("#chat-log .chat-time").first).to_have_text(
        re.compile(r"(^|\s)([01]?\d|2[0-3]):[0-5]\d$")
    )

    # The buddy's server dies; alice goes on writing, and so does the buddy, unsent.
    second.kill()
    expect(buddy_page.locator("#chat-status")).to_have_text("Connection lost. Reconnecting…")
    for text in ("one", "two", "three"):
        write(alice_page, text)
    expect(bodies(alice_page)).to_have_count(5)
    write(buddy_page, "Sorry, I was offline")
    expect(buddy_page.locator("#chat-pending .chat-body")).to_have_text(["Sorry, I was offline"])
    expect(buddy_page.locator("#chat-pending .chat-time")).to_have_text(["Sending…"])

    # Back again: the page reconnects by itself and shows everything once, in order.
    second.start()
    everything = [
        "안녕, 반가워!",
        "你好！Nice to meet you.\nSee you soon.",
        "one",
        "two",
        "three",
        "Sorry, I was offline",
    ]
    expect(buddy_page.locator("#chat-status")).to_have_text("Connected", timeout=30_000)
    expect(bodies(buddy_page)).to_have_text(everything)
    expect(buddy_page.locator("#chat-pending li")).to_have_count(0)
    expect(bodies(alice_page)).to_have_text(everything)
    assert list(Message.objects.filter(room=room).values_list("seq", "body")) == list(
        enumerate(everything, start=1)
    )
    assert [
        int(i)
        for i in buddy_page.locator("#chat-log .chat-message").evaluate_all(
            "nodes => nodes.map(node => node.dataset.id)"
        )
    ] == [1, 2, 3, 4, 5, 6]

    # Markup in a message is text, on the sender's page and the reader's.
    write(alice_page, XSS)
    for page in (alice_page, buddy_page):
        expect(bodies(page).last).to_have_text(XSS)
        assert page.locator("#chat-log img").count() == 0
        assert page.evaluate("typeof window.pwned") == "undefined"

    # A phone: nothing to scroll sideways. The screenshot is for a person to look at.
    assert buddy_page.evaluate(
        "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    ) == [PHONE["width"], PHONE["width"]]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    buddy_page.screenshot(path=str(SCREENSHOTS / "chat-390.png"), full_page=True)


def test_chat_report_then_coordinator_removes_the_message(
    published,  # noqa: F811
    alice,
    carol,
    start_servers,
    chat_context,
):
    room = published["pair"]
    buddy = published["buddy"].student
    [server] = start_servers(1)
    buddy_page = open_chat(chat_context(server, buddy), room.pk)
    alice_page = open_chat(chat_context(server, alice), room.pk)
    carol_page = open_chat(chat_context(server, carol), room.pk)

    write(buddy_page, "a rude remark")
    expect(bodies(alice_page)).to_have_text(["a rude remark"])
    # Students report others' messages, never their own, and don't delete.
    expect(buddy_page.locator("#chat-log .chat-report")).to_have_count(0)
    expect(alice_page.locator("#chat-log .chat-delete")).to_have_count(0)

    alice_page.locator("#chat-log .chat-report").click()
    dialog = alice_page.get_by_role("dialog", name="Report this message")
    expect(dialog.locator("blockquote")).to_have_text("a rude remark")
    dialog.get_by_label(re.compile("What is wrong with it?")).fill("This hurts.")
    dialog.get_by_role("button", name="Send report").click()
    expect(alice_page.locator("#chat-notice")).to_have_text(
        "Thank you. The coordinators will look at this message."
    )
    expect(alice_page.locator("#chat-log .chat-report")).to_have_text("Reported")
    assert list(Report.objects.values_list("reporter", "reason")) == [(alice.pk, "This hurts.")]

    expect(bodies(carol_page)).to_have_text(["a rude remark"])
    carol_page.locator("#chat-log .chat-delete").click()
    dialog = carol_page.get_by_role("dialog", name="Remove this message")
    dialog.get_by_label(re.compile("Reason, for the moderation log")).fill("Unkind")
    dialog.get_by_role("button", name="Remove").click()
    for page in (alice_page, buddy_page, carol_page):
        expect(bodies(page)).to_have_text(["Message removed by a coordinator"])
    assert Message.objects.get(room=room, seq=1).body == ""

    # The buddy withdraws: the next frame is refused with 4403, and the page stops there.
    application_withdraw(application=published["buddy"], by=buddy)
    write(buddy_page, "still here?")
    expect(buddy_page.locator("#chat-status")).to_have_text(
        "You are no longer a member of this room, so the chat has stopped."
    )
    expect(buddy_page.locator("#chat-feedback")).to_have_text(
        "You are no longer a member of this room."
    )
    expect(buddy_page.get_by_label("Your message")).to_be_disabled()
    expect(buddy_page.get_by_label("Your message")).to_have_value("still here?")
    expect(buddy_page.locator("#chat-pending li")).to_have_count(0)
    assert Message.objects.filter(room=room).count() == 1


def test_chat_older_pages_keep_the_place_and_a_closed_room_stops_the_composer(
    published,  # noqa: F811
    alice,
    carol,
    start_servers,
    chat_context,
):
    room = published["pair"]
    buddy = published["buddy"].student
    for n in range(1, 121):
        services.message_post(
            room=room, sender=alice if n % 2 else buddy, body=f"m{n}", client_id=uuid.uuid4()
        )
    services.read_marker_set(room=room, user=alice, seq=100)
    [server] = start_servers(1)
    page = open_chat(chat_context(server, alice), room.pk)

    expect(bodies(page)).to_have_count(50)
    expect(bodies(page).first).to_have_text("m71")
    divider = page.locator("#chat-log .chat-divider")
    expect(divider).to_have_text("New messages")
    assert divider.evaluate("node => node.nextElementSibling.dataset.id") == "101"

    older = page.get_by_role("button", name="Load older messages")
    page.locator("#chat-history").evaluate("box => { box.scrollTop = 0; }")
    anchor = page.locator('#chat-log [data-id="71"]')
    before = anchor.bounding_box()["y"]
    older.click()
    expect(bodies(page)).to_have_count(100)
    # What the reader was looking at stays where it was.
    assert anchor.bounding_box()["y"] == pytest.approx(before, abs=1)
    page.locator("#chat-history").evaluate("box => { box.scrollTop = 0; }")
    older.click()
    expect(bodies(page)).to_have_count(120)
    expect(older).to_be_hidden()
    ids = page.locator("#chat-log .chat-message").evaluate_all(
        "nodes => nodes.map(node => Number(node.dataset.id))"
    )
    assert ids == list(range(1, 121))

    # Presence and room events, as the server publishes them to the room's group.
    broadcast(
        room.pk,
        {
            "type": "presence",
            "room": room.pk,
            "present": [
                {"id": alice.pk, "name": alice.display_name},
                {"id": buddy.pk, "name": buddy.display_name},
            ],
        },
    )
    expect(page.get_by_role("region", name="Here now").get_by_role("listitem")).to_have_text(
        [f"{alice.display_name} (you)", buddy.display_name]
    )
    broadcast(room.pk, {"type": "room", "room": room.pk, "closed": True})
    expect(page.locator("#chat-closed")).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_disabled()
    broadcast(room.pk, {"type": "room", "room": room.pk, "closed": False})
    expect(page.locator("#chat-closed")).to_be_hidden()
    expect(page.get_by_label("Your message")).to_be_enabled()

    # Closed by a coordinator while the page is open: the service tells the room's sockets
    # itself, and the composer stops before anything more is written.
    page.get_by_label("Your message").fill("still there?")
    services.room_close(room=room, by=carol)
    expect(page.locator("#chat-closed")).to_be_visible()
    expect(page.get_by_label("Your message")).to_be_disabled()
    expect(page.get_by_label("Your message")).to_have_value("still there?")
    expect(page.locator("#chat-pending li")).to_have_count(0)
    assert Message.objects.filter(room=room).count() == 120


def test_chat_masked_message_shows_why_in_each_readers_language(
    published,  # noqa: F811
    alice,
    start_servers,
    chat_context,
):
    """A 16-year-old's contact is masked for everyone; the sender reads why in English, the
    Korean buddy in Korean, under the message itself."""
    alice.date_of_birth = factories.birth_date_for(16)
    alice.save(update_fields=["date_of_birth"])
    buddy = published["buddy"].student
    buddy.preferred_language = "ko"
    buddy.save(update_fields=["preferred_language"])
    room = published["pair"]
    (server,) = start_servers(1)
    alice_page = open_chat(chat_context(server, alice), room.pk)
    buddy_page = chat_context(server, buddy, locale="ko-KR").new_page()
    buddy_page.goto(f"/chat/{room.pk}/", timeout=60_000)
    expect(buddy_page.locator("#chat-status")).to_have_text("연결됨", timeout=30_000)

    write(alice_page, "카톡 minji\u200b_k 추가해")

    expect(bodies(buddy_page)).to_have_text(["카톡 ••• 추가해"])
    expect(buddy_page.locator("#chat-log .chat-masked-note")).to_have_text(
        ["연락처는 가려졌어요. 담당자가 채팅을 지켜보는 이 포털 안에서 연락해요."]
    )
    expect(bodies(alice_page)).to_have_text(["카톡 ••• 추가해"])
    expect(alice_page.locator("#chat-log .chat-masked-note")).to_have_text(
        [
            "Contact details were hidden: stay in touch here in the portal, where your "
            "coordinators look after the chat."
        ]
    )
    # History, after a reload, says it too; an ordinary message has no note.
    write(alice_page, "see you at 5")
    expect(bodies(buddy_page)).to_have_count(2)
    buddy_page.reload()
    expect(bodies(buddy_page)).to_have_text(["카톡 ••• 추가해", "see you at 5"])
    expect(buddy_page.locator("#chat-log .chat-masked-note")).to_have_count(1)


@pytest.mark.journey
def test_chat_coordinator_mutes_and_deletes_and_the_muted_student_is_told(
    published,  # noqa: F811
    alice,
    carol,
    start_servers,
    chat_context,
):
    """The moderation a city does on one server, as `make run` serves it (on the embedded
    stack too: the page, the socket and the moderation form reach one in-memory layer)."""
    room = published["pair"]
    buddy = published["buddy"].student
    [server] = start_servers(1)
    buddy_page = open_chat(chat_context(server, buddy), room.pk)
    alice_page = open_chat(chat_context(server, alice), room.pk)
    coordinator = chat_context(server, carol)
    carol_page = open_chat(coordinator, room.pk)

    write(buddy_page, "a rude remark")
    expect(bodies(alice_page)).to_have_text(["a rude remark"])
    alice_page.locator("#chat-log .chat-report").click()
    dialog = alice_page.get_by_role("dialog", name="Report this message")
    dialog.get_by_label(re.compile("What is wrong with it?")).fill("Rude.")
    dialog.get_by_role("button", name="Send report").click()
    expect(alice_page.locator("#chat-log .chat-report")).to_have_text("Reported")

    # The coordinator mutes the sender for an hour from the moderation page.
    moderation = coordinator.new_page()
    moderation.goto(f"/coordinate/programs/{room.program_id}/moderation/")
    report = moderation.locator(".report-list > li", has_text="a rude remark")
    report.get_by_label("Mute the sender in this room for").select_option("1h")
    report.get_by_role("button", name="Mute", exact=True).click()
    expect(moderation.locator(".messages")).to_contain_text(
        f"{buddy.display_name} cannot write in “{room.name}”."
    )
    until = RoomState.objects.get(room=room, user=buddy).muted_until

    # ... and removes the message in the chat: every page shows the tombstone at once.
    carol_page.locator("#chat-log .chat-delete").click()
    dialog = carol_page.get_by_role("dialog", name="Remove this message")
    dialog.get_by_label(re.compile("Reason, for the moderation log")).fill("Unkind")
    dialog.get_by_role("button", name="Remove").click()
    for page in (alice_page, buddy_page, carol_page):
        expect(bodies(page)).to_have_text(["Message removed by a coordinator"])

    # The muted student writes: told why beside the message box, the words given back, nothing
    # left "sending", and nothing stored.
    write(buddy_page, "sorry")
    expect(buddy_page.locator("#chat-feedback")).to_have_text(
        # In the buddy's own clock (Zibo), as on the pages.
        "A coordinator muted you in this room until "
        f"{until.astimezone(ZoneInfo(buddy.home_city.time_zone)).strftime('%Y-%m-%d %H:%M')}."
    )
    expect(buddy_page.locator("#chat-pending li")).to_have_count(0)
    expect(buddy_page.get_by_label("Your message")).to_have_value("sorry")
    expect(buddy_page.locator("#chat-status")).to_have_text("Connected")
    expect(bodies(alice_page)).to_have_text(["Message removed by a coordinator"])
    assert list(Message.objects.filter(room=room).values_list("seq", "body")) == [(1, "")]
    assert list(ModerationAction.objects.order_by("pk").values_list("action", "actor")) == [
        ("mute", carol.pk),
        ("delete", carol.pk),
    ]
