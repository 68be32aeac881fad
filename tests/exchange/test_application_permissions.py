"""Who may open and change applications, documents and the review pages: every URL, every persona.

A refused request changes nothing: each refusal is checked against a snapshot of the
application, its documents, its events and the audit log taken before the request.
"""

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from exchange.models import (
    Application,
    ApplicationDocument,
    AuditEntry,
    RequiredDocument,
    Review,
    ReviewComment,
    ReviewScore,
)
from tests import factories
from tests.exchange.helpers import (
    PROGRAM_PAGE,
    UNKNOWN,
    answers,
    applicant,
    make_document,
    make_queue,
    snapshot,
)
from tests.files import pdf_bytes, upload
from tests.helpers import PERSONAS, login_redirect, message_texts, sign_in, table

pytestmark = pytest.mark.django_db

MOTIVATION = "I love ceramics and want to learn how Zibo potters work with clay."


# --- helpers -----------------------------------------------------------------------------


def media_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


@pytest.fixture
def own_application(alice, program_ab):
    return factories.ApplicationFactory(program=program_ab, student=alice)


# Only the owner gets through; anyone else signed in is told the application does not exist.
STUDENT_PAGE = table(
    {"anonymous": 302, "alice": "ok", "mina": 404, "carol": 404, "bob": 404, "oscar": 404}
)


def check_student_page(response, before, application, status, url):
    """The refusals; each test checks what the owner ("ok") gets."""
    if status == "ok":
        return
    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    assert snapshot(application) == before


# --- a student's own application ---------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), STUDENT_PAGE)
def test_my_application_opens_for_its_owner_only(request, client, own_application, persona, status):
    url = f"/me/applications/{own_application.pk}/"
    before = snapshot(own_application)
    sign_in(request, client, persona)

    response = client.get(url)

    check_student_page(response, before, own_application, status, url)
    if status == "ok":
        assert response.status_code == 200
        assert response.context["application"] == own_application


@pytest.mark.parametrize(("persona", "status"), STUDENT_PAGE)
@pytest.mark.parametrize("page", ["edit", "submit"])
def test_application_draft_pages_open_for_its_owner_only(
    request, client, own_application, persona, status, page
):
    Application.objects.filter(pk=own_application.pk).update(state="draft")
    url = f"/me/applications/{own_application.pk}/{page}/"
    before = snapshot(own_application)
    sign_in(request, client, persona)

    response = client.get(url)

    check_student_page(response, before, own_application, status, url)
    if status == "ok":
        assert response.status_code == 200
        assert response.context["application"] == own_application


@pytest.mark.parametrize(("persona", "status"), STUDENT_PAGE)
def test_application_edit_post_saves_for_its_owner_only(
    request, client, own_application, persona, status
):
    Application.objects.filter(pk=own_application.pk).update(state="draft")
    url = f"/me/applications/{own_application.pk}/edit/"
    before = snapshot(own_application)
    sign_in(request, client, persona)

    response = client.post(url, answers(motivation=MOTIVATION, save=""))

    check_student_page(response, before, own_application, status, url)
    if status == "ok":
        assert response.status_code == 302
        assert response.url == url
        own_application.refresh_from_db()
        assert own_application.motivation == MOTIVATION


@pytest.mark.parametrize(("persona", "status"), STUDENT_PAGE)
def test_application_submit_post_submits_for_its_owner_only(
    request, client, own_application, persona, status
):
    Application.objects.filter(pk=own_application.pk).update(
        state="draft", motivation=MOTIVATION, gender="female", can_host=False, passport="valid"
    )
    own_application.languages.create(language_id="ko", level=4)
    url = f"/me/applications/{own_application.pk}/submit/"
    before = snapshot(own_application)
    sign_in(request, client, persona)

    response = client.post(url)

    check_student_page(response, before, own_application, status, url)
    if status == "ok":
        assert response.status_code == 302
        assert response.url == f"/me/applications/{own_application.pk}/"
        own_application.refresh_from_db()
        assert own_application.state == "submitted"


