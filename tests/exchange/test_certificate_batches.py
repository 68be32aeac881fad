"""Certificate batches: a coordinator asks for a program's certificates as one PDF or a ZIP, a
Celery task renders the file into private storage, and the certificates page offers it.

Celery is eager in the tests, so a request whose on-commit callbacks run is rendered at once;
one test at the end runs the task on a real worker with Redis as the broker.
"""

import io
import threading
import zipfile
from datetime import timedelta

import pypdf
import pytest
from celery.signals import task_postrun
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify

from exchange.models import AuditEntry, Certificate, CertificateBatch
from exchange.services import certificates as services
from exchange.tasks import render_certificate_batch
from tests import factories
from tests.exchange.helpers import completed, issued
from tests.helpers import login_redirect, pdf_text, sign_in, table

pytestmark = pytest.mark.django_db

# Session, user, the base template's cities; the program and its cities; the coordinator's
# cities; the rows; their certificates; the batches and their cities.
QUERIES_PROGRAM_CERTIFICATES = 11
# The same page asked by htmx for the batch list only: session, user, the user's city (the
# consent check); the program and its cities (the shared loader); the coordinator's cities;
# the batches and their cities.
QUERIES_BATCH_LIST = 9


@pytest.fixture
def dora(city_a, city_b):
    """A coordinator of both the program's cities."""
    return factories.CoordinatorFactory(email="dora@example.org", cities=[city_a, city_b])


@pytest.fixture
def certificates_a(program_ab, city_a):
    """Three city-A participants, each with a valid certificate whose PDF is stored."""
    return [
        rendered(completed(program_ab, factories.StudentFactory(home_city=city_a)))
        for _ in range(3)
    ]


@pytest.fixture
def certificate_b(program_ab, city_b):
    return rendered(completed(program_ab, factories.StudentFactory(home_city=city_b)))


def rendered(application) -> Certificate:
    """A certificate issued and rendered as the task does, so its stored PDF is real."""
    return services.certificate_render(certificate=issued(application, pdf=None))


def stored_pdf(certificate: Certificate) -> bytes:
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as file:
        return file.read()


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def request_batch(program, city_ids, by, fmt, callbacks_fixture) -> CertificateBatch:
    """Ask for a batch and run its task (eager) as the commit would."""
    with callbacks_fixture(execute=True):
        batch = services.certificate_batch_request(
            program=program, city_ids=city_ids, fmt=fmt, by=by
        )
    batch.refresh_from_db()
    return batch


@pytest.fixture
def ready_batch(program_ab, city_a, carol, certificates_a, django_capture_on_commit_callbacks):
    """City A's certificates as a ZIP, ready (a ZIP of the stored PDFs needs no rendering)."""
    return request_batch(program_ab, [city_a.pk], carol, "zip", django_capture_on_commit_callbacks)


def batch_state(batch) -> tuple:
    batch.refresh_from_db()
    return batch.state, batch.pages, batch.error, batch.file.name


def audit(action: str) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(action=action)
        .order_by("id")
        .values_list("actor", "city_id", "detail")
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# --- writing the file (shared by every batch) ----------------------------------------------


def test_certificates_batch_write_pdf_has_one_page_per_valid_certificate(
    program_ab, city_a, carol, certificates_a
):
    services.certificate_revoke(certificate=certificates_a[0], by=carol, reason="Mistake")
    out = io.BytesIO()

    written = services.certificates_batch_write(
        program=program_ab, city_ids=[city_a.pk], fmt="pdf", out=out
    )

    assert written == sorted(certificates_a[1:], key=lambda certificate: certificate.serial)
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 2
    text = pdf_text(out.getvalue())
    assert [certificate.serial in text for certificate in certificates_a] == [False, True, True]


