"""Bad input is refused clearly and writes nothing: forged, expired, replaced and
wrong-age guardian links, a second open request, a decision made twice, a refusal without
a reason; and site staff's delete in the admin is the same whole erasure."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import GuardianConsent, User
from exchange.models import Application, AuditEntry, Certificate
from privacy import services
from privacy.models import DeletionRequest
from tests import factories
from tests.helpers import message_texts
from tests.privacy.helpers import numbers

DAY = 86400


def aged_token(consent: GuardianConsent, *, days: int) -> str:
    """A data-rights link signed `days` ago (the signer's clock, not the portal's)."""

    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * DAY)

    payload = {"c": consent.pk, "e": consent.guardian_email}
    return Earlier(salt=tokens.RIGHTS_SALT).sign_object(payload, compress=True)


def _consent(jun) -> GuardianConsent:
    return GuardianConsent.objects.get(student=jun)


def test_guardian_link_tampered_is_404_and_writes_nothing(client, jun):
    token = tokens.rights_token(_consent(jun))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    assert client.get(f"/guardian-data/{forged}/").status_code == 404
    assert client.post(f"/guardian-data/{forged}/download/").status_code == 404
    assert client.post(f"/guardian-data/{forged}/delete/", {"confirm": "on"}).status_code == 404
    assert AuditEntry.objects.count() == 0
    assert DeletionRequest.objects.count() == 0


def test_guardian_link_expired_is_404_a_day_younger_opens(client, jun, settings):
    consent = _consent(jun)
    days = settings.GUARDIAN_LINK_MAX_AGE_DAYS

    assert client.get(f"/guardian-data/{aged_token(consent, days=days + 1)}/").status_code == 404
    response = client.post(f"/guardian-data/{aged_token(consent, days=days + 1)}/download/")
    assert response.status_code == 404
    assert AuditEntry.objects.count() == 0
    assert client.get(f"/guardian-data/{aged_token(consent, days=days - 1)}/").status_code == 200


def test_guardian_link_of_another_kind_does_not_open(client, jun):
    consent = _consent(jun)

    assert client.get(f"/guardian-data/{tokens.withdraw_token(consent)}/").status_code == 404
    assert client.get(f"/guardian-data/{tokens.consent_token(consent)}/").status_code == 404


def test_guardian_link_of_a_replaced_consent_is_404(client, jun):
    consent = _consent(jun)
    token = tokens.rights_token(consent)
    GuardianConsent.objects.filter(pk=consent.pk).update(is_current=False)

    assert client.get(f"/guardian-data/{token}/").status_code == 404


def test_guardian_link_of_a_child_of_14_or_more_is_404_and_not_offered(client, mina):
    consent = GuardianConsent.objects.create(
        student=mina,
        guardian_email="parent.mina@example.org",
        guardian_name="Lee Parent",
        relationship="mother",
        consented_at=timezone.now(),
    )

    assert client.get(f"/guardian-data/{tokens.rights_token(consent)}/").status_code == 404
    withdraw = client.get(f"/me/guardian/{tokens.withdraw_token(consent)}/withdraw/")
    assert "/guardian-data/" not in withdraw.content.decode()


def test_request_twice_is_refused_with_one_request_and_one_audit(client, alice):
    client.force_login(alice)
    assert client.post("/me/data/delete/", {"confirm": "on"}).status_code == 302

    response = client.post("/me/data/delete/", {"confirm": "on"})

    assert response.status_code == 200
    assert DeletionRequest.objects.filter(student=alice).count() == 1
    assert AuditEntry.objects.filter(action="erasure-request").count() == 1
    with pytest.raises(ValidationError) as error:
        services.deletion_request_create(student=alice, by=alice)
    assert error.value.code == "already_open"


def test_request_without_the_confirmation_writes_nothing(client, alice):
    client.force_login(alice)

    response = client.post("/me/data/delete/", {})

    assert response.status_code == 200
    assert response.context["form"].errors == {"confirm": ["This field is required."]}
    assert DeletionRequest.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_request_for_someone_else_is_refused(alice, mina):
    with pytest.raises(ValidationError) as error:
        services.deletion_request_create(student=mina, by=alice)

    assert error.value.code == "forbidden"
    assert DeletionRequest.objects.count() == 0


@pytest.fixture
def alice_request(alice):
    return services.deletion_request_create(student=alice, by=alice)


def test_decide_twice_is_refused_and_writes_nothing_more(client, carol, alice_request):
    client.force_login(carol)
    url = f"/coordinate/data-requests/{alice_request.pk}/decide/"
    assert client.post(url, {"decision": "approve"}).status_code == 302
    audits = AuditEntry.objects.count()

    again = client.post(url, {"decision": "approve"}, follow=True)
    refuse = client.post(url, {"decision": "refuse", "reason": "changed my mind"}, follow=True)

    assert message_texts(again)[-1] == "This request has already been decided."
    assert message_texts(refuse)[-1] == "This request has already been decided."
    assert AuditEntry.objects.count() == audits
    alice_request.refresh_from_db()
    assert (alice_request.status, alice_request.reason) == ("approved", "")


def test_refuse_without_a_reason_is_refused_and_stays_open(carol, alice_request, mailoutbox):
    with pytest.raises(ValidationError) as error:
        services.deletion_request_refuse(deletion_request=alice_request, by=carol, reason="  ")

    assert error.value.message_dict == {"reason": ["Say why the request is refused."]}
    alice_request.refresh_from_db()
    assert alice_request.status == "open"
    assert AuditEntry.objects.filter(action="erasure-refuse").count() == 0
    assert mailoutbox == []


def test_refuse_tells_the_student_why_and_keeps_their_data(
    carol, alice, alice_request, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.deletion_request_refuse(
            deletion_request=alice_request, by=carol, reason="The police asked us to keep it."
        )

    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["alice@example.org"], "Your request to delete your data was refused")
    ]
    assert "The police asked us to keep it." in mailoutbox[0].body
    assert User.objects.get(pk=alice.pk).native_name == "김앨리스"
    # A refused request may be followed by a new one.
    assert services.deletion_request_create(student=alice, by=alice).status == "open"


def test_approve_erases_once_a_second_erasure_is_refused(carol, alice, alice_request):
    services.deletion_request_approve(deletion_request=alice_request, by=carol)

    with pytest.raises(ValidationError) as error:
        services.person_erase(student=User.objects.get(pk=alice.pk), by=carol)

    assert error.value.code == "erased"


def test_erased_person_can_neither_download_nor_ask(carol, alice, alice_request):
    services.deletion_request_approve(deletion_request=alice_request, by=carol)
    erased = User.objects.get(pk=alice.pk)

    with pytest.raises(ValidationError) as download:
        services.person_data_export(student=erased, by=erased)
    with pytest.raises(ValidationError) as ask:
        services.deletion_request_create(student=erased, by=erased)

    assert (download.value.code, ask.value.code) == ("erased", "erased")


@pytest.fixture
def staff(db):
    return factories.StaffFactory(email="staff@example.org")


def test_admin_delete_of_a_certificate_holder_is_the_whole_erasure(world, program_ab, alice, staff):
    client = Client()
    client.force_login(staff)
    before = numbers(program_ab)
    url = f"/admin/accounts/user/{alice.pk}/delete/"

    confirm = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert confirm.status_code == 200
    assert "personal data erased, account locked" in confirm.content.decode()
    assert "Cannot delete" not in confirm.content.decode()
    assert response.status_code == 302
    erased = User.objects.get(pk=alice.pk)
    assert (erased.is_active, erased.native_name, erased.latin_name) == (False, "", "")
    assert erased.erased_at is not None
    assert numbers(program_ab) == before
    assert Certificate.objects.filter(application__student=alice).count() == 1
    assert Application.objects.get(pk=world["mine"].pk).motivation == ""
    done = AuditEntry.objects.get(action="erasure-done", subject=alice)
    assert done.actor == staff


def test_admin_bulk_delete_erases_each_and_closes_an_open_request(
    world, alice, buddy, staff, alice_request
):
    client = Client()
    client.force_login(staff)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [alice.pk, buddy.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert sorted(
        User.objects.filter(pk__in=[alice.pk, buddy.pk]).values_list("is_active", "latin_name")
    ) == [(False, ""), (False, "")]
    alice_request.refresh_from_db()
    assert (alice_request.status, alice_request.decided_by) == ("approved", staff)


def test_erasure_by_someone_not_staff_is_refused(alice, carol):
    with pytest.raises(ValidationError) as error:
        services.person_erase_by_staff(student=alice, by=carol)

    assert error.value.code == "forbidden"
    assert User.objects.get(pk=alice.pk).is_active is True


def test_due_date_follows_the_setting(alice, settings):
    settings.DELETION_REQUEST_DUE_DAYS = 30

    request = services.deletion_request_create(student=alice, by=alice)

    assert request.due_on == timezone.localdate() + timedelta(days=30)
