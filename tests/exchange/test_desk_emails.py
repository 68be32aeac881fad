"""Emails when a place is confirmed and when a certificate is ready (issue 14): to the
student, in their language, with the link to the portal, once per event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exchange.models import Certificate
from exchange.services import applications as services
from exchange.services import certificates as certificate_services
from exchange.tasks import notify_certificate_ready, render_certificate
from tests import factories
from tests.exchange.helpers import completed

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(alice, program_ab, city_a):
    return factories.ApplicationFactory(
        program=program_ab,
        student=alice,
        state="accepted",
        confirm_by=timezone.now() + timedelta(days=3),
    )


def test_place_confirmed_emails_the_student_once(
    client, alice, offered, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    url = f"/me/applications/{offered.pk}/confirm/"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)

    assert (first.status_code, again.status_code) == (302, 302)
    [message] = mailoutbox
    title = offered.program.title
    assert message.to == ["alice@example.org"]
    assert message.subject == f"{title}: Place confirmed"
    assert message.body == (
        "Hello 김앨리스 (Kim Alice),\n"
        "\n"
        f"Your application to “{title}” is now: Place confirmed.\n"
        "\n"
        "Your place is confirmed. When the coordinators publish the matching, we will email "
        "you who your buddy or group is.\n"
        "\n"
        f"http://testserver/me/applications/{offered.pk}/\n\n"
    )
    html = message.alternatives[0][0]
    assert (
        "<p>Your place is confirmed. When the coordinators publish the matching, we will email "
        "you who your buddy or group is.</p>"
    ) in html
    assert f'<a href="http://testserver/me/applications/{offered.pk}/">' in html


def test_place_confirmed_email_in_the_students_language(
    alice, offered, mailoutbox, django_capture_on_commit_callbacks
):
    alice.preferred_language = "ko"
    alice.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        services.application_confirm(application=offered, by=alice)

    [message] = mailoutbox
    title = offered.program.title
    assert message.subject == f"{title}: 참가 확정"
    assert message.body == (
        "김앨리스 (Kim Alice) 님, 안녕하세요.\n"
        "\n"
        f"“{title}” 지원 상태가 참가 확정(으)로 바뀌었어요.\n"
        "\n"
        "참가 자리가 확정되었어요. 코디네이터가 매칭을 발표하면 버디나 그룹이 누구인지 "
        "이메일로 알려 드릴게요.\n"
        "\n"
        f"http://testserver/me/applications/{offered.pk}/\n\n"
    )


def test_place_confirmed_email_goes_to_the_student_not_the_guardian(
    program_ab, city_a, mailoutbox, django_capture_on_commit_callbacks
):
    """Decision emails go to the student only; the guardian hears from the portal about
    consent and data rights (docs/decisions.md, Coordinator desk)."""
    minor = factories.StudentFactory(home_city=city_a, age=15, consent="given")
    application = factories.ApplicationFactory(
        program=program_ab,
        student=minor,
        state="accepted",
        confirm_by=timezone.now() + timedelta(days=3),
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.application_confirm(application=application, by=minor)

    assert [m.to for m in mailoutbox] == [[minor.email]]


# --- certificates ------------------------------------------------------------------------


@pytest.fixture
def finished(alice, program_ab):
    return completed(program_ab, alice)


def certificate_body(certificate: Certificate, application) -> str:
    code = certificate_services.verify_code(certificate)
    return (
        "Hello 김앨리스 (Kim Alice),\n"
        "\n"
        f"Your certificate of participation in “{application.program.title}” is ready "
        f"(serial number {certificate.serial}).\n"
        "\n"
        "Download it from your application page, signed in to the portal:\n"
        f"http://testserver/me/applications/{application.pk}/\n"
        "\n"
        "Anyone you show it to can check that it is genuine here:\n"
        f"http://testserver/verify/{code}/\n\n"
    )


def test_certificate_ready_emails_the_holder_with_the_link_once_it_is_rendered(
    finished, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_services.certificate_issue(application=finished, by=None)

    certificate.refresh_from_db()
    assert certificate.pdf
    [message] = mailoutbox
    assert message.to == ["alice@example.org"]
    assert message.subject == f"{finished.program.title}: your certificate is ready"
    assert message.body == certificate_body(certificate, finished)
    # A link to the portal, never the file.
    assert message.attachments == []
    html = message.alternatives[0][0]
    assert f'<a href="http://testserver/me/applications/{finished.pk}/">' in html


def test_certificate_ready_email_in_the_holders_language(
    alice, finished, mailoutbox, django_capture_on_commit_callbacks
):
    alice.preferred_language = "ko"
    alice.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_services.certificate_issue(application=finished, by=None)

    [message] = mailoutbox
    code = certificate_services.verify_code(certificate)
    assert message.subject == f"{finished.program.title}: 수료증이 준비되었어요"
    assert message.body == (
        "김앨리스 (Kim Alice) 님, 안녕하세요.\n"
        "\n"
        f"“{finished.program.title}” 참가 수료증이 준비되었어요(일련번호 "
        f"{certificate.serial}).\n"
        "\n"
        "포털에 로그인한 뒤 지원서 페이지에서 내려받으세요:\n"
        f"http://testserver/me/applications/{finished.pk}/\n"
        "\n"
        "수료증을 보여 주는 사람은 누구나 여기에서 진짜인지 확인할 수 있어요:\n"
        f"http://testserver/verify/{code}/\n\n"
    )


def test_certificate_ready_sent_once_however_often_it_is_rendered(
    finished, mailoutbox, django_capture_on_commit_callbacks
):
    """The task, the overdue job and a batch may all find the certificate; only the render
    that stores its PDF announces it."""
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_services.certificate_issue(application=finished, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_render(certificate=certificate)
        render_certificate.delay(certificate.pk)

    assert [m.subject for m in mailoutbox] == [
        f"{finished.program.title}: your certificate is ready"
    ]


def test_certificate_ready_reissued_certificate_is_announced_with_its_new_serial(
    carol, finished, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = certificate_services.certificate_issue(application=finished, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        new = certificate_services.certificate_reissue(certificate=old, by=carol)

    assert [m.body for m in mailoutbox] == [
        certificate_body(old, finished),
        certificate_body(new, finished),
    ]


def test_certificate_ready_nothing_for_a_certificate_revoked_before_the_email(
    carol, finished, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate = certificate_services.certificate_issue(application=finished, by=None)
    certificate_services.certificate_render(certificate=certificate)
    certificate_services.certificate_revoke(certificate=certificate, by=carol, reason="Typo")

    sent = notify_certificate_ready(certificate.pk)

    assert (len(callbacks), sent, mailoutbox) == (1, 0, [])
