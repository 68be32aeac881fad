"""Browser tests: Playwright's sync API drives the system Chromium against pytest-django's
`live_server`, which runs the portal in a thread of this process on the transactional test
database. Emails go to the locmem backend, so `mailoutbox` sees what the live server sends.
"""

import importlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from accounts.models import User

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Deterministic negotiation: the visitor's browser asks for English unless a test switches.
BROWSER_LOCALE = "en-US"


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio loop marked as running in this thread while it is
    # started, so Django's async-safety check refuses every ORM call made here (factories,
    # reading rows back, pytest-django's flush between tests) with SynchronousOnlyOperation.
    # Nothing async touches those connections, so the check is a false alarm for these tests.
    # Package scope stops Playwright after the last browser test: a loop left running would
    # break asyncio.run and async_to_sync in the tests that pytest orders after these.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as driver:
        yield driver
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for all the browser tests; never a downloaded one."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def vocabulary(transactional_db) -> None:
    """Puts back the themes and languages that the vocabulary migration creates.

    The live server needs committed rows, so these tests flush the database when they end, which
    removes the migration's rows too. pytest-django's serialized rollback can't restore them here:
    with Playwright's loop running, Django hands this thread a different connection object from
    the one the test database was serialized on, so the restore silently finds nothing.
    """
    importlib.import_module("core.migrations.0002_vocabulary").forwards(apps, None)


@pytest.fixture
def new_context(browser: Browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """Opens a fresh browser context (its own cookies: another person) on the live server."""
    contexts: list[BrowserContext] = []

    def open_context(**options) -> BrowserContext:
        options.setdefault("locale", BROWSER_LOCALE)
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def log_in(live_server) -> Callable[[BrowserContext, User], None]:
    """Signs `user` in to a browser context without the login form, for tests about other pages."""

    def sign_in(context: BrowserContext, user: User) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        # `url` scopes the cookie to live_server's own host and port, whatever they are.
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return sign_in


def email_to(outbox: list[EmailMessage], address: str) -> EmailMessage:
    """The one email sent to `address`; fails if there is none or more than one."""
    sent = [message for message in outbox if message.to == [address]]
    assert len(sent) == 1, [(m.to, m.subject) for m in outbox]
    return sent[0]


def link_path(body: str, pattern: str) -> str:
    """The path of the one link in `body` whose path matches `pattern`.

    Only the path is kept: allauth builds links from the request's host while the portal's own
    emails use SITE_URL, and the browser must go to live_server either way.
    """
    paths = re.findall(rf"https?://[^/\s]+({pattern})", body)
    assert len(paths) == 1, body
    return paths[0]


def verification_path(outbox: list[EmailMessage], address: str) -> str:
    return link_path(email_to(outbox, address).body, r"/accounts/confirm-email/[^/\s]+/")


def scripts_ready(page: Page) -> None:
    """Waits until portal.js (loaded after htmx, both deferred) has marked the page with `js`.

    A navigation counts as done once the URL changes, before deferred scripts run; a change
    made earlier would reach neither htmx nor the language switcher's auto-submit.
    """
    expect(page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))


@contextmanager
def htmx_swap(page: Page) -> Iterator[None]:
    """Waits, after the block, until the htmx swap it triggered has settled.

    htmx pushes the new URL before it swaps, and binds the swapped-in form only when it settles,
    so neither the URL nor the new content says the page is ready for the next change.
    """
    page.evaluate(
        """() => {
            window.e2eSettled = false;
            document.body.addEventListener(
                "htmx:afterSettle", () => { window.e2eSettled = true; }, { once: true }
            );
        }"""
    )
    yield
    page.wait_for_function("() => window.e2eSettled === true")
