"""The review page's yes/no answers are words of the reader's language, capitalised."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "yes", "no"), [("en", "Yes", "No"), ("ko", "예", "아니요"), ("vi", "Có", "Không")]
)
def test_review_page_answers_yes_and_no_in_words(
    client, program_ab, city_a, carol, language, yes, no
):
    student = factories.StudentFactory(home_city=city_a)
    application = factories.ApplicationFactory(
        program=program_ab, student=student, state="under_review", can_host=True, pet_allergy=False
    )
    carol.preferred_language = language
    carol.save(update_fields=["preferred_language"])
    client.force_login(carol)

    html = client.get(f"/coordinate/applications/{application.pk}/").content.decode()

    assert f"<dd>{yes}</dd>" in html
    assert f"<dd>{no}</dd>" in html
    assert "<dd>yes</dd>" not in html
