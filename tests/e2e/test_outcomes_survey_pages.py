"""The survey pages (builder, preview, status, resend, results, My surveys, answering) in
Chromium under the real Content-Security-Policy: no violation, no console error and no axe
violation on any of them; a student answers in Korean, a coordinator builds a survey."""

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from exchange.settings import content_security_policy
from outcomes.models import SurveyRequest
from tests import factories
from tests.e2e.conftest import axe_violations, page_templates, visit
from tests.outcomes.survey_helpers import participants, standard

pytestmark = pytest.mark.e2e

REPORTER = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.reportSurveyViolation(location.pathname + " " + event.violatedDirective);
});
"""


@pytest.fixture
def strict_site(settings, live_server) -> str:
    settings.SITE_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(live_server.url)
    return live_server.url


def watched(context: BrowserContext, violations: list, errors: list) -> Page:
    context.expose_binding("reportSurveyViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORTER)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_survey_pages_have_no_csp_or_axe_violation(
    new_context, log_in, strict_site, rendered, city_a, city_b, carol, program_ab, alice
):
    alice.preferred_language = "ko"
    alice.save(update_fields=["preferred_language"])
    mine = factories.ApplicationFactory(program=program_ab, student=alice, state="confirmed")
    participants(program_ab, city_b, 1, language="zh-hans")
    violations: list[str] = []
    errors: list[str] = []
    found: dict[str, list] = {}

    coordinator_context = new_context()
    log_in(coordinator_context, carol)
    coordinator = watched(coordinator_context, violations, errors)
    visit(coordinator, f"/programs/{program_ab.pk}/surveys/pre/")
    coordinator.get_by_role("button", name="Use the standard set").click()
    expect(coordinator.locator(".survey-builder")).to_contain_text(
        "How confident are you at understanding people from other cultures?"
    )
    pre, post = standard(program_ab, carol)
    request = SurveyRequest.objects.get(application=mine)
    for path in (
        f"/programs/{program_ab.pk}/surveys/pre/",
        f"/programs/{program_ab.pk}/surveys/post/",
        f"/surveys/{post.pk}/questions/new/",
        f"/survey-questions/{post.questions.first().pk}/",
        f"/surveys/{pre.pk}/preview/?language=vi",
        f"/surveys/{pre.pk}/status/",
        f"/surveys/{pre.pk}/resend/",
    ):
        visit(coordinator, path)
        if axe := axe_violations(coordinator):
            found[path] = axe

    student_context = new_context()
    log_in(student_context, alice)
    student = watched(student_context, violations, errors)
    visit(student, "/me/surveys/")
    if axe := axe_violations(student):
        found["/me/surveys/"] = axe
    path = f"/me/surveys/{request.pk}/"
    visit(student, path)
    if axe := axe_violations(student):
        found[path] = axe
    question = student.get_by_role("group", name=re.compile("처음 만난 사람들과 잘 지내는 것에"))
    question.get_by_label("4 꽤 많이").check()
    # The page's own strings are translated when the lead merges the catalogues: find them by
    # what they are, not by their wording.
    student.locator("input[name=share_quotes]").check()
    student.locator("form.survey-form button[type=submit]").click()
    expect(student.locator(".survey-answers")).to_contain_text("4 – 꽤 많이")
    if axe := axe_violations(student):
        found[path + " answered"] = axe

    path = f"/surveys/{pre.pk}/results/"
    visit(coordinator, path)
    if axe := axe_violations(coordinator):
        found[path] = axe

    assert violations == []
    assert errors == []
    assert found == {}
    request.refresh_from_db()
    assert (request.status, request.share_quotes) == ("submitted", True)
    assert page_templates("outcomes/surveys/") - rendered == set()
