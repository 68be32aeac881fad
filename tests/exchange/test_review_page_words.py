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
    # The household is its own record now; the visitor's pet allergy is the yes/no answer left.
    allergic, not_allergic = (
        factories.ApplicationFactory(
            program=program_ab,
            student=factories.StudentFactory(home_city=city_a),
            state="under_review",
            pet_allergy=answer,
        )
        for answer in (True, False)
    )
    carol.preferred_language = language
    carol.save(update_fields=["preferred_language"])
    client.force_login(carol)

    yes_page = client.get(f"/coordinate/applications/{allergic.pk}/").content.decode()
    no_page = client.get(f"/coordinate/applications/{not_allergic.pk}/").content.decode()

    assert f"<dd>{yes}</dd>" in yes_page
    assert f"<dd>{no}</dd>" in no_page
    assert ("<dd>yes</dd>" in yes_page, "<dd>no</dd>" in no_page) == (False, False)
