"""allauth's pages and emails in all five languages (issue 14): allauth ships no Vietnamese, so
its strings live in our catalogues (accounts/allauth_strings.py), and its emails are ours."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db

LANGUAGES = ["ko", "zh-hans", "vi", "ja"]
# Each page, with one of allauth's sentences it shows in English.
PAGES = {
    "/accounts/login/": "Forgot your password?",
    "/accounts/signup/": "Password (again)",
    "/accounts/password/reset/": "Reset My Password",
}
# The language switcher names each language in itself, on every page in every language.
SAME_IN_EVERY_LANGUAGE = {name for _code, name in settings.LANGUAGES}
# Vietnamese writes these two as English does.
SAME_IN = {"vi": {"Email:", "Menu"}}


class TextNodes(HTMLParser):
    """The visible text of a page: text nodes and the attributes a person reads or hears."""

    def __init__(self):
        super().__init__()
        self.texts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "title"}:
            self.hidden += 1
        for name, value in attrs:
            if name in {"placeholder", "aria-label", "title", "alt"} and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in {"script", "style", "title"}:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and re.search(r"[^\W\d_]{2,}", data):
            self.texts.append(" ".join(data.split()))


def visible_text(client, path: str, language: str) -> set[str]:
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    parser = TextNodes()
    parser.feed(response.content.decode())
    return set(parser.texts)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("path", "sentence"), PAGES.items())
def test_allauth_page_has_no_english_left(client, path, sentence, language):
    english = visible_text(client, path, "en")
    translated = visible_text(client, path, language)

    assert sentence in english
    assert (english & translated) - SAME_IN_EVERY_LANGUAGE - SAME_IN.get(language, set()) == set()


def signup(client, language: str):
    client.cookies["django_language"] = language
    return client.post(
        "/accounts/signup/",
        {
            "email": "minh@example.org",
            "date_of_birth": "2010-03-14",
            "password1": "a-long-Unusual-passphrase-42",
            "password2": "a-long-Unusual-passphrase-42",
        },
    )


@pytest.mark.parametrize(
    ("language", "portal", "welcome"),
    [
        (
            "vi",
            "Giao lưu Thanh thiếu niên",
            "Chào mừng bạn đến với cổng Giao lưu Thanh thiếu niên.",
        ),
        ("ko", "청소년 교류", "청소년 교류 포털에 오신 것을 환영합니다."),
        ("en", "Youth Exchange", "Welcome to the Youth Exchange portal."),
    ],
)
def test_signup_verification_email_names_the_portal_in_the_signers_language(
    client, django_capture_on_commit_callbacks, language, portal, welcome
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, language)

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject.startswith(f"[{portal}] ")
    assert message.body.startswith(welcome)
    assert re.search(r"https://testserver/accounts/confirm-email/[^/\s]+/", message.body)
    assert "Hello from" not in message.body
    assert "testserver!" not in message.body


def test_password_reset_email_is_in_the_account_holders_language_not_the_pages(
    client, django_capture_on_commit_callbacks
):
    User.objects.create_user(email="hoa@example.org", password="x", preferred_language="vi")
    client.cookies["django_language"] = "ja"

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "hoa@example.org"})

    [message] = mail.outbox
    assert message.subject == "[Giao lưu Thanh thiếu niên] Chọn mật khẩu mới"
    assert "cổng Giao lưu Thanh thiếu niên" in message.body
    assert "https://testserver/accounts/password/reset/key/" in message.body


def test_account_emails_are_plain_text_so_a_typed_address_is_never_markup(
    client, django_capture_on_commit_callbacks
):
    """The account emails' templates turn escaping off: they are text/plain only, with no HTML
    part, so the one value a visitor types into them (the address) is inert text there."""
    address = '"<b>x</b>"@example.org'  # a quoted local part: Django's validator accepts it

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": address})

    [message] = mail.outbox
    assert message.to == [address]
    assert (message.content_subtype, getattr(message, "alternatives", [])) == ("plain", [])
    assert f"({address})" in message.body
