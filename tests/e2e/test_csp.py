"""Every page under the real Content-Security-Policy in Chromium, with no violation at all.

Each browser context reports every `securitypolicyviolation` event and every console error to
this process. The sweep visits each page as the persona who can reach it, works a few htmx
swaps, and asserts both lists are exactly what it expects: no violation, and console errors
only for the responses that are errors on purpose (the 403, 404 and 500 pages).

Which templates count as pages: every `.html` file under templates/ except partials (a name
starting with `_`), emails (an `email/` folder), form pieces (`includes/`) and the
certificate, which WeasyPrint renders to PDF and no browser is served (PDF_TEMPLATES). Each of
them must be rendered during the sweep (django.test.signals.template_rendered, which
pytest-django's test environment sends), so a new page template fails this test until the
sweep visits it.
"""

import re
from collections.abc import Callable

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client, RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from accounts.models import User
from exchange.settings import content_security_policy
from tests import factories
from tests.e2e.conftest import (
    AREA_SWEEPS,
    daphne_site,
    email_to,
    htmx_swap,
    link_path,
    page_templates,
    scripts_ready,
    sign_in_at,
    verification_path,
    visit,
)
from tests.messaging.conftest import chat, published  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

# The duty-of-care pages (issue 15) are swept by their own browser tests, under the same
# policy, each asserting it rendered every page of its folder (AREA_SWEEPS in conftest.py).
CHECKED_IN_AREA_SWEEPS = tuple(AREA_SWEEPS)
# The chat page needs WebSockets, which pytest-django's WSGI live server lacks: it is checked
# on a daphne process (another process, so its renders are not seen here).
CHECKED_ON_DAPHNE = {"messaging/room.html"}

REPORTER = """
window.seenViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.seenViolations.push(event.violatedDirective);
  window.reportViolation({
    page: location.pathname,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: `${event.sourceFile}:${event.lineNumber}`,
    sample: event.sample,
  });
});
"""


class Watch:
    """What the browser reported: CSP violations and console errors, with the page each."""

    def __init__(self) -> None:
        self.violations: list[dict] = []
        self.errors: list[tuple[str, str]] = []

    def attach(self, context: BrowserContext) -> BrowserContext:
        context.expose_binding(
            "reportViolation", lambda source, violation: self.violations.append(violation)
        )
        context.add_init_script(REPORTER)
        context.on("page", self.listen)
        return context

    def listen(self, page: Page) -> None:
        def on_console(message) -> None:
            if message.type == "error":
                self.errors.append((path_of(page.url), message.text))

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append((path_of(page.url), str(error))))


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def strict_site(settings, live_server) -> str:
    """The policy as a deployment on the live server's address would send it."""
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


@pytest.fixture
def persona(new_context, log_in, watch, strict_site) -> Callable[[User | None], Page]:
    """A page in a fresh context signed in as `user` (or anonymous), watched."""

    def open_page(user: User | None) -> Page:
        context = watch.attach(new_context())
        if user is not None:
            log_in(context, user)
        return context.new_page()

    return open_page


def anonymous_pages(page: Page, cast, program_ab, city_a) -> None:
    visit(page, "/")
    visit(page, "/programs/")
    with htmx_swap(page):
        page.locator("#id_kind").select_option("visit")
    expect(page).to_have_url(re.compile(r"/programs/\?kind=visit"))
    visit(page, f"/programs/{program_ab.pk}/")
    visit(page, "/cities/")
    visit(page, f"/cities/{city_a.slug}/")
    visit(page, cast["verify"])
    visit(page, "/verify/NOT-A-CODE/", status=404)
    visit(page, "/no-such-page/", status=404)
    visit(page, "/accounts/login/")
    visit(page, cast["consent_link"])
    visit(page, cast["withdraw_link"])
    visit(page, "/me/guardian/not-a-token/", status=404)
    visit(page, cast["rights_link"])
    visit(page, cast["rights_link"] + "delete/")


