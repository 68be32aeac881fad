"""The data-rights round trip, as a student and as the guardian of an under-14: download
(only their own records and files), ask, another city's coordinator refused, their own
city's coordinator approves; then nothing that names or reaches them is left in any text
column of any table, in any stored file or in the logs, the figures are unchanged, and the
certificate still checks as valid without a name."""

import logging
import re
from datetime import timedelta
from pathlib import PurePath

from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import GuardianConsent, User
from exchange.models import Application, AuditEntry, Certificate
from exchange.services.certificates import verify_code
from messaging.models import Message, Report
from privacy.models import DeletionRequest
from tests import factories
from tests.privacy.conftest import ALICE_PHONE, BUDDY_LINE, JUN_PHONE
from tests.privacy.helpers import find_in_database, find_in_media, numbers, read_zip

ALICE = ["김앨리스", "Kim Alice", "alice@example.org", ALICE_PHONE]
BUDDY = ["王晓雨", "Wang Xiaoyu", "xiaoyu@example.org", BUDDY_LINE]
JUN = ["박준", "Park Jun", "jun@example.org", "parent.jun@example.org", "박부모", JUN_PHONE]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide(user, deletion_request, decision: str, reason: str = ""):
    return signed_in(user).post(
        f"/coordinate/data-requests/{deletion_request.pk}/decide/",
        {"decision": decision, "reason": reason},
    )


