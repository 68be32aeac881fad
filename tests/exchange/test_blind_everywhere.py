"""Blind means blind: while an application is under blind review, no page, partial, export,
email, history or audit line a coordinator can reach names its applicant.

김민지 (Kim Minji, 16, 광주중학교) applies from Gwangju to two programs that review blind:
"Potters" (she is put under review, scored, commented on, and given a prepared decision)
and "Painters" (she has only submitted). Her documents are downloaded by her and by a
reviewer, and the applicants are exported. Then every URL of the exchange and messaging apps
is requested, for both programs, by the three coordinators (both of Gwangju's and Zibo's),
as a full page and as an htmx request, and every body, header and email is searched for her
names, her guardian's, her school and her email. Once Gwangju's decisions are released, the
names come back on the Potters pages, and stay hidden on the Painters ones.
"""

import csv
import io

import openpyxl
import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from accounts.models import GuardianConsent
from exchange.audit import audit
from exchange.models import Application, AuditEntry, RequiredDocument, RubricCriterion
from exchange.urls import app_patterns
from messaging.urls import urlpatterns as messaging_patterns
from tests import factories
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

UNKNOWN = 999999
NATIVE = "김민지"
LATIN = "Kim Minji"
EMAIL = "minji@example.com"
SCHOOL = "광주중학교"
GUARDIAN = "박영희"
GUARDIAN_EMAIL = "younghee.park@example.com"
FILE_NAME = "김민지_보호자동의서.pdf"
# What must never show: every script of her name (and the given name alone), her school,
# her email and her guardian's. Latin letters are compared without case.
SECRETS = [NATIVE, "민지", LATIN, "Minji", EMAIL, SCHOOL, GUARDIAN, GUARDIAN_EMAIL]

ANSWERS = {
    "motivation": "I love ceramics and want to learn how Zibo potters work with clay. " * 2,
    "availability": "Free all summer.",
    "interests": [],
    "lang_ko": "4",
    "lang_en": "2",
    "gender": "female",
    "can_host": "yes",
    "other_children": "1",
    "household_pets": "no",
    "household_smokers": "no",
    "own_room": "yes",
    "diets_offered": ["vegetarian"],
    "dietary_needs": [],
    "dietary_notes": "",
    "medical_needs": "",
    "passport": "valid",
}


def leaks(text: str) -> list[str]:
    folded = text.casefold()
    return [secret for secret in SECRETS if secret.casefold() in folded]


def response_text(response) -> str:
    """Everything a response shows: headers, and the body (CSV and XLSX read as text)."""
    headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        text = "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
        book.close()
    elif content_type.startswith(("application/pdf", "application/zip", "image/")):
        text = body.decode("latin-1")
    else:
        text = body.decode("utf-8-sig")
    return headers + "\n" + text


def email_text(message) -> str:
    parts = [message.subject, message.body, ", ".join(message.to)]
    parts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def export_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- every URL -----------------------------------------------------------------------------