def emailed_link_pages(page: Page, mailoutbox, mina) -> None:
    """Signing up (the form, the notice, the confirmation link) and resetting a password (the
    request, the notice, the form behind the emailed link), all signed out."""
    visit(page, "/accounts/signup/")
    page.locator("#id_email").fill("haneul@example.org")
    page.locator("#id_date_of_birth").fill(factories.birth_date_for(16).isoformat())
    page.locator("#id_password1").fill(factories.PASSWORD)
    page.locator("#id_password2").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    scripts_ready(page)
    visit(page, verification_path(mailoutbox, "haneul@example.org"))
    visit(page, "/accounts/password/reset/")
    page.locator("#id_email").fill(mina.email)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    scripts_ready(page)
    reset = email_to(mailoutbox, mina.email).body
    page.goto(link_path(reset, r"/accounts/password/reset/key/[^/\s]+/"))
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/key/[^/]+-set-password/$"))
    scripts_ready(page)


def student_pages(page: Page, cast, alice) -> None:
    visit(page, "/me/profile/")
    visit(page, "/me/consent/")
    visit(page, "/me/applications/")
    visit(page, f"/me/applications/{cast['draft'].pk}/")
    visit(page, f"/me/applications/{cast['draft'].pk}/edit/")
    visit(page, f"/me/applications/{cast['draft'].pk}/submit/")
    visit(page, "/chat/")
    visit(page, "/me/data/")
    visit(page, "/me/data/delete/")
    visit(page, "/accounts/password/change/")
    visit(page, "/accounts/2fa/")
    # Signed in without the form, so allauth asks for the password before any MFA change.
    visit(page, "/accounts/2fa/totp/activate/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    scripts_ready(page)
    expect(page.locator(".totp-qr svg")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.locator("#id_code").fill(code)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    scripts_ready(page)
    visit(page, "/accounts/2fa/totp/deactivate/")
    # A pending change of address shows allauth's hidden re-send form (after the MFA pages:
    # allauth adds no authenticator while an address is unverified).
    visit(page, "/accounts/email/")
    page.locator("#id_email").fill("alice.new@example.org")
    page.locator("main form button[name=action_add]").click()
    expect(page.locator("form#pending-email")).to_be_hidden()


def coordinator_pages(page: Page, cast, program_ab, city_a) -> None:
    pk = program_ab.pk
    visit(page, "/coordinate/")
    visit(page, "/programs/new/")
    visit(page, f"/programs/{pk}/edit/")
    visit(page, f"/coordinate/programs/{pk}/applications/")
    visit(page, f"/coordinate/applications/{cast['under_review'].pk}/")
    visit(page, f"/coordinate/programs/{pk}/setup/")
    visit(page, f"/coordinate/programs/{pk}/participants/")
    visit(page, f"/coordinate/programs/{pk}/audit/")
    visit(page, f"/coordinate/programs/{pk}/matching/")
    # The confirmation steps before releasing a city's decisions and reopening a matching.
    visit(page, f"/coordinate/programs/{pk}/release/{city_a.pk}/")
    visit(page, f"/coordinate/programs/{pk}/matching/reopen/")
    # A queued batch: the list asks again every 2 s and htmx swaps it in place.
    visit(page, f"/coordinate/programs/{pk}/certificates/")
    with htmx_swap(page):
        pass
    expect(page.locator("#certificate-batches")).to_have_attribute("hx-trigger", "every 2s")
    visit(page, f"/coordinate/cities/{city_a.pk}/branding/")
    online = cast["online"].pk
    visit(page, f"/coordinate/programs/{online}/sessions/")
    visit(page, f"/coordinate/programs/{online}/sessions/{cast['session'].pk}/")
    visit(page, f"/coordinate/programs/{pk}/moderation/")
    with htmx_swap(page):
        page.locator("#moderation a[href$='?show=resolved']").click()
    expect(page).to_have_url(re.compile(r"\?show=resolved$"))
    visit(page, f"/coordinate/programs/{pk}/moderation/log/")
    visit(page, "/coordinate/data-requests/")


def staff_pages(page: Page, cast, alice, program_ab) -> None:
    visit(page, "/admin/", portal=False)
    visit(page, "/admin/accounts/user/", portal=False)
    visit(page, f"/admin/accounts/user/{alice.pk}/change/", portal=False)
    visit(page, "/admin/exchange/program/", portal=False)
    visit(page, f"/admin/exchange/program/{program_ab.pk}/change/", portal=False)
    visit(page, "/admin/exchange/application/", portal=False)


def server_error_page(page: Page, policy: str) -> None:
    """Django's own 500 response, as handler500 renders it, served under the policy: no view
    of the portal fails on purpose, so the browser gets it through a route."""
    body = server_error(RequestFactory().get("/")).content

    def fulfil(route: Route) -> None:
        route.fulfill(
            status=500,
            body=body,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy},
        )

    page.route("**/server-error/", fulfil)
    response = page.goto("/server-error/")
    assert response is not None and response.status == 500
    expect(page.locator("h1")).to_have_text("Something went wrong")


def chat_on_daphne(browser: Browser, watch: Watch, room_id: int, alice: User) -> None:
    with daphne_site() as url:
        context = watch.attach(browser.new_context(base_url=url, locale="en-US"))
        sign_in_at(context, url, alice)
        page = context.new_page()
        # The first request may reach the server before Django has loaded: the kernel holds it.
        page.goto(f"/chat/{room_id}/", timeout=60_000)
        expect(page.locator("#chat-status")).to_have_text("Connected", timeout=30_000)
        page.get_by_label("Your message").fill("CSP holds")
        page.get_by_label("Your message").press("Enter")
        expect(page.locator("#chat-log .chat-body").last).to_have_text("CSP holds")
        context.close()


def test_csp_every_page_has_no_violation(
    mailoutbox,
    browser,
    persona,
    watch,
    rendered,
    cast,
    alice,
    mina,
    carol,
    oscar,
    program_ab,
    city_a,
    chat,  # noqa: F811
):
    anonymous_pages(persona(None), cast, program_ab, city_a)
    emailed_link_pages(persona(None), mailoutbox, mina)
    minor = persona(mina)
    visit(minor, "/")
    visit(minor, "/me/consent/")
    student_pages(persona(alice), cast, alice)
    coordinator_pages(persona(carol), cast, program_ab, city_a)
    outsider = persona(oscar)
    visit(outsider, f"/coordinate/programs/{program_ab.pk}/applications/", status=403)
    staff_pages(persona(cast["staff"]), cast, alice, program_ab)
    policy = Client().get("/")["Content-Security-Policy"]
    server_error_page(persona(None), policy)
    chat_on_daphne(browser, watch, chat["room"].pk, alice)

    assert watch.violations == []
    failed = "Failed to load resource: the server responded with a status of"
    assert watch.errors == [
        ("/verify/NOT-A-CODE/", f"{failed} 404 (Not Found)"),
        ("/no-such-page/", f"{failed} 404 (Not Found)"),
        ("/me/guardian/not-a-token/", f"{failed} 404 (Not Found)"),
        (f"/coordinate/programs/{program_ab.pk}/applications/", f"{failed} 403 (Forbidden)"),
        ("/server-error/", f"{failed} 500 (Internal Server Error)"),
    ]
    swept_elsewhere = {t for t in page_templates() if t.startswith(CHECKED_IN_AREA_SWEEPS)}
    assert page_templates() - rendered - CHECKED_ON_DAPHNE - swept_elsewhere == set()
    assert {"account/email_change.html", "mfa/totp/activate_form.html"} <= rendered


def test_csp_page_templates_rule_finds_the_pages():
    """The rule above, on the templates as they are: partials, emails, form pieces and the
    PDF certificate are left out."""
    pages = page_templates()

    assert {"base.html", "exchange/home.html", "messaging/room.html"} <= pages
    assert {
        "exchange/_program_card.html",
        "exchange/certificate.html",
        "exchange/email/application_state_message.html",
        "includes/field.html",
        "messaging/_moderation_log.html",
    } & pages == set()


def test_csp_sweep_reports_a_violation(new_context, watch, strict_site):
    """The watch does see a violation: an inline style the policy refuses."""
    page = watch.attach(new_context()).new_page()
    visit(page, "/")
    page.evaluate(
        """() => { const p = document.createElement("p");
                   p.setAttribute("style", "color: red"); document.body.append(p); }"""
    )
    expect(page.locator("p[style]")).to_have_count(1)
    # The report reaches this process before the page's own list says it saw it.
    page.wait_for_function("() => window.seenViolations.length === 1")
    assert [(v["page"], v["directive"]) for v in watch.violations] == [("/", "style-src-attr")]