def test_data_rights_round_trip_as_a_student(
    world, program_ab, city_a, alice, carol, bob, oscar, caplog,
    django_capture_on_commit_callbacks, mailoutbox,
):  # fmt: skip
    caplog.set_level(logging.DEBUG)
    client = signed_in(alice)
    mine = world["mine"]
    document = world["documents"]["alice"]
    certificate = world["certificates"]["alice"]

    response = client.post("/me/data/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data, files = read_zip(response.content)
    document_name = f"documents/{document.pk}-a.pdf"
    certificate_name = f"certificates/{certificate.serial}.pdf"
    assert sorted(files) == sorted(["data.json", document_name, certificate_name])
    assert files[document_name] == b"%PDF-1.4 Kim Alice \xea\xb9\x80 passport"
    assert files[certificate_name] == "%PDF-1.4 김앨리스 Kim Alice".encode()
    assert data["profile"]["email"] == "alice@example.org"
    assert data["profile"]["native_name"] == "김앨리스"
    assert data["profile"]["latin_name"] == "Kim Alice"
    assert [consent["guardian_email"] for consent in data["guardian_consents"]] == [
        "guardian.alice@example.org"
    ]
    assert [application["id"] for application in data["applications"]] == [mine.pk]
    assert data["applications"][0]["answers"]["medical_needs"] == (
        f"Call my mother at {ALICE_PHONE} first."
    )
    assert [d["file"] for d in data["applications"][0]["documents"]] == [document_name]
    assert [c["serial"] for c in data["certificates"]] == [certificate.serial]
    assert [m["body"] for m in data["chat_messages"]] == [
        Message.objects.get(pk=world["masked"].pk).body,
        "hello from 김앨리스",
    ]
    assert [r["reason"] for r in data["reports_by_you"]] == ["she was rude"]
    about = data["reports_about_your_messages"]
    assert [(r["automatic"], r["your_original_text"]) for r in about] == [
        (True, f"my number is {ALICE_PHONE}")
    ]
    assert [(p["application"], p["kind"]) for p in data["matching_placements"]] == [
        (mine.pk, "pair")
    ]
    assert [(a["session"], a["seconds_present"], a["attended"]) for a in data["attendance"]] == [
        ("Welcome call", 3000, True)
    ]
    assert {"certificate-issue", "contact-masked"} <= {e["action"] for e in data["audit_entries"]}
    for name, content in files.items():
        for needle in BUDDY:
            assert needle.encode() not in content, (name, needle)
    assert AuditEntry.objects.filter(action="data-export", subject=alice).count() == 1

    page = client.get("/me/data/delete/")
    assert page.status_code == 200
    assert "This can’t be undone." in page.content.decode()
    asked = client.post("/me/data/delete/", {"confirm": "on"})
    assert asked.status_code == 302
    request = DeletionRequest.objects.get()
    assert (request.student, request.city, request.status, request.requested_by) == (
        alice,
        city_a,
        "open",
        "student",
    )
    assert request.due_on == timezone.localdate() + timedelta(days=10)
    assert AuditEntry.objects.filter(action="erasure-request", subject=alice).count() == 1

    before = numbers(program_ab)
    assert decide(bob, request, "approve").status_code == 403
    assert decide(oscar, request, "approve").status_code == 403
    assert DeletionRequest.objects.get().status == "open"

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(carol, request, "approve")

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", carol)
    log_text = caplog.text
    assert [needle for needle in ALICE if needle in log_text] == []
    assert find_in_database(ALICE) == []
    assert find_in_media(ALICE) == []
    # The search does find what stays: the buddy's record and files are whole.
    assert find_in_database(["Wang Xiaoyu"]) == [
        "accounts_user.latin_name: Wang Xiaoyu",
        "exchange_application.motivation: Wang Xiaoyu",
        "exchange_household.family_name: Wang Xiaoyu",
        "exchange_householdmember.name: Wang Xiaoyu",
        "messaging_room.name: Wang Xiaoyu",
    ]
    kept = [world["documents"]["buddy"].file.name, world["certificates"]["buddy"].pdf.name]
    assert sorted(find_in_media(["Wang Xiaoyu"])) == sorted(
        f"{PurePath(name).name}: Wang Xiaoyu" for name in kept
    )
    assert numbers(program_ab) == before
    erased = User.objects.get(pk=alice.pk)
    assert (erased.is_active, erased.has_usable_password(), erased.native_name) == (
        False,
        False,
        "",
    )
    assert Application.objects.get(pk=mine.pk).state == "completed"
    assert Message.objects.filter(sender=alice).values_list("body", flat=True).distinct().get() == (
        "[erased]"
    )
    assert Report.objects.get(automatic=True).original_body == ""
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None

    verify = Client().get(f"/verify/{verify_code(certificate)}/")
    assert verify.status_code == 200
    text = verify.content.decode()
    assert "Valid" in text
    assert "Holder’s record erased" in text
    assert [needle for needle in ALICE if needle in text] == []

    assert client.get("/me/data/").status_code == 302
    assert Client().login(email="alice@example.org", password=factories.PASSWORD) is False
    assert Client().login(email=erased.email, password=factories.PASSWORD) is False
    told = [m for m in mailoutbox if m.subject == "Your data has been deleted"]
    assert [m.to for m in told] == [["alice@example.org"]]


def test_data_rights_round_trip_as_the_guardian_of_an_under_14(
    jun_world, jun, program_ab, carol, bob, caplog, django_capture_on_commit_callbacks,
    mailoutbox,
):  # fmt: skip
    caplog.set_level(logging.DEBUG)
    consent = GuardianConsent.objects.get(student=jun)
    guardian = Client()
    withdraw = guardian.get(f"/me/guardian/{tokens.withdraw_token(consent)}/withdraw/")
    token = re.search(r'href="/guardian-data/([^/"]+)/"', withdraw.content.decode()).group(1)
    page = f"/guardian-data/{token}/"

    assert guardian.get(page).status_code == 200
    response = guardian.post(f"{page}download/")

    assert response.status_code == 200
    data, files = read_zip(response.content)
    document_name = f"documents/{jun_world['document'].pk}-jun.pdf"
    assert sorted(files) == ["data.json", document_name]
    assert files[document_name] == b"%PDF-1.4 Park Jun form"
    assert data["profile"]["email"] == "jun@example.org"
    assert [a["id"] for a in data["applications"]] == [jun_world["mine"].pk]
    for name, content in files.items():
        for needle in ["김앨리스", "Kim Alice", "alice@example.org"]:
            assert needle.encode() not in content, (name, needle)
    export = AuditEntry.objects.get(action="data-export", subject=jun)
    assert (export.actor, export.detail) == (None, "by the guardian, 1 files")

    assert guardian.post(f"{page}delete/", {"confirm": "on"}).status_code == 302
    request = DeletionRequest.objects.get()
    assert (request.student, request.requested_by, request.consent) == (jun, "guardian", consent)

    before = numbers(program_ab)
    assert decide(bob, request, "approve").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(carol, request, "approve").status_code == 302

    log_text = caplog.text
    assert [needle for needle in JUN if needle in log_text] == []
    assert find_in_database(JUN) == []
    assert find_in_media(JUN) == []
    kept = PurePath(jun_world["other_document"].file.name).name
    assert find_in_media(["Kim Alice"]) == [f"{kept}: Kim Alice"]
    assert numbers(program_ab) == before
    assert guardian.get(page).status_code == 404
    told = [m for m in mailoutbox if m.subject == "Your data has been deleted"]
    assert sorted(address for m in told for address in m.to) == [
        "jun@example.org",
        "parent.jun@example.org",
    ]
