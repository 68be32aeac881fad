"""The guardian's signed link: the student sends it from their home page to the guardian who
holds their current given consent; through it the guardian (no account) describes the home
and sends it for screening; a forged link, or one whose consent was replaced, opens nothing."""

import re

import pytest

from accounts.models import GuardianConsent
from exchange.household_tokens import household_token
from exchange.models import AuditEntry, Household
from tests.exchange.visit_helpers import household_post

pytestmark = pytest.mark.django_db


def consent_of(student) -> GuardianConsent:
    return GuardianConsent.objects.get(student=student, is_current=True)


def test_guardian_link_is_emailed_to_the_consenting_guardian(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/household/guardian-link/")

    consent = consent_of(alice)
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[consent.guardian_email]]
    path = re.search(r"/household/guardian/[^/\s]+/", mailoutbox[0].body).group(0)
    assert path == f"/household/guardian/{household_token(consent)}/"


def test_guardian_link_without_a_given_consent_is_refused(
    client, mina, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(mina)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/household/guardian-link/", follow=True)

    assert mailoutbox == []
    assert [str(m) for m in response.context["messages"]] == [
        "Your guardian needs to have given their consent first."
    ]


def test_guardian_through_the_link_describes_the_home_and_sends_it(client, alice, city_a):
    url = f"/household/guardian/{household_token(consent_of(alice))}/"

    page = client.get(url)
    saved = client.post(url, household_post())
    sent = client.post(url, {"submit": "1"})

    household = Household.objects.get()
    assert (page.status_code, saved.status_code, sent.status_code) == (200, 302, 302)
    assert (household.student_id, household.city_id, household.status) == (
        alice.pk,
        city_a.pk,
        "submitted",
    )
    assert list(AuditEntry.objects.values_list("action", "actor_id", "detail")) == [
        ("household-submit", None, "by the guardian")
    ]


def test_guardian_link_forged_or_replaced_opens_nothing(client, alice):
    consent = consent_of(alice)
    token = household_token(consent)
    GuardianConsent.objects.filter(pk=consent.pk).update(is_current=False)

    replaced = client.post(f"/household/guardian/{token}/", household_post())
    forged = client.get(f"/household/guardian/{token[:-2]}xx/")

    assert (replaced.status_code, forged.status_code, Household.objects.count()) == (404, 404, 0)
