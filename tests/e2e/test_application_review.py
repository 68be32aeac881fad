"""The core journey in two browsers: a student applies with a document, a coordinator scores and
accepts, the student confirms. Run in English and in Korean; selectors avoid visible text."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from exchange.models import Application, RequiredDocument, RubricCriterion
from tests.files import pdf_bytes

pytestmark = pytest.mark.e2e

State = Application.State


def label(state: str, language: str) -> str:
    with translation.override(language):
        return str(State(state).label)


# English is a journey, run on both stacks; Korean on the services stack only.
@pytest.mark.parametrize("language", [pytest.param("en", marks=pytest.mark.journey), "ko"])
def test_apply_review_accept_confirm_in_two_browsers(
    new_context, log_in, alice, carol, program_ab, mailoutbox, language, tmp_path
):
    for person in (alice, carol):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    requirement = RequiredDocument.objects.create(program=program_ab, kind="guardian-consent")
    motivation = RubricCriterion.objects.create(program=program_ab, name="Motivation", weight=2)
    languages = RubricCriterion.objects.create(program=program_ab, name="Languages", weight=1)
    form_pdf = tmp_path / "consent.pdf"
    form_pdf.write_bytes(pdf_bytes())

    student_context, coordinator_context = new_context(), new_context()
    log_in(student_context, alice)
    log_in(coordinator_context, carol)
    student, coordinator = student_context.new_page(), coordinator_context.new_page()

    # The student starts a draft from the program page and fills it in.
    student.goto(f"/programs/{program_ab.pk}/")
    student.locator(".apply-form button[type=submit]").click()
    expect(student).to_have_url(re.compile(r"/me/applications/\d+/edit/$"))
    application = Application.objects.get(student=alice)
    student.locator("#id_motivation").fill(
        "도자기를 좋아하고 쯔보의 친구들과 함께 배우고 싶어요. " * 3
    )
    student.locator("#id_gender").select_option("female")
    student.locator("#id_passport").select_option("valid")
    student.locator("#answers button[name=save]").click()
    expect(student.locator(".message-success")).to_have_count(1)

    # The document: a real PDF through the upload form.
    student.locator(f"#file-{requirement.pk}").set_input_files(str(form_pdf))
    student.locator(f"#file-{requirement.pk} ~ button[type=submit]").click()
    expect(student.locator("#documents .status-given")).to_have_count(1)

    # Submitting asks for confirmation first.
    student.locator("#answers button[name=submit]").click()
    expect(student).to_have_url(
        re.compile(rf"/me/applications/{application.pk}/submit/(#documents)?$")
    )
    assert Application.objects.get(pk=application.pk).state == State.DRAFT
    student.locator("main form button[type=submit]").click()
    expect(student).to_have_url(re.compile(rf"/me/applications/{application.pk}/(#documents)?$"))
    expect(student.locator(".badge-state")).to_have_text(label(State.SUBMITTED, language))

    # The coordinator, in another browser, scores and prepares the decision.
    coordinator.goto(f"/coordinate/programs/{program_ab.pk}/applications/")
    coordinator.locator(f"a[href='/coordinate/applications/{application.pk}/']").click()
    coordinator.locator(f"input[name=c{motivation.pk}][value='5']").check()
    coordinator.locator(f"input[name=c{languages.pk}][value='4']").check()
    coordinator.locator(".review-form button[name=submit]").click()
    expect(coordinator.locator(".notice-ok")).to_contain_text("4.67")
    coordinator.locator("#id_decision").select_option("accepted")
    coordinator.locator("input[name=form][value=decision] ~ button[type=submit]").click()
    expect(coordinator.locator(".badge-staged")).to_have_count(1)
    assert Application.objects.get(pk=application.pk).state == State.UNDER_REVIEW

    # Releasing sends the decision; only then does the student see it.
    coordinator.goto(f"/coordinate/programs/{program_ab.pk}/applications/")
    coordinator.locator(".release-row button[type=submit]").first.click()
    # It asks first, saying how many are emailed; nothing is sent until confirmed.
    expect(coordinator).to_have_url(
        re.compile(rf"/coordinate/programs/{program_ab.pk}/release/{alice.home_city_id}/\??$")
    )
    assert [m.subject for m in mailoutbox if m.to == [alice.email]] == [
        f"{program_ab.title}: {label(State.SUBMITTED, language)}"
    ]
    coordinator.locator("main form input[name=confirm][value='1'] ~ button[type=submit]").click()
    expect(coordinator.locator(".message-success")).to_have_count(1)
    assert [m.subject for m in mailoutbox if m.to == [alice.email]] == [
        f"{program_ab.title}: {label(State.SUBMITTED, language)}",
        f"{program_ab.title}: {label(State.ACCEPTED, language)}",
    ]

    student.reload()
    expect(student.locator(".badge-state")).to_have_text(label(State.ACCEPTED, language))
    student.locator(f"form[action='/me/applications/{application.pk}/confirm/'] button").click()
    expect(student.locator(".badge-state")).to_have_text(label(State.CONFIRMED, language))
    assert Application.objects.get(pk=application.pk).state == State.CONFIRMED
    assert [m.subject for m in mailoutbox if m.to == [alice.email]][-1] == (
        f"{program_ab.title}: {label(State.CONFIRMED, language)}"
    )
