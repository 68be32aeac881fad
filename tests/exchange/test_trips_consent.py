"""The guardian's trip consent (issue 15, part 2): asked when the matching is published and
again when the household changes, signed and withdrawn through signed links, no account."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail, signing
from django.utils import timezone

from accounts.models import GuardianConsent
from exchange import trip_tokens
from exchange.models import (
    Application,
    AuditEntry,
    ItineraryItem,
    MatchApproval,
    Matching,
    MatchMember,
)
from exchange.selectors.trips import travel_status
from exchange.services.matching import matching_publish, matching_reopen
from exchange.services.trips import trip_consent_resend
from tests import factories
from tests.exchange.visit_helpers import build_visit
from tests.helpers import message_texts

pytestmark = pytest.mark.django_db


def _publish(visit, by, capture):
    matching = Matching.objects.get(program=visit.program)
    matching.ran_at = timezone.now()
    matching.save(update_fields=["ran_at"])
    # Locked: the coordinators' own pairs, published as they are (the built applications
    # answer no language or hosting questions).
    matching.groups.update(locked=True)
    for pc in visit.program.program_cities.all():
        MatchApproval.objects.create(
            matching=matching, city_id=pc.city_id, version=matching.version, approved_by=by
        )
    with capture(execute=True):
        matching_publish(program=visit.program, by=by)


def _link(path_name: str, token: str) -> str:
    from django.urls import reverse

    return reverse(f"exchange:{path_name}", kwargs={"token": token})


def test_publishing_asks_each_minor_guardian_by_email(
    city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    _publish(visit, carol, django_capture_on_commit_callbacks)
    traveller = visit.a[0]
    consent = traveller.trip_consents.get()
    guardian = GuardianConsent.objects.get(student=traveller.student)
    assert consent.is_current is True
    assert consent.household == visit.households[visit.b[0].pk]
    assert consent.guardian_email == guardian.guardian_email
    to = sorted(message.to[0] for message in mail.outbox if "Trip consent" in message.subject)
    assert to == sorted(
        [
            guardian.guardian_email,
            GuardianConsent.objects.get(student=visit.b[0].student).guardian_email,
        ]
    )
    assert travel_status(application=traveller) == "awaiting"
    rows = AuditEntry.objects.filter(action="trip-consent-request", application=traveller)
    assert sorted(rows.values_list("city_id", flat=True)) == sorted([city_a.pk, city_b.pk])


def test_publishing_asks_no_consent_for_adults(
    city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False, age=19)
    _publish(visit, carol, django_capture_on_commit_callbacks)
    assert visit.a[0].trip_consents.count() == 0
    assert travel_status(application=visit.a[0]) == "not-needed"


def test_republishing_with_another_household_asks_again(
    city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=2, publish=False)
    _publish(visit, carol, django_capture_on_commit_callbacks)
    first = visit.a[0].trip_consents.get()
    first.guardian_name = "Kim Younghee"
    first.signed_at = timezone.now()
    first.save()
    assert travel_status(application=visit.a[0]) == "signed"
    matching_reopen(program=visit.program, by=carol)
    # Swap the B buddies: A0 now stays with B1's family.
    MatchMember.objects.filter(application=visit.b[0]).update(group=visit.groups[1])
    MatchMember.objects.filter(application=visit.b[1]).update(group=visit.groups[0])
    MatchApproval.objects.all().delete()
    mail.outbox.clear()
    _publish(visit, carol, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    current = visit.a[0].trip_consents.get(is_current=True)
    assert first.is_current is False
    assert current.household == visit.households[visit.b[1].pk]
    assert travel_status(application=visit.a[0]) == "awaiting"
    assert len([m for m in mail.outbox if "Trip consent" in m.subject]) == 4


def test_republishing_the_same_households_asks_nobody_again(
    city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    _publish(visit, carol, django_capture_on_commit_callbacks)
    matching_reopen(program=visit.program, by=carol)
    MatchApproval.objects.all().delete()
    mail.outbox.clear()
    _publish(visit, carol, django_capture_on_commit_callbacks)
    assert visit.a[0].trip_consents.count() == 1
    assert [m.subject for m in mail.outbox if "Trip consent" in m.subject] == []


def _requested(visit, django_capture_on_commit_callbacks, carol):
    _publish(visit, carol, django_capture_on_commit_callbacks)
    return visit.a[0].trip_consents.get()


def test_guardian_page_shows_the_trip_and_the_household(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    ItineraryItem.objects.create(
        leg=visit.leg_to_b,
        day=visit.leg_to_b.departs_on,
        starts_at="14:00",
        place="Zibo Ceramics Museum",
        activity="Pottery workshop",
        responsible_adult="Ms Wang",
    )
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    page = client.get(_link("trip_consent", trip_tokens.sign_token(consent))).content.decode()
    household = visit.households[visit.b[0].pk]
    for text in (
        household.family_name,
        household.district,
        household.address,
        household.phone,
        "Pottery workshop",
        "Call the group leader first, then 120.",
        visit.leg_to_b.departs_on.isoformat(),
    ):
        assert text in page


def test_guardian_signs_and_the_snapshot_is_kept(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    url = _link("trip_consent", trip_tokens.sign_token(consent))
    digest = client.get(url).context["form"].initial["digest"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"guardian_name": "  Kim   Younghee ", "agree": "on", "digest": digest}
        )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.guardian_name == "Kim Younghee"
    assert consent.shown["household"]["family_name"] == visit.households[visit.b[0].pk].family_name
    assert consent.shown["leg"]["emergency_plan"] == "Call the group leader first, then 120."
    assert travel_status(application=visit.a[0]) == "signed"
    rows = AuditEntry.objects.filter(action="trip-consent-sign")
    assert sorted(rows.values_list("city_id", flat=True)) == sorted([city_a.pk, city_b.pk])
    assert [m.to for m in mail.outbox] == [[consent.guardian_email]]


def test_guardian_sign_without_the_box_changes_nothing(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    url = _link("trip_consent", trip_tokens.sign_token(consent))
    digest = client.get(url).context["form"].initial["digest"]
    response = client.post(url, {"guardian_name": "Kim Younghee", "digest": digest})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["agree"]
    consent.refresh_from_db()
    assert (consent.signed_at, consent.guardian_name, consent.shown) == (None, "", {})


def test_guardian_sign_after_the_itinerary_changed_asks_to_read_again(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    url = _link("trip_consent", trip_tokens.sign_token(consent))
    digest = client.get(url).context["form"].initial["digest"]
    ItineraryItem.objects.create(
        leg=visit.leg_to_b,
        day=visit.leg_to_b.departs_on,
        starts_at="22:00",
        place="Night market",
        activity="Night market",
        responsible_adult="Ms Wang",
    )
    response = client.post(url, {"guardian_name": "Kim", "agree": "on", "digest": digest})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The trip changed while you were reading it. Read it again, then sign."
    ]
    consent.refresh_from_db()
    assert consent.signed_at is None


def _old_token(consent, salt: str, days: int) -> str:
    class Past(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86400)

    return Past(key=settings.SECRET_KEY, salt=salt).sign_object(
        {"t": consent.pk, "e": consent.guardian_email}, compress=True
    )


def test_guardian_sign_link_expires(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    days = settings.GUARDIAN_LINK_MAX_AGE_DAYS
    fresh = _old_token(consent, trip_tokens.SIGN_SALT, days - 1)
    stale = _old_token(consent, trip_tokens.SIGN_SALT, days + 1)
    assert client.get(_link("trip_consent", fresh)).status_code == 200
    assert client.get(_link("trip_consent", stale)).status_code == 404
    old_withdraw = _old_token(consent, trip_tokens.WITHDRAW_SALT, 400)
    assert client.get(_link("trip_consent_withdraw", old_withdraw)).status_code == 200


def test_guardian_link_for_a_replaced_request_is_invalid(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    token = trip_tokens.sign_token(consent)
    consent.guardian_email = "other@example.org"
    consent.save()
    assert client.get(_link("trip_consent", token)).status_code == 404
    assert client.get(_link("trip_consent", "forged")).status_code == 404


def test_guardian_withdraws_and_the_place_goes_to_the_waitlist(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    waiting = factories.ApplicationFactory(
        program=visit.program,
        student=factories.StudentFactory(home_city=city_a, age=16, consent="given"),
        state=Application.State.WAITLISTED,
    )
    # Fill A's places so the freed one is the waitlist's.
    visit.program.program_cities.filter(city=city_a).update(quota=1)
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    url = _link("trip_consent_withdraw", trip_tokens.withdraw_token(consent))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "We can't travel that week."})
    assert response.status_code == 302
    consent.refresh_from_db()
    visit.a[0].refresh_from_db()
    waiting.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert visit.a[0].state == "withdrawn"
    assert waiting.state == "accepted"
    assert travel_status(application=visit.a[0]) == "withdrawn"
    rows = AuditEntry.objects.filter(action="trip-consent-withdraw")
    assert sorted(rows.values_list("city_id", flat=True)) == sorted([city_a.pk, city_b.pk])
    assert rows.first().detail == "We can't travel that week."
    page = client.get(url).content.decode()
    assert "The trip consent was withdrawn on" in page


def test_student_without_a_given_guardian_consent_names_the_guardian(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    traveller = visit.a[0]
    GuardianConsent.objects.filter(student=traveller.student).delete()
    _publish(visit, carol, django_capture_on_commit_callbacks)
    consent = traveller.trip_consents.get()
    assert consent.guardian_email == ""
    client.force_login(traveller.student)
    page = client.get(f"/me/applications/{traveller.pk}/trip/").content.decode()
    assert "so we don’t know whom to ask" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/me/applications/{traveller.pk}/trip/guardian/",
            {"guardian_email": "Parent@Example.org"},
        )
    assert message_texts(response) == ["We sent your guardian an email with the trip consent link."]
    consent.refresh_from_db()
    assert consent.guardian_email == "parent@example.org"
    assert [m.to for m in mail.outbox] == [["parent@example.org"]]


def test_resend_respects_the_daily_limit(city_a, city_b, carol, django_capture_on_commit_callbacks):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    _requested(visit, django_capture_on_commit_callbacks, carol)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(3):
            trip_consent_resend(application=visit.a[0], by=carol)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        trip_consent_resend(application=visit.a[0], by=visit.a[0].student)
    assert error.value.code == "rate_limited"
    assert len(mail.outbox) == 3


def test_coordinator_resend_button_sends_again(
    client, city_a, city_b, bob, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    consent = _requested(visit, django_capture_on_commit_callbacks, carol)
    mail.outbox.clear()
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/coordinate/applications/{visit.a[0].pk}/trip-consent/resend/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[consent.guardian_email]]


def test_outsider_resend_is_not_found(
    client, city_a, city_b, oscar, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    _requested(visit, django_capture_on_commit_callbacks, carol)
    client.force_login(oscar)
    response = client.post(f"/coordinate/applications/{visit.a[0].pk}/trip-consent/resend/")
    assert response.status_code == 404


def test_request_email_is_in_the_students_language(
    city_a, city_b, carol, django_capture_on_commit_callbacks
):
    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    student = visit.b[0].student
    student.preferred_language = "zh-hans"
    student.save(update_fields=["preferred_language"])
    _publish(visit, carol, django_capture_on_commit_callbacks)
    guardian = GuardianConsent.objects.get(student=student).guardian_email
    message = next(m for m in mail.outbox if m.to == [guardian] and "/trip-consent/" in m.body)
    assert "/trip-consent/withdraw/" in message.body
    assert timedelta(days=settings.GUARDIAN_LINK_MAX_AGE_DAYS).days == 7


@pytest.mark.journey
def test_trip_consent_journey_from_publish_to_a_confirmed_trip(
    client, city_a, city_b, carol, django_capture_on_commit_callbacks
):
    """The coordinators publish, the guardian follows the emailed link and signs, the student
    and the coordinators see the trip confirmed; the withdraw link in the receipt still works."""
    import re

    visit = build_visit(city_a, city_b, pairs=1, publish=False)
    traveller = visit.a[0]
    guardian = GuardianConsent.objects.get(student=traveller.student).guardian_email
    _publish(visit, carol, django_capture_on_commit_callbacks)
    request = next(m for m in mail.outbox if m.to == [guardian] and "Trip consent" in m.subject)
    sign_path = re.search(r"https?://[^/\s]+(/trip-consent/(?!withdraw)[^\s]+/)", request.body)[1]
    page = client.get(sign_path)
    assert visit.households[visit.b[0].pk].family_name in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            sign_path,
            {
                "guardian_name": "Kim Younghee",
                "agree": "on",
                "digest": page.context["form"].initial["digest"],
            },
        )
    receipt = mail.outbox[0]
    withdraw_path = re.search(r"https?://[^/\s]+(/trip-consent/withdraw/[^\s]+/)", receipt.body)[1]
    client.force_login(traveller.student)
    assert (
        "Your trip is confirmed: your guardian signed the trip consent."
        in client.get(f"/me/applications/{traveller.pk}/").content.decode()
    )
    client.force_login(carol)
    trip_page = client.get(f"/coordinate/programs/{visit.program.pk}/trip/").content.decode()
    assert "Guardian signed the trip consent" in trip_page
    client.logout()
    assert client.get(withdraw_path).status_code == 200