@pytest.mark.parametrize(("persona", "status"), STUDENT_PAGE)
@pytest.mark.parametrize(
    ("answer", "state", "after"),
    [
        ("confirm", "accepted", "confirmed"),
        ("decline", "accepted", "declined"),
        ("withdraw", "under_review", "withdrawn"),
    ],
)
def test_application_respond_works_for_its_owner_only(
    request, client, own_application, persona, status, answer, state, after
):
    Application.objects.filter(pk=own_application.pk).update(
        state=state, confirm_by=timezone.now() + timedelta(days=5)
    )
    url = f"/me/applications/{own_application.pk}/{answer}/"
    before = snapshot(own_application)
    sign_in(request, client, persona)

    response = client.post(url)

    check_student_page(response, before, own_application, status, url)
    if status == "ok":
        assert response.status_code == 302
        assert response.url == f"/me/applications/{own_application.pk}/"
        own_application.refresh_from_db()
        assert own_application.state == after


@pytest.mark.parametrize(("persona", "status"), STUDENT_PAGE)
def test_document_upload_stores_for_its_owner_only(
    request, client, own_application, consent_form, persona, status
):
    Application.objects.filter(pk=own_application.pk).update(state="draft")
    url = f"/me/applications/{own_application.pk}/documents/{consent_form.pk}/"
    before, files = snapshot(own_application), media_files()
    sign_in(request, client, persona)

    response = client.post(url, {"file": upload("consent.pdf", pdf_bytes())})

    check_student_page(response, before, own_application, status, url)
    if status == "ok":
        assert response.status_code == 302
        assert response.url == f"/me/applications/{own_application.pk}/edit/#documents"
        assert list(
            ApplicationDocument.objects.filter(application=own_application).values_list(
                "original_name", flat=True
            )
        ) == ["consent.pdf"]
    else:
        assert media_files() == files


@pytest.mark.parametrize(("persona", "status"), STUDENT_PAGE)
def test_document_delete_removes_for_its_owner_only(
    request, client, own_application, consent_form, persona, status
):
    Application.objects.filter(pk=own_application.pk).update(state="draft")
    document = make_document(own_application, consent_form)
    url = f"/me/applications/{own_application.pk}/documents/{document.pk}/delete/"
    before = snapshot(own_application)
    sign_in(request, client, persona)

    response = client.post(url)

    check_student_page(response, before, own_application, status, url)
    if status == "ok":
        assert response.status_code == 302
        assert response.url == f"/me/applications/{own_application.pk}/edit/#documents"
        assert ApplicationDocument.objects.filter(application=own_application).count() == 0
    else:
        assert ApplicationDocument.objects.filter(pk=document.pk).count() == 1


def test_document_delete_of_another_applications_document_is_not_found(
    client, alice, mina, program_ab, consent_form
):
    """Alice's own application in the URL, but Mina's document: refused."""
    own = factories.ApplicationFactory(program=program_ab, student=alice, state="draft")
    other = factories.ApplicationFactory(program=program_ab, student=mina, state="draft")
    document = make_document(other, consent_form)
    client.force_login(alice)

    response = client.post(f"/me/applications/{own.pk}/documents/{document.pk}/delete/")

    assert response.status_code == 404
    assert ApplicationDocument.objects.filter(pk=document.pk).count() == 1
    assert AuditEntry.objects.count() == 0


# --- downloading a document --------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 200, "mina": 403, "carol": 200, "bob": 403, "oscar": 403}),
)
def test_document_download_for_owner_and_applicant_city_only(
    request, client, own_application, consent_form, persona, status
):
    document = make_document(own_application, consent_form)
    url = f"/documents/{document.pk}/"
    user = sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert list(AuditEntry.objects.values_list("actor__email", "action", "city_id")) == [
            (user.email, "document-download", own_application.city_id)
        ]
    else:
        assert AuditEntry.objects.count() == 0
    if status == 302:
        assert response.url == login_redirect(url)


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 200, "mina": 403, "carol": 403, "bob": 403, "oscar": 403}),
)
def test_document_download_of_draft_for_owner_only(
    request, client, own_application, consent_form, persona, status
):
    Application.objects.filter(pk=own_application.pk).update(state="draft")
    document = make_document(own_application, consent_form)
    sign_in(request, client, persona)

    response = client.get(f"/documents/{document.pk}/")

    assert response.status_code == status
    if status == 200:
        # Reading it to the end closes the file, as the test client does.
        assert b"".join(response.streaming_content) == pdf_bytes()
    else:
        assert AuditEntry.objects.count() == 0


# --- coordinators' program pages ---------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), PROGRAM_PAGE)
@pytest.mark.parametrize(
    "page",
    [
        "applications/",
        "setup/",
        "participants/",
        "audit/",
    ],
)
def test_program_review_page_opens_for_the_programs_coordinators(
    request, client, program_ab, city_a, persona, status, page
):
    applicant(program_ab, city_a)
    url = f"/coordinate/programs/{program_ab.pk}/{page}"
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)


