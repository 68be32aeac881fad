"""Participation certificates: issuing, revoking, reissuing, verification codes, rendering,
the public verification page and who may open every certificate URL (batches are in
test_certificate_batches.py)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from exchange.models import (
    AuditEntry,
    Certificate,
    CityBranding,
    MatchGroup,
    Matching,
    MatchMember,
    ProgramCity,
)
from exchange.services import certificates as services
from exchange.services.applications import set_application_state
from exchange.tasks import render_certificate
from tests import factories
from tests.exchange.helpers import FAKE_PDF, completed, issued
from tests.files import pdf_bytes, png_bytes, upload
from tests.helpers import PERSONAS, login_redirect, pdf_text, sign_in, table

pytestmark = pytest.mark.django_db

# Session, user, the base template's cities; the program and its cities (the coordinator
# pages' shared loader, exchange.views.common); the coordinator's cities; the rows; their
# certificates; the batches (none here, so no query for their cities).
QUERIES_PROGRAM_CERTIFICATES = 10


@pytest.fixture
def alice_application(alice, program_ab):
    return completed(program_ab, alice)


# --- issuing -----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["under_review", "accepted", "confirmed", "withdrawn"])
def test_certificate_issue_not_completed_is_refused(alice, program_ab, state):
    application = completed(program_ab, alice, state=state)

    with pytest.raises(ValidationError) as error:
        services.certificate_issue(application=application, by=None)

    assert error.value.messages == ["Only a completed application gets a certificate."]
    assert Certificate.objects.count() == 0


def test_certificate_issue_completed_gives_serial_from_the_year_and_id(alice_application):
    certificate = issued(alice_application, pdf=None)

    year = certificate.issued_at.year
    assert certificate.serial == f"YX-{year}-{certificate.pk:06d}"
    assert certificate.is_valid is True
    assert certificate.pdf.name == ""


def test_certificate_issue_twice_returns_the_same_certificate(alice_application):
    first = services.certificate_issue(application=alice_application, by=None)
    second = services.certificate_issue(application=alice_application, by=None)

    assert second == first
    assert Certificate.objects.count() == 1


def test_certificate_issue_sends_the_render_task_on_commit(
    alice_application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.certificate_issue(application=alice_application, by=None)

    assert len(callbacks) == 1


def test_certificate_revoke_without_reason_is_refused(alice_application, carol):
    certificate = issued(alice_application)

    with pytest.raises(ValidationError) as error:
        services.certificate_revoke(certificate=certificate, by=carol, reason="  ")

    assert error.value.messages == ["Say why the certificate is revoked."]
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_certificate_revoke_with_reason_records_who_and_why(alice_application, carol):
    certificate = issued(alice_application)

    services.certificate_revoke(certificate=certificate, by=carol, reason="Did not attend")

    certificate.refresh_from_db()
    assert (certificate.is_valid, certificate.revoked_by, certificate.revoke_reason) == (
        False,
        carol,
        "Did not attend",
    )
    assert list(AuditEntry.objects.values_list("action", "detail")) == [
        ("certificate-revoke", "Did not attend"),
        ("certificate-issue", ""),
    ]


def test_certificate_reissue_revokes_the_old_and_links_it(alice_application, carol):
    old = issued(alice_application)

    new = services.certificate_reissue(certificate=old, by=carol)

    old.refresh_from_db()
    assert old.is_valid is False
    assert old.revoke_reason == "Reissued"
    assert old.replaced_by == new
    assert new.is_valid is True
    assert new.serial != old.serial
    assert new.pdf.name == ""
    assert list(alice_application.certificates.filter(revoked_at__isnull=True)) == [new]


def test_certificate_reissue_of_revoked_issues_a_new_one(alice_application, carol):
    old = issued(alice_application)
    services.certificate_revoke(certificate=old, by=carol, reason="Wrong name")

    new = services.certificate_reissue(certificate=old, by=carol)

    old.refresh_from_db()
    assert (old.revoke_reason, old.replaced_by) == ("Wrong name", new)
    assert new.is_valid is True


def test_certificate_reissue_twice_is_refused(alice_application, carol):
    old = issued(alice_application)
    new = services.certificate_reissue(certificate=old, by=carol)

    with pytest.raises(ValidationError) as error:
        services.certificate_reissue(certificate=old, by=carol)

    assert error.value.messages == [f"This certificate was already replaced by {new.serial}."]


# --- verification codes ------------------------------------------------------------------


def test_verify_code_round_trip_finds_the_certificate(alice_application):
    certificate = issued(alice_application)

    code = services.verify_code(certificate)

    assert code.startswith(certificate.serial + ".")
    assert len(code) == len(certificate.serial) + 1 + 20
    assert services.certificate_for_code(code) == certificate


def test_certificate_for_code_tampered_or_unknown_is_none(alice_application):
    certificate = issued(alice_application)
    code = services.verify_code(certificate)
    flipped = code[:-1] + ("0" if code[-1] != "0" else "1")
    other_serial = certificate.serial[:-1] + ("9" if certificate.serial[-1] != "9" else "8")

    assert services.certificate_for_code(flipped) is None
    assert services.certificate_for_code(other_serial + code[len(certificate.serial) :]) is None
    assert services.certificate_for_code(certificate.serial) is None
    assert services.certificate_for_code("") is None


# --- completion hook and rendering -------------------------------------------------------


def test_set_application_state_completed_issues_and_renders_certificate(
    alice, carol, program_ab, django_capture_on_commit_callbacks
):
    application = completed(program_ab, alice, state="confirmed")

    with django_capture_on_commit_callbacks(execute=True):
        set_application_state(application, "completed", by=carol)

    certificate = Certificate.objects.get(application=application)
    assert certificate.issued_by == carol
    assert certificate.rendered_at is not None
    with certificate.pdf.open("rb") as file:
        text = pdf_text(file.read())
    assert "김앨리스" in text
    assert certificate.serial in text


@pytest.mark.parametrize("kind", ["visit", "online"])
def test_set_application_state_completed_issues_for_every_kind(
    alice, carol, city_a, city_b, kind, django_capture_on_commit_callbacks
):
    program = factories.ProgramFactory(cities={city_a: 2, city_b: 2}, kind=kind)
    application = completed(program, alice, state="confirmed")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        set_application_state(application, "completed", by=carol)

    assert services.completion_requirements_met(application) is True
    assert Certificate.objects.filter(application=application, revoked_at=None).count() == 1
    assert len(callbacks) == 1


def test_render_certificate_task_with_stored_pdf_keeps_it(alice_application):
    certificate = issued(alice_application)
    name = certificate.pdf.name

    rendered = render_certificate(certificate.pk)

    certificate.refresh_from_db()
    assert (rendered, certificate.pdf.name) == (False, name)


def test_overdue_certificates_are_rendered_again_once_ten_minutes_have_passed(
    alice, program_ab, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    def another_program():
        return factories.ProgramFactory(cities={city_a: 5, city_b: 5})

    # Renders lost to a failed task or a dead worker; one too recent to tell; a revoked one.
    lost = [issued(completed(another_program(), alice), pdf=None) for _ in range(2)]
    recent = issued(completed(another_program(), alice), pdf=None)
    revoked = issued(completed(another_program(), alice), pdf=None)
    services.certificate_revoke(certificate=revoked, by=carol, reason="Mistake")
    now = timezone.now()
    Certificate.objects.filter(pk__in=[c.pk for c in [*lost, revoked]]).update(
        issued_at=now - timedelta(minutes=11)
    )
    Certificate.objects.filter(pk=recent.pk).update(issued_at=now - timedelta(minutes=9))

    with django_capture_on_commit_callbacks(execute=True) as sent:
        count = services.certificates_render_overdue(now=now)

    rendered = {
        certificate.pk: bool(certificate.pdf)
        for certificate in Certificate.objects.filter(application__student=alice)
    }
    # Two render tasks, then the email each stored certificate announces.
    assert (count, len(sent), rendered) == (
        2,
        4,
        {lost[0].pk: True, lost[1].pk: True, recent.pk: False, revoked.pk: False},
    )


def test_render_certificate_task_unknown_id_does_nothing(db):
    assert render_certificate(999999) is False


def test_certificate_reissue_renders_the_new_certificate(
    alice_application, carol, django_capture_on_commit_callbacks
):
    old = issued(alice_application)

    with django_capture_on_commit_callbacks(execute=True):
        new = services.certificate_reissue(certificate=old, by=carol)

    new.refresh_from_db()
    with new.pdf.open("rb") as file:
        text = pdf_text(file.read())
    assert new.serial in text
    assert old.serial not in text


def test_certificate_context_with_branding_uses_storage_urls(alice_application, carol, city_a):
    branding = services.city_branding_save(
        city=city_a,
        by=carol,
        signatory_name="Park Jiwon",
        emblem=upload("emblem.png", png_bytes(), "image/png"),
        signature=upload("sign.png", png_bytes(), "image/png"),
    )
    certificate = issued(alice_application)

    context = services.certificate_context(certificate)

    assert context["emblem_url"] == f"storage:{branding.emblem.name}"
    assert context["signature_url"] == f"storage:{branding.signature.name}"
    assert context["signatory_name"] == "Park Jiwon"


@pytest.mark.parametrize("interface", ["en", "ko", "zh-hans", "vi", "ja"])
def test_certificate_languages_are_the_holders_and_the_partners_whatever_the_interface(
    alice_application, interface
):
    """Found in a user trial: a Korean student browsing in English got no Korean at all."""
    alice_application.student.preferred_language = interface
    alice_application.student.save()

    context = services.certificate_context(issued(alice_application))

    assert (context["languages"], context["holder_lang"]) == (["ko", "zh-hans"], "ko")


def test_certificate_languages_of_a_zibo_holder_are_chinese_then_korean(program_ab, city_b):
    student = factories.StudentFactory(home_city=city_b, preferred_language="en")
    application = completed(program_ab, student)

    context = services.certificate_context(issued(application))

    assert (context["languages"], context["holder_lang"]) == (["zh-hans", "ko"], "zh-hans")


def test_certificate_languages_follow_the_matched_partner_city(program_ab, alice, city_b, city_d):
    """Gwangju with Zibo and Hue: a holder matched with a Hue buddy gets Vietnamese."""
    ProgramCity.objects.create(program=program_ab, city=city_d, quota=10)
    mine = completed(program_ab, alice)
    buddy = completed(program_ab, factories.StudentFactory(home_city=city_d))
    matching = Matching.objects.create(program=program_ab, status=Matching.Status.PUBLISHED)
    group = MatchGroup.objects.create(matching=matching, kind="pair", number=1)
    for application in (mine, buddy):
        MatchMember.objects.create(group=group, application=application, matching=matching)

    context = services.certificate_context(issued(mine))

    assert context["languages"] == ["ko", "vi"]


def test_certificate_languages_of_two_korean_cities_give_one(program_ab, alice, city_b):
    city_b.main_language_id = "ko"
    city_b.save()

    context = services.certificate_context(issued(completed(program_ab, alice)))

    assert context["languages"] == ["ko"]


def test_certificate_context_names_cities_and_the_holder_in_both_scripts(alice_application):
    certificate = issued(alice_application)

    context = services.certificate_context(certificate)

    assert context["cities"] == ["광주시 Gwangju (Gyeonggi)", "淄博市 Zibo"]
    assert context["holder_native"] == "김앨리스"
    assert context["holder_latin"] == "Kim Alice"
    assert context["verify_url"] == (
        f"http://testserver/verify/{services.verify_code(certificate)}/"
    )
    assert context["emblem_url"] is None


# Batches (one PDF or a ZIP, rendered by a task) are tested in test_certificate_batches.py.


# --- the public verification page --------------------------------------------------------


def verify_path(certificate) -> str:
    return f"/verify/{services.verify_code(certificate)}/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_verify_page_valid_certificate_shows_it_to_everyone(
    request, client, alice_application, persona
):
    certificate = issued(alice_application)
    sign_in(request, client, persona)

    response = client.get(verify_path(certificate))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Valid" in html
    assert "Revoked" not in html
    assert "김앨리스" in html
    assert "Kim Alice" in html
    assert certificate.serial in html
    assert alice_application.program.title in html


def test_verify_page_hides_everything_else_about_the_holder(client, alice, alice_application):
    certificate = issued(alice_application)

    response = client.get(verify_path(certificate))
    html = response.content.decode()

    assert alice.email not in html
    assert alice.school not in html
    assert alice.home_city.name_en in html  # printed on the certificate: the cities
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert alice.date_of_birth.isoformat() not in html
    assert date_format(alice.date_of_birth) not in html
    assert date_format(alice.date_of_birth, "SHORT_DATE_FORMAT") not in html


def test_verify_page_revoked_certificate_says_revoked(client, alice_application, carol):
    certificate = issued(alice_application)
    services.certificate_revoke(certificate=certificate, by=carol, reason="Did not attend")

    response = client.get(verify_path(certificate))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoked" in html
    assert ">Valid<" not in html
    assert "Did not attend" not in html


def test_qr_code_read_off_the_printed_certificate_opens_its_verification_page(
    client, alice_application, carol
):
    certificate = services.certificate_render(certificate=issued(alice_application, pdf=None))
    with certificate.pdf.open("rb") as file:
        document = pypdfium2.PdfDocument(file.read())
    try:
        # 144 dpi, a phone camera's view of the 26 mm code more or less.
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    (code,) = zxingcpp.read_barcodes(image)
    url = urlsplit(code.text)

    valid = client.get(url.path).content.decode()
    services.certificate_revoke(certificate=certificate, by=carol, reason="Did not attend")
    revoked = client.get(url.path).content.decode()

    assert (code.format, f"{url.scheme}://{url.netloc}", url.path) == (
        zxingcpp.BarcodeFormat.QRCode,
        "http://testserver",
        verify_path(certificate),
    )
    assert ("김앨리스" in valid, ">Valid<" in valid, "Revoked" in revoked) == (True, True, True)


def test_verify_page_tampered_code_is_not_found(client, alice_application):
    certificate = issued(alice_application)
    code = services.verify_code(certificate)
    tampered = code[:-1] + ("0" if code[-1] != "0" else "1")

    response = client.get(f"/verify/{tampered}/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Certificate not found" in html
    assert "김앨리스" not in html


def test_verify_page_unknown_code_is_not_found(client, db):
    response = client.get("/verify/YX-2026-999999.0123456789abcdef0123/")

    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()


def test_verify_page_hostile_holder_name_is_shown_as_text(client, program_ab, city_a):
    hostile = "<img src=x>https://evil.example/"
    student = factories.StudentFactory(home_city=city_a, native_name=hostile, latin_name="Eve")
    certificate = issued(completed(program_ab, student))

    html = client.get(verify_path(certificate)).content.decode()

    assert "&lt;img src=x&gt;https://evil.example/" in html
    assert "<img src=x>" not in html


def test_verify_page_holder_without_native_name_shows_latin_once(client, program_ab, city_a):
    student = factories.StudentFactory(home_city=city_a, native_name="", latin_name="Eve Park")
    certificate = issued(completed(program_ab, student))

    html = client.get(verify_path(certificate)).content.decode()

    assert html.count("Eve Park") == 1


# --- the student's download --------------------------------------------------------------


# Only the holder gets the PDF; anyone else signed in is told it does not exist.
STUDENT_DOWNLOAD = table(
    {"anonymous": 302, "alice": 200, "mina": 404, "carol": 404, "bob": 404, "oscar": 404}
)


@pytest.mark.parametrize(("persona", "status"), STUDENT_DOWNLOAD)
def test_my_certificate_download_for_its_holder_only(
    request, client, alice_application, persona, status
):
    certificate = issued(alice_application)
    url = f"/me/certificates/{certificate.pk}/download/"
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{certificate.serial}.pdf"'
        assert response.content == FAKE_PDF
        assert list(
            AuditEntry.objects.filter(action="certificate-download").values_list("actor", "detail")
        ) == [(request.getfixturevalue("alice").pk, certificate.serial)]
    else:
        assert AuditEntry.objects.filter(action="certificate-download").count() == 0


def test_my_certificate_download_revoked_is_not_found(client, alice, alice_application, carol):
    certificate = issued(alice_application)
    services.certificate_revoke(certificate=certificate, by=carol, reason="Mistake")
    client.force_login(alice)

    response = client.get(f"/me/certificates/{certificate.pk}/download/")

    assert response.status_code == 404


def test_my_application_links_the_certificate(client, alice, alice_application):
    certificate = issued(alice_application)
    client.force_login(alice)

    response = client.get(f"/me/applications/{alice_application.pk}/")

    assert response.context["certificate"] == certificate
    assert f'href="/me/certificates/{certificate.pk}/download/"' in response.content.decode()


def test_my_applications_links_each_certificate_or_says_it_is_being_prepared(
    client, alice, alice_application, city_a, city_b, carol
):
    def another_program():
        return factories.ProgramFactory(cities={city_a: 5, city_b: 5})

    ready = issued(alice_application)
    waiting = issued(completed(another_program(), alice), pdf=None)
    revoked = issued(completed(another_program(), alice))
    services.certificate_revoke(certificate=revoked, by=carol, reason="Mistake")
    client.force_login(alice)

    html = client.get("/me/applications/").content.decode()

    assert (
        html.count("/download/"),
        f'href="/me/certificates/{ready.pk}/download/"' in html,
        html.count("Your certificate is being prepared."),
        waiting.pdf.name,
    ) == (1, True, 1, "")


# --- coordinators ------------------------------------------------------------------------


# The program's coordinators open the pages; each sees and acts for their own city only.
PROGRAM_PAGE = table(
    {"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}
)
# Actions on a city-A applicant's certificate: city A's coordinators only.
CITY_A_ACTION = table(
    {"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 403, "oscar": 403}
)


@pytest.mark.parametrize(("persona", "status"), PROGRAM_PAGE)
def test_program_certificates_lists_own_cities_for_coordinators(
    request, client, program_ab, alice_application, persona, status
):
    issued(alice_application)
    url = f"/coordinate/programs/{program_ab.pk}/certificates/"
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    if status == 200:
        expected = [alice_application] if persona == "carol" else []
        assert response.context["rows"] == expected


def test_program_certificates_page_gives_each_revoke_field_its_own_id(
    client, carol, program_ab, city_a
):
    """Found in a user trial: three revoke forms shared id="id_reason", so every label
    pointed at the first field."""
    certificates = [
        issued(completed(program_ab, factories.StudentFactory(home_city=city_a))) for _ in range(3)
    ]
    client.force_login(carol)

    html = client.get(f"/coordinate/programs/{program_ab.pk}/certificates/").content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [i for i in ids if ids.count(i) > 1] == []
    for certificate in certificates:
        assert f'<label for="revoke-{certificate.pk}-reason">' in html
        assert f'name="reason" maxlength="300" required id="revoke-{certificate.pk}-reason"' in html


@pytest.mark.parametrize("n", [1, 3])
def test_program_certificates_queries_do_not_grow(
    client, carol, program_ab, city_a, n, django_assert_num_queries
):
    for _ in range(n):
        issued(completed(program_ab, factories.StudentFactory(home_city=city_a)))
    client.force_login(carol)
    client.get(f"/coordinate/programs/{program_ab.pk}/certificates/")  # warms the session

    with django_assert_num_queries(QUERIES_PROGRAM_CERTIFICATES):
        response = client.get(f"/coordinate/programs/{program_ab.pk}/certificates/")

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize(("persona", "status"), CITY_A_ACTION)
def test_certificate_issue_post_for_applicant_city_coordinators_only(
    request, client, program_ab, alice_application, persona, status
):
    url = f"/coordinate/applications/{alice_application.pk}/certificate/issue/"
    sign_in(request, client, persona)

    response = client.post(url)

    assert response.status_code == status
    if persona == "anonymous":
        assert response.url == login_redirect(url)
    count = 1 if persona == "carol" else 0
    assert Certificate.objects.filter(application=alice_application).count() == count


@pytest.mark.parametrize(("persona", "status"), CITY_A_ACTION)
def test_certificate_revoke_post_for_applicant_city_coordinators_only(
    request, client, alice_application, persona, status
):
    certificate = issued(alice_application)
    url = f"/coordinate/certificates/{certificate.pk}/revoke/"
    sign_in(request, client, persona)

    response = client.post(url, {"reason": "Did not attend"})

    assert response.status_code == status
    certificate.refresh_from_db()
    assert certificate.is_valid is (persona != "carol")


def test_certificate_revoke_post_without_reason_changes_nothing(client, carol, alice_application):
    certificate = issued(alice_application)
    client.force_login(carol)

    client.post(f"/coordinate/certificates/{certificate.pk}/revoke/", {"reason": ""})

    certificate.refresh_from_db()
    assert certificate.is_valid is True


@pytest.mark.parametrize(("persona", "status"), CITY_A_ACTION)
def test_certificate_reissue_post_for_applicant_city_coordinators_only(
    request, client, alice_application, persona, status
):
    certificate = issued(alice_application)
    url = f"/coordinate/certificates/{certificate.pk}/reissue/"
    sign_in(request, client, persona)

    response = client.post(url)

    assert response.status_code == status
    count = 2 if persona == "carol" else 1
    assert Certificate.objects.filter(application=alice_application).count() == count


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 403, "oscar": 403}),
)
def test_city_branding_page_for_the_city_coordinators_only(
    request, client, city_a, persona, status
):
    url = f"/coordinate/cities/{city_a.pk}/branding/"
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)


def test_city_branding_post_stores_cleaned_images(client, carol, city_a):
    client.force_login(carol)

    response = client.post(
        f"/coordinate/cities/{city_a.pk}/branding/",
        {
            "signatory_name": "Park Jiwon",
            "emblem": upload("emblem.png", png_bytes(), "image/png"),
            "signature": upload("sign.png", png_bytes(), "image/png"),
        },
    )

    assert response.status_code == 302
    branding = CityBranding.objects.get(city=city_a)
    assert branding.signatory_name == "Park Jiwon"
    assert branding.emblem.name.startswith("branding/")
    assert branding.emblem.name.endswith(".png")
    assert branding.signature.name.endswith(".png")


def test_city_branding_post_pdf_as_emblem_is_refused(client, carol, city_a):
    client.force_login(carol)

    response = client.post(
        f"/coordinate/cities/{city_a.pk}/branding/",
        {"signatory_name": "Park Jiwon", "emblem": upload("emblem.png", pdf_bytes())},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "emblem": [
            "Only JPEG and PNG files are accepted. "
            "This file is not one of them, whatever its name says."
        ]
    }
    assert CityBranding.objects.filter(city=city_a, signatory_name="Park Jiwon").count() == 0


def test_certificate_admin_lists_certificates_read_only(client, alice_application):
    certificate = issued(alice_application)
    admin_user = factories.StaffFactory()
    client.force_login(admin_user)

    listing = client.get("/admin/exchange/certificate/")
    change = client.post(f"/admin/exchange/certificate/{certificate.pk}/change/", {"serial": "X"})

    assert listing.status_code == 200
    assert certificate.serial in listing.content.decode()
    assert change.status_code == 403
    certificate.refresh_from_db()
    assert certificate.serial.startswith("YX-")
