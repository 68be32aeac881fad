"""Browser tests: Playwright's sync API drives the system Chromium against pytest-django's
`live_server`, which runs the portal in a thread of this process on the transactional test
database. Emails go to the locmem backend, so `mailoutbox` sees what the live server sends.
"""

import importlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from accounts import services as account_services
from accounts import tokens
from accounts.models import GuardianConsent, User
from exchange.models import CertificateBatch, LiveSession
from exchange.services import certificates as certificate_services
from privacy import services as privacy_services
from tests import factories
from tests.exchange.helpers import completed, issued
from tests.messaging.conftest import chat, published  # noqa: F401 (fixtures)
from tests.messaging.servers import listening_socket, server_env, start_daphne

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


# The cast and the page visits that the browser sweeps share (the CSP sweep in test_csp.py, the
# accessibility sweep in test_accessibility.py): one set of pages, each as the persona who
# reaches it.


@pytest.fixture
def cast(city_a, city_b, carol, bob, oscar, alice, mina, program_ab, chat):  # noqa: F811
    """Everything the pages need: alice's published pair room with reported lines (chat), a
    draft of alice's in another program, an applicant under review, a certificate, a queued
    batch, an online program with a live session, and guardian links."""
    other = factories.ProgramFactory(title="Open call", cities={city_a: 5, city_b: 5})
    draft = factories.ApplicationFactory(program=other, student=alice, state="draft")
    eve = factories.StudentFactory(email="eve@example.org", home_city=city_a, age=16)
    under_review = factories.ApplicationFactory(program=program_ab, student=eve)
    dana = factories.StudentFactory(email="dana@example.org", home_city=city_a, age=17)
    certificate = issued(completed(program_ab, dana))
    batch = CertificateBatch.objects.create(program=program_ab, format="pdf", requested_by=carol)
    batch.cities.set([city_a])
    online = factories.ProgramFactory(
        title="Online café", kind="online", cities={city_a: 8, city_b: 8}
    )
    start = timezone.make_aware(datetime.combine(online.starts_on + timedelta(days=1), time(10)))
    session = LiveSession.objects.create(
        program=online, title="Kick-off", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    pending = account_services.guardian_consent_request(
        student=mina, guardian_email="mum@example.org"
    )
    given = GuardianConsent.objects.get(student=alice, is_current=True)
    staff = factories.StaffFactory(email="staff@example.org")
    # A 13-year-old whose guardian acts for him on the data-rights pages, and a request to
    # delete eve's data waiting in her city's queue.
    jun = factories.StudentFactory(email="jun@example.org", home_city=city_a, age=13)
    juns = GuardianConsent.objects.create(
        student=jun,
        guardian_email="parent.jun@example.org",
        guardian_name="박부모",
        relationship="mother",
        consented_at=timezone.now(),
    )
    privacy_services.deletion_request_create(student=eve, by=eve)
    return {
        "draft": draft,
        "under_review": under_review,
        "verify": f"/verify/{certificate_services.verify_code(certificate)}/",
        "online": online,
        "session": session,
        "consent_link": f"/me/guardian/{tokens.consent_token(pending)}/",
        "withdraw_link": f"/me/guardian/{tokens.withdraw_token(given)}/withdraw/",
        "rights_link": f"/guardian-data/{tokens.rights_token(juns)}/",
        "staff": staff,
    }


def visit(page: Page, path: str, *, status: int = 200, portal: bool = True) -> None:
    """Opens `path` and waits for its scripts (portal.js marks the portal's pages; the admin
    has its own, done once the page has loaded)."""
    response = page.goto(path)
    assert response is not None
    assert (path, response.status) == (path, status)
    if portal:
        scripts_ready(page)


@contextmanager
def daphne_site() -> Iterator[str]:
    """One daphne process on the test database and Redis, as its own site (the chat's socket
    needs ASGI, which pytest-django's live server lacks); yields its address."""
    env = server_env(redis_url=settings.REDIS_URL, settings_module="tests.settings")
    with listening_socket() as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        # Its own site: the socket's origin and the policy's connect-src name this address.
        process = start_daphne(listener, {**env, "SITE_URL": url})
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def sign_in_at(context: BrowserContext, url: str, user: User) -> None:
    """Signs `user` in to a browser context on the site at `url` (a daphne process)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])


AXE_VERSION = "4.14.1"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()

# axe-core, vendored (tests/e2e/vendor/axe-core/README.md). Its source runs as the body of a
# function that Playwright's evaluate calls through DevTools, which the page's CSP does not
# govern: an injected <script> would be refused, and bypass_csp would check a page nobody sees.
# The bundle sets window.axe on its own.
LOAD_AXE = "() => {\n" + AXE_SOURCE + "\n;return window.axe.version;\n}"
RUN_AXE = """async () => {
  const result = await window.axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


def axe_violations(page: Page) -> list[dict]:
    """What axe's default rules (WCAG 2 A and AA, best practices) find on the page as it is:
    each violation's id, impact, help text and the selectors of the elements at fault."""
    assert page.evaluate(LOAD_AXE) == AXE_VERSION
    return page.evaluate(RUN_AXE)


# --- Which templates are pages, and which were rendered -----------------------------------

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint to PDF; no browser is served them.
PDF_TEMPLATES = {
    "exchange/certificate.html",
    "exchange/pdf/trip_sheet.html",
    "outcomes/reports/pdf/annual_report.html",
    "outcomes/learning/pdf/certificate_page.html",
}
# The duty-of-care folders, each swept by its own browser test (CSP and axe), which asserts
# it rendered every page of the folder.
AREA_SWEEPS = {
    "exchange/households/": "test_house_pages.py",
    "exchange/trips/": "test_trip_pages.py",
    "exchange/sheets/": "test_sheets_pages.py",
    "exchange/checkins/": "test_sheets_pages.py",
    "exchange/care/": "test_care_pages.py",
    # Outcomes (issue 16).
    "outcomes/surveys/": "test_outcomes_survey_pages.py",
    "outcomes/learning/": "test_outcomes_report_pages.py",
    "outcomes/reports/": "test_outcomes_report_pages.py",
    "outcomes/plans/": "test_outcomes_plan_pages.py",
    "outcomes/dashboards/": "test_outcomes_dashboard_pages.py",
    "outcomes/observers/": "test_outcomes_observer_pages.py",
}


def page_templates(folder: str = "") -> set[str]:
    """Every page template (under `folder`): not partials (`_name`), emails, form pieces or
    PDF templates."""
    pages = set()
    for path in (TEMPLATES_DIR / folder).rglob("*.html"):
        name = path.relative_to(TEMPLATES_DIR).as_posix()
        if path.name.startswith("_") or {"email", "includes"} & set(path.parts):
            continue
        if name not in PDF_TEMPLATES:
            pages.add(name)
    return pages


@pytest.fixture
def rendered() -> Iterator[set[str]]:
    """The repo's templates rendered in this process (the live server's thread included)."""
    names: set[str] = set()

    def record(sender, template, **kwargs) -> None:
        origin = getattr(getattr(template, "origin", None), "name", None)
        if origin and Path(str(origin)).is_relative_to(TEMPLATES_DIR):
            names.add(Path(str(origin)).relative_to(TEMPLATES_DIR).as_posix())

    template_rendered.connect(record, dispatch_uid="template-sweep")
    yield names
    template_rendered.disconnect(dispatch_uid="template-sweep")
