"""Incidents: logged by any coordinator of the visit, seen by them only, every step audited;
serious ones tell every coordinator at once and the guardians as each child's city decides."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from exchange.models import AuditEntry, CityCarePolicy, Incident, IncidentUpdate
from exchange.services.care import (
    incident_add_update,
    incident_close,
    incident_log,
    incident_reopen,
)
from tests import factories
from tests.exchange.visit_helpers import build_visit
from tests.helpers import sign_in, table

pytestmark = pytest.mark.django_db

# Session, user and home city; memberships; second factor; program and cities; inside the
# audited read's savepoint (2): the incidents with reporter and leg, their involved
# participants, the audit entries (one insert for both cities); the coordinator's time zone.
# 13 at N = 1 and N = 3.
INCIDENTS_QUERIES = 13


@pytest.fixture
def visit(city_a, city_b):
    return build_visit(city_a, city_b, pairs=2)


def log(visit, by, **extra):
    return incident_log(
        program=visit.program,
        by=by,
        category=extra.pop("category", "health"),
        severity=extra.pop("severity", "low"),
        involved=extra.pop("involved", [visit.b[0]]),
        occurred_at=extra.pop("occurred_at", timezone.now() - timedelta(hours=1)),
        what_happened=extra.pop("what_happened", "Twisted an ankle at the kiln."),
        what_was_done=extra.pop("what_was_done", "Ice and rest."),
        **extra,
    )


def test_incident_minor_is_logged_and_audited_without_notices(
    visit, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = log(visit, carol)

    assert list(incident.involved.all()) == [visit.b[0]]
    assert incident.reported_by == carol
    assert mail.outbox == []
    assert sorted(
        AuditEntry.objects.filter(action="incident-log").values_list("city_id", flat=True)
    ) == sorted([visit.a[0].city_id, visit.b[0].city_id])


def test_incident_serious_tells_every_coordinator_and_the_guardian(
    visit, carol, bob, city_a, django_capture_on_commit_callbacks
):
    carol_2 = factories.CoordinatorFactory(email="carol2@example.org", cities=[city_a])
    carol_2.preferred_language = "ko"
    carol_2.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        incident = log(visit, carol, category="safeguarding", involved=visit.b[:2])

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            "bob@example.org",
            "carol2@example.org",
            "carol@example.org",
            f"guardian.{visit.b[0].student.email}",
            f"guardian.{visit.b[1].student.email}",
        ]
    )
    guardian = next(m for m in mail.outbox if m.to == [f"guardian.{visit.b[0].student.email}"])
    assert visit.b[0].student.display_name in guardian.body
    assert visit.b[1].student.display_name not in guardian.body
    assert "Twisted" not in guardian.body
    assert "A coordinator will call you" in guardian.body
    assert "Gwangju–Zibo Ceramics Visit" in guardian.body
    alert = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert (
        alert.subject == "Serious incident on “Gwangju–Zibo Ceramics Visit”: Safeguarding concern"
    )
    assert f"/incidents/{incident.pk}/" in alert.body
    incident.refresh_from_db()
    assert incident.guardians_notified_at is not None


def test_incident_high_severity_under_never_policy_tells_coordinators_only(
    visit, carol, city_b, django_capture_on_commit_callbacks
):
    CityCarePolicy.objects.create(
        city=city_b, incident_guardian_notice=CityCarePolicy.GuardianNotice.NEVER
    )

    with django_capture_on_commit_callbacks(execute=True):
        incident = log(visit, carol, severity="high")

    assert sorted(m.to[0] for m in mail.outbox) == ["carol@example.org"]
    incident.refresh_from_db()
    assert incident.guardians_notified_at is None


def test_incident_low_under_all_policy_tells_the_guardian_only(
    visit, carol, bob, city_b, django_capture_on_commit_callbacks
):
    CityCarePolicy.objects.create(
        city=city_b, incident_guardian_notice=CityCarePolicy.GuardianNotice.ALL
    )

    with django_capture_on_commit_callbacks(execute=True):
        log(visit, carol)

    assert [m.to[0] for m in mail.outbox] == [f"guardian.{visit.b[0].student.email}"]


def test_incident_naming_someone_outside_the_visit_writes_nothing(visit, carol, alice):
    outsider = factories.ApplicationFactory(
        program=factories.ProgramFactory(cities={alice.home_city: 3}),
        student=alice,
        state="confirmed",
    )

    with pytest.raises(ValidationError) as caught:
        log(visit, carol, involved=[outsider])

    assert caught.value.message_dict == {
        "involved": ["Only the visit’s participants can be named."]
    }
    assert Incident.objects.count() == 0


def test_incident_by_a_coordinator_outside_the_visit_is_refused(visit, oscar):
    with pytest.raises(ValidationError) as caught:
        log(visit, oscar)

    assert caught.value.code == "forbidden"


def test_incident_in_the_future_is_refused(visit, carol):
    with pytest.raises(ValidationError) as caught:
        log(visit, carol, occurred_at=timezone.now() + timedelta(days=1))

    assert caught.value.message_dict == {
        "occurred_at": ["An incident can’t have happened in the future."]
    }


def test_incident_follow_up_close_and_reopen_build_the_timeline(visit, carol, bob):
    incident = log(visit, carol)

    incident_add_update(incident=incident, by=bob, note="Seen by the school nurse.")
    incident = incident_close(incident=incident, by=carol, note="Healed.")
    with pytest.raises(ValidationError):
        incident_close(incident=incident, by=carol, note="Again.")
    incident = incident_reopen(incident=incident, by=bob, note="Pain again.")

    assert incident.status == "open"
    assert list(IncidentUpdate.objects.order_by("pk").values_list("by__email", "note")) == [
        ("bob@example.org", "Seen by the school nurse."),
        ("carol@example.org", "Healed."),
        ("bob@example.org", "Pain again."),
    ]
    assert sorted(
        AuditEntry.objects.filter(action="incident-update", city_id=visit.a[0].city_id)
        .order_by("pk")
        .values_list("detail", flat=True)
    ) == sorted([f"#{incident.pk} follow-up", f"#{incident.pk} closed", f"#{incident.pk} reopened"])


def test_incident_follow_up_by_an_outsider_is_refused(visit, carol, oscar):
    incident = log(visit, carol)

    with pytest.raises(ValidationError) as caught:
        incident_add_update(incident=incident, by=oscar, note="Peek")

    assert caught.value.code == "forbidden"
    assert IncidentUpdate.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    table({"anonymous": 302, "alice": 403, "mina": 403, "carol": 200, "bob": 200, "oscar": 403}),
)
@pytest.mark.parametrize("page", ["incidents/", "incidents/new/", "detail", "incidents/export.csv"])
def test_incident_pages_open_for_the_visits_coordinators_only(
    request, client, visit, carol, persona, status, page
):
    incident = log(visit, carol)
    if page == "detail":
        page = f"incidents/{incident.pk}/"
    sign_in(request, client, persona)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/{page}")

    assert response.status_code == status


def test_incident_of_another_program_is_404(client, visit, carol, city_a, city_b):
    other = build_visit(city_a, city_b, pairs=1)
    incident = log(other, carol, involved=[other.b[0]])
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/incidents/{incident.pk}/")

    assert response.status_code == 404


def test_incident_views_are_audited(client, visit, carol):
    incident = log(visit, carol)
    client.force_login(carol)

    client.get(f"/coordinate/programs/{visit.program.pk}/incidents/")
    client.get(f"/coordinate/programs/{visit.program.pk}/incidents/{incident.pk}/")

    assert sorted(
        AuditEntry.objects.filter(action="incident-view", city_id=visit.a[0].city_id).values_list(
            "actor__email", "detail"
        )
    ) == [("carol@example.org", f"#{incident.pk}"), ("carol@example.org", "list of 1")]


def test_incident_page_never_shown_to_the_involved_student(client, visit, carol):
    incident = log(visit, carol)
    student = visit.b[0].student
    client.force_login(student)

    pages = [
        f"/coordinate/programs/{visit.program.pk}/incidents/",
        f"/coordinate/programs/{visit.program.pk}/incidents/{incident.pk}/",
        f"/me/applications/{visit.b[0].pk}/",
    ]
    statuses = [client.get(page).status_code for page in pages]

    assert statuses == [403, 403, 200]
    assert "Twisted" not in client.get(pages[2]).content.decode()


def test_incident_form_logs_in_the_coordinators_time(client, visit, carol):
    client.force_login(carol)
    when = (timezone.now() - timedelta(days=1)).astimezone(timezone.get_fixed_timezone(540))

    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/incidents/new/",
        {
            "category": "lost",
            "severity": "medium",
            "involved": [visit.a[0].pk],
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "what_happened": "Missed the bus.",
        },
    )

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert incident.occurred_at == when.replace(second=0, microsecond=0)
    assert list(incident.involved.all()) == [visit.a[0]]


def test_incident_form_refuses_an_id_outside_the_visit(client, visit, carol, alice):
    client.force_login(carol)
    outsider = factories.ApplicationFactory(
        program=factories.ProgramFactory(cities={alice.home_city: 3}),
        student=alice,
        state="confirmed",
    )

    response = client.post(
        f"/coordinate/programs/{visit.program.pk}/incidents/new/",
        {
            "category": "lost",
            "severity": "medium",
            "involved": [outsider.pk],
            "occurred_at": "2026-01-01T10:00",
            "what_happened": "Missed the bus.",
        },
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["involved"]
    assert Incident.objects.count() == 0


def test_incident_export_has_the_timeline_defused_and_is_audited(client, visit, carol):
    incident = log(visit, carol, what_happened='=HYPERLINK("http://x")')
    incident_add_update(incident=incident, by=carol, note="+1 call made")
    client.force_login(carol)

    response = client.get(f"/coordinate/programs/{visit.program.pk}/incidents/export.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Incident",
        "Entry",
        "When",
        "Category",
        "Severity",
        "Status",
        "Host city",
        "Who was involved",
        "By",
        "What happened",
        "What was done",
    ]
    assert [row[:2] for row in rows[1:]] == [
        [str(incident.pk), "Report"],
        [str(incident.pk), "Follow-up"],
    ]
    assert rows[1][9] == '\'=HYPERLINK("http://x")'
    assert rows[2][9] == "'+1 call made"
    assert rows[1][7] == visit.b[0].student.display_name
    assert AuditEntry.objects.filter(action="incident-export").count() == 2


def test_incident_guardians_button_tells_them_once(
    client, visit, carol, city_b, django_capture_on_commit_callbacks
):
    CityCarePolicy.objects.create(
        city=city_b, incident_guardian_notice=CityCarePolicy.GuardianNotice.NEVER
    )
    incident = log(visit, carol)
    client.force_login(carol)
    url = f"/coordinate/programs/{visit.program.pk}/incidents/{incident.pk}/guardians/"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)

    assert [m.to[0] for m in mail.outbox] == [f"guardian.{visit.b[0].student.email}"]


@pytest.mark.parametrize("n", [1, 3])
def test_incident_list_queries_do_not_grow_with_incidents(
    client, visit, carol, django_assert_num_queries, n
):
    for _ in range(n):
        log(visit, carol, involved=visit.b)
    client.force_login(carol)

    with django_assert_num_queries(INCIDENTS_QUERIES):
        response = client.get(f"/coordinate/programs/{visit.program.pk}/incidents/")

    assert len(response.context["incidents"]) == n