@pytest.fixture
def queue(program_ab, city_a, city_b):
    return make_queue(program_ab, city_a, city_b)


@pytest.mark.parametrize(("persona", "city"), [("carol", "a"), ("bob", "b")])
def test_review_queue_lists_own_citys_applicants_only(
    request, client, program_ab, queue, persona, city
):
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/programs/{program_ab.pk}/applications/")

    assert [a.pk for a in response.context["page"]] == [a.pk for a in queue[city]]


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 302, "oscar": 403}),
)
def test_review_bulk_changes_own_citys_applications_only(
    request, client, program_ab, queue, persona, status
):
    target = queue["a"][1]  # submitted, in city A
    url = f"/coordinate/programs/{program_ab.pk}/applications/bulk/"
    before = snapshot(target)
    sign_in(request, client, persona)

    response = client.post(url, {"action": "review", "applications": [target.pk]})

    assert response.status_code == status
    if persona == "carol":
        assert response.url == f"/coordinate/programs/{program_ab.pk}/applications/"
        target.refresh_from_db()
        assert target.state == "under_review"
        assert message_texts(response) == ["1 application updated."]
    else:
        assert snapshot(target) == before
    if persona == "anonymous":
        assert response.url == login_redirect(url)


def test_review_bulk_with_other_citys_application_is_refused(client, carol, program_ab, queue):
    mine, theirs = queue["a"][1], queue["b"][1]
    before_mine, before_theirs = snapshot(mine), snapshot(theirs)
    client.force_login(carol)

    response = client.post(
        f"/coordinate/programs/{program_ab.pk}/applications/bulk/",
        {"action": "stage-accepted", "applications": [mine.pk, theirs.pk]},
    )

    assert response.status_code == 302
    assert message_texts(response) == [
        f"Select a valid choice. {theirs.pk} is not one of the available choices."
    ]
    assert snapshot(theirs) == before_theirs
    assert snapshot(mine) == before_mine


# --- reviewing one application -----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 403, "oscar": 403}),
)
def test_review_application_of_city_a_opens_for_city_a_coordinators_only(
    request, client, program_ab, city_a, persona, status
):
    application = applicant(program_ab, city_a)
    url = f"/coordinate/applications/{application.pk}/"
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 403, "bob": 200, "oscar": 403}),
)
def test_review_application_of_city_b_opens_for_city_b_coordinators_only(
    request, client, program_ab, city_b, persona, status
):
    application = applicant(program_ab, city_b)
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/applications/{application.pk}/")

    assert response.status_code == status


def test_review_application_draft_is_hidden_from_its_citys_coordinator(
    client, carol, program_ab, city_a
):
    application = applicant(program_ab, city_a, state="draft")
    client.force_login(carol)

    assert client.get(f"/coordinate/applications/{application.pk}/").status_code == 403


def review_posts(rubric) -> dict[str, dict]:
    return {
        "decision": {"form": "decision", "decision": "accepted"},
        "comment": {"form": "comment", "body": "Strong candidate."},
        "review": {"form": "review", "submit": "", **{f"c{c.pk}": "4" for c in rubric}},
    }


@pytest.mark.parametrize("form", ["decision", "comment", "review"])
@pytest.mark.parametrize("persona", ["alice", "mina", "bob", "oscar"])
def test_review_application_post_by_others_is_refused_and_writes_nothing(
    request, client, program_ab, city_a, rubric, form, persona
):
    application = applicant(program_ab, city_a, state="submitted")
    before = snapshot(application)
    sign_in(request, client, persona)

    response = client.post(
        f"/coordinate/applications/{application.pk}/", review_posts(rubric)[form]
    )

    assert response.status_code == 403
    assert snapshot(application) == before


@pytest.mark.parametrize("form", ["decision", "comment", "review"])
def test_review_application_post_by_its_citys_coordinator_is_saved(
    client, carol, program_ab, city_a, rubric, form
):
    """The same requests as the refused ones above do write, when carol sends them."""
    application = applicant(program_ab, city_a, state="submitted")
    client.force_login(carol)

    response = client.post(
        f"/coordinate/applications/{application.pk}/", review_posts(rubric)[form]
    )

    assert response.status_code == 302
    application.refresh_from_db()
    written = {
        "decision": application.staged_decision,
        "comment": list(ReviewComment.objects.values_list("author__email", "body")),
        "review": list(Review.objects.values_list("reviewer__email", "total")),
    }[form]
    assert (
        written
        == {
            "decision": "accepted",
            "comment": [("carol@example.org", "Strong candidate.")],
            "review": [("carol@example.org", pytest.approx(4))],
        }[form]
    )