def _patterns(patterns, namespace: str, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            # An include in the same namespace (the duty-of-care parts' url modules).
            assert pattern.namespace is None, "a namespaced include: extend this walk"
            yield from _patterns(pattern.url_patterns, namespace, prefix + str(pattern.pattern))
            continue
        assert isinstance(pattern, URLPattern)
        yield (
            f"{namespace}:{pattern.name}",
            prefix + str(pattern.pattern),
            pattern.pattern.converters,
        )


def every_url_name() -> list[tuple[str, str, dict]]:
    return [*_patterns(app_patterns[0], "exchange"), *_patterns(messaging_patterns, "messaging")]


# Each argument a route takes, by the route's beginning: the blind program's objects where the
# route is about one, an id that exists nowhere for objects a blind program doesn't have yet
# (rooms, sessions, certificates, matching groups).
def url_variants(route: str, converters: dict, world: dict) -> list[dict]:
    variants = [{}]
    for argument, converter in converters.items():
        if argument == "pk":
            if route.startswith(("coordinate/programs/", "programs/")):
                values = [world["program"].pk]
            elif route.startswith(("coordinate/applications/", "me/applications/")):
                values = [world["application"].pk]
            elif route.startswith("documents/"):
                values = [world["document"].pk]
            elif route.startswith("coordinate/cities/"):
                values = [world["city"].pk]
            else:
                values = [UNKNOWN]
        elif argument in ("fmt", "how", "answer"):
            values = converter.regex.split("|")
        elif argument == "slug":
            values = [world["city"].slug]
        elif argument == "code":
            values = ["not-a-certificate"]
        elif argument == "city_pk":
            values = [world["city"].pk]
        elif argument == "requirement_pk":
            values = [world["requirement"].pk]
        elif argument == "document_pk":
            values = [world["document"].pk]
        elif argument == "application_pk":
            values = [world["application"].pk]
        else:
            values = [UNKNOWN]
        variants = [{**kwargs, argument: value} for kwargs in variants for value in values]
    return variants


QUERIES = {
    "exchange:review_queue": [{}, {"sort": "name"}, {"state": "under_review"}, {"page": "2"}],
    "exchange:review_export": [{}, {"sort": "name"}],
}
# Each page plain and as htmx asks for it (pages that swap a part return only that part).
HTMX = [{}, {"HTTP_HX_REQUEST": "true"}]
HTMX_TARGETS = {
    "exchange:program_certificates": [
        {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "certificate-batches"}
    ]
}


def sweep(client, coordinators, worlds) -> dict[tuple[str, str], int]:
    """GET every URL as every coordinator, plain and as htmx; fail on the first leak.
    Returns the status of each URL for the first coordinator, to show what was reached."""
    statuses = {}
    for user in coordinators:
        client.force_login(user)
        for world in worlds:
            for name, route, converters in every_url_name():
                for kwargs in url_variants(route, converters, world):
                    url = reverse(name, kwargs=kwargs)
                    for query in QUERIES.get(name, [{}]):
                        for headers in HTMX + HTMX_TARGETS.get(name, []):
                            response = client.get(url, query, **headers)
                            found = leaks(response_text(response))
                            assert found == [], (user.email, url, query, headers, found)
                            if user == coordinators[0] and not query and not headers:
                                statuses[(world["label"], url)] = response.status_code
    return statuses


# --- the cast ------------------------------------------------------------------------------


@pytest.fixture
def minji(city_a):
    student = factories.StudentFactory(
        email=EMAIL,
        native_name=NATIVE,
        latin_name=LATIN,
        school=SCHOOL,
        home_city=city_a,
        age=16,
    )
    GuardianConsent.objects.create(
        student=student,
        guardian_email=GUARDIAN_EMAIL,
        guardian_name=GUARDIAN,
        relationship="mother",
        consented_at=timezone.now(),
    )
    return student


@pytest.fixture
def jiwoo(city_a):
    return factories.StudentFactory(
        email="jiwoo@example.org", native_name="안지우", latin_name="Ahn Jiwoo", home_city=city_a
    )


@pytest.fixture
def dana(city_a):
    """Carol's colleague in Gwangju: a second reviewer."""
    return factories.CoordinatorFactory(email="dana@example.org", cities=[city_a])


def blind_program(title, city_a, city_b, carol):
    program = factories.ProgramFactory(
        title=title, cities={city_a: 5, city_b: 5}, created_by=carol, blind_review=True
    )
    criteria = [
        RubricCriterion.objects.create(program=program, name="Motivation", weight=2, position=0),
        RubricCriterion.objects.create(program=program, name="Languages", weight=1, position=1),
    ]
    requirement = RequiredDocument.objects.create(program=program, kind="guardian-consent")
    return program, criteria, requirement


def apply_with_document(client, student, program, requirement) -> Application:
    """The student's own way through the pages: apply, answer, upload, look at the upload,
    submit. Writes the history event and audit entries whose actor is the student."""
    client.force_login(student)
    assert client.post(f"/programs/{program.pk}/apply/").status_code == 302
    application = Application.objects.get(student=student, program=program)
    edit = f"/me/applications/{application.pk}/edit/"
    assert client.post(edit, {**ANSWERS, "save": ""}).status_code == 302
    response = client.post(
        f"/me/applications/{application.pk}/documents/{requirement.pk}/",
        {"file": upload(FILE_NAME, pdf_bytes())},
    )
    assert response.status_code == 302
    document = application.documents.get()
    assert document.original_name == FILE_NAME
    own_download = client.get(f"/documents/{document.pk}/")
    assert own_download.status_code == 200
    b"".join(own_download.streaming_content)
    submit = client.post(f"/me/applications/{application.pk}/submit/")
    assert submit.status_code == 302
    application.refresh_from_db()
    assert application.state == "submitted"
    return application


@pytest.fixture
def blind_world(
    client,
    django_capture_on_commit_callbacks,
    minji,
    jiwoo,
    dana,
    carol,
    bob,
    city_a,
    city_b,
):
    potters, criteria, potters_document = blind_program("Potters", city_a, city_b, carol)
    painters, _criteria, painters_document = blind_program("Painters", city_a, city_b, carol)
    with django_capture_on_commit_callbacks(execute=True):
        under_review = apply_with_document(client, minji, potters, potters_document)
        submitted = apply_with_document(client, minji, painters, painters_document)
        other = factories.ApplicationFactory(
            program=potters, student=jiwoo, state="submitted", submitted_at=timezone.now()
        )

        client.force_login(carol)
        queue = f"/coordinate/programs/{potters.pk}/applications/"
        response = client.post(
            queue + "bulk/", {"action": "review", "applications": [under_review.pk]}
        )
        assert response.status_code == 302
        page = f"/coordinate/applications/{under_review.pk}/"
        scores = {f"c{criteria[0].pk}": "4", f"c{criteria[1].pk}": "5"}
        assert client.post(page, {"form": "review", "submit": "", **scores}).status_code == 302
        comment = {"form": "comment", "body": "Strong motivation."}
        assert client.post(page, comment).status_code == 302
        assert client.post(page, {"form": "decision", "decision": "accepted"}).status_code == 302
        other_page = f"/coordinate/applications/{other.pk}/"
        assert client.post(
            other_page, {"form": "decision", "decision": "waitlisted"}
        ).status_code == (302)
        for document in (under_review.documents.get(), submitted.documents.get()):
            download = client.get(f"/documents/{document.pk}/")
            assert download.status_code == 200
            b"".join(download.streaming_content)
        for fmt in ("csv", "xlsx"):
            assert client.get(
                f"/coordinate/programs/{potters.pk}/applications.{fmt}"
            ).status_code == (200)

        client.force_login(dana)
        scores = {f"c{criteria[0].pk}": "3", f"c{criteria[1].pk}": "3"}
        assert client.post(page, {"form": "review", "submit": "", **scores}).status_code == 302
    under_review.refresh_from_db()
    assert (under_review.state, under_review.staged_decision) == ("under_review", "accepted")
    assert list(
        AuditEntry.objects.filter(program=potters, application=under_review)
        .order_by("id")
        .values_list("action", "actor__email")
    ) == [
        ("document-upload", EMAIL),
        ("document-download", EMAIL),
        ("document-download", carol.email),
    ]
    assert list(under_review.events.order_by("id").values_list("to_state", "actor__email")) == [
        ("submitted", EMAIL),
        ("under_review", carol.email),
    ]
    return {
        "potters": {
            "label": "potters",
            "program": potters,
            "application": under_review,
            "document": under_review.documents.get(),
            "requirement": potters_document,
            "city": city_a,
        },
        "painters": {
            "label": "painters",
            "program": painters,
            "application": submitted,
            "document": submitted.documents.get(),
            "requirement": painters_document,
            "city": city_a,
        },
        "other": other,
    }


# --- the tests -----------------------------------------------------------------------------


def test_blind_everywhere_no_page_partial_export_or_email_names_the_applicant(
    client, blind_world, carol, dana, bob
):
    worlds = [blind_world["potters"], blind_world["painters"]]
    mail.outbox.clear()

    statuses = sweep(client, [carol, dana, bob], worlds)
    # A form sent back with an error renders the page again, and the queue shows the
    # messages of a refused bulk action.
    client.force_login(carol)
    for world in worlds:
        page = f"/coordinate/applications/{world['application'].pk}/"
        again = client.post(page, {"form": "comment", "body": ""})
        assert again.status_code == 200
        assert leaks(response_text(again)) == []
        queue = f"/coordinate/programs/{world['program'].pk}/applications/"
        bulk = {"action": "complete", "applications": [world["application"].pk]}
        refused = client.post(queue + "bulk/", bulk, follow=True)
        assert refused.status_code == 200
        assert leaks(response_text(refused)) == []

    potters = blind_world["potters"]["program"].pk
    painters = blind_world["painters"]["program"].pk
    under_review = blind_world["potters"]["application"].pk
    submitted = blind_world["painters"]["application"].pk
    reached = {
        ("potters", f"/coordinate/programs/{potters}/applications/"),
        ("potters", f"/coordinate/programs/{potters}/applications.csv"),
        ("potters", f"/coordinate/programs/{potters}/applications.xlsx"),
        ("potters", f"/coordinate/programs/{potters}/audit/"),
        ("potters", f"/coordinate/programs/{potters}/participants/"),
        ("potters", f"/coordinate/programs/{potters}/matching/"),
        ("potters", f"/coordinate/programs/{potters}/setup/"),
        ("potters", f"/coordinate/programs/{potters}/certificates/"),
        ("potters", f"/coordinate/programs/{potters}/moderation/"),
        ("potters", f"/coordinate/programs/{potters}/moderation/log/"),
        ("potters", f"/coordinate/applications/{under_review}/"),
        ("potters", f"/documents/{blind_world['potters']['document'].pk}/"),
        ("potters", f"/programs/{potters}/"),
        ("potters", "/coordinate/"),
        ("potters", "/chat/"),
        ("painters", f"/coordinate/programs/{painters}/applications/"),
        ("painters", f"/coordinate/programs/{painters}/audit/"),
        ("painters", f"/coordinate/applications/{submitted}/"),
    }
    assert {key: statuses[key] for key in reached} == dict.fromkeys(reached, 200)
    # Nothing the sweep did mailed anyone, so no coordinator got an email naming her.
    assert mail.outbox == []


def test_blind_everywhere_setup_emails_reach_only_the_students(blind_world, minji, jiwoo):
    """Submitting mailed Minji her own confirmations; no other recipient got her name."""
    assert sorted(m.to[0] for m in mail.outbox) == [EMAIL, EMAIL]
    for message in mail.outbox:
        if message.to != [EMAIL]:
            assert leaks(email_text(message)) == []


def test_blind_everywhere_review_page_shows_the_label_in_the_history(client, blind_world, carol):
    application = blind_world["potters"]["application"]
    client.force_login(carol)

    response = client.get(f"/coordinate/applications/{application.pk}/")

    assert response.context["applicant"].blind is True
    assert [who for _event, who in response.context["history"]] == [
        f"Applicant #{application.pk}",
        carol.display_name,
    ]
    assert f"<h1>Applicant #{application.pk}</h1>" in response.content.decode()


def test_blind_everywhere_audit_log_shows_the_label_for_the_applicant(client, blind_world, carol):
    potters = blind_world["potters"]
    label = f"Applicant #{potters['application'].pk}"
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{potters['program'].pk}/audit/")

    assert sorted((line.who, line.text) for line in response.context["lines"]) == sorted(
        [
            (carol.display_name, "Exported the applicant list: CSV, 2 rows"),
            (carol.display_name, "Exported the applicant list: XLSX, 2 rows"),
            (carol.display_name, "Downloaded a document: Signed guardian consent form"),
            (carol.display_name, "Submitted → Under review"),
            (label, "Downloaded a document: Signed guardian consent form"),
            (label, "Uploaded a document: Signed guardian consent form"),
            (label, "Draft → Submitted"),
        ]
    )


def test_blind_everywhere_name_sort_is_not_offered_nor_followed(client, blind_world, carol):
    potters = blind_world["potters"]
    queue = f"/coordinate/programs/{potters['program'].pk}/applications/"
    client.force_login(carol)

    response = client.get(queue, {"sort": "name"})

    assert "name" not in dict(response.context["form"].fields["sort"].choices)
    # Minji submitted first; by Latin name Ahn Jiwoo would come first.
    assert [a.pk for a in response.context["page"]] == [
        potters["application"].pk,
        blind_world["other"].pk,
    ]
    rows = export_rows(client.get(queue.rstrip("/") + ".csv", {"sort": "name"}))
    assert [(row[0], row[1], row[2], row[5]) for row in rows[1:]] == [
        (str(potters["application"].pk), "", "", ""),
        (str(blind_world["other"].pk), "", "", ""),
    ]


def test_blind_everywhere_released_decisions_bring_the_names_back(
    client, django_capture_on_commit_callbacks, blind_world, carol, city_a
):
    potters, painters = blind_world["potters"], blind_world["painters"]
    application = potters["application"]
    client.force_login(carol)
    # The release confirms the number of prepared decisions its confirmation page shows.
    prepared = (
        Application.objects.filter(program=potters["program"], city=city_a)
        .exclude(staged_decision="")
        .count()
    )
    with django_capture_on_commit_callbacks(execute=True):
        release = client.post(
            f"/coordinate/programs/{potters['program'].pk}/release/{city_a.pk}/",
            {"confirm": str(prepared)},
        )
    assert release.status_code == 302

    page = client.get(f"/coordinate/applications/{application.pk}/")
    queue = f"/coordinate/programs/{potters['program'].pk}/applications/"
    by_name = client.get(queue, {"sort": "name"})
    rows = export_rows(client.get(queue.rstrip("/") + ".csv", {"sort": "name"}))
    audit = client.get(f"/coordinate/programs/{potters['program'].pk}/audit/")

    assert page.context["applicant"].blind is False
    assert f'<h1>{NATIVE} <span class="latin">{LATIN}</span></h1>' in page.content.decode()
    assert f"<dd>{SCHOOL}</dd>" in page.content.decode()
    assert [who for _event, who in page.context["history"]] == [
        f"{NATIVE} ({LATIN})",
        carol.display_name,
        carol.display_name,
    ]
    assert "name" in dict(by_name.context["form"].fields["sort"].choices)
    assert [a.pk for a in by_name.context["page"]] == [blind_world["other"].pk, application.pk]
    assert [(row[1], row[2], row[5]) for row in rows[1:]] == [
        ("안지우", "Ahn Jiwoo", "Test High School"),
        (NATIVE, LATIN, SCHOOL),
    ]
    assert sorted(
        line.text for line in audit.context["lines"] if line.who == f"{NATIVE} ({LATIN})"
    ) == [
        "Downloaded a document: Signed guardian consent form",
        "Draft → Submitted",
        "Uploaded a document: Signed guardian consent form",
    ]
    # The decision email went to her alone.
    assert [m.to for m in mail.outbox if "accepted" in m.body.lower()] == [[EMAIL]]

    # Painters is still under review: the same student stays a label there.
    statuses = sweep(client, [carol], [painters])
    assert statuses[("painters", f"/coordinate/applications/{painters['application'].pk}/")] == 200


# The queue of a blind program: the 13 of any program's queue (tests/exchange/
# test_queue_queries.py), plus one EXISTS for whether names may be sorted. The audit log:
# the page frame and the program, then the events and the entries, each in one query with
# their actors and applications, however many applicants are labelled.
BLIND_QUEUE_QUERIES = 15
BLIND_AUDIT_QUERIES = 9


@pytest.mark.parametrize("n", [1, 3])
def test_blind_everywhere_queue_and_audit_queries_do_not_grow(
    client, carol, city_a, city_b, django_assert_num_queries, n
):
    program, _criteria, _requirement = blind_program("Potters", city_a, city_b, carol)
    for _ in range(n):
        student = factories.StudentFactory(home_city=city_a)
        application = factories.ApplicationFactory(
            program=program, student=student, state="submitted", submitted_at=timezone.now()
        )
        application.events.create(actor=student, from_state="draft", to_state="submitted")
        audit(
            action=AuditEntry.Action.DOCUMENT_UPLOAD,
            by=student,
            program_id=program.pk,
            city_ids=[city_a.pk],
            application_id=application.pk,
            detail="Signed guardian consent form",
        )
    client.force_login(carol)

    with django_assert_num_queries(BLIND_QUEUE_QUERIES):
        queue = client.get(f"/coordinate/programs/{program.pk}/applications/")
    with django_assert_num_queries(BLIND_AUDIT_QUERIES):
        log = client.get(f"/coordinate/programs/{program.pk}/audit/")

    assert (queue.status_code, log.status_code) == (200, 200)
    assert len(queue.context["page"]) == n
    assert {line.who for line in log.context["lines"]} == {
        f"Applicant #{a.pk}" for a in Application.objects.filter(program=program)
    }
