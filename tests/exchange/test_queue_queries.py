"""List pages run the same number of queries however many rows they show (no N+1)."""

import pytest
from django.utils import timezone

from exchange.models import ApplicationEvent, ApplicationLanguage, Review
from tests import factories
from tests.exchange.helpers import make_document

pytestmark = pytest.mark.django_db

# Session, user and home city; the coordinator's second factor; the program with its cities,
# rubric and documents (4: the cities are joined to the program's city rows; loaded once for
# the permission check and the view); coordinator memberships; the page count, the page and
# its languages; the staged counts; the filter form's languages.
REVIEW_QUEUE_QUERIES = 14
# Session, user and home city; the applications with one query per prefetch (events,
# documents, languages, required documents, valid certificates); then the page frame's
# consent, membership and permission lookups.
MY_APPLICATIONS_QUERIES = 13


def applicants(program, city, carol, n: int):
    """n applicants of `city`, each with two languages, a document and a submitted review."""
    applications = []
    for _ in range(n):
        student = factories.StudentFactory(home_city=city)
        application = factories.ApplicationFactory(
            program=program, student=student, submitted_at=timezone.now()
        )
        ApplicationLanguage.objects.bulk_create(
            [
                ApplicationLanguage(application=application, language_id="ko", level=4),
                ApplicationLanguage(application=application, language_id="en", level=2),
            ]
        )
        Review.objects.create(
            application=application, reviewer=carol, total="4.00", submitted_at=timezone.now()
        )
        applications.append(application)
    return applications


@pytest.mark.parametrize("n", [1, 50])
def test_review_queue_queries_do_not_grow_with_applications(
    client, carol, program_ab, city_a, rubric, consent_form, django_assert_num_queries, n
):
    applications = applicants(program_ab, city_a, carol, n)
    make_document(applications[0], consent_form)
    client.force_login(carol)

    with django_assert_num_queries(REVIEW_QUEUE_QUERIES):
        response = client.get(f"/coordinate/programs/{program_ab.pk}/applications/")

    assert response.status_code == 200
    assert [a.pk for a in response.context["page"]] == [a.pk for a in applications]


@pytest.mark.parametrize("n", [1, 3])
def test_my_applications_queries_do_not_grow_with_applications(
    client, alice, city_a, city_b, django_assert_num_queries, n
):
    applications = []
    for _ in range(n):
        program = factories.ProgramFactory(cities={city_a: 5, city_b: 5})
        application = factories.ApplicationFactory(
            program=program, student=alice, state="submitted", submitted_at=timezone.now()
        )
        ApplicationEvent.objects.create(
            application=application, actor=alice, from_state="draft", to_state="submitted"
        )
        ApplicationLanguage.objects.create(application=application, language_id="ko", level=4)
        applications.append(application)
    client.force_login(alice)

    with django_assert_num_queries(MY_APPLICATIONS_QUERIES):
        response = client.get("/me/applications/")

    assert response.status_code == 200
    assert [a.pk for a in response.context["applications"]] == [
        a.pk for a in reversed(applications)
    ]