# --- the partner city's view of participants ---------------------------------------------


def test_participants_shows_partner_only_confirmed_names(
    client, bob, carol, program_ab, city_a, city_b, rubric, consent_form
):
    confirmed_a = applicant(
        program_ab,
        city_a,
        state="confirmed",
        medical_needs="Severe peanut allergy, carries an EpiPen",
    )
    confirmed_b = applicant(program_ab, city_b, state="confirmed")
    waiting_a = applicant(program_ab, city_a, state="under_review")
    make_document(confirmed_a, consent_form, name="secret-consent-scan.pdf")
    review = Review.objects.create(
        application=confirmed_a, reviewer=carol, total="3.67", submitted_at=timezone.now()
    )
    ReviewScore.objects.create(review=review, criterion=rubric[0], score=4)
    ReviewComment.objects.create(
        application=confirmed_a, author=carol, body="Internal: talked to her teacher"
    )
    client.force_login(bob)

    response = client.get(f"/coordinate/programs/{program_ab.pk}/participants/")

    html = response.content.decode()
    assert response.status_code == 200
    assert [a.pk for a, _age in response.context["participants"]] == [
        confirmed_a.pk,
        confirmed_b.pk,
    ]
    for student in (confirmed_a.student, confirmed_b.student):
        assert student.native_name in html
        assert student.latin_name in html
    assert waiting_a.student.latin_name not in html
    for secret in (
        "Severe peanut allergy",
        "secret-consent-scan.pdf",
        "/documents/",
        "3.67",
        "Internal: talked to her teacher",
        "Motivation",
    ):
        assert secret not in html


# --- unknown ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("get", "/me/applications/{x}/", 404),
        ("get", "/me/applications/{x}/edit/", 404),
        ("get", "/me/applications/{x}/submit/", 404),
        ("post", "/me/applications/{x}/confirm/", 404),
        ("post", "/me/applications/{x}/decline/", 404),
        ("post", "/me/applications/{x}/withdraw/", 404),
        ("post", "/me/applications/{x}/documents/{x}/", 404),
        ("post", "/me/applications/{x}/documents/{x}/delete/", 404),
        ("get", "/documents/{x}/", 403),
        ("get", "/coordinate/programs/{x}/applications/", 403),
        ("get", "/coordinate/programs/{x}/setup/", 403),
        ("get", "/coordinate/programs/{x}/participants/", 403),
        ("get", "/coordinate/programs/{x}/audit/", 403),
        ("post", "/coordinate/programs/{x}/applications/bulk/", 403),
        ("get", "/coordinate/applications/{x}/", 403),
    ],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_unknown_id_is_refused_never_an_error(
    request, client, program_ab, persona, method, url, expected
):
    url = url.format(x=UNKNOWN)
    sign_in(request, client, persona)

    response = getattr(client, method)(url)

    if persona == "anonymous":
        assert (response.status_code, response.url) == (302, login_redirect(url))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        "/me/applications/{pk}/documents/{x}/",
        "/me/applications/{pk}/documents/{x}/delete/",
    ],
)
def test_unknown_document_on_own_application_is_not_found(client, alice, own_application, url):
    Application.objects.filter(pk=own_application.pk).update(state="draft")
    client.force_login(alice)

    response = client.post(url.format(pk=own_application.pk, x=UNKNOWN))

    assert response.status_code == 404


# --- hostile uploads ---------------------------------------------------------------------


@pytest.fixture
def draft(alice, program_ab):
    return factories.ApplicationFactory(program=program_ab, student=alice, state="draft")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "photo.png",
            b"<html><body><script>alert(document.cookie)</script></body></html>",
            "Signed guardian consent form: Only PDF, JPEG and PNG files are accepted. "
            "This file is not one of them, whatever its name says.",
        ),
        (
            "big.pdf",
            b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n",
            "Signed guardian consent form: This file is 2 KB; the limit is 1000 bytes.",
        ),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_document_upload_hostile_file_is_refused_and_nothing_stored(
    client, settings, alice, draft, consent_form, name, content, message
):
    settings.UPLOAD_MAX_BYTES = 1000
    files = media_files()
    client.force_login(alice)

    response = client.post(
        f"/me/applications/{draft.pk}/documents/{consent_form.pk}/",
        {"file": upload(name, content, "image/png")},
    )

    assert response.status_code == 302
    assert response.url == f"/me/applications/{draft.pk}/edit/#documents"
    assert message_texts(response) == [message]
    assert ApplicationDocument.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert media_files() == files