def test_certificates_batch_write_pdf_pages_are_the_stored_pdfs_rendering_missing_ones(
    program_ab, city_a, certificates_a
):
    # A certificate whose render task has not run yet is rendered and stored on the way.
    waiting = issued(completed(program_ab, factories.StudentFactory(home_city=city_a)), pdf=None)
    out = io.BytesIO()

    written = services.certificates_batch_write(
        program=program_ab, city_ids=[city_a.pk], fmt="pdf", out=out
    )

    expected = [page_texts(stored_pdf(certificate))[0] for certificate in written]
    assert (
        sorted(written, key=lambda certificate: certificate.pk),
        page_texts(out.getvalue()),
        waiting.serial in expected[written.index(waiting)],
        pypdf.PdfReader(io.BytesIO(out.getvalue())).metadata.title,
    ) == ([*certificates_a, waiting], expected, True, program_ab.title)


def test_certificates_batch_write_zip_has_the_stored_pdfs(program_ab, city_a, certificates_a):
    out = io.BytesIO()

    services.certificates_batch_write(program=program_ab, city_ids=[city_a.pk], fmt="zip", out=out)

    archive = zipfile.ZipFile(out)
    assert {name: archive.read(name) for name in archive.namelist()} == {
        f"{certificate.serial}.pdf": stored_pdf(certificate) for certificate in certificates_a
    }


def test_certificates_batch_write_zip_renders_and_stores_missing_pdfs(program_ab, city_a, alice):
    certificate = issued(completed(program_ab, alice), pdf=None)
    out = io.BytesIO()

    services.certificates_batch_write(program=program_ab, city_ids=[city_a.pk], fmt="zip", out=out)

    stored = stored_pdf(certificate)
    assert zipfile.ZipFile(out).read(f"{certificate.serial}.pdf") == stored
    assert certificate.serial in pdf_text(stored)


def test_certificates_batch_write_without_certificates_writes_nothing(program_ab, city_b):
    out = io.BytesIO()

    written = services.certificates_batch_write(
        program=program_ab, city_ids=[city_b.pk], fmt="pdf", out=out
    )

    assert (written, out.getvalue()) == ([], b"")


# --- asking for a batch --------------------------------------------------------------------


