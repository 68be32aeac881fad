"""Uploading or removing a document never loses what the student typed in the form above it.

Found in a user trial: the upload was its own form, so choosing a scan and pressing Upload threw
away ten minutes of typing without a word.
"""

import pytest
from django.utils.html import strip_tags

from exchange.models import Application, ApplicationDocument
from tests.exchange.helpers import answers, make_document
from tests.files import pdf_bytes, upload
from tests.helpers import message_texts, squeeze

pytestmark = pytest.mark.django_db

MOTIVATION = " ".join(["도자기를 좋아하고 쯔보의 친구들과 함께 배우고 싶어요."] * 3)


@pytest.fixture
def draft(alice, program_ab):
    return Application.objects.create(program=program_ab, student=alice, city=alice.home_city)


def edit_url(draft) -> str:
    return f"/me/applications/{draft.pk}/edit/"


def test_upload_button_saves_the_typed_answers_and_the_file(client, alice, draft, consent_form):
    client.force_login(alice)

    response = client.post(
        edit_url(draft),
        {
            **answers(motivation=MOTIVATION),
            "upload": str(consent_form.pk),
            f"file-{consent_form.pk}": upload("consent.pdf", pdf_bytes()),
        },
        follow=True,
    )

    assert response.redirect_chain == [(edit_url(draft) + "#documents", 302)]
    assert message_texts(response) == [
        "Signed guardian consent form uploaded.",
        "Draft saved. It is not submitted yet.",
    ]
    draft.refresh_from_db()
    assert (draft.motivation, draft.gender, draft.passport) == (MOTIVATION, "female", "valid")
    assert list(draft.documents.values_list("original_name", flat=True)) == ["consent.pdf"]