def test_document_upload_to_another_programs_requirement_is_not_found(
    client, alice, draft, city_a, city_b
):
    other = factories.ProgramFactory(cities={city_a: 2, city_b: 2})
    requirement = RequiredDocument.objects.create(program=other, kind="passport")
    files = media_files()
    client.force_login(alice)

    response = client.post(
        f"/me/applications/{draft.pk}/documents/{requirement.pk}/",
        {"file": upload("passport.pdf", pdf_bytes())},
    )

    assert response.status_code == 404
    assert ApplicationDocument.objects.count() == 0
    assert media_files() == files


# --- a submitted application is final ----------------------------------------------------


def test_application_edit_after_submit_leaves_answers_unchanged(client, alice, program_ab):
    application = factories.ApplicationFactory(
        program=program_ab, student=alice, state="submitted", gender="female"
    )
    before = snapshot(application)
    client.force_login(alice)

    response = client.post(
        f"/me/applications/{application.pk}/edit/",
        answers(motivation="A new motivation, written after submitting. " * 3, gender="male"),
    )

    assert response.status_code == 302
    assert response.url == f"/me/applications/{application.pk}/"
    application.refresh_from_db()
    assert (application.motivation, application.gender) == (
        "I want to meet students from our partner city.",
        "female",
    )
    assert snapshot(application) == before


# --- more of the boundary ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 302, "oscar": 403}),
)
def test_review_setup_post_saves_for_the_programs_coordinators_only(
    request, client, program_ab, persona, status
):
    url = f"/coordinate/programs/{program_ab.pk}/setup/"
    sign_in(request, client, persona)

    response = client.post(
        url,
        {
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "12",
            "criteria-0-name": "Curiosity",
            "criteria-0-description": "",
            "criteria-0-weight": "1",
            "kinds": ["passport"],
            "blind_review": "on",
        },
    )

    assert response.status_code == status
    program_ab.refresh_from_db()
    saved = (
        list(program_ab.criteria.values_list("name", flat=True)),
        list(program_ab.required_documents.values_list("kind", flat=True)),
        program_ab.blind_review,
    )
    if persona in ("carol", "bob"):
        assert response.url == f"/coordinate/programs/{program_ab.pk}/applications/"
        assert saved == (["Curiosity"], ["passport"], True)
    else:
        assert saved == ([], [], False)
    if persona == "anonymous":
        assert response.url == login_redirect(url)


def test_review_queue_filter_by_partner_city_still_lists_own_city_only(
    client, carol, program_ab, city_b, queue
):
    client.force_login(carol)

    response = client.get(
        f"/coordinate/programs/{program_ab.pk}/applications/", {"city": city_b.pk}
    )

    assert [a.pk for a in response.context["page"]] == [a.pk for a in queue["a"]]


def test_review_queue_filter_for_drafts_lists_no_draft(client, carol, program_ab, queue):
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{program_ab.pk}/applications/", {"state": "draft"})

    assert [a.state for a in response.context["page"]] == ["under_review", "submitted"]


@pytest.mark.parametrize(("persona", "city"), [("carol", "a"), ("bob", "b")])
def test_program_audit_lists_own_citys_entries_only(
    request, client, carol, bob, program_ab, consent_form, queue, persona, city
):
    """Carol downloads an A applicant's document and Bob starts reviewing a B applicant:
    each coordinator's audit log shows only their own city's line."""
    document = make_document(queue["a"][0], consent_form)
    client.force_login(carol)
    download = client.get(f"/documents/{document.pk}/")
    assert b"".join(download.streaming_content) == pdf_bytes()
    client.force_login(bob)
    client.post(
        f"/coordinate/programs/{program_ab.pk}/applications/bulk/",
        {"action": "review", "applications": [queue["b"][1].pk]},
    )
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/programs/{program_ab.pk}/audit/")

    expected = {
        "a": [
            (
                carol.display_name,
                queue["a"][0].pk,
                "Downloaded a document: Signed guardian consent form",
            )
        ],
        "b": [(bob.display_name, queue["b"][1].pk, "Submitted → Under review")],
    }[city]
    assert [
        (line.who, line.application.pk, line.text) for line in response.context["lines"]
    ] == expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "url",
    [
        "/me/applications/{pk}/confirm/",
        "/me/applications/{pk}/decline/",
        "/me/applications/{pk}/withdraw/",
        "/me/applications/{pk}/documents/{req}/",
        "/me/applications/{pk}/documents/{req}/delete/",
        "/coordinate/programs/{program}/applications/bulk/",
    ],
)
def test_post_only_url_by_get_is_not_allowed(
    request, client, own_application, consent_form, city_a, persona, url
):
    url = url.format(
        pk=own_application.pk,
        req=consent_form.pk,
        program=own_application.program_id,
        city=city_a.pk,
    )
    before = snapshot(own_application)
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == 405
    assert snapshot(own_application) == before