def test_certificate_batch_request_creates_a_queued_batch_and_sends_its_task_on_commit(
    program_ab, city_a, carol, certificates_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = services.certificate_batch_request(
            program=program_ab, city_ids=[city_a.pk], fmt="pdf", by=carol
        )

    assert len(callbacks) == 1
    assert (batch.state, batch.format, batch.requested_by, batch.file.name) == (
        "queued",
        "pdf",
        carol,
        "",
    )
    assert list(batch.cities.all()) == [city_a]
    assert audit("certificate-batch") == [(carol.pk, city_a.pk, f"PDF #{batch.pk}, 3 certificates")]


def test_certificate_batch_request_audits_each_city_with_its_own_count(
    program_ab,
    city_a,
    city_b,
    dora,
    certificates_a,
    certificate_b,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.certificate_batch_request(
            program=program_ab, city_ids=[city_b.pk, city_a.pk], fmt="zip", by=dora
        )

    assert audit("certificate-batch") == [
        (dora.pk, city_a.pk, f"ZIP #{batch.pk}, 3 certificates"),
        (dora.pk, city_b.pk, f"ZIP #{batch.pk}, 1 certificates"),
    ]


BAD_REQUESTS = {
    "unknown format": ("carol", ["a"], "docx", "Certificates print as one PDF or as a ZIP."),
    "no city": ("carol", [], "pdf", "Choose one or more of your own cities in this program."),
    "partner city": (
        "carol",
        ["b"],
        "pdf",
        "Choose one or more of your own cities in this program.",
    ),
    "own and partner": (
        "carol",
        ["a", "b"],
        "zip",
        "Choose one or more of your own cities in this program.",
    ),
    "city not in program": (
        "oscar",
        ["c"],
        "pdf",
        "Choose one or more of your own cities in this program.",
    ),
    "no certificates": ("bob", ["b"], "pdf", "These cities have no valid certificate to print."),
}


@pytest.mark.parametrize(
    ("persona", "cities", "fmt", "message"), BAD_REQUESTS.values(), ids=list(BAD_REQUESTS)
)
def test_certificate_batch_request_bad_input_is_refused_and_writes_nothing(
    request,
    program_ab,
    city_c,
    certificates_a,
    django_capture_on_commit_callbacks,
    persona,
    cities,
    fmt,
    message,
):
    by = request.getfixturevalue(persona)
    city_ids = [request.getfixturevalue(f"city_{letter}").pk for letter in cities]

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(ValidationError) as error,
    ):
        services.certificate_batch_request(program=program_ab, city_ids=city_ids, fmt=fmt, by=by)

    assert error.value.messages == [message]
    assert (CertificateBatch.objects.count(), len(callbacks)) == (0, 0)
    assert audit("certificate-batch") == []


def test_certificate_batch_request_pdf_over_the_page_cap_is_refused_zip_is_not(
    program_ab, city_a, carol, certificates_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BATCH_MAX_PDF_PAGES", 2)

    with pytest.raises(ValidationError) as error:
        services.certificate_batch_request(
            program=program_ab, city_ids=[city_a.pk], fmt="pdf", by=carol
        )
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.certificate_batch_request(
            program=program_ab, city_ids=[city_a.pk], fmt="zip", by=carol
        )

    assert error.value.messages == [
        "One PDF holds at most 2 certificates, and these cities have 3. "
        "Ask for fewer cities, or for a ZIP."
    ]
    assert list(CertificateBatch.objects.all()) == [batch]


# --- rendering -----------------------------------------------------------------------------


def test_certificate_batch_render_pdf_stores_the_file_and_ends_ready(
    program_ab, city_a, carol, certificates_a, django_capture_on_commit_callbacks
):
    batch = request_batch(program_ab, [city_a.pk], carol, "pdf", django_capture_on_commit_callbacks)

    state, pages, error, name = batch_state(batch)
    assert (state, pages, error) == ("ready", 3, "")
    assert name.startswith("certificate-batches/")
    assert name.endswith(".pdf")
    assert batch.started_at <= batch.finished_at
    with batch.file.open("rb") as file:
        assert len(pypdf.PdfReader(file).pages) == 3
    # Rendering itself is no document access: only the request and each download are audited.
    assert audit("certificate-download") == []


def test_certificate_batch_render_storage_write_failing_ends_failed_without_a_file(
    settings, tmp_path, program_ab, city_a, carol, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    certificates = [
        issued(completed(program_ab, factories.StudentFactory(home_city=city_a))) for _ in range(2)
    ]
    # A file where the batches' folder belongs: the storage can't write any batch.
    (tmp_path / "certificate-batches").write_bytes(b"in the way")

    batch = request_batch(program_ab, [city_a.pk], carol, "zip", django_capture_on_commit_callbacks)

    assert batch_state(batch) == ("failed", 0, services.BATCH_FAILED, "")
    assert stored_files(tmp_path) == sorted(
        ["certificate-batches", *(certificate.pdf.name for certificate in certificates)]
    )


@pytest.mark.parametrize("fmt", ["zip", "pdf"])
def test_certificate_batch_render_with_a_stored_pdf_missing_ends_failed_without_a_file(
    settings, tmp_path, program_ab, city_a, carol, django_capture_on_commit_callbacks, fmt
):
    # A stored certificate is never rendered again: a file lost from storage is a storage
    # fault to report, not something a batch hides by printing a new rendering.
    settings.MEDIA_ROOT = tmp_path
    certificates = [
        rendered(completed(program_ab, factories.StudentFactory(home_city=city_a)))
        for _ in range(2)
    ]
    default_storage.delete(certificates[1].pdf.name)

    batch = request_batch(program_ab, [city_a.pk], carol, fmt, django_capture_on_commit_callbacks)

    assert batch_state(batch) == ("failed", 0, services.BATCH_FAILED, "")
    assert stored_files(tmp_path) == [certificates[0].pdf.name]


def test_certificate_batch_render_after_every_certificate_was_revoked_ends_failed(
    program_ab, city_a, carol, certificates_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = services.certificate_batch_request(
            program=program_ab, city_ids=[city_a.pk], fmt="pdf", by=carol
        )
    for certificate in certificates_a:
        services.certificate_revoke(certificate=certificate, by=carol, reason="Mistake")

    for callback in callbacks:
        callback()

    assert batch_state(batch) == ("failed", 0, services.BATCH_NO_CERTIFICATES, "")


def test_render_certificate_batch_task_runs_a_batch_once(ready_batch):
    name = ready_batch.file.name

    assert render_certificate_batch(ready_batch.pk) == ""
    assert batch_state(ready_batch) == ("ready", 3, "", name)


def test_render_certificate_batch_task_unknown_id_does_nothing(db):
    assert render_certificate_batch(999999) == ""


def test_certificate_batch_render_leaves_a_batch_another_delivery_is_rendering(
    program_ab, city_a, carol, certificates_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.certificate_batch_request(
            program=program_ab, city_ids=[city_a.pk], fmt="zip", by=carol
        )
    CertificateBatch.objects.filter(pk=batch.pk).update(
        state="rendering", started_at=timezone.now() - timedelta(seconds=10)
    )

    assert services.certificate_batch_render(batch=batch) is None
    assert batch_state(batch) == ("rendering", 0, "", "")


def test_certificate_batch_render_takes_over_a_stalled_batch(
    program_ab, city_a, carol, certificates_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.certificate_batch_request(
            program=program_ab, city_ids=[city_a.pk], fmt="zip", by=carol
        )
    CertificateBatch.objects.filter(pk=batch.pk).update(
        state="rendering", started_at=timezone.now() - timedelta(minutes=3)
    )

    assert render_certificate_batch(batch.pk) == "ready"
    assert batch_state(batch)[:3] == ("ready", 3, "")


def test_certificate_batch_deleted_while_rendering_leaves_no_file(ready_batch):
    # What the task's last step finds when the batch was deleted meanwhile.
    name = default_storage.save("certificate-batches/orphan.zip", io.BytesIO(b"PK"))
    CertificateBatch.objects.filter(pk=ready_batch.pk).delete()

    finished = services._batch_finish(batch_id=ready_batch.pk, name=name, pages=3, error="")

    assert finished is None
    assert default_storage.exists(name) is False


# --- asking through the page ---------------------------------------------------------------


def batch_url(program, fmt: str) -> str:
    return f"/coordinate/programs/{program.pk}/certificates.{fmt}"


def page_url(program) -> str:
    return f"/coordinate/programs/{program.pk}/certificates/"


@pytest.mark.parametrize("fmt", ["pdf", "zip"])
@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 302, "oscar": 403}),
)
def test_certificates_batch_post_for_the_program_coordinators_own_cities(
    request,
    client,
    program_ab,
    city_a,
    certificates_a,
    persona,
    status,
    fmt,
    django_capture_on_commit_callbacks,
):
    url = batch_url(program_ab, fmt)
    user = sign_in(request, client, persona)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)

    assert response.status_code == status
    if persona == "anonymous":
        assert response.url == login_redirect(url)
    elif status == 302:
        assert response.url == page_url(program_ab) + "#certificate-batches"
    if persona == "carol":
        batch = CertificateBatch.objects.get()
        assert (batch.format, batch.requested_by, list(batch.cities.all())) == (fmt, user, [city_a])
        assert len(callbacks) == 1
        assert messages_of(response) == [
            "The certificates are being prepared. The file appears below when ready."
        ]
    else:
        assert (CertificateBatch.objects.count(), len(callbacks)) == (0, 0)
        assert audit("certificate-batch") == []
    if persona == "bob":
        # Bob coordinates Zibo, whose participants have no certificate yet.
        assert messages_of(response) == ["These cities have no valid certificate to print."]


def test_certificates_batch_get_is_not_allowed_and_writes_nothing(
    client, carol, program_ab, certificates_a
):
    client.force_login(carol)

    response = client.get(batch_url(program_ab, "pdf"))

    assert response.status_code == 405
    assert CertificateBatch.objects.count() == 0


def test_certificates_batch_unknown_format_is_not_found_and_writes_nothing(
    client, carol, program_ab, certificates_a
):
    client.force_login(carol)

    response = client.post(batch_url(program_ab, "docx"))

    assert response.status_code == 404
    assert CertificateBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("cities", "message"),
    [
        (["b"], "Choose one or more of your own cities in this program."),
        (["c"], "Choose one or more of your own cities in this program."),
        (["a", "b"], "Choose one or more of your own cities in this program."),
        (["x"], "Choose one or more of your own cities in this program."),
    ],
    ids=["partner city", "city not in program", "own and partner", "not a number"],
)
def test_certificates_batch_post_cities_not_theirs_writes_nothing(
    request, client, carol, program_ab, city_c, certificates_a, cities, message
):
    client.force_login(carol)
    posted = [
        letter if letter == "x" else str(request.getfixturevalue(f"city_{letter}").pk)
        for letter in cities
    ]

    response = client.post(batch_url(program_ab, "pdf"), {"city": posted})

    assert response.status_code == 302
    assert messages_of(response) == [message]
    assert CertificateBatch.objects.count() == 0
    assert audit("certificate-batch") == []


def test_certificates_batch_post_chooses_among_the_coordinators_cities(
    client, dora, program_ab, city_b, certificates_a, certificate_b
):
    client.force_login(dora)

    client.post(batch_url(program_ab, "zip"), {"city": [str(city_b.pk)]})

    batch = CertificateBatch.objects.get()
    assert (batch.state, batch.pages, list(batch.cities.all())) == ("queued", 0, [city_b])


# --- the full flow, eager ------------------------------------------------------------------


def test_batch_flow_pdf_request_then_download_gives_one_page_per_certificate(
    client, carol, program_ab, city_a, certificates_a, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(batch_url(program_ab, "pdf"))
    batch = CertificateBatch.objects.get()
    page = client.get(page_url(program_ab))
    response = client.get(f"/coordinate/certificate-batches/{batch.pk}/download/")

    assert page.context["batches"] == [batch]
    assert f'href="/coordinate/certificate-batches/{batch.pk}/download/"' in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificates-{program_ab.pk}-{slugify(program_ab.title)}'
        f'-{batch.pk}.pdf"'
    )
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    body = b"".join(response.streaming_content)
    assert len(pypdf.PdfReader(io.BytesIO(body)).pages) == 3
    assert audit("certificate-batch") == [(carol.pk, city_a.pk, f"PDF #{batch.pk}, 3 certificates")]
    assert audit("certificate-download") == [
        (carol.pk, city_a.pk, f"PDF #{batch.pk}, 3 certificates")
    ]


def test_batch_flow_zip_request_then_download_gives_one_file_per_certificate(
    client, carol, program_ab, certificates_a, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(batch_url(program_ab, "zip"))
    batch = CertificateBatch.objects.get()
    response = client.get(f"/coordinate/certificate-batches/{batch.pk}/download/")

    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted(f"{c.serial}.pdf" for c in certificates_a)


# --- downloading and deleting --------------------------------------------------------------


def download_url(batch) -> str:
    return f"/coordinate/certificate-batches/{batch.pk}/download/"


def delete_url(batch) -> str:
    return f"/coordinate/certificate-batches/{batch.pk}/delete/"


# A batch of city A: city A's coordinators only; anyone else may not even tell it exists.
CITY_A_BATCH = table(
    {"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 403, "oscar": 403}
)


@pytest.mark.parametrize(("persona", "status"), CITY_A_BATCH)
def test_certificate_batch_download_for_the_batch_cities_coordinators_only(
    request, client, ready_batch, persona, status
):
    url = download_url(ready_batch)
    sign_in(request, client, persona)

    response = client.get(url)

    assert response.status_code == status
    if status == 302:
        assert response.url == login_redirect(url)
    if status == 200:
        assert b"".join(response.streaming_content)[:2] == b"PK"
    assert len(audit("certificate-download")) == (1 if status == 200 else 0)


@pytest.mark.parametrize(("persona", "status"), [("carol", 403), ("bob", 403), ("dora", 200)])
def test_certificate_batch_of_two_cities_for_coordinators_of_both_only(
    request,
    client,
    program_ab,
    city_a,
    city_b,
    dora,
    certificates_a,
    certificate_b,
    persona,
    status,
    django_capture_on_commit_callbacks,
):
    batch = request_batch(
        program_ab, [city_a.pk, city_b.pk], dora, "zip", django_capture_on_commit_callbacks
    )
    sign_in(request, client, persona)

    response = client.get(download_url(batch))
    page = client.get(page_url(program_ab))

    assert response.status_code == status
    assert page.context["batches"] == ([batch] if status == 200 else [])
    if status == 200:
        assert (
            len(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()) == 4
        )
        assert audit("certificate-download") == [
            (dora.pk, city_a.pk, f"ZIP #{batch.pk}, 4 certificates"),
            (dora.pk, city_b.pk, f"ZIP #{batch.pk}, 4 certificates"),
        ]


@pytest.mark.parametrize("state", ["queued", "rendering", "failed"])
def test_certificate_batch_download_not_ready_is_not_found(client, carol, ready_batch, state):
    CertificateBatch.objects.filter(pk=ready_batch.pk).update(state=state)
    client.force_login(carol)

    response = client.get(download_url(ready_batch))

    assert response.status_code == 404
    assert audit("certificate-download") == []


def test_certificate_batch_download_file_gone_from_storage_is_not_found(client, carol, ready_batch):
    default_storage.delete(ready_batch.file.name)
    client.force_login(carol)

    response = client.get(download_url(ready_batch))

    assert response.status_code == 404
    assert audit("certificate-download") == []


def test_certificate_batch_download_unknown_is_forbidden(client, carol, db):
    client.force_login(carol)

    assert client.get("/coordinate/certificate-batches/999999/download/").status_code == 403


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 403, "oscar": 403}),
)
def test_certificate_batch_delete_for_the_batch_cities_coordinators_only(
    request, client, program_ab, ready_batch, persona, status, django_capture_on_commit_callbacks
):
    name = ready_batch.file.name
    url = delete_url(ready_batch)
    sign_in(request, client, persona)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == status
    if persona == "anonymous":
        assert response.url == login_redirect(url)
    deleted = persona == "carol"
    if deleted:
        assert response.url == page_url(program_ab) + "#certificate-batches"
    assert CertificateBatch.objects.filter(pk=ready_batch.pk).exists() is not deleted
    assert default_storage.exists(name) is not deleted


