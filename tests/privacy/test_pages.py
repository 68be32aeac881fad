"""Every data-rights page for every persona: a person's own pages are theirs (each download
holds only their own data), the queue and decisions belong to the student's city's
coordinators; the guardian's pages open only with a valid link for a child under 14."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import tokens
from accounts.models import GuardianConsent
from exchange.models import AuditEntry
from privacy import services
from privacy.models import DeletionRequest
from tests import factories
from tests.helpers import login_redirect, sign_in, table
from tests.privacy.helpers import read_zip

# Every test here touches the database, some only through request.getfixturevalue: marking
# them lets pytest-django run them with the other database tests, before any transactional
# test flushes the migrated vocabulary.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 200, "mina": 200, "carol": 200, "bob": 200, "oscar": 200}),
)
@pytest.mark.parametrize("path", ["/me/data/", "/me/data/delete/"])
def test_own_data_pages_open_for_every_signed_in_person(request, client, persona, status, path):
    sign_in(request, client, persona)

    response = client.get(path)

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"] == login_redirect(path)


@pytest.mark.parametrize("persona", ["alice", "mina", "carol", "bob", "oscar"])
def test_download_holds_only_the_persons_own_data(request, client, persona, alice, mina):
    user = sign_in(request, client, persona)

    response = client.post("/me/data/download/")

    assert response.status_code == 200
    data, files = read_zip(response.content)
    assert data["profile"]["email"] == user.email
    others = {"alice@example.org", "mina@example.org", "carol@example.org", "bob@example.org"}
    others |= {"oscar@example.org"}
    for other in others - {user.email}:
        assert other.encode() not in files["data.json"]
    assert AuditEntry.objects.filter(action="data-export", subject=user, actor=user).count() >= 1


def test_download_anonymous_goes_to_sign_in_and_nothing_is_audited(db, client):
    response = client.post("/me/data/download/")

    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="data-export").count() == 0


def test_download_by_get_is_refused(client, alice):
    client.force_login(alice)

    assert client.get("/me/data/download/").status_code == 405


@pytest.fixture
def alice_request(alice):
    return services.deletion_request_create(student=alice, by=alice)


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 200}),
)
def test_queue_lists_only_the_coordinators_own_cities(
    request, client, persona, status, alice_request
):
    sign_in(request, client, persona)

    response = client.get("/coordinate/data-requests/")

    assert response.status_code == status
    if status == 200:
        listed = "alice@example.org" in response.content.decode()
        assert listed is (persona == "carol")


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 302, "bob": 403, "oscar": 403}),
)
def test_decide_only_the_students_city(request, client, persona, status, alice_request):
    sign_in(request, client, persona)
    audits = AuditEntry.objects.count()

    response = client.post(
        f"/coordinate/data-requests/{alice_request.pk}/decide/",
        {"decision": "refuse", "reason": "An open safeguarding case needs the record."},
    )

    assert response.status_code == status
    alice_request.refresh_from_db()
    if persona == "carol":
        assert alice_request.status == "refused"
        assert AuditEntry.objects.count() == audits + 1
    else:
        assert alice_request.status == "open"
        assert AuditEntry.objects.count() == audits


def test_decide_unknown_request_is_404(client, carol):
    client.force_login(carol)

    response = client.post("/coordinate/data-requests/999999/decide/", {"decision": "approve"})

    assert response.status_code == 404


def test_decide_a_coordinator_never_decides_their_own_request(client, carol, city_a):
    other = factories.CoordinatorFactory(email="dana@example.org", cities=[city_a])
    own = services.deletion_request_create(student=carol, by=carol)
    client.force_login(carol)

    response = client.post(f"/coordinate/data-requests/{own.pk}/decide/", {"decision": "approve"})

    assert response.status_code == 403
    client.force_login(other)
    assert client.get("/coordinate/data-requests/").content.decode().count("carol@example.org") == 1


def test_queue_highlights_an_overdue_request(client, carol, alice_request):
    DeletionRequest.objects.filter(pk=alice_request.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(carol)

    text = client.get("/coordinate/data-requests/").content.decode()

    assert '<tr class="overdue">' in text
    assert "Overdue" in text


def test_queue_not_overdue_on_the_due_day(client, carol, alice_request):
    DeletionRequest.objects.filter(pk=alice_request.pk).update(due_on=timezone.localdate())
    client.force_login(carol)

    text = client.get("/coordinate/data-requests/").content.decode()

    assert '<tr class="overdue">' not in text
    assert "Overdue" not in text


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/coordinate/data-requests/").status_code == 200
    return len(context)


def test_queue_queries_the_same_for_one_and_three_requests(client, carol, city_a, alice_request):
    client.force_login(carol)
    one = _queries(client)
    for _ in range(2):
        student = factories.StudentFactory(home_city=city_a)
        services.deletion_request_create(student=student, by=student)

    assert _queries(client) == one


@pytest.fixture
def jun(city_a):
    student = factories.StudentFactory(email="jun@example.org", home_city=city_a, age=13)
    GuardianConsent.objects.create(
        student=student,
        guardian_email="parent.jun@example.org",
        guardian_name="Park Parent",
        relationship="father",
        consented_at=timezone.now(),
    )
    return student


@pytest.mark.parametrize("persona", ["anonymous", "alice", "mina", "carol", "bob", "oscar"])
def test_guardian_page_opens_with_the_link_whoever_is_signed_in(request, client, persona, jun):
    sign_in(request, client, persona)
    token = tokens.rights_token(GuardianConsent.objects.get(student=jun))

    response = client.get(f"/guardian-data/{token}/")

    assert response.status_code == 200
    assert jun.display_name in response.content.decode()


def test_guardian_page_opens_past_the_under_14_gate_of_a_signed_in_child(client, city_a):
    """The child, signed in on the family computer with consent still pending, can reach
    nothing but the consent page; the guardian's link still opens."""
    child = factories.StudentFactory(email="child@example.org", home_city=city_a, age=12)
    consent = GuardianConsent.objects.create(
        student=child, guardian_email="parent.child@example.org"
    )
    client.force_login(child)

    assert client.get("/me/data/")["Location"] == "/me/consent/"
    assert client.get(f"/guardian-data/{tokens.rights_token(consent)}/").status_code == 200