@pytest.mark.parametrize("url", ["/me/applications/{pk}/", "/me/applications/"])
def test_student_pages_hide_prepared_decision_scores_and_comments(
    client, alice, carol, own_application, rubric, url
):
    Application.objects.filter(pk=own_application.pk).update(
        staged_decision="rejected", staged_by=carol
    )
    Review.objects.create(
        application=own_application, reviewer=carol, total="3.67", submitted_at=timezone.now()
    )
    ReviewComment.objects.create(
        application=own_application, author=carol, body="Internal: motivation is thin"
    )
    client.force_login(alice)

    response = client.get(url.format(pk=own_application.pk))

    html = response.content.decode()
    assert response.status_code == 200
    for secret in ("Not selected", "Reject", "3.67", "Internal: motivation is thin"):
        assert secret not in html


def test_review_bulk_with_a_draft_of_own_city_is_refused(client, carol, program_ab, city_a):
    draft = applicant(program_ab, city_a, state="draft")
    before = snapshot(draft)
    client.force_login(carol)

    response = client.post(
        f"/coordinate/programs/{program_ab.pk}/applications/bulk/",
        {"action": "review", "applications": [draft.pk]},
    )

    assert response.status_code == 302
    assert message_texts(response) == [
        f"Select a valid choice. {draft.pk} is not one of the available choices."
    ]
    assert snapshot(draft) == before


@pytest.mark.parametrize(("persona", "city"), [("carol", "city_a"), ("bob", "city_b")])
def test_review_queue_offers_release_for_own_city_only(request, client, program_ab, persona, city):
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/programs/{program_ab.pk}/applications/")

    assert [c for c, _counts in response.context["release"]] == [request.getfixturevalue(city)]


def test_document_upload_after_submit_is_refused_and_nothing_stored(
    client, alice, own_application, consent_form
):
    Application.objects.filter(pk=own_application.pk).update(state="submitted")
    files = media_files()
    client.force_login(alice)

    response = client.post(
        f"/me/applications/{own_application.pk}/documents/{consent_form.pk}/",
        {"file": upload("consent.pdf", pdf_bytes())},
    )

    assert response.status_code == 302
    assert message_texts(response) == [
        "Signed guardian consent form: This application was submitted and can no longer be changed."
    ]
    assert ApplicationDocument.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert media_files() == files


def test_document_delete_after_submit_is_refused_and_keeps_the_file(
    client, alice, own_application, consent_form
):
    Application.objects.filter(pk=own_application.pk).update(state="submitted")
    document = make_document(own_application, consent_form)
    files = media_files()
    client.force_login(alice)

    response = client.post(f"/me/applications/{own_application.pk}/documents/{document.pk}/delete/")

    assert response.status_code == 302
    assert message_texts(response) == [
        "This application was submitted and can no longer be changed."
    ]
    assert list(ApplicationDocument.objects.values_list("pk", flat=True)) == [document.pk]
    assert AuditEntry.objects.count() == 0
    assert media_files() == files


def test_an_uploaded_document_is_readable_by_the_portal_only(
    client, alice, own_application, consent_form
):
    """Found from outside: uploads were stored 0644, readable by every account on the host."""
    Application.objects.filter(pk=own_application.pk).update(state="draft")
    client.force_login(alice)

    client.post(
        f"/me/applications/{own_application.pk}/documents/{consent_form.pk}/",
        {"file": upload("consent.pdf", pdf_bytes())},
    )

    document = ApplicationDocument.objects.get(application=own_application)
    path = Path(document.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    folders = []
    folder = path.parent
    while folder != Path(settings.MEDIA_ROOT):
        folders.append(stat.S_IMODE(folder.stat().st_mode))
        folder = folder.parent
    assert folders and set(folders) == {0o700}