def test_certificate_batch_delete_get_is_not_allowed(client, carol, ready_batch):
    client.force_login(carol)

    assert client.get(delete_url(ready_batch)).status_code == 405
    assert CertificateBatch.objects.filter(pk=ready_batch.pk).exists() is True


# --- the list on the certificates page -----------------------------------------------------


@pytest.mark.parametrize(("persona", "visible"), [("carol", True), ("bob", False), ("dora", True)])
def test_program_certificates_lists_the_batches_the_coordinator_may_download(
    request, client, program_ab, ready_batch, persona, visible
):
    sign_in(request, client, persona)

    response = client.get(page_url(program_ab))

    assert response.context["batches"] == ([ready_batch] if visible else [])


def test_program_certificates_polls_while_a_batch_is_pending(
    client, carol, program_ab, city_a, certificates_a, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(batch_url(program_ab, "zip"))

    pending = client.get(page_url(program_ab)).content.decode()
    for callback in callbacks:
        callback()
    ready = client.get(page_url(program_ab)).content.decode()

    assert 'hx-trigger="every 2s"' in pending
    assert "Waiting" in pending
    assert 'hx-trigger="every 2s"' not in ready
    assert "Ready" in ready
    assert "3 certificates" in ready


def test_program_certificates_htmx_poll_gets_the_batch_list_only(
    client, carol, program_ab, ready_batch
):
    client.force_login(carol)

    response = client.get(
        page_url(program_ab), headers={"HX-Request": "true", "HX-Target": "certificate-batches"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="certificate-batches"')
    assert html.rstrip().endswith("</section>")
    assert download_url(ready_batch) in html


def test_program_certificates_shows_a_stalled_batch_as_stopped(
    client, carol, program_ab, ready_batch
):
    CertificateBatch.objects.filter(pk=ready_batch.pk).update(
        state="rendering", started_at=timezone.now() - timedelta(minutes=3)
    )
    client.force_login(carol)

    html = client.get(page_url(program_ab)).content.decode()

    assert "The worker stopped while preparing it. Delete it and ask again." in html
    assert 'hx-trigger="every 2s"' not in html


def test_program_certificates_shows_why_a_batch_failed(client, carol, program_ab, ready_batch):
    CertificateBatch.objects.filter(pk=ready_batch.pk).update(
        state="failed", error=services.BATCH_NO_CERTIFICATES, file=""
    )
    client.force_login(carol)

    html = client.get(page_url(program_ab)).content.decode()

    assert "None of these cities’ certificates is valid any more." in html
    assert download_url(ready_batch) not in html


@pytest.mark.parametrize("n", [1, 3])
def test_program_certificates_queries_do_not_grow_with_batches(
    client,
    carol,
    program_ab,
    city_a,
    certificates_a,
    n,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    for _ in range(n):
        request_batch(program_ab, [city_a.pk], carol, "zip", django_capture_on_commit_callbacks)
    client.force_login(carol)
    client.get(page_url(program_ab))  # warms the session

    with django_assert_num_queries(QUERIES_PROGRAM_CERTIFICATES):
        page = client.get(page_url(program_ab))
    with django_assert_num_queries(QUERIES_BATCH_LIST):
        client.get(
            page_url(program_ab), headers={"HX-Request": "true", "HX-Target": "certificate-batches"}
        )

    assert len(page.context["batches"]) == n


# --- on a real worker ----------------------------------------------------------------------


@pytest.fixture
def rendered_certificates(program_ab, city_a):
    """Two city-A certificates, issued and rendered (eagerly) before the worker starts."""
    return [
        issued(completed(program_ab, factories.StudentFactory(home_city=city_a)), pdf=None)
        for _ in range(2)
    ]


@pytest.mark.django_db(transaction=True)
def test_certificate_batch_is_rendered_by_the_worker_after_commit(
    program_ab, city_a, carol, rendered_certificates, redis_worker
):
    finished = threading.Event()
    ran: list[tuple[str, bool]] = []

    def on_postrun(sender=None, **kwargs):
        # The thread proves the task ran in the worker, not eagerly in the test's thread.
        ran.append((sender.name, threading.current_thread() is threading.main_thread()))
        finished.set()

    task_postrun.connect(on_postrun, weak=False)
    try:
        batch = services.certificate_batch_request(
            program=program_ab, city_ids=[city_a.pk], fmt="pdf", by=carol
        )
        assert finished.wait(timeout=60)
    finally:
        task_postrun.disconnect(on_postrun)

    assert ran == [("exchange.tasks.render_certificate_batch", False)]
    state, pages, error, _name = batch_state(batch)
    assert (state, pages, error) == ("ready", 2, "")
    with batch.file.open("rb") as file:
        text = pdf_text(file.read())
    assert [certificate.serial in text for certificate in rendered_certificates] == [True, True]
    assert Certificate.objects.filter(pdf="").count() == 0
