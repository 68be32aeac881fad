"""E-mail subjects and text parts are plain text, escaped never; the HTML part once.

Found from outside: a program called `Tomato <img…>` arrived as `Tomato &lt;img…&gt;`."""

import pytest

from core.mail import build_templated_email
from tests import factories

pytestmark = pytest.mark.django_db

TITLE = 'Tomato <img src=x> & "Friends"'


def test_subject_and_text_carry_the_title_as_typed_and_html_escapes_it_once(alice, city_a):
    program = factories.ProgramFactory(title=TITLE, cities={city_a: 5})
    application = factories.ApplicationFactory(program=program, student=alice)

    message = build_templated_email(
        to=alice.email,
        template="exchange/email/reminder_apply",
        context={"application": application, "student": alice},
        language="en",
    )

    assert message.subject == f"Reminder: your application to {TITLE} is not submitted yet"
    assert f"Your application to “{TITLE}” is still a draft." in message.body
    html = message.alternatives[0][0]
    assert "Tomato &lt;img src=x&gt; &amp; &quot;Friends&quot;" in html
    assert "&amp;lt;" not in html and "<img src=x>" not in html