def test_upload_with_an_invalid_answer_keeps_the_typing_on_the_page(
    client, alice, draft, consent_form
):
    """An answer the form refuses (301 characters of notes) is shown again with its error;
    the file is uploaded all the same, and the draft's saved answers are untouched."""
    client.force_login(alice)

    response = client.post(
        edit_url(draft),
        {
            **answers(motivation=MOTIVATION, dietary_notes="x" * 301),
            "upload": str(consent_form.pk),
            f"file-{consent_form.pk}": upload("consent.pdf", pdf_bytes()),
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form["motivation"].value() == MOTIVATION
    assert form.errors == {
        "dietary_notes": ["Ensure this value has at most 300 characters (it has 301)."]
    }
    assert message_texts(response) == ["Signed guardian consent form uploaded."]
    assert MOTIVATION in response.content.decode()
    draft.refresh_from_db()
    assert draft.motivation == ""
    assert list(draft.documents.values_list("original_name", flat=True)) == ["consent.pdf"]


def test_upload_button_without_a_file_says_so_and_still_saves_the_answers(
    client, alice, draft, consent_form
):
    client.force_login(alice)

    response = client.post(
        edit_url(draft),
        {**answers(motivation=MOTIVATION), "upload": str(consent_form.pk)},
        follow=True,
    )

    assert message_texts(response) == [
        "Choose a file first, then press Upload.",
        "Draft saved. It is not submitted yet.",
    ]
    draft.refresh_from_db()
    assert draft.motivation == MOTIVATION
    assert draft.documents.count() == 0


def test_a_file_chosen_but_not_uploaded_goes_up_with_save_draft(client, alice, draft, consent_form):
    client.force_login(alice)

    response = client.post(
        edit_url(draft),
        {
            **answers(motivation=MOTIVATION, save=""),
            f"file-{consent_form.pk}": upload("consent.pdf", pdf_bytes()),
        },
        follow=True,
    )

    assert response.redirect_chain == [(edit_url(draft) + "#documents", 302)]
    assert list(draft.documents.values_list("original_name", flat=True)) == ["consent.pdf"]


def test_a_refused_file_leaves_the_answers_saved_and_nothing_stored(
    client, alice, draft, consent_form
):
    client.force_login(alice)

    response = client.post(
        edit_url(draft),
        {
            **answers(motivation=MOTIVATION),
            "upload": str(consent_form.pk),
            f"file-{consent_form.pk}": upload("consent.pdf", b"MZ not a pdf at all"),
        },
        follow=True,
    )

    assert len(message_texts(response)) == 2
    assert message_texts(response)[0].startswith("Signed guardian consent form: ")
    draft.refresh_from_db()
    assert draft.motivation == MOTIVATION
    assert ApplicationDocument.objects.count() == 0


def test_remove_button_keeps_the_typed_answers(client, alice, draft, consent_form):
    document = make_document(draft, consent_form)
    client.force_login(alice)

    response = client.post(
        edit_url(draft), {**answers(motivation=MOTIVATION), "remove": str(document.pk)}, follow=True
    )

    assert message_texts(response) == [
        "Signed guardian consent form removed.",
        "Draft saved. It is not submitted yet.",
    ]
    draft.refresh_from_db()
    assert draft.motivation == MOTIVATION
    assert draft.documents.count() == 0


def test_remove_of_another_students_document_removes_nothing(
    client, alice, mina, program_ab, draft, consent_form
):
    other = Application.objects.create(program=program_ab, student=mina, city=mina.home_city)
    document = make_document(other, consent_form)
    client.force_login(alice)

    response = client.post(
        edit_url(draft), {**answers(motivation=MOTIVATION), "remove": str(document.pk)}, follow=True
    )

    assert message_texts(response) == [
        "That document is no longer there.",
        "Draft saved. It is not submitted yet.",
    ]
    assert ApplicationDocument.objects.filter(pk=document.pk).count() == 1


# --- reviewing before submitting ----------------------------------------------------------


def test_review_before_submitting_shows_every_answer(client, alice, draft, consent_form):
    client.force_login(alice)
    client.post(
        edit_url(draft),
        {
            **answers(motivation=MOTIVATION, medical_needs="Peanut allergy: carries an EpiPen."),
            "save": "",
            f"file-{consent_form.pk}": upload("consent.pdf", pdf_bytes()),
        },
    )

    page = client.get(f"/me/applications/{draft.pk}/submit/")

    html = page.content.decode().split('<section class="card my-answers"')[1].split("</section>")[0]
    shown = squeeze(strip_tags(html.split(">", 1)[1]))
    assert shown == squeeze(
        "Your answers "
        f"City {alice.home_city} "
        "Languages Korean (Native), English (Intermediate) "
        "Wants to practise — Interests — "
        f"Motivation {MOTIVATION} "
        "Availability Free all summer. "
        "Homestay "
        "Gender Female The family’s home Not described yet · Describe your home "
        "Allergic to pets No Dietary needs — "
        "Medical needs Peanut allergy: carries an EpiPen. Passport I have a valid passport "
        "Documents Signed guardian consent form: consent.pdf (431 bytes) "
        "Change your answers"
    )


def test_household_missing_asks_nothing_of_the_household(client, alice, draft):
    """The family describes the home on its own page (/me/household/); the application no
    longer asks about it, and submitting does not wait for it."""
    client.force_login(alice)
    client.post(edit_url(draft), {**answers(), "save": ""})

    page = client.get(edit_url(draft))

    assert [m for m in page.context["missing"] if "household" in m or "host" in m] == []


def test_form_help_texts_are_in_the_students_language(client, alice, draft, consent_form):
    """Found in a user trial: two help texts were filled in when the module loaded, in English,
    and stayed English on every Korean page."""
    alice.preferred_language = "ko"
    alice.save()
    client.force_login(alice)

    html = client.get(edit_url(draft)).content.decode()

    assert "최소 50자, 최대 2000자" in html
    assert "At least 50 characters" not in html
    assert "PDF, JPEG or PNG" not in html
